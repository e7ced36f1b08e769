"""The request list as a researcher uses it: adding from pages, grouping by container,
restricted material marked, unpublished material refused."""

from __future__ import annotations

import lxml.html
import pytest
from django.urls import reverse

from archive.models import Component

pytestmark = pytest.mark.django_db


def add(client, unit: Component, **extra):
    return client.post(reverse("archive:request-add"), {"unit": unit.pk, **extra})


def list_page(client):
    response = client.get(reverse("archive:request-list"))
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


def test_forty_folders_in_two_boxes_make_two_lines(client, catalogue):
    for unit in catalogue.folders:
        assert add(client, unit).status_code == 302
    page = list_page(client)
    lines = page.cssselect("li.request-line")
    assert [line.cssselect("h2")[0].text.strip() for line in lines] == ["Box 3", "Box 4"]
    box3 = [li.text_content() for li in lines[0].cssselect(".request-line__units > li")]
    box4 = [li.text_content() for li in lines[1].cssselect(".request-line__units > li")]
    assert len(box3) == 25 and len(box4) == 15
    # Folders in shelf order: Folder 2 before Folder 10.
    assert "Folder 2" in box3[1] and "Folder 10" in box3[9]
    assert "Letters 26" in box4[0]
    assert "Victor Serge papers (GEN MSS 238)" in lines[0].cssselect("h2")[0].text_content()


def test_a_unit_in_no_container_is_a_line_of_its_own(client, catalogue):
    add(client, catalogue.folders[0])
    add(client, catalogue.loose)
    heads = [h.text.strip() for h in list_page(client).cssselect("li.request-line h2")]
    assert heads == ["Box 3", "Photograph of Serge"]


def test_restricted_material_shows_its_public_access_note(client, catalogue):
    add(client, catalogue.folders[0])
    add(client, catalogue.loose)
    page = list_page(client)
    marked = page.cssselect("li.request-line--access")
    assert len(marked) == 1
    text = marked[0].text_content()
    assert "Access:" in text and "Closed until 2030 by the donor." in text
    assert "Staff only wording" not in lxml.html.tostring(page, encoding="unicode")


def test_unpublished_material_is_refused(client, catalogue):
    response = add(client, catalogue.hidden)
    assert response.status_code == 404
    assert b"This material cannot be requested." in response.content
    assert add(client, catalogue.collection.components.get(depth=1)).status_code == 404
    assert client.post(reverse("archive:request-add"), {"unit": "999999"}).status_code == 404
    assert client.post(reverse("archive:request-add"), {"unit": "x"}).status_code == 404
    assert b"Your request is empty" in client.get(reverse("archive:request-list")).content


def test_material_unpublished_after_adding_drops_out(client, catalogue):
    add(client, catalogue.folders[0])
    add(client, catalogue.loose)
    series = Component.objects.get(ref="serge-s1")
    series.published = False
    series.save()
    heads = [h.text.strip() for h in list_page(client).cssselect("li.request-line h2")]
    assert heads == ["Photograph of Serge"]


def test_remove_an_item(client, catalogue):
    add(client, catalogue.folders[0])
    add(client, catalogue.folders[30])
    client.post(reverse("archive:request-remove"), {"unit": catalogue.folders[0].pk})
    heads = [h.text.strip() for h in list_page(client).cssselect("li.request-line h2")]
    assert heads == ["Box 4"]


def test_adding_goes_back_to_the_page_it_came_from_on_this_site_only(client, catalogue):
    page = catalogue.folders[0].get_absolute_url()
    assert add(client, catalogue.folders[0], next=page)["Location"] == page
    response = add(client, catalogue.folders[1], next="https://evil.example/")
    assert response["Location"] == reverse("archive:request-list")


def test_component_page_outline_and_search_offer_the_button(client, catalogue):
    unit = catalogue.folders[0]
    page = lxml.html.fromstring(client.get(unit.get_absolute_url()).content)
    forms = page.cssselect("form.request-add")
    assert any(f.cssselect("input[name=unit]")[0].get("value") == str(unit.pk) for f in forms)
    add(client, unit)
    page = lxml.html.fromstring(client.get(unit.get_absolute_url()).content)
    assert page.cssselect(".record-head .request-add--added")
    outline = lxml.html.fromstring(
        client.get(
            reverse("archive:outline", args=["beinecke", "serge"]),
            {"node": "serge-s1"},
        ).content
    )
    units = {i.get("value") for i in outline.cssselect("form.request-add input[name=unit]")}
    assert str(catalogue.folders[5].pk) in units


def test_search_results_offer_the_button(client, catalogue):
    response = client.get(reverse("archive:search"), {"q": "Photograph"})
    page = lxml.html.fromstring(response.content)
    hits = page.cssselect("li.search-hit")
    assert hits, "the search finds the photograph"
    values = {
        i.get("value") for i in page.cssselect("li.search-hit form.request-add input[name=unit]")
    }
    assert str(catalogue.loose.pk) in values
