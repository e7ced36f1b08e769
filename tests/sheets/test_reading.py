"""Reading real-world sheets: merged cells, blank rows, Excel dates, formulas, Unicode, CSV."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl.styles import Alignment

from archive.sheets.reading import SheetError, sheet_read
from tests.sheets.conftest import with_cached_values, xlsx_bytes


def test_blank_rows_are_skipped_and_rows_keep_the_numbers_the_spreadsheet_shows():
    data = xlsx_bytes([["Title", "Box"], ["A", 1], [], [None, None], ["B", 2]])
    sheet = sheet_read(data, filename="x.xlsx")
    assert [(row.number, row.cells["title"]) for row in sheet.rows] == [(2, "A"), (5, "B")]
    assert sheet.name == "Inventory"


def test_a_box_merged_down_its_folders_belongs_to_every_row_it_covers():
    def merge(ws):
        ws.merge_cells("B2:B4")

    data = xlsx_bytes(
        [["Title", "Box", "Folder"], ["a", 7, 1], ["b", None, 2], ["c", None, 3], ["d", 8, 1]],
        build=merge,
    )
    rows = sheet_read(data, filename="x.xlsx").rows
    assert [(r.cells["title"], r.cells["box"], r.cells["folder"]) for r in rows] == [
        ("a", "7", "1"),
        ("b", "7", "2"),
        ("c", "7", "3"),
        ("d", "8", "1"),
    ]


def test_a_banner_merged_across_columns_above_the_headers_is_not_data():
    def merge(ws):
        ws.merge_cells("A1:D1")

    data = xlsx_bytes([["Inventory of the Serge papers"], ["Title", "Box"], ["a", 1]], build=merge)
    sheet = sheet_read(data, filename="x.xlsx")
    assert [(r.number, r.cells) for r in sheet.rows] == [(3, {"title": "a", "box": "1"})]


def test_excel_dates_become_iso_text_and_whole_numbers_lose_their_decimal_point():
    data = xlsx_bytes(
        [
            ["Title", "Begin", "End", "Box"],
            ["a", dt.datetime(1936, 5, 1), dt.date(1947, 11, 17), 12.0],
        ]
    )
    row = sheet_read(data, filename="x.xlsx").rows[0]
    assert row.cells == {"title": "a", "begin": "1936-05-01", "end": "1947-11-17", "box": "12"}


def test_dates_typed_as_text_stay_as_typed():
    data = xlsx_bytes([["Title", "Begin", "Date"], ["a", "1936-05", "circa 1940"]])
    assert sheet_read(data, filename="x.xlsx").rows[0].cells["begin"] == "1936-05"


def test_formulas_give_the_value_the_spreadsheet_program_computed():
    data = xlsx_bytes([["Title", "Begin", "End"], ["a", 1936, "=B2+11"]])
    data = with_cached_values(data, {"C2": "1947"})
    assert sheet_read(data, filename="x.xlsx").rows[0].cells["end"] == "1947"


def test_unicode_text_is_kept():
    data = xlsx_bytes([["Title"], ["Lettres à André Breton — «Мексика» 1941"]])
    assert sheet_read(data, filename="x.xlsx").rows[0].cells["title"] == (
        "Lettres à André Breton — «Мексика» 1941"
    )


def test_the_indent_of_the_level_cell_is_read():
    def indent(ws):
        ws["A3"].alignment = Alignment(indent=1)

    data = xlsx_bytes([["Level", "Title"], ["Series", "S"], ["File", "F"]], build=indent)
    assert [r.indent for r in sheet_read(data, filename="x.xlsx").rows] == [0, 1]


def test_headers_are_matched_ignoring_case_and_punctuation_and_unknown_ones_are_named():
    data = xlsx_bytes([["TITLE", "scope & content", "Colour"], ["a", "b", "red"]])
    sheet = sheet_read(data, filename="x.xlsx")
    assert sheet.rows[0].cells == {"title": "a", "scope": "b"}
    assert sheet.warnings == ["Inventory: column 'Colour' is not a Fonds column and is ignored"]


def test_csv_with_byte_order_mark_semicolons_and_leading_spaces():
    text = "\ufeffLevel;Title;Begin\nSeries;Écrits;1920\n  File;Brouillons;1930\n"
    sheet = sheet_read(text.encode("utf-8"), filename="x.csv")
    assert [(r.cells["title"], r.indent) for r in sheet.rows] == [("Écrits", 0), ("Brouillons", 1)]


def test_csv_in_windows_1252_is_read():
    data = "Title,Begin\nCaf\xe9 letters,1936\n".encode("cp1252")
    assert sheet_read(data, filename="x.csv").rows[0].cells["title"] == "Café letters"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "x.xlsx: the file is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel file (.xls)"),
        (b"PK\x03\x04garbage", "x.xlsx: not a readable .xlsx file"),
        (b"colour,size\nred,2\n", "the first row holds no Fonds column headers"),
    ],
)
def test_a_file_that_is_no_sheet_is_refused_with_its_name(data, message):
    with pytest.raises(SheetError, match=message.replace("(", r"\(").replace(")", r"\)")):
        sheet_read(data, filename="x.xlsx")
