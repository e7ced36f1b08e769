"""The counts kept with the index (``archive.search.counts``): browsing everything shows the
same total and facet counts as counting every public unit, after every kind of change."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from archive import visibility
from archive.models import AgentLink, Component
from archive.search import counts, query, search
from archive.search.backends import get_backend
from archive.search.results import SearchResults
from archive.services import imports
from tests.services.test_imports import ead2002, write

pytestmark = pytest.mark.django_db


def counted_from_units() -> tuple[int, set[tuple[str, str, int]]]:
    """Total and (kind, key, count) of every facet value, counted from the index rows
    themselves (the path of a filtered search: a filter that keeps every unit)."""
    backend = get_backend()
    plan = query.make_plan(backend, "", "all", {}, None)
    plan.add("1 = 1")
    results = SearchResults(
        query="", field="all", sort="relevance", page=1, per_page=20, total=0, grouped=False
    )
    with transaction.atomic(), connection.cursor() as cursor:
        backend.tune(cursor)
        _, rows = query._one_pass(backend, plan, results, False, True)
    return results.total, {(k, key, n) for k, key, _, n in rows if k in query.FACETS}


def shown() -> tuple[int, set[tuple[str, str, int]]]:
    """What browsing everything shows: the total and every facet value with its count."""
    results = search(query="", filters={})
    assert not results.more  # exact, never a sample
    return results.total, {(f.kind, v.key, v.count) for f in results.facets for v in f.values}


def public_units() -> int:
    return visibility.public_units(Component.objects.all()).count()


def assert_exact() -> None:
    total, values = shown()
    assert total == public_units()
    assert (total, values) == counted_from_units()


def test_browsing_everything_shows_exact_counts(world):
    assert_exact()
    total, values = shown()
    labels = {v.label for f in search(query="", filters={}).facets for v in f.values}
    assert "Platypus, Hidden" not in labels  # an unpublished agent link
    assert ("level", "file", 0) not in values


def test_counts_follow_an_edit(world):
    unit = world.units["breton"]
    unit.level = "item"
    unit.save()
    AgentLink.objects.filter(unit=world.units["lenine"]).delete()
    assert_exact()
    assert ("level", "item", 1) in shown()[1]


def test_counts_follow_unpublish_and_publish(world):
    before = shown()
    series = world.units["correspondence"]
    series.published = False
    series.save()
    assert_exact()
    assert shown()[0] < before[0]
    series.published = True
    series.save()
    assert shown() == before
    hidden = world.units["hidden_series"]
    hidden.published = True
    hidden.save()
    assert_exact()
    assert shown()[0] > before[0]


def test_counts_follow_deletes(world):
    before = shown()[0]
    world.units["breton"].delete()
    assert_exact()
    assert shown()[0] == before - 1
    world.collections["macdonald"].delete()
    assert_exact()


def test_counts_follow_an_import_and_a_rollback(world, tmp_path):
    before = shown()
    files = "".join(
        f'<c level="file"><did><unittitle>File {i}</unittitle><unitdate normal="19{i:02d}">'
        f"19{i:02d}</unitdate></did><controlaccess><subject>Topic {i % 3}</subject>"
        "</controlaccess></c>"
        for i in range(25)
    )
    path = write(tmp_path, "counted.xml", ead2002(files))
    imports.ead_import(source=path, filename="counted.xml")
    assert_exact()
    assert shown()[0] > before[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        world.collections["serge"].delete()
        raise RuntimeError("abort")
    assert_exact()


def test_compaction_leaves_one_row_per_value(world):
    unit = world.units["breton"]
    for title in ("One", "Two", "Three"):
        unit.title = title
        unit.save()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COUNT(DISTINCT kind || ':' || key) FROM {counts.COUNT_TABLE}"
        )
        rows, keys = cursor.fetchone()
    assert rows == keys
    assert_exact()


def test_one_facet_value_known_past_the_limit_is_read_whole_at_once(world, monkeypatch):
    """A single facet filter whose kept count is past COUNT_LIMIT skips the first, capped
    read: the total, the exact facets and the first page are those of every match."""
    whole = search(query="", filters={"level": ["file"]})
    monkeypatch.setattr(query, "COUNT_LIMIT", 3)
    capped = search(query="", filters={"level": ["file"]})
    files = visibility.public_units(Component.objects.filter(level="file")).count()
    assert capped.more and capped.total == whole.total == files
    assert [h.unit.pk for h in capped.hits] == [h.unit.pk for h in whole.hits]
    exact = {f.kind: f.values for f in capped.facets if not f.sampled}
    assert set(exact) == {"repository", "collection", "level"}
    assert exact["collection"] == {f.kind: f.values for f in whole.facets}["collection"]
