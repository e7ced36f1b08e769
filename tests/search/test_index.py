"""archive.search.index and the signals: the index follows every way data arrives."""

from __future__ import annotations

import pytest
from django.core import serializers
from django.core.management import call_command

from archive.models import (
    Agent,
    AgentLink,
    AgentVariantName,
    Collection,
    Component,
    Container,
    ContainerInstance,
    DigitalObject,
    Note,
    Repository,
    Subject,
    SubjectLink,
    UnitDate,
)
from archive.search import index, search
from archive.search.backends.sqlite import to_fts
from archive.search.text import fragment_text

pytestmark = pytest.mark.django_db

FIXTURE_MODELS = [
    Repository,
    Collection,
    Component,
    Agent,
    AgentVariantName,
    Subject,
    Container,
    AgentLink,
    SubjectLink,
    Note,
    UnitDate,
    ContainerInstance,
    DigitalObject,
]


def snapshot() -> list[tuple]:
    results = search(query="", filters={}, per_page=100, sort="title")
    facets = [(f.kind, [(v.key, v.count) for v in f.values]) for f in results.facets]
    return [h.unit.pk for h in results.hits] + facets


def test_bulk_reindex_equals_what_the_signals_built(world):
    before = snapshot()
    before_found = [h.unit.pk for h in search(query="Kibalchich", filters={}).hits]
    assert index.rebuild() == len([x for x in before if isinstance(x, int)])
    assert snapshot() == before
    assert [h.unit.pk for h in search(query="Kibalchich", filters={}).hits] == before_found


def test_rebuild_command(world):
    with index.paused():
        unit = world.units["breton"]
        unit.title = "Andre Breton and Ibis letters"
        unit.save()
    assert search(query="ibis", filters={}).total == 0  # signals were paused
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))
    assert search(query="ibis", filters={}).total == 1
    call_command(
        "rebuild_search_index",
        "--collection",
        str(world.collections["serge"].pk),
        stdout=open("/dev/null", "w"),
    )
    assert search(query="ibis", filters={}).total == 1


def test_loaddata_raw_saves_are_indexed(world, tmp_path):
    objects = [obj for model in FIXTURE_MODELS for obj in model.objects.order_by("pk")]
    fixture = tmp_path / "catalogue.json"
    fixture.write_text(serializers.serialize("json", objects))
    Collection.objects.all().delete()
    Agent.objects.all().delete()
    Subject.objects.all().delete()
    Repository.objects.all().delete()
    assert search(query="Kibalchich", filters={}).total == 0

    call_command("loaddata", str(fixture), verbosity=0)

    found = {h.unit.title for h in search(query="Kibalchich", filters={}).hits}
    assert {"Letters concerning Lénine", "Victor Serge papers", "Politics magazine"} <= found
    assert search(query="Zanzibar", filters={}).total == 0
    assert search(query="Wombat", filters={}).total == 0
    (hit,) = search(query="Lenine", filters={}).hits
    assert hit.containers == ["Box 3, Folder 12"]


def test_reindex_collection_is_set_based(world, django_assert_max_num_queries):
    # A fixed number of queries whatever the collection's size (here 9 public units): one
    # ordered pass for visibility, one per related table, the writes (on SQLite two more for
    # the stemmed table), the counts' deltas and their compaction (archive.search.counts).
    with django_assert_max_num_queries(24):
        assert index.reindex_collection(world.collections["serge"].pk) == 9


def test_note_text_is_the_public_text_of_the_fragment():
    fragment = (
        '<p>First <emph render="bold">para</emph>.</p><p>Second</p>'
        '<p audience="internal">staff only</p><list><item>one</item><item>two</item></list>'
    )
    assert fragment_text(fragment) == "First para. Second one two"
    assert fragment_text("<p>broken <emph>markup</p> here") == "broken markup here"


@pytest.mark.parametrize(
    ("query", "field", "expected"),
    [
        ("serge", "all", '("serge")'),
        ('"victor serge" -trotsky', "all", '("victor serge")'),  # exclusions: see below
        ("lett* serge", "all", '("lett" * AND "serge")'),
        ("a OR b c", "all", '("a") OR ("b" AND "c")'),
        ("title:x NEAR(y)", "title", '(title : "title:x" AND title : "NEAR(y)")'),
        ('say "hi', "all", '("say" AND "hi")'),
        ('ab"c', "all", '("ab""c")'),
    ],
)
def test_web_syntax_becomes_quoted_fts5(query, field, expected):
    assert to_fts(query, field) == expected


def test_exclusions_are_separate_conditions():
    from archive.search.backends import sqlite

    alone = sqlite.match("-draft", "all")
    assert not alone.highlight
    assert alone.where_params == ['"draft"']
    assert "NOT IN" in alone.where_sql
    mixed = sqlite.match('letters -"draft notes"', "all")
    # the word by its stems, the quoted exclusion in the exact table
    assert mixed.where_params == ['"letters"', '"draft notes"']
