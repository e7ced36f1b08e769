"""The public pages (archive.views), as a reader without JavaScript sees them."""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import PagesWorld, build_pages_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> PagesWorld:
    return build_pages_world()


def text_of(response) -> str:
    """The visible text of a page, whitespace collapsed (markup stripped)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html_lib.unescape(text)).strip()


class HeadingCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []
        self.landmarks: set[str] = set()

    def handle_starttag(self, tag: str, attrs) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))
        if tag in {"header", "main", "footer", "nav"}:
            self.landmarks.add(tag)


def assert_accessible_structure(response) -> None:
    """One h1, no skipped heading level, the landmarks and the skip link."""
    collector = HeadingCollector()
    collector.feed(response.content.decode())
    assert collector.levels.count(1) == 1, collector.levels
    assert collector.levels[0] == 1
    for before, after in zip(collector.levels, collector.levels[1:], strict=False):
        assert after <= before + 1, f"heading jumps from h{before} to h{after}"
    assert {"header", "main", "footer"} <= collector.landmarks
    assert 'href="#main"' in response.content.decode()


# --------------------------------------------------------------------------- home


def test_home_lists_repositories_and_public_collections(client, world: PagesWorld, settings):
    settings.FONDS_TODAY = "2024-06-01"
    response = client.get(reverse("archive:home"))
    assert response.status_code == 200
    text = text_of(response)
    assert "Rare Book Library" in text
    assert "Manuscripts Department" in text
    assert "Victor Example papers" in text
    assert "Dwight Example papers" in text
    assert "HIDDEN COLLECTION" not in text
    assert "Recently updated" in text
    assert 'role="search"' in response.content.decode()
    assert_accessible_structure(response)


@pytest.mark.parametrize(
    ("day", "expected"),
    [("2024-12-30", "born 1890-12-30"), ("2031-11-17", "died 1947-11-17")],
)
def test_home_on_this_day_names_agents_born_or_died_today(client, world, settings, day, expected):
    settings.FONDS_TODAY = day
    text = text_of(client.get("/"))
    assert "Example, Victor, 1890-1947" in text
    assert expected in text


def test_home_on_this_day_is_empty_on_other_days(client, world, settings):
    settings.FONDS_TODAY = "2024-12-29"
    text = text_of(client.get("/"))
    assert "Example, Victor, 1890-1947" not in text
    assert "No one in these collections was born or died on this day" in text


# --------------------------------------------------------------------------- repository


def test_repository_page_lists_its_public_collections(client, world: PagesWorld):
    response = client.get(world.repository.get_absolute_url())
    assert response.status_code == 200
    text = text_of(response)
    assert "Rare Book Library" in text
    assert "Example University" in text
    assert "Victor Example papers" in text
    assert "GEN MSS 238" in text
    assert "HIDDEN COLLECTION" not in text
    assert "Dwight Example papers" not in text
    assert_accessible_structure(response)


def test_unknown_repository_is_404(client, world):
    assert client.get("/repositories/nowhere/").status_code == 404


# --------------------------------------------------------------------------- collection


def test_collection_page_summary_notes_and_outline(client, world: PagesWorld):
    response = client.get(world.papers.get_absolute_url())
    assert response.status_code == 200
    text = text_of(response)
    for expected in [
        "Victor Example papers",
        "GEN MSS 238",
        "1912-1994, bulk 1936-1947",
        "12.5 linear feet (26 boxes)",
        "French, Russian",
        "Rare Book Library",
        "Letters and manuscripts of a revolutionary writer.",
        "Scope of the papers.",
        "Purchased from the family.",
        "Copyright has been transferred to the library.",
        "Example, Victor, 1890-1947",
        "Anarchism",
        "Correspondence",
        "Writings",
    ]:
        assert expected in text, expected
    assert "SECRET PROCESSING REMARK" not in text
    assert "HIDDEN SERIES" not in text
    # DACS order: scope and contents before acquisition, whatever the order of entry.
    assert text.index("Scope of the papers.") < text.index("Purchased from the family.")
    # Markup goes through the whitelist: no script element survives.
    assert "<script>alert" not in response.content.decode()
    assert_accessible_structure(response)


def test_collection_page_tools_citation_ead_and_search_within(client, world: PagesWorld):
    response = client.get(world.papers.get_absolute_url())
    html = response.content.decode()
    text = text_of(response)
    assert "Cite this collection" in text
    # Built citation: title, dates, call number, repository, the page's own URL.
    assert re.search(
        r"Victor Example papers, 1912-1994, bulk 1936-1947 \(GEN MSS 238\)\. Rare Book Library\. "
        r"http://testserver/collections/rbml/rbml\.papers/",
        text,
    )
    assert reverse("archive:collection-ead", args=["rbml", "rbml.papers", "ead2002"]) in html
    assert reverse("archive:collection-ead", args=["rbml", "rbml.papers", "ead3"]) in html
    assert "Search within this collection" in text
    within = re.search(
        r'<form[^>]*aria-label="Search within this collection".*?</form>', html, flags=re.S
    ).group(0)
    assert f'action="{reverse("archive:search")}"' in within
    assert f'name="within" value="{world.papers.pk}"' in within
    assert "Printable view" in text
    assert "1 digital object can be viewed online" in text


def test_collection_prefers_the_preferred_citation_note(client, world: PagesWorld):
    text = text_of(client.get(world.other.get_absolute_url()))
    assert "Dwight Example Papers (MS 730). Manuscripts Department." in text


def test_collection_print_view_lists_public_contents(client, world: PagesWorld):
    response = client.get(world.papers.get_absolute_url() + "?print=1")
    assert response.status_code == 200
    text = text_of(response)
    assert "Letters to Trotsky" in text
    assert "Box 3, Folder 12" in text
    assert "HIDDEN FILE" not in text
    assert "File under a hidden series" not in text


def test_unpublished_collection_is_404(client, world: PagesWorld):
    assert client.get("/collections/rbml/rbml.hidden/").status_code == 404
    assert client.get("/collections/rbml/no-such-thing/").status_code == 404
    # The right EAD id under the wrong repository is not the collection either.
    assert client.get("/collections/mss/rbml.papers/").status_code == 404


# --------------------------------------------------------------------------- component


def test_component_page_shows_everything_the_unit_holds(client, world: PagesWorld):
    response = client.get(world.file11.get_absolute_url())
    assert response.status_code == 200
    text = text_of(response)
    for expected in [
        "Letters to Trotsky",
        "1936-1938",
        "Box 3, Folder 12",
        "Vault, shelf 4",
        "Scan of the letters",
        "File",
    ]:
        assert expected in text, expected
    assert "HIDDEN SCAN" not in text
    assert_accessible_structure(response)


def test_component_breadcrumb_runs_from_repository_down(client, world: PagesWorld):
    response = client.get(world.file11.get_absolute_url())
    html = response.content.decode()
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, flags=re.S).group(0)
    crumb_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", crumbs)).strip()
    assert crumb_text == (
        "Home Rare Book Library Victor Example papers Correspondence Letters to Trotsky"
    )


def test_component_inherits_restrictions_from_nearest_ancestor(client, world: PagesWorld):
    text = text_of(client.get(world.file11.get_absolute_url()))
    assert "Closed until 2030 by the donor." in text
    assert "Inherited from Correspondence" in text
    assert "Copyright has been transferred to the library." in text
    assert "Inherited from Victor Example papers" in text
    # The series holds its own access note: shown, not as inherited.
    series_text = text_of(client.get(world.series1.get_absolute_url()))
    assert "Closed until 2030 by the donor." in series_text
    assert "Inherited from Correspondence" not in series_text


def test_component_previous_and_next_skip_hidden_units(client, world: PagesWorld):
    html = client.get(world.file11.get_absolute_url()).content.decode()
    prev = re.search(r'<a href="([^"]+)" rel="prev">', html).group(1)
    nxt = re.search(r'<a href="([^"]+)" rel="next">', html).group(1)
    assert prev == world.series1.get_absolute_url()
    # f12 (hidden) and series 2 (hidden) with its file are skipped: next is series 3.
    assert nxt == "/collections/rbml/rbml.papers/ser3/"


def test_component_citation_is_built_with_containers(client, world: PagesWorld):
    text = text_of(client.get(world.file11.get_absolute_url()))
    assert (
        "Letters to Trotsky, 1936-1938. Box 3, Folder 12. Victor Example papers (GEN MSS 238). "
        "Rare Book Library. http://testserver/collections/rbml/rbml.papers/f11/"
    ) in text


def test_hidden_components_are_404(client, world: PagesWorld):
    assert client.get(world.file12_hidden.get_absolute_url()).status_code == 404
    assert client.get(world.series2_hidden.get_absolute_url()).status_code == 404
    # Published itself, but under an unpublished series.
    assert client.get(world.file21_under_hidden.get_absolute_url()).status_code == 404
    assert client.get("/collections/rbml/rbml.papers/nope/").status_code == 404


def test_component_outline_opens_at_the_current_node(client, world: PagesWorld):
    html = client.get(world.file11.get_absolute_url()).content.decode()
    outline = re.search(r'<nav class="outline".*?</nav>', html, flags=re.S).group(0)
    assert 'aria-current="page"' in outline
    assert "Letters to Trotsky" in outline
    assert 'aria-expanded="true"' in outline  # the series above it is open
    assert "HIDDEN FILE" not in outline


# --------------------------------------------------------------------------- outline


def test_outline_fragment_lists_children_as_list_items(client, world: PagesWorld):
    url = reverse("archive:outline", args=["rbml", "rbml.papers"])
    response = client.get(url, {"node": "ser1", "fragment": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "Letters to Trotsky" in html
    assert "HIDDEN FILE" not in html


def test_outline_without_javascript_is_a_full_page(client, world: PagesWorld):
    url = reverse("archive:outline", args=["rbml", "rbml.papers"])
    response = client.get(url)
    assert response.status_code == 200
    assert "Correspondence" in text_of(response)
    assert_accessible_structure(response)


def test_outline_of_hidden_node_is_404(client, world: PagesWorld):
    url = reverse("archive:outline", args=["rbml", "rbml.papers"])
    assert client.get(url, {"node": "ser2"}).status_code == 404
    assert client.get(url, {"node": "ser1", "after": "../x"}).status_code == 404


# --------------------------------------------------------------------------- agents


def test_agent_page_like_archivesspace(client, world: PagesWorld):
    response = client.get(world.agent.get_absolute_url())
    assert response.status_code == 200
    text = text_of(response)
    assert "Example, Victor, 1890-1947" in text
    assert "Existence: 1890-12-30 - 1947-11-17" in text
    assert "Writer and revolutionary, born in Brussels." in text
    assert "Kibalchich, Victor Lvovich" in text
    assert "Found in 2 Collections and/or Records" in text
    assert "GEN MSS 238" in text and "MS 730" in text
    assert "HIDDEN COLLECTION" not in text and "GEN MSS 999" not in text
    assert_accessible_structure(response)


def test_agent_page_relations_link_public_agents_only(client, world: PagesWorld):
    from archive.models import AgentLink

    # The spouse is named only through an unpublished link: not public, so not listed.
    response = client.get(world.agent.get_absolute_url())
    text = text_of(response)
    assert "Roussakova, Liouba" not in text
    assert world.spouse.get_absolute_url() not in response.content.decode()
    # Once a public unit names her, the relation shows and links to her page.
    AgentLink.objects.create(unit=world.series1, agent=world.spouse, role="subject")
    response = client.get(world.agent.get_absolute_url())
    text = text_of(response)
    assert "Roussakova, Liouba" in text
    assert world.spouse.get_absolute_url() in response.content.decode()
    assert "HIDDEN AGENT" not in text


def test_agent_page_role_facets_count_public_collections(client, world: PagesWorld):
    response = client.get(world.agent.get_absolute_url())
    text = text_of(response)
    # Creator of the papers (the hidden collection does not count); subject in both.
    assert "Creator (1)" in text
    assert "Subject (2)" in text
    # The only "source" link is on a file under a hidden series.
    assert "Source (" not in text
    filtered = text_of(client.get(world.agent.get_absolute_url(), {"role": "creator"}))
    assert "Victor Example papers" in filtered
    assert "Dwight Example papers" not in filtered


def test_unpublished_agent_is_404(client, world: PagesWorld):
    assert client.get(world.hidden_agent.get_absolute_url()).status_code == 404


def test_agent_with_only_unpublished_links_is_404(client, world: PagesWorld):
    # Published herself, but named only through an unpublished link (and a relation).
    assert client.get(world.spouse.get_absolute_url()).status_code == 404


def test_subject_page_lists_public_collections(client, world: PagesWorld):
    response = client.get(world.subject.get_absolute_url())
    assert response.status_code == 200
    text = text_of(response)
    assert "Anarchism" in text
    assert "Found in 2 Collections and/or Records" in text
    assert "Victor Example papers" in text and "Dwight Example papers" in text
    assert "HIDDEN COLLECTION" not in text
    assert_accessible_structure(response)
