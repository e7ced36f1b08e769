"""Writers: schema validity, determinism, round trip without losing words, publishing."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections import Counter
from functools import cache

import pytest
from lxml import etree

from archive.ead import Unit, UnitSupplement, read_ead, write_ead3, write_ead2002
from archive.ead.markup import local_name
from archive.ead.testing import generate_finding_aid
from archive.ead.writer3 import Writer3
from archive.ead.writer2002 import Writer2002
from tests.corpus import CORPUS_DIR, REPO, corpus_files

from .conftest import schema

WRITERS = {"2002": write_ead2002, "3": write_ead3}
WORD = re.compile(r"\w+", re.UNICODE)


def write(records, version: str, *, include_unpublished: bool = True) -> bytes:
    buf = io.BytesIO()
    WRITERS[version](records, buf, include_unpublished=include_unpublished)
    return buf.getvalue()


def words_of(xml: bytes) -> Counter[str]:
    """Normalised words of the <archdesc> text plus the header titles."""
    root = etree.fromstring(
        xml, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    )
    texts = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = local_name(el)
        parent = el.getparent()
        in_header = name == "archdesc" or (parent is not None and local_name(parent) == "titlestmt")
        if name in ("archdesc", "titleproper", "subtitle") and in_header:
            # element boundaries separate words (writers add no indentation)
            texts.extend(el.itertext())
    return Counter(w.casefold() for w in WORD.findall(" ".join(texts)))


def missing_words(original: bytes, output: bytes) -> Counter[str]:
    return words_of(original) - words_of(output)


@cache
def exports(name: str) -> dict[str, tuple[bytes, bytes]]:
    """First and second export of a corpus file in both versions, computed once per run.

    ``first`` is write(read(original)), ``second`` is write(read(first)): the issue's round
    trip (import -> export -> import -> export).  Only bytes are kept, so the cache stays
    small; each corpus file is parsed once for both versions.
    """
    records = list(read_ead(CORPUS_DIR / name))
    out = {}
    for version in WRITERS:
        first = write(records, version)
        out[version] = (first, write(read_ead(first), version))
    return out


@pytest.mark.parametrize("version", ["2002", "3"])
@pytest.mark.slow
@pytest.mark.parametrize("name", corpus_files(well_formed=True))
def test_output_validates(name: str, version: str, corpus_dir, schema_dir) -> None:
    xml = exports(name)[version][0]
    xsd = schema(version)
    ok = xsd.validate(etree.fromstring(xml))
    errors = [f"line {e.line}: {e.message}" for e in xsd.error_log][:10]
    assert ok, f"{name} as EAD {version}:\n" + "\n".join(errors)


@pytest.mark.parametrize("version", ["2002", "3"])
@pytest.mark.slow
@pytest.mark.parametrize("name", corpus_files(well_formed=True))
def test_round_trip_is_stable_and_keeps_words(name: str, version: str, corpus_dir) -> None:
    original = (corpus_dir / name).read_bytes()
    first, second = exports(name)[version]
    # import -> export -> import -> export: the first and second exports are identical
    assert first == second, f"{name}: first and second EAD {version} exports differ"
    lost = missing_words(original, first)
    assert not lost, f"{name} -> EAD {version} lost words: {dict(lost.most_common(30))}"


def test_deterministic_output(corpus_dir) -> None:
    name = corpus_files(well_formed=True)[0]
    records = list(read_ead(corpus_dir / name))
    assert write(records, "2002") == write(records, "2002")
    assert write(records, "3") == write(records, "3")


HEADER = (
    "<eadheader><eadid>x</eadid><filedesc><titlestmt><titleproper>T</titleproper>"
    "</titlestmt></filedesc></eadheader>"
)
DOC = (
    '<ead xmlns="urn:isbn:1-931666-22-9">'
    + HEADER
    + '<archdesc level="collection"><did><unittitle>Papers</unittitle></did>'
    "<scopecontent><p>Public words</p></scopecontent>"
    '<processinfo audience="internal"><p>Staff only note</p></processinfo>'
    '<dsc><c level="series"><did><unittitle>Open series</unittitle></did>'
    '<c level="file" audience="internal"><did><unittitle>Hidden file</unittitle></did>'
    '<c level="item"><did><unittitle>Hidden item</unittitle></did></c></c>'
    '<c level="file"><did><unittitle>Open file</unittitle></did></c></c></dsc>'
    "</archdesc></ead>"
)


@pytest.mark.parametrize("version", ["2002", "3"])
def test_unpublished_parts_are_omitted_from_public_output(version: str) -> None:
    public = write(read_ead(DOC.encode()), version, include_unpublished=False).decode()
    staff = write(read_ead(DOC.encode()), version, include_unpublished=True).decode()
    for hidden in ("Staff only note", "Hidden file", "Hidden item"):
        assert hidden not in public
        assert hidden in staff
    assert "Open file" in public and "Public words" in public
    assert staff.count('audience="internal"') == 2
    assert schema(version).validate(etree.fromstring(public.encode()))


@pytest.mark.parametrize("version", ["2002", "3"])
def test_mixed_content_space_survives_writing(version: str) -> None:
    doc = DOC.replace(
        "<p>Public words</p>",
        '<p><emph render="italic">Victor</emph> <emph render="italic">Serge</emph></p>',
    )
    xml = write(read_ead(doc.encode()), version).decode()
    assert "Victor</emph> <emph" in xml


# Run in a fresh interpreter: ru_maxrss is the process's peak so far, so in the test process a
# bigger earlier test would hide whatever this read costs.
READ_AND_MEASURE = """
import resource, sys
from archive.ead import Unit, read_ead
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
units = [r.depth for r in read_ead(sys.argv[1]) if isinstance(r, Unit) and r.depth]
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(len(units), max(units), grown)
"""


@pytest.mark.slow
@pytest.mark.parametrize(("version", "components"), [("2002", 100_000), ("3", 10_000)])
def test_large_finding_aid_streams(tmp_path, version: str, components: int) -> None:
    """Reading holds one unit at a time: the reader's peak memory grows by less than the
    file's own size (a parsed tree of the same file takes about seven times its size)."""
    path = generate_finding_aid(tmp_path / "big.xml", components=components, version=version)
    out = subprocess.run(
        [sys.executable, "-c", READ_AND_MEASURE, str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    ).stdout
    count, depth, grown_kib = (int(word) for word in out.split())
    assert count == components and depth == 2
    size_kib = os.path.getsize(path) // 1024
    assert grown_kib < size_kib, f"reading {size_kib} KiB grew the peak by {grown_kib} KiB"


def _doc(did: str = "", body: str = "") -> bytes:
    return (
        '<ead xmlns="urn:isbn:1-931666-22-9">'
        + HEADER
        + '<archdesc level="collection"><did><unittitle>Papers</unittitle>'
        + did
        + "</did>"
        + body
        + "</archdesc></ead>"
    ).encode()


SHAPES = {
    # a heading over phrase content: EAD3 didnote has no <head>
    "did note heading": _doc(did="<note><head>Heading words</head><p>Body</p></note>"),
    # EAD3 origination takes only names
    "origination text": _doc(did='<origination label="Creator">Smith, John  </origination>'),
    # EAD3 <p> holds no table: it goes beside the paragraph
    "table in paragraph": _doc(
        body='<scopecontent><p>Intro <table><tgroup cols="1"><tbody><row><entry>Cell</entry>'
        "</row></tbody></tgroup></table> after</p></scopecontent>"
    ),
    # EAD 2002 legal status lives inside accessrestrict; EAD3 has it as a note of its own
    "legal status": _doc(
        body="<accessrestrict><head>Legal</head><legalstatus>Public records</legalstatus>"
        "</accessrestrict>"
    ),
    # a group heading over something that is no access point
    "controlaccess date group": _doc(
        body="<controlaccess><controlaccess><head>Date words</head><date>1990</date>"
        "</controlaccess></controlaccess>"
    ),
    "daogrp resource": _doc(
        body='<odd><p>x</p></odd><daogrp><resource xlink:label="a" '
        'xmlns:xlink="http://www.w3.org/1999/xlink">Resource words</resource>'
        '<daoloc xlink:href="http://example.org/a" xmlns:xlink="http://www.w3.org/1999/xlink"/>'
        "</daogrp>"
    ),
}


@pytest.mark.parametrize("version", ["2002", "3"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_awkward_shapes_validate_keep_words_and_read_back(shape: str, version: str) -> None:
    source = SHAPES[shape]
    first = write(read_ead(source), version)
    assert schema(version).validate(etree.fromstring(first)), first.decode()
    assert not missing_words(source, first)
    assert write(read_ead(first), version) == first


def test_legal_status_reads_back_as_legal_status() -> None:
    first = write(read_ead(SHAPES["legal status"]), "2002")
    units = [r for r in read_ead(first) if isinstance(r, Unit)]
    assert [(n.note_type, n.heading) for n in units[0].notes] == [("legalstatus", "Legal")]


def test_component_quoted_in_objectxmlwrap_does_not_cut_its_parent_short() -> None:
    ns = "http://ead3.archivists.org/schema/"
    doc = (
        f'<ead xmlns="{ns}"><control><recordid>x</recordid><filedesc><titlestmt>'
        "<titleproper>T</titleproper></titlestmt></filedesc></control>"
        '<archdesc level="collection"><did><unittitle>Papers</unittitle></did><dsc>'
        '<c01 level="series"><did><unittitle>Series</unittitle></did><relations><relation '
        'relationtype="otherrelationtype"><relationentry>Entry words</relationentry>'
        f'<objectxmlwrap><c12 xmlns="{ns}"><did><unittitle>Quoted</unittitle></did></c12>'
        "</objectxmlwrap></relation></relations>"
        "<scopecontent><p>Late words</p></scopecontent>"
        "<c02><did><unittitle>Child</unittitle></did></c02></c01></dsc></archdesc></ead>"
    ).encode()
    records = list(read_ead(doc))
    units = [r for r in records if isinstance(r, Unit)]
    series = units[1]
    assert [n.note_type for n in series.notes] == ["scopecontent"]
    assert not [r for r in records if isinstance(r, UnitSupplement)]
    for version in WRITERS:
        first = write(records, version)
        assert schema(version).validate(etree.fromstring(first))
        assert b"Late words" in first and b"Entry words" in first


def write_through_tree(records, version: str, *, include_unpublished: bool = True) -> bytes:
    """What the writer gives when every component goes through the tree and ``conform``."""
    writer = {"2002": Writer2002, "3": Writer3}[version](include_unpublished=include_unpublished)
    writer.plain_units = False
    buf = io.BytesIO()
    writer.write(records, buf)
    return buf.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("name", corpus_files(well_formed=True))
def test_plain_components_are_written_as_the_tree_writes_them(name: str, corpus_dir) -> None:
    """Plain components are written as text directly; the bytes must not change."""
    records = list(read_ead(corpus_dir / name))
    for version in WRITERS:
        for staff in (True, False):
            assert write(records, version, include_unpublished=staff) == write_through_tree(
                records, version, include_unpublished=staff
            ), f"{name} as EAD {version}: plain components differ from the tree's"


# plain components with values the schema or XML escaping must repair or refuse
PLAIN = _doc(
    body='<dsc><c level="series" id="s1"><did><unittitle>Letters "to" Serge</unittitle></did>'
    '<c level="file"><did><unitid type="call">A&amp;B &lt;1&gt;</unitid>'
    "<unitid>\"quoted\"</unitid><unittitle>Plain 'title'</unittitle>"
    '<unitdate type="bulk" normal="1936/1947" era="common era" calendar="gregorian"'
    ' certainty="circa">1936-1947</unitdate>'
    '<unitdate normal="19xx" audience="internal">undated</unitdate>'
    '<container id="c 1" type="Box Folder" label="Mixed &quot;A&quot;&#10;&#9;x">1 &amp; 2'
    "</container></did></c>"
    '<c level="file"><did><unitdate normal="1940">1940</unitdate></did></c>'
    '<c level="item"><did><container type="box"/></did></c>'
    '<c level="item"><did><unitid/></did></c>'
    '<c level="file"><did><unittitle>Smith &amp; Jones</unittitle></did></c>'
    "</c></dsc>"
)


@pytest.mark.parametrize("version", ["2002", "3"])
@pytest.mark.parametrize("staff", [True, False])
def test_plain_components_escape_and_repair_like_the_tree(version: str, staff: bool) -> None:
    records = list(read_ead(PLAIN))
    plain = write(records, version, include_unpublished=staff)
    assert plain == write_through_tree(records, version, include_unpublished=staff)
    assert schema(version).validate(etree.fromstring(plain)), plain.decode()
    assert not missing_words(write_through_tree(records, version), write(records, version))
    # (and the plain path did write some of them)
    writer = {"2002": Writer2002, "3": Writer3}[version](include_unpublished=staff)
    writer.write(records, io.BytesIO())
    components = [r for r in records if isinstance(r, Unit) and r.depth]
    assert sum(writer.plain_body(u) is not None for u in components) >= 4
