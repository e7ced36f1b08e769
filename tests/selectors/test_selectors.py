"""archive.selectors: the page-sized reads behind the public pages."""

from __future__ import annotations

import datetime

import pytest

from archive import selectors
from archive.models import Component, Repository
from tests.factories import PagesWorld, build_pages_world, sized_collection

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> PagesWorld:
    return build_pages_world()


def test_on_this_day_takes_the_date_it_is_given(world: PagesWorld):
    born = selectors.on_this_day(today=datetime.date(2001, 12, 30))
    assert [(a.pk, events) for a, events in born] == [(world.agent.pk, ["born 1890-12-30"])]
    died = selectors.on_this_day(today=datetime.date(1999, 11, 17))
    assert [(a.pk, events) for a, events in died] == [(world.agent.pk, ["died 1947-11-17"])]
    assert selectors.on_this_day(today=datetime.date(2001, 12, 31)) == []


def test_on_this_day_ignores_unpublished_agents(world: PagesWorld):
    world.hidden_agent.existence_begin = "1900-12-30"
    world.hidden_agent.save()
    names = [a.pk for a, _ in selectors.on_this_day(today=datetime.date(2001, 12, 30))]
    assert names == [world.agent.pk]


def test_inherited_restrictions_come_from_the_nearest_ancestor(world: PagesWorld):
    unit = selectors.unit_get(repository_code="rbml", ead_id="rbml.papers", ref="f11")
    restrictions = selectors.inherited_restrictions(unit, selectors.ancestors(unit))
    found = {(r.note.note_type, r.source.ref or "root", r.inherited) for r in restrictions}
    assert found == {("accessrestrict", "ser1", True), ("userestrict", "root", True)}


def test_outline_children_pages_by_path_cursor(db):
    repo = Repository.objects.create(code="r", name="R")
    collection = sized_collection(repo, "c", series=1, files_per_series=[120])
    series = Component.objects.get(collection=collection, ref="s1")
    first = selectors.outline_children(series, limit=50)
    assert [n.unit.title for n in first.nodes] == [f"File 1.{i}" for i in range(1, 51)]
    assert first.before is None and first.after is not None
    second = selectors.outline_children(series, after=first.after, limit=50)
    third = selectors.outline_children(series, after=second.after, limit=50)
    assert [n.unit.title for n in third.nodes] == [f"File 1.{i}" for i in range(101, 121)]
    assert third.after is None
    back = selectors.outline_children(series, before=second.nodes[0].unit.path, limit=50)
    assert [n.unit.title for n in back.nodes] == [n.unit.title for n in first.nodes]


def test_outline_skips_unpublished_children(world: PagesWorld):
    series = Component.objects.get(collection=world.papers, ref="ser1")
    window = selectors.outline_children(series)
    assert [n.unit.ref for n in window.nodes] == ["f11"]


def test_agent_found_in_counts_collections_per_role(world: PagesWorld):
    listing = selectors.agent_found_in(world.agent)
    assert listing.total == 2
    assert listing.role_counts == [("creator", "Creator", 1), ("subject", "Subject", 2)]
    creator_only = selectors.agent_found_in(world.agent, role="creator")
    assert [i.root.identifier for i in creator_only.page.object_list] == ["GEN MSS 238"]


def test_previous_next_in_document_order(world: PagesWorld):
    unit = selectors.unit_get(repository_code="rbml", ead_id="rbml.papers", ref="ser3")
    previous, following = selectors.previous_next(unit)
    assert previous.ref == "f11"  # f12, series 2 and its file are hidden
    assert following.ref == "f31"
