"""Neutral EAD records -> database rows, in bulk.

The reader (``archive.ead``) turns a file into a stream of :mod:`archive.ead.records`; this
module writes that stream to the database without a query per component: components, dates,
extents, notes, agent and subject links, containers, container instances and digital objects
are buffered and written in batches (COPY on PostgreSQL, from a helper thread: see
:class:`archive.exchange.bulk.BackgroundWriter`), with ids drawn beforehand so that a
component's related rows go into the same batch; paths come from
:class:`archive.tree.PathAllocator` and shared agents and subjects are looked up a batch at a
time (:mod:`archive.exchange.authorities`). With a ``feed`` the search index rows of each
batch are built from the same values (the caller passes ``archive.search.feed.LoadFeed``)
and written after it.

The caller owns the transaction (``archive.services.imports.ead_import`` wraps the whole load
in one ``transaction.atomic``); nothing here commits.

Where each value goes is described in :mod:`archive.exchange.columns`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from archive import tree
from archive.ead import records as r
from archive.exchange.authorities import (
    AgentKey,
    Authorities,
    SubjectKey,
    agent_key,
    subject_key,
)
from archive.exchange.bulk import (
    BATCH_SIZE,
    BulkLoad,
    BulkTable,
    IdAllocator,
    child_counts_write,
)
from archive.exchange.columns import (
    AGENT_LINK_FIELDS,
    AGENT_ROLES,
    BARCODE_LENGTH,
    CHILD_INDICATOR_LENGTH,
    CHILD_TYPE_LENGTH,
    COMPONENT_FIELDS,
    CONTAINER_FIELDS,
    CONTAINER_LABEL_LENGTH,
    CONTAINER_TYPE_LENGTH,
    DATE_FIELDS,
    DIGITAL_OBJECT_FIELDS,
    DIGITAL_ROLE_LENGTH,
    DIGITAL_TITLE_LENGTH,
    EAD_ID_LENGTH,
    EXTENT_FIELDS,
    GRANDCHILD_INDICATOR_LENGTH,
    GRANDCHILD_TYPE_LENGTH,
    IDENTIFIER_LENGTH,
    INDICATOR_LENGTH,
    INSTANCE_FIELDS,
    INSTANCE_TYPE_LENGTH,
    LEVELS,
    LINK_LENGTH,
    NOTE_FIELDS,
    NOTE_HEADING_LENGTH,
    NOTE_REF_LENGTH,
    NOTE_TYPES,
    OTHER_LEVEL_LENGTH,
    REF_LENGTH,
    RELATOR_LENGTH,
    REVISION_AGENT_LENGTH,
    REVISION_DATE_LENGTH,
    SUBJECT_LINK_FIELDS,
    SUBJECT_TYPES,
    clip,
    keep,
    max_length,
)
from archive.exchange.rows import (
    UnitColumns,
    collection_fields,
    container_groups,
    container_json,
    date_columns,
    date_side,
    escaped,
    extent_columns,
    extent_side,
    extra_json,
    language_json,
    other_identifier_json,
    pairs,
    unit_attributes,
)
from archive.models import (
    AgentLink,
    Collection,
    Component,
    Container,
    ContainerInstance,
    DigitalObject,
    Extent,
    ImportJob,
    Level,
    Note,
    NoteType,
    Repository,
    Revision,
    SubjectLink,
    UnitDate,
)

# A batch is written early once its notes hold this many characters, so that a file of
# long descriptions does not keep BATCH_SIZE of them in memory at once.
BATCH_TEXT = 8_000_000
# The history entry's "change reason" column (django-simple-history).
CHANGE_REASON_LENGTH = max_length(Collection.history.model, "history_change_reason")
# A ref cut to its column leaves room for the "-n" that makes it unique.
REF_CUT = REF_LENGTH - 15


class LoadError(Exception):
    """The records cannot be loaded (no header, EAD id too long, nesting too deep...)."""


class IndexFeed(Protocol):
    """What the loader tells the search index as it queues rows (``archive.search.feed``)."""

    complete: bool

    def unit(
        self,
        unit_id: int,
        depth: int,
        published: bool,
        level: str,
        identifier: str,
        title: str,
        languages: object,
    ) -> None: ...
    def supplement(self, unit_id: int) -> None: ...
    def date(self, unit_id: int, begin: str, end: str) -> None: ...
    def container(self, unit_id: int, *columns: str) -> None: ...
    def note(self, unit_id: int, content: str, published: bool) -> None: ...
    def agent(
        self, unit_id: int, agent_id: int, role: str, name: str, published: bool, *, new: bool
    ) -> None: ...
    def subject(
        self, unit_id: int, subject_id: int, term: str, subject_type: str, published: bool
    ) -> None: ...
    def digital_object(self, unit_id: int, published: bool) -> None: ...
    def write(
        self, submit: Callable[[Callable[[Any], object]], None], *, final: bool = False
    ) -> list[str]: ...


# (collection id, repository id) -> the feed for that collection.
FeedFactory = Callable[[int, int], IndexFeed]


@dataclass
class LoadResult:
    """What one finding aid became in the database."""

    collection_id: int | None = None
    ead_id: str = ""
    repository_id: int | None = None
    repository_code: str = ""
    source_version: str = ""
    components: int = 0  # below the collection level (<c> elements)
    notes: int = 0
    dates: int = 0
    extents: int = 0
    agent_links: int = 0
    subject_links: int = 0
    container_instances: int = 0
    containers: int = 0
    digital_objects: int = 0
    agents_created: int = 0
    subjects_created: int = 0
    # The search index rows were written during the load (see EADLoader ``feed``).
    indexed: bool = False
    warnings: list[str] = field(default_factory=list)


def collection_ead_id(fa: r.FindingAid, filename: str) -> tuple[str, list[str]]:
    """The EAD id a finding aid is stored under (whitespace normalised), with a warning
    when the file gives none and its file name stands in.

    Raises :class:`LoadError` when the id is longer than the column.
    """
    ead_id = " ".join(fa.ead_id.split())
    warnings = []
    if not ead_id:
        stem = re.sub(r"\.xml$", "", filename.replace("\\", "/").rsplit("/", 1)[-1])
        ead_id = stem or "finding-aid"
        warnings.append(f"{filename}: the finding aid has no EAD identifier; using {ead_id!r}")
    if len(ead_id) > EAD_ID_LENGTH:
        raise LoadError(f"{filename}: the EAD id is longer than {EAD_ID_LENGTH} characters")
    return ead_id, warnings


class EADLoader:
    """Writes one finding aid's records. Use once: ``EADLoader(...).load(records)``.

    Parameters: ``repository`` forces the repository (else it is found or created from the
    file); ``replace`` deletes a collection with the same EAD id in that repository first;
    ``filename`` names the file in messages; ``job`` is recorded on the collection;
    ``on_progress(components_so_far)`` is called after each batch; ``write_behind`` (None:
    on PostgreSQL) writes through a :class:`BackgroundWriter`; ``index`` writes the search
    index rows as it goes (``LoadResult.indexed`` says whether it could: otherwise the caller
    reindexes the collection).

    Cost: one INSERT (or COPY) per batch of ``batch_size`` rows per table, one or two SELECTs
    per batch for shared agents and subjects, one per block of ids (blocks double up to
    32,768; SQLite needs one in all), plus a constant number of queries per finding aid.
    Memory: a few batches of rows, plus a few small values per component (its id and ref;
    with ``index``, whether it is public).
    """

    def __init__(
        self,
        *,
        repository: Repository | None = None,
        ead_id: str | None = None,
        filename: str | None = None,
        job: ImportJob | None = None,
        user: AbstractBaseUser | AnonymousUser | None = None,
        on_progress: Callable[[int], None] | None = None,
        batch_size: int | None = None,
        write_behind: bool | None = None,
        feed: FeedFactory | None = None,
    ) -> None:
        """See the class docstring for the parameters. Long because it declares the load's
        whole state in one place, each piece with what it holds."""
        self.user = user
        self.repository = repository
        self.ead_id = ead_id
        self.filename = filename or "<input>"
        self.job = job
        self.on_progress = on_progress
        self.batch_size = batch_size or BATCH_SIZE
        # Search index rows batch by batch (archive.search.feed.LoadFeed, given by the caller).
        self.feed_factory = feed
        self.feed: IndexFeed | None = None
        self.result = LoadResult()

        self.finding_aid: r.FindingAid | None = None
        self.collection: Collection | None = None
        self.paths: tree.PathAllocator | None = None
        self.root_id: int | None = None
        # sequence -> component id, for supplements (description after child components).
        self.unit_ids: dict[int, int] = {}
        self.refs: set[str] = set()
        # positions[i]: sibling index of the open unit at depth i + 2 (for generated refs).
        self.positions: list[int] = []
        # path -> number of children, for treebeard's numchild (parents only).
        self.child_counts: dict[str, int] = {}

        self.component_ids = IdAllocator(Component, self.batch_size)
        self.components = BulkTable(Component, COMPONENT_FIELDS)
        self.dates = BulkTable(UnitDate, DATE_FIELDS)
        self.extents = BulkTable(Extent, EXTENT_FIELDS)
        self.notes = BulkTable(Note, NOTE_FIELDS)
        self.digital_objects = BulkTable(DigitalObject, DIGITAL_OBJECT_FIELDS)
        self.container_ids_drawn = IdAllocator(Container, 64)
        self.containers = BulkTable(Container, CONTAINER_FIELDS)
        self.instances = BulkTable(ContainerInstance, INSTANCE_FIELDS)
        self.agent_links = BulkTable(AgentLink, AGENT_LINK_FIELDS)
        self.subject_links = BulkTable(SubjectLink, SUBJECT_LINK_FIELDS)
        # Components and containers first: the other tables refer to them.
        self.bulk = BulkLoad(
            [
                self.components,
                self.containers,
                self.dates,
                self.extents,
                self.notes,
                self.digital_objects,
                self.instances,
                self.agent_links,
                self.subject_links,
            ],
            write_behind=write_behind,
        )
        # Rows that wait for the id of a shared or new row: (values, key, record).
        self.waiting_agents: list[tuple[list[Any], AgentKey, r.AgentLink]] = []
        self.waiting_subjects: list[tuple[list[Any], SubjectKey, r.SubjectLink]] = []
        # Rows already given to a unit, for supplements to continue the numbering.
        self.counts: dict[tuple[str, int], int] = {}
        # Characters of note text queued since the last full batch (see BATCH_TEXT).
        self.batch_text = 0
        self.authorities = Authorities()
        self.container_ids: dict[tuple[str, str], int] = {}

    # ------------------------------------------------------------------ entry point

    def load(self, records: Iterable[r.Record]) -> LoadResult:
        """Write every record; the caller's transaction holds the whole load."""
        self.bulk.start()
        try:
            self.read(records)
        except BaseException:
            writer = self.bulk.stop(cancel=True)
            if writer is not None:
                # A batch the server refused aborts the transaction, and this thread's next
                # statement fails only for that: the refused batch's error is the one to
                # report.
                writer.raise_error()
            raise
        self.bulk.stop(cancel=False)
        assert self.collection is not None
        child_counts_write(Component, self.collection.pk, self.child_counts)
        if not self.result.indexed:
            # (an index build would read the rows back; with the index written during the
            # load nothing more reads them in this transaction, and autovacuum analyzes
            # the tables after the commit)
            self.bulk.refresh_statistics()
        self.result.agents_created = len(self.authorities.agents_created)
        self.result.subjects_created = self.authorities.subjects_created
        self.report_progress()
        return self.result

    def read(self, records: Iterable[r.Record]) -> None:
        """Turn every record into rows, then write the last batch."""
        for record in records:
            if isinstance(record, r.Unit):
                if record.depth == 0:
                    self.start_collection(record)
                else:
                    self.add_unit(record)
            elif isinstance(record, r.UnitSupplement):
                self.add_supplement(record)
            elif isinstance(record, r.FindingAid):
                if self.finding_aid is not None:
                    raise LoadError(f"{self.filename}: more than one finding aid in the stream")
                self.finding_aid = record
            else:  # pragma: no cover - the reader yields only the three kinds
                raise LoadError(f"{self.filename}: unexpected record {type(record).__name__}")
        if self.collection is None:
            raise LoadError(f"{self.filename}: no collection-level description (<archdesc>)")
        self.flush_rows(final=True)

    def warn(self, message: str) -> None:
        self.result.warnings.append(f"{self.filename}: {message}")

    def report_progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.result.components)

    # ------------------------------------------------------------------ collection

    def start_collection(self, unit: r.Unit) -> None:
        """Write the collection row, its revisions and its root component.

        Which repository and EAD id the collection gets, and what happens to a collection
        already there, the caller decided (``archive.services.imports``); without an EAD id
        given, the file's is used (:func:`collection_ead_id`).
        """
        if self.finding_aid is None:
            raise LoadError(f"{self.filename}: the description came before the header")
        if self.collection is not None:
            raise LoadError(f"{self.filename}: more than one collection-level description")
        if self.repository is None:
            raise LoadError(f"{self.filename}: no repository to file the collection under")
        fa, repository = self.finding_aid, self.repository
        ead_id = self.ead_id
        if ead_id is None:
            ead_id, warnings = collection_ead_id(fa, self.filename)
            self.result.warnings.extend(warnings)
        # (Imports are serialised from the allocation of the root path onwards: the lock is
        # held to the commit.)
        tree.lock_root_allocation()
        self.collection = self.collection_create(fa, repository, ead_id)
        self.result.collection_id = self.collection.pk
        self.result.ead_id = ead_id
        self.result.repository_id = repository.pk
        self.result.repository_code = repository.code
        self.result.source_version = fa.source_version
        if self.feed_factory is not None:
            self.feed = self.feed_factory(self.collection.pk, repository.pk)
        self.paths = tree.PathAllocator(tree.next_root_path())
        self.root_id = self.add_component_row(unit, depth=1)

    def collection_create(
        self, fa: r.FindingAid, repository: Repository, ead_id: str
    ) -> Collection:
        """The collection row and its revisions.

        The collection's one history entry says who imported it and from where; the
        components are bulk-inserted and get none of their own.
        """
        collection = Collection(
            repository=repository,
            ead_id=ead_id,
            import_job=self.job,
            **collection_fields(fa),
        )
        if self.user is not None and self.user.is_authenticated:
            collection._history_user = self.user  # type: ignore[attr-defined]
        collection._change_reason = clip(  # type: ignore[attr-defined]
            f"Imported from {self.filename}", CHANGE_REASON_LENGTH
        )
        collection.save()
        Revision.objects.bulk_create(
            Revision(
                collection=collection,
                date=clip(rev.date, REVISION_DATE_LENGTH),
                agent=clip(rev.agent, REVISION_AGENT_LENGTH),
                description=rev.description,
                published=rev.published,
                position=i,
            )
            for i, rev in enumerate(fa.revisions)
        )
        return collection

    # ------------------------------------------------------------------ components

    def add_unit(self, unit: r.Unit) -> None:
        if self.collection is None:
            raise LoadError(f"{self.filename}: a component came before the collection")
        self.add_component_row(unit, depth=unit.depth + 1)
        self.result.components += 1
        if len(self.components) >= self.batch_size or self.batch_text >= BATCH_TEXT:
            self.flush_rows(full=True)
            self.report_progress()

    def add_component_row(self, unit: r.Unit, *, depth: int) -> int:
        """Queue the unit's row and its related rows; return its id.

        Long on purpose: it runs once per component and builds the row in the order of
        ``COMPONENT_FIELDS`` with its level, ref, identifier and title rules inline; helpers
        for each would pass a dozen values back and forth per component.
        """
        assert self.paths is not None and self.collection is not None
        if depth > tree.MAX_DEPTH:
            raise LoadError(
                f"{self.filename}: a component is nested {depth - 1} levels below the "
                f"collection; at most {tree.MAX_DEPTH - 1} levels can be imported"
            )
        unit_id = self.component_ids.take()
        self.unit_ids[unit.sequence] = unit_id
        try:
            path = self.paths.allocate(depth)
        except OverflowError:
            raise LoadError(
                f"{self.filename}: a component has more than {tree.MAX_SIBLINGS:,} child "
                "components; no more can be imported under one parent"
            ) from None
        if depth > 1:
            parent = tree.parent_path(path)
            self.child_counts[parent] = self.child_counts.get(parent, 0) + 1
        attributes: dict[str, Any] = {}

        level = unit.level or ""
        other_level = unit.other_level or ""
        if unit.level is None:
            attributes["level_absent"] = True
            level = Level.COLLECTION if depth == 1 else Level.FILE
        elif not level:
            attributes["level"] = ""  # @level="" (present, empty)
            level = Level.COLLECTION if depth == 1 else Level.FILE
        elif level not in LEVELS:
            attributes["level"] = level
            other_level = other_level or level
            level = Level.OTHER
        if len(other_level) > OTHER_LEVEL_LENGTH or unit.other_level == "":
            attributes["other_level"] = unit.other_level if unit.other_level == "" else other_level
            other_level = other_level[:OTHER_LEVEL_LENGTH]

        ref = self.unit_ref(unit, depth, attributes)

        unit_attributes(unit, attributes)
        # The columns of the unit's dates and extents, for add_unit_rows (computed once).
        date_rows = [date_columns(d) for d in unit.dates]
        extent_rows = [extent_columns(e) for e in unit.extents]
        if date_rows:
            sides = [date_side(d, row) for d, row in zip(unit.dates, date_rows, strict=True)]
            if any(sides):  # parallel to the rows by position; absent when all are empty
                attributes["dates"] = sides
        if extent_rows:
            sides = [extent_side(e, row) for e, row in zip(unit.extents, extent_rows, strict=True)]
            if any(sides):
                attributes["extents"] = sides
        title = unit.title
        title_markup = title if "<" in title else ""
        if not title_markup and title != escaped(unit.title_text):
            attributes["title"] = title  # no markup, but whitespace the text lost
        identifier = unit.identifier
        if identifier is None:
            identifier = ""
        elif len(identifier) > IDENTIFIER_LENGTH:
            attributes["identifier"] = identifier
            identifier = identifier[:IDENTIFIER_LENGTH]
        elif not identifier:
            attributes["identifier"] = identifier  # present but empty
        physical_location = unit.physical_location
        if physical_location == "":
            attributes["physical_location"] = ""
        languages = [language_json(lang) for lang in unit.languages] if unit.languages else []
        if self.feed is not None:
            self.feed.unit(
                unit_id, depth, unit.published, level, identifier, unit.title_text, languages
            )
        self.components.add(
            unit_id,
            path,
            depth,
            0,
            self.collection.pk,
            level,
            other_level,
            identifier,
            [other_identifier_json(value, attrs) for value, attrs in unit.other_identifiers]
            if unit.other_identifiers
            else [],
            ref,
            unit.title_text,
            title_markup,
            languages,
            physical_location or "",
            unit.published,
            attributes,
            [extra_json(e) for e in unit.extra] if unit.extra else [],
        )
        self.add_unit_rows(unit_id, unit, (date_rows, extent_rows))
        return unit_id

    def unit_ref(self, unit: r.Unit, depth: int, attributes: dict[str, Any]) -> str:
        """The unit's ref: its @id, made unique; or one made from its position.

        Generated refs are the 1-based sibling positions joined by "-" ("3-12-1"): they start
        with a digit, which an XML ID never does, so they cannot clash with the @id of a later
        component of a valid file (clashes in invalid files are handled like duplicate ids).
        """
        if depth > 1:
            index = depth - 2
            if len(self.positions) > index:
                self.positions[index] += 1
                del self.positions[index + 1 :]
            else:
                self.positions.append(1)
        source = (unit.ref or "").strip()
        if not source and depth == 1:
            return ""  # the collection is addressed by its EAD id
        ref = source or "-".join(map(str, self.positions))
        if not source:
            attributes["ref_generated"] = True
        if len(ref) > REF_LENGTH:
            ref = ref[:REF_CUT]
            attributes["source_ref"] = source
        if ref in self.refs:
            base, n = ref, 2
            while f"{base}-{n}" in self.refs:
                n += 1
            ref = f"{base}-{n}"
            if source:
                attributes["source_ref"] = source
                self.warn(f"id {source!r} is used by more than one component; stored as {ref!r}")
        self.refs.add(ref)
        return ref

    # ------------------------------------------------------------------ related rows

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
        """Rows a unit and its supplement both carry."""
        if notes:
            start = self.numbering("note", unit_id, len(notes), supplement=supplement)
            for i, note in enumerate(notes, start):
                self.add_note(unit_id, note, i)
        if agents:
            start = self.numbering("agent", unit_id, len(agents), supplement=supplement)
            for i, agent in enumerate(agents, start):
                self.add_agent_link(unit_id, agent, i)
        if subjects:
            start = self.numbering("subject", unit_id, len(subjects), supplement=supplement)
            for i, subject in enumerate(subjects, start):
                self.add_subject_link(unit_id, subject, i)
        if digital_objects:
            start = self.numbering("dao", unit_id, len(digital_objects), supplement=supplement)
            for i, dao in enumerate(digital_objects, start):
                self.add_digital_object(unit_id, dao, i)

    def add_note(self, unit_id: int, note: r.Note, position: int) -> None:
        attributes: dict[str, Any] = {"source_position": note.position}
        note_type = note.note_type
        if note_type not in NOTE_TYPES:
            # EAD 2002 <note> directly in a unit has no type of its own: "General" (odd).
            attributes["element"] = note_type
            note_type = NoteType.GENERAL
        if note.attributes:
            attributes["attributes"] = pairs(note.attributes)
        if note.heading_attributes:
            attributes["heading_attributes"] = pairs(note.heading_attributes)
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
        attributes: dict[str, Any] = {}
        for key in ("show", "actuate", "group", "group_description", "object_type"):
            value = getattr(dao, key)
            if value is not None:
                attributes[key] = value
        if dao.extra:
            attributes["attributes"] = pairs(dao.extra)
        if dao.group_attributes:
            attributes["group_attributes"] = pairs(dao.group_attributes)
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
        collection's containers the first time one is named (one pass writes a container,
        its instance and the index feed's text together, hence the length)."""
        if not containers:
            return
        assert self.collection is not None
        groups, warnings = container_groups(containers)
        for warning in warnings:
            self.warn(warning)
        for i, group in enumerate(groups):
            top = group[0]
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
            child = group[1] if len(group) > 1 else None
            grandchild = group[2] if len(group) > 2 else None
            if len(group) > 3:
                self.warn(
                    f"a container instance has {len(group)} levels; the model keeps three, the "
                    f"others are kept for export"
                )
            child_type = clip(child.container_type, CHILD_TYPE_LENGTH) if child else ""
            child_indicator = clip(child.indicator, CHILD_INDICATOR_LENGTH) if child else ""
            grandchild_type = (
                clip(grandchild.container_type, GRANDCHILD_TYPE_LENGTH) if grandchild else ""
            )
            grandchild_indicator = (
                clip(grandchild.indicator, GRANDCHILD_INDICATOR_LENGTH) if grandchild else ""
            )
            published = all(c.published for c in group)
            self.instances.add(
                unit_id,
                container_id,
                child_type,
                child_indicator,
                grandchild_type,
                grandchild_indicator,
                clip(top.label, INSTANCE_TYPE_LENGTH),
                published,
                i,
                {"containers": [container_json(c) for c in group]},
            )
            if published and self.feed is not None:
                self.feed.container(
                    unit_id,
                    *key,
                    child_type,
                    child_indicator,
                    grandchild_type,
                    grandchild_indicator,
                )

    def add_agent_link(self, unit_id: int, link: r.AgentLink, position: int) -> None:
        key = agent_key(link)
        attributes: dict[str, Any] = {}
        for attr in ("normal", "group", "label"):
            value = getattr(link, attr)
            if value is not None:
                attributes[attr] = value
        if link.name_parts:
            attributes["name_parts"] = [list(p) for p in link.name_parts]
        if link.name_markup:
            attributes["name_markup"] = link.name_markup
        if link.origination_attributes:
            attributes["origination_attributes"] = pairs(link.origination_attributes)
        if link.attributes:
            attributes["attributes"] = pairs(link.attributes)
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
        attributes: dict[str, Any] = {}
        for attr in ("group", "normal"):
            value = getattr(link, attr)
            if value is not None:
                attributes[attr] = value
        if link.attributes:
            attributes["attributes"] = pairs(link.attributes)
        if link.term_parts:
            attributes["term_parts"] = [list(p) for p in link.term_parts]
        if link.term_markup:
            attributes["term_markup"] = link.term_markup
        if link.subject_type not in SUBJECT_TYPES:
            attributes["subject_type"] = link.subject_type
        values = [unit_id, None, link.published, position, attributes]
        self.waiting_subjects.append((values, subject_key(link), link))

    # ------------------------------------------------------------------ supplements

    def add_supplement(self, supplement: r.UnitSupplement) -> None:
        """Description of a unit found after its child components (EAD allows it for
        <archdesc>): its rows join the unit's, its headings and extra elements its columns."""
        unit_id = self.unit_ids.get(supplement.sequence)
        if unit_id is None:
            raise LoadError(f"{self.filename}: description for an unknown unit")
        if self.feed is not None:
            self.feed.supplement(unit_id)
        self.add_described(
            unit_id,
            supplement.notes,
            supplement.agents,
            supplement.subjects,
            supplement.digital_objects,
            supplement=True,
        )
        if supplement.extra or supplement.headings or supplement.heading_attributes:
            self.components.write()  # the unit's row may still be waiting in the batch
            self.bulk.drain()
            attributes, unmapped = Component.objects.values_list("attributes", "unmapped").get(
                pk=unit_id
            )
            unmapped = list(unmapped) + [extra_json(e) for e in supplement.extra]
            if supplement.headings:
                attributes["headings"] = attributes.get("headings", []) + [
                    list(h) for h in supplement.headings
                ]
            if supplement.heading_attributes:
                attributes["heading_attributes"] = attributes.get("heading_attributes", []) + [
                    [k, pairs(a)] for k, a in supplement.heading_attributes
                ]
            Component.objects.filter(pk=unit_id).update(unmapped=unmapped, attributes=attributes)

    # ------------------------------------------------------------------ writing

    def flush_rows(self, *, final: bool = False, full: bool = False) -> None:
        """Write buffered rows: everything when ``full`` (the components' batch is full, or
        its notes hold BATCH_TEXT characters) or ``final``, else only the tables that
        reached the batch size on their own (a unit with many notes), after the components'
        rows they refer to."""
        full = full or final or len(self.components) >= self.batch_size
        size = 1 if full else self.batch_size
        if full:
            self.batch_text = 0
        # Rows that wait for shared rows (agents, subjects) get their ids first.
        if len(self.waiting_agents) >= size:
            self.write_agent_links()
        if len(self.waiting_subjects) >= size:
            self.write_subject_links()
        due = [table for table in self.bulk.tables if len(table) >= size]
        if due:
            # Rows refer to components and containers: those go first (foreign keys may be
            # checked per batch, see start_writer).
            for referred in (self.containers, self.components):
                if referred.rows and referred not in due:
                    due.insert(0, referred)
        for table in due:
            table.write()
        if size == 1 and self.feed is not None and self.feed.complete:
            self.write_index_rows(final=final)
        if final:
            result = self.result
            result.indexed = self.feed is not None and self.feed.complete
            result.dates = self.dates.written
            result.extents = self.extents.written
            result.notes = self.notes.written
            result.digital_objects = self.digital_objects.written
            result.container_instances = self.instances.written
            result.containers = self.containers.written
            result.agent_links = self.agent_links.written
            result.subject_links = self.subject_links.written

    def write_index_rows(self, *, final: bool = False) -> None:
        """The search index rows of the units queued since the last batch, after them."""
        assert self.feed is not None
        for warning in self.feed.write(self.bulk.submit, final=final):
            self.warn(warning)

    def write_agent_links(self) -> None:
        waiting, self.waiting_agents = self.waiting_agents, []
        authorities = self.authorities
        authorities.resolve_agents([(key, link) for _, key, link in waiting])
        for values, key, link in waiting:
            agent_id = authorities.agent_ids[key]
            values[1] = agent_id
            name, agent_type, source, authority_id, published = authorities.agents_by_id[agent_id]
            if self.feed is not None:
                self.feed.agent(
                    values[0],
                    agent_id,
                    values[2],
                    name,
                    published and link.published,
                    new=agent_id in authorities.agents_created,
                )
            attributes = values[-1]
            # What the file said that the shared agent does not say, for a faithful export.
            # Exactly as written: the shared agent's name is whitespace-normalised.
            if link.name != name:
                attributes["name"] = link.name
            if link.agent_type != agent_type:
                attributes["agent_type"] = link.agent_type
            keep(attributes, "source", link.source, source)
            keep(attributes, "authority_id", link.authority_id, authority_id)
            self.agent_links.add(*values)

    def write_subject_links(self) -> None:
        waiting, self.waiting_subjects = self.waiting_subjects, []
        authorities = self.authorities
        authorities.resolve_subjects([(key, link) for _, key, link in waiting])
        for values, key, link in waiting:
            subject_id = authorities.subject_ids[key]
            values[1] = subject_id
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
            keep(attributes, "source", link.source, source)
            keep(attributes, "authority_id", link.authority_id, authority_id)
            self.subject_links.add(*values)


__all__ = ["EADLoader", "LoadError", "LoadResult"]
