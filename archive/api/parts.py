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


def date_data(d: UnitDate, staff: bool) -> dict[str, Any]:
    return {
        "id": d.pk,
        "expression": d.expression,
        "begin": d.begin,
        "end": d.end,
        "date_type": d.date_type,
        "certainty": d.certainty,
        "published": d.published,
        "position": d.position,
    }


def extent_data(e: Extent, staff: bool) -> dict[str, Any]:
    return {
        "id": e.pk,
        "number": e.number,
        "extent_type": e.extent_type,
        "portion": e.portion,
        "container_summary": e.container_summary,
        "physical_details": e.physical_details,
        "dimensions": e.dimensions,
        "published": e.published,
        "position": e.position,
    }


def note_data(n: Note, staff: bool) -> dict[str, Any]:
    return {
        "id": n.pk,
        "note_type": n.note_type,
        "heading": n.display_heading,
        "content": _content(staff)(n.content),
        "published": n.published,
        "position": n.position,
    }


def container_data(i: ContainerInstance, staff: bool) -> dict[str, Any]:
    return {
        "id": i.pk,
        "container_type": i.container.container_type,
        "indicator": i.container.indicator,
        "label": i.container.label,
        "child_type": i.child_type,
        "child_indicator": i.child_indicator,
        "grandchild_type": i.grandchild_type,
        "grandchild_indicator": i.grandchild_indicator,
        "instance_type": i.instance_type,
        "published": i.published,
        "position": i.position,
    }


def digital_object_data(o: DigitalObject, staff: bool) -> dict[str, Any]:
    return {
        "id": o.pk,
        "title": o.title,
        "link": o.link,
        "role": o.role,
        "description": _content(staff)(o.description),
        "published": o.published,
        "position": o.position,
    }


def agent_link_data(link: AgentLink, staff: bool) -> dict[str, Any]:
    return {
        "id": link.pk,
        "agent": link.agent_id,
        "name": link.agent.authorized_name,
        "role": link.role,
        "relator": link.relator,
        "published": link.published,
        "position": link.position,
    }


def subject_link_data(link: SubjectLink, staff: bool) -> dict[str, Any]:
    return {
        "id": link.pk,
        "subject": link.subject_id,
        "term": link.subject.term,
        "published": link.published,
        "position": link.position,
    }


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
