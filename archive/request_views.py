"""Public pages of requesting material: the request list, adding and removing units,
submitting, and the confirmation (with the Aeon link or form). No domain logic: the rules are
in ``archive.requests``."""

from __future__ import annotations

import datetime
from typing import cast
from urllib.parse import urlsplit

from django import forms
from django.conf import settings as django_settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from archive.models import MaterialRequest
from archive.requests import lines as request_list
from archive.requests.delivery import aeon_submission, settings_of
from archive.requests.submit import request_submit, submission_allowed
from archive.sign_in import client_address

#: The ids of the requests just submitted, for the confirmation page.
SENT_KEY = "fonds_requests_sent"


class RequestForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField(help_text="The reading room answers here.")
    visit_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="The day you plan to visit."
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=2000
    )

    def clean_visit_date(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["visit_date"]
        if value < timezone.localdate():
            raise forms.ValidationError("The visit date is in the past.")
        return value


def _unit_id(request: HttpRequest) -> int | None:
    raw = request.POST.get("unit", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _back(request: HttpRequest) -> HttpResponseRedirect:
    """Back to the page the button was on (a path of this site only), else the list."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect("archive:request-list")


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "archive/requests/refused.html", {"message": message}, status=status)


@require_GET
def request_list_page(request: HttpRequest) -> HttpResponse:
    lines = request_list.request_lines(request_list.list_ids(request.session))
    return render(request, "archive/requests/list.html", {"lines": lines, "form": RequestForm()})


@require_POST
def request_add(request: HttpRequest) -> HttpResponse:
    unit_id = _unit_id(request)
    if unit_id is None or request_list.requestable_unit(unit_id) is None:
        # The same answer for an id that names nothing and one the public may not see.
        return _refused(request, "This material cannot be requested.", 404)
    try:
        request_list.request_list_add(request.session, unit_id=unit_id)
    except request_list.RequestRefused as refusal:
        return _refused(request, str(refusal), 400)
    return _back(request)


@require_POST
def request_remove(request: HttpRequest) -> HttpResponse:
    unit_id = _unit_id(request)
    if unit_id is not None:
        request_list.request_list_remove(request.session, unit_id=unit_id)
    return redirect("archive:request-list")


@require_POST
def request_send(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST)
    ids = request_list.list_ids(request.session)
    if not form.is_valid():
        lines = request_list.request_lines(ids)
        return render(
            request, "archive/requests/list.html", {"lines": lines, "form": form}, status=400
        )
    if not submission_allowed(client_address(request)):
        return render(request, "archive/requests/too_many.html", status=429)
    try:
        sent = request_submit(unit_ids=ids, **form.cleaned_data)
    except request_list.RequestRefused as refusal:
        return _refused(request, str(refusal), 400)
    request_list.request_list_clear(request.session)
    request.session[SENT_KEY] = [r.pk for r in sent]
    return redirect("archive:request-sent")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@require_GET
def request_sent(request: HttpRequest) -> HttpResponse:
    """The confirmation: what was sent where; for Aeon, the link or the form to follow.

    The site's policy lets forms post to this site only; this page widens ``form-action``
    to the Aeon addresses its forms post to (addresses staff set, checked by
    ``archive.links``), and to nothing else.
    """
    raw = request.session.get(SENT_KEY, [])
    ids = [i for i in raw if isinstance(i, int)] if isinstance(raw, list) else []
    sent = MaterialRequest.objects.filter(pk__in=ids).select_related("repository")
    base = request.build_absolute_uri("/").rstrip("/")
    entries: list[dict[str, object]] = []
    posts: list[str] = []
    for item in sent:
        settings = settings_of(item)
        aeon = aeon_submission(item, settings, base_url=base) if settings else None
        entries.append({"request": item, "settings": settings, "aeon": aeon})
        if aeon is not None and aeon.method == "POST":
            posts.append(_origin(aeon.url))
    response = render(request, "archive/requests/sent.html", {"entries": entries})
    if posts:
        site_policy = cast(dict[str, list[str]], django_settings.SECURE_CSP)
        policy = {key: list(value) for key, value in site_policy.items()}
        policy["form-action"] = [*policy.get("form-action", []), *dict.fromkeys(posts)]
        response._csp_config = policy  # type: ignore[attr-defined]  # read by Django's CSP middleware
    return response
