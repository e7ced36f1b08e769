"""A spreadsheet file (XLSX or CSV) to plain rows of text keyed by column.

Real sheets are untidy, and what an archivist typed is what counts:

- the first sheet whose first non-blank row holds known headers is read (the template's
  explanation sheet is skipped); headers match ignoring case, spaces and punctuation;
- blank rows are skipped (row numbers stay those the spreadsheet program shows);
- a merged cell gives its value to every row and column it covers (a box number merged
  down the rows of its folders);
- formulas give the value the spreadsheet program last computed (``data_only``);
- dates typed as Excel dates become ISO text (``1936-05-01``), whole numbers lose the
  ``.0`` (a Box typed as 12 is "12"), text is kept as typed (Unicode included);
- the indentation of the Level cell (Excel's indent, or leading spaces) is kept for the
  hierarchy.

XLSX is read a row at a time from the file's XML (openpyxl's rules for dates); CSV as UTF-8 (with or
without a byte-order mark), else Windows-1252, with its delimiter (comma, semicolon or
tab) detected.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lxml import etree

from archive.sheets.columns import KEY_BY_HEADER, header_key

_FORMULA_START = ("=", "+", "-", "@")

# A source: a path, the bytes of the file, or a binary file object.
Source = str | Path | bytes | IO[bytes]

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


# The header row is looked for among the first rows that are not blank (a title or a note
# may stand above it).
HEADER_SEARCH_ROWS = 10


class SheetError(Exception):
    """The file cannot be read as a spreadsheet (the message names the file and why)."""


@dataclass
class Row:
    """One non-blank row: its number as the spreadsheet shows it, its cells by column key."""

    number: int
    cells: dict[str, str]
    indent: int = 0


@dataclass
class Sheet:
    """The rows of the sheet read, with what the reader noticed."""

    name: str
    keys: list[str]
    rows: list[Row]
    warnings: list[str] = field(default_factory=list)


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    return source.read()


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def sheet_read(source: Source, *, filename: str) -> Sheet:
    """Read the rows of an XLSX or CSV file. Raises :class:`SheetError` naming the file."""
    data = _read_bytes(source)
    if not data.strip():
        raise SheetError(f"{filename}: the file is empty")
    if is_xlsx(data):
        return _xlsx_read(data, filename)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SheetError(
            f"{filename}: this is an old Excel file (.xls); save it as .xlsx or .csv and "
            "upload it again"
        )
    return _csv_read(data, filename)


# --------------------------------------------------------------------------- values


def cell_text(value: Any) -> str:
    """A cell's value as the text an archivist meant."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes")
    text = str(value).replace("\r\n", "\n").strip()
    if text[:1] == "'" and text[1:2] in _FORMULA_START:
        return text[1:]  # the apostrophe an export put before a formula-like text
    return text


def _indent_of(text: str) -> int:
    """Leading spaces as indentation steps (two spaces or a tab make one)."""
    stripped = text.lstrip(" \t")
    lead = text[: len(text) - len(stripped)]
    return (lead.count(" ") + 1) // 2 + lead.count("\t")


def _columns(header: list[str], filename: str, sheet: str) -> tuple[dict[int, str], list[str]]:
    """Column index -> key for the known headers; warnings for the others."""
    keys: dict[int, str] = {}
    warnings = []
    for index, text in enumerate(header):
        if not text:
            continue
        key = KEY_BY_HEADER.get(header_key(text))
        if key is None:
            warnings.append(f"{sheet}: column {text!r} is not a Fonds column and is ignored")
        elif key in keys.values():
            warnings.append(f"{sheet}: column {text!r} appears twice; the first one is used")
        else:
            keys[index] = key
    return keys, warnings


def _is_header(values: list[str]) -> bool:
    known = {KEY_BY_HEADER.get(header_key(v)) for v in values if v} - {None}
    return len(known) >= 2 or known == {"title"}


def _rows(
    cells: Iterator[tuple[int, list[Any], list[int]]], filename: str, sheet: str
) -> Sheet | None:
    """The rows after the header row; ``cells`` yields (row number, values, indents)."""
    keys: dict[int, str] | None = None
    result = Sheet(name=sheet, keys=[], rows=[])
    seen = 0
    for number, values, indents in cells:
        texts = [cell_text(v) for v in values]
        if keys is None:
            if not any(texts):
                continue
            seen += 1
            if not _is_header(texts):
                if seen >= HEADER_SEARCH_ROWS:
                    return None
                continue  # a title or note above the headers
            keys, result.warnings = _columns(texts, filename, sheet)
            result.keys = list(keys.values())
            continue
        if not any(texts):
            continue
        row = Row(number=number, cells={})
        for index, key in keys.items():
            if index < len(texts) and texts[index]:
                row.cells[key] = texts[index]
                if key == "level":
                    raw = values[index]
                    lead = _indent_of(raw) if isinstance(raw, str) else 0
                    row.indent = (indents[index] if index < len(indents) else 0) + lead
        if row.cells:
            result.rows.append(row)
    return result if keys is not None else None


