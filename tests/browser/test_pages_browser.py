"""The public pages in a real browser: a reader's path through the demo data, and axe-core.

Runs in the normal suite (marked ``browser``); see conftest.py for how Chromium and axe-core
are found.
"""

from __future__ import annotations

import re

import pytest

from archive.models import Agent, Collection
from tests.browser.conftest import screenshot, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_narrow_open_hit_expand_outline_and_agent_page(page, demo_site):
    # Search from the home page's box.
    page.goto(demo_site + "/")
    page.get_by_label("Search every collection, series, file and name").fill("Serge")
    page.get_by_label("Search every collection, series, file and name").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?"))
    hits = page.locator(".search-hit")
    assert hits.count() > 0
    screenshot(page, "search")

    # Narrow with a facet: the first value of the repository facet.
    facet = page.locator(".search-facets section").filter(has_text="Repository").locator("a")
    label = facet.first.inner_text()
    facet.first.click()
    page.wait_for_load_state()
    assert "Remove filter" in page.content()
    assert page.locator(".search-hit").count() > 0
    screenshot(page, "search-narrowed")
    assert label

    # Open a hit.
    page.locator(".search-hit__title a").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").count() == 1
    screenshot(page, "hit")

    # Go to the Serge papers and expand the first series of the outline with the keyboard.
    serge = Collection.objects.get(ead_id="beinecke.serge")
    page.goto(demo_site + serge.get_absolute_url())
    toggle = page.locator(".outline button.outline__toggle").first
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.outline button.outline__toggle')"
        ".getAttribute('aria-expanded') === 'true'"
    )
    controlled = page.locator("#" + toggle.get_attribute("aria-controls"))
    assert controlled.is_visible()
    assert controlled.locator("li.outline__node").count() > 0
    screenshot(page, "collection-outline-expanded")
    # Collapse again.
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "false"

    # Victor Serge's agent page, through the creator link.
    page.get_by_role("link", name="Serge, Victor, 1890-1947").first.click()
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "Existence: 1890-12-30 - 1947-11-17" in body
    assert "Found in 2 Collections and/or Records" in body
    assert "GEN MSS 238" in body and "MS 730" in body
    screenshot(page, "agent-victor-serge")


def test_no_serious_accessibility_violations(page, demo_site, axe_script):
    serge_papers = Collection.objects.get(ead_id="beinecke.serge")
    component = serge_papers.components.filter(depth=3, published=True).order_by("path").first()
    serge = Agent.objects.get(existence_begin="1890-12-30")
    pages = {
        "home": "/",
        "search": "/search/?q=Trotsky",
        "collection": serge_papers.get_absolute_url(),
        "component": component.get_absolute_url(),
        "agent": serge.get_absolute_url(),
        "names": "/agents/",
        "subjects": "/subjects/",
    }
    failures = {}
    for name, path in pages.items():
        page.goto(demo_site + path)
        page.wait_for_load_state()
        screenshot(page, f"axe-{name}")
        found = serious_violations(page, axe_script)
        if found:
            failures[name] = found
    assert failures == {}
