"""Hostile XML through both ways in: ``manage.py import_ead`` and the admin's "Import EAD" page.

Every document here ends one of two ways, and only one: imported (the benign ones, such as a
UTF-16 finding aid), or refused with a message naming the file (and the line, where the
document has one) while the database stays exactly as it was. Whatever happens, nothing is read
from the disk or the network on the document's behalf, no entity is expanded into a bomb, and
the user never sees a traceback or the repr of an exception.
"""

from __future__ import annotations

import io
import random
import re
import resource
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from archive.models import Component, ImportJob
from tests.security.conftest import Listener, Outcome, assert_clean

EAD2002_NS = "urn:isbn:1-931666-22-9"
EAD_PUBLIC_ID = (
    "+//ISBN 1-931666-00-8//DTD ead.dtd (Encoded Archival Description (EAD) Version 2002)//EN"
)


def finding_aid(
    body: str = "",
    *,
    doctype: str = "",
    title: str = "Hostile papers",
    declaration: str = '<?xml version="1.0" encoding="UTF-8"?>',
    namespace: bool = True,
) -> str:
    """A small EAD 2002 finding aid; ``body`` goes inside its ``<dsc>``."""
    xmlns = f' xmlns="{EAD2002_NS}"' if namespace else ""
    return (
        f"{declaration}{doctype}<ead{xmlns}>\n"
        '<eadheader><eadid mainagencycode="US-XX-H">hostile-1</eadid>\n'
        "<filedesc><titlestmt><titleproper>Hostile papers</titleproper></titlestmt></filedesc>\n"
        "</eadheader>\n"
        '<archdesc level="collection"><did><repository><corpname>Hostile Library</corpname>'
        f"</repository>\n<unittitle>{title}</unittitle><unitid>H 1</unitid></did>\n"
        f"<dsc>{body}</dsc></archdesc></ead>\n"
    )


def file_unit(title: str) -> str:
    return f'<c01 level="file"><did><unittitle>{title}</unittitle></did></c01>'


@dataclass
class Hostile:
    """What a hostile document may point at: a local file holding a marker, and a listener."""

    secret: Path  # a local file whose content (``marker``) must never be read
    marker: str
    server: Listener

    @property
    def file_url(self) -> str:
        return self.secret.as_uri()


@dataclass(frozen=True)
class Case:
    build: Callable[[Hostile], bytes]
    expect: str  # "imported", "refused", or "either" (both are safe; nothing may leak)
    title: str | None = None  # the component title an imported document must show


def doctype(subset: str) -> str:
    return f"<!DOCTYPE ead [{subset}]>"


def xml(text: str) -> bytes:
    return text.encode("utf-8")


def billion_laughs(_: Hostile) -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    return xml(finding_aid(file_unit("&lol9;"), doctype=doctype(entities), namespace=False))


def quadratic_blowup(_: Hostile) -> bytes:
    # One 50,000-character entity referenced 50,000 times: 2.5 GB if expanded.
    entity = f'<!ENTITY big "{"B" * 50_000}">'
    return xml(finding_aid(file_unit("&big;" * 50_000), doctype=doctype(entity), namespace=False))


def deep_components(_: Hostile) -> bytes:
    depth = 100_000
    return xml(finding_aid("<c>" * depth + "</c>" * depth))


def deep_but_parseable(_: Hostile) -> bytes:
    # Under libxml2's limit of 256 levels, so it reaches the loader: deeper than any real
    # finding aid (EAD numbers components to 12) and than the tree's 63-level paths.
    depth = 200
    unit = '<c level="file"><did><unittitle>Deep</unittitle></did>'
    return xml(finding_aid(unit * depth + "</c>" * depth))


def deep_markup(_: Hostile) -> bytes:
    depth = 100_000
    note = "<scopecontent><p>" + "<emph>" * depth + "x" + "</emph>" * depth + "</p></scopecontent>"
    return xml(finding_aid(f'<c01 level="file"><did><unittitle>t</unittitle></did>{note}</c01>'))


# A text node of tens of megabytes: libxml2 refuses text nodes over 10 MB (huge_tree is off),
# so this is refused without the importer ever holding it.
HUGE = 30 * 1024 * 1024


def huge_text(_: Hostile) -> bytes:
    head, tail = finding_aid(file_unit("@@")).split("@@")
    return head.encode() + b"x" * HUGE + tail.encode()


def huge_attribute(_: Hostile) -> bytes:
    head, tail = finding_aid('<c01 level="file" altrender="@@"><did/></c01>').split("@@")
    return head.encode() + b"a" * HUGE + tail.encode()


