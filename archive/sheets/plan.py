"""Rows of a sheet to planned units, with every problem found before anything is saved.

:func:`sheet_plan` reads the collection only to resolve parents and machine ids (a few
queries for the whole sheet). It checks every cell and lists each problem with the sheet,
row, column and a fix ("row 212, column End: 1993-02-30 is not a date; write YYYY, YYYY-MM
or YYYY-MM-DD"), so a sheet can be corrected in one pass.

Hierarchy: a row goes under the row or component its Parent names (an Identifier or
Machine id of a row above it, or of a component of the collection); without a Parent, under
the nearest row above it whose Level is indented less, when the sheet indents Levels; else
under the component chosen for the import (the collection's top by default).

A row whose Machine id is that of a component of the collection updates that component
(:class:`Update`, each change as field, old value, new value) instead of adding one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from archive import links, tree
from archive.models import Component, Level, UnitDate
from archive.sheets.columns import (
    BY_KEY,
    CONTAINER_TYPES,
    DATE_TYPE_VALUES,
    LEVEL_CHOICES,
    LEVEL_VALUES,
    LINK_COLUMNS,
    SEPARATOR,
    header_key,
)
from archive.sheets.reading import Row, Sheet

IDENTIFIER_LENGTH = 255
EXPRESSION_LENGTH = 255
INDICATOR_LENGTH = 64
NAME_LENGTH = 500
URL_LENGTH = 2000
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_REF = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_EXTENT = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(.*)$")
_YES = {"yes", "y", "true", "1", "x", "published", "public"}
_NO = {"no", "n", "false", "0", "draft", "unpublished", ""}
_CONTAINER_TYPES = {header_key(t): t.lower() for t in CONTAINER_TYPES}


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}, row {self.row}" if self.row else self.sheet
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


@dataclass
class Unit:
    """A component the sheet adds: its row, where it goes, and what it holds."""

    row: int
    index: int  # its place among the plan's new units (document order)
    parent_index: int | None  # the new unit it goes under, or None: under ``parent_id``
    parent_id: int | None  # the existing component it goes under (with parent_index None)
    depth: int
    level: str = Level.FILE
    other_level: str = ""
    title: str = ""
    identifier: str = ""
    ref: str = ""
    date: tuple[str, str, str, str] | None = None  # expression, begin, end, type
    extent: tuple[str, str] | None = None  # number, unit
    container: tuple[str, str, str, str] | None = None  # type, box, folder, barcode
    notes: list[tuple[str, str]] = field(default_factory=list)  # (note type, text)
    agents: list[tuple[str, str, str]] = field(default_factory=list)  # name, role, new type
    subjects: list[tuple[str, str]] = field(default_factory=list)  # term, subject type
    # column key -> the names or terms of that column, in order (for updates)
    names: dict[str, list[str]] = field(default_factory=dict)
    digital_url: str = ""
    published: bool = False


@dataclass
class Update:
    """An existing component a row changes: (field label, old, new) for each change."""

    row: int
    unit_id: int
    ref: str
    title: str
    changes: list[tuple[str, str, str]]
    unit: Unit  # the row's values, as a new unit would have them


@dataclass
class Plan:
    sheet: str
    units: list[Unit] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems


# --------------------------------------------------------------------------- cell checks


def iso_date(text: str) -> str | None:
    """The text when it is a real ISO 8601 date (YYYY, YYYY-MM, YYYY-MM-DD), else None."""
    match = _ISO.match(text)
    if not match:
        return None
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return text


class _Row:
    """One row's cells with the problem list at hand."""

    def __init__(self, row: Row, plan: Plan) -> None:
        self.row = row
        self.plan = plan

    def get(self, key: str) -> str:
        return self.row.cells.get(key, "")

    def problem(self, key: str, message: str) -> None:
        self.plan.problems.append(
            Problem(self.plan.sheet, self.row.number, BY_KEY[key].header, message)
        )

    def text(self, key: str, limit: int | None = None) -> str:
        value = self.get(key)
        found = _NOT_XML.search(value)
        if found:
            self.problem(
                key,
                f"holds the invisible character U+{ord(found.group()):04X} at position "
                f"{found.start() + 1}, which cannot be exported; delete it",
            )
        if limit is not None and len(value) > limit:
            self.problem(key, f"is {len(value)} characters long; shorten it to {limit}")
            value = value[:limit]
        return value


