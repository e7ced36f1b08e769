"""Importing a sheet into a collection: checks first, then one transaction."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl.styles import Alignment

from archive.models import (
    Agent,
    AgentLink,
    Collection,
    Component,
    Container,
    ContainerInstance,
    Note,
    Subject,
    SubjectLink,
    UnitDate,
)
from archive.search import search
from archive.services.spreadsheets import SpreadsheetError, spreadsheet_import
from tests.factories import make_user, outline, tree_problems
from tests.sheets.conftest import HEADERS, xlsx_bytes

pytestmark = pytest.mark.django_db


def run(collection, rows, *, headers=HEADERS, **kwargs):
    data = xlsx_bytes([headers, *rows], build=kwargs.pop("build", None))
    return spreadsheet_import(collection=collection, source=data, filename="inv.xlsx", **kwargs)


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Component, UnitDate, Note, Container, ContainerInstance, Agent, Subject)
    )


# ------------------------------------------------------------------ checks before saving


def test_every_problem_is_listed_with_sheet_row_column_and_a_fix_and_nothing_is_saved(collection):
    before = counts()
    rows = [["File", f"Folder {n}", "1993", "1993-02-28", 1, n, "", ""] for n in range(1, 211)]
    rows.append(["File", "Bad date", "1993", "1993-02-30", 1, 211, "", ""])  # row 212
    rows.append(["Folio", "", "", "", "", 3, "Series IX", ""])  # row 213
    result = run(collection, rows)
    assert not result.ok
    assert [str(p) for p in result.problems] == [
        "Inventory, row 212, column End: 1993-02-30 is not a date; write YYYY, YYYY-MM or "
        "YYYY-MM-DD",
        "Inventory, row 213, column Level: 'Folio' is not a level; use one of Fonds, Class, "
        "Record group, Series, Sub-fonds, Subgroup, Subseries, File, Item, Other level",
        "Inventory, row 213, column Title: a row needs a Title (or at least a Date); fill one in",
        "Inventory, row 213, column Folder: a Folder needs a Box; fill in the Box it is in",
        "Inventory, row 213, column Parent: no row above and no component of the collection has "
        "the Identifier or Machine id Series IX; check it, or move its row above",
    ]
    assert counts() == before


@pytest.mark.parametrize(
    ("headers", "row", "message"),
    [
        (
            ["Title", "Begin", "End"],
            ["a", "1947", "1936"],
            "column End: 1936 is before Begin 1947; swap them or correct one",
        ),
        (
            ["Title", "Begin"],
            ["a", "5/1/1936"],
            "column Begin: 5/1/1936 is not a date; write YYYY, YYYY-MM or YYYY-MM-DD",
        ),
        (
            ["Title", "Date type"],
            ["a", "Mostly"],
            "column Date type: 'Mostly' is not a date type; use Inclusive, Bulk or Single",
        ),
        (
            ["Title", "Digital object URL"],
            ["a", "javascript:alert(1)"],
            "column Digital object URL: 'javascript:alert(1)' is not a web address; write a full "
            "address starting with https://",
        ),
        (["Title", "Published"], ["a", "perhaps"], "column Published: 'perhaps' is not Yes or No"),
        (
            ["Title", "Extent"],
            ["a", "lots"],
            "column Extent: 'lots' is not an extent; write a number and a unit, e.g. 3 folders",
        ),
        (
            ["Title", "Container type", "Box"],
            ["a", "Bucket", "1"],
            "column Container type: 'Bucket' is not a container type",
        ),
        (
            ["Title", "Barcode"],
            ["a", "3900"],
            "column Barcode: a Barcode belongs to a Box; fill in the Box number",
        ),
        (["Title", "Machine id"], ["a", "has space"], "column Machine id: 'has space' cannot be"),
    ],
)
def test_each_cell_rule(collection, headers, row, message):
    result = run(collection, [row], headers=headers)
    assert len(result.problems) == 1
    assert str(result.problems[0]).startswith(f"Inventory, row 2, {message}")


def test_an_invisible_character_is_refused_with_its_position(collection):
    data = b"Title,Level\r\na\x0bb,File\r\n"
    result = spreadsheet_import(collection=collection, source=data, filename="inv.csv")
    assert [str(p) for p in result.problems] == [
        "CSV, row 2, column Title: holds the invisible character U+000B at position 2, which "
        "cannot be exported; delete it"
    ]


def test_an_identifier_used_twice_cannot_be_a_parent(collection):
    result = run(
        collection,
        [
            ["Series", "A", "", "", "", "", "", "S"],
            ["Series", "B", "", "", "", "", "", "S"],
            ["File", "c", "", "", "", "", "S", ""],
        ],
    )
    assert [str(p) for p in result.problems] == [
        "Inventory, row 4, column Parent: several rows above have the Identifier S; give them "
        "different Identifiers or use a Machine id"
    ]


def test_a_file_that_is_no_spreadsheet_is_refused(collection):
    with pytest.raises(SpreadsheetError, match="inv.xlsx: not a readable .xlsx file"):
        spreadsheet_import(collection=collection, source=b"PK\x03\x04xx", filename="inv.xlsx")


def test_a_viewer_may_not_import(collection):
    viewer = make_user("v", repository=collection.repository, role="viewer")
    with pytest.raises(PermissionDenied):
        run(collection, [["File", "a", "", "", "", "", "", ""]], user=viewer)


# ------------------------------------------------------------------ hierarchy


def test_parent_by_identifier_or_machine_id_of_a_row_above_or_of_the_collection(collection):
    result = run(
        collection,
        [
            ["Series", "Writings", "", "", "", "", "", "Series II"],
            ["File", "Drafts", "", "", "", "", "Series II", ""],
            ["File", "More letters", "", "", "", "", "ser1", ""],
            ["File", "Letters to Macdonald", "", "", "", "", "Series I", ""],
        ],
    )
    assert result.ok, result.problems
    assert outline(collection) == [
        (2, "Correspondence"),
        (3, "Letters, 1936"),
        (3, "More letters"),
        (3, "Letters to Macdonald"),
        (2, "Writings"),
        (3, "Drafts"),
    ]
    assert tree_problems() == []
    series = collection.components.get(ref="ser1")
    assert series.numchild == 3
    assert collection.components.get(depth=1).numchild == 2


def test_hierarchy_by_indentation_of_level(collection):
    def indent(ws):
        ws["A3"].alignment = Alignment(indent=1)
        ws["A4"].alignment = Alignment(indent=2)
        ws["A5"].alignment = Alignment(indent=1)

    rows = [
        ["Series", "Writings"],
        ["Subseries", "Novels"],
        ["File", "Midnight in the Century"],
        ["Subseries", "Poems"],
        ["Series", "Photographs"],
    ]
    result = run(collection, rows, headers=["Level", "Title"], build=indent)
    assert result.ok, result.problems
    assert outline(collection)[2:] == [
        (2, "Writings"),
        (3, "Novels"),
        (4, "Midnight in the Century"),
        (3, "Poems"),
        (2, "Photographs"),
    ]
    assert tree_problems() == []


def test_rows_go_under_the_chosen_component_after_its_children(collection):
    series = collection.components.get(ref="ser1")
    result = run(collection, [["File", "New letters"]], headers=["Level", "Title"], under=series)
    assert result.ok
    assert outline(collection) == [(2, "Correspondence"), (3, "Letters, 1936"), (3, "New letters")]


def test_under_a_component_of_another_collection_is_refused(collection):
    other = Collection.objects.create(repository=collection.repository, ead_id="other")
    with pytest.raises(SpreadsheetError, match="is not part of other"):
        spreadsheet_import(
            collection=other,
            source=xlsx_bytes([["Title"], ["a"]]),
            filename="x.xlsx",
            under=collection.components.get(ref="ser1"),
        )


# ------------------------------------------------------------------ what is saved


def test_a_row_becomes_a_component_with_its_date_extent_box_notes_and_links(collection):
    headers = [
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
        "Identifier",
        "Scope and content",
        "Access restrictions",
        "Digital object URL",
        "Published",
    ]
    row = [
        "Item",
        "Letter to Trotsky",
        "May 1936",
        "1936-05",
        "1936-05",
        "Single",
        "2 leaves",
        "3",
        "12",
        "39002",
        "I.3.12",
        "Serge on the trials & <their> echo.\n\nSecond part.",
        "Open for research.",
        "https://images.example.org/1",
        "Yes",
    ]
    result = run(collection, [row], headers=headers)
    assert result.ok and result.created == 1
    unit = collection.components.get(title="Letter to Trotsky")
    assert (unit.level, unit.identifier, unit.published, unit.ref) == (
        "item",
        "I.3.12",
        True,
        f"fonds{unit.pk}",
    )
    date = unit.dates.get()
    assert (date.expression, date.begin, date.end, date.date_type) == (
        "May 1936",
        "1936-05",
        "1936-05",
        "single",
    )
    extent = unit.extents.get()
    assert (extent.number, extent.extent_type) == ("2", "leaves")
    instance = unit.container_instances.get()
    assert str(instance) == "Box 3, Folder 12"
    assert instance.container.barcode == "39002"
    notes = dict(unit.notes.values_list("note_type", "content"))
    assert notes == {
        "scopecontent": "<p>Serge on the trials &amp; &lt;their&gt; echo.</p><p>Second part.</p>",
        "accessrestrict": "<p>Open for research.</p>",
    }
    assert unit.digital_objects.get().link == "https://images.example.org/1"


def test_names_and_subjects_are_matched_to_existing_ones_never_duplicated(collection):
    serge = Agent.objects.create(
        agent_type="person", authorized_name="Serge, Victor, 1890-1947", authority_source="lcnaf"
    )
    review = Agent.objects.create(agent_type="corporate", authorized_name="Partisan Review")
    surrealism = Subject.objects.create(term="Surrealism", source="lcsh")
    headers = ["Title", "Creator", "Name as subject", "Subject", "Place"]
    rows = [
        ["a", "Serge, Victor, 1890-1947; Partisan Review", "Trotsky, Leon", "Surrealism", "Mexico"],
        ["b", "Serge, Victor, 1890-1947", "Trotsky, Leon", "Surrealism; Exiles", ""],
    ]
    before_agents, before_subjects = Agent.objects.count(), Subject.objects.count()
    result = run(collection, rows, headers=headers)
    assert result.ok
    # Trotsky is new (once, for two rows); Exiles and Mexico are new subjects.
    assert Agent.objects.count() == before_agents + 1
    assert Subject.objects.count() == before_subjects + 2
    assert (result.agents_matched, result.agents_created) == (2, 1)
    assert (result.subjects_matched, result.subjects_created) == (1, 2)
    a = collection.components.get(title="a")
    assert list(a.agent_links.values_list("agent__authorized_name", "role")) == [
        ("Serge, Victor, 1890-1947", "creator"),
        ("Partisan Review", "creator"),
        ("Trotsky, Leon", "subject"),
    ]
    assert AgentLink.objects.filter(agent=serge).count() == 2
    assert AgentLink.objects.filter(agent=review).count() == 1
    assert SubjectLink.objects.filter(subject=surrealism).count() == 2
    assert Subject.objects.get(term="Mexico").subject_type == "geographic"


def test_boxes_are_shared_with_those_already_in_the_collection(collection):
    run(collection, [["a", "4", "1"]], headers=["Title", "Box", "Folder"])
    run(collection, [["b", "4", "2"], ["c", "5", ""]], headers=["Title", "Box", "Folder"])
    assert sorted(collection.containers.values_list("indicator", flat=True)) == ["4", "5"]


def test_one_history_entry_for_the_job_and_the_collection_is_marked_changed(collection):
    root = collection.components.get(depth=1)
    before = root.history.count()
    stamp = collection.content_changed
    result = run(collection, [["a"], ["b"], ["c"]], headers=["Title"])
    assert result.ok
    assert root.history.count() == before + 1
    assert root.history.first().history_change_reason == "Spreadsheet inv.xlsx: added 3 components"
    collection.refresh_from_db()
    assert collection.content_changed > stamp


def test_published_rows_are_found_by_search_at_once_and_drafts_are_not(collection):
    collection.components.filter(depth__lte=2).update(published=True)
    result = run(
        collection,
        [["Kibalchich family letters", "Yes"], ["Kibalchich draft notes", "No"]],
        headers=["Title", "Published"],
    )
    assert result.ok
    hits = search(query="Kibalchich", filters={}).hits
    assert [hit.unit.title for hit in hits] == ["Kibalchich family letters"]


def test_dry_run_reports_what_would_be_created_and_saves_nothing(collection):
    before = counts()
    result = run(
        collection,
        [["a", "Newname, A."], ["b", "Newname, A."]],
        headers=["Title", "Creator"],
        dry_run=True,
    )
    assert result.ok and result.dry_run
    assert (result.created, result.agents_created) == (2, 1)
    assert [u.title for u in result.units] == ["a", "b"]
    assert counts() == before
    assert "would add 2 components" in result.summary()


def test_ten_thousand_rows_import_in_one_go(collection):
    rows = [["Series", f"Series {s}", "", "", "", "", "", f"S{s}"] for s in range(1, 11)]
    for s in range(1, 11):
        rows += [
            ["File", f"File {s}.{f}", "1936", "1947", str(f // 20 + 1), str(f), f"S{s}", ""]
            for f in range(1, 1000)
        ]
    result = run(collection, rows)
    assert result.ok, result.problems[:3]
    assert result.created == 10_000
    assert collection.components.count() == 3 + 10_000
    assert tree_problems() == []
