"""A clean plan (``archive.sheets.plan``) written to the database in bulk.

New components take paths from ``archive.tree`` (after the last child of each existing
parent, in sheet order below it), ids drawn beforehand so that their dates, notes... go in
the same batch, and one INSERT (COPY on PostgreSQL) per batch per table
(``archive.exchange.bulk``); treebeard's ``numchild`` is set from the counts seen. Names and
subjects are matched to the shared rows by ``archive.exchange.authorities`` after a
look-up by text (any type, any vocabulary): an existing one is linked, never duplicated.

The caller owns the transaction, the permission check, the history entry and the search
index (``archive.services.spreadsheets``); nothing here commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from archive import tree
from archive.ead import records as r
from archive.exchange.authorities import Authorities, agent_name_key, subject_key
from archive.exchange.bulk import BATCH_SIZE, BulkTable, IdAllocator, chunks
from archive.exchange.load_types import AuthorityCounts
from archive.models import (
    Agent,
    AgentLink,
    Component,
    Container,
    ContainerInstance,
    DigitalObject,
    Extent,
    Note,
    Subject,
    SubjectLink,
    UnitDate,
)
from archive.sheets.plan import Plan, Unit, Update


class SheetLoadError(Exception):
    """What the plan relied on changed before it was written (the message says what)."""


@dataclass(kw_only=True)
class LoadCounts(AuthorityCounts):
    """What a sheet's load wrote: new units (their ids), updated ones, and the names, subjects
    and boxes it found or made."""

    components: int = 0
    updated: int = 0
    unit_ids: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _note_content(text: str) -> str:
    """Plain text as a note fragment: one paragraph per blank-line-separated block, ``&`` and
    ``<`` kept as text."""
    blocks = [" ".join(b.split()) for b in text.replace("\r", "").split("\n\n")]
    escaped = (
        b.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for b in blocks if b
    )
    return "".join(f"<p>{b}</p>" for b in escaped)


# The columns each table is written with, in the order the loader gives the values (every
# column without a database default is listed).
COMPONENT_FIELDS = """id path depth numchild collection level other_level identifier
    other_identifiers ref title title_markup languages physical_location published attributes
    unmapped"""
DATE_FIELDS = "unit expression begin end date_type certainty calendar era published position"
EXTENT_FIELDS = """unit number extent_type portion container_summary physical_details
    dimensions published position"""
NOTE_FIELDS = "unit note_type heading content ref published position attributes"
INSTANCE_FIELDS = """unit container child_type child_indicator grandchild_type
    grandchild_indicator instance_type published position attributes"""
AGENT_LINK_FIELDS = "unit agent role relator published position attributes"
SUBJECT_LINK_FIELDS = "unit subject published position attributes"
DIGITAL_OBJECT_FIELDS = "unit title link role description published position attributes"


class SheetLoader:
    """Writes one plan into one collection. Use once: ``SheetLoader(...).load(plan)``."""

    def __init__(self, *, collection_id: int) -> None:
        self.collection_id = collection_id
        self.counts = LoadCounts()
        self.authorities = Authorities()
        self.containers: dict[tuple[str, str], int] = {}
        # name -> the agent type it is stored under; (term, type) -> its subject key
        self.agent_types: dict[str, str] = {}
        self.subject_keys: dict[tuple[str, str], tuple[str, str, str]] = {}
        self.ids = IdAllocator(Component, BATCH_SIZE)
        self.components = BulkTable(Component, COMPONENT_FIELDS.split())
        self.dates = BulkTable(UnitDate, DATE_FIELDS.split())
        self.extents = BulkTable(Extent, EXTENT_FIELDS.split())
        self.notes = BulkTable(Note, NOTE_FIELDS.split())
        self.instances = BulkTable(ContainerInstance, INSTANCE_FIELDS.split())
        self.agent_links = BulkTable(AgentLink, AGENT_LINK_FIELDS.split())
        self.subject_links = BulkTable(SubjectLink, SUBJECT_LINK_FIELDS.split())
        self.digital_objects = BulkTable(DigitalObject, DIGITAL_OBJECT_FIELDS.split())
        # Components first: the other tables refer to them.
        self.tables = [
            self.components,
            self.dates,
            self.extents,
            self.notes,
            self.instances,
            self.agent_links,
            self.subject_links,
            self.digital_objects,
        ]

    # ------------------------------------------------------------------ entry point

    def load(self, plan: Plan) -> LoadCounts:
        """Write the plan's new units and updates (the plan must be clean)."""
        assert plan.clean, "a plan with problems is never loaded"
        self._authorities_resolve([*plan.units, *(u.unit for u in plan.updates)])
        self._containers_resolve([*plan.units, *(u.unit for u in plan.updates)])
        if plan.units:
            self._units_write(plan.units)
        for update in plan.updates:
            self._update_apply(update)
        self.counts.updated = len(plan.updates)
        return self.counts

    # ------------------------------------------------------------------ shared rows

    def _authorities_resolve(self, units: list[Unit]) -> None:
        """Give every name and subject of the sheet the id of its shared row.

        A name is first looked for as written, ignoring its type (a "Creator" cell naming an
        existing corporate body links that body); only names found nowhere are created,
        with the type of their column. Subjects likewise ignore the vocabulary.
        """
        names = sorted({name for unit in units for name, _, _ in unit.agents})
        known_types: dict[str, str] = {}
        for chunk in chunks(names, 500):
            for name, agent_type in (
                Agent.objects.filter(authorized_name__in=chunk)
                .order_by("pk")
                .values_list("authorized_name", "agent_type")
            ):
                known_types.setdefault(name, agent_type)
        column_types: dict[str, set[str]] = defaultdict(set)
        for unit in units:
            for name, _, agent_type in unit.agents:
                column_types[name].add(agent_type)
        wanted_agents = []
        for name in names:
            agent_type = known_types.get(name) or sorted(column_types[name])[0]
            link = r.AgentLink(name=name, agent_type=agent_type)
            wanted_agents.append((agent_name_key(link), link))
        self.authorities.resolve_agents(wanted_agents)
        self.agent_types = {name: key[2] for key, link in wanted_agents for name in [link.name]}
        self.counts.agents_created = len(self.authorities.agents_created)
        self.counts.agents_matched = len(names) - self.counts.agents_created

        terms = {(term, kind) for unit in units for term, kind in unit.subjects}
        sources: dict[tuple[str, str], str] = {}
        for chunk in chunks(sorted({t for t, _ in terms}), 500):
            for term, kind, source in (
                Subject.objects.filter(term__in=chunk)
                .order_by("pk")
                .values_list("term", "subject_type", "source")
            ):
                sources.setdefault((term, kind), source)
        wanted_subjects = []
        for term, kind in sorted(terms):
            subject = r.SubjectLink(term=term, subject_type=kind, source=sources.get((term, kind)))
            key = subject_key(subject)
            self.subject_keys[term, kind] = key
            wanted_subjects.append((key, subject))
        self.authorities.resolve_subjects(wanted_subjects)
        self.counts.subjects_created = self.authorities.subjects_created
        self.counts.subjects_matched = len(terms) - self.authorities.subjects_created

    def _containers_resolve(self, units: list[Unit]) -> None:
        """The ids of the boxes the sheet names, creating the missing ones (with barcodes)."""
        wanted: dict[tuple[str, str], str] = {}
        for unit in units:
            if unit.container:
                container_type, box, _, barcode = unit.container
                if barcode or (container_type, box) not in wanted:
                    wanted[container_type, box] = barcode or wanted.get((container_type, box), "")
        if not wanted:
            return
        condition = Q()
        for container_type, box in wanted:
            condition |= Q(container_type=container_type, indicator=box)
        existing = Container.objects.filter(collection_id=self.collection_id).filter(condition)
        for pk, container_type, box, barcode in existing.values_list(
            "pk", "container_type", "indicator", "barcode"
        ):
            self.containers[container_type, box] = pk
            given = wanted[container_type, box]
            if given and not barcode:
                Container.objects.filter(pk=pk).update(barcode=given)
            elif given and given != barcode:
                self.counts.warnings.append(
                    f"{container_type.capitalize()} {box} already has the barcode {barcode}; "
                    f"the sheet's {given} was not used"
                )
        new = [
            Container(collection_id=self.collection_id, container_type=t, indicator=b, barcode=code)
            for (t, b), code in wanted.items()
            if (t, b) not in self.containers
        ]
        Container.objects.bulk_create(new)
        for container in new:
            self.containers[container.container_type, container.indicator] = container.pk
        self.counts.containers_created = len(new)

    # ------------------------------------------------------------------ new units

    def _units_write(self, units: list[Unit]) -> None:
        parents = self._parent_paths(units)
        next_step: dict[str, int] = {}  # parent path -> the next child position
        paths: list[str] = []
        new_children: dict[str, int] = defaultdict(int)
        for unit in units:
            if unit.parent_index is not None:
                parent_path = paths[unit.parent_index]
            else:
                assert unit.parent_id is not None
                parent_path = parents[unit.parent_id]
            if parent_path not in next_step:
                # (a new unit has no children yet; an existing one continues after its last)
                existing = unit.parent_index is None
                next_step[parent_path] = self._first_free_step(parent_path) if existing else 1
            position = next_step[parent_path]
            next_step[parent_path] = position + 1
            paths.append(parent_path + tree.encode_step(position))
            new_children[parent_path] += 1
        unit_ids: list[int] = []
        for unit, path in zip(units, paths, strict=True):
            unit_id = self.ids.take()
            unit_ids.append(unit_id)
            self._unit_rows(unit, unit_id, path, new_children.get(path, 0))
            if len(self.components) >= BATCH_SIZE:
                self._flush()
        self._flush()
        by_path = {path: pk for pk, path in parents.items()}
        for path, n in new_children.items():
            if path in by_path:  # an existing parent: its count grows
                tree.adjust_numchild(by_path[path], n)
        self.counts.components = len(units)
        self.counts.unit_ids = unit_ids

    def _parent_paths(self, units: list[Unit]) -> dict[int, str]:
        """Path of each existing component the new units go under (rows locked, so two
        imports into one parent queue rather than take the same paths)."""
        ids = sorted({u.parent_id for u in units if u.parent_index is None and u.parent_id})
        found = dict(
            Component.objects.select_for_update()
            .filter(pk__in=ids, collection_id=self.collection_id)
            .values_list("pk", "path")
        )
        if len(found) != len(ids):
            raise SheetLoadError(
                "a component the sheet adds rows under was deleted or moved meanwhile; "
                "upload the sheet again"
            )
        return found

    def _first_free_step(self, parent_path: str) -> int:
        last = (
            Component.objects.filter(
                collection_id=self.collection_id,
                depth=len(parent_path) // tree.STEPLEN + 1,
                path__startswith=parent_path,
            )
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        return tree.decode_step(last[len(parent_path) :]) + 1 if last else 1

    def _unit_rows(self, unit: Unit, unit_id: int, path: str, numchild: int) -> None:
        """Queue the rows of one new unit (its component, dates, notes, links...)."""
        ref = unit.ref or f"fonds{unit_id}"
        self.components.add(
            unit_id,
            path,
            len(path) // tree.STEPLEN,
            numchild,
            self.collection_id,
            unit.level,
            unit.other_level,
            unit.identifier,
            [],
            ref,
            unit.title,
            "",
            [],
            "",
            unit.published,
            {},
            [],
        )
        self._parts_rows(unit, unit_id)

    def _parts_rows(self, unit: Unit, unit_id: int) -> None:
        if unit.date:
            expression, begin, end, date_type = unit.date
            self.dates.add(unit_id, expression, begin, end, date_type, "", "", "", True, 0)
        if unit.extent:
            number, extent_type = unit.extent
            self.extents.add(unit_id, number, extent_type, "whole", "", "", "", True, 0)
        for position, (note_type, text) in enumerate(unit.notes):
            self.notes.add(unit_id, note_type, "", _note_content(text), "", True, position, {})
        if unit.container:
            container_type, box, folder, _ = unit.container
            container = self.containers[container_type, box]
            self.instances.add(
                unit_id, container, "folder" if folder else "", folder, "", "", "", True, 0, {}
            )
        for position, (name, role, _) in enumerate(unit.agents):
            key = agent_name_key(r.AgentLink(name=name, agent_type=self.agent_types[name]))
            agent_id = self.authorities.agent_ids[key]
            self.agent_links.add(unit_id, agent_id, role, "", True, position, {})
        for position, (term, kind) in enumerate(unit.subjects):
            subject_id = self.authorities.subject_ids[self.subject_keys[term, kind]]
            self.subject_links.add(unit_id, subject_id, True, position, {})
        if unit.digital_url:
            self.digital_objects.add(unit_id, "", unit.digital_url, "", "", True, 0, {})

    def _flush(self) -> None:
        for table in self.tables:
            table.write()

    # ------------------------------------------------------------------ updates

    def _update_apply(self, update: Update) -> None:
        """Change one existing component as its row says (only the columns that changed)."""
        unit, pk = update.unit, update.unit_id
        changed = {label for label, _, _ in update.changes}
        fields: dict[str, Any] = {}
        if "Level" in changed:
            fields.update(level=unit.level, other_level=unit.other_level)
        if "Title" in changed:
            fields.update(title=unit.title, title_markup="")
        if "Identifier" in changed:
            fields["identifier"] = unit.identifier
        if "Published" in changed:
            fields["published"] = unit.published
        if fields:
            Component.objects.filter(pk=pk).update(**fields)
        part = dict.fromkeys(
            ("date", "extent", "container", "scope", "access", "digital", "creators", "names")
            + tuple(_SUBJECT_TYPES),
            False,
        )
        for label in changed:
            for name, labels in _PART_LABELS.items():
                if label in labels:
                    part[name] = True
        self._parts_replace(unit, pk, part)

    def _parts_replace(self, unit: Unit, pk: int, part: dict[str, bool]) -> None:
        """Replace the first date, extent, container instance, digital object, or the
        scope and access notes, of a component, for each part that changed."""
        firsts = (
            ("date", UnitDate, self.dates),
            ("extent", Extent, self.extents),
            ("container", ContainerInstance, self.instances),
            ("digital", DigitalObject, self.digital_objects),
        )
        for name, model, _ in firsts:
            if part[name]:
                first = (
                    model._default_manager.filter(unit_id=pk)
                    .order_by("position", "id")
                    .values_list("pk", flat=True)
                    .first()
                )
                if first is not None:
                    model._default_manager.filter(pk=first).delete()
        replaced_notes = [
            t for n, t in (("scope", "scopecontent"), ("access", "accessrestrict")) if part[n]
        ]
        if replaced_notes:
            Note.objects.filter(unit_id=pk, note_type__in=replaced_notes).delete()
        subset = Unit(row=unit.row, index=0, parent_index=None, parent_id=None, depth=0)
        subset.date = unit.date if part["date"] else None
        subset.extent = unit.extent if part["extent"] else None
        subset.container = unit.container if part["container"] else None
        subset.digital_url = unit.digital_url if part["digital"] else ""
        subset.notes = [(t, text) for t, text in unit.notes if t in replaced_notes]
        subset.agents, subset.subjects = self._links_replace(unit, pk, part)
        self._parts_rows(subset, pk)
        self._flush()

    def _links_replace(
        self, unit: Unit, pk: int, part: dict[str, bool]
    ) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
        """Remove the links of each name or subject column that changed; return the links
        to add in their place (the row's names and terms of those columns)."""
        agents: list[tuple[str, str, str]] = []
        if part["creators"]:
            AgentLink.objects.filter(unit_id=pk, role="creator").delete()
            agents += [a for a in unit.agents if a[1] == "creator"]
        if part["names"]:
            AgentLink.objects.filter(unit_id=pk, role="subject").delete()
            agents += [a for a in unit.agents if a[1] == "subject"]
        kinds = [kind for kind in _SUBJECT_TYPES if part[kind]]
        if kinds:
            SubjectLink.objects.filter(unit_id=pk, subject__subject_type__in=kinds).delete()
        return agents, [s for s in unit.subjects if s[1] in kinds]


# Subject types a sheet has a column for.
_SUBJECT_TYPES = ("topical", "geographic", "genre_form")

_PART_LABELS = {
    "date": {"Date", "Begin", "End", "Date type"},
    "extent": {"Extent"},
    "container": {"Container type", "Box", "Folder", "Barcode"},
    "scope": {"Scope and content"},
    "access": {"Access restrictions"},
    "digital": {"Digital object URL"},
    "creators": {"Creator", "Creator (organization)"},
    "names": {"Name as subject"},
    "topical": {"Subject"},
    "geographic": {"Place"},
    "genre_form": {"Genre/form"},
}
