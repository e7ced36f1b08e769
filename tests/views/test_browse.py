"""The Names and Subjects browse pages (archive.views.agents / subjects, selectors.*_browse).

They list what the ArchivesSpace public interface lists under "Names" and "Subjects": only
published records found in at least one public unit through a published link, A-Z, with the
number of public collections each is found in.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive import selectors
from archive.models import Agent, AgentLink, Collection, Subject, SubjectLink
from tests.factories import PagesWorld, add_unit, build_pages_world
from tests.views.test_pages import assert_accessible_structure, text_of

pytestmark = pytest.mark.django_db

MAX_BROWSE_QUERIES = 8


@pytest.fixture
def world(db) -> PagesWorld:
    w = build_pages_world()
    # Agents of the other kinds, and names that exercise the jump bar and the sort.
    family = Agent.objects.create(agent_type="family", authorized_name="Rusakov family")
    AgentLink.objects.create(unit=w.file11, agent=family, role="subject")
    body = Agent.objects.create(agent_type="corporate", authorized_name="Communist Party")
    AgentLink.objects.create(unit=w.series1, agent=body, role="subject")
    lower = Agent.objects.create(agent_type="person", authorized_name="de Gaulle, Charles")
    AgentLink.objects.create(unit=w.file11, agent=lower, role="subject")
    accented = Agent.objects.create(agent_type="person", authorized_name="Éluard, Paul")
    AgentLink.objects.create(unit=w.file11, agent=accented, role="subject")
    # Each hidden a different way: only behind an unpublished file, a file under an
    # unpublished series, an unpublished collection, an unpublished link; unpublished itself.
    for name, unit in [
        ("HIDDEN FILE AGENT", w.file12_hidden),
        ("HIDDEN SERIES AGENT", w.file21_under_hidden),
        ("HIDDEN COLLECTION AGENT", w.hidden.root),
    ]:
        agent = Agent.objects.create(agent_type="person", authorized_name=name)
        AgentLink.objects.create(unit=unit, agent=agent, role="creator")
    unpublished = Agent.objects.create(
        agent_type="person", authorized_name="UNPUBLISHED AGENT", published=False
    )
    AgentLink.objects.create(unit=w.file11, agent=unpublished, role="subject")

    place = Subject.objects.create(term="Mexico", subject_type="geographic", source="lcsh")
    SubjectLink.objects.create(unit=w.file11, subject=place)
    for term, unit in [
        ("HIDDEN FILE SUBJECT", w.file12_hidden),
        ("HIDDEN SERIES SUBJECT", w.file21_under_hidden),
        ("HIDDEN COLLECTION SUBJECT", w.hidden.root),
    ]:
        SubjectLink.objects.create(unit=unit, subject=Subject.objects.create(term=term))
    SubjectLink.objects.create(
        unit=w.file11,
        subject=Subject.objects.create(term="HIDDEN LINK SUBJECT"),
        published=False,
    )
    SubjectLink.objects.create(
        unit=w.file11,
        subject=Subject.objects.create(term="UNPUBLISHED SUBJECT", published=False),
    )
    return w


def entries(response) -> list[tuple[str, str]]:
    """(name, "Found in ...") of each listed entry, in page order."""
    html = response.content.decode()
    return [
        (html_lib.unescape(name), count)
        for name, count in re.findall(
            r'<li class="browse-entry"><a href="[^"]+">(.*?)</a>.*?'
            r'<span class="count">(Found in \d+ collections?)</span>',
            html,
        )
    ]


def add_agents(n: int, *, unit, prefix: str = "Person") -> None:
    agents = Agent.objects.bulk_create(
        Agent(agent_type="person", authorized_name=f"{prefix} {i:03d}", slug=f"{prefix}-{i:03d}")
        for i in range(1, n + 1)
    )
    AgentLink.objects.bulk_create(AgentLink(unit=unit, agent=a, role="subject") for a in agents)


# --------------------------------------------------------------------------- names


def test_names_page_lists_public_agents_a_to_z_with_collection_counts(client, world: PagesWorld):
    response = client.get(reverse("archive:agents"))
    assert response.status_code == 200
    assert entries(response) == [
        ("Communist Party", "Found in 1 collection"),
        ("de Gaulle, Charles", "Found in 1 collection"),
        ("Example, Victor, 1890-1947", "Found in 2 collections"),
        ("Rusakov family", "Found in 1 collection"),
        ("Éluard, Paul", "Found in 1 collection"),
    ]
    html = response.content.decode()
    assert world.agent.get_absolute_url() in html
    text = text_of(response)
    assert "5 names" in text
    assert "HIDDEN" not in text and "UNPUBLISHED" not in text
    # Linked only through an unpublished link.
    assert "Roussakova" not in text
    assert_accessible_structure(response)


def test_names_count_matches_the_agent_page(client, world: PagesWorld):
    listed = dict(entries(client.get(reverse("archive:agents"))))
    agent_page = text_of(client.get(world.agent.get_absolute_url()))
    assert listed["Example, Victor, 1890-1947"] == "Found in 2 collections"
    assert "Found in 2 Collections and/or Records" in agent_page


def test_names_filter_by_agent_type(client, world: PagesWorld):
    url = reverse("archive:agents")
    assert [n for n, _ in entries(client.get(url, {"type": "family"}))] == ["Rusakov family"]
    assert [n for n, _ in entries(client.get(url, {"type": "corporate"}))] == ["Communist Party"]
    people = [n for n, _ in entries(client.get(url, {"type": "person"}))]
    assert people == ["de Gaulle, Charles", "Example, Victor, 1890-1947", "Éluard, Paul"]
    # An unknown type is ignored, not an error.
    assert len(entries(client.get(url, {"type": "robot"}))) == 5


def test_names_letter_jump(client, world: PagesWorld):
    url = reverse("archive:agents")
    response = client.get(url)
    html = response.content.decode()
    # Letters with entries are links; the others are not.
    for letter in "CDER#":
        assert re.search(rf'<a href="\?letter=[^"]+"[^>]*>{re.escape(letter)}</a>', html), letter
    assert re.search(r'<span class="letter-bar__empty" aria-disabled="true">Z</span>', html)
    assert '<nav class="letter-bar" aria-label="Jump to a letter">' in html

    assert [n for n, _ in entries(client.get(url, {"letter": "E"}))] == [
        "Example, Victor, 1890-1947"
    ]
    # Case of the name does not matter: "de Gaulle" is under D.
    assert [n for n, _ in entries(client.get(url, {"letter": "d"}))] == ["de Gaulle, Charles"]
    # Names outside A-Z are under "#".
    assert [n for n, _ in entries(client.get(url, {"letter": "#"}))] == ["Éluard, Paul"]
    assert entries(client.get(url, {"letter": "Z"})) == []
    # Type and letter combine.
    assert entries(client.get(url, {"letter": "E", "type": "family"})) == []


def test_names_jump_bar_follows_the_type_filter(client, world: PagesWorld):
    html = client.get(reverse("archive:agents"), {"type": "family"}).content.decode()
    assert re.search(r">R</a>", html)
    assert re.search(r'aria-disabled="true">E</span>', html)


def test_names_are_paginated_fifty_a_page(client, world: PagesWorld):
    add_agents(120, unit=world.file11)
    url = reverse("archive:agents")
    first = entries(client.get(url, {"letter": "P"}))
    assert [n for n, _ in first] == [f"Person {i:03d}" for i in range(1, 51)]
    response = client.get(url, {"letter": "P", "page": 3})
    assert [n for n, _ in entries(response)] == [f"Person {i:03d}" for i in range(101, 121)]
    text = text_of(response)
    assert "Page 3 of 3" in text and "120 names under P" in text
    # The pager keeps the letter.
    assert "letter=P&amp;page=2" in response.content.decode()
    everything = entries(client.get(url, {"page": 2}))
    assert len(everything) == 50


def test_names_page_costs_the_same_queries_for_few_and_many_agents(
    client, world: PagesWorld, django_assert_max_num_queries
):
    url = reverse("archive:agents")
    with CaptureQueriesContext(connection) as few:
        assert len(entries(client.get(url))) == 5
    other = Collection.objects.create(repository=world.repository, ead_id="rbml.more")
    root = add_unit(None, other, title="More papers")
    add_agents(300, unit=root)
    with django_assert_max_num_queries(MAX_BROWSE_QUERIES):
        with CaptureQueriesContext(connection) as many:
            listed = entries(client.get(url))
    assert len(listed) == 50
    assert len(many.captured_queries) == len(few.captured_queries)
    # Each agent's count comes from the same single query, whatever the page holds.
    assert all(count == "Found in 1 collection" for _, count in listed if _.startswith("Person"))


def test_a_second_collection_raises_the_count(client, world: PagesWorld):
    AgentLink.objects.create(unit=world.other.root, agent=Agent.objects.get(slug="rusakov-family"))
    listed = dict(entries(client.get(reverse("archive:agents"))))
    assert listed["Rusakov family"] == "Found in 2 collections"
    # Several links inside one collection still count it once.
    AgentLink.objects.create(unit=world.series1, agent=world.agent, role="subject")
    listed = dict(entries(client.get(reverse("archive:agents"))))
    assert listed["Example, Victor, 1890-1947"] == "Found in 2 collections"


def test_unpublishing_a_collection_removes_its_names(client, world: PagesWorld):
    root = world.other.root
    root.published = False
    root.save()
    listed = dict(entries(client.get(reverse("archive:agents"))))
    # Still in the papers; the other collection no longer counts.
    assert listed["Example, Victor, 1890-1947"] == "Found in 1 collection"


# --------------------------------------------------------------------------- subjects


def test_subjects_page_lists_public_subjects_with_counts(client, world: PagesWorld):
    response = client.get(reverse("archive:subjects"))
    assert response.status_code == 200
    assert entries(response) == [
        ("Anarchism", "Found in 2 collections"),
        ("Mexico", "Found in 1 collection"),
    ]
    text = text_of(response)
    assert "HIDDEN" not in text and "UNPUBLISHED" not in text
    assert world.subject.get_absolute_url() in response.content.decode()
    assert "Geographic" in text and "Topical" in text
    assert_accessible_structure(response)


def test_subjects_filter_by_type_and_letter(client, world: PagesWorld):
    url = reverse("archive:subjects")
    assert [n for n, _ in entries(client.get(url, {"type": "geographic"}))] == ["Mexico"]
    assert [n for n, _ in entries(client.get(url, {"type": "topical"}))] == ["Anarchism"]
    assert [n for n, _ in entries(client.get(url, {"letter": "M"}))] == ["Mexico"]
    assert entries(client.get(url, {"letter": "H"})) == []


def test_subjects_page_costs_the_same_queries_for_few_and_many(
    client, world: PagesWorld, django_assert_max_num_queries
):
    url = reverse("archive:subjects")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    subjects = Subject.objects.bulk_create(
        Subject(term=f"Topic {i:03d}", slug=f"topic-{i:03d}") for i in range(200)
    )
    SubjectLink.objects.bulk_create(SubjectLink(unit=world.file11, subject=s) for s in subjects)
    with django_assert_max_num_queries(MAX_BROWSE_QUERIES):
        with CaptureQueriesContext(connection) as many:
            assert len(entries(client.get(url))) == 50
    assert len(many.captured_queries) == len(few.captured_queries)


# --------------------------------------------------------------------------- navigation


def test_site_header_links_the_browse_pages(client, world: PagesWorld):
    html = client.get(reverse("archive:home")).content.decode()
    nav = re.search(r'<nav class="site-nav" aria-label="Main">(.*?)</nav>', html, re.S)
    assert nav, "the header has a labelled navigation landmark"
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav.group(1))
    assert links == [
        (reverse("archive:home"), "Home"),
        (reverse("archive:search"), "Search"),
        (reverse("archive:agents"), "Names"),
        (reverse("archive:subjects"), "Subjects"),
    ]


def test_browse_selectors_ignore_unknown_filters(world: PagesWorld):
    listing = selectors.agents_browse(agent_type="robot", letter="??", page="x")
    assert listing.kind is None and listing.letter is None
    assert listing.page.number == 1


# --------------------------------------------------------------------------- lists and pages agree


@pytest.mark.parametrize("kind", ["agents", "subjects"])
def test_a_record_is_listed_exactly_when_its_page_answers(client, world: PagesWorld, kind):
    """The A-Z lists and the record pages follow one rule (``visibility.public_authorities``):
    every listed name opens, every other one answers 404 with nothing of it shown."""
    model = Agent if kind == "agents" else Subject
    listed = {name for name, _ in entries(client.get(reverse(f"archive:{kind}")))}
    assert listed  # the world has public names and subjects
    for record in model.objects.all():
        response = client.get(record.get_absolute_url())
        name = str(record)
        if name in listed:
            assert response.status_code == 200, name
        else:
            assert response.status_code == 404, name
            assert name not in response.content.decode()
    hidden = {str(r) for r in model.objects.all()} - listed
    assert {"HIDDEN FILE", "HIDDEN SERIES", "HIDDEN COLLECTION"} <= {
        " ".join(n.split()[:2]) for n in hidden
    }