def _level(cells: _Row) -> tuple[str, str]:
    text = cells.get("level").strip()
    if not text:
        return Level.FILE, ""
    value = LEVEL_VALUES.get(header_key(text))
    if value is None:
        cells.problem("level", f"{text!r} is not a level; use one of {', '.join(LEVEL_CHOICES)}")
        return Level.FILE, ""
    return value, ""


def _date(cells: _Row) -> tuple[str, str, str, str] | None:
    expression = cells.text("date", EXPRESSION_LENGTH)
    begin, end = cells.get("begin"), cells.get("end")
    for key, value in (("begin", begin), ("end", end)):
        if value and iso_date(value) is None:
            cells.problem(key, f"{value} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD")
    if begin and end and iso_date(begin) and iso_date(end) and end < begin[: len(end)]:
        cells.problem("end", f"{end} is before Begin {begin}; swap them or correct one")
    type_text = cells.get("date_type")
    date_type = UnitDate.DateType.INCLUSIVE.value
    if type_text:
        found = DATE_TYPE_VALUES.get(header_key(type_text))
        if found is None:
            cells.problem(
                "date_type", f"{type_text!r} is not a date type; use Inclusive, Bulk or Single"
            )
        else:
            date_type = found
    if not (expression or begin or end):
        if type_text and header_key(type_text) in DATE_TYPE_VALUES:
            cells.problem("date_type", "a Date type needs a Date, Begin or End")
        return None
    return expression, begin, end, date_type


def _extent(cells: _Row) -> tuple[str, str] | None:
    text = cells.text("extent")
    if not text:
        return None
    match = _EXTENT.match(text)
    if not match or not match.group(2):
        cells.problem(
            "extent", f"{text!r} is not an extent; write a number and a unit, e.g. 3 folders"
        )
        return None
    return match.group(1).replace(",", "."), match.group(2).strip()[:128]


def _container(cells: _Row) -> tuple[str, str, str, str] | None:
    box = cells.text("box", INDICATOR_LENGTH)
    folder = cells.text("folder", INDICATOR_LENGTH)
    barcode = cells.text("barcode", INDICATOR_LENGTH)
    type_text = cells.get("container_type")
    container_type = "box"
    if type_text:
        found = _CONTAINER_TYPES.get(header_key(type_text))
        if found is None:
            cells.problem(
                "container_type",
                f"{type_text!r} is not a container type; use one of {', '.join(CONTAINER_TYPES)}",
            )
        else:
            container_type = found
    if not box:
        if folder:
            cells.problem("folder", "a Folder needs a Box; fill in the Box it is in")
        if barcode:
            cells.problem("barcode", "a Barcode belongs to a Box; fill in the Box number")
        return None
    return container_type, box, folder, barcode


def _published(cells: _Row) -> bool:
    text = cells.get("published").strip().casefold()
    if text in _YES:
        return True
    if text not in _NO:
        cells.problem("published", f"{cells.get('published')!r} is not Yes or No")
    return False


def _links(cells: _Row, unit: Unit) -> None:
    agents: list[tuple[str, str, str]] = []
    subjects: list[tuple[str, str]] = []
    for key, (kind, role, agent_type) in LINK_COLUMNS.items():
        text = cells.text(key)
        column = unit.names.setdefault(key, [])
        for part in text.split(SEPARATOR):
            name = " ".join(part.split())
            if not name:
                continue
            if len(name) > NAME_LENGTH:
                cells.problem(
                    key, f"a name is {len(name)} characters long; shorten it to {NAME_LENGTH}"
                )
                continue
            column.append(name)
            if kind == "agent":
                agents.append((name, role, agent_type))
            else:
                subjects.append((name, role))
    unit.agents, unit.subjects = agents, subjects


def _digital(cells: _Row) -> str:
    url = cells.text("digital_url", URL_LENGTH)
    if url and links.safe_link(url) is None:
        cells.problem(
            "digital_url",
            f"{url!r} is not a web address; write a full address starting with https://",
        )
        return ""
    return links.normalise_url(url)


