"""Reading the corpus and small inline documents."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from archive.ead import (
    EADSyntaxError,
    FindingAid,
    Unit,
    UnitSupplement,
    read_ead,
)
from tests.corpus import CORPUS_DIR, corpus_files, manifest

COMPONENT = re.compile(r"^c(\d\d)?$")


def quoted_components(path) -> int:
    """Components inside an ``<objectxmlwrap>``: quoted content, which the MANIFEST counts
    with the others but which is no part of the finding aid's tree."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(path), parser).getroot()
    return sum(
        1
        for el in root.iter()
        if isinstance(el.tag, str)
        and COMPONENT.match(etree.QName(el).localname)
        and any(etree.QName(a).localname == "objectxmlwrap" for a in el.iterancestors())
    )


@pytest.mark.parametrize("name", corpus_files(well_formed=True))
def test_corpus_file_reads_with_manifest_counts(name: str, corpus_dir) -> None:
    reader = read_ead(corpus_dir / name)
    records = list(reader)
    row = manifest()[name]
    assert isinstance(records[0], FindingAid)
    assert isinstance(records[1], Unit) and records[1].depth == 0
    units = [r for r in records if isinstance(r, Unit)]
    assert len(units) - 1 == int(row["components"]) - quoted_components(corpus_dir / name)
    assert max(u.depth for u in units) == int(row["max_depth"])
    assert reader.version == row["ead_version"]
    # depth never jumps by more than one level
    for before, after in zip(units, units[1:], strict=False):
        assert after.depth <= before.depth + 1
    assert all(isinstance(r, FindingAid | Unit | UnitSupplement) for r in records)


@pytest.mark.parametrize("name", corpus_files(well_formed=False))
def test_not_well_formed_corpus_file_raises(name: str, corpus_dir) -> None:
    with pytest.raises(EADSyntaxError) as info:
        list(read_ead(corpus_dir / name))
    err = info.value
    assert err.filename and err.filename.endswith(name)
    assert err.line and err.column
    assert name in str(err) and f"line {err.line}" in str(err)


NS2002 = 'xmlns="urn:isbn:1-931666-22-9"'
HEADER_2002 = (
    "<eadheader><eadid>x</eadid><filedesc><titlestmt><titleproper>T</titleproper>"
    "</titlestmt></filedesc></eadheader>"
)
CONTROL = (
    "<control><recordid>x</recordid><filedesc><titlestmt><titleproper>T</titleproper>"
    "</titlestmt></filedesc></control>"
)
ARCHDESC = (
    '<archdesc level="collection"><did><unittitle>U</unittitle></did>'
    '<dsc><c level="file"><did><unittitle>F</unittitle></did></c></dsc></archdesc>'
)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (f"<ead {NS2002}>{HEADER_2002}{ARCHDESC}</ead>", "2002"),
        (f"<ead>{HEADER_2002}{ARCHDESC}</ead>", "2002"),
        (
            '<!DOCTYPE ead PUBLIC "+//ISBN 1-931666-00-8//DTD ead.dtd (Encoded Archival '
            'Description (EAD) Version 2002)//EN" "ead.dtd">'
            f"<ead>{HEADER_2002}{ARCHDESC}</ead>",
            "2002",
        ),
        (f'<ead xmlns="http://ead3.archivists.org/schema/">{CONTROL}{ARCHDESC}</ead>', "3"),
        (
            f'<ead xmlns="http://ead3.archivists.org/schema/undeprecated/">{CONTROL}{ARCHDESC}'
            "</ead>",
            "3",
        ),
        (
            '<!DOCTYPE ead PUBLIC "+// http://ead3.archivists.org/schema/ //DTD ead3 (Encoded '
            'Archival Description (EAD) Version 3)//EN" "ead3.dtd">'
            f"<ead>{CONTROL}{ARCHDESC}</ead>",
            "3",
        ),
        (f"<ead>{CONTROL}{ARCHDESC}</ead>", "3"),
    ],
)
def test_version_detection_from_the_document(document: str, expected: str) -> None:
    reader = read_ead(document.encode())
    records = list(reader)
    assert reader.version == expected
    assert records[0].source_version == expected
    assert [r.title_text for r in records[1:]] == ["U", "F"]


def test_mixed_content_keeps_the_space() -> None:
    doc = (
        f"<ead {NS2002}>{HEADER_2002}<archdesc level='collection'><did><unittitle>U"
        '</unittitle></did><bioghist><head>Life</head><p><emph render="italic">Victor</emph>'
        ' <emph render="italic">Serge</emph></p>\n</bioghist></archdesc></ead>'
    )
    unit = list(read_ead(doc.encode()))[1]
    note = unit.notes[0]
    assert note.heading == "Life"
    assert note.content == (
        '<p><emph render="italic">Victor</emph> <emph render="italic">Serge</emph></p>\n'
    )


