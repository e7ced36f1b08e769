"""Under the Content-Security-Policy, in a real browser: nothing is refused, the outlines expand.

The policy allows scripts from the site only and no inline code; if any page or the Django
admin still relied on an inline script, handler or style attribute, Chromium would refuse it
and say so on the console ("Refused to ... because it violates the following Content Security
Policy directive") and fire a ``securitypolicyviolation`` event. Both are collected here.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.models import Agent, Collection, Component
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Added before any page script runs, through the DevTools protocol (so the policy does not
# apply to it): records every violation the page reports.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline")
    + " at " + (event.sourceFile || document.location.pathname) + ":" + event.lineNumber);
});
"""


@pytest.fixture
def watched_page(page):
    """The page, with the console's CSP messages and the violation events collected."""
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)
    page.csp_console = console
    return page


def violations(page) -> list[str]:
    return page.csp_console + page.evaluate("() => window.__cspViolations || []")


def test_public_pages_run_under_the_policy_and_the_outline_expands(watched_page, demo_site):
    page = watched_page
    serge = Collection.objects.get(ead_id="beinecke.serge")
    page.goto(demo_site + serge.get_absolute_url())
    response_headers = page.evaluate(
        "async () => Object.fromEntries((await fetch(location.href)).headers)"
    )
    assert "script-src 'self'" in response_headers["content-security-policy"]

    # The lazy outline: outline.js unhides the toggles and loads children on first opening.
    toggle = page.locator(".outline button.outline__toggle").first
    assert toggle.is_visible()
    toggle.click()
    page.wait_for_function(
        "() => document.querySelector('.outline button.outline__toggle')"
        ".getAttribute('aria-expanded') === 'true'"
    )
    children = page.locator("#" + toggle.get_attribute("aria-controls"))
    assert children.locator("li.outline__node").count() > 0
    screenshot(page, "csp-collection-outline")

    component = serge.components.filter(depth=3, published=True).order_by("path").first()
    agent = Agent.objects.get(existence_begin="1890-12-30")
    for path in (
        "/",
        "/search/?q=Serge",
        serge.get_absolute_url() + "?print=1",
        component.get_absolute_url(),
        agent.get_absolute_url(),
    ):
        page.goto(demo_site + path)
        page.wait_for_load_state()
        assert violations(page) == [], path
    assert violations(page) == []


def test_the_admin_runs_under_the_policy_and_its_outline_expands(watched_page, demo_site):
    page = watched_page
    make_user("curator", superuser=True)
    page.goto(demo_site + reverse("admin:login"))
    page.fill("input[name=username]", "curator")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(demo_site + reverse("admin:index"))
    assert violations(page) == []

    serge = Collection.objects.get(ead_id="beinecke.serge")
    page.goto(demo_site + reverse("admin:archive_collection_outline", args=[serge.pk]))
    opener = page.locator("a.outline-open[data-children]").first
    row = page.locator("li.outline-row", has=opener).first
    opener.click()
    page.wait_for_function(
        "() => document.querySelector('a.outline-open[data-children]')"
        ".getAttribute('aria-expanded') === 'true'"
    )
    row.locator("ol.outline > li.outline-row").first.wait_for()
    assert row.locator("ol.outline > li.outline-row").count() > 0
    screenshot(page, "csp-admin-outline")
    assert violations(page) == []

    # A change form saved through the browser (so its history page has a list to show).
    component = Component.objects.filter(collection=serge, depth=2).order_by("path").first()
    page.goto(demo_site + reverse("admin:archive_component_change", args=[component.pk]))
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").count() == 1
    assert violations(page) == []

    # The other kinds of admin page, with Django's own scripts: autocomplete widgets,
    # inlines, prepopulated slugs, the change list's actions, the history list.
    agent = Agent.objects.get(existence_begin="1890-12-30")
    for name, args in (
        ("admin:archive_collection_changelist", []),
        ("admin:archive_component_change", [component.pk]),
        ("admin:archive_component_history", [component.pk]),
        ("admin:archive_agent_change", [agent.pk]),
        ("admin:archive_importjob_import", []),
        ("admin:archive_importjob_changelist", []),
    ):
        page.goto(demo_site + reverse(name, args=args))
        page.wait_for_load_state()
        assert page.locator("#content").count() == 1
        assert violations(page) == [], name
