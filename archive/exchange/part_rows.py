"""A unit's parts as rows: dates, extents, containers and their instances, notes, agent and
subject links, digital objects, queued into their bulk tables.

:class:`PartRows` is the half of :class:`archive.exchange.load.EADLoader` that handles what
hangs below a component row (the loader itself writes the collection and component rows and
decides when batches are written). Shared agents and subjects are resolved a batch at a time
(:mod:`archive.exchange.authorities`); the search index feed is told each value as its row
is queued.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archive.ead import records as r
from archive.exchange.authorities import (
    AgentKey,
    Authorities,
    SubjectKey,
    agent_key,
    subject_key,
)
from archive.exchange.bulk import BulkTable, IdAllocator
from archive.exchange.columns import (
    AGENT_LINK_FIELDS,
    AGENT_ROLES,
    BARCODE_LENGTH,
    CHILD_INDICATOR_LENGTH,
    CHILD_TYPE_LENGTH,
    CONTAINER_FIELDS,
    CONTAINER_LABEL_LENGTH,
    CONTAINER_TYPE_LENGTH,
    DATE_FIELDS,
    DIGITAL_OBJECT_FIELDS,
    DIGITAL_ROLE_LENGTH,
    DIGITAL_TITLE_LENGTH,
    EXTENT_FIELDS,
    GRANDCHILD_INDICATOR_LENGTH,
    GRANDCHILD_TYPE_LENGTH,
    INDICATOR_LENGTH,
    INSTANCE_FIELDS,
    INSTANCE_TYPE_LENGTH,
    LINK_LENGTH,
    NOTE_FIELDS,
    NOTE_HEADING_LENGTH,
    NOTE_REF_LENGTH,
    NOTE_TYPES,
    RELATOR_LENGTH,
    SUBJECT_LINK_FIELDS,
    SUBJECT_TYPES,
    clip,
    keep,
)
from archive.exchange.load_types import IndexFeed
from archive.exchange.rows import (
    UnitColumns,
    container_groups,
    container_json,
    put_given,
    put_pairs,
)
from archive.models import (
    AgentLink,
    Collection,
    Container,
    ContainerInstance,
    DigitalObject,
    Extent,
    Note,
    NoteType,
    SubjectLink,
    UnitDate,
)


def instance_levels(group: list[r.Container]) -> tuple[str, str, str, str]:
    """The child and grandchild (type, indicator) columns of a container instance (its
    top container is the row it refers to)."""
    child = group[1] if len(group) > 1 else None
    grandchild = group[2] if len(group) > 2 else None
    if child is None:
        return "", "", "", ""
    return (
        clip(child.container_type, CHILD_TYPE_LENGTH),
        clip(child.indicator, CHILD_INDICATOR_LENGTH),
        clip(grandchild.container_type, GRANDCHILD_TYPE_LENGTH) if grandchild else "",
        clip(grandchild.indicator, GRANDCHILD_INDICATOR_LENGTH) if grandchild else "",
    )


class PartRows:
    """The part rows of a load, queued per unit (a mixin of ``EADLoader``: it shares the
    loader's collection, feed and warnings; :meth:`parts_start` sets up its tables)."""

    collection: Collection | None
    feed: IndexFeed | None
    warn: Callable[[str], None]  # the loader's: a warning that names the file

    def parts_start(self) -> None:
        """The part tables (empty) and the state that spans batches."""
        self.dates = BulkTable(UnitDate, DATE_FIELDS)
        self.extents = BulkTable(Extent, EXTENT_FIELDS)
        self.notes = BulkTable(Note, NOTE_FIELDS)
        self.digital_objects = BulkTable(DigitalObject, DIGITAL_OBJECT_FIELDS)
        self.container_ids_drawn = IdAllocator(Container, 64)
        self.containers = BulkTable(Container, CONTAINER_FIELDS)
        self.instances = BulkTable(ContainerInstance, INSTANCE_FIELDS)
        self.agent_links = BulkTable(AgentLink, AGENT_LINK_FIELDS)
        self.subject_links = BulkTable(SubjectLink, SUBJECT_LINK_FIELDS)
        # Rows that wait for the id of a shared or new row: (values, key, record).
        self.waiting_agents: list[tuple[list[Any], AgentKey, r.AgentLink]] = []
        self.waiting_subjects: list[tuple[list[Any], SubjectKey, r.SubjectLink]] = []
        # Rows already given to a unit, for supplements to continue the numbering.
        self.counts: dict[tuple[str, int], int] = {}
        # Characters of note text queued since the last full batch (see load.BATCH_TEXT).
        self.batch_text = 0
        self.authorities = Authorities()
        # (type, indicator) -> the collection's container with them.
        self.container_ids: dict[tuple[str, str], int] = {}

    def part_tables(self) -> list[BulkTable]:
        """The part tables in writing order: containers first (instances refer to them)."""
        return [
            self.containers,
            self.dates,
            self.extents,
            self.notes,
            self.digital_objects,
            self.instances,
            self.agent_links,
            self.subject_links,
        ]

    def numbering(self, kind: str, unit_id: int, count: int, *, supplement: bool) -> int:
        """First position for ``count`` more rows of ``kind`` on a unit.

        Only units that have child components can get a supplement, but which those are is
        only known later, so counts are kept for every unit that has rows of these kinds.
        """
        key = (kind, unit_id)
        start = self.counts.get(key, 0) if supplement else 0
        self.counts[key] = start + count
        return start

    def add_unit_rows(self, unit_id: int, unit: r.Unit, columns: UnitColumns) -> None:
        """Queue a unit's dates and extents (their ``columns`` were computed for the unit's
        own row), containers, notes, links and digital objects."""
        date_rows, extent_rows = columns
        add = self.dates.rows.append  # no JSON columns: rows go straight into the batch
        dates, extents = unit.dates, unit.extents
        for i, row in enumerate(date_rows):
            add((unit_id, *row, dates[i].published, i))
        if date_rows and self.feed is not None:
            for i, row in enumerate(date_rows):
                if dates[i].published:
                    self.feed.date(unit_id, row[1], row[2])
        add = self.extents.rows.append
        for i, row in enumerate(extent_rows):
            add((unit_id, *row, extents[i].published, i))
        self.add_containers(unit_id, unit.containers)
        self.add_described(
            unit_id, unit.notes, unit.agents, unit.subjects, unit.digital_objects, supplement=False
        )

    def add_described(
        self,
        unit_id: int,
        notes: tuple[r.Note, ...],
        agents: tuple[r.AgentLink, ...],
        subjects: tuple[r.SubjectLink, ...],
        digital_objects: tuple[r.DigitalObject, ...],
        *,
        supplement: bool,
    ) -> None:
        """Rows a unit and its supplement both carry (a supplement's continue the unit's
        numbering)."""
        if not (notes or agents or subjects or digital_objects):
            return  # (most units of a large file)
        kinds: tuple[tuple[str, tuple[Any, ...], Callable[[int, Any, int], None]], ...] = (
            ("note", notes, self.add_note),
            ("agent", agents, self.add_agent_link),
            ("subject", subjects, self.add_subject_link),
            ("dao", digital_objects, self.add_digital_object),
        )
        for kind, items, add in kinds:
            if items:
                start = self.numbering(kind, unit_id, len(items), supplement=supplement)
                for i, item in enumerate(items, start):
                    add(unit_id, item, i)

    def add_note(self, unit_id: int, note: r.Note, position: int) -> None:
        """Queue a note's row (its text counts towards ``BATCH_TEXT``)."""
        attributes: dict[str, Any] = {"source_position": note.position}
        note_type = note.note_type
        if note_type not in NOTE_TYPES:
            # EAD 2002 <note> directly in a unit has no type of its own: "General" (odd).
            attributes["element"] = note_type
            note_type = NoteType.GENERAL
        put_pairs(
            attributes, attributes=note.attributes, heading_attributes=note.heading_attributes
        )
        heading = clip(note.heading, NOTE_HEADING_LENGTH)
        keep(attributes, "heading", note.heading, heading)
        ref = clip(note.ref, NOTE_REF_LENGTH)
        keep(attributes, "ref", note.ref, ref)
        if self.feed is not None:
            self.feed.note(unit_id, note.content, note.published)
        self.batch_text += len(note.content)
        self.notes.add(
            unit_id,
            note_type,
            heading,
            note.content,
            ref,
            note.published,
            position,
            attributes,
        )

    def add_digital_object(self, unit_id: int, dao: r.DigitalObject, position: int) -> None:
        """Queue a digital object's row."""
        attributes: dict[str, Any] = {}
        put_given(attributes, dao, ("show", "actuate", "group", "group_description", "object_type"))
        put_pairs(attributes, attributes=dao.extra, group_attributes=dao.group_attributes)
        if dao.group_links:
            attributes["group_links"] = list(dao.group_links)
        href = clip(dao.href, LINK_LENGTH)
        title = clip(dao.title, DIGITAL_TITLE_LENGTH)
        role = clip(dao.role, DIGITAL_ROLE_LENGTH)
        keep(attributes, "href", dao.href, href)
        keep(attributes, "title", dao.title, title)
        keep(attributes, "role", dao.role, role)
        keep(attributes, "description", dao.description, dao.description)
        if self.feed is not None:
            self.feed.digital_object(unit_id, dao.published)
        self.digital_objects.add(
            unit_id,
            title,
            href,
            role,
            dao.description or "",
            dao.published,
            position,
            attributes,
        )

    def add_containers(self, unit_id: int, containers: tuple[r.Container, ...]) -> None:
        """Queue a unit's container instances (see :func:`container_groups`), and the
        collection's containers the first time one is named."""
        if not containers:
            return
        groups, warnings = container_groups(containers)
        for warning in warnings:
            self.warn(warning)
        for i, group in enumerate(groups):
            if len(group) > 3:
                self.warn(
                    f"a container instance has {len(group)} levels; the model keeps three, the "
                    f"others are kept for export"
                )
            key, container_id = self.container_take(group[0])
            levels = instance_levels(group)
            published = all(c.published for c in group)
            self.instances.add(
                unit_id,
                container_id,
                *levels,
                clip(group[0].label, INSTANCE_TYPE_LENGTH),
                published,
                i,
                {"containers": [container_json(c) for c in group]},
            )
            if published and self.feed is not None:
                self.feed.container(unit_id, *key, *levels)

    def container_take(self, top: r.Container) -> tuple[tuple[str, str], int]:
        """The (type, indicator) and id of the collection's container an instance names:
        queued the first time it is named, shared by the instances naming it after."""
        assert self.collection is not None
        ctype = clip((top.container_type or "box").strip().lower(), CONTAINER_TYPE_LENGTH)
        key = (ctype or "box", clip(top.indicator.strip(), INDICATOR_LENGTH))
        container_id = self.container_ids.get(key)
        if container_id is None:
            container_id = self.container_ids[key] = self.container_ids_drawn.take()
            self.containers.add(
                container_id,
                self.collection.pk,
                key[0],
                key[1],
                clip(top.barcode, BARCODE_LENGTH),
                clip(top.label, CONTAINER_LABEL_LENGTH),
            )
        return key, container_id

    def add_agent_link(self, unit_id: int, link: r.AgentLink, position: int) -> None:
        """Queue an agent link; its row waits for the agent's id (:meth:`write_agent_links`)."""
        key = agent_key(link)
        attributes: dict[str, Any] = {}
        put_given(attributes, link, ("normal", "group", "label"))
        if link.name_parts:
            attributes["name_parts"] = [list(p) for p in link.name_parts]
        if link.name_markup:
            attributes["name_markup"] = link.name_markup
        put_pairs(
            attributes,
            origination_attributes=link.origination_attributes,
            attributes=link.attributes,
        )
        role = link.role if link.role in AGENT_ROLES else AgentLink.Role.SUBJECT
        if role != link.role:
            attributes["role"] = link.role
        relator = clip(link.relator, RELATOR_LENGTH)
        keep(attributes, "relator", link.relator, relator)
        values = [
            unit_id,
            None,  # the agent's id, once resolved
            role,
            relator,
            link.published,
            position,
            attributes,
        ]
        self.waiting_agents.append((values, key, link))

    def add_subject_link(self, unit_id: int, link: r.SubjectLink, position: int) -> None:
        """Queue a subject link; its row waits for the subject's id."""
        attributes: dict[str, Any] = {}
        put_given(attributes, link, ("group", "normal"))
        put_pairs(attributes, attributes=link.attributes)
        if link.term_parts:
            attributes["term_parts"] = [list(p) for p in link.term_parts]
        if link.term_markup:
            attributes["term_markup"] = link.term_markup
        if link.subject_type not in SUBJECT_TYPES:
            attributes["subject_type"] = link.subject_type
        values = [unit_id, None, link.published, position, attributes]
        self.waiting_subjects.append((values, subject_key(link), link))

    def write_agent_links(self) -> None:
        """Resolve the waiting agent links' agents (a batch at a time) and queue their rows."""
        waiting, self.waiting_agents = self.waiting_agents, []
        authorities = self.authorities
        authorities.resolve_agents([(key, link) for _, key, link in waiting])
        for values, key, link in waiting:
            agent_id = values[1] = authorities.agent_ids[key]
            name, agent_type, source, authority_id, published = authorities.agents_by_id[agent_id]
            if self.feed is not None:
                new = agent_id in authorities.agents_created
                self.feed.agent(
                    values[0], agent_id, values[2], name, published and link.published, new=new
                )
            attributes = values[-1]
            # What the file said that the shared agent does not say, for a faithful export.
            # Exactly as written: the shared agent's name is whitespace-normalised.
            if link.name != name:
                attributes["name"] = link.name
            if link.agent_type != agent_type:
                attributes["agent_type"] = link.agent_type
            keep_authority(attributes, link, source, authority_id)
            self.agent_links.add(*values)

    def write_subject_links(self) -> None:
        """Resolve the waiting subject links' subjects and queue their rows."""
        waiting, self.waiting_subjects = self.waiting_subjects, []
        authorities = self.authorities
        authorities.resolve_subjects([(key, link) for _, key, link in waiting])
        for values, key, link in waiting:
            subject_id = values[1] = authorities.subject_ids[key]
            term, source, authority_id, subject_type, published = authorities.subjects_by_id[
                subject_id
            ]
            if self.feed is not None:
                self.feed.subject(
                    values[0], subject_id, term, subject_type, published and link.published
                )
            attributes = values[-1]
            if link.term != term:
                attributes["term"] = link.term
            keep_authority(attributes, link, source, authority_id)
            self.subject_links.add(*values)


def keep_authority(
    attributes: dict[str, Any],
    link: r.AgentLink | r.SubjectLink,
    source: str,
    authority_id: str,
) -> None:
    """Keep the link's own authority source and id where the shared row says otherwise."""
    keep(attributes, "source", link.source, source)
    keep(attributes, "authority_id", link.authority_id, authority_id)


__all__ = ["PartRows"]
