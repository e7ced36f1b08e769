"""Exports are valid in every case, and say in staff exports what validity left out.

Small finding aids with the features real files have: a stray attribute on ``<ead>``, an
EAD3 ``<repository>`` that holds only an address, and a numbered (``<c01>``...``<c12>``)
finding aid made deeper than twelve levels by an outline move.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from lxml import etree

from archive.ead.parsing import safe_parser
from archive.models import Component, Repository
from archive.services import outline
from tests.exchange.test_corpus_exports import (
    export,
    import_file,
    no_search_index,  # noqa: F401 - a fixture
    validation_errors,
    words,
)
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_search_index")]

EAD2002 = "urn:isbn:1-931666-22-9"
EAD3 = "http://ead3.archivists.org/schema/"
FORMATS = ("ead2002", "ead3")

HEADER_2002 = (
    "<eadheader><eadid>{id}</eadid><filedesc><titlestmt><titleproper>Papers</titleproper>"
    "</titlestmt></filedesc></eadheader>"
)
STRAY_ROOT_ATTRIBUTE = (
    f'<ead xmlns="{EAD2002}" relatedencoding="MARC21" level="fonds">'
    + HEADER_2002.format(id="stray-root")
    + '<archdesc level="collection"><did><unittitle>Papers</unittitle></did></archdesc></ead>'
).encode()

ADDRESS_ONLY_REPOSITORY = (
    f'<ead xmlns="{EAD3}"><control><recordid>address-only</recordid><filedesc><titlestmt>'
    "<titleproper>Papers</titleproper></titlestmt></filedesc>"
    '<maintenancestatus value="new"/><maintenanceagency><agencyname>Agency</agencyname>'
    '</maintenanceagency><maintenancehistory><maintenanceevent><eventtype value="created"/>'
    '<eventdatetime>2020</eventdatetime><agenttype value="human"/><agent>Ana</agent>'
    "</maintenanceevent></maintenancehistory></control>"
    '<archdesc level="collection"><did><unittitle>Papers</unittitle><repository><address>'
    "<addressline>1 Quayside Street</addressline><addressline>Harbourtown</addressline>"
    "</address></repository></did></archdesc></ead>"
).encode()


def numbered_finding_aid(levels: int) -> bytes:
    """A numbered EAD 2002 finding aid: a chain ``levels`` deep plus one more series."""
    chain = ""
    for depth in range(levels, 0, -1):
        inner = chain
        chain = (
            f'<c{depth:02d} level="file" id="u{depth}"><did><unittitle>Level {depth}</unittitle>'
            f"</did>{inner}</c{depth:02d}>"
        )
    other = '<c01 level="series" id="other"><did><unittitle>Other</unittitle></did></c01>'
    return (
        f'<ead xmlns="{EAD2002}">'
        + HEADER_2002.format(id="numbered")
        + '<archdesc level="collection"><did><unittitle>Papers</unittitle></did><dsc>'
        + chain
        + other
        + "</dsc></archdesc></ead>"
    ).encode()


def comments(data: bytes) -> list[str]:
    root = etree.fromstring(data, safe_parser())
    return [c.text for c in root.iter(etree.Comment)]


def component_names(data: bytes) -> set[str]:
    root = etree.fromstring(data, safe_parser())
    return {
        etree.QName(el).localname
        for el in root.iter()
        if isinstance(el.tag, str) and re.fullmatch(r"c(\d\d)?", etree.QName(el).localname)
    }


@pytest.fixture
def repository() -> Repository:
    return Repository.objects.create(code="fidelity", name="Fidelity repository")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_stray_root_attribute_is_kept_shown_to_staff_and_left_out_validly(
    fmt, repository, client
):
    collection = import_file(STRAY_ROOT_ATTRIBUTE, repository, "stray.xml")
    assert ["level", "fonds"] in collection.unmapped["root_attributes"]

    staff = export(collection, fmt, include_unpublished=True)
    public = export(collection, fmt, include_unpublished=False)
    assert validation_errors(staff, fmt) is None
    assert validation_errors(public, fmt) is None
    said = " ".join(comments(staff))
    assert 'attribute level="fonds" of <ead>' in said
    assert "no such attribute" in said
    assert comments(public) == []
    root = etree.fromstring(staff, safe_parser())
    assert "level" not in root.attrib
    if fmt == "ead2002":  # an attribute the schema takes is still written
        assert root.get("relatedencoding") == "MARC21"

    make_user("root", superuser=True)
    client.login(username="root", password=PASSWORD)
    page = client.get(reverse("admin:archive_collection_change", args=[collection.pk]))
    assert page.status_code == 200
    assert "Kept for export" in page.text and "fonds" in page.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_repository_with_only_an_address_exports_validly_keeping_its_words(fmt, repository):
    collection = import_file(ADDRESS_ONLY_REPOSITORY, repository, "address.xml")
    kept = Component.objects.get(collection=collection, depth=1).unmapped
    assert any("Quayside" in extra["xml"] for extra in kept)

    staff = export(collection, fmt, include_unpublished=True)
    public = export(collection, fmt, include_unpublished=False)
    for data in (staff, public):
        assert validation_errors(data, fmt) is None
        text = words(etree.fromstring(data, safe_parser()).itertext())
        assert text["quayside"] == 1 and text["harbourtown"] == 1
    if fmt == "ead3":
        said = " ".join(comments(staff))
        assert "<repository>" in said and "requires a name" in said
    else:  # EAD 2002 takes a repository with an address alone: written as it was
        assert comments(staff) == []
        assert b"<repository><address><addressline>1 Quayside Street" in staff
    assert comments(public) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_numbered_finding_aid_moved_deeper_than_twelve_levels_exports_validly(fmt, repository):
    collection = import_file(numbered_finding_aid(12), repository, "numbered.xml")
    assert collection.numbered_components
    before = export(collection, fmt, include_unpublished=True)
    assert validation_errors(before, fmt) is None
    assert component_names(before) == {f"c{n:02d}" for n in range(1, 13)}

    user = make_user("ana", superuser=True)
    deepest = Component.objects.get(collection=collection, ref="u12")
    outline.component_move(
        unit=Component.objects.get(collection=collection, ref="other"), parent=deepest, user=user
    )
    after = export(collection, fmt, include_unpublished=True)
    assert validation_errors(after, fmt) is None
    # the rule: the whole list unnumbered once a component lies below the twelfth level
    assert component_names(after) == {"c"}
    root = etree.fromstring(after, safe_parser())
    depth_of_other = next(
        len([a for a in el.iterancestors() if etree.QName(a).localname == "c"])
        for el in root.iter()
        if isinstance(el.tag, str) and el.get("id") == "other"
    )
    assert depth_of_other == 12


# -- a round trip keeps structure -------------------------------------------------------------

EAD3_CONTROL = (
    "<control><recordid>{id}</recordid><filedesc><titlestmt><titleproper>Papers</titleproper>"
    '</titlestmt></filedesc><maintenancestatus value="new"/><maintenanceagency>'
    "<agencycode>US-xyz</agencycode><agencyname>Harbour Town Archives</agencyname>"
    '</maintenanceagency><languagedeclaration><language langcode="eng">English</language>'
    '<script scriptcode="Latn">Latin</script></languagedeclaration><maintenancehistory>'
    '<maintenanceevent><eventtype value="created"/><eventdatetime standarddatetime='
    '"2014-11-10T16:22:15-05:00">2014</eventdatetime><agenttype value="machine"/>'
    "<agent>Converter</agent></maintenanceevent></maintenancehistory></control>"
)
STRUCTURED_EAD3 = (
    f'<ead xmlns="{EAD3}">'
    + EAD3_CONTROL.format(id="structured")
    + '<archdesc level="collection"><did><unittitle>Papers</unittitle>'
    '<unitdatestructured unitdatetype="inclusive" label="Dates:"><daterange>'
    '<fromdate standarddate="1948">1948</fromdate><todate standarddate="1968">1968</todate>'
    "</daterange></unitdatestructured></did><controlaccess><subject>"
    '<part localtype="topical">Architecture</part><part localtype="geographic">Raleigh</part>'
    "</subject></controlaccess></archdesc></ead>"
).encode()
MARKED_2002 = (
    f'<ead xmlns="{EAD2002}" xmlns:xlink="http://www.w3.org/1999/xlink">'
    + HEADER_2002.format(id="marked")
    + '<archdesc level="collection"><did><unitid>M 1</unitid><unitid type="ark">'
    '<extref xlink:href="https://example.org/ark:/1/x">ark:/1/x</extref></unitid>'
    "<unittitle>Letters about <bibref>Kant</bibref></unittitle>"
    "<physdesc><extent>2 boxes</extent> and some loose photographs</physdesc></did>"
    "</archdesc></ead>"
).encode()


def tree(data: bytes):
    return etree.fromstring(data, safe_parser())


def find(data: bytes, name: str) -> list:
    return [el for el in tree(data).iter() if isinstance(el.tag, str) and local(el) == name]


def local(el) -> str:
    return etree.QName(el).localname


def test_inline_markup_of_identifiers_and_titles_survives_the_database(repository):
    collection = import_file(MARKED_2002, repository, "marked.xml")
    data = export(collection, "ead2002", include_unpublished=True)
    assert validation_errors(data, "ead2002") is None
    links = find(data, "extref")
    assert [local(link.getparent()) for link in links] == ["unitid"]
    assert links[0].get("{http://www.w3.org/1999/xlink}href") == "https://example.org/ark:/1/x"
    assert [local(b.getparent()) for b in find(data, "bibref")] == ["unittitle"]
    root = Component.objects.get(collection=collection, depth=1)
    assert root.identifier == "M 1"  # the plain values stay what the database shows


def test_words_after_an_extent_reach_the_ead3_export(repository):
    collection = import_file(MARKED_2002, repository, "marked.xml")
    data = export(collection, "ead3", include_unpublished=True)
    assert validation_errors(data, "ead3") is None
    [statement] = find(data, "physdescstructured")
    assert "and some loose photographs" in " ".join(statement.itertext())


def test_ead3_structure_survives_and_follows_edits(repository):
    collection = import_file(STRUCTURED_EAD3, repository, "structured.xml")
    data = export(collection, "ead3", include_unpublished=True)
    assert validation_errors(data, "ead3") is None
    [date] = find(data, "unitdatestructured")
    assert date.get("label") == "Dates:"
    assert [el.get("standarddate") for el in date.iter() if local(el) in ("fromdate", "todate")]
    assert [(p.get("localtype"), p.text) for p in find(data, "subject")[0]] == [
        ("topical", "Architecture"),
        ("geographic", "Raleigh"),
    ]
    [eventdatetime] = find(data, "eventdatetime")
    assert eventdatetime.get("standarddatetime") == "2014-11-10T16:22:15-05:00"
    assert find(data, "agenttype")[0].get("value") == "machine"
    assert find(data, "script")[0].text == "Latin"

    # edited in the admin: the columns are the truth, not the structure read at import
    root = Component.objects.get(collection=collection, depth=1)
    root.dates.update(expression="1950-1970", begin="1950", end="1970")
    subject = collection.components.get(depth=1).subject_links.get().subject
    subject.term = "Architecture, modern"
    subject.save()
    edited = export(collection, "ead3", include_unpublished=True)
    assert validation_errors(edited, "ead3") is None
    assert find(edited, "unitdatestructured") == []
    assert [d.text for d in find(edited, "unitdate")] == ["1950-1970"]
    assert [p.text for p in find(edited, "subject")[0]] == ["Architecture, modern"]


def test_ead3_header_words_reach_the_ead_2002_export(repository):
    collection = import_file(STRUCTURED_EAD3, repository, "structured.xml")
    data = export(collection, "ead2002", include_unpublished=True)
    assert validation_errors(data, "ead2002") is None
    text = words(tree(data).itertext())
    original = words(tree(STRUCTURED_EAD3).itertext())
    assert not original - text
    assert "Harbour Town Archives" in " ".join(tree(data).itertext())
