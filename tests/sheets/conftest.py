"""Sheets for the spreadsheet tests, built in memory as a user's spreadsheet program would."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from openpyxl import Workbook

from tests.factories import add_unit, make_collection, make_repository


def xlsx_bytes(rows: list[list[object]], *, build: Callable[[object], None] | None = None) -> bytes:
    """An .xlsx file whose first sheet holds ``rows``; ``build(ws)`` may merge, indent..."""
    book = Workbook()
    ws = book.active
    for row in rows:
        ws.append(row)
    if build is not None:
        build(ws)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


@pytest.fixture
def collection(db):
    """A collection with a root, one series (identifier "Series I", machine id "ser1") and a
    file under it."""
    repository = make_repository("beinecke")
    collection = make_collection(repository, "gen-mss-238", [])
    root = collection.components.get(depth=1)
    series = add_unit(root, collection, title="Correspondence", level="series", ref="ser1",
                      identifier="Series I")
    add_unit(series, collection, title="Letters, 1936", ref="f1", begin="1936", end="1936")
    return collection
