"""Writes go through the admin's own forms: binding one to a record, and its errors as the
API's (422 for what the form refuses, 409 for its stale-edit refusal)."""

from __future__ import annotations

from typing import Any, NoReturn

from django import forms

from archive.admin.base import VERSION_FIELD
from archive.api.errors import ApiError


def field_names(fields: Any) -> list[str]:
    """An admin ``fields`` option as a flat list of names (a layout may group some in rows)."""
    out: list[str] = []
    for field in fields:
        out.extend([field] if isinstance(field, str) else field)
    return out


def form_errors(form: forms.BaseForm) -> NoReturn:
    """Raise the form's errors: 409 for the stale-edit refusal, 422 for anything else (each
    field named with its reason, as the admin page shows them beside the field)."""
    stale = form.non_field_errors().as_data()
    if any(error.code == "stale" for error in stale):
        raise ApiError(409, "stale", " ".join(e.message % (e.params or {}) for e in stale))
    problems = [
        f"{name}: {' '.join(map(str, messages))}"
        if name != "__all__"
        else " ".join(map(str, messages))
        for name, messages in form.errors.items()
    ]
    raise ApiError(422, "invalid", "; ".join(problems) or "Invalid data.")


def bound_form[F: forms.ModelForm](
    form_class: type[F],
    instance: Any,
    changes: dict[str, Any],
    version: str | None = None,
) -> F:
    """``form_class`` bound to ``instance``'s current values with ``changes`` on top, as if its
    admin page had been opened (at ``version``, for a form that checks it) and those fields
    edited. Only the changed fields are checked for markup, as in the admin."""
    shown = form_class(instance=instance)
    data: dict[str, Any] = {name: shown[name].value() for name in shown.fields}
    data = {name: value for name, value in data.items() if value is not None}
    data.update({name: value for name, value in changes.items() if name in shown.fields})
    if VERSION_FIELD in shown.fields:
        data[VERSION_FIELD] = version or ""
    return form_class(data=data, instance=instance)


def valid[F: forms.BaseForm](form: F) -> F:
    """The form, once it has validated; its errors as the API's otherwise."""
    if not form.is_valid():
        form_errors(form)
    return form
