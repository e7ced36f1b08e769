"""The unit layout both writers share, and what each version spells its own way.

EAD 2002 and EAD3 lay a component out alike (identification first, in the same order of
parts) and differ in names: these tests pin both, on one small finding aid written in each
version, and check every output against the version's official schema.
"""

from __future__ import annotations

import io

import pytest
from lxml import etree

from archive.ead import read_ead, write_ead3, write_ead2002
from archive.ead.markup import local_name

from .conftest import schema

XLINK = "http://www.w3.org/1999/xlink"
SOURCE = (
    f'<ead xmlns="urn:isbn:1-931666-22-9" xmlns:xlink="{XLINK}"><eadheader><eadid>x</eadid>'
    "<filedesc><titlestmt><titleproper>Victor Serge papers</titleproper></titlestmt>"
    '</filedesc></eadheader><archdesc level="collection"><did><unittitle>Papers</unittitle>'
    '</did><dsc><c01 level="file"><did><unitid>F1</unitid><unittitle>Letters</unittitle>'
    '<unitdate normal="1936/1947">1936-1947</unitdate><physdesc><extent>2 boxes</extent>'
    '</physdesc><langmaterial><language langcode="fre">French</language></langmaterial>'
    "<physloc>Vault</physloc><abstract>Letters to friends.</abstract>"
    '<origination label="Creator"><persname>Serge, Victor, 1890-1947</persname></origination>'
    '<container type="Box">1</container><dao xlink:href="http://example.org/a" '
    'xlink:title="Scan"/></did><controlaccess><persname authfilenumber="n80000001" '
    'source="naf" role="correspondent">Macdonald, Dwight</persname><subject source="lcsh" '
    'authfilenumber="sh85000001">Revolutionaries</subject></controlaccess><daogrp><daodesc>'
    '<p>Group words</p></daodesc><daoloc xlink:href="http://example.org/b" xlink:title="Only"/>'
    "</daogrp></c01></dsc></archdesc></ead>"
).encode()
WRITERS = {"2002": write_ead2002, "3": write_ead3}


def component(version: str) -> etree._Element:
    """The file of SOURCE as written (public export) in ``version``, checked valid."""
    out = io.BytesIO()
    WRITERS[version](read_ead(SOURCE), out, include_unpublished=False)
    root = etree.fromstring(out.getvalue())
    assert schema(version).validate(root), schema(version).error_log
    return next(el for el in root.iter() if local_name(el) == "c01")


def child(node: etree._Element, name: str) -> etree._Element:
    return next(el for el in node if local_name(el) == name)


def names(node: etree._Element) -> list[str]:
    return [local_name(el) for el in node]


@pytest.mark.parametrize(
    ("version", "extent", "last"),
    [("2002", "physdesc", ["dao", "daogrp"]), ("3", "physdescstructured", ["dao", "dao"])],
)
def test_the_did_lays_out_its_parts_in_the_same_order_in_both_versions(
    version: str, extent: str, last: list[str]
) -> None:
    did = child(component(version), "did")
    assert names(did) == [
        "unitid",
        "unittitle",
        "unitdate",
        extent,
        "langmaterial",
        "physloc",
        "abstract",
        "origination",
        "container",
        *last,
    ]


def test_ead3_states_an_extent_with_a_number_as_quantity_and_unit_type() -> None:
    structured = child(child(component("3"), "did"), "physdescstructured")
    assert structured.get("coverage") == "whole"
    assert [(local_name(el), el.text) for el in structured] == [
        ("quantity", "2"),
        ("unittype", "boxes"),
    ]


def test_a_group_of_one_digital_object_stands_alone_in_ead3_with_the_groups_words() -> None:
    # EAD3's <daoset> needs two members; EAD 2002's <daogrp> takes one locator
    did = child(component("3"), "did")
    daos = [el for el in did if local_name(el) == "dao"]
    assert [dao.get("href") for dao in daos] == ["http://example.org/a", "http://example.org/b"]
    assert "".join(child(daos[1], "descriptivenote").itertext()) == "Group words"
    group = child(child(component("2002"), "did"), "daogrp")
    assert names(group) == ["daodesc", "daoloc"]
    assert child(group, "daoloc").get(f"{{{XLINK}}}href") == "http://example.org/b"


@pytest.mark.parametrize(
    ("version", "name", "subject"),
    [
        (
            "2002",
            {"source": "naf", "authfilenumber": "n80000001", "role": "correspondent"},
            {"source": "lcsh", "authfilenumber": "sh85000001"},
        ),
        (
            "3",
            {"source": "naf", "identifier": "n80000001", "relator": "correspondent"},
            {"source": "lcsh", "identifier": "sh85000001"},
        ),
    ],
)
def test_access_points_carry_their_authority_in_each_versions_attributes(
    version: str, name: dict[str, str], subject: dict[str, str]
) -> None:
    access = child(component(version), "controlaccess")
    person, topic = list(access)
    assert dict(person.attrib) == name
    assert dict(topic.attrib) == subject
    if version == "3":  # EAD3 names and terms hold their words in parts
        assert names(person) == ["part"] and person[0].text == "Macdonald, Dwight"
        assert names(topic) == ["part"] and topic[0].text == "Revolutionaries"
    else:
        assert (person.text, topic.text) == ("Macdonald, Dwight", "Revolutionaries")
