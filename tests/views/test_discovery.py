"""What crawlers see: /robots.txt, the sitemaps, schema.org JSON-LD and links on public pages.

Over the demo data (the Serge and Macdonald papers). What must hold: the sitemaps list every
public page and nothing else, split at the configured limit, with ``lastmod`` from the same
change stamp as OAI-PMH; robots.txt keeps crawlers out of searches, facets and the admin;
JSON-LD is valid JSON of the schema.org types, built from public data only, and cannot end
its ``<script>`` element early.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from lxml import etree

from archive.models import Agent, Collection, Component, Subject
from archive.services.changes import collection_touch
from archive.visibility import public_authorities

pytestmark = pytest.mark.django_db

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture
def demo(db: None) -> None:
    call_command("loaddata", "demo", verbosity=0)


def xml(client: Client, url: str) -> etree._Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return etree.fromstring(response.content)


def sitemap_urls(client: Client) -> dict[str, str | None]:
    """Every page URL of every sitemap the index names: path -> lastmod."""
    index = xml(client, "/sitemap.xml")
    assert index.tag == f"{SITEMAP_NS}sitemapindex"
    found: dict[str, str | None] = {}
    for sitemap in index.iter(f"{SITEMAP_NS}loc"):
        page = urlsplit(sitemap.text or "")
        urlset = xml(client, page.path + (f"?{page.query}" if page.query else ""))
        assert urlset.tag == f"{SITEMAP_NS}urlset"
        for url in urlset.iter(f"{SITEMAP_NS}url"):
            loc = url.findtext(f"{SITEMAP_NS}loc") or ""
            assert loc.startswith("http://testserver/"), loc
            path = urlsplit(loc).path
            assert path not in found, f"{path} listed twice"
            found[path] = url.findtext(f"{SITEMAP_NS}lastmod")
    return found


def public_pages() -> set[str]:
    """The pages a visitor can reach, computed without the sitemap code."""
    pages = set()
    for unit in Component.objects.select_related("collection__repository"):
        chain = Component.objects.filter(
            collection=unit.collection,
            path__in=[
                unit.path[:i]
                for i in range(Component.steplen, len(unit.path) + 1, Component.steplen)
            ],
        )
        if all(ancestor.published for ancestor in chain) and (unit.depth == 1 or unit.ref):
            pages.add(unit.get_absolute_url())
    for model in (Agent, Subject):
        pages |= {record.get_absolute_url() for record in public_authorities(model.objects.all())}
    return pages


def test_sitemaps_list_every_public_page_and_nothing_else(client: Client, demo: None) -> None:
    serge = Collection.objects.get(ead_id="beinecke.serge")
    hidden = Component.objects.filter(collection=serge, depth=2).order_by("path").first()
    assert hidden is not None
    hidden.published = False
    hidden.save()
    below = Component.objects.filter(collection=serge, path__startswith=hidden.path, depth__gt=2)
    assert below.exists()

    listed = sitemap_urls(client)
    expected = public_pages()
    assert set(listed) == expected
    assert hidden.get_absolute_url() not in listed
    assert not any(unit.get_absolute_url() in listed for unit in below)
    for url in listed:  # every page listed answers
        assert client.get(url).status_code == 200, url


def test_unpublished_collection_leaves_the_sitemaps(client: Client, demo: None) -> None:
    serge = Collection.objects.get(ead_id="beinecke.serge")
    before = sitemap_urls(client)
    assert serge.get_absolute_url() in before
    Component.objects.filter(collection=serge, depth=1).update(published=False)
    after = sitemap_urls(client)
    prefix = serge.get_absolute_url()
    assert not any(url.startswith(prefix) for url in after)
    assert any(url.startswith("/collections/") for url in after)  # the other collection stays


def test_lastmod_is_the_collections_change_stamp(client: Client, demo: None) -> None:
    serge = Collection.objects.get(ead_id="beinecke.serge")
    day = timezone.now() - timedelta(days=400)
    Collection.objects.filter(pk=serge.pk).update(content_changed=day)
    listed = sitemap_urls(client)
    component = Component.objects.filter(collection=serge, depth=2).exclude(ref="").first()
    assert component is not None
    assert (listed[serge.get_absolute_url()] or "").startswith(day.date().isoformat())
    assert (listed[component.get_absolute_url()] or "").startswith(day.date().isoformat())

    collection_touch([serge.pk])  # what an edit, a publish or an import does
    listed = sitemap_urls(client)
    today = timezone.now().date().isoformat()
    assert (listed[component.get_absolute_url()] or "").startswith(today)


@override_settings(FONDS_SITEMAP_LIMIT=3)
def test_sitemaps_split_at_the_limit(client: Client, demo: None) -> None:
    index = xml(client, "/sitemap.xml")
    locations = [loc.text or "" for loc in index.iter(f"{SITEMAP_NS}loc")]
    components = Component.objects.filter(depth__gt=1, published=True).count()
    assert components > 3
    assert any("sitemap-components.xml?p=2" in loc for loc in locations)
    for loc in locations:
        page = urlsplit(loc)
        urlset = xml(client, page.path + (f"?{page.query}" if page.query else ""))
        assert 1 <= len(urlset.findall(f"{SITEMAP_NS}url")) <= 3
    # Paged or not, the same pages are listed.
    with override_settings(FONDS_SITEMAP_LIMIT=50_000):
        whole = set(sitemap_urls(client))
    assert set(sitemap_urls(client)) == whole


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_searches(
    client: Client, settings: object
) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /search/" in lines
    assert "Disallow: /oai" in lines
    assert "Disallow: /api/" in lines
    assert "Disallow: /requests/" in lines
    assert f"Disallow: /{settings.FONDS_ADMIN_PATH}" in lines  # type: ignore[attr-defined]
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /" not in lines


def test_robots_txt_settings(client: Client, tmp_path: object) -> None:
    with override_settings(FONDS_ROBOTS_DISALLOW_ALL=True):
        lines = client.get("/robots.txt").content.decode().splitlines()
    assert lines == ["User-agent: *", "Disallow: /"]
    custom = tmp_path / "robots.txt"  # type: ignore[operator]
    custom.write_text("User-agent: *\nCrawl-delay: 10\n", encoding="utf-8")
    with override_settings(FONDS_ROBOTS_TXT=str(custom)):
        assert client.get("/robots.txt").content.decode() == "User-agent: *\nCrawl-delay: 10\n"


def json_ld(client: Client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    blocks = JSON_LD.findall(response.content.decode())
    assert len(blocks) == 1, f"{url}: {len(blocks)} JSON-LD blocks"
    data = json.loads(blocks[0])
    assert data["@context"] == "https://schema.org"
    return data


def test_collection_and_component_json_ld(client: Client, demo: None) -> None:
    serge = Collection.objects.get(ead_id="beinecke.serge")
    data = json_ld(client, serge.get_absolute_url())
    assert data["@type"] == ["CreativeWork", "ArchiveComponent"]
    assert data["name"] == serge.root.title
    assert data["url"] == f"http://testserver{serge.get_absolute_url()}"
    assert data["holdingArchive"]["@type"] == "ArchiveOrganization"
    assert data["holdingArchive"]["name"] == serge.repository.name
    assert any(c["name"].startswith("Serge, Victor") for c in data["creator"])
    assert data["temporalCoverage"]
    assert data["materialExtent"]

    component = Component.objects.filter(collection=serge, depth=2).exclude(ref="").first()
    assert component is not None
    part = json_ld(client, component.get_absolute_url())
    assert part["name"] == component.display_title
    assert part["isPartOf"]["@id"] == data["@id"]


def test_agent_and_repository_json_ld(client: Client, demo: None) -> None:
    serge = Agent.objects.get(slug__startswith="serge-victor")
    data = json_ld(client, serge.get_absolute_url())
    assert data["@type"] == "Person"
    assert data["name"] == serge.authorized_name
    assert data["birthDate"] == serge.existence_begin
    assert data["deathDate"] == serge.existence_end
    repository = Collection.objects.get(ead_id="beinecke.serge").repository
    place = json_ld(client, repository.get_absolute_url())
    assert place["@type"] == "ArchiveOrganization"
    assert place["name"] == repository.name


def test_json_ld_leaves_out_unpublished_names_and_cannot_close_its_script(
    client: Client, demo: None
) -> None:
    serge = Collection.objects.get(ead_id="beinecke.serge")
    root = serge.root
    root.title = 'Papers </script><script>alert("x")</script> & more'
    root.save()
    link = root.agent_links.select_related("agent").first()
    assert link is not None
    link.published = False
    link.save()
    page = client.get(serge.get_absolute_url()).content.decode()
    block = JSON_LD.findall(page)[0]
    assert "</script>" not in block and "<script>" not in block
    data = json.loads(block)
    assert data["name"] == root.title  # the same words, escaped for the page only
    assert link.agent.authorized_name not in {c["name"] for c in data.get("creator", [])}


def test_collection_page_links_its_ead_downloads(client: Client, demo: None) -> None:
    serge = Collection.objects.get(ead_id="beinecke.serge")
    page = client.get(serge.get_absolute_url()).content.decode()
    link = r'<link rel="alternate" type="application/xml"[^>]*href="([^"]+)"'
    alternates = re.findall(link, page)
    assert len(alternates) == 2
    for href in alternates:
        response = client.get(href)
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"<ead" in body


def test_facet_links_are_not_followed(client: Client, demo: None) -> None:
    page = client.get("/search/", {"q": "letters"}).content.decode()
    facet_links = re.findall(r'<a href="\?[^"]*"[^>]*>', page)
    assert facet_links
    assert all('rel="nofollow"' in tag for tag in facet_links), facet_links