def many_words(_: Hostile) -> bytes:
    # Megabytes of distinct words in a note, under libxml2's 10 MB text limit: the text is
    # the document's own, so it may import; the search index must cope or refuse cleanly.
    rng = random.Random(11)
    words = " ".join(f"w{rng.getrandbits(40):x}" for _ in range(150_000))
    note = f"<scopecontent><p>{words}</p></scopecontent>"
    return xml(finding_aid(f'<c01 level="file"><did><unittitle>t</unittitle></did>{note}</c01>'))


def garbage(_: Hostile) -> bytes:
    return random.Random(20261205).randbytes(64 * 1024)


def zip_archive(_: Hostile) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("finding-aid.xml", finding_aid(file_unit("Zipped")))
    return buffer.getvalue()


def utf16(*, bom: bool, declaration: bool) -> Callable[[Hostile], bytes]:
    def build(_: Hostile) -> bytes:
        text = finding_aid(
            file_unit("Été à Paris"),
            declaration='<?xml version="1.0" encoding="UTF-16"?>' if declaration else "",
        )
        return text.encode("utf-16" if bom else "utf-16-le")

    return build


CASES: dict[str, Case] = {
    # --- external entities: never read, never fetched
    "xxe local file": Case(
        lambda h: xml(
            finding_aid(
                file_unit("A &xxe; B"),
                doctype=doctype(f'<!ENTITY xxe SYSTEM "{h.file_url}">'),
                namespace=False,
            )
        ),
        expect="either",
    ),
    "xxe local file in a note": Case(
        lambda h: xml(
            finding_aid(
                '<c01 level="file"><did><unittitle>t</unittitle></did>'
                "<scopecontent><p>&xxe;</p></scopecontent></c01>",
                doctype=doctype(f'<!ENTITY xxe SYSTEM "{h.file_url}">'),
                namespace=False,
            )
        ),
        expect="either",
    ),
    "xxe over the network": Case(
        lambda h: xml(
            finding_aid(
                file_unit("A &xxe; B"),
                doctype=doctype(f'<!ENTITY xxe SYSTEM "{h.server.url("xxe")}">'),
                namespace=False,
            )
        ),
        expect="either",
    ),
    "parameter entity from a local file": Case(
        lambda h: xml(
            finding_aid(
                file_unit("A &remote; B"),
                doctype=doctype(f'<!ENTITY % local SYSTEM "{h.file_url}"> %local;'),
                namespace=False,
            )
        ),
        expect="either",
    ),
    "parameter entity over the network": Case(
        lambda h: xml(
            finding_aid(
                file_unit("A &remote; B"),
                doctype=doctype(f'<!ENTITY % remote SYSTEM "{h.server.url("p.dtd")}"> %remote;'),
                namespace=False,
            )
        ),
        expect="either",
    ),
    "parameter entity declaring an entity": Case(
        lambda h: xml(
            finding_aid(
                file_unit("A B"),
                doctype=doctype(
                    "<!ENTITY % declare \"<!ENTITY inner 'declared-by-parameter'>\"> %declare;"
                ),
                namespace=False,
            )
        ),
        expect="either",
    ),
    "external DTD over the network": Case(
        lambda h: xml(
            finding_aid(
                file_unit("Letters"),
                doctype=f'<!DOCTYPE ead PUBLIC "{EAD_PUBLIC_ID}" "{h.server.url("ead.dtd")}">',
                namespace=False,
            )
        ),
        expect="imported",  # a legacy DOCTYPE is normal EAD: read as a string, never fetched
        title="Letters",
    ),
    "external DTD defining a used entity": Case(
        lambda h: xml(
            finding_aid(
                file_unit("A &remote; B"),
                doctype=f'<!DOCTYPE ead SYSTEM "{h.server.url("ead.dtd")}">',
                namespace=False,
            )
        ),
        expect="either",
    ),
    "schema location over the network": Case(
        lambda h: xml(
            finding_aid(file_unit("Letters")).replace(
                "<ead ",
                '<ead xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                f'xsi:schemaLocation="{EAD2002_NS} {h.server.url("ead.xsd")}" ',
                1,
            )
        ),
        expect="imported",
        title="Letters",
    ),
    "stylesheet processing instruction": Case(
        lambda h: xml(
            finding_aid(file_unit("Letters")).replace(
                "?>", f'?><?xml-stylesheet type="text/xsl" href="{h.server.url("x.xsl")}"?>', 1
            )
        ),
        expect="imported",
        title="Letters",
    ),
    "xinclude of a local file": Case(
        lambda h: xml(
            finding_aid(
                '<c01 level="file"><did><unittitle>t</unittitle></did><scopecontent><p>'
                '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                f'href="{h.file_url}" parse="text"/></p></scopecontent></c01>'
            )
        ),
        expect="either",
    ),
    "xinclude over the network": Case(
        lambda h: xml(
            finding_aid(
                '<c01 level="file"><did><unittitle>'
                '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                f'href="{h.server.url("x.xml")}" parse="xml"/></unittitle></did></c01>'
            )
        ),
        expect="either",
    ),
    # --- bombs and resource exhaustion: refused, quickly, without expanding anything
    "billion laughs": Case(billion_laughs, expect="refused"),
    "quadratic blowup": Case(quadratic_blowup, expect="refused"),
    "100,000-deep components": Case(deep_components, expect="refused"),
    "100,000-deep markup": Case(deep_markup, expect="refused"),
    "200-deep components": Case(deep_but_parseable, expect="either"),
    "huge text node": Case(huge_text, expect="refused"),
    "huge attribute value": Case(huge_attribute, expect="refused"),
    "megabytes of distinct words": Case(many_words, expect="either"),
    # --- not XML at all
    "binary garbage": Case(garbage, expect="refused"),
    "zip file named .xml": Case(zip_archive, expect="refused"),
    "empty file": Case(lambda h: b"", expect="refused"),
    "NUL byte in text": Case(lambda h: xml(finding_aid(file_unit("a\x00b"))), expect="refused"),
    "Latin-1 bytes declared UTF-8": Case(
        lambda h: finding_aid(file_unit("Été")).encode("latin-1"), expect="refused"
    ),
    "undefined entity": Case(lambda h: xml(finding_aid(file_unit("&nosuch;"))), expect="refused"),
    # --- well-formed, but not a finding aid
    "an XHTML page": Case(
        lambda h: xml(
            '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
            "<body><p>Not EAD</p></body></html>"
        ),
        expect="refused",
    ),
    "EAD without archdesc": Case(
        lambda h: xml(finding_aid().split("<archdesc")[0] + "</ead>"), expect="refused"
    ),
    # --- encodings a real finding aid may come in: imported, the text intact
    "UTF-16 with BOM": Case(utf16(bom=True, declaration=True), "imported", "Été à Paris"),
    "UTF-16 with BOM, no declaration": Case(
        utf16(bom=True, declaration=False), "imported", "Été à Paris"
    ),
    "UTF-16 without BOM, declared": Case(
        utf16(bom=False, declaration=True), "imported", "Été à Paris"
    ),
    # XML requires a BOM for UTF-16 without a declaration: nothing says what the bytes are.
    "UTF-16 without BOM or declaration": Case(
        utf16(bom=False, declaration=False), expect="refused"
    ),
    "UTF-8 with BOM": Case(
        lambda h: b"\xef\xbb\xbf" + xml(finding_aid(file_unit("Été à Paris"))),
        expect="imported",
        title="Été à Paris",
    ),
}

