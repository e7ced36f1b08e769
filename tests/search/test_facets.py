"""The facets' "more" view (/search/facets/<kind>/) and the grouped results' "see all" links."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from archive.search.facets import facet_values

pytestmark = pytest.mark.django_db


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def labels(page) -> list[str]:
    return [v.label for v in page.values]


def test_every_value_sorted_by_count_then_by_name(world):
    by_count = facet_values(kind="language", query="", filters={})
    counts = [v.count for v in by_count.values]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    by_name = facet_values(kind="language", query="", filters={}, sort="name")
    assert labels(by_name) == sorted(labels(by_count), key=str.casefold)
    assert by_name.total == len(by_name.values) == len(by_count.values)


def test_values_are_paged(world):
    whole = facet_values(kind="decade", query="", filters={}, sort="name")
    assert whole.total >= 3
    first = facet_values(kind="decade", query="", filters={}, sort="name", per_page=2)
    second = facet_values(kind="decade", query="", filters={}, sort="name", per_page=2, page=2)
    assert first.num_pages == -(-whole.total // 2) and first.has_next and not first.has_previous
    assert labels(first) + labels(second) == labels(whole)[:4]
    years = [int(v.key) for v in whole.values]
    assert years == sorted(years)  # decades by name: in time order


def test_counts_are_those_of_the_search(world):
    from archive.search import search

    results = search(query="letters", filters={"level": ["file"]})
    shown = {
        (f.kind, v.key): v.count for f in results.facets for v in f.values if f.kind != "decade"
    }
    for kind in {k for k, _ in shown}:
        page = facet_values(kind=kind, query="letters", filters={"level": ["file"]})
        assert {(kind, v.key): v.count for v in page.values} == {
            k: n for k, n in shown.items() if k[0] == kind
        }, kind


def test_hidden_material_is_never_counted_or_named(world, client):
    for kind in ("repository", "collection", "name", "subject", "level", "creator"):
        html = get(client, reverse("archive:search_facet", args=[kind]), q="")
        for word in ("Quokka", "Wombat", "Zanzibar", "numbat"):
            assert word not in html, (kind, word)
    total = sum(v.count for v in facet_values(kind="level", query="", filters={}).values)
    assert total == search_total()


def search_total() -> int:
    from archive.search import search

    return search(query="", filters={}).total


def test_page_links_narrow_the_search_and_carry_nofollow(world, client):
    html = get(client, reverse("archive:search_facet", args=["collection"]), q="letters")
    links = re.findall(r'<a href="([^"]+)" rel="([^"]+)">([^<]+)</a>', html)
    narrowed = [(href, rel) for href, rel, text in links if text == "Victor Serge papers"]
    assert narrowed, links
    href, rel = narrowed[0]
    assert "nofollow" in rel
    collection = world.collections["serge"].pk
    assert href.startswith("/search/?") and f"collection={collection}" in href
    assert "q=letters" in href
    assert "Back to the search results" in html
    narrowed_html = get(client, href.replace("&amp;", "&"))
    assert "Collection: Victor Serge papers" in narrowed_html


def test_sort_links_and_unknown_kind(world, client):
    url = reverse("archive:search_facet", args=["language"])
    html = get(client, url, q="", order="name")
    assert '<strong aria-current="true">Name (A–Z)</strong>' in html
    assert re.search(r'<a href="\?[^"]*order=count[^"]*" rel="nofollow">Most results first', html)
    assert client.get(reverse("archive:search_facet", args=["nonsense"])).status_code == 404


def test_sidebar_links_every_facet_to_its_more_view(world, client):
    html = get(client, reverse("archive:search"), q="letters")
    facets = [k for k in re.findall(r'<h3 id="facet-([a-z]+)">', html) if k != "years"]
    assert {"repository", "collection", "level", "decade"} <= set(facets)
    for kind in facets:
        assert re.search(
            rf'<a href="/search/facets/{kind}/\?q=letters" rel="nofollow">All values', html
        ), kind


def test_grouped_results_link_all_of_their_collection(world, client):
    html = get(client, reverse("archive:search"), q="letters", grouped="on")
    collection = world.collections["serge"].pk
    match = re.search(
        rf'<a href="(\?[^"]*within={collection}[^"]*)" rel="nofollow">See all (\d+) results? in '
        "this collection</a>",
        html,
    )
    assert match, html
    href, count = match.group(1).replace("&amp;", "&"), int(match.group(2))
    assert "grouped" not in href
    within = get(client, reverse("archive:search") + href)
    assert f"of {count} result" in within
    assert "Within: Victor Serge papers" in within
