"""A unit's parts as resources: its notes, dates, extents, containers, digital objects, and its
links to names and subjects, read within the unit and written one at a time.

``/api/components/{id}/<kind>`` lists them (``GET``) and adds one (``POST``);
``/api/components/{id}/<kind>/{part_id}`` reads, changes (``PATCH``) and deletes one.

Nothing here decides a rule:

- who reads what: the unit is found by ``archive.api.access``; the public sees the rows the
  public page shows (the unit's public prefetch in ``selectors.unit_queryset``, internal
  elements of mixed content left out by ``archive.api.parts``); staff of the unit's
  repository see every row;
- who writes: ``archive.permissions`` (the unit's repository, an editing role);
- what is valid: the admin's own inline form of the kind (its fields, the markup and link
  checks of ``ExportSafeForm`` and ``DigitalObjectInlineForm``, the date rules of
  ``UnitDateForm``, model validation);
- stale writes: the parts of a unit are edited as one record, as on its admin page: the unit's
  ``version`` (409 when older), or ``If-Match`` with the ETag of a read of the part (412);
- history: a change of a part is a change of its unit, recorded in the unit's history and the
  admin's log under the token's user (a note keeps its own versions too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import Max, Model
from django.http import HttpRequest
from django.utils import timezone
from ninja import Schema, Status
from ninja.decorators import decorate_view

from archive import selectors
from archive.admin.markup import ExportSafeForm
from archive.admin.units import (
    AgentLinkInline,
    ContainerInstanceInline,
    DigitalObjectInline,
    DigitalObjectInlineForm,
    ExtentInline,
    NoteInline,
    SubjectLinkInline,
    UnitDateForm,
)
from archive.api import access, parts, schemas
from archive.api.auth import caller
from archive.api.components import router, staff_queryset
from archive.api.errors import READ_ERRORS, WRITE_ERRORS, ApiError
from archive.api.forms import bound_form, field_names, valid
from archive.api.paging import RecordId, with_etag
from archive.api.part_schemas import (
    AgentLinkFields,
    ContainerFields,
    DateFields,
    DigitalObjectFields,
    ExtentFields,
    NoteFields,
    SubjectLinkFields,
    list_schema,
)
from archive.api.versions import IfMatch, checked_version, refuse_stale, representation_etag
from archive.api.writes import editable
from archive.models import (
    AgentLink,
    Component,
    Container,
    ContainerInstance,
    DigitalObject,
    Extent,
    Note,
    SubjectLink,
    UnitDate,
)
from archive.services.history import history_record


def _inline_form(model: type[Model], form: type[forms.ModelForm], fields: Any) -> type:
    """The form the admin's inline builds for ``model``: its form class, its fields."""
    return forms.modelform_factory(model, form=form, fields=field_names(fields))


def _container(unit: Component, changes: dict[str, Any], part: Model | None) -> None:
    """A container instance names its top container by type and indicator: the collection's
    container of that type and indicator is used, or made (as an import does)."""
    kind = changes.pop("container_type", None)
    indicator = changes.pop("indicator", None)
    label = changes.pop("label", None)
    current = part.container if isinstance(part, ContainerInstance) else None
    if kind is None and indicator is None and label is None and current is not None:
        return
    kind = kind or (current.container_type if current else "box")
    indicator = indicator if indicator is not None else (current.indicator if current else "")
    box = valid(
        bound_form(
            forms.modelform_factory(
                Container, form=ExportSafeForm, fields=["container_type", "indicator", "label"]
            ),
            Container(collection_id=unit.collection_id),
            {"container_type": kind, "indicator": indicator, "label": label or ""},
        )
    )
    found, made = Container.objects.get_or_create(
        collection_id=unit.collection_id,
        container_type=box.cleaned_data["container_type"],
        indicator=box.cleaned_data["indicator"],
        defaults={"label": box.cleaned_data["label"]},
    )
    if label is not None and not made and found.label != box.cleaned_data["label"]:
        found.label = box.cleaned_data["label"]
        found.save(update_fields=["label"])
    changes["container"] = found.pk


@dataclass(frozen=True)
class Kind:
    """One kind of part: its URL segment, model, admin form, shapes and how it is shown."""

    segment: str  # in the URL: /api/components/{id}/<segment>
    label: str  # in messages and operation ids
    related: str  # Component's reverse accessor
    model: type[Model]
    form: type[forms.ModelForm]
    schema: type[Schema]  # one part as shown
    fields: type[Schema]  # what a write may send
    data: Callable[[Any, bool], dict[str, Any]]
    prepare: Callable[[Component, dict[str, Any], Model | None], None] | None = None


