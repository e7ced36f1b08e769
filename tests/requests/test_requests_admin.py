"""Staff follow requests in the admin: their repositories' only, with status changes, filters
and the pull list (CSV by box and location)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from archive.models import MaterialRequest, RequestSettings
from archive.requests.submit import request_submit
from tests.factories import PASSWORD, make_repository, make_user
from tests.requests.conftest import build_catalogue

pytestmark = pytest.mark.django_db

VISIT = datetime.date.today() + datetime.timedelta(days=3)


@pytest.fixture
def sent(catalogue):
    (request,) = request_submit(
        unit_ids=[u.pk for u in reversed(catalogue.folders)] + [catalogue.loose.pk],
        name="Ana Researcher",
        email="ana@example.org",
        visit_date=VISIT,
    )
    return request


def login(client, username, **kwargs):
    make_user(username, **kwargs)
    client.login(username=username, password=PASSWORD)
    return client


def test_staff_of_another_repository_do_not_see_the_request(client, catalogue, sent):
    login(client, "olga", repository=make_repository("mssa"))
    listing = client.get(reverse("admin:archive_materialrequest_changelist"))
    assert listing.status_code == 200
    assert b"Ana Researcher" not in listing.content
    change = client.get(reverse("admin:archive_materialrequest_change", args=[sent.pk]))
    assert change.status_code in (302, 404)
    assert b"Ana Researcher" not in change.content


def test_staff_of_the_repository_see_it_and_mark_it_retrieved(client, catalogue, sent):
    login(client, "ana", repository=catalogue.repository)
    listing = client.get(reverse("admin:archive_materialrequest_changelist"))
    assert b"Ana Researcher" in listing.content
    client.post(
        reverse("admin:archive_materialrequest_changelist"),
        {"action": "mark_retrieved", "_selected_action": [sent.pk]},
    )
    sent.refresh_from_db()
    assert sent.status == "retrieved"
    filtered = client.get(
        reverse("admin:archive_materialrequest_changelist"), {"status__exact": "new"}
    )
    assert b"Ana Researcher" not in filtered.content


def test_a_viewer_cannot_change_the_status(client, catalogue, sent):
    login(client, "vic", repository=catalogue.repository, role="viewer")
    client.post(
        reverse("admin:archive_materialrequest_changelist"),
        {"action": "mark_cancelled", "_selected_action": [sent.pk]},
    )
    sent.refresh_from_db()
    assert sent.status == "new"


def test_pull_list_is_sorted_by_box_and_location(client, catalogue, sent):
    login(client, "ana", repository=catalogue.repository)
    response = client.post(
        reverse("admin:archive_materialrequest_changelist"),
        {"action": "download_pull_list", "_selected_action": [sent.pk]},
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 41
    # Box 4 (no location) first, then the unboxed photograph, then Box 3 at its location.
    containers = [r["Container"] for r in rows]
    assert containers[:15] == ["Box 4"] * 15
    assert containers[15] == ""
    assert containers[16:] == ["Box 3"] * 25
    assert [r["Folder"] for r in rows[16:19]] == ["Folder 1", "Folder 2", "Folder 3"]
    assert rows[16]["Location"] == "Vault 2, shelf 7" and rows[0]["Barcode"] == "39002"
    assert rows[16]["Call number"] == "GEN MSS 238"
    assert rows[16]["Access note"] == "Closed until 2030 by the donor."


def test_repository_filter_offers_only_the_users_repositories(client, catalogue, sent):
    build_catalogue("mssa", "macdonald")
    login(client, "ana", repository=catalogue.repository)
    listing = client.get(reverse("admin:archive_materialrequest_changelist"))
    assert b"Repository beinecke" in listing.content
    assert b"Repository mssa" not in listing.content


def test_settings_refuse_unknown_aeon_values_and_script_urls(client, catalogue):
    login(client, "mgr", repository=catalogue.repository, role="manager")
    response = client.post(
        reverse("admin:archive_requestsettings_change", args=[catalogue.settings.pk]),
        {
            "repository": catalogue.repository.pk,
            "email_enabled": "on",
            "email_to": "desk@example.edu",
            "aeon_enabled": "on",
            "aeon_url": "javascript:alert(1)",
            "aeon_method": "POST",
            "aeon_fields": '{"ItemTitle": "secret_field"}',
        },
    )
    assert response.status_code == 200
    assert b"secret_field" in response.content and b"is not a Fonds value" in response.content
    catalogue.settings.refresh_from_db()
    assert catalogue.settings.email_to == "reading-room@example.edu"


def test_archivists_may_not_change_where_requests_go(client, catalogue):
    login(client, "ana", repository=catalogue.repository)
    client.post(
        reverse("admin:archive_requestsettings_change", args=[catalogue.settings.pk]),
        {
            "repository": catalogue.repository.pk,
            "email_enabled": "on",
            "email_to": "me@x.org",
            "aeon_method": "POST",
            "aeon_fields": "{}",
        },
    )
    assert RequestSettings.objects.get().email_to == "reading-room@example.edu"
    assert MaterialRequest.objects.count() == 0
