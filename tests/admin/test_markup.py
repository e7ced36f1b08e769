"""What staff type into mixed-content fields: plain text just works, broken markup is refused.

The check itself (``archive.ead.fragment_check``), then the admin forms that use it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.ead.fragment_check import check_fragment
from archive.ead.markup import fragment_plain_text, parse_fragment
from archive.models import Collection, Component, Note
from tests.admin_forms import add_inline, change_form_data
from tests.factories import PASSWORD, make_collection, make_repository, make_user

# --------------------------------------------------------------------------- the check


@pytest.mark.parametrize(
    "typed",
    [
        "Letters & diaries",
        "Pages 3 < 5 and 7 > 6",
        "He wrote \"yes\" and 'no'",
        "AT&T; R&D < budget",
        "<3 and << and a lone <",
        "Costs ]]> more",
    ],
)
def test_plain_text_is_kept_as_text(typed):
    stored, problems = check_fragment(typed, "scopecontent")
    assert problems == []
    # what is stored is well-formed and reads back as exactly what was typed
    assert fragment_plain_text(stored) == typed
    parse_fragment(stored)


def test_line_ends_and_html_entities_are_normalised():
    stored, problems = check_fragment("Caf&eacute; notes\r\nsecond line", "odd")
    assert problems == []
    assert stored == "Café notes\nsecond line"


def test_expert_markup_allowed_there_is_kept_unchanged():
    typed = (
        '<p>See <title render="italic">Memoirs</title> and '
        '<extref href="https://example.org/serge">the catalogue</extref>.</p>'
        "<list><item>one</item><item>two</item></list>"
    )
    assert check_fragment(typed, "scopecontent") == (typed, [])
    title = 'Letters to <persname>Trotsky</persname>, <emph render="bold">1936</emph>'
    assert check_fragment(title, "unittitle") == (title, [])


def test_an_element_never_closed_is_refused_with_line_and_column():
    _, problems = check_fragment("Letters to <emph>Trotsky", "scopecontent")
    assert [str(p) for p in problems] == ["<emph> is never closed (line 1, column 12)"]
    _, problems = check_fragment("First line\nthen <title>Memoirs", "scopecontent")
    assert [str(p) for p in problems] == ["<title> is never closed (line 2, column 6)"]


def test_misnested_and_stray_closing_tags_are_refused():
    _, problems = check_fragment("<emph>a <title>b</emph></title>", "odd")
    assert str(problems[0]) == (
        "</emph> comes before <title> (line 1, column 9) is closed (line 1, column 17)"
    )
    _, problems = check_fragment("text</emph>", "odd")
    assert [str(p) for p in problems] == ["</emph> closes nothing (line 1, column 5)"]


def test_an_incomplete_tag_is_refused_once():
    _, problems = check_fragment("<emph render=italic>x</emph>", "odd")
    assert len(problems) == 1
    assert "“<emph render=italic>” is not a complete tag" in str(problems[0])
    assert str(problems[0]).endswith("(line 1, column 1)")


def test_elements_not_allowed_there_are_refused_by_name():
    table = "<table><tgroup cols='1'><tbody><row><entry>x</entry></row></tbody></tgroup></table>"
    _, problems = check_fragment(f"Title {table}", "unittitle")
    assert [str(p) for p in problems] == ["<table> is not allowed in a title (line 1)"]
    # the same table is fine in a scope and contents note
    assert check_fragment(table, "scopecontent")[1] == []
    _, problems = check_fragment("<p>one</p>", "physloc", label="a “Physical Location” note")
    assert [str(p) for p in problems] == [
        "<p> is not allowed in a “Physical Location” note (line 1)"
    ]
    _, problems = check_fragment("<list><item><p>x</p></item></list>", "odd")
    assert [p.message for p in problems] == ["<p> is not allowed in <item>"]
    _, problems = check_fragment("<blink>x</blink>", "odd")
    assert [p.message for p in problems] == ["<blink> is not an EAD element"]


def test_attributes_are_checked_against_the_element():
    _, problems = check_fragment("<emph style='x'>a</emph>", "odd")
    assert [p.message for p in problems] == ["<emph> has no attribute style"]
    _, problems = check_fragment("<emph render='sparkly'>a</emph>", "odd")
    assert problems[0].message.startswith('render="sparkly" is not a value <emph> takes')
    assert check_fragment("<emph render='Italic'>a</emph>", "odd")[1] == []  # case repaired


def test_links_must_have_an_address_that_is_no_script():
    _, problems = check_fragment('<extref href="">the catalogue</extref>', "odd")
    assert [p.message for p in problems] == [
        "<extref> has an empty href: put the web address between the quotes"
    ]
    _, problems = check_fragment("<extref href=' JavaScript:alert(1)'>x</extref>", "odd")
    assert problems[0].message.startswith("<extref> links to a script")
    assert check_fragment("<extref href='https://example.org/'>x</extref>", "odd")[1] == []


def test_characters_xml_cannot_hold_are_refused():
    _, problems = check_fragment("Pasted\x0btext", "unittitle")
    assert [str(p) for p in problems] == [
        "the character U+000B cannot be stored in XML; remove it (line 1, column 7)"
    ]


# --------------------------------------------------------------------------- the admin


pytestmark = pytest.mark.django_db


@pytest.fixture
def archivist(client):
    repository = make_repository("beinecke")
    collection = make_collection(repository, "c1", [2], published=True)
    make_user("ana", repository=repository)
    client.login(username="ana", password=PASSWORD)
    return client, collection


def _component_url(unit: Component) -> str:
    return reverse("admin:archive_component_change", args=[unit.pk])


def test_a_note_with_an_ampersand_saves_through_the_admin(archivist):
    client, collection = archivist
    unit = collection.components.get(title="1")
    url = _component_url(unit)
    data = add_inline(
        change_form_data(client, url),
        "notes",
        {
            "note_type": "scopecontent",
            "content": "Letters & diaries",
            "published": "on",
            "position": "0",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    note = Note.objects.get(unit=unit)
    assert note.content == "Letters &amp; diaries"
    # Shown again as typed, and saving the page unchanged changes nothing.
    page = client.get(url).content.decode()
    assert "Letters &amp;amp; diaries" not in page and "Letters &amp; diaries" in page
    assert client.post(url, change_form_data(client, url)).status_code == 302
    assert Note.objects.get(unit=unit).content == "Letters &amp; diaries"


def test_a_broken_note_is_refused_with_what_and_where(archivist):
    client, collection = archivist
    unit = collection.components.get(title="1")
    url = _component_url(unit)
    data = add_inline(
        change_form_data(client, url),
        "notes",
        {
            "note_type": "scopecontent",
            "content": "Letters to <emph>Trotsky",
            "published": "on",
            "position": "0",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "&lt;emph&gt; is never closed (line 1, column 12)" in response.content.decode()
    assert not Note.objects.filter(unit=unit).exists()


def test_a_title_with_an_element_not_allowed_in_titles_is_refused(archivist):
    client, collection = archivist
    unit = collection.components.get(title="1")
    url = _component_url(unit)
    data = change_form_data(client, url)
    data["title_markup"] = "Letters <list><item>x</item></list>"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "&lt;list&gt; is not allowed in a title" in response.content.decode()
    unit.refresh_from_db()
    assert unit.title_markup == ""
    data["title_markup"] = 'Letters to <persname>Trotsky</persname> &amp; <emph render="italic">'
    data["title_markup"] += "others</emph>"
    assert client.post(url, data).status_code == 302
    unit.refresh_from_db()
    assert unit.title_markup == data["title_markup"]


def test_the_finding_aid_header_fields_are_checked_too(archivist):
    client, collection = archivist
    url = reverse("admin:archive_collection_change", args=[collection.pk])
    data = change_form_data(client, url)
    data["finding_aid_author"] = "Processed by <emph>Beinecke staff"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "&lt;emph&gt; is never closed" in response.content.decode()
    data["finding_aid_author"] = "Beinecke staff & volunteers"
    assert client.post(url, data).status_code == 302
    assert Collection.objects.get(pk=collection.pk).finding_aid_author == (
        "Beinecke staff &amp; volunteers"
    )


def test_a_plain_text_field_refuses_invisible_characters(archivist):
    client, collection = archivist
    unit = collection.components.get(title="1")
    url = _component_url(unit)
    data = change_form_data(client, url)
    data["title"] = "Letters\x0c to Trotsky"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "U+000C" in response.content.decode()


def test_markup_fields_get_the_inline_controls_script(archivist):
    client, collection = archivist
    page = client.get(_component_url(collection.components.get(title="1"))).content.decode()
    assert "archive/markup_tools.js" in page
    assert 'class="vLargeTextField fonds-markup"' in page or "fonds-markup" in page
