"""A seeded fuzz run of the importer over damaged copies of real finding aids.

The smallest files of the corpus (by the MANIFEST's byte counts, whatever their names) are
mutated with a seeded ``random.Random``: byte ranges deleted, duplicated and swapped, ``<``,
``&``, NUL and invalid UTF-8 inserted, the file truncated, attributes duplicated, tags left
unclosed, components nested deep, entities declared and used. Each damaged file must end one
of two ways: imported, or refused with a message that names the file and a line, the database
exactly as before. Never an unexpected exception, never a traceback or an exception's repr.

Every run makes the same cases (so a failure is reproducible from its case number). The default
size runs in every CI run; a longer run is opt-in:

    FONDS_FUZZ_CASES=5000 .venv/bin/pytest -q tests/security/test_fuzz.py
    FONDS_FUZZ_SEED=7 FONDS_FUZZ_CASES=2000 .venv/bin/pytest -q tests/security/test_fuzz.py

``FONDS_FUZZ_CASES`` is the total number of cases (default 300), ``FONDS_FUZZ_SEED`` the seed
(default 20261205), ``FONDS_FUZZ_FILES`` how many of the smallest corpus files to start from
(default 4).
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from archive.services import imports
from tests.corpus import smallest_files
from tests.security.conftest import TRACEBACK, count_rows

CASES = int(os.environ.get("FONDS_FUZZ_CASES", "300"))
SEED = int(os.environ.get("FONDS_FUZZ_SEED", "20261205"))
FILES = int(os.environ.get("FONDS_FUZZ_FILES", "4"))
# Cases per test: small enough that a failing chunk is quick to rerun on its own.
CHUNK = 50


# ------------------------------------------------------------------ mutations
#
# Each takes the document and the case's Random and returns the damaged document. They work
# on bytes, so they can break the encoding as well as the markup.

Mutation = Callable[[bytes, random.Random], bytes]


def _span(data: bytes, rng: random.Random, most: int = 256) -> tuple[int, int]:
    start = rng.randrange(len(data) + 1)
    return start, min(len(data), start + rng.randint(1, most))


def delete_range(data: bytes, rng: random.Random) -> bytes:
    start, end = _span(data, rng)
    return data[:start] + data[end:]


def duplicate_range(data: bytes, rng: random.Random) -> bytes:
    start, end = _span(data, rng, most=2048)
    return data[:end] + data[start:end] + data[end:]


def swap_ranges(data: bytes, rng: random.Random) -> bytes:
    a, b = sorted(rng.randrange(len(data) + 1) for _ in range(2))
    size = rng.randint(1, 512)
    first, second = data[a : a + size], data[b : b + size]
    if a + size > b:  # overlapping: move the first range to the end instead
        return data[:a] + data[a + size :] + first
    return data[:a] + second + data[a + size : b] + first + data[b + size :]


INSERTS = [
    b"<",
    b"&",
    b"\x00",
    b"\xff",  # never valid in UTF-8
    b"\xc3",  # a lead byte without its continuation
    b"\xc0\xaf",  # an overlong "/"
    b"\xed\xa0\x80",  # a UTF-16 surrogate encoded in UTF-8
    b"\xef\xbf\xbe",  # U+FFFE, not an XML character
    b"\x1b[31m",  # a terminal escape
    b"]]>",
    b"<![CDATA[",
    b"<!--",
    b"-->",
    b"<?",
    b"&#0;",
    b"&#x110000;",
    b"&amp",
    b"&unknown;",
    b"&eacute;",
    b'"',
    b"'",
    b"</c>",
    b"</ead>",
    b"<c>",
    b"<dsc>",
    b"<archdesc>",
    b'<c01 level="file">',
    b"<did></did>",
    b"\r",
    b"\xe2\x80\xa8",  # LINE SEPARATOR
    "<unittitle>Été ☃ 𝄞</unittitle>".encode(),
]


def insert_bytes(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    piece = rng.choice(INSERTS) * rng.choice([1, 1, 1, 2, 10])
    return data[:at] + piece + data[at:]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


# (possessive quantifiers: no backtracking over a megabyte-long run of letters)
ATTRIBUTE = re.compile(rb'\s[\w:.-]++="[^"<]*+"')


def duplicate_attribute(data: bytes, rng: random.Random) -> bytes:
    found = list(ATTRIBUTE.finditer(data))
    if not found:
        return insert_bytes(data, rng)
    match = rng.choice(found)
    return data[: match.end()] + match.group() + data[match.end() :]


CLOSING_TAG = re.compile(rb"</[\w:.-]++\s*+>")


def unclose_tag(data: bytes, rng: random.Random) -> bytes:
    found = list(CLOSING_TAG.finditer(data))
    if not found:
        return truncate(data, rng)
    match = rng.choice(found)
    return data[: match.start()] + data[match.end() :]


OPENING_TAG = re.compile(rb"<([\w:.-]++)[^<>]*+>")


def rename_tag(data: bytes, rng: random.Random) -> bytes:
    found = [m for m in OPENING_TAG.finditer(data) if not m.group().endswith(b"/>")]
    if not found:
        return insert_bytes(data, rng)
    match = rng.choice(found)
    name = rng.choice([b"c", b"c13", b"c00", b"dsc", b"archdesc", b"ead", b"did", b"x:y", b"p"])
    start, end = match.start(1), match.end(1)
    return data[:start] + name + data[end:]


def nest_deep(data: bytes, rng: random.Random) -> bytes:
    """Components nested deeper than any real finding aid (libxml2 stops at 256 levels)."""
    at = data.find(b"<dsc")
    at = data.find(b">", at) + 1 if at >= 0 else rng.randrange(len(data) + 1)
    depth = rng.choice([13, 64, 65, 100, 200, 255, 300])
    name = rng.choice([b"c", b"c01"])
    closed = rng.random() < 0.8
    opening = (b'<%s level="file"><did><unittitle>deep</unittitle></did>' % name) * depth
    closing = (b"</%s>" % name) * depth if closed else b""
    return data[:at] + opening + closing + data[at:]


def declare_entities(data: bytes, rng: random.Random) -> bytes:
    """A DOCTYPE with entities (internal, external file, parameter) and a use of one."""
    subset = rng.choice(
        [
            '<!ENTITY e "expanded">',
            '<!ENTITY e SYSTEM "file:///etc/hostname">',
            '<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;',
            '<!ENTITY e "&e;">',
            '<!ENTITY a "&b;"><!ENTITY b "&a;">',
            '<!ENTITY e "<c01><did><unittitle>from an entity</unittitle></did></c01>">',
        ]
    )
    doctype = f"<!DOCTYPE ead [{subset}]>".encode()
    body = data
    if body.startswith(b"<?xml"):
        end = body.find(b"?>") + 2
        prolog, body = body[:end], body[end:]
    else:
        prolog = b""
    if b"<!DOCTYPE" in body:
        body = re.sub(rb"<!DOCTYPE[^>\[]*(\[[^\]]*\])?\s*>", b"", body, count=1)
    at = rng.randrange(len(body) + 1)
    return prolog + doctype + body[:at] + b"&e;" + body[at:]


def change_encoding(data: bytes, rng: random.Random) -> bytes:
    """Re-encode, or declare an encoding the bytes are not in."""
    choice = rng.randrange(4)
    if choice == 0:
        return data.decode("utf-8", "replace").encode("utf-16")
    if choice == 1:
        return b"\xef\xbb\xbf" + data
    declared = rng.choice([b"ISO-8859-1", b"UTF-16", b"EBCDIC-US", b"no-such-charset"])
    if data.startswith(b"<?xml"):
        end = data.find(b"?>")
        return b'<?xml version="1.0" encoding="%s"' % declared + data[end:]
    return b'<?xml version="1.0" encoding="%s"?>' % declared + data


def huge_value(data: bytes, rng: random.Random) -> bytes:
    """A long text or attribute value (megabytes, under libxml2's 10 MB limit)."""
    at = data.find(b"<unittitle")
    if at < 0:
        return insert_bytes(data, rng)
    at = data.find(b">", at) + 1
    size = rng.choice([100_000, 1_100_000, 3_000_000])
    word = rng.choice([b"x", b"word ", "é".encode()])
    return data[:at] + word * (size // len(word)) + data[at:]


MUTATIONS: list[Mutation] = [
    delete_range,
    duplicate_range,
    swap_ranges,
    insert_bytes,
    insert_bytes,
    truncate,
    duplicate_attribute,
    unclose_tag,
    rename_tag,
    nest_deep,
    declare_entities,
    change_encoding,
    huge_value,
]


@dataclass(frozen=True)
class FuzzCase:
    number: int
    source: Path
    mutations: tuple[str, ...]
    data: bytes

    @property
    def filename(self) -> str:
        return f"fuzz-{self.number:05d}-{self.source.name}"


def make_case(number: int, sources: list[Path], contents: dict[Path, bytes]) -> FuzzCase:
    """Case ``number`` of the run: the same bytes for the same seed, whatever else runs."""
    rng = random.Random(f"{SEED}:{number}")
    source = sources[number % len(sources)]
    data = contents[source]
    applied: list[str] = []
    # Most cases get one mutation (the file is then mostly intact and reaches the loader);
    # some get several.
    for _ in range(rng.choice([1, 1, 1, 2, 3, 5])):
        mutation = rng.choice(MUTATIONS)
        data = mutation(data, rng)
        applied.append(mutation.__name__)
    return FuzzCase(number, source, tuple(applied), data)


# ------------------------------------------------------------------ the run


@pytest.fixture(scope="module")
def sources(corpus_dir: Path) -> tuple[list[Path], dict[Path, bytes]]:
    files = smallest_files(FILES)
    assert len(files) == FILES, f"the corpus has fewer than {FILES} files"
    return files, {path: path.read_bytes() for path in files}


def judge(data: bytes, filename: str) -> str | None:
    """Import one document; None when it ended well, else what went wrong."""
    before = count_rows()
    try:
        # replace: a damaged copy keeps its original's EAD id, and a duplicate is not the
        # point here (it is refused by design, without a line: tests/services/test_imports.py).
        result = imports.ead_import(source=data, filename=filename, replace=True)
    except imports.EADImportError as exc:
        message = str(exc)
        problems = []
        if not message.startswith(filename):
            problems.append("the message does not start with the file name")
        if not re.search(r", line [1-9]\d*\b", message):
            problems.append("the message names no line")
        if TRACEBACK.search(message) or re.search(r"(line|column) None", message):
            problems.append("the message shows a raw exception or None")
        if count_rows() != before:
            problems.append("the refused file changed the database")
        return f"refused: {message!r}: {'; '.join(problems)}" if problems else None
    except Exception as exc:  # noqa: BLE001 - the point of the test: report, don't stop
        return f"unexpected {type(exc).__name__}: {str(exc)[:300]}"
    problems = [w for w in result.warnings if TRACEBACK.search(w)]
    if problems:
        return f"imported with a raw exception in a warning: {problems[0][:300]}"
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("chunk", range(0, CASES, CHUNK))
def test_damaged_finding_aids_import_or_are_refused_with_file_and_line(
    chunk: int, sources: tuple[list[Path], dict[Path, bytes]]
) -> None:
    files, contents = sources
    failures: list[str] = []
    for number in range(chunk, min(chunk + CHUNK, CASES)):
        case = make_case(number, files, contents)
        problem = judge(case.data, case.filename)
        if problem is not None:
            failures.append(
                f"case {case.number} (seed {SEED}; {case.source.name}; "
                f"{' + '.join(case.mutations)}): {problem}"
            )
    assert not failures, f"{len(failures)} case(s) went wrong:\n" + "\n".join(failures)


# ------------------------------------------------------------------ what the fuzz run found
#
# Small documents for each problem the fuzz run found, so each stays fixed whatever the
# seed. (Found with the default seed: cases 65 and 266; the undefined entity by the hostile set.)

HEADER = (
    '<eadheader><eadid mainagencycode="US-XX-F">found-1</eadid><filedesc><titlestmt>'
    "<titleproper>Found papers</titleproper></titlestmt></filedesc></eadheader>"
)


def found_document(dsc: str, *, doctype: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}\n<ead>{HEADER}\n'
        '<archdesc level="collection"><did><unittitle>Found papers</unittitle></did>\n'
        f"<dsc>{dsc}</dsc></archdesc></ead>\n"
    ).encode()


def titles_in_document_order() -> list[str]:
    from archive.models import Component

    return list(Component.objects.order_by("path").values_list("title", flat=True))


@pytest.mark.django_db
def test_markup_declared_in_an_entity_is_not_read(row_counts) -> None:
    # libxml2 reports the elements of an unexpanded entity once, outside the tree; the reader
    # used to take them for part of the document and crash removing them ('NoneType' object
    # has no attribute 'remove').
    entity = '<!ENTITY box "<c01><did><unittitle>From the entity</unittitle></did></c01>">'
    data = found_document(
        "&box;<c01><did><unittitle>Real file</unittitle></did></c01>&box;",
        doctype=f"<!DOCTYPE ead [{entity}]>",
    )

    assert judge(data, "entity.xml") is None
    assert titles_in_document_order() == ["Found papers", "Real file"]


@pytest.mark.django_db
def test_a_component_quoted_in_a_did_with_components_of_its_own_keeps_document_order() -> None:
    # A <c02> inside a <c01>'s <did> (a quoted component, as inside <objectxmlwrap>) that has
    # child components of its own: those were emitted before the <c01>, and the loader failed
    # with "ValueError: depth 3 does not follow the previous node".
    data = found_document(
        "<c01><did><unittitle>One</unittitle>"
        "<c02><did><unittitle>Two</unittitle></did>"
        "<c03><did><unittitle>Three</unittitle></did>"
        "<c04><did><unittitle>Four</unittitle></did></c04></c03>"
        "<c03><did><unittitle>Three again</unittitle></did></c03></c02>"
        "</did><c02><did><unittitle>Regular</unittitle></did></c02></c01>"
    )

    assert judge(data, "quoted.xml") is None
    assert titles_in_document_order() == [
        "Found papers",
        "One",
        "Two",
        "Three",
        "Four",
        "Three again",
        "Regular",
    ]


@pytest.mark.django_db
def test_an_undefined_entity_late_in_a_file_is_refused_at_its_line(row_counts) -> None:
    # lxml's iterparse reports it as "no element found" at line 0, after the components
    # before it were read: the message must still say where and why.
    files = "\n".join(f"<c01><did><unittitle>File {i}</unittitle></did></c01>" for i in range(500))
    data = found_document(files + "\n<c01><did><unittitle>&nosuch;</unittitle></did></c01>")
    line = data[: data.index(b"&nosuch;")].count(b"\n") + 1
    before = row_counts()

    with pytest.raises(imports.EADImportError) as refused:
        imports.ead_import(source=data, filename="late-entity.xml")

    message = str(refused.value)
    assert message.startswith(f"late-entity.xml, line {line}, column "), message
    assert "Entity 'nosuch' not defined" in message
    assert row_counts() == before
