"""archive.eac alone (no database): every corpus record read and written back valid, without
losing a name, date or relation; hostile and broken files refused with file and line."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from archive.eac import EACError, read_eac, write_eac
from archive.eac.records import AuthorityRecord, Date, Name, NamePart
from archive.ead.markup import fragment_plain_text
from archive.ead.words import text_words

from .conftest import corpus_files, schema_errors

WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
EAC = "urn:isbn:1-931666-33-4"


def relation_keys(record: AuthorityRecord) -> Counter:
    return Counter(
        (x.kind, x.entry, x.href, x.arcrole, tuple(d.label() for d in x.dates))
        for x in record.relations
    )


def test_the_corpus_is_there(eac_files):
    assert len(eac_files) == 47


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_record_written_back_is_valid_and_keeps_names_dates_relations(path: Path):
    original = read_eac(path)
    written = write_eac(original, revised=WHEN)
    assert schema_errors(written) == []
    again = read_eac(written, filename="export.xml")
    assert [n.text for n in again.names] == [n.text for n in original.names]
    assert again.authorized_name.text == original.authorized_name.text
    assert again.entity_type == original.entity_type
    assert [d.label() for d in again.exist_dates] == [d.label() for d in original.exist_dates]
    assert relation_keys(again) == relation_keys(original)
    for field in ("places", "occupations", "functions", "legal_statuses", "mandates"):
        assert len(getattr(again, field)) == len(getattr(original, field)), field
    # Every word of the biography survives (the writer only renames and unwraps elements).
    before = fragment_plain_text(original.biography, separate=True)
    after = fragment_plain_text(again.biography, separate=True)
    assert not text_words([before]) - text_words([after])


def test_a_record_that_breaks_the_schema_is_read_with_a_warning_and_written_valid():
    path = next(p for p in corpus_files() if p.name == "misc-99166-w66708pc.xml")
    record = read_eac(path)
    assert record.record_id == "http://n2t.net/ark:/99166/w66708pc"
    assert any("NMTOKEN" in w.message and w.line for w in record.warnings)
    written = write_eac(record, revised=WHEN)
    assert schema_errors(written) == []
    again = read_eac(written)
    # The original id is still there, as another record id: a re-import finds the agent.
    assert "http://n2t.net/ark:/99166/w66708pc" in again.identifiers


def test_invalid_iso_dates_keep_their_text_but_not_their_standard_form():
    record = AuthorityRecord(
        entity_type="person",
        names=(Name(parts=(NamePart("Doe, Jane"),)),),
        record_id="doe-1",
        exist_dates=(
            Date("about 1900", "1900-13", ranged=True, to_text="1950", to_standard="1950"),
        ),
    )
    written = write_eac(record, revised=WHEN)
    assert schema_errors(written) == []
    root = etree.fromstring(written)
    start = root.find(f".//{{{EAC}}}existDates//{{{EAC}}}fromDate")
    end = root.find(f".//{{{EAC}}}existDates//{{{EAC}}}toDate")
    assert (start.text, start.get("standardDate")) == ("about 1900", None)
    assert (end.text, end.get("standardDate")) == ("1950", "1950")


def minimal(body: str = "", *, before: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>{before}<eac-cpf xmlns="{EAC}"><control><recordId>r1</recordId>'
        "<maintenanceStatus>new</maintenanceStatus><maintenanceAgency><agencyName>A"
        "</agencyName></maintenanceAgency><maintenanceHistory><maintenanceEvent><eventType>"
        "created</eventType><eventDateTime>2020</eventDateTime><agentType>human</agentType>"
        "<agent>x</agent></maintenanceEvent></maintenanceHistory></control><cpfDescription>"
        f"<identity><entityType>person</entityType><nameEntry><part>Doe, Jane{body}</part>"
        "</nameEntry></identity></cpfDescription></eac-cpf>"
    ).encode()


HOSTILE = {
    "external entity (disk)": (
        '<!DOCTYPE eac-cpf [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        "&x;",
    ),
    "external DTD (network)": (
        '<!DOCTYPE eac-cpf SYSTEM "http://127.0.0.1:9/eac.dtd">',
        "",
    ),
    "entity expansion bomb": (
        '<!DOCTYPE eac-cpf [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>',
        "&d;",
    ),
    "parameter entity (network)": (
        '<!DOCTYPE eac-cpf [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>',
        "",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_is_refused_without_reading_anything(name: str):
    before, body = HOSTILE[name]
    with pytest.raises(EACError) as caught:
        read_eac(minimal(body, before=before), filename="evil.xml")
    assert str(caught.value).startswith("evil.xml, line ")
    assert "DOCTYPE" in str(caught.value) or "entity" in str(caught.value).lower()
    assert "root:" not in str(caught.value)  # (no content of /etc/passwd in the message)


def test_a_broken_file_names_file_and_line():
    data = minimal().replace(b"</nameEntry>", b"</nameEntri>")
    with pytest.raises(EACError) as caught:
        read_eac(data, filename="broken.xml")
    assert str(caught.value).startswith("broken.xml, line 1")
    assert "not well-formed" in str(caught.value)


def test_a_file_that_is_no_authority_record_is_refused():
    with pytest.raises(EACError, match=r"x\.xml, line 1: the root element is <ead>"):
        read_eac(b"<ead/>", filename="x.xml")
    no_name = minimal().replace(b"<part>Doe, Jane</part>", b"<part/>")
    with pytest.raises(EACError, match="names no one"):
        read_eac(no_name, filename="x.xml")


def test_a_biography_typed_as_plain_text_is_written_as_paragraphs():
    record = AuthorityRecord(
        entity_type="person",
        names=(Name(parts=(NamePart("Doe, Jane"),)),),
        record_id="doe-1",
        biography="Born in Ghent.\n\nWrote on bees & <wasps>.",
    )
    written = write_eac(record, revised=WHEN)
    assert schema_errors(written) == []
    paragraphs = etree.fromstring(written).findall(f".//{{{EAC}}}biogHist/{{{EAC}}}p")
    assert [p.text for p in paragraphs] == ["Born in Ghent.", "Wrote on bees & <wasps>."]


def test_a_chronology_stays_a_chronology():
    path = next(p for p in corpus_files() if p.name == "misc-sia_walcott.xml")
    original = etree.parse(str(path)).getroot()
    written = etree.fromstring(write_eac(read_eac(path), revised=WHEN))
    items = f".//{{{EAC}}}chronItem"
    before = [
        (i.findtext(f"{{{EAC}}}date"), i.findtext(f"{{{EAC}}}event"))
        for i in original.iterfind(items)
    ]
    after = [
        (i.findtext(f"{{{EAC}}}date"), i.findtext(f"{{{EAC}}}event"))
        for i in written.iterfind(items)
    ]
    assert len(after) == len(before) > 10
    assert [" ".join((d or "").split()) for d, _ in after] == [
        " ".join((d or "").split()) for d, _ in before
    ]
