"""The admin's upload -> preview -> import page and the public "Download inventory (CSV)"."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archive.models import Component
from tests.factories import PASSWORD, add_unit, make_repository, make_user, outline
from tests.sheets.conftest import xlsx_bytes

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def page_url(collection) -> str:
    return reverse("admin:archive_collection_spreadsheet", args=[collection.pk])


def upload(client, collection, rows, name="inventory.xlsx", **data):
    sheet = SimpleUploadedFile(name, xlsx_bytes(rows))
    return client.post(page_url(collection), {"sheet": sheet, **data})


def test_the_collection_admin_page_links_to_the_spreadsheet_page(client, collection):
    ana = make_user("ana", repository=collection.repository)
    response = signed_in(client, ana).get(
        reverse("admin:archive_collection_change", args=[collection.pk])
    )
    assert page_url(collection) in response.content.decode()


def test_upload_shows_a_preview_and_import_saves_it(client, collection):
    signed_in(client, make_user("ana", repository=collection.repository))
    response = upload(
        client, collection, [["Level", "Title", "Parent"], ["File", "Letters from Mexico", "ser1"]]
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "would add 1 components" in text
    assert "Letters from Mexico" in text
    assert not collection.components.filter(title="Letters from Mexico").exists()
    token = response.context["token"]
    response = client.post(
        reverse("admin:archive_collection_spreadsheet_import", args=[collection.pk]),
        {"token": token, "name": "inventory.xlsx", "under": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:archive_collection_outline", args=[collection.pk])
    assert outline(collection)[-1] == (3, "Letters from Mexico")
    # the upload is gone: importing it twice is not possible
    again = client.post(
        reverse("admin:archive_collection_spreadsheet_import", args=[collection.pk]),
        {"token": token, "name": "inventory.xlsx"},
        follow=True,
    )
    assert "That upload is gone" in again.content.decode()
    assert collection.components.filter(title="Letters from Mexico").count() == 1


def test_problems_are_listed_on_the_preview_and_nothing_can_be_imported(client, collection):
    signed_in(client, make_user("ana", repository=collection.repository))
    response = upload(client, collection, [["Title", "End"], ["Drafts", "1993-02-30"]])
    text = response.content.decode()
    assert "inventory.xlsx has 1 problem; nothing was saved" in text
    assert "Inventory, row 2, column End: 1993-02-30 is not a date" in text
    assert 'value="Import"' not in text


def test_rows_go_under_the_component_named_in_the_form(client, collection):
    signed_in(client, make_user("ana", repository=collection.repository))
    response = upload(client, collection, [["Title"], ["Postcards"]], under="Series I")
    client.post(
        reverse("admin:archive_collection_spreadsheet_import", args=[collection.pk]),
        {"token": response.context["token"], "name": "x.xlsx", "under": "Series I"},
    )
    assert outline(collection)[-1] == (3, "Postcards")


def test_a_viewer_sees_the_downloads_but_cannot_upload(client, collection):
    viewer = make_user("vic", repository=collection.repository, role="viewer")
    signed_in(client, viewer)
    page = client.get(page_url(collection))
    assert page.status_code == 200 and 'value="Preview"' not in page.content.decode()
    assert upload(client, collection, [["Title"], ["x"]]).status_code == 403
    export = client.get(
        reverse("admin:archive_collection_spreadsheet_export", args=[collection.pk, "csv"])
    )
    assert export.status_code == 200
    assert "Letters, 1936" in export.content.decode("utf-8-sig")


def test_staff_of_another_repository_get_404(client, collection):
    stranger = make_user("sam", repository=make_repository("mssa"))
    signed_in(client, stranger)
    assert client.get(page_url(collection)).status_code == 404
    assert upload(client, collection, [["Title"], ["x"]]).status_code == 404


def test_not_a_spreadsheet_is_refused_on_the_form(client, collection):
    signed_in(client, make_user("ana", repository=collection.repository))
    sheet = SimpleUploadedFile("notes.txt", b"hello")
    response = client.post(page_url(collection), {"sheet": sheet})
    assert "notes.txt is not an .xlsx or .csv file" in response.content.decode()


def test_the_template_downloads(client, collection):
    signed_in(client, make_user("ana", repository=collection.repository))
    response = client.get(
        reverse("admin:archive_collection_spreadsheet_template", args=[collection.pk, "xlsx"])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


# ------------------------------------------------------------------ public inventory


def test_the_public_collection_page_offers_the_inventory_of_public_data_only(client, collection):
    Component.objects.filter(collection=collection).update(published=True)
    add_unit(
        collection.components.get(ref="ser1"), collection, title="Closed file", published=False
    )
    page = client.get(collection.get_absolute_url())
    url = reverse(
        "archive:collection-inventory", args=[collection.repository.code, collection.ead_id]
    )
    assert "Download inventory (CSV)" in page.content.decode()
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["Title"] for r in rows] == ["Correspondence", "Letters, 1936"]
    assert "attachment" in response["Content-Disposition"]


def test_the_inventory_of_an_unpublished_collection_is_404(client, collection):
    url = reverse(
        "archive:collection-inventory", args=[collection.repository.code, collection.ead_id]
    )
    assert client.get(url).status_code == 404
