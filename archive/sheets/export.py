"""A collection's components (or a subtree) as spreadsheet rows, in document order.

Each row holds the template's columns plus the component's machine id, and its Parent is
the machine id of the component above it, so an edited export imports again as updates.
Rows are read a batch of components at a time (one query per related table per batch), so
memory stays flat however large the collection.

With ``public`` only what the public may see is written, by ``archive.visibility``: public
units (an unpublished unit hides its subtree), their public dates, extents, containers,
notes (elements marked internal left out), names and subjects, digital objects; identifiers
as researchers see them (``archive.display``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from archive import display, tree, visibility
from archive.models import (
    AgentLink,
    Component,
    ContainerInstance,
    DigitalObject,
    Extent,
    Level,
    Note,
    SubjectLink,
    UnitDate,
)
from archive.search.text import fragment_text
from archive.sheets.columns import SEPARATOR

BATCH = 1000
_LEVELS = dict(Level.choices)
_DATE_TYPES = dict(UnitDate.DateType.choices)
_AGENT_COLUMN = {
    ("creator", "corporate"): "creator_corporate",
    ("creator", ""): "creator",
    ("subject", ""): "name_subject",
}
_SUBJECT_COLUMN = {"topical": "subject", "geographic": "place", "genre_form": "genre"}


def _first(rows: Iterable[Any]) -> Any:
    return next(iter(rows), None)


def unit_values(ids: list[int], *, public: bool = False) -> dict[int, dict[str, str]]:
    """Column key -> text for each component of ``ids`` (the staff view unless ``public``).

    Cost: seven queries for the batch.
    """
    units = {
        pk: (level, other, identifier, attrs, others, title, markup, published, ref)
        for pk, level, other, identifier, attrs, others, title, markup, published, ref in (
            Component.objects.filter(pk__in=ids).values_list(
                "pk",
                "level",
                "other_level",
                "identifier",
                "attributes",
                "other_identifiers",
                "title",
                "title_markup",
                "published",
                "ref",
            )
        )
    }
    values: dict[int, dict[str, str]] = {}
    for pk, (
        level,
        other,
        identifier,
        attrs,
        others,
        title,
        markup,
        published,
        ref,
    ) in units.items():
        if public:
            identifier = display.shown_identifier(
                identifier, (attrs or {}).get("identifier_attributes"), others or ()
            )
            if markup:
                title = fragment_text(visibility.public_fragment(markup))
        values[pk] = {
            "level": other if level == Level.OTHER and other else _LEVELS.get(level, level),
            "title": title,
            "identifier": identifier,
            "ref": ref,
            "published": "Yes" if published else "No",
        }
    flag: dict[str, Any] = {"published": True} if public else {}
    _dates(values, ids, flag)
    _extents(values, ids, flag)
    _containers(values, ids, flag)
    _notes(values, ids, flag)
    _links(values, ids, public)
    for pk, link in (
        DigitalObject.objects.filter(unit_id__in=ids, **flag)
        .order_by("unit_id", "position", "id")
        .values_list("unit_id", "link")
    ):
        values[pk].setdefault("digital_url", link)
    return values


def _dates(values: dict[int, dict[str, str]], ids: list[int], flag: dict[str, Any]) -> None:
    for pk, expression, begin, end, date_type in (
        UnitDate.objects.filter(unit_id__in=ids, **flag)
        .order_by("unit_id", "position", "id")
        .values_list("unit_id", "expression", "begin", "end", "date_type")
    ):
        if "date_type" not in values[pk]:  # the first date: the sheet has one
            values[pk].update(
                date=expression, begin=begin, end=end, date_type=_DATE_TYPES.get(date_type, "")
            )


def _extents(values: dict[int, dict[str, str]], ids: list[int], flag: dict[str, Any]) -> None:
    for pk, number, extent_type in (
        Extent.objects.filter(unit_id__in=ids, **flag)
        .order_by("unit_id", "position", "id")
        .values_list("unit_id", "number", "extent_type")
    ):
        values[pk].setdefault("extent", " ".join(p for p in (number, extent_type) if p))


def _containers(values: dict[int, dict[str, str]], ids: list[int], flag: dict[str, Any]) -> None:
    for pk, container_type, box, barcode, folder in (
        ContainerInstance.objects.filter(unit_id__in=ids, **flag)
        .order_by("unit_id", "position", "id")
        .values_list(
            "unit_id",
            "container__container_type",
            "container__indicator",
            "container__barcode",
            "child_indicator",
        )
    ):
        if "box" not in values[pk]:
            values[pk].update(
                container_type=container_type.capitalize(),
                box=box,
                folder=folder,
                barcode="" if flag else barcode,
            )


def _notes(values: dict[int, dict[str, str]], ids: list[int], flag: dict[str, Any]) -> None:
    texts: dict[tuple[int, str], list[str]] = defaultdict(list)
    for pk, note_type, content in (
        Note.objects.filter(
            unit_id__in=ids, note_type__in=["scopecontent", "accessrestrict"], **flag
        )
        .order_by("unit_id", "position", "id")
        .values_list("unit_id", "note_type", "content")
    ):
        text = fragment_text(content) if flag else _plain(content)
        if text:
            texts[pk, note_type].append(text)
    for (pk, note_type), parts in texts.items():
        values[pk]["scope" if note_type == "scopecontent" else "access"] = "\n\n".join(parts)


def _plain(content: str) -> str:
    """A note's words for staff: internal elements kept (the staff see them)."""
    from archive.search.text import clean

    if "<" not in content and "&" not in content:
        return clean(content)
    import html
    import re

    paragraphs = re.split(r"</p>\s*<p(?:\s[^>]*)?>", content)
    words = [html.unescape(re.sub(r"<[^>]+>", " ", p)) for p in paragraphs]
    return "\n\n".join(" ".join(w.split()) for w in words if w.split())


