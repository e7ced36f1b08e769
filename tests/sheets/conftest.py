"""Sheets for the spreadsheet tests, built in memory as a user's spreadsheet program would."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import pytest
from openpyxl import Workbook

from tests.factories import add_unit, make_collection, make_repository


def xlsx_bytes(rows: list[list[object]], *, build: Callable[[object], None] | None = None) -> bytes:
    """An .xlsx file whose first sheet holds ``rows``; ``build(ws)`` may merge, indent..."""
    book = Workbook()
    ws = book.active
    ws.title = "Inventory"
    for row in rows:
        ws.append(row)
    if build is not None:
        build(ws)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """The workbook with the formulas of ``values``' cells given the cached result a
    spreadsheet program stores when it saves (openpyxl writes formulas without one)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = content.decode()
                for ref, value in values.items():
                    text = re.sub(
                        rf'(<c r="{ref}"[^>]*>)(<f>.*?</f>)(<v\s*/>|<v></v>)?',
                        rf"\1\2<v>{value}</v>",
                        text,
                    )
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


HEADERS = ["Level", "Title", "Begin", "End", "Box", "Folder", "Parent", "Identifier"]


@pytest.fixture
def collection(db):
    """A collection with a root, one series (identifier "Series I", machine id "ser1") and a
    file under it ("f1")."""
    repository = make_repository("beinecke")
    collection = make_collection(repository, "gen-mss-238", [])
    root = collection.components.get(depth=1)
    series = add_unit(
        root,
        collection,
        title="Correspondence",
        level="series",
        ref="ser1",
        identifier="Series I",
    )
    add_unit(series, collection, title="Letters, 1936", ref="f1", begin="1936", end="1936")
    return collection
