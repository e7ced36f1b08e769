"""Exports: the template's columns plus machine ids; public data only when asked; an edited
export imports again as updates with a preview of each change."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from archive.models import Component, Note
from archive.services.spreadsheets import (
    spreadsheet_export,
    spreadsheet_import,
    spreadsheet_template,
)
from archive.sheets.columns import HEADERS
from tests.factories import add_unit, outline

pytestmark = pytest.mark.django_db


def export_csv(collection, **kwargs) -> list[dict[str, str]]:
    out = io.BytesIO()
    spreadsheet_export(collection=collection, out=out, file_format="csv", **kwargs)
    return list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))


def export_xlsx(collection, **kwargs) -> bytes:
    out = io.BytesIO()
    spreadsheet_export(collection=collection, out=out, file_format="xlsx", **kwargs)
    return out.getvalue()


def test_the_export_lists_components_in_document_order_with_parents_by_machine_id(collection):
    rows = export_csv(collection)
    assert list(rows[0]) == list(HEADERS)
    assert HEADERS[-1] == "Machine id"
    assert [(r["Title"], r["Parent"], r["Machine id"]) for r in rows] == [
        ("Correspondence", "", "ser1"),
        ("Letters, 1936", "ser1", "f1"),
    ]
    assert rows[1]["Begin"] == "1936" and rows[1]["Identifier"] == ""


def test_a_subtree_exports_alone(collection):
    series = collection.components.get(ref="ser1")
    add_unit(collection.components.get(depth=1), collection, title="Writings", ref="w")
    rows = export_csv(collection, under=series)
    assert [r["Title"] for r in rows] == ["Correspondence", "Letters, 1936"]


def test_the_public_inventory_leaves_out_drafts_and_internal_description(collection):
    Component.objects.filter(collection=collection).update(published=True)
    series = collection.components.get(ref="ser1")
    hidden = add_unit(series, collection, title="Unpublished file", ref="h", published=False)
    add_unit(hidden, collection, title="Below the unpublished file", ref="hb")
    Note.objects.create(unit=series, note_type="scopecontent", content="<p>Public words</p>")
    Note.objects.create(
        unit=series, note_type="accessrestrict", content="<p>Staff words</p>", published=False
    )
    rows = export_csv(collection, public=True)
    assert [r["Title"] for r in rows] == ["Correspondence", "Letters, 1936"]
    assert rows[0]["Scope and content"] == "Public words"
    assert rows[0]["Access restrictions"] == ""
    assert "Published" not in rows[0]
    staff = export_csv(collection)
    assert [r["Title"] for r in staff][2:] == ["Unpublished file", "Below the unpublished file"]
    assert staff[0]["Access restrictions"] == "Staff words"


def test_text_that_looks_like_a_formula_stays_text(collection):
    collection.components.filter(ref="f1").update(title='=HYPERLINK("http://x")')
    book = load_workbook(io.BytesIO(export_xlsx(collection)))
    cell = book.active["B3"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x")', "s")
    assert export_csv(collection)[1]["Title"] == '\'=HYPERLINK("http://x")'


def test_an_edited_export_updates_the_components_it_names_with_a_preview(collection):
    data = export_xlsx(collection)
    book = load_workbook(io.BytesIO(data))
    ws = book.active
    header = [c.value for c in ws[1]]
    ws.cell(3, header.index("Title") + 1, "Letters from 1936")
    ws.cell(3, header.index("Box") + 1, "4")
    ws.cell(3, header.index("Folder") + 1, "2")
    ws.append(["File", "A new file", None, "1937", "1937"] + [None] * 6 + ["ser1"])
    out = io.BytesIO()
    book.save(out)
    preview = spreadsheet_import(
        collection=collection, source=out.getvalue(), filename="edited.xlsx", dry_run=True
    )
    assert preview.ok
    assert (preview.created, preview.updated, preview.unchanged) == (1, 1, 1)
    assert preview.updates[0].changes == [
        ("Title", "Letters, 1936", "Letters from 1936"),
        ("Container type", "", "Box"),
        ("Box", "", "4"),
        ("Folder", "", "2"),
    ]
    assert collection.components.get(ref="f1").title == "Letters, 1936"  # a preview only
    result = spreadsheet_import(collection=collection, source=out.getvalue(), filename="e.xlsx")
    assert result.ok
    unit = collection.components.get(ref="f1")
    assert unit.title == "Letters from 1936"
    assert str(unit.container_instances.get()) == "Box 4, Folder 2"
    assert unit.dates.get().begin == "1936"  # unchanged columns stay as they were
    assert outline(collection) == [
        (2, "Correspondence"),
        (3, "Letters from 1936"),
        (3, "A new file"),
    ]
    root = collection.components.get(depth=1)
    assert root.history.first().history_change_reason == (
        "Spreadsheet e.xlsx: added 1 components, updated 1"
    )


def test_the_template_has_headers_drop_down_lists_and_an_explanation_sheet():
    out = io.BytesIO()
    spreadsheet_template(out=out, file_format="xlsx")
    book = load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames == ["Components", "Explanation"]
    headers = [c.value for c in book["Components"][1]]
    for required in [
        "Level",
        "Title",
        "Date",
        "Begin",
        "End",
        "Date type",
        "Extent",
        "Box",
        "Folder",
        "Barcode",
        "Parent",
        "Identifier",
        "Scope and content",
        "Access restrictions",
        "Creator",
        "Subject",
        "Digital object URL",
        "Published",
    ]:
        assert required in headers
    lists = {
        headers[column_index_from_string(str(v.sqref).split(":")[0].rstrip("0123456789")) - 1]: (
            v.formula1
        )
        for v in book["Components"].data_validations.dataValidation
    }
    assert lists["Level"].startswith('"Fonds,Class,Record group,Series')
    assert lists["Date type"] == '"Inclusive,Bulk,Single"'
    assert "Box" in lists["Container type"]
    explained = {row[0].value: row[1].value for row in book["Explanation"].iter_rows(min_row=2)}
    assert explained["End"] == "End of the date range: YYYY, YYYY-MM or YYYY-MM-DD."
    csv_out = io.BytesIO()
    spreadsheet_template(out=csv_out, file_format="csv")
    assert csv_out.getvalue().decode("utf-8-sig").splitlines()[0].split(",") == headers


def test_the_template_imports_as_it_is_filled_in(collection):
    out = io.BytesIO()
    spreadsheet_template(out=out, file_format="xlsx")
    book = load_workbook(io.BytesIO(out.getvalue()))
    ws = book["Components"]
    ws.append(["Series", "Writings"])
    filled = io.BytesIO()
    book.save(filled)
    result = spreadsheet_import(collection=collection, source=filled.getvalue(), filename="t.xlsx")
    assert result.ok and result.created == 1


def test_names_and_subjects_of_an_edited_export_replace_those_of_their_columns(collection):
    from archive.models import Agent, AgentLink, Subject, SubjectLink

    unit = collection.components.get(ref="f1")
    gide = Agent.objects.create(agent_type="person", authorized_name="Gide, André")
    AgentLink.objects.create(unit=unit, agent=gide, role="creator")
    AgentLink.objects.create(unit=unit, agent=gide, role="source")
    topic = Subject.objects.create(term="Exiles")
    SubjectLink.objects.create(unit=unit, subject=topic)
    unchanged = spreadsheet_import(
        collection=collection, source=export_xlsx(collection), filename="same.xlsx"
    )
    assert (unchanged.created, unchanged.updated, unchanged.unchanged) == (0, 0, 2)

    book = load_workbook(io.BytesIO(export_xlsx(collection)))
    ws = book.active
    header = [c.value for c in ws[1]]
    assert ws.cell(3, header.index("Creator") + 1).value == "Gide, André"
    ws.cell(3, header.index("Creator") + 1, "Gide, André; Breton, André")
    out = io.BytesIO()
    book.save(out)
    result = spreadsheet_import(collection=collection, source=out.getvalue(), filename="e.xlsx")
    assert result.ok and result.updated == 1
    assert result.updates[0].changes == [("Creator", "Gide, André", "Gide, André; Breton, André")]
    assert list(
        unit.agent_links.order_by("role", "position").values_list("agent__authorized_name", "role")
    ) == [("Gide, André", "creator"), ("Breton, André", "creator"), ("Gide, André", "source")]
    assert list(unit.subject_links.values_list("subject__term", flat=True)) == ["Exiles"]
    assert Agent.objects.filter(authorized_name="Gide, André").count() == 1