def _links(values: dict[int, dict[str, str]], ids: list[int], public: bool) -> None:
    names: dict[tuple[int, str], list[str]] = defaultdict(list)
    agent_links = AgentLink.objects.filter(unit_id__in=ids, role__in=["creator", "subject"])
    subject_links = SubjectLink.objects.filter(
        unit_id__in=ids, subject__subject_type__in=list(_SUBJECT_COLUMN)
    )
    if public:
        agent_links = agent_links.filter(published=True, agent__published=True)
        subject_links = subject_links.filter(published=True, subject__published=True)
    for pk, role, agent_type, name in agent_links.order_by("unit_id", "position", "id").values_list(
        "unit_id", "role", "agent__agent_type", "agent__authorized_name"
    ):
        corporate = "corporate" if role == "creator" and agent_type == "corporate" else ""
        names[pk, _AGENT_COLUMN[role, corporate]].append(name)
    for pk, subject_type, term in subject_links.order_by("unit_id", "position", "id").values_list(
        "unit_id", "subject__subject_type", "subject__term"
    ):
        names[pk, _SUBJECT_COLUMN[subject_type]].append(term)
    for (pk, key), parts in names.items():
        values[pk][key] = f"{SEPARATOR} ".join(parts)


def export_rows(top: Component, *, public: bool = False) -> Iterator[dict[str, str]]:
    """Rows for ``top``'s subtree below it (the whole collection when ``top`` is its root),
    in document order, ``top`` itself included when it is not the collection's root."""
    walk = visibility.PublicWalk()
    query = tree.descendants(top, include_self=top.depth > 1).values_list(
        "pk", "path", "depth", "published"
    )
    refs_by_path: dict[str, str] = {}
    batch: list[tuple[int, str]] = []
    hidden_above = public and top.depth > 1 and not visibility.is_public(top)
    if hidden_above:
        return
    for pk, path, depth, published in query.iterator(chunk_size=5000):
        if public and not walk.public(depth, published):
            continue
        batch.append((pk, path))
        if len(batch) >= BATCH:
            yield from _batch_rows(batch, refs_by_path, public, top)
            batch = []
    if batch:
        yield from _batch_rows(batch, refs_by_path, public, top)


def _batch_rows(
    batch: list[tuple[int, str]], refs_by_path: dict[str, str], public: bool, top: Component
) -> Iterator[dict[str, str]]:
    values = unit_values([pk for pk, _ in batch], public=public)
    for pk, path in batch:
        row = values[pk]
        refs_by_path[path] = row["ref"]
        parent = tree.parent_path(path)
        row["parent"] = refs_by_path.get(parent, "") if len(path) > len(top.path) else ""
        yield row
    # Keep only the paths that can still be parents of what follows (the open branch).
    last = batch[-1][1]
    for path in [p for p in refs_by_path if not last.startswith(p)]:
        del refs_by_path[path]
