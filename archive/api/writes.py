"""Component writes: create under a parent, update, delete, move and reorder.

Nothing here decides a rule: a write is validated by the admin's own component form (model
validation, the markup check of ``ExportSafeForm``, the stale-edit refusal of
``StaleEditForm``), placed by the outline services the admin's outline editor uses, checked by
``archive.permissions`` inside those services, and recorded in the history as the token's user.

Stale writes (``archive.api.versions``): ``If-Match`` with the ETag of ``GET
/api/components/{id}``, or the component's ``version`` (the ``edit_version`` the admin's form
carries); a stale one is refused (412, 409), exactly as the admin refuses a save over a
colleague's newer change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field

from archive import permissions
from archive.admin.components import ComponentForm
from archive.api import access, components, schemas
from archive.api.auth import caller, writer
from archive.api.components import component_data
from archive.api.errors import WRITE_ERRORS, ApiError
from archive.api.forms import bound_form, valid
from archive.api.paging import RecordId
from archive.api.versions import IfMatch, Version, checked_version, representation_etag
from archive.models import Component, Level
from archive.services import outline as outline_service

# The same router as the reads: one URL per path, each method an operation of it.
router = components.router


#: A 1-based place among a parent's children.
Position = Annotated[int, Field(ge=1, le=1_000_000)]


class ComponentFields(Schema):
    """Fields a write may set; those left out keep their value (or the default, on create)."""

    title: str | None = None
    title_markup: str | None = None
    level: Level | None = None
    other_level: str | None = None
    identifier: str | None = None
    ref: str | None = None
    physical_location: str | None = None
    published: bool | None = None


class ComponentCreate(ComponentFields):
    position: Position | None = None


class ComponentUpdate(ComponentFields):
    version: Version = None


class ComponentMove(Schema):
    version: Version = None
    parent: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None
    position: Position | None = None


def editable(request: HttpRequest, pk: int) -> Component:
    """The component, if the caller may read it (404 otherwise) and change it (403)."""
    user = writer(request)
    unit, _ = access.component_get(user, pk)
    permissions.require_edit(user, unit)
    return unit


def _component_etag(request: HttpRequest, pk: int) -> Callable[[], str]:
    """The ETag a read of the component would answer with now (for ``If-Match``)."""
    return lambda: representation_etag(schemas.Component, component_data(request, pk))


def _check_version(
    request: HttpRequest, unit: Component, version: str | None, if_match: str | None
) -> None:
    """The stale-edit rule for writes that change no field (delete, move): ``If-Match`` or
    ``version``, then the admin's form decides, bound with no change at all."""
    current = unit.updated.isoformat()
    seen = checked_version(
        if_match=if_match, version=version, current=current, etag=_component_etag(request, unit.pk)
    )
    valid(bound_form(ComponentForm, unit, {}, seen))


@router.post(
    "/components/{component_id}/children",
    response={201: schemas.Component, **WRITE_ERRORS},
)
def component_create(
    request: HttpRequest, component_id: RecordId, payload: ComponentCreate
) -> Status[dict[str, Any]]:
    """Add a component under the parent (unpublished unless ``published`` is true), at
    ``position`` (1-based) among its children or last."""
    parent = editable(request, component_id)
    changes = payload.dict(exclude_none=True, exclude={"position"})
    changes.setdefault("published", False)
    form = valid(bound_form(ComponentForm, Component(), changes))
    try:
        unit = outline_service.component_add(
            parent=parent,
            user=caller(request),
            position=payload.position,
            unit=form.save(commit=False),
        )
    except ValidationError as exc:
        raise ApiError(422, "invalid", " ".join(exc.messages)) from exc
    return Status(201, component_data(request, unit.pk))


@router.patch("/components/{component_id}", response={200: schemas.Component, **WRITE_ERRORS})
def component_update(
    request: HttpRequest,
    component_id: RecordId,
    payload: ComponentUpdate,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Change the fields given. Send ``If-Match`` with the ETag of your read (or the
    ``version`` read with the component): 412 (If-Match) or 409 (version) when stale."""
    unit = editable(request, component_id)
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    with transaction.atomic():
        unit = Component.objects.select_for_update().get(pk=unit.pk)
        seen = checked_version(
            if_match=if_match,
            version=payload.version,
            current=unit.updated.isoformat(),
            etag=_component_etag(request, unit.pk),
        )
        form = valid(bound_form(ComponentForm, unit, changes, seen))
        unit = form.save(commit=False)
        unit._history_user = caller(request)
        unit.save()
        outline_service.search_refresh(unit)
    return component_data(request, unit.pk)


@router.delete("/components/{component_id}", response={204: None, **WRITE_ERRORS})
def component_delete(
    request: HttpRequest,
    component_id: RecordId,
    version: str | None = None,
    if_match: IfMatch = None,
) -> Status[None]:
    """Delete the component and everything below it (never a collection's root). Send
    ``If-Match`` with the ETag of your read, or ``?version=`` (a ``+`` sent unencoded is
    read as the ``+`` it was): 412 or 409 when stale, 428 with neither."""
    unit = editable(request, component_id)
    if unit.depth == 1:
        raise ApiError(409, "root", "A collection's root description goes with its collection.")
    with transaction.atomic():
        unit = Component.objects.select_for_update().get(pk=unit.pk)
        _check_version(request, unit, version, if_match)
        unit._history_user = caller(request)
        unit.delete()
    return Status(204, None)


@router.post("/components/{component_id}/move", response={200: schemas.Component, **WRITE_ERRORS})
def component_move(
    request: HttpRequest,
    component_id: RecordId,
    payload: ComponentMove,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Move the component (with everything below it) under ``parent`` and/or to ``position``
    (1-based) among its siblings, through the outline editor's service."""
    user = caller(request)
    unit = editable(request, component_id)
    _check_version(request, unit, payload.version, if_match)
    if payload.parent is not None:
        parent = editable(request, payload.parent)
    else:
        if unit.depth == 1:
            raise ApiError(422, "invalid", "A collection's root description cannot be moved.")
        parent = outline_service.parent_of(unit)
    try:
        outline_service.component_move(
            unit=unit, parent=parent, user=user, position=payload.position
        )
    except ValidationError as exc:
        raise ApiError(422, "invalid", " ".join(exc.messages)) from exc
    return component_data(request, unit.pk)
