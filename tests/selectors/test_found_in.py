"""archive.selectors.found_in: the linked collections and records of agent and subject pages."""

from __future__ import annotations

import pytest

from archive import selectors
from archive.models import (
    Agent,
    AgentLink,
    Collection,
    Component,
    Repository,
    SubjectLink,
    UnitDate,
)
from tests.factories import PagesWorld, add_unit, build_pages_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> PagesWorld:
    w = build_pages_world()
    # The agent is also linked to the unpublished file: with the file under the unpublished
    # series and the unpublished collection's root, three units the public never sees.
    AgentLink.objects.create(unit=w.file12_hidden, agent=w.agent, role="subject")
    SubjectLink.objects.create(unit=w.file12_hidden, subject=w.subject)
    SubjectLink.objects.create(unit=w.file21_under_hidden, subject=w.subject)
    return w


def listed_units(listing: selectors.FoundInListing) -> dict[str, list[str]]:
    """Collection identifier -> refs of the linked records shown under it."""
    return {
        item.root.identifier: [r.unit.ref for r in item.linked] for item in listing.page.object_list
    }


def test_agent_lists_collections_and_their_public_records_with_roles(world: PagesWorld):
    listing = selectors.agent_found_in(world.agent)
    assert listing.total == 2
    assert listed_units(listing) == {"MS 730": ["o11"], "GEN MSS 238": ["f11"]}
    papers = next(i for i in listing.page.object_list if i.root.identifier == "GEN MSS 238")
    assert papers.roles == ["Creator", "Subject"]
    assert papers.records == 1  # f11; the root's own link is the collection's, not a record's
    assert [r.roles for r in papers.linked] == [["Subject"]]


def test_hidden_units_never_listed_nor_counted(world: PagesWorld):
    hidden_ids = {
        world.file12_hidden.pk,
        world.file21_under_hidden.pk,
        world.series2_hidden.pk,
        *Component.objects.filter(collection=world.hidden).values_list("pk", flat=True),
    }
    for listing in (
        selectors.agent_found_in(world.agent),
        selectors.subject_found_in(world.subject),
        selectors.agent_found_in(world.agent, collection=world.papers.pk),
        selectors.subject_found_in(world.subject, collection=world.papers.pk),
    ):
        shown = {r.unit.pk for i in listing.page.object_list for r in i.linked}
        shown |= {i.root.pk for i in listing.page.object_list}
        if listing.within:
            shown |= {r.unit.pk for r in listing.within.linked} | {listing.within.root.pk}
        assert shown and not shown & hidden_ids
    # Asking for the unpublished collection's records shows the ordinary listing instead.
    asked = selectors.agent_found_in(world.agent, collection=world.hidden.pk)
    assert asked.within is None and asked.records_page is None
    assert world.hidden.pk not in {i.root.collection_id for i in asked.page.object_list}
    # Source is the agent's role only under the hidden series: no facet for it.
    assert [value for value, _, _ in asked.role_counts] == ["creator", "subject"]


def test_role_filter_keeps_only_that_role_s_collections_and_records(world: PagesWorld):
    creator = selectors.agent_found_in(world.agent, role="creator")
    assert listed_units(creator) == {"GEN MSS 238": []}  # the root is the creator's link
    subject = selectors.agent_found_in(world.agent, role="subject")
    assert listed_units(subject) == {"MS 730": ["o11"], "GEN MSS 238": ["f11"]}


def test_subject_lists_records_without_roles(world: PagesWorld):
    listing = selectors.subject_found_in(world.subject)
    assert listed_units(listing) == {"MS 730": ["o1"], "GEN MSS 238": []}
    assert listing.role_counts == []
    assert all(r.roles == [] for i in listing.page.object_list for r in i.linked)


def test_first_records_per_collection_then_all_of_them_page_by_page(world: PagesWorld):
    refs = [f"n{i:03d}" for i in range(1, 121)]
    for ref in refs:
        unit = add_unit(world.series1, world.papers, title=f"Letter {ref}", ref=ref)
        AgentLink.objects.create(unit=unit, agent=world.agent, role="subject")
    listing = selectors.agent_found_in(world.agent)
    papers = next(i for i in listing.page.object_list if i.root.identifier == "GEN MSS 238")
    assert papers.records == 121
    # In document order: f11 sits before the new files in the series.
    assert [r.unit.ref for r in papers.linked] == [
        "f11",
        *refs[: selectors.RECORDS_PER_COLLECTION - 1],
    ]
    pages = []
    for number in (1, 2, 3):
        within = selectors.agent_found_in(world.agent, collection=world.papers.pk, page=number)
        assert within.within is not None and within.records_page is not None
        pages.append([r.unit.ref for r in within.records_page.object_list])
    assert [len(p) for p in pages] == [50, 50, 21]
    assert sum(pages, []) == ["f11", *refs]


def test_untitled_record_is_named_by_its_date_never_its_machine_id(world: PagesWorld):
    dated = add_unit(world.series1, world.papers, title="", ref="cuid12923")
    UnitDate.objects.create(unit=dated, expression="1937 March", begin="1937-03", end="1937-03")
    bare = add_unit(world.series1, world.papers, title="", ref="aspace_x", identifier="cuid88")
    for unit in (dated, bare):
        AgentLink.objects.create(unit=unit, agent=world.agent, role="subject")
    within = selectors.agent_found_in(world.agent, collection=world.papers.pk)
    assert within.records_page is not None
    titles = [r.unit.display_title for r in within.records_page.object_list]
    assert titles == ["Letters to Trotsky", "1937 March", "Untitled file"]


def test_collections_are_paged_by_title(db):
    repository = Repository.objects.create(code="r", name="R")
    agent = Agent.objects.create(agent_type="person", authorized_name="Many, Named")
    for n in range(30):
        collection = Collection.objects.create(repository=repository, ead_id=f"c{n:02d}")
        root = add_unit(None, collection, title=f"Papers {n:02d}")
        AgentLink.objects.create(unit=root, agent=agent, role="creator")
    listings = [selectors.agent_found_in(agent, page=n) for n in (1, 2, 3)]
    assert {listing.total for listing in listings} == {30}
    titles = [i.root.title for listing in listings for i in listing.page.object_list]
    assert titles == [f"Papers {n:02d}" for n in range(30)]


def test_hidden_units_left_out_when_their_collections_are_read_whole(
    world: PagesWorld, monkeypatch
):
    # Past MAX_ANCESTOR_PROBES ancestors, the unpublished nodes of the collections are read
    # instead of the ancestors one by one: the same units must be left out.
    from archive import visibility

    monkeypatch.setattr(visibility, "MAX_ANCESTOR_PROBES", 0)
    listing = selectors.subject_found_in(world.subject, collection=world.papers.pk)
    assert listing.records_page is not None
    assert [r.unit.ref for r in listing.records_page.object_list] == []
    assert listing.total == 2
    agent = selectors.agent_found_in(world.agent)
    assert listed_units(agent) == {"MS 730": ["o11"], "GEN MSS 238": ["f11"]}
