"""Posting an admin change form as a browser would: every field as the page shows it."""

from __future__ import annotations

from typing import Any

from django.test import Client


def _value(bound: Any) -> Any:
    """What the browser sends for a field; None when it sends nothing (unticked box)."""
    value = bound.value()
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return value


def change_form_data(client: Client, url: str) -> dict[str, Any]:
    """GET the admin page at ``url`` and return the POST data its form would send unchanged."""
    response = client.get(url)
    assert response.status_code == 200, url
    data: dict[str, Any] = {}
    form = response.context["adminform"].form
    for bound in form:
        data[bound.html_name] = _value(bound)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for inline_form in formset.initial_forms:
            for bound in inline_form:
                data[bound.html_name] = _value(bound)
    return {k: v for k, v in data.items() if v is not None}


def add_inline(data: dict[str, Any], prefix: str, values: dict[str, Any]) -> dict[str, Any]:
    """``data`` with one more form of the inline ``prefix`` holding ``values``."""
    index = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    out = dict(data)
    for key, value in values.items():
        out[f"{prefix}-{index}-{key}"] = value
    out[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    out.setdefault(f"{prefix}-INITIAL_FORMS", "0")
    return out
