"""archive.search.search(): what a researcher finds, on SQLite FTS5 and PostgreSQL alike."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from archive.models import AgentLink, AgentVariantName, Note
from archive.search import search

pytestmark = pytest.mark.django_db


def titles(query: str, **kwargs) -> list[str]:
    return [hit.unit.title for hit in search(query=query, filters={}, **kwargs).hits]


def facet(results, kind: str) -> dict[str, int]:
    for f in results.facets:
        if f.kind == kind:
            return {v.label: v.count for v in f.values}
    return {}


# ------------------------------------------------------------------------------ matching


def test_title_match_ranks_above_note_only_match(world):
    found = titles("revolution")
    assert found[:2] == ["Revolution pamphlets", "Manuscript drafts"]


def test_name_match_ranks_above_note_only_match(world):
    Note.objects.create(
        unit=world.units["revolution_note"], note_type="odd", content="<p>Kibalchich</p>"
    )
    found = titles("Kibalchich")
    assert found.index("Letters concerning Lénine") < found.index("Manuscript drafts")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Lenine", "Letters concerning Lénine"),  # accent in the text, not in the query
        ("sejourne", "Family letters"),
        ("SÉJOURNÉ", "Family letters"),
        ("André", "Andre Breton letters"),  # accent in the query, not in the text
        ("lÉnInE", "Letters concerning Lénine"),
    ],
)
def test_accent_and_case_folding(world, query, expected):
    assert expected in titles(query)


def test_variant_name_of_a_linked_agent_finds_its_units(world):
    found = titles("Kibalchich")
    assert "Letters concerning Lénine" in found  # linked as subject
    assert "Victor Serge papers" in found  # linked as creator
    assert "Politics magazine" in found  # in the other collection


def test_phrase_matches_words_together_only(world):
    found = titles('"drafts of novels"')
    assert found == ["Manuscript drafts"]
    assert "Novels notes" in titles("drafts novels")


def test_exclusion(world):
    found = titles("letters -Breton")
    assert "Letters concerning Lénine" in found
    assert "Family letters" in found
    assert "Andre Breton letters" not in found


def test_or(world):
    found = titles("Breton OR Lenine")
    assert sorted(found) == ["Andre Breton letters", "Letters concerning Lénine"]
    assert titles("Breton Lenine") == []


# ---------------------------------------------------------------------- stems, prefixes


def test_a_word_finds_the_words_of_its_stem(world):
    found = titles("novel")
    assert "Novels notes" in found  # in the title
    assert "Manuscript drafts" in found  # "novels" in a note
    assert "Revolution pamphlets" in titles("revolutions")


def test_quotes_force_the_exact_word(world):
    assert titles('"novel"') == []
    assert "Novels notes" in titles('"novels"')


def test_exact_match_ranks_before_matches_of_the_stem_only(world):
    Note.objects.create(
        unit=world.units["hidden_note_unit"], note_type="odd", content="<p>A novel.</p>"
    )
    found = titles("novel")
    # Only a note says "novel" exactly, where titles say "novels": the note ranks first.
    assert found[0] == "Tax records"
    assert set(found[1:]) == {"Novels notes", "Manuscript drafts"}


def test_trailing_star_searches_a_prefix(world):
    assert "Family letters" in titles("Sejour*")
    assert {"Manuscript drafts", "Revolution pamphlets"} <= set(titles("revolu*"))
    assert titles("revolu") == []
    assert titles("revolu*", field="title") == ["Revolution pamphlets"]


def test_words_matched_by_their_stem_are_highlighted(world):
    (hit,) = search(query="novel", filters={}, field="title").hits
    assert str(hit.title_html) == "<mark>Novels</mark> notes"


def test_stems_of_hidden_words_match_nothing(world):
    assert titles("wombats") == []
    assert titles("quokkas") == []


def test_field_choice(world):
    assert "Victor Serge papers" in titles("serge", field="title")
    assert "Letters concerning Lénine" not in titles("serge", field="title")
    assert "Letters concerning Lénine" in titles("serge", field="names")
    assert titles("Mexico", field="subjects") == ["Photographs of Mexico"]
    assert titles("Mexico", field="notes") == ["Family letters"]
    assert titles("730", field="identifier") == ["Dwight Macdonald papers"]
    assert titles("730", field="title") == []


def test_container_is_searchable_as_identifier(world):
    assert "Letters concerning Lénine" in titles('"box 3"', field="identifier")


def test_user_syntax_never_breaks_the_query(world):
    """Quotes, brackets, stars, colons and operators typed by a reader are read as words or
    ignored, never passed to the engine as syntax, on either database."""
    everything = sorted(titles(""))
    assert len(everything) > 10
    for query in ['"', "*", "((", "-", '-"', "'--"]:
        assert sorted(titles(query)) == everything, query  # no word left: an empty search
    serge = sorted(titles("serge"))
    assert "Victor Serge papers" in serge
    for query in ['"serge', "serge((", "serge*", '"serge"']:
        assert sorted(titles(query)) == serge, query
    for query in ["a:b", "title:serge", "NEAR(x y)", "OR"]:
        assert titles(query) == [], query  # plain words that no unit holds all of


# ----------------------------------------------------------------------- what is shown


def test_hit_shows_breadcrumb_dates_level_containers_and_highlight(world):
    (hit,) = search(query="Lenine", filters={}).hits
    assert [c.title for c in hit.breadcrumb] == [
        "Beinecke Library",
        "Victor Serge papers",
        "Correspondence",
    ]
    assert hit.breadcrumb[1].url == world.collections["serge"].get_absolute_url()
    assert hit.url == world.units["lenine"].get_absolute_url()
    assert hit.level == "File"
    assert hit.dates == ["1936-03-01-1936-04-30"]
    assert hit.containers == ["Box 3, Folder 12"]
    assert str(hit.title_html) == "Letters concerning <mark>Lénine</mark>"


def test_snippet_highlights_note_words(world):
    (hit,) = search(query="sejourne", filters={}).hits
    assert "<mark>Séjourné</mark>" in str(hit.snippet)


def test_snippet_escapes_everything_but_marks(world):
    unit = world.units["phrase_apart"]
    Note.objects.create(
        unit=unit, note_type="odd", content="<p>&lt;script&gt;alert(1)&lt;/script&gt; ocelot</p>"
    )
    unit.title = "Ocelot <b>bold</b>"
    unit.save()
    (hit,) = search(query="ocelot", filters={}).hits
    # The only markup is our own highlight (PostgreSQL leaves tag-like words out of the
    # extract, SQLite shows them escaped: neither lets them through).
    assert "<" not in str(hit.snippet).replace("<mark>", "").replace("</mark>", "")
    assert "<mark>ocelot</mark>" in str(hit.snippet)
    assert str(hit.title_html) == "<mark>Ocelot</mark> &lt;b&gt;bold&lt;/b&gt;"


# ---------------------------------------------------------------------------- visibility


@pytest.mark.parametrize(
    "query",
    [
        "Quokka",  # unpublished unit
        "Zanzibar",  # published unit under an unpublished series
        "Restricted",  # the unpublished series itself
        "Wombat",  # unpublished note
        "numbat",  # audience="internal" text inside a published note
        "Platypus",  # unpublished agent link
    ],
)
def test_unpublished_material_is_never_found(world, query):
    results = search(query=query, filters={})
    assert results.total == 0
    assert results.hits == []
    assert results.facets == []


def test_unpublished_material_counts_in_no_facet(world):
    results = search(query="", filters={"collection": [str(world.collections["serge"].pk)]})
    everything = {v.label for f in results.facets for v in f.values}
    assert "Platypus, Hidden" not in everything
    # The hidden Zanzibar file (1950) does not count; the collection (1912-1994) does.
    assert facet(results, "decade")["1950s"] == 1
    assert facet(results, "level") == {"File": 7, "Series": 1, "Collection": 1}
    assert results.total == 9
    for hit in search(query="tax", filters={}).hits:
        assert "Wombat" not in str(hit.snippet)


def test_unpublished_agent_hides_its_names(world):
    agent = world.agents["serge"]
    agent.published = False
    agent.save()
    assert titles("Kibalchich") == []


def test_unpublishing_a_series_hides_its_subtree_and_publishing_shows_it(world):
    series = world.units["correspondence"]
    series.published = False
    series.save()
    assert titles("Lenine") == []
    series.published = True
    series.save()
    assert titles("Lenine") == ["Letters concerning Lénine"]
    hidden = world.units["hidden_series"]
    hidden.published = True
    hidden.save()
    assert titles("Zanzibar") == ["Zanzibar payroll"]


# ------------------------------------------------------------------------- facets


def test_facet_counts_over_the_filtered_set(world):
    results = search(query="", filters={"level": ["file"]})
    assert results.total == 9
    assert facet(results, "repository") == {"Beinecke Library": 7, "Manuscripts and Archives": 2}
    assert facet(results, "collection") == {"Victor Serge papers": 7, "Dwight Macdonald papers": 2}
    assert facet(results, "creator") == {"Serge, Victor, 1890-1947": 7}
    assert facet(results, "name") == {"Serge, Victor, 1890-1947": 2}
    assert facet(results, "subject") == {"Anarchism": 1}
    assert facet(results, "place") == {"Mexico City (Mexico)": 1}
    assert facet(results, "genre") == {"Photographs": 1}
    assert facet(results, "online") == {"Online content": 1}
    assert facet(results, "language") == {"French": 7, "English": 2}
    decades = facet(results, "decade")
    assert list(decades) == ["1910s", "1920s", "1930s", "1940s"]
    assert decades == {"1910s": 1, "1920s": 1, "1930s": 3, "1940s": 4}


def test_selected_facets_narrow_and_show_as_chips(world):
    place = str(world.subjects["mexico"].pk)
    results = search(query="", filters={"place": [place], "online": ["1"]})
    assert [h.unit.title for h in results.hits] == ["Photographs of Mexico"]
    assert [c.label for c in results.chips] == [
        "Places: Mexico City (Mexico)",
        "Online content",
    ]
    (place_facet,) = [f for f in results.facets if f.kind == "place"]
    assert place_facet.values[0].selected


def test_year_range_filter(world):
    found = {
        h.unit.title for h in search(query="", filters={"year_from": 1936, "year_to": 1938}).hits
    }
    assert "Letters concerning Lénine" in found
    assert "Family letters" in found
    assert "Andre Breton letters" not in found  # 1941-1942
    assert "Revolution pamphlets" not in found  # 1917-1921


def test_decade_facet_filter(world):
    results = search(query="letters", filters={"decade": ["1940"]})
    assert [h.unit.title for h in results.hits] == ["Andre Breton letters"]
    assert results.chips[0].label == "Date: 1940s"


# ---------------------------------------------------------------- sort, pages, groups


def test_sorting(world):
    listing = {"filters": {"level": ["file"]}}
    by_title = [h.unit.title for h in search(query="", sort="title", **listing).hits]
    assert by_title == sorted(by_title, key=str.casefold)
    assert [h.unit.title for h in search(query="", sort="title_desc", **listing).hits] == (
        by_title[::-1]
    )
    by_date = [h.unit.title for h in search(query="", sort="date", **listing).hits]
    assert by_date[0] == "Revolution pamphlets"  # 1917
    assert by_date[-2:] == ["Tax records", "Novels notes"] or by_date[-1] in {
        "Tax records",
        "Novels notes",
    }
    newest = [h.unit.title for h in search(query="", sort="date_desc", **listing).hits]
    assert newest[0] == "Politics magazine"  # ends 1949


def test_pagination(world):
    first = search(query="", filters={"level": ["file"]}, per_page=4, sort="title")
    second = search(query="", filters={"level": ["file"]}, per_page=4, sort="title", page=2)
    third = search(query="", filters={"level": ["file"]}, per_page=4, sort="title", page=3)
    assert first.total == 9 and first.num_pages == 3
    assert len(first.hits) == 4 and len(second.hits) == 4 and len(third.hits) == 1
    seen = [h.unit.pk for h in first.hits + second.hits + third.hits]
    assert len(set(seen)) == 9


def test_group_by_collection(world):
    results = search(query="", filters={"level": ["file"]}, group_by_collection=True)
    assert results.group_total == 2
    assert [(g.title, g.count, len(g.hits)) for g in results.groups] == [
        ("Victor Serge papers", 7, 3),
        ("Dwight Macdonald papers", 2, 2),
    ]
    assert results.groups[0].url == world.collections["serge"].get_absolute_url()


def test_search_within_one_collection(world):
    macdonald = world.collections["macdonald"]
    found = titles("Kibalchich", collection_id=macdonald.pk)
    assert found == ["Politics magazine"]
    results = search(query="Kibalchich", filters={}, collection_id=macdonald.pk)
    assert results.chips[-1].label == "Within: Dwight Macdonald papers"


# --------------------------------------------------------------- index kept current


def test_edit_is_searchable_in_the_same_transaction(world):
    unit = world.units["breton"]
    unit.title = "Andre Breton and Aardvark letters"
    unit.save()
    assert titles("aardvark") == ["Andre Breton and Aardvark letters"]


def test_rolled_back_edit_leaves_the_index_as_it_was(world):
    unit = world.units["breton"]
    with pytest.raises(RuntimeError), transaction.atomic():
        unit.title = "Capybara letters"
        unit.save()
        assert titles("capybara") == ["Capybara letters"]
        raise RuntimeError("abort")
    assert titles("capybara") == []
    assert titles("breton") == ["Andre Breton letters"]


def test_variant_name_edit_and_link_delete(world):
    AgentVariantName.objects.create(agent=world.agents["serge"], name="Kibaltchitch")
    assert "Letters concerning Lénine" in titles("Kibaltchitch")
    AgentLink.objects.filter(unit=world.units["lenine"]).delete()
    assert "Letters concerning Lénine" not in titles("Kibaltchitch")


def test_deleted_unit_disappears(world):
    world.units["breton"].delete()
    assert titles("breton") == []


def test_deleted_collection_disappears(world):
    world.collections["macdonald"].delete()
    assert titles("anarchism") == []
    assert titles("Kibalchich", collection_id=None) == [
        t for t in titles("Kibalchich") if t != "Politics magazine"
    ]


# ------------------------------------------------------------- very large result sets


def test_past_the_limit_counts_and_order_take_in_every_match(world, monkeypatch, client):
    """Past COUNT_LIMIT matches the total, the order of the pages and the counts of
    repositories, collections and levels are still those of every match."""
    from archive.search import query as search_query

    def summary(**kwargs):
        results = search(filters={"level": ["file"]}, per_page=2, **kwargs)
        pages = [
            [
                h.unit.title
                for h in search(filters={"level": ["file"]}, per_page=2, page=p, **kwargs).hits
            ]
            for p in (1, 2, 3)
        ]
        exact = {k: facet(results, k) for k in ("repository", "collection", "level")}
        return results.total, pages, exact

    monkeypatch.setattr(search_query, "COUNT_LIMIT", 100)
    for kwargs in ({"query": "", "sort": "title"}, {"query": "letters"}, {"query": "novel"}):
        whole = summary(**kwargs)
        monkeypatch.setattr(search_query, "COUNT_LIMIT", 1)
        assert summary(**kwargs) == whole, kwargs
        monkeypatch.setattr(search_query, "COUNT_LIMIT", 100)
    monkeypatch.setattr(search_query, "COUNT_LIMIT", 3)
    capped = search(query="", filters={"level": ["file"]})
    assert capped.more and capped.total == 9 and capped.total_display == "9"
    assert {f.kind for f in capped.facets if not f.sampled} == {"repository", "collection", "level"}
    assert facet(capped, "level") == {"File": 9}


def test_phrase_with_more_candidates_than_the_limit_is_checked_on_every_one(world, monkeypatch):
    """PostgreSQL first looks for a phrase among CANDIDATE_LIMIT rows holding its words; when
    there are more, every one is checked, so nothing is missed."""
    from archive.search import query as search_query

    for limit in (1, 100_000):
        monkeypatch.setattr(search_query, "CANDIDATE_LIMIT", limit)
        results = search(query='"letters concerning" OR "drafts of novels"', filters={})
        assert results.total == 2
        assert {h.unit.title for h in results.hits} == {
            "Letters concerning Lénine",
            "Manuscript drafts",
        }


def test_field_choice_with_phrases_and_exclusions(world):
    assert titles('"mexico city"', field="subjects") == ["Photographs of Mexico"]
    assert titles("Mexico -Anarchism", field="subjects") == ["Photographs of Mexico"]
    assert titles("Mexico -Photographs", field="subjects") == []
    assert titles('"city photographs"', field="subjects") == []
    assert titles('"ms 730"', field="identifier") == ["Dwight Macdonald papers"]


def test_sampled_facet_counts_say_so(world, monkeypatch, client):
    from archive.search import query as search_query

    monkeypatch.setattr(search_query, "COUNT_LIMIT", 3)
    page = client.get("/search/", {"level": "file"}).content.decode()
    assert "Counts marked + are taken over the first 3 of 9 results" in page
    assert "(9)" in page  # the level, counted over every match
    assert re.search(r"Language</h3>.*?\(\d+\+\)", page, re.S)  # every file has one
    monkeypatch.setattr(search_query, "COUNT_LIMIT", 100)
    page = client.get("/search/", {"level": "file"}).content.decode()
    assert "Counts marked +" not in page
    assert not re.search(r"\(\d+\+\)", page)
