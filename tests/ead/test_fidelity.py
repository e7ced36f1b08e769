"""Same-version exports give back the markup the file had; other versions stay valid.

Small documents, one feature each, written straight from the reader's records (the corpus
test measures the same over real files, through the database too).
"""

from __future__ import annotations

import dataclasses
import io

from lxml import etree

from archive.ead import Unit, read_ead, write_ead3, write_ead2002
from archive.ead.conform import QUOTED_NS
from archive.ead.parsing import EAD3_NS, EAD2002_NS, XLINK_NS

from .conftest import schema

E2 = f'<ead xmlns="{EAD2002_NS}" xmlns:xlink="{XLINK_NS}">'
HEADER2 = (
    "<eadheader><eadid>x</eadid><filedesc><titlestmt><titleproper>T</titleproper>"
    "</titlestmt></filedesc></eadheader>"
)
E3 = f'<ead xmlns="{EAD3_NS}">'
HEADER3 = (
    "<control><recordid>x</recordid><filedesc><titlestmt><titleproper>T</titleproper>"
    '</titlestmt></filedesc><maintenancestatus value="new"/><maintenanceagency>'
    "<agencyname>A</agencyname></maintenanceagency><maintenancehistory><maintenanceevent>"
    '<eventtype value="created"/><eventdatetime>2020</eventdatetime><agenttype value="human"/>'
    "<agent>a</agent></maintenanceevent></maintenancehistory></control>"
)


def ead2002(archdesc_body: str) -> bytes:
    return (
        f'{E2}{HEADER2}<archdesc level="collection"><did><unittitle>Papers</unittitle></did>'
        f"{archdesc_body}</archdesc></ead>"
    ).encode()


def ead3(archdesc_body: str) -> bytes:
    return (
        f'{E3}{HEADER3}<archdesc level="collection"><did><unittitle>Papers</unittitle></did>'
        f"{archdesc_body}</archdesc></ead>"
    ).encode()


def written(records, version: str, *, include_unpublished: bool = True) -> etree._Element:
    """The export as a tree, after checking it against the official schema."""
    out = io.BytesIO()
    writer = write_ead2002 if version == "2002" else write_ead3
    writer(records, out, include_unpublished=include_unpublished)
    root = etree.fromstring(out.getvalue())
    xsd = schema(version)
    assert xsd.validate(root), xsd.error_log
    return root


def find_all(root: etree._Element, name: str) -> list[etree._Element]:
    return [
        el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == name
    ]


def test_extended_link_keeps_its_arcs_resources_and_labels() -> None:
    doc = ead2002(
        '<dao xlink:href="http://example.org/a.jpg"/><dsc><c01><did><unittitle>F</unittitle>'
        '<daogrp><resource xlink:label="start">Start here</resource>'
        '<arc xlink:from="start" xlink:to="one" xlink:show="new" xlink:actuate="onLoad"/>'
        '<daoloc xlink:href="http://example.org/1.jpg" xlink:label="one"/>'
        '<daoloc xlink:href="http://example.org/2.jpg" xlink:label="two"/>'
        "</daogrp></did></c01></dsc>"
    )
    root = written(read_ead(doc), "2002")
    (arc,) = find_all(root, "arc")
    assert (arc.get(f"{{{XLINK_NS}}}from"), arc.get(f"{{{XLINK_NS}}}to")) == ("start", "one")
    assert arc.get(f"{{{XLINK_NS}}}actuate") == "onLoad"
    assert [r.text for r in find_all(root, "resource")] == ["Start here"]
    labels = [d.get(f"{{{XLINK_NS}}}label") for d in find_all(root, "daoloc")]
    assert labels == ["one", "two"]
    # EAD3 has no extended links: the resource's words join the set's description
    ead3_root = written(read_ead(doc), "3")
    (daoset,) = find_all(ead3_root, "daoset")
    assert "Start here" in "".join(daoset.itertext())