KINDS = (
    Kind(
        "notes",
        "note",
        "notes",
        Note,
        _inline_form(Note, ExportSafeForm, NoteInline.fields),
        schemas.Note,
        NoteFields,
        parts.note_data,
    ),
    Kind(
        "dates",
        "date",
        "dates",
        UnitDate,
        UnitDateForm,
        schemas.UnitDate,
        DateFields,
        parts.date_data,
    ),
    Kind(
        "extents",
        "extent",
        "extents",
        Extent,
        _inline_form(Extent, ExportSafeForm, ExtentInline.fields),
        schemas.Extent,
        ExtentFields,
        parts.extent_data,
    ),
    Kind(
        "containers",
        "container",
        "container_instances",
        ContainerInstance,
        _inline_form(
            ContainerInstance, ExportSafeForm, [*ContainerInstanceInline.fields, "position"]
        ),
        schemas.Container,
        ContainerFields,
        parts.container_data,
        _container,
    ),
    Kind(
        "digital-objects",
        "digital_object",
        "digital_objects",
        DigitalObject,
        _inline_form(
            DigitalObject, DigitalObjectInlineForm, [*DigitalObjectInline.fields, "description"]
        ),
        schemas.DigitalObject,
        DigitalObjectFields,
        parts.digital_object_data,
    ),
    Kind(
        "agents",
        "agent_link",
        "agent_links",
        AgentLink,
        _inline_form(AgentLink, ExportSafeForm, AgentLinkInline.fields),
        schemas.AgentLink,
        AgentLinkFields,
        parts.agent_link_data,
    ),
    Kind(
        "subjects",
        "subject_link",
        "subject_links",
        SubjectLink,
        _inline_form(SubjectLink, ExportSafeForm, SubjectLinkInline.fields),
        schemas.SubjectLink,
        SubjectLinkFields,
        parts.subject_link_data,
    ),
)


# --- reads -------------------------------------------------------------------------------------


def _rows(kind: Kind, unit: Component, staff: bool) -> list[Any]:
    """The unit's parts of one kind the caller may see, in order: what the component detail
    shows (staff), or what the public page shows (``selectors.unit_queryset``)."""
    source = staff_queryset() if staff else selectors.unit_queryset()
    unit = source.get(pk=unit.pk)
    rows = getattr(unit, kind.related).all()
    return parts.shown(sorted(rows, key=lambda r: (r.position, r.pk)), staff)


def _list(kind: Kind, request: HttpRequest, component_id: int) -> dict[str, Any]:
    unit, staff = access.component_get(caller(request), component_id)
    return {"items": [kind.data(row, staff) for row in _rows(kind, unit, staff)]}


def _detail(kind: Kind, request: HttpRequest, component_id: int, part_id: int) -> dict[str, Any]:
    unit, staff = access.component_get(caller(request), component_id)
    for row in _rows(kind, unit, staff):
        if row.pk == part_id:
            return kind.data(row, staff)
    raise ApiError(404, "not_found", f"No such {kind.model._meta.verbose_name} on this unit.")


# --- writes ------------------------------------------------------------------------------------


def _record(request: HttpRequest, unit: Component, kind: Kind, what: str, part: Model) -> None:
    """A change of a part is a change of its unit: its version moves on (so a write over it
    from an older read is refused), its history and the admin's log name the token's user."""
    user = caller(request)
    Component.objects.filter(pk=unit.pk).update(updated=timezone.now())
    name = kind.model._meta.verbose_name
    history_record(unit, user=user, reason=f"{what.capitalize()} {name} “{part}” (API)")
    LogEntry.objects.log_actions(
        user_id=cast("int", user.pk),
        queryset=[unit],
        action_flag=CHANGE,
        change_message=[{what: {"name": str(name), "object": str(part)}}],
    )


