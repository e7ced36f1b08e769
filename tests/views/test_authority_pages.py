"""Agent and subject pages: linked collections and records, public only, at a fixed cost.

An agent named in one file and one named in hundreds of files across a dozen collections must
cost the same number of queries, on each form of the page (first page, a later page, one
collection's records); and nothing unpublished, under an unpublished unit or in an
unpublished collection may appear, whatever the URL asks for.
"""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from archive import selectors
from archive.models import (
    Agent,
    AgentLink,
    Component,
    Repository,
    Subject,
    SubjectLink,
)
from tests.factories import PagesWorld, build_pages_world, sized_collection
from tests.views.test_pages import assert_accessible_structure, text_of

pytestmark = pytest.mark.django_db

#: Queries of an agent page: the agent, its links, their hidden ancestors, the collections
#: (rows, dates, abstracts), the records (rows, dates), variant names, relations.
AGENT_PAGE_QUERIES = 10
#: A subject page: the same without variant names and relations.
SUBJECT_PAGE_QUERIES = 8
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def queries(client: Client, url: str, **params: object) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


@pytest.fixture
def sizes(db) -> dict[str, tuple[Agent, Subject, int]]:
    """An agent and a subject named once, and a pair named in 300 files of 12 collections.

    Each value is (agent, subject, id of a collection holding their links)."""
    repository = Repository.objects.create(code="scale", name="Scale Repository")
    few_collection = sized_collection(repository, "few", series=1, files_per_series=[3])
    few_agent = Agent.objects.create(agent_type="person", authorized_name="Once, Named")
    few_subject = Subject.objects.create(term="Rarely named")
    unit = Component.objects.get(collection=few_collection, ref="s1f2")
    AgentLink.objects.create(unit=unit, agent=few_agent, role="subject")
    SubjectLink.objects.create(unit=unit, subject=few_subject)

    many_agent = Agent.objects.create(agent_type="person", authorized_name="Often, Named")
    many_subject = Subject.objects.create(term="Often named")
    agent_links, subject_links = [], []
    for n in range(12):
        collection = sized_collection(repository, f"many{n:02d}", series=1, files_per_series=[25])
        for i, unit in enumerate(Component.objects.filter(collection=collection, depth=3)):
            role = "creator" if i % 5 == 0 else "subject"
            agent_links.append(AgentLink(unit=unit, agent=many_agent, role=role))
            subject_links.append(SubjectLink(unit=unit, subject=many_subject))
    AgentLink.objects.bulk_create(agent_links)
    SubjectLink.objects.bulk_create(subject_links)
    return {
        "few": (few_agent, few_subject, few_collection.pk),
        "many": (many_agent, many_subject, collection.pk),
    }


def test_page_with_many_links_costs_the_queries_of_one_with_few(client: Client, sizes):
    counts: dict[str, list[int]] = {}
    for size, (agent, subject, collection_id) in sizes.items():
        counts[size] = [
            queries(client, agent.get_absolute_url())[0],
            queries(client, agent.get_absolute_url(), page=2)[0],
            queries(client, agent.get_absolute_url(), role="subject")[0],
            queries(client, agent.get_absolute_url(), collection=collection_id)[0],
            queries(client, subject.get_absolute_url())[0],
            queries(client, subject.get_absolute_url(), collection=collection_id, page=2)[0],
        ]
    assert counts["few"] == counts["many"]
    a, s = AGENT_PAGE_QUERIES, SUBJECT_PAGE_QUERIES
    assert counts["many"] == [a, a, a, a, s, s]


def test_many_links_are_paged_and_grouped_by_collection(client: Client, sizes):
    agent, _, collection_id = sizes["many"]
    _, first = queries(client, agent.get_absolute_url())
    assert "Found in 12 Collections and/or Records" in first
    assert first.count('class="collection-item"') == selectors.FOUND_IN_PAGE_SIZE
    shown = re.findall(r'class="linked-record"><a href="[^"]+">([^<]+)</a>', first)
    assert shown[: selectors.RECORDS_PER_COLLECTION] == ["File 1.1", "File 1.2", "File 1.3"]
    assert first.count("See all 25 linked records in this collection") == 10
    _, second = queries(client, agent.get_absolute_url(), page=2)
    assert second.count('class="collection-item"') == 2
    assert "many10 papers" in second and "many11 papers" in second

    response = client.get(agent.get_absolute_url(), {"collection": collection_id})
    assert_accessible_structure(response)
    text = text_of(response)
    assert "25 linked records in this collection" in text
    assert "All 12 collections" in text
    html = response.content.decode()
    records = re.findall(r'class="linked-record"><a href="([^"]+)">([^<]+)</a>', html)
    assert [title for _, title in records] == [f"File 1.{i}" for i in range(1, 26)]
    assert (
        records[0][0]
        == Component.objects.get(collection_id=collection_id, ref="s1f1").get_absolute_url()
    )
    # Roles as the links record them: every fifth file has its creator.
    assert text.count("Creator") >= 5


@pytest.fixture
def world(db) -> PagesWorld:
    w = build_pages_world()
    # Named also in the unpublished file; the world already names agent and subject under the
    # unpublished series and in the unpublished collection.
    AgentLink.objects.create(unit=w.file12_hidden, agent=w.agent, role="subject")
    SubjectLink.objects.create(unit=w.file12_hidden, subject=w.subject)
    SubjectLink.objects.create(unit=w.file21_under_hidden, subject=w.subject)
    return w


def test_nothing_unpublished_reaches_an_agent_or_subject_page(client: Client, world: PagesWorld):
    hidden_titles = [
        "HIDDEN FILE",
        "HIDDEN SERIES",
        "File under a hidden series",
        "HIDDEN COLLECTION",
        "GEN MSS 999",
        "HIDDEN AGENT",
    ]
    for record in (world.agent, world.subject):
        url = record.get_absolute_url()
        for params in (
            {},
            {"collection": world.papers.pk},
            {"collection": world.hidden.pk},
            {"collection": world.papers.pk, "role": "source"},
            {"role": "source"},
        ):
            response = client.get(url, params)
            assert response.status_code == 200
            page = response.content.decode()
            for title in hidden_titles:
                assert title not in page, (url, params, title)
    agent_page = text_of(client.get(world.agent.get_absolute_url()))
    assert "Letters to Trotsky" in agent_page and "Serge, Victor" in agent_page
    assert "Found in 2 Collections and/or Records" in agent_page


def test_agent_page_lists_records_with_their_roles(client: Client, world: PagesWorld):
    response = client.get(world.agent.get_absolute_url(), {"collection": world.papers.pk})
    page = response.content.decode()
    record = re.search(r'<li class="linked-record">(.*?)</li>', page, re.S)
    assert record is not None
    assert world.file11.get_absolute_url() in record.group(1)
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", record.group(1))).split() == [
        *"Letters to Trotsky File · 1936-1938 Subject".split()
    ]


def test_agent_json_ld_is_valid_and_public_only(client: Client, world: PagesWorld):
    page = client.get(world.agent.get_absolute_url()).content.decode()
    blocks = JSON_LD.findall(page)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Person"
    assert data["name"] == world.agent.authorized_name
    assert data["birthDate"] == "1890-12-30" and data["deathDate"] == "1947-11-17"
    assert data["alternateName"] == ["Kibalchich, Victor Lvovich"]
    for hidden in ("HIDDEN", "GEN MSS 999", "File under a hidden series"):
        assert hidden not in blocks[0]
