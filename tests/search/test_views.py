"""The search page (/search/): what a researcher sees, without JavaScript."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.models import Collection, Component, Container, ContainerInstance, Repository, UnitDate
from archive.search import index

pytestmark = pytest.mark.django_db

# Count, ids, snippets, facets, units, ancestors, dates, containers, facet labels (2).
SEARCH_PAGE_QUERIES = 10


def get(client, **params):
    response = client.get(reverse("archive:search"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_empty_page_shows_the_form_only(client, world):
    html = get(client)
    assert '<label for="id_q">Search</label>' in html
    assert 'name="field"' in html
    assert "Refine results" not in html
    # the syntax is explained where it is typed
    assert "<kbd>letter</kbd> finds “letters”" in html and "<kbd>corr*</kbd>" in html


def test_hits_with_highlight_breadcrumb_containers_and_link(client, world):
    html = get(client, q="Lenine")
    unit = world.units["lenine"]
    assert f'href="{unit.get_absolute_url()}"' in html
    assert "Letters concerning <mark>Lénine</mark>" in html
    assert "Box 3, Folder 12" in html
    assert ">Correspondence</a>" in html
    assert "Showing 1–1 of 1 result" in html
    assert "<h1>" in html and '<h2 id="results-heading">' in html


def test_facet_links_add_a_filter_and_chips_remove_it(client, world):
    html = get(client, q="letters")
    serge = world.collections["serge"]
    assert f"collection={serge.pk}" in html
    narrowed = get(client, q="letters", level="file", collection=str(serge.pk))
    assert "Remove filter Level: File" in narrowed
    assert "Remove filter Collection: Victor Serge papers" in narrowed
    assert "Correspondence</a></h3>" not in narrowed  # the series is not a file


def test_unpublished_material_is_not_on_the_page(client, world):
    for word in ("Zanzibar", "Quokka", "Wombat", "Platypus"):
        html = get(client, q=word)
        assert "No results" in html
        assert word not in html.replace(f"“{word}”", "").replace(f'value="{word}"', "").replace(
            f"<title>{word}", ""
        )


def test_grouped_and_sorted_pages(client, world):
    html = get(client, q="letters", grouped="on")
    assert "in 1 collection" in html
    assert "Show results as a single list" in html
    html = get(client, q="letters", sort="title")
    assert html.index("Andre Breton letters") < html.index("Family letters")


def test_bad_parameters_still_give_a_page(client, world):
    """A parameter that cannot be read is left out, so the reader still gets the results; a
    filter naming a collection that does not exist finds nothing, and says so."""
    for unreadable in (
        dict(year_from="abc", page="x"),
        dict(year_from="99999999999999"),
        dict(sort="bogus"),
    ):
        html = get(client, q="serge", **unreadable)
        assert "Showing 1–3 of 3 results" in html, unreadable
        assert "Victor Serge papers" in html, unreadable
    assert 'name="sort" aria-invalid="true"' in get(client, q="serge", sort="bogus")
    for no_such_collection in (dict(collection="nope"), dict(within="123456789012345678901234")):
        html = get(client, q="serge", **no_such_collection)
        assert "No results for “serge”." in html, no_such_collection


def _collection_of(n: int, word: str) -> None:
    repository = Repository.objects.create(code=f"r{n}", name=f"Repository {n}")
    collection = Collection.objects.create(repository=repository, ead_id=f"c{n}")
    with index.paused():
        root = Component.objects.add_root(
            create_kwargs=dict(
                collection=collection, title=f"Collection {n}", published=True, level="collection"
            )
        )
        series = Component.objects.add_child(
            root,
            create_kwargs=dict(
                collection=collection, title="Series", published=True, level="series", ref="s"
            ),
        )
        box = Container.objects.create(collection=collection, indicator="1")
        for i in range(n):
            unit = Component.objects.add_child(
                series,
                create_kwargs=dict(
                    collection=collection, title=f"{word} file {i}", published=True, ref=f"f{i}"
                ),
            )
            UnitDate.objects.create(unit=unit, begin="1940", end="1941")
            ContainerInstance.objects.create(unit=unit, container=box, child_indicator=str(i))
    index.reindex_collection(collection.pk)


def test_search_page_costs_the_same_queries_for_10_and_200_hits(
    client, django_assert_max_num_queries
):
    _collection_of(10, "gannet")
    _collection_of(200, "kittiwake")
    counts = []
    for word, total in (("gannet", 10), ("kittiwake", 200)):
        with CaptureQueriesContext(connection) as ctx:
            html = get(client, q=word)
        assert f"of {total} results" in html
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(SEARCH_PAGE_QUERIES):
        get(client, q="kittiwake", level="file")
