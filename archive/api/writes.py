"""Component writes: create under a parent, update, delete, move and reorder.

Nothing here decides a rule: a write is validated by the admin's own component form (model
validation, the markup check of ``ExportSafeForm``, the stale-edit refusal of
``StaleEditForm``), placed by the outline services the admin's outline editor uses, checked by
``archive.permissions`` inside those services, and recorded in the history as the token's user.

Stale writes: a component's ``version`` (from ``GET /api/components/{id}``, for staff) is the
``edit_version`` the admin's form carries; a write that sends an older one is refused with 409,
exactly as the admin refuses a save over a colleague's newer change.
"""

from __future__ import annotations

from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field

from archive import permissions
from archive.admin.base import VERSION_FIELD
from archive.admin.components import ComponentForm
from archive.api import access, components, schemas
from archive.api.auth import caller
from archive.api.components import component_data
from archive.api.errors import ApiError, Error
from archive.api.paging import RecordId
from archive.models import Component, Level
from archive.services import outline as outline_service

# The same router as the reads: one URL per path, each method an operation of it.
router = components.router
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


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
    version: str


class ComponentMove(Schema):
    version: str
    parent: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None
    position: Position | None = None


def _editable(request: HttpRequest, pk: int) -> Component:
    """The component, if the caller may read it (404 otherwise) and change it (403)."""
    user = caller(request)
    if not user.is_authenticated:
        raise ApiError(401, "unauthorised", "Changes need an API token.")
    unit, _ = access.component_get(user, pk)
    permissions.require_edit(user, unit)
    return unit


def _form_errors(form: forms.BaseForm) -> None:
    """Raise the form's errors: 409 for the stale-edit refusal, 422 for anything else."""
    stale = form.non_field_errors().as_data()
    if any(error.code == "stale" for error in stale):
        raise ApiError(409, "stale", " ".join(e.message % (e.params or {}) for e in stale))
    problems = [
        f"{name}: {' '.join(map(str, messages))}"
        if name != "__all__"
        else " ".join(map(str, messages))
        for name, messages in form.errors.items()
    ]
    raise ApiError(422, "invalid", "; ".join(problems))


def _bound_form(unit: Component, changes: dict[str, Any], version: str | None) -> ComponentForm:
    """The admin's component form bound to the unit's current values with ``changes`` on top,
    as if the page had been opened at ``version`` and those fields edited."""
    shown = ComponentForm(instance=unit)
    data: dict[str, Any] = {name: shown[name].value() for name in shown.fields}
    data = {name: value for name, value in data.items() if value is not None}
    data.update(changes)
    data[VERSION_FIELD] = version or ""
    return ComponentForm(data=data, instance=unit)


def _check_version(unit: Component, version: str) -> None:
    """The stale-edit rule for writes that have no form (delete, move): the admin's form
    decides, bound with no change at all."""
    form = _bound_form(unit, {}, version)
    if not form.is_valid():
        _form_errors(form)


@router.post(
    "/components/{component_id}/children",
    response={201: schemas.Component, **ERRORS},
)
def component_create(
    request: HttpRequest, component_id: RecordId, payload: ComponentCreate
) -> Status[dict[str, Any]]:
    """Add a component under the parent (unpublished unless ``published`` is true), at
    ``position`` (1-based) among its children or last."""
    parent = _editable(request, component_id)
    changes = payload.dict(exclude_none=True, exclude={"position"})
    changes.setdefault("published", False)
    form = _bound_form(Component(), changes, None)
    if not form.is_valid():
        _form_errors(form)
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


@router.patch("/components/{component_id}", response={200: schemas.Component, **ERRORS})
def component_update(
    request: HttpRequest, component_id: RecordId, payload: ComponentUpdate
) -> dict[str, Any]:
    """Change the fields given; ``version`` is the one read with the component."""
    unit = _editable(request, component_id)
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    with transaction.atomic():
        unit = Component.objects.select_for_update().get(pk=unit.pk)
        form = _bound_form(unit, changes, payload.version)
        if not form.is_valid():
            _form_errors(form)
        unit = form.save(commit=False)
        unit._history_user = caller(request)
        unit.save()
        outline_service.search_refresh(unit)
    return component_data(request, unit.pk)


@router.delete("/components/{component_id}", response={204: None, **ERRORS})
def component_delete(request: HttpRequest, component_id: RecordId, version: str) -> Status[None]:
    """Delete the component and everything below it (never a collection's root)."""
    unit = _editable(request, component_id)
    if unit.depth == 1:
        raise ApiError(409, "root", "A collection's root description goes with its collection.")
    with transaction.atomic():
        unit = Component.objects.select_for_update().get(pk=unit.pk)
        _check_version(unit, version)
        unit._history_user = caller(request)
        unit.delete()
    return Status(204, None)


@router.post("/components/{component_id}/move", response={200: schemas.Component, **ERRORS})
def component_move(
    request: HttpRequest, component_id: RecordId, payload: ComponentMove
) -> dict[str, Any]:
    """Move the component (with everything below it) under ``parent`` and/or to ``position``
    (1-based) among its siblings, through the outline editor's service."""
    user = caller(request)
    unit = _editable(request, component_id)
    _check_version(unit, payload.version)
    if payload.parent is not None:
        parent = _editable(request, payload.parent)
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
