"""In a real browser: an archivist catalogues, moves and publishes; another repository can't see.

Uses Chromium through Playwright against pytest-django's live server. The browser comes from
PLAYWRIGHT_CHROMIUM (default: Playwright's own, else /usr/bin/chromium); a missing browser is
a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.urls import reverse

from archive.models import Component
from tests.factories import PASSWORD, make_collection, make_repository, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium_page():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("PLAYWRIGHT_CHROMIUM") or shutil.which("chromium")
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch()
        except Exception:
            if not executable:
                pytest.fail("No Chromium found: install one or set PLAYWRIGHT_CHROMIUM.")
            browser = p.chromium.launch(executable_path=executable)
        page = browser.new_page()
        yield page
        browser.close()


def sign_in(page, live_server, username):
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))


def add_component(page, title, level):
    page.fill("textarea[name=title], input[name=title]", title)
    page.select_option("select[name=level]", level)
    page.click("input[name=_save]")


def test_archivist_adds_moves_and_publishes(live_server, chromium_page):
    beinecke, mssa = make_repository("beinecke"), make_repository("mssa")
    coll = make_collection(beinecke, "serge", [])
    root = coll.root
    root.title, root.published = "Victor Serge papers", True
    root.save()
    make_user("ana", repository=beinecke)
    make_user("bob", repository=mssa)
    page = chromium_page

    sign_in(page, live_server, "ana")
    page.goto(live_server.url + reverse("admin:archive_collection_outline", args=[coll.pk]))
    # A series under the collection, and a file that first lands beside it.
    page.click("text=Add a child")
    add_component(page, "Correspondence", "series")
    page.click("text=Add a child")
    add_component(page, "Letters from André Gide", "file")
    series = Component.objects.get(title="Correspondence")
    letters = Component.objects.get(title="Letters from André Gide")
    assert letters.depth == 2

    # Move the file into the series, through the Move page.
    page.goto(live_server.url + reverse("admin:archive_collection_outline", args=[coll.pk]))
    page.locator("li.outline-row", has_text="Letters from André Gide").locator("text=Move…").click()
    page.check(f"input[name=target][value='{series.pk}']")
    page.click("text=Move here")
    letters.refresh_from_db()
    assert letters.depth == 3 and letters.path.startswith(series.path)

    # Publish the series with everything below it, from its row in the outline.
    page.goto(live_server.url + reverse("admin:archive_collection_outline", args=[coll.pk]))
    page.locator("li.outline-row", has_text="Correspondence").get_by_role(
        "button", name="Publish"
    ).click()
    page.wait_for_load_state()
    letters.refresh_from_db()
    assert letters.published

    page.goto(f"{live_server.url}/collections/beinecke/serge/")
    assert "Correspondence" in page.content()
    page.goto(f"{live_server.url}/collections/beinecke/serge/{series.ref}/")
    assert "Letters from André Gide" in page.content()

    # Another repository's archivist does not see it in the admin.
    page.context.clear_cookies()
    sign_in(page, live_server, "bob")
    page.goto(live_server.url + reverse("admin:archive_collection_changelist"))
    assert "Victor Serge papers" not in page.content()
    page.goto(live_server.url + reverse("admin:archive_component_changelist") + "?q=Correspondence")
    assert "Correspondence" not in page.locator("#result_list, #changelist").inner_text()
    response = page.goto(
        live_server.url + reverse("admin:archive_collection_outline", args=[coll.pk])
    )
    assert response.status == 404


def test_archivist_reorders_series_by_dragging(live_server, chromium_page):
    """Drag the third series above the first, save: the new order is stored and shown."""
    repo = make_repository("beinecke")
    coll = make_collection(repo, "serge", [3])
    make_user("ana", repository=repo)
    page = chromium_page

    sign_in(page, live_server, "ana")
    page.goto(live_server.url + reverse("admin:archive_collection_outline", args=[coll.pk]))
    rows = page.locator("ol.outline[data-reorder='1'] > li.outline-row")
    assert rows.locator("a.outline-title").all_inner_texts() == ["1", "2", "3"]

    rows.nth(2).drag_to(rows.nth(0))
    # The rows moved on the page and the position boxes were renumbered before saving.
    assert rows.locator("a.outline-title").all_inner_texts() == ["3", "1", "2"]
    assert [rows.nth(i).locator("input[name^='pos-']").input_value() for i in range(3)] == [
        "1",
        "2",
        "3",
    ]
    page.get_by_role("button", name="Save order").click()
    page.wait_for_load_state()

    titles = list(
        Component.objects.filter(collection=coll, depth=2)
        .order_by("path")
        .values_list("title", flat=True)
    )
    assert titles == ["3", "1", "2"]
    page.goto(live_server.url + reverse("admin:archive_collection_outline", args=[coll.pk]))
    assert rows.locator("a.outline-title").all_inner_texts() == ["3", "1", "2"]
