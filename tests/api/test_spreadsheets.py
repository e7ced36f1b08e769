"""Spreadsheets through the API: the admin's engine and rules, answered as JSON or files."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from archive.models import Component
from archive.sheets.columns import COLUMNS
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def sheet(rows: list[dict[str, str]]) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["Level", "Title", "Date", "End", "Box", "Published"])
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("folders.csv", out.getvalue().encode(), content_type="text/csv")


def post(client, world, token, rows, **fields):
    url = f"/api/collections/{world.serge.pk}/spreadsheet"
    headers = bearer(token) if token else {}
    return client.post(url, {"file": sheet(rows), **fields}, **headers)


FOLDERS = [
    {"Level": "file", "Title": f"Folder {n}", "Date": "1936", "Box": "9", "Published": "Yes"}
    for n in range(1, 4)
]


def test_an_archivist_imports_a_clean_sheet(client, world):
    response = post(client, world, world.ana, FOLDERS, under=str(world.public_series.pk))

    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body["ok"] and body["created"] == 3 and body["problems"] == []
    titles = list(
        Component.objects.filter(
            path__startswith=world.public_series.path, depth=world.public_series.depth + 1
        )
        .order_by("path")
        .values_list("title", flat=True)
    )
    assert titles[-3:] == ["Folder 1", "Folder 2", "Folder 3"]


def test_a_sheet_with_problems_answers_422_with_each_problem_and_saves_nothing(client, world):
    before = Component.objects.count()
    rows = [*FOLDERS, {"Level": "file", "Title": "Bad", "End": "1993-02-30", "Published": "Yes"}]

    response = post(client, world, world.ana, rows)

    assert response.status_code == 422
    body = json.loads(response.content)
    assert body["code"] == "sheet_problems" and "nothing was saved" in body["message"]
    [problem] = body["problems"]
    assert problem["row"] == 5 and problem["column"] == "End"
    assert "1993-02-30" in problem["message"]
    assert Component.objects.count() == before


def test_a_dry_run_reports_and_saves_nothing(client, world):
    before = Component.objects.count()
    response = post(client, world, world.ana, FOLDERS, dry_run="true")
    body = json.loads(response.content)
    assert response.status_code == 200 and body["dry_run"] and body["created"] == 3
    assert Component.objects.count() == before


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("vic", 403), ("bob", 403)])
def test_who_may_import(client, world, who, status):
    # A viewer of the repository, and an archivist of another one, may read but not change.
    token = getattr(world, who) if who else None
    before = Component.objects.count()
    response = post(client, world, token, FOLDERS)
    assert response.status_code == status
    assert set(json.loads(response.content)) == {"code", "message"}
    assert Component.objects.count() == before


def _export(client, world, token=None, **params):
    headers = bearer(token) if token else {}
    url = f"/api/collections/{world.serge.pk}/spreadsheet.csv"
    return client.get(url, params, **headers)


def test_the_public_export_holds_public_rows_only(client, world):
    response = _export(client, world)

    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "Correspondence" in text and "Letter 7" in text
    assert "Restricted series" not in text and "Medical records" not in text
    header = next(csv.reader(io.StringIO(text)))
    assert header[0] == COLUMNS[0].header


def test_staff_ask_for_the_whole_collection_and_strangers_get_the_public_one(client, world):
    staff = _export(client, world, world.ana, internal="true").content.decode("utf-8-sig")
    stranger = _export(client, world, world.bob, internal="true").content.decode("utf-8-sig")
    assert "Medical records" in staff and "Machine id" in staff
    assert "Medical records" not in stranger


def test_an_unpublished_collection_is_not_exported_to_the_public(client, world):
    url = f"/api/collections/{world.draft.pk}/spreadsheet.xlsx"
    assert client.get(url).status_code == 404
    response = client.get(url, {"internal": "true"}, **bearer(world.ana))
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_another_repositorys_unpublished_collection_is_not_found(client, world):
    url = f"/api/collections/{world.draft.pk}/spreadsheet"
    response = client.post(url, {"file": sheet(FOLDERS)}, **bearer(world.bob))
    assert response.status_code == 404
