"""``spreadsheet_template``, ``import_spreadsheet`` and ``export_spreadsheet``."""

from __future__ import annotations

import csv

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.factories import outline
from tests.sheets.conftest import xlsx_bytes

pytestmark = pytest.mark.django_db


def test_import_prints_what_it_did(collection, tmp_path, capsys):
    path = tmp_path / "inv.xlsx"
    path.write_bytes(xlsx_bytes([["Title", "Parent"], ["Letters to Gide", "ser1"]]))
    call_command("import_spreadsheet", "gen-mss-238", str(path))
    out = capsys.readouterr().out
    assert "inv.xlsx: added 1 components" in out
    assert outline(collection)[-1] == (3, "Letters to Gide")


def test_import_lists_every_problem_and_fails_with_nothing_saved(collection, tmp_path, capsys):
    path = tmp_path / "inv.csv"
    path.write_text("Title,End\nA,1993-02-30\n,\nB,1990-13\n", encoding="utf-8")
    with pytest.raises(CommandError, match="inv.csv: 2 problems; nothing was saved"):
        call_command("import_spreadsheet", "gen-mss-238", str(path))
    err = capsys.readouterr().err
    assert "CSV, row 2, column End: 1993-02-30 is not a date" in err
    assert "CSV, row 4, column End: 1990-13 is not a date" in err
    assert len(outline(collection)) == 2


def test_dry_run_and_under(collection, tmp_path, capsys):
    path = tmp_path / "inv.csv"
    path.write_text("Title\nPostcards\n", encoding="utf-8")
    call_command("import_spreadsheet", "gen-mss-238", str(path), "--under", "ser1", "--dry-run")
    assert "would add 1 components" in capsys.readouterr().out
    assert len(outline(collection)) == 2
    call_command("import_spreadsheet", "gen-mss-238", str(path), "--under", "Series I")
    assert outline(collection)[-1] == (3, "Postcards")


def test_unknown_collection_file_or_component_is_a_clear_error(collection, tmp_path):
    path = tmp_path / "inv.csv"
    path.write_text("Title\nx\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no collection with the EAD id 'nope'"):
        call_command("import_spreadsheet", "nope", str(path))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_spreadsheet", "gen-mss-238", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="gen-mss-238 has no component 'zz'"):
        call_command("import_spreadsheet", "gen-mss-238", str(path), "--under", "zz")


def test_export_and_template(collection, tmp_path):
    out = tmp_path / "out.csv"
    call_command("export_spreadsheet", "gen-mss-238", "--format", "csv", "--output", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [(r["Title"], r["Machine id"]) for r in rows] == [
        ("Correspondence", "ser1"),
        ("Letters, 1936", "f1"),
    ]
    template = tmp_path / "t.xlsx"
    call_command("spreadsheet_template", "--output", str(template))
    assert load_workbook(template).sheetnames == ["Components", "Explanation"]
