"""Sending a request: stored, emailed to the reading room's fixed address only, handed to
Aeon with the fields as mapped, protected by CSRF and a per-address rate limit."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qsl, urlsplit

import lxml.html
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from archive.models import MaterialRequest

pytestmark = pytest.mark.django_db

VISIT = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()


def form(**extra):
    return {
        "name": "Ana Researcher",
        "email": "ana@example.org",
        "visit_date": VISIT,
        "notes": "Morning, please.",
        **extra,
    }


def fill(client, units):
    for unit in units:
        client.post(reverse("archive:request-add"), {"unit": unit.pk})


def submit(client, **extra):
    return client.post(reverse("archive:request-submit"), form(**extra))


def test_the_request_is_stored_with_containers_and_collection(client, catalogue):
    fill(client, catalogue.folders)
    response = submit(client)
    assert response.status_code == 302 and response["Location"] == reverse("archive:request-sent")
    request = MaterialRequest.objects.get()
    assert (request.status, request.name, request.visit_date.isoformat()) == (
        "new",
        "Ana Researcher",
        VISIT,
    )
    items = list(request.items.all())
    assert len(items) == 40
    assert {i.container_text for i in items} == {"Box 3", "Box 4"}
    assert {i.collection_id for i in items} == {catalogue.collection.pk}
    assert items[0].folder == "Folder 1" and items[0].location == "Vault 2, shelf 7"
    assert items[0].access == "Closed until 2030 by the donor."
    # The list is emptied once sent.
    assert b"Your request is empty" in client.get(reverse("archive:request-list")).content


def test_email_goes_to_the_configured_address_only(client, catalogue):
    fill(client, catalogue.folders)
    submit(client, email="someone-else@example.net")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reading-room@example.edu"]
    assert message.cc == [] and message.bcc == []
    assert message.recipients() == ["reading-room@example.edu"]
    assert message.reply_to == ["someone-else@example.net"]
    body = message.body
    assert "GEN MSS 238: Box 3 (Vault 2, shelf 7)" in body
    assert "GEN MSS 238: Box 4 (39002)" in body
    assert "  - Folder 12, Letters 12" in body
    assert "Access: Closed until 2030 by the donor." in body
    assert MaterialRequest.objects.get().delivered[0] == "email:reading-room@example.edu"


def test_no_email_when_the_repository_does_not_ask_for_it(client, catalogue):
    catalogue.settings.email_enabled = False
    catalogue.settings.save()
    fill(client, catalogue.folders[:1])
    submit(client)
    assert mail.outbox == []
    assert MaterialRequest.objects.count() == 1


def test_header_injection_in_the_form_is_refused(client, catalogue):
    fill(client, catalogue.folders[:1])
    response = submit(client, email="ana@example.org\nBcc: victim@example.net")
    assert response.status_code == 400
    assert mail.outbox == [] and not MaterialRequest.objects.exists()


def _aeon_form(client):
    page = lxml.html.fromstring(client.get(reverse("archive:request-sent")).content)
    (aeon,) = page.cssselect("form.request-aeon")
    return aeon, [(i.get("name"), i.get("value")) for i in aeon.cssselect("input[type=hidden]")]


def test_aeon_form_fields_as_mapped(client, catalogue):
    fill(client, catalogue.folders[11:12])
    submit(client)
    request = MaterialRequest.objects.get()
    aeon, fields = _aeon_form(client)
    assert aeon.get("method") == "post"
    assert aeon.get("action") == "https://aeon.example.edu/logon/?Action=10&Form=30"
    assert fields == [
        ("ScheduledDate", VISIT),
        ("SpecialRequest", "Morning, please."),
        ("CallNumber", "GEN MSS 238"),
        ("ItemIssue", "Folder 12"),
        ("ItemTitle", "Letters 12"),
        ("ItemVolume", "Box 3"),
        ("Location", "Vault 2, shelf 7"),
    ]
    assert request.delivered == ["email:reading-room@example.edu", "aeon"]


def test_aeon_form_may_post_to_aeon_and_nowhere_else(client, catalogue):
    fill(client, catalogue.folders[:1])
    submit(client)
    policy = client.get(reverse("archive:request-sent"))["Content-Security-Policy"]
    (form_action,) = [p for p in policy.split(";") if "form-action" in p]
    assert form_action.split() == ["form-action", "'self'", "https://aeon.example.edu"]
    # Other pages keep the site's own policy.
    other = client.get(reverse("archive:request-list"))["Content-Security-Policy"]
    assert "aeon.example.edu" not in other


def test_aeon_several_items_use_numbered_fields(client, catalogue):
    catalogue.settings.aeon_fields = {"ItemTitle": "title", "ItemVolume": "container"}
    catalogue.settings.save()
    fill(client, [catalogue.folders[0], catalogue.folders[30]])
    submit(client)
    _, fields = _aeon_form(client)
    assert fields == [
        ("Request", "1"),
        ("ItemTitle_1", "Letters 1"),
        ("ItemVolume_1", "Box 3"),
        ("Request", "2"),
        ("ItemTitle_2", "Letters 31"),
        ("ItemVolume_2", "Box 4"),
    ]


def test_aeon_openurl_link_as_mapped(client, catalogue):
    catalogue.settings.aeon_method = "GET"
    catalogue.settings.aeon_url = "https://aeon.example.edu/OpenURL"
    catalogue.settings.aeon_fields = {"rft.title": "title", "rft.callnum": "collection_identifier"}
    catalogue.settings.save()
    fill(client, catalogue.folders[:1])
    submit(client)
    page = lxml.html.fromstring(client.get(reverse("archive:request-sent")).content)
    (link,) = page.cssselect("a.request-aeon")
    url = urlsplit(link.get("href"))
    assert (url.scheme, url.netloc, url.path) == ("https", "aeon.example.edu", "/OpenURL")
    assert parse_qsl(url.query) == [("rft.callnum", "GEN MSS 238"), ("rft.title", "Letters 1")]


def test_rate_limit_answers_429(client, catalogue, settings):
    settings.FONDS_REQUEST_RATE_LIMIT = 2
    for _ in range(2):
        fill(client, catalogue.folders[:1])
        assert submit(client).status_code == 302
    fill(client, catalogue.folders[:1])
    response = submit(client)
    assert response.status_code == 429
    assert b"Too many requests" in response.content
    assert MaterialRequest.objects.count() == 2
    # Another address is not held back.
    other = Client(REMOTE_ADDR="192.0.2.9")
    fill(other, catalogue.folders[:1])
    assert submit(other).status_code == 302


def test_submission_needs_the_csrf_token(catalogue):
    client = Client(enforce_csrf_checks=True)
    page = lxml.html.fromstring(client.get(catalogue.folders[0].get_absolute_url()).content)
    token = page.cssselect("form.request-add input[name=csrfmiddlewaretoken]")[0].get("value")
    client.post(
        reverse("archive:request-add"),
        {"unit": catalogue.folders[0].pk, "csrfmiddlewaretoken": token},
    )
    assert client.post(reverse("archive:request-submit"), form()).status_code == 403
    assert not MaterialRequest.objects.exists()
    response = client.post(
        reverse("archive:request-submit"), {**form(), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and MaterialRequest.objects.count() == 1


def test_a_past_visit_date_or_missing_name_is_explained(client, catalogue):
    fill(client, catalogue.folders[:1])
    response = submit(client, visit_date="2001-01-01", name="")
    assert response.status_code == 400
    page = lxml.html.fromstring(response.content)
    errors = [e.text_content() for e in page.cssselect(".request-form .error")]
    assert "The visit date is in the past." in errors
    assert "This field is required." in errors
    assert not MaterialRequest.objects.exists()


def test_an_empty_list_cannot_be_sent(client, catalogue):
    response = submit(client)
    assert response.status_code == 400
    assert b"Your request list is empty" in response.content


def test_a_list_over_two_repositories_makes_one_request_each(client, catalogue):
    from tests.requests.conftest import build_catalogue

    other = build_catalogue("mssa", "macdonald")
    other.settings.email_to = "mssa-desk@example.edu"
    other.settings.save()
    fill(client, [catalogue.folders[0], other.folders[0]])
    submit(client)
    assert MaterialRequest.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "mssa-desk@example.edu",
        "reading-room@example.edu",
    ]