# --------------------------------------------------------------------------- CSV


def _csv_read(data: bytes, filename: str) -> Sheet:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise SheetError(f"{filename}: not a spreadsheet (binary content); upload .xlsx or .csv")
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def cells() -> Iterator[tuple[int, list[Any], list[int]]]:
        for values in reader:
            yield reader.line_num, list(values), []

    try:
        sheet = _rows(cells(), filename, "CSV")
    except csv.Error as exc:
        raise SheetError(f"{filename}, line {reader.line_num}: {exc}") from None
    if sheet is None:
        raise SheetError(f"{filename}: the first row holds no Fonds column headers ({_known()})")
    return sheet


def _known() -> str:
    return "e.g. Level, Title, Date, Box, Folder; see the template"


# --------------------------------------------------------------------------- XLSX
#
# Read straight from the file's XML with lxml, streaming: openpyxl builds an object per cell
# (and a rich-text object per inline string), which made reading take longer than checking
# and saving together. openpyxl's own rules decide which number formats are dates and how
# serial numbers become dates (1900 and 1904 calendars).


def _parser() -> etree.XMLParser:
    """No entities, no DTD, no network: a sheet's XML is as untrusted as an EAD file."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def _iterparse(stream: IO[bytes], tag: str) -> Any:
    return etree.iterparse(
        stream, tag=tag, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )


_CELL = f"{{{_MAIN_NS}}}c"
_ROW = f"{{{_MAIN_NS}}}row"
_V = f"{{{_MAIN_NS}}}v"
_T = f"{{{_MAIN_NS}}}t"
_IS = f"{{{_MAIN_NS}}}is"
_RPH = f"{{{_MAIN_NS}}}rPh"
_COLUMN_LETTERS = re.compile(r"^([A-Z]+)(\d*)$")


@dataclass
class _Book:
    archive: zipfile.ZipFile
    sheets: list[tuple[str, str]]  # (name, path in the archive)
    strings: list[str]
    date_styles: set[int]
    indents: dict[int, int]
    epoch: dt.datetime


def _xml(archive: zipfile.ZipFile, name: str) -> Any:
    return etree.fromstring(archive.read(name), _parser())


def _text_of(element: Any) -> str:
    """The text of a shared or inline string: its <t> parts, phonetic runs left out."""
    return "".join(
        t.text or "" for t in element.iter(_T) if t.getparent() is None or t.getparent().tag != _RPH
    )


def _book_open(data: bytes) -> _Book:
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
    from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    rels = _xml(archive, "xl/_rels/workbook.xml.rels")
    targets = {
        rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship")
    }
    book = _xml(archive, "xl/workbook.xml")
    sheets = []
    for sheet in book.iter(f"{{{_MAIN_NS}}}sheet"):
        target = targets.get(sheet.get(f"{{{_REL_NS}}}id"), "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if path in names:
            sheets.append((sheet.get("name", ""), path))
    pr = book.find(f"{{{_MAIN_NS}}}workbookPr")
    epoch = (
        MAC_EPOCH
        if pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
        else WINDOWS_EPOCH
    )
    strings: list[str] = []
    if "xl/sharedStrings.xml" in names:
        with archive.open("xl/sharedStrings.xml") as stream:
            for _, si in _iterparse(stream, f"{{{_MAIN_NS}}}si"):
                strings.append(_text_of(si))
                si.clear()
    date_styles: set[int] = set()
    indents: dict[int, int] = {}
    if "xl/styles.xml" in names:
        styles = _xml(archive, "xl/styles.xml")
        formats = {int(k): v for k, v in BUILTIN_FORMATS.items()}
        for fmt in styles.iter(f"{{{_MAIN_NS}}}numFmt"):
            formats[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
        xfs = styles.find(f"{{{_MAIN_NS}}}cellXfs")
        for index, xf in enumerate(xfs if xfs is not None else []):
            if is_date_format(formats.get(int(xf.get("numFmtId", "0")), "")):
                date_styles.add(index)
            alignment = xf.find(f"{{{_MAIN_NS}}}alignment")
            if alignment is not None and alignment.get("indent"):
                indents[index] = int(alignment.get("indent"))
    return _Book(archive, sheets, strings, date_styles, indents, epoch)


_MERGE_REF = re.compile(rb"<(?:[\w.-]+:)?mergeCell\s[^>]*?\bref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")


def _merged_ranges(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of each merged range.

    Found by a scan of the worksheet's bytes rather than a second parse: markup in cell text
    is escaped, so only a real ``<mergeCell ref="...">`` element matches.
    """
    from openpyxl.utils.cell import range_boundaries

    ranges = []
    for match in _MERGE_REF.finditer(archive.read(path)):
        min_col, min_row, max_col, max_row = range_boundaries(match.group(1).decode())
        ranges.append((int(min_row or 0), int(min_col or 0), int(max_row or 0), int(max_col or 0)))
    return ranges


