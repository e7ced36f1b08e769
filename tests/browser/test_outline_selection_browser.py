"""In a real browser: an archivist ticks a range of rows with shift-click and moves them all
under another series in one action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.models import Component
from tests.factories import PASSWORD, make_collection, make_repository, make_user, tree_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_shift_click_selects_a_range_that_moves_in_one_action(live_server, page):
    repository = make_repository("beinecke")
    collection = make_collection(repository, "serge", [5, 1])
    make_user("ana", repository=repository)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))

    page.goto(live_server.url + reverse("admin:archive_collection_outline", args=[collection.pk]))
    rows = page.locator("ol.outline[data-reorder='1'] > li.outline-row")
    assert rows.locator("a.outline-title").all_inner_texts() == ["1", "2", "3", "4", "5"]
    rows.nth(1).locator("input.outline-select").click()
    rows.nth(3).locator("input.outline-select").click(modifiers=["Shift"])
    ticked = [rows.nth(i).locator("input.outline-select").is_checked() for i in range(5)]
    assert ticked == [False, True, True, True, False]

    series1 = collection.components.get(title="1")
    page.select_option("#outline-selection select[name=action]", "move")
    page.select_option("#outline-selection select[name=target]", str(series1.pk))
    page.get_by_role("button", name="Apply to the selection").click()
    page.wait_for_load_state()

    assert "Moved 3 components under" in page.locator("ul.messagelist").inner_text()
    assert rows.locator("a.outline-title").all_inner_texts() == ["1", "5"]
    below = list(
        Component.objects.filter(collection=collection, depth=3, path__startswith=series1.path)
        .order_by("path")
        .values_list("title", flat=True)
    )
    assert below == ["1.1", "2", "3", "4"]
    assert tree_problems() == []
