"""The public pages over the demo data (fixtures/demo.json): the Serge and Macdonald papers."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from archive.models import Agent, Collection, Component
from archive.visibility import public_units
from tests.views.test_pages import assert_accessible_structure, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db) -> None:
    call_command("loaddata", "demo", verbosity=0)


def test_victor_serge_agent_page(client, demo):
    serge = Agent.objects.get(existence_begin="1890-12-30")
    response = client.get(serge.get_absolute_url())
    assert response.status_code == 200
    text = text_of(response)
    assert "Existence: 1890-12-30 - 1947-11-17" in text
    assert "Found in 2 Collections and/or Records" in text
    html = response.content.decode()
    listed = re.findall(r'<span class="call-number">([^<]+)</span>', html)
    assert sorted(listed) == ["GEN MSS 238", "MS 730"]
    titles = re.findall(r'<h3 class="collection-item__title"><a href="([^"]+)">', html)
    assert sorted(titles) == sorted(c.get_absolute_url() for c in Collection.objects.all())
    assert_accessible_structure(response)


def test_victor_serge_on_the_names_page(client, demo):
    serge = Agent.objects.get(existence_begin="1890-12-30")
    response = client.get(reverse("archive:agents"), {"letter": "S", "type": "person"})
    html = response.content.decode()
    entry = re.search(
        rf'<li class="browse-entry"><a href="{re.escape(serge.get_absolute_url())}">'
        r"([^<]+)</a>.*?Found in (\d+) collections?<",
        html,
    )
    assert entry, "Victor Serge is listed under S"
    assert entry.group(1) == serge.authorized_name
    assert entry.group(2) == "2"  # the same count as his agent page
    assert_accessible_structure(response)


def test_every_public_demo_page_renders(client, demo):
    assert client.get("/").status_code == 200
    for collection in Collection.objects.all():
        response = client.get(collection.get_absolute_url())
        assert response.status_code == 200
        assert_accessible_structure(response)
    for unit in public_units(Component.objects.filter(depth__gt=1)).select_related(
        "collection__repository"
    ):
        response = client.get(unit.get_absolute_url())
        assert response.status_code == 200, unit.get_absolute_url()
        assert unit.display_title in text_of(response)
    for name in ("archive:agents", "archive:subjects"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert_accessible_structure(response)
    for agent in Agent.objects.filter(published=True):
        assert client.get(agent.get_absolute_url()).status_code == 200
