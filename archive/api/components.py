"""Components: one unit with its dates, extents, notes, containers, digital objects, names and
subjects; and the children of a unit, paged in document order."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest
from ninja import Query, Router
from ninja.decorators import decorate_view

from archive import selectors, tree, visibility
from archive.api import access, schemas
from archive.api.auth import caller
from archive.api.errors import Error
from archive.api.paging import DEFAULT_LIMIT, MAX_LIMIT, RecordId, page, with_etag
from archive.ead.markup import fragment_plain_text
from archive.models import (
    AgentLink,
    Component,
    ContainerInstance,
    DigitalObject,
    Note,
    SubjectLink,
)

router = Router(tags=["components"])
ERRORS = {400: Error, 401: Error, 404: Error, 422: Error}


def _staff_queryset() -> QuerySet[Component]:
    """A unit with every part, internal ones included (what the admin shows)."""
    return Component.objects.select_related("collection__repository").prefetch_related(
        "dates",
        "extents",
        Prefetch("notes", queryset=Note.objects.order_by("position", "id")),
        Prefetch(
            "agent_links",
            queryset=AgentLink.objects.select_related("agent").order_by("position", "id"),
        ),
        Prefetch(
            "subject_links",
            queryset=SubjectLink.objects.select_related("subject").order_by("position", "id"),
        ),
        Prefetch(
            "container_instances",
            queryset=ContainerInstance.objects.select_related("container").order_by(
                "position", "id"
            ),
        ),
        Prefetch("digital_objects", queryset=DigitalObject.objects.order_by("position", "id")),
    )


def unit_title(unit: Component, staff: bool) -> str:
    """The plain title; for the public, from the markup with its internal elements left out."""
    if staff or not unit.title_markup:
        return unit.title
    return fragment_plain_text(visibility.public_fragment(unit.title_markup))


def _item(unit: Component, staff: bool) -> dict:
    return {
        "id": unit.pk,
        "ref": unit.ref,
        "level": unit.level,
        "title": unit_title(unit, staff) or unit.display_title,
        "identifier": unit.shown_identifier,
        "depth": unit.depth,
        "has_children": unit.numchild > 0,
        "published": unit.published,
    }


def _parts(unit: Component, staff: bool) -> dict:
    """The parts of a unit prefetched by ``_staff_queryset`` or ``selectors.unit_queryset``
    (which fetches the published ones only)."""
    shown = (lambda rows: list(rows)) if staff else visibility.public_items
    content = (lambda text: text) if staff else visibility.public_fragment
    return {
        "languages": [
            str(lang.get("code") or lang.get("text") or "")
            for lang in shown(unit.languages or [])
            if isinstance(lang, dict)
        ],
        "dates": [
            {
                "expression": d.expression,
                "begin": d.begin,
                "end": d.end,
                "date_type": d.date_type,
                "certainty": d.certainty,
                "published": d.published,
            }
            for d in shown(unit.dates.all())
        ],
        "extents": [
            {
                "number": e.number,
                "extent_type": e.extent_type,
                "portion": e.portion,
                "container_summary": e.container_summary,
                "physical_details": e.physical_details,
                "dimensions": e.dimensions,
                "published": e.published,
            }
            for e in shown(unit.extents.all())
        ],
        "notes": [
            {
                "id": n.pk,
                "note_type": n.note_type,
                "heading": n.display_heading,
                "content": content(n.content),
                "published": n.published,
            }
            for n in unit.notes.all()
        ],
        "containers": [
            {
                "container_type": i.container.container_type,
                "indicator": i.container.indicator,
                "label": i.container.label,
                "child_type": i.child_type,
                "child_indicator": i.child_indicator,
                "grandchild_type": i.grandchild_type,
                "grandchild_indicator": i.grandchild_indicator,
                "instance_type": i.instance_type,
                "published": i.published,
            }
            for i in shown(unit.container_instances.all())
        ],
        "digital_objects": [
            {
                "title": o.title,
                "link": o.link,
                "role": o.role,
                "description": o.description,
                "published": o.published,
            }
            for o in unit.digital_objects.all()
        ],
        "agents": [
            {
                "id": link.agent.pk,
                "slug": link.agent.slug,
                "name": link.agent.authorized_name,
                "role": link.role,
                "relator": link.relator,
            }
            for link in unit.agent_links.all()
        ],
        "subjects": [
            {
                "id": link.subject.pk,
                "slug": link.subject.slug,
                "term": link.subject.term,
                "subject_type": link.subject.subject_type,
            }
            for link in unit.subject_links.all()
        ],
    }


def component_data(request: HttpRequest, component_id: int) -> dict:
    """The whole component as the caller may see it (also the answer to a write)."""
    unit, staff = access.component_get(caller(request), component_id)
    queryset = _staff_queryset() if staff else selectors.unit_queryset()
    unit = queryset.get(pk=unit.pk)
    parent = None
    if unit.depth > 1:
        parent = (
            Component.objects.filter(
                collection_id=unit.collection_id, path=tree.parent_path(unit.path)
            )
            .values_list("pk", flat=True)
            .first()
        )
    return {
        **_item(unit, staff),
        "collection": unit.collection_id,
        "parent": parent,
        "level_label": unit.level_label,
        "physical_location": unit.physical_location,
        "url": unit.get_absolute_url(),
        # The admin form's edit version: what a write sends back to be refused when stale.
        "version": unit.updated.isoformat() if staff else None,
        **_parts(unit, staff),
    }


@router.get("/components/{component_id}", response={200: schemas.Component, **ERRORS})
@decorate_view(with_etag)
def component_detail(request: HttpRequest, component_id: RecordId) -> dict[str, Any]:
    """One unit of description (the collection level included) with all its parts the caller
    may see; ``parent`` is null at the collection level. ``version`` (staff only) is sent
    back with a change, to be refused if someone changed the unit since."""
    return component_data(request, component_id)


@router.get("/components/{component_id}/children", response={200: schemas.ComponentPage, **ERRORS})
@decorate_view(with_etag)
def component_children(
    request: HttpRequest,
    component_id: RecordId,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """The unit's children in document order, ``limit`` at a time (``next`` is the cursor of
    the following page). Under a public unit, a child is public exactly when its own flag is
    set (the public outline's rule); staff see every child."""
    parent, staff = access.component_get(caller(request), component_id)
    children = Component.objects.filter(
        collection_id=parent.collection_id,
        depth=parent.depth + 1,
        path__gt=parent.path,
        path__lte=tree.subtree_upper_bound(parent.path),
    )
    if not staff:
        children = children.filter(published=True)
    rows, after = page(
        children.defer("unmapped"),
        list_name=f"children:{parent.pk}",
        key="path",
        cursor=cursor,
        limit=limit,
    )
    # An untitled unit is named by its dates: fetched in one query, for those units only.
    untitled = [unit for unit in rows if not unit.title]
    prefetch_related_objects(untitled, Prefetch("dates", queryset=visibility.public_dates()))
    return {"items": [_item(u, staff) for u in rows], "next": after}