def unit_from_row(row: Row, plan: Plan, *, index: int) -> Unit:
    """The unit a row describes (hierarchy left to :func:`sheet_plan`); problems go to
    ``plan``."""
    cells = _Row(row, plan)
    level, other_level = _level(cells)
    unit = Unit(row=row.number, index=index, parent_index=None, parent_id=None, depth=0)
    unit.level, unit.other_level = level, other_level
    unit.title = " ".join(cells.text("title").split())
    unit.identifier = cells.text("identifier", IDENTIFIER_LENGTH)
    unit.ref = cells.text("ref", 255)
    unit.date = _date(cells)
    if not unit.title and unit.date is None:
        cells.problem("title", "a row needs a Title (or at least a Date); fill one in")
    unit.extent = _extent(cells)
    unit.container = _container(cells)
    for key, note_type in (("scope", "scopecontent"), ("access", "accessrestrict")):
        text = cells.text(key)
        if text:
            unit.notes.append((note_type, text))
    _links(cells, unit)
    unit.digital_url = _digital(cells)
    unit.published = _published(cells)
    return unit


# --------------------------------------------------------------------------- the plan


@dataclass
class _Existing:
    """The collection's components a sheet refers to (by machine id or identifier)."""

    by_ref: dict[str, tuple[int, int, str]]  # ref -> (id, depth, identifier)
    by_identifier: dict[str, list[tuple[int, int]]]  # identifier -> [(id, depth)]


def _existing(collection_id: int, rows: list[Row]) -> _Existing:
    wanted = sorted(
        {v for row in rows for v in (row.cells.get("parent", ""), row.cells.get("ref", "")) if v}
    )
    found = _Existing({}, {})
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for pk, depth, ref, identifier in Component.objects.filter(
            collection_id=collection_id, ref__in=chunk
        ).values_list("pk", "depth", "ref", "identifier"):
            found.by_ref[ref] = (pk, depth, identifier)
        for pk, depth, identifier in Component.objects.filter(
            collection_id=collection_id, identifier__in=chunk
        ).values_list("pk", "depth", "identifier"):
            found.by_identifier.setdefault(identifier, []).append((pk, depth))
    return found


def sheet_plan(sheet: Sheet, *, collection_id: int, under: Component) -> Plan:
    """Check every row of ``sheet`` and plan the units it adds under ``under`` (a component of
    the collection ``collection_id``) and the components it updates.

    Cost: a few queries for the whole sheet (parents and machine ids by batches of 500).
    """
    plan = Plan(sheet=sheet.name, warnings=list(sheet.warnings))
    existing = _existing(collection_id, sheet.rows)
    indented = any(row.indent for row in sheet.rows)
    # Rows met so far: machine id / identifier -> new unit index (None: ambiguous)
    by_ref: dict[str, int] = {}
    by_identifier: dict[str, int | None] = {}
    stack: list[tuple[int, int]] = []  # (indent, unit index) of open rows, for indentation
    refs_seen: set[str] = set()
    updating: list[tuple[Unit, int]] = []
    for row in sheet.rows:
        unit = unit_from_row(row, plan, index=len(plan.units))
        cells = _Row(row, plan)
        if unit.ref and unit.ref in existing.by_ref:
            if unit.ref in refs_seen:
                cells.problem("ref", f"{unit.ref} is on an earlier row too; machine ids are unique")
            refs_seen.add(unit.ref)
            updating.append((unit, existing.by_ref[unit.ref][0]))
            continue
        if unit.ref:
            if not _REF.match(unit.ref):
                cells.problem(
                    "ref",
                    f"{unit.ref!r} cannot be a machine id (letters, digits, "
                    "'.', '-' and '_', starting with a letter); leave it empty",
                )
            elif unit.ref in refs_seen:
                cells.problem("ref", f"{unit.ref} is on an earlier row too; machine ids are unique")
            refs_seen.add(unit.ref)
        _place(unit, row, cells, plan, existing, by_ref, by_identifier, stack, indented, under)
        if unit.ref:
            by_ref[unit.ref] = unit.index
        if unit.identifier:
            by_identifier[unit.identifier] = (
                None if unit.identifier in by_identifier else unit.index
            )
        plan.units.append(unit)
    _updates_plan(plan, updating, set(sheet.keys))
    return plan


