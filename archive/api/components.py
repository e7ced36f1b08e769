"""Components: one unit with its dates, extents, notes, containers, digital objects, names and
subjects; and the children of a unit, paged in document order."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest
from ninja import Query, Router
from ninja.decorators import decorate_view

from archive import selectors, tree, visibility
from archive.api import access, parts, schemas
from archive.api.auth import caller
from archive.api.errors import READ_ERRORS
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


def staff_queryset() -> QuerySet[Component]:
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


def component_data(request: HttpRequest, component_id: int) -> dict:
    """The whole component as the caller may see it (also the answer to a write)."""
    unit, staff = access.component_get(caller(request), component_id)
    queryset = staff_queryset() if staff else selectors.unit_queryset()
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
        **parts.unit_parts(unit, staff),
    }


@router.get("/components/{component_id}", response={200: schemas.Component, **READ_ERRORS})
@decorate_view(with_etag)
def component_detail(request: HttpRequest, component_id: RecordId) -> dict[str, Any]:
    """One unit of description (the collection level included) with all its parts the caller
    may see; ``parent`` is null at the collection level. ``version`` (staff only) is sent
    back with a change, to be refused if someone changed the unit since."""
    return component_data(request, component_id)


@router.get(
    "/components/{component_id}/children", response={200: schemas.ComponentPage, **READ_ERRORS}
)
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
