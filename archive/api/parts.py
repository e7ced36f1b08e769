"""A unit's parts as the API shows them: dates, extents, notes, containers, digital objects,
and its links to names and subjects.

One function per kind, used by the component detail and by the part resources
(``archive.api.part_routes``) alike. ``staff`` is whether the caller sees the unit as staff
(``archive.api.access``); the rows given are already the ones the caller may see (every row
for staff; for the public, those ``selectors.unit_queryset`` fetches, i.e. what the public
page shows). What is left here is the public rule for the content of a row: an element marked
internal inside a note or a description is left out (``archive.visibility``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from archive import visibility
from archive.models import (
    AgentLink,
    Component,
    ContainerInstance,
    DigitalObject,
    Extent,
    Note,
    SubjectLink,
    UnitDate,
)


def _content(staff: bool) -> Callable[[str], str]:
    """Mixed content as stored (staff) or without its internal elements (the public)."""
    return (lambda text: text) if staff else visibility.public_fragment


def _row(part: Any, names: str, **values: Any) -> dict[str, Any]:
    """A part as the API shows it: its id, its attributes ``names`` (space-separated) as
    stored, the ``values`` its kind works out, whether it is published and its place."""
    return {
        "id": part.pk,
        **{name: getattr(part, name) for name in names.split()},
        **values,
        "published": part.published,
        "position": part.position,
    }


def date_data(d: UnitDate, staff: bool) -> dict[str, Any]:
    return _row(d, "expression begin end date_type certainty")


def extent_data(e: Extent, staff: bool) -> dict[str, Any]:
    return _row(e, "number extent_type portion container_summary physical_details dimensions")


def note_data(n: Note, staff: bool) -> dict[str, Any]:
    return _row(n, "note_type", heading=n.display_heading, content=_content(staff)(n.content))


def container_data(i: ContainerInstance, staff: bool) -> dict[str, Any]:
    box = i.container
    return _row(
        i,
        "child_type child_indicator grandchild_type grandchild_indicator instance_type",
        container_type=box.container_type,
        indicator=box.indicator,
        label=box.label,
    )


def digital_object_data(o: DigitalObject, staff: bool) -> dict[str, Any]:
    return _row(o, "title link role", description=_content(staff)(o.description))


def agent_link_data(link: AgentLink, staff: bool) -> dict[str, Any]:
    return _row(link, "role relator", agent=link.agent_id, name=link.agent.authorized_name)


def subject_link_data(link: SubjectLink, staff: bool) -> dict[str, Any]:
    return _row(link, "", subject=link.subject_id, term=link.subject.term)


def _agent_ref(link: AgentLink) -> dict[str, Any]:
    """A name as the component detail lists it (the agent, with the link's id)."""
    return {
        "id": link.agent.pk,
        "slug": link.agent.slug,
        "name": link.agent.authorized_name,
        "role": link.role,
        "relator": link.relator,
        "link": link.pk,
    }


def _subject_ref(link: SubjectLink) -> dict[str, Any]:
    return {
        "id": link.subject.pk,
        "slug": link.subject.slug,
        "term": link.subject.term,
        "subject_type": link.subject.subject_type,
        "link": link.pk,
    }


def shown[T](rows: Iterable[T], staff: bool) -> list[T]:
    """Rows with their own published flag: all for staff, the public ones for the public."""
    return list(rows) if staff else visibility.public_items(rows)


def _languages(unit: Component, staff: bool) -> list[str]:
    return [
        str(lang.get("code") or lang.get("text") or "")
        for lang in shown(unit.languages or [], staff)
        if isinstance(lang, dict)
    ]


def unit_parts(unit: Component, staff: bool) -> dict[str, Any]:
    """Every part of a unit prefetched by the staff queryset of ``archive.api.components`` or
    by ``selectors.unit_queryset`` (which fetches the public ones only)."""
    return {
        "languages": _languages(unit, staff),
        "dates": [date_data(d, staff) for d in shown(unit.dates.all(), staff)],
        "extents": [extent_data(e, staff) for e in shown(unit.extents.all(), staff)],
        "notes": [note_data(n, staff) for n in unit.notes.all()],
        "containers": [
            container_data(i, staff) for i in shown(unit.container_instances.all(), staff)
        ],
        "digital_objects": [digital_object_data(o, staff) for o in unit.digital_objects.all()],
        "agents": [_agent_ref(link) for link in unit.agent_links.all()],
        "subjects": [_subject_ref(link) for link in unit.subject_links.all()],
    }