# What the refusal of each kind must say (beyond the file name and line).
REASONS = {
    "billion laughs": r"amplification|entity|loop",
    "quadratic blowup": r"amplification|entity",
    "100,000-deep components": r"depth|nested deeper",
    "100,000-deep markup": r"depth|nested deeper",
    "huge text node": r"too long|huge|limit|longer than",
    "huge attribute value": r"too long|huge|limit|AttValue",
    # lxml's iterparse calls this "no element found" at line 0; the parse's log knows better
    "undefined entity": r"line 7, column \d+: .*Entity 'nosuch' not defined",
    "empty file": r"line 1, column 1: .*empty",
    "an XHTML page": r"line 2\b.*root element is <html>, not <ead>",
    "EAD without archdesc": r"line 1\b.*no <archdesc>",
}


@pytest.fixture
def hostile(tmp_path: Path, listener: Listener) -> Hostile:
    marker = f"leak{uuid.uuid4().hex}0"
    secret = tmp_path / "secret.txt"
    # Defines an entity too, so a parameter-entity include would show the marker by name.
    secret.write_text(f'{marker}<!ENTITY remote "{marker}">\n', encoding="utf-8")
    return Hostile(secret=secret, marker=marker, server=listener)


def database_text() -> str:
    """Every row of every table, as text (the test database is small)."""
    parts: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            parts.extend(str(row) for row in cursor.fetchall())
    return "\n".join(parts)


def peak_rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # kB on Linux


