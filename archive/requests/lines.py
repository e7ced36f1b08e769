"""A researcher's request list: which units it holds (in the session) and how it reads,
grouped by container.

Only public components below a collection's root may be added (``archive.visibility``); the
list is checked again whenever it is read, so a unit unpublished after it was added drops out
instead of showing. Units shelved in the same container make one line: 40 folders in Box 3
are one line for Box 3 listing the folders, because the reading room fetches boxes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Prefetch

from archive import conf, tree
from archive.ead.markup import fragment_plain_text
from archive.models import Collection, Component, Container, ContainerInstance, Note, Repository
from archive.visibility import (
    public_container_instances,
    public_dates,
    public_fragment,
    public_items,
    public_units,
)

#: Where the list lives in the session: the primary keys of the units, in the order added.
SESSION_KEY = "fonds_request_list"

ACCESS_NOTE = "accessrestrict"


class RequestRefused(Exception):
    """A change to the request list or a submission that cannot be made; the message says why
    in words a researcher can act on."""


@dataclass
class RequestedUnit:
    """One unit on the list, with its place in its container and its access notes."""

    unit: Component
    folder: str
    access_notes: list[Note] = field(default_factory=list)

    @property
    def access_text(self) -> str:
        """The public text of the access notes, for email and CSV."""
        return " ".join(
            fragment_plain_text(public_fragment(n.content)).strip() for n in self.access_notes
        ).strip()


@dataclass
class RequestLine:
    """What the reading room fetches: one container (or one unit shelved in none)."""

    repository: Repository
    collection: Collection
    container: Container | None
    units: list[RequestedUnit]

    @property
    def container_text(self) -> str:
        return str(self.container) if self.container is not None else ""

    @property
    def has_access_note(self) -> bool:
        """Whether any unit of the line carries an access note (restricted material is
        marked by its note, shown as written: the note says what the conditions are)."""
        return any(u.access_notes for u in self.units)


# ------------------------------------------------------------------------- the session list


def list_ids(session: SessionBase) -> list[int]:
    """The ids on the list, as stored (never trusted: :func:`request_lines` checks them)."""
    raw = session.get(SESSION_KEY, [])
    return [i for i in raw if isinstance(i, int)] if isinstance(raw, list) else []


def requestable_unit(unit_id: int) -> Component | None:
    """The unit if the public may request it: public, and below a collection's root."""
    return (
        public_units(Component.objects.filter(pk=unit_id, depth__gt=1))
        .select_related("collection__repository")
        .first()
    )


def request_list_add(session: SessionBase, *, unit_id: int) -> Component:
    """Add one unit to the list; refuse a unit the public cannot see, or a full list."""
    unit = requestable_unit(unit_id)
    if unit is None:
        raise RequestRefused("This material cannot be requested.")
    ids = list_ids(session)
    if unit.pk not in ids:
        if len(ids) >= conf.request_max_items():
            raise RequestRefused(
                f"A request holds at most {conf.request_max_items()} items: submit this one "
                "first, or remove some."
            )
        session[SESSION_KEY] = [*ids, unit.pk]
    return unit


def request_list_remove(session: SessionBase, *, unit_id: int) -> None:
    session[SESSION_KEY] = [i for i in list_ids(session) if i != unit_id]


def request_list_clear(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)


# ------------------------------------------------------------------------------ reading it


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key putting "Folder 2" before "Folder 10"."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    )


def _folder(instance: ContainerInstance | None) -> str:
    """ "Folder 12" (and "Item 3"), the unit's place inside its container."""
    if instance is None:
        return ""
    parts = []
    if instance.child_indicator:
        parts.append(f"{(instance.child_type or 'folder').title()} {instance.child_indicator}")
    if instance.grandchild_indicator:
        kind = (instance.grandchild_type or "item").title()
        parts.append(f"{kind} {instance.grandchild_indicator}")
    return ", ".join(parts)


def _access_notes(units: Sequence[Component]) -> dict[int, list[Note]]:
    """Each unit's public access notes: its own, else those of its nearest ancestor that has
    some, as the unit pages show them (one query for the whole list)."""
    paths = {p for u in units for p in (u.path, *tree.ancestor_paths(u.path))}
    by_path: dict[str, list[Note]] = {}
    notes = (
        Note.objects.filter(unit__path__in=paths, note_type=ACCESS_NOTE, published=True)
        .select_related("unit")
        .only("content", "heading", "note_type", "unit__path")
        .order_by("position", "id")
    )
    for note in notes:
        by_path.setdefault(note.unit.path, []).append(note)
    found: dict[int, list[Note]] = {}
    for unit in units:
        for path in (unit.path, *reversed(tree.ancestor_paths(unit.path))):
            if path in by_path:
                found[unit.pk] = by_path[path]
                break
    return found


def request_lines(unit_ids: Iterable[int]) -> list[RequestLine]:
    """The list as the reading room reads it: one line per container, in shelf order.

    Only public units are read. A unit filed in several containers is listed under its first
    public one; a unit in none makes a line of its own. Lines are ordered by repository,
    collection and container (Box 2 before Box 10), units within a line by folder.
    Costs five queries whatever the list's length.
    """
    ids = list(dict.fromkeys(unit_ids))
    if not ids:
        return []
    units = list(
        public_units(Component.objects.filter(pk__in=ids, depth__gt=1))
        .select_related("collection__repository")
        .prefetch_related(
            Prefetch("dates", queryset=public_dates()),
            Prefetch(
                "container_instances",
                queryset=public_container_instances().select_related("container"),
            ),
        )
    )
    roots = Component.objects.filter(
        collection_id__in={u.collection_id for u in units}, depth=1
    ).prefetch_related(Prefetch("dates", queryset=public_dates()))
    root_of = {r.collection_id: r for r in roots}
    access = _access_notes(units)
    lines: dict[tuple[object, ...], RequestLine] = {}
    for unit in units:
        collection = unit.collection
        if collection.pk in root_of:
            collection.__dict__["root"] = root_of[collection.pk]
        placed = public_items(unit.container_instances.all())
        first = placed[0] if placed else None
        key: tuple[object, ...] = ("box", first.container_id) if first else ("unit", unit.pk)
        line = lines.get(key)
        if line is None:
            line = lines[key] = RequestLine(
                repository=collection.repository,
                collection=collection,
                container=first.container if first else None,
                units=[],
            )
        line.units.append(RequestedUnit(unit, _folder(first), access.get(unit.pk, [])))
    for line in lines.values():
        line.units.sort(key=lambda u: (natural_key(u.folder), u.unit.path))
    return sorted(lines.values(), key=_line_order)


def _line_order(line: RequestLine) -> tuple[object, ...]:
    container = line.container
    return (
        line.repository.name.casefold(),
        line.repository.pk,
        line.collection.pk,
        container is None,
        natural_key(container.container_type) if container else (),
        natural_key(container.indicator) if container else (),
        line.units[0].unit.path,
    )