def test_ead3_markup_is_converted_to_the_neutral_vocabulary() -> None:
    doc = (
        '<ead xmlns="http://ead3.archivists.org/schema/">'
        + CONTROL
        + '<archdesc level="collection"><did><unittitle>U</unittitle></did>'
        '<scopecontent><p>See <ref href="http://x.org/a">this</ref> and '
        '<title localtype="m"><part>Memoirs</part></title>.</p>'
        '<list listtype="ordered"><item>one</item></list></scopecontent></archdesc></ead>'
    )
    unit = list(read_ead(doc.encode()))[1]
    assert unit.notes[0].content == (
        '<p>See <extref href="http://x.org/a">this</extref> and <title type="m">Memoirs</title>.'
        '</p><list type="ordered"><item>one</item></list>'
    )


def test_audience_internal_marks_records_unpublished() -> None:
    doc = (
        f"<ead {NS2002}>{HEADER_2002}<archdesc level='collection'><did><unittitle>U"
        "</unittitle></did><accessrestrict audience='internal'><p>staff</p></accessrestrict>"
        "<dsc><c level='file' audience='internal'><did><unittitle>F</unittitle></did></c>"
        "</dsc></archdesc></ead>"
    )
    records = list(read_ead(doc.encode()))
    assert records[1].notes[0].published is False
    assert records[2].published is False


def test_schema_breaking_but_well_formed_input_warns_with_line() -> None:
    doc = (
        f"<ead {NS2002}>{HEADER_2002}\n<archdesc level='collection'><did><unittitle>U"
        "</unittitle></did><dsc>\n<c level='bogus'><did><physdesc><extent>lots</extent>"
        "</physdesc><unitdate normal='someday'>someday</unitdate></did></c>\n"
        "<c><did><unittitle>x</unittitle></did></c></dsc></archdesc></ead>"
    )
    reader = read_ead(doc.encode(), filename="bad.xml")
    records = list(reader)
    assert len([r for r in records if isinstance(r, Unit)]) == 3
    messages = " | ".join(str(w) for w in reader.warnings)
    assert "unknown level 'bogus'" in messages
    assert "extent is not 'number type'" in messages
    assert "unparseable normal date" in messages
    assert all(w.filename == "bad.xml" and w.line for w in reader.warnings)


def test_agent_roles_follow_origination_and_relators() -> None:
    doc = (
        f"<ead {NS2002}>{HEADER_2002}<archdesc level='collection'><did><unittitle>U"
        "</unittitle><origination label='Creator'><persname>Serge, Victor</persname>"
        "</origination><origination label='Source'><corpname>Dealer</corpname></origination>"
        "</did><controlaccess><persname role='cre'>Macdonald, Dwight</persname>"
        "<persname>Trotsky, Leon</persname><subject source='lcsh'>Exiles</subject>"
        "</controlaccess></archdesc></ead>"
    )
    unit = list(read_ead(doc.encode()))[1]
    roles = {a.name: a.role for a in unit.agents}
    assert roles == {
        "Serge, Victor": "creator",
        "Dealer": "source",
        "Macdonald, Dwight": "creator",
        "Trotsky, Leon": "subject",
    }
    assert unit.subjects[0].term == "Exiles" and unit.subjects[0].source == "lcsh"


def test_content_after_dsc_arrives_as_supplement() -> None:
    doc = (
        f"<ead {NS2002}>{HEADER_2002}<archdesc level='collection'><did><unittitle>U"
        "</unittitle></did><dsc><c><did><unittitle>F</unittitle></did></c></dsc>"
        "<index><p>Index words</p></index></archdesc></ead>"
    )
    records = list(read_ead(doc.encode()))
    assert isinstance(records[-1], UnitSupplement)
    assert records[-1].sequence == 0 and records[-1].notes[0].note_type == "index"


def test_corpus_dir_is_used() -> None:
    assert CORPUS_DIR.name == "ead"


def test_ead3_names_and_scripts_keep_their_words_exactly() -> None:
    doc = (
        '<ead xmlns="http://ead3.archivists.org/schema/">'
        + CONTROL
        + '<archdesc level="collection"><did><unittitle>U</unittitle>'
        '<origination><persname relator="creator"><part localtype="last">Brown</part>'
        '<part localtype="first">Clarence</part><part localtype="dates"><!-- none --></part>'
        "</persname></origination>"
        '<langmaterial><languageset><language langcode="lat">Latin</language>'
        '<script scriptcode="Zzzz">arcanumscript</script></languageset></langmaterial>'
        "</did></archdesc></ead>"
    )
    unit = list(read_ead(doc.encode()))[1]
    # an empty part adds no trailing space: what the writers produce reads back the same
    assert unit.agents[0].name == "Brown Clarence"
    assert (unit.languages[0].name, unit.languages[0].script_name) == ("Latin", "arcanumscript")


def test_extent_number_may_start_with_a_decimal_point() -> None:
    doc = (
        f"<ead {NS2002}>{HEADER_2002}<archdesc level='collection'><did><unittitle>U</unittitle>"
        "<physdesc><extent>.5 Linear Feet</extent><extent>in 1 box</extent></physdesc>"
        "</did></archdesc></ead>"
    )
    unit = list(read_ead(doc.encode()))[1]
    assert (unit.extents[0].number, unit.extents[0].extent_type) == (".5", "Linear Feet")