def check(
    kind: str,
    case: Case,
    outcome: Outcome,
    *,
    filename: str,
    hostile: Hostile,
    before: dict[str, int],
    after: dict[str, int],
    peak_before: int,
) -> None:
    assert_clean(outcome)
    # Nothing was fetched and nothing of the local file was read, whatever the outcome.
    assert hostile.server.close() == [], f"{kind}: the import connected to the network"
    assert hostile.marker not in outcome.text, f"{kind}: the local file reached the output"
    assert hostile.marker not in database_text(), f"{kind}: the local file reached the database"
    assert "FETCHED-OVER-THE-NETWORK" not in database_text()
    # A bomb that was expanded, or a tree held whole, would show here (one-sided: never flaky).
    assert peak_rss_mb() - peak_before < 400, f"{kind}: memory grew by >400 MB"

    if case.expect == "either":
        expected = outcome.imported
    else:
        expected = case.expect == "imported"
    if expected:
        assert outcome.imported, f"{kind}: expected it to import:\n{outcome.text}"
        assert after["Collection"] == before["Collection"] + 1
        if case.title is not None:
            titles = set(Component.objects.filter(depth=2).values_list("title", flat=True))
            assert titles == {case.title}
    else:
        message = outcome.refusal()
        assert filename in message, f"{kind}: the refusal does not name the file: {message}"
        assert after == before, f"{kind}: a refused file changed the database"
        # XML refusals point at the place: a line number, never "line None" or "line 0".
        assert re.search(r"line [1-9]\d*", message), f"{kind}: no line in {message!r}"
        assert "None" not in message, message
        if kind in REASONS:
            assert re.search(REASONS[kind], message, re.IGNORECASE), message


# ------------------------------------------------------------------ the command


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(CASES))
def test_hostile_document_through_the_command(
    kind: str, tmp_path: Path, hostile: Hostile, row_counts, import_by_command
) -> None:
    case = CASES[kind]
    path = tmp_path / "hostile.xml"
    path.write_bytes(case.build(hostile))
    before, peak = row_counts(), peak_rss_mb()

    outcome = import_by_command(path)

    check(
        kind,
        case,
        outcome,
        filename=str(path),
        hostile=hostile,
        before=before,
        after=row_counts(),
        peak_before=peak,
    )


# ------------------------------------------------------------------ the admin upload


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(CASES))
def test_hostile_document_through_the_admin_upload(
    kind: str, hostile: Hostile, row_counts, import_by_upload
) -> None:
    case = CASES[kind]
    content = case.build(hostile)
    before, peak = row_counts(), peak_rss_mb()

    outcome = import_by_upload("hostile.xml", content)
    del content

    check(
        kind,
        case,
        outcome,
        filename="hostile.xml",
        hostile=hostile,
        before=before,
        after=row_counts(),
        peak_before=peak,
    )


# ------------------------------------------------------------------ file names


TRAVERSAL_NAMES = [
    "../../etc/x.xml",
    "../../../../../../tmp/x.xml",
    "/etc/x.xml",
    "..\\..\\windows\\x.xml",
    "C:\\Windows\\x.xml",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
def test_upload_names_cannot_leave_the_upload_folder(
    name: str, tmp_path: Path, upload_dir: Path, row_counts, import_by_upload
) -> None:
    before = row_counts()

    outcome = import_by_upload(name, xml(finding_aid(file_unit("Letters"))))

    assert_clean(outcome)
    assert outcome.imported, outcome.text
    assert row_counts()["Collection"] == before["Collection"] + 1
    # Only the base name is kept: shown to staff, never used as a path.
    assert [job.files for job in ImportJob.objects.all()] == [["x.xml"]]
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.name == "x.xml"]
    assert written == [], f"an upload escaped its folder: {written}"
    assert not Path("/etc/x.xml").exists() and not Path("/tmp/x.xml").exists()


@pytest.mark.django_db
def test_upload_name_refused_names_the_file_by_its_base_name(
    upload_dir: Path, row_counts, import_by_upload
) -> None:
    before = row_counts()

    outcome = import_by_upload("../../etc/passwd.xml", b"root:x:0:0:root:/root:/bin/bash\n")

    assert_clean(outcome)
    message = outcome.refusal()
    assert message.startswith("passwd.xml, line 1"), message
    assert ".." not in message
    assert row_counts() == before


@pytest.mark.django_db
def test_command_paths_with_dot_dot_are_the_operators_own(
    tmp_path: Path, row_counts, import_by_command
) -> None:
    # On the command line a path is whatever the operator typed: it is read as given, and
    # messages name it as given.
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    (folder / "x.xml").write_bytes(xml(finding_aid(file_unit("Letters"))))
    (folder / "bad.xml").write_bytes(b"<ead><eadheader></ead>")
    before = row_counts()

    imported = import_by_command(tmp_path / "a" / "b" / ".." / "b" / "x.xml")
    refused = import_by_command(tmp_path / "a" / ".." / "a" / "b" / "bad.xml")

    assert_clean(imported)
    assert_clean(refused)
    assert imported.imported, imported.text
    assert row_counts()["Collection"] == before["Collection"] + 1
    message = refused.refusal()
    assert message.startswith(f"{tmp_path}/a/../a/b/bad.xml, line 1"), message
