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

XLSX is read with openpyxl in read-only mode (a row at a time); CSV as UTF-8 (with or
without a byte-order mark), else Windows-1252, with its delimiter (comma, semicolon or
tab) detected.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
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


def _merged_ranges(data: bytes) -> dict[str, list[tuple[int, int, int, int]]]:
    """Merged ranges of each worksheet, by sheet name: (min_row, min_col, max_row, max_col).

    openpyxl's read-only mode (a row at a time, a fraction of the memory) does not read them,
    so they are taken from the worksheet XML here, streaming (they come after the cells).
    """
    from openpyxl.utils.cell import range_boundaries

    result: dict[str, list[tuple[int, int, int, int]]] = {}
    parser = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            return result
        rels = etree.fromstring(
            archive.read("xl/_rels/workbook.xml.rels"), etree.XMLParser(**parser)
        )
        targets = {
            rel.get("Id"): rel.get("Target", "")
            for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship")
        }
        book = etree.fromstring(archive.read("xl/workbook.xml"), etree.XMLParser(**parser))
        for sheet in book.iter(f"{{{_MAIN_NS}}}sheet"):
            target = targets.get(sheet.get(f"{{{_REL_NS}}}id"), "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if path not in names:
                continue
            ranges = []
            with archive.open(path) as stream:
                for _, element in etree.iterparse(
                    stream, events=("end",), tag=f"{{{_MAIN_NS}}}mergeCell", **parser
                ):
                    ref = element.get("ref")
                    if ref and ":" in ref:
                        min_col, min_row, max_col, max_row = range_boundaries(ref)
                        ranges.append((min_row, min_col, max_row, max_col))  # type: ignore[arg-type]
            result[sheet.get("name", "")] = ranges
    return result


def _xlsx_read(data: bytes, filename: str) -> Sheet:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        merged = _merged_ranges(data)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, etree.XMLSyntaxError):
        raise SheetError(f"{filename}: not a readable .xlsx file") from None
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise SheetError(f"{filename}: not a readable .xlsx file ({exc})") from None
    try:
        for ws in book.worksheets:
            sheet = _rows(_xlsx_cells(ws, merged.get(ws.title, [])), filename, ws.title)
            if sheet is not None:
                return sheet
    finally:
        book.close()
    raise SheetError(f"{filename}: no sheet starts with Fonds column headers ({_known()})")


def _xlsx_cells(
    ws: Any, ranges: list[tuple[int, int, int, int]]
) -> Iterator[tuple[int, list[Any], list[int]]]:
    """(row number, values, indents) of each row, merged values spread over their range."""
    # (row, col) -> the (row, col) of the merged range's top-left cell
    spread: dict[tuple[int, int], tuple[int, int]] = {}
    origins: dict[tuple[int, int], Any] = {}
    for min_row, min_col, max_row, _max_col in ranges:
        if max_row - min_row > 1_000_000:
            continue  # a whole-column merge carries no data worth spreading
        # Down the rows only: a value merged across columns (a banner over the headers)
        # belongs to its first column, not to its neighbours'.
        for r in range(min_row + 1, max_row + 1):
            spread[r, min_col] = (min_row, min_col)
        origins[min_row, min_col] = None
    for number, cells in enumerate(ws.iter_rows(min_row=1, min_col=1), start=1):
        values: list[Any] = []
        indents: list[int] = []
        for column, cell in enumerate(cells, start=1):
            if getattr(cell, "row", None) is None:  # an empty cell of read-only mode
                key = (number, column)
                values.append(origins.get(spread[key]) if key in spread else None)
                indents.append(0)
                continue
            value = cell.value
            key = (number, column)
            if key in origins:
                origins[key] = value
            elif value is None and key in spread:
                value = origins.get(spread[key])
            values.append(value)
            alignment = getattr(cell, "alignment", None)
            indents.append(int(alignment.indent or 0) if alignment is not None else 0)
        yield number, values, indents