def _write(
    kind: Kind,
    request: HttpRequest,
    component_id: int,
    part_id: int | None,
    payload: Schema | None,
    if_match: str | None,
    version: str | None = None,
) -> Any:
    """Add (no ``part_id``), change (a ``payload``) or delete (neither) one part."""
    unit = editable(request, component_id)
    changes = payload.dict(exclude_unset=True) if payload is not None else {}
    version = changes.pop("version", None) or version
    with transaction.atomic():
        unit = Component.objects.select_for_update().get(pk=unit.pk)
        part = None
        if part_id is not None:
            part = kind.model._default_manager.filter(unit=unit, pk=part_id).first()
            if part is None:
                raise ApiError(404, "not_found", f"No such {kind.model._meta.verbose_name}.")
        current = unit.updated.isoformat()
        seen = checked_version(
            if_match=if_match,
            version=version,
            current=current,
            etag=None
            if part is None
            else (lambda: representation_etag(kind.schema, kind.data(part, True))),
            required=part is not None,
        )
        refuse_stale(seen, current)
        if part is not None and payload is None:
            part.delete()
            _record(request, unit, kind, "deleted", part)
            return None
        if kind.prepare is not None:
            kind.prepare(unit, changes, part)
        instance = part if part is not None else kind.model(unit=unit)
        if part is None and "position" not in changes:
            last = getattr(unit, kind.related).aggregate(last=Max("position"))["last"]
            changes["position"] = 0 if last is None else last + 1
        saved = valid(bound_form(kind.form, instance, changes)).save(commit=False)
        saved.unit = unit
        saved._history_user = caller(request)  # read by simple-history (notes)
        saved.save()
        _record(request, unit, kind, "changed" if part is not None else "added", saved)
    return kind.data(kind.model._default_manager.get(pk=saved.pk), True)


# --- the operations, one set per kind -----------------------------------------------------------


#: One operation: method, view, path, responses, description.
Operation = tuple[str, Callable[..., Any], str, dict[Any, Any], str]


def _operations(kind: Kind) -> list[Operation]:
    """The five operations of one kind; each view only names the kind and hands over."""

    def part_list(request: HttpRequest, component_id: RecordId) -> dict[str, Any]:
        return _list(kind, request, component_id)

    def part_detail(request: HttpRequest, component_id: RecordId, part_id: RecordId) -> Any:
        return _detail(kind, request, component_id, part_id)

    def part_create(
        request: HttpRequest, component_id: RecordId, payload: Any, if_match: IfMatch = None
    ) -> Status[Any]:
        return Status(201, _write(kind, request, component_id, None, payload, if_match))

    def part_update(
        request: HttpRequest,
        component_id: RecordId,
        part_id: RecordId,
        payload: Any,
        if_match: IfMatch = None,
    ) -> Any:
        return _write(kind, request, component_id, part_id, payload, if_match)

    def part_delete(
        request: HttpRequest,
        component_id: RecordId,
        part_id: RecordId,
        version: str | None = None,
        if_match: IfMatch = None,
    ) -> Status[None]:
        _write(kind, request, component_id, part_id, None, if_match, version)
        return Status(204, None)

    # The body's schema is the kind's: django-ninja reads it from the annotation.
    part_create.__annotations__["payload"] = kind.fields
    part_update.__annotations__["payload"] = kind.fields
    base = f"/components/{{component_id}}/{kind.segment}"
    one = f"{base}/{{part_id}}"
    plural = kind.model._meta.verbose_name_plural
    return [
        ("GET", part_list, base, {200: list_schema(kind.schema), **READ_ERRORS},
         f"The unit's {plural}, in order (the public sees the public ones)."),
        ("POST", part_create, base, {201: kind.schema, **WRITE_ERRORS},
         "Add one (last unless `position` is given); `version` is optional here."),
        ("GET", part_detail, one, {200: kind.schema, **READ_ERRORS}, "One of them."),
        ("PATCH", part_update, one, {200: kind.schema, **WRITE_ERRORS},
         "Change the fields given (If-Match, or the unit's `version`)."),
        ("DELETE", part_delete, one, {204: None, **WRITE_ERRORS},
         "Delete it (If-Match, or `?version=` of the unit)."),
    ]  # fmt: skip


def _register(kind: Kind) -> None:
    """Add the kind's operations to the components' router (one URL per path)."""
    for method, view, path, response, description in _operations(kind):
        name = f"{kind.label}_{view.__name__.removeprefix('part_')}"
        view.__name__ = view.__qualname__ = name
        if method == "GET":
            view = decorate_view(with_etag)(view)
        router.api_operation(
            [method],
            path,
            response=response,
            operation_id=name,
            url_name=name,
            description=description,
            tags=["parts of a unit"],
        )(view)


for _kind in KINDS:
    _register(_kind)