def _place(
    unit: Unit,
    row: Row,
    cells: _Row,
    plan: Plan,
    existing: _Existing,
    by_ref: dict[str, int],
    by_identifier: dict[str, int | None],
    stack: list[tuple[int, int]],
    indented: bool,
    under: Component,
) -> None:
    """Set the unit's parent and depth (Parent, else indentation, else ``under``)."""
    parent = cells.get("parent")
    unit.parent_id, unit.depth = under.pk, under.depth + 1
    if parent:
        _parent_named(unit, parent, cells, plan, existing, by_ref, by_identifier)
    elif indented:
        while stack and stack[-1][0] >= row.indent:
            stack.pop()
        if stack:
            above = plan.units[stack[-1][1]]
            unit.parent_index, unit.parent_id, unit.depth = above.index, None, above.depth + 1
    if indented:
        while stack and stack[-1][0] >= row.indent:
            stack.pop()
        stack.append((row.indent, unit.index))
    if unit.depth > tree.MAX_DEPTH:
        cells.problem(
            "parent",
            f"this row would sit {unit.depth - 1} levels below the "
            f"collection; at most {tree.MAX_DEPTH - 1} are possible",
        )


def _parent_named(
    unit: Unit,
    parent: str,
    cells: _Row,
    plan: Plan,
    existing: _Existing,
    by_ref: dict[str, int],
    by_identifier: dict[str, int | None],
) -> None:
    if parent in by_ref or by_identifier.get(parent) is not None:
        index = by_ref[parent] if parent in by_ref else by_identifier[parent]
        assert index is not None
        above = plan.units[index]
        unit.parent_index, unit.parent_id, unit.depth = index, None, above.depth + 1
        return
    if parent in by_identifier:
        cells.problem(
            "parent",
            f"several rows above have the Identifier {parent}; give them "
            "different Identifiers or use a Machine id",
        )
        return
    if parent in existing.by_ref:
        pk, depth, _ = existing.by_ref[parent]
        unit.parent_id, unit.depth = pk, depth + 1
        return
    matches = existing.by_identifier.get(parent, [])
    if len(matches) == 1:
        unit.parent_id, unit.depth = matches[0][0], matches[0][1] + 1
    elif matches:
        cells.problem(
            "parent",
            f"{len(matches)} components of the collection have the "
            f"Identifier {parent}; use the Machine id of the one you mean",
        )
    else:
        cells.problem(
            "parent",
            f"no row above and no component of the collection has the "
            f"Identifier or Machine id {parent}; check it, or move its row above",
        )


# --------------------------------------------------------------------------- updates


def _updates_plan(plan: Plan, updating: list[tuple[Unit, int]], keys: set[str]) -> None:
    """Compare each updating row with the component it names, on the columns the sheet
    has (a column left out of the sheet changes nothing); record what would change."""
    from archive.sheets.export import unit_values  # (what an export writes is compared)

    for start in range(0, len(updating), 500):
        batch = updating[start : start + 500]
        current_values = unit_values([unit_id for _, unit_id in batch])
        for unit, unit_id in batch:
            current = current_values[unit_id]
            changes = [
                (label, current.get(key, ""), value)
                for key, label, value in row_values(unit)
                if key in keys and value != current.get(key, "")
            ]
            if not changes:
                plan.unchanged += 1
                continue
            plan.updates.append(
                Update(
                    row=unit.row,
                    unit_id=unit_id,
                    ref=unit.ref,
                    title=unit.title or current.get("title", ""),
                    changes=changes,
                    unit=unit,
                )
            )


def row_values(unit: Unit) -> Iterable[tuple[str, str, str]]:
    """(column key, header, text) of the columns an update compares and changes."""
    date = unit.date or ("", "", "", UnitDate.DateType.INCLUSIVE.value)
    container = unit.container or ("", "", "", "")
    date_types = dict(UnitDate.DateType.choices)
    level_labels = dict(Level.choices)
    values = {
        "level": level_labels.get(unit.level, unit.level),
        "title": unit.title,
        "identifier": unit.identifier,
        "date": date[0],
        "begin": date[1],
        "end": date[2],
        "date_type": date_types[date[3]] if unit.date else "",
        "extent": " ".join(unit.extent) if unit.extent else "",
        "container_type": container[0].capitalize() if unit.container else "",
        "box": container[1],
        "folder": container[2],
        "barcode": container[3],
        "scope": "\n\n".join(t for k, t in unit.notes if k == "scopecontent"),
        "access": "\n\n".join(t for k, t in unit.notes if k == "accessrestrict"),
        "digital_url": unit.digital_url,
        "published": "Yes" if unit.published else "No",
    }
    for key in LINK_COLUMNS:
        values[key] = f"{SEPARATOR} ".join(unit.names.get(key, []))
    for key, text in values.items():
        yield key, BY_KEY[key].header, text
