"""In a real browser: an archivist uploads a sheet, reads the preview, imports it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, add_unit, make_collection, make_repository, make_user
from tests.sheets.conftest import xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_preview_import(live_server, page, tmp_path):
    beinecke = make_repository("beinecke")
    collection = make_collection(beinecke, "serge", [])
    add_unit(
        collection.components.get(depth=1),
        collection,
        title="Correspondence",
        level="series",
        ref="ser1",
    )
    make_user("ana", repository=beinecke)
    sheet = tmp_path / "inventory.xlsx"
    sheet.write_bytes(
        xlsx_bytes(
            [
                ["Level", "Title", "Begin", "End", "Box", "Folder", "Parent"],
                ["File", "Letters from Mexico", "1941", "1947", "3", "1", "ser1"],
                ["File", "Letters to Gide", "1936", "1936", "3", "2", "ser1"],
            ]
        )
    )
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.goto(live_server.url + reverse("admin:archive_collection_change", args=[collection.pk]))
    page.click("text=Spreadsheet")
    page.set_input_files("input[name=sheet]", str(sheet))
    page.click("input[value=Preview]")
    assert "would add 2 components" in page.inner_text("#content-main")
    assert page.locator("table >> text=Letters to Gide").count() == 1
    assert not collection.components.filter(title="Letters to Gide").exists()
    page.click("input[value=Import]")
    page.wait_for_url("**/outline/")
    assert "added 2 components" in page.inner_text(".messagelist")
    assert list(
        collection.components.filter(depth=3).order_by("path").values_list("title", flat=True)
    ) == ["Letters from Mexico", "Letters to Gide"]
