"""The template and exports written as XLSX (openpyxl) or CSV.

XLSX exports are written in openpyxl's write-only mode, a row at a time, so memory stays
flat. Text that a spreadsheet program would take for a formula (starting with ``=``, ``+``,
``-``, ``@``) is stored as text in XLSX and, in CSV, behind an apostrophe, which Excel
hides and the reader removes again: a title never runs as a formula on a user's machine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO, Any

from archive.sheets.columns import COLUMNS, Column

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def columns_for(*, with_ref: bool, public: bool = False) -> list[Column]:
    return [
        c
        for c in COLUMNS
        if (with_ref or not c.export_only) and not (public and c.key == "published")
    ]


def csv_cell(text: str) -> str:
    """A value for a CSV cell that no spreadsheet program runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _xlsx_cell(ws: Any, text: str) -> Any:
    """The value to append: the text itself (None when empty), or for text that openpyxl
    would store as a formula, a cell typed as text."""
    if not text:
        return None
    if text[0] != "=":
        return text
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"  # text, not a formula
    return cell


def rows_write(
    rows: Iterable[dict[str, str]],
    out: IO[bytes],
    *,
    file_format: str,
    with_ref: bool,
    public: bool = False,
) -> int:
    """Write ``rows`` under the column headers; returns how many rows were written."""
    columns = columns_for(with_ref=with_ref, public=public)
    if file_format == "csv":
        return _csv_write(rows, out, columns)
    return _xlsx_write(rows, out, columns)


def _csv_write(rows: Iterable[dict[str, str]], out: IO[bytes], columns: list[Column]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([c.header for c in columns])
    count = 0
    for row in rows:
        writer.writerow([csv_cell(row.get(c.key, "")) for c in columns])
        count += 1
    text.flush()
    text.detach()
    return count


def _validations(ws: Any, columns: list[Column], last_row: int) -> None:
    """Drop-down lists on the controlled columns, from row 2 to ``last_row``."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for number, column in enumerate(columns, start=1):
        if not column.choices:
            continue
        listed = ",".join(column.choices)
        validation = DataValidation(
            type="list",
            formula1=f'"{listed}"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=column.header,
            error=f"Choose one of: {', '.join(column.choices)}",
        )
        letter = get_column_letter(number)
        validation.add(f"{letter}2:{letter}{last_row}")
        ws.data_validations.append(validation)


def _xlsx_write(rows: Iterable[dict[str, str]], out: IO[bytes], columns: list[Column]) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet("Components")
    _validations(ws, columns, 100_000)
    ws.append([c.header for c in columns])
    count = 0
    for row in rows:
        ws.append([_xlsx_cell(ws, row.get(c.key, "")) for c in columns])
        count += 1
    book.save(out)
    return count


def template_write(out: IO[bytes], *, file_format: str) -> None:
    """The empty template: headers (plus, in XLSX, drop-down lists and a second sheet that
    explains each column with an example)."""
    columns = columns_for(with_ref=False)
    if file_format == "csv":
        _csv_write([], out, columns)
        return
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Components"
    ws.append([c.header for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    _validations(ws, columns, 10_000)
    help_sheet = book.create_sheet("Explanation")
    help_sheet.append(["Column", "What it holds", "Example", "Allowed values"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for column in columns:
        help_sheet.append(
            [column.header, column.explanation, column.example, ", ".join(column.choices)]
        )
    help_sheet.append([])
    help_sheet.append(["An example row, as it would be typed on the first sheet:"])
    help_sheet.append([c.header for c in columns])
    help_sheet.append([c.example for c in columns])
    help_sheet.column_dimensions["A"].width = 24
    help_sheet.column_dimensions["B"].width = 90
    help_sheet.column_dimensions["C"].width = 36
    book.save(out)