def _xlsx_read(data: bytes, filename: str) -> Sheet:
    try:
        book = _book_open(data)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, etree.XMLSyntaxError):
        raise SheetError(f"{filename}: not a readable .xlsx file") from None
    try:
        for name, path in book.sheets:
            try:
                ranges = _merged_ranges(book.archive, path)
                sheet = _rows(_xlsx_cells(book, path, ranges), filename, name)
            except (KeyError, OSError, ValueError, etree.XMLSyntaxError) as exc:
                raise SheetError(f"{filename}, sheet {name}: not readable ({exc})") from None
            if sheet is not None:
                return sheet
    finally:
        book.archive.close()
    raise SheetError(f"{filename}: no sheet starts with Fonds column headers ({_known()})")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _cell_value(book: _Book, cell: Any, kind: str | None, style: str | None) -> Any:
    """A cell's value: text, a number, a boolean, or a datetime for a date-formatted number
    (a formula's cached result, for a formula)."""
    text = None
    for child in cell:
        tag = child.tag
        if tag == _V:
            text = child.text
        elif tag == _IS:
            return _text_of(child)
    if text is None:
        return None
    if kind is None or kind == "n":
        number = float(text)
        if style is not None and int(style) in book.date_styles:
            from openpyxl.utils.datetime import from_excel

            return from_excel(number, book.epoch)
        return number
    if kind == "s":
        return book.strings[int(text)]
    if kind == "b":
        return text == "1"
    return text  # "str" (a formula's text), "e" (an error such as #REF!), "d" (ISO date)


def _xlsx_cells(
    book: _Book, path: str, ranges: list[tuple[int, int, int, int]]
) -> Iterator[tuple[int, list[Any], list[int]]]:
    """(row number, values, indents) of each row, merged values spread over their range."""
    # (row, col) -> the (row, col) of the merged range's top-left cell
    spread: dict[tuple[int, int], tuple[int, int]] = {}
    origins: dict[tuple[int, int], Any] = {}
    spread_rows: dict[int, list[int]] = {}  # row -> the columns merged values spread to
    for min_row, min_col, max_row, _max_col in ranges:
        if max_row - min_row > 1_000_000:
            continue  # a whole-column merge carries no data worth spreading
        # Down the rows only: a value merged across columns (a banner over the headers)
        # belongs to its first column, not to its neighbours'.
        for r in range(min_row + 1, max_row + 1):
            spread[r, min_col] = (min_row, min_col)
            spread_rows.setdefault(r, []).append(min_col)
        origins[min_row, min_col] = None
    previous = 0
    with book.archive.open(path) as stream:
        for _, row in _iterparse(stream, _ROW):
            number = int(row.get("r") or previous + 1)
            for gap in range(previous + 1, number):  # rows the file leaves out
                yield gap, _spread_only(gap, spread_rows.get(gap, []), spread, origins), []
            previous = number
            values: list[Any] = []
            indents: list[int] = []
            for cell in row:
                if cell.tag != _CELL:
                    continue
                attrib = cell.attrib
                reference = attrib.get("r")
                column = len(values) + 1
                if reference:
                    match = _COLUMN_LETTERS.match(reference)
                    if match:
                        column = _column_number(match.group(1))
                while len(values) < column - 1:
                    key = (number, len(values) + 1)
                    values.append(origins.get(spread[key]) if key in spread else None)
                    indents.append(0)
                style = attrib.get("s")
                value = _cell_value(book, cell, attrib.get("t"), style)
                if spread or origins:
                    key = (number, column)
                    if key in origins:
                        origins[key] = value
                    elif value is None and key in spread:
                        value = origins.get(spread[key])
                values.append(value)
                indents.append(book.indents.get(int(style), 0) if style and book.indents else 0)
            for column in sorted(c for c in spread_rows.get(number, ()) if c > len(values)):
                while len(values) < column:
                    key = (number, len(values) + 1)
                    values.append(origins.get(spread[key]) if key in spread else None)
                    indents.append(0)
            row.clear()
            while row.getprevious() is not None:
                del row.getparent()[0]
            yield number, values, indents


def _spread_only(
    number: int,
    columns: list[int],
    spread: dict[tuple[int, int], tuple[int, int]],
    origins: dict[tuple[int, int], Any],
) -> list[Any]:
    """The values of a row absent from the file: only what merged cells give it."""
    values: list[Any] = [None] * (max(columns) if columns else 0)
    for column in columns:
        values[column - 1] = origins.get(spread[number, column])
    return values