def test_an_internal_record_stays_internal_whatever_its_file_said() -> None:
    doc = ead2002('<scopecontent audience="external"><p>Said external</p></scopecontent>')
    records = list(read_ead(doc))
    unit = next(r for r in records if isinstance(r, Unit))
    (note,) = unit.notes
    assert ("audience", "external") in note.attributes
    hidden = dataclasses.replace(unit, notes=(dataclasses.replace(note, published=False),))
    records = [hidden if r is unit else r for r in records]
    for version in ("2002", "3"):
        staff = written(records, version)
        assert [n.get("audience") for n in find_all(staff, "scopecontent")] == ["internal"]
        public = written(records, version, include_unpublished=False)
        assert find_all(public, "scopecontent") == []
    # and while published, the file's word is given back
    assert [
        n.get("audience") for n in find_all(written(read_ead(doc), "2002"), "scopecontent")
    ] == ["external"]


def test_ead3_phrases_keep_language_and_structured_dates() -> None:
    doc = ead3(
        '<scopecontent><p>He said <foreign lang="lat">carpe diem</foreign>.</p>'
        "<chronlist><chronitem>"
        '<daterange localtype="span"><fromdate standarddate="1924-07">July 1924</fromdate>'
        '<todate standarddate="1924-09">September 1924</todate></daterange>'
        "<event>Travels</event></chronitem><chronitem>"
        '<datesingle notbefore="1100">circa 1100</datesingle><event>Founding</event>'
        "</chronitem></chronlist></scopecontent>"
    )
    root = written(read_ead(doc), "3")
    assert [f.get("lang") for f in find_all(root, "foreign")] == ["lat"]
    (daterange,) = find_all(root, "daterange")
    assert daterange.get("localtype") == "span"
    assert [d.get("standarddate") for d in daterange] == ["1924-07", "1924-09"]
    assert [d.get("notbefore") for d in find_all(root, "datesingle")] == ["1100"]
    # EAD 2002 has none of these: a chronology's dates become <date>s with the same words
    old = written(read_ead(doc), "2002")
    dates = find_all(old, "date")
    assert [(d.text, d.get("normal")) for d in dates] == [
        ("July 1924-September 1924", "1924-07/1924-09"),
        ("circa 1100", None),
    ]


def test_a_second_component_list_stays_a_list_of_its_own() -> None:
    doc = ead3(
        '<dsc dsctype="combined"><c><did><unittitle>One</unittitle></did></c></dsc>'
        '<dsc dsctype="otherdsctype" otherdsctype="holdings"><c><did><unittitle>Item'
        "</unittitle></did></c></dsc>"
    )
    root = written(read_ead(doc), "3")
    lists = find_all(root, "dsc")
    assert [(d.get("dsctype"), d.get("otherdsctype")) for d in lists] == [
        ("combined", None),
        ("otherdsctype", "holdings"),
    ]
    assert ["".join(d.itertext()) for d in lists] == ["One", "Item"]


def test_ead_quoted_in_objectxmlwrap_stays_quoted_and_valid() -> None:
    doc = ead3(
        '<relations><relation relationtype="otherrelationtype"><relationentry>Quoted'
        "</relationentry><objectxmlwrap><c12><did><unittitle>Inside</unittitle></did></c12>"
        "</objectxmlwrap></relation></relations>"
    )
    records = list(read_ead(doc))
    assert [r.title for r in records if isinstance(r, Unit)] == ["Papers"]  # not a component
    root = written(records, "3")
    (wrap,) = find_all(root, "objectxmlwrap")
    (quoted,) = list(wrap)
    assert quoted.tag == f"{{{QUOTED_NS}}}quoted"
    assert [etree.QName(c).text for c in quoted] == [f"{{{EAD3_NS}}}c12"]
    # and again: the export read back gives the same bytes
    first = io.BytesIO()
    write_ead3(records, first, include_unpublished=True)
    second = io.BytesIO()
    write_ead3(read_ead(first.getvalue()), second, include_unpublished=True)
    assert second.getvalue() == first.getvalue()
