"""In a real browser: a researcher searches, adds material to a request from the results and
from a component page, reads the list grouped by container and sends it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail

from archive.models import Collection, MaterialRequest, RequestSettings
from tests.browser.conftest import screenshot, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_add_to_request_and_submit(page, demo_site, axe_script):
    serge = Collection.objects.get(ead_id="beinecke.serge")
    RequestSettings.objects.create(
        repository=serge.repository, email_enabled=True, email_to="reading-room@example.edu"
    )
    # Within the Serge papers: the same request must go to one repository (the Macdonald
    # papers, at another, mention Serge too, and rank first on some databases).
    page.goto(demo_site + f"/search/?q=Serge&within={serge.pk}")
    adds = page.locator(".search-hit form.request-add button")
    assert adds.count() > 0
    adds.first.click()
    page.wait_for_url(re.compile(r"/search/\?q=Serge"))
    assert page.locator(".search-hit .request-add--added").count() == 1

    # A second unit from a component page (the first one in the outline of the papers).
    page.goto(demo_site + serge.get_absolute_url())
    page.locator(".outline__node a").first.click()
    page.wait_for_load_state()
    page.locator(".record-head form.request-add button").click()
    page.wait_for_load_state()
    page.locator(".record-head .request-add--added").click()
    page.wait_for_url(re.compile(r"/requests/$"))
    units = page.locator(".request-line__units > li")
    assert units.count() == 2
    screenshot(page, "request-list")
    assert serious_violations(page, axe_script) == []

    visit = datetime.date.today() + datetime.timedelta(days=7)
    page.get_by_label("Name").fill("Ana Researcher")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Visit date").fill(visit.isoformat())
    page.get_by_label("Notes").fill("Morning, please.")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url(re.compile(r"/requests/sent/$"))
    assert page.locator("h1").inner_text() == "Request sent"
    assert "The reading room has been sent your request." in page.content()
    screenshot(page, "request-sent")

    stored = MaterialRequest.objects.filter(repository=serge.repository).get()
    assert (stored.name, stored.visit_date, stored.items.count()) == ("Ana Researcher", visit, 2)
    assert [m.to for m in mail.outbox] == [["reading-room@example.edu"]]
