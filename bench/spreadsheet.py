"""Spreadsheet import and export speed: rows/s and peak memory, beside the EAD import of the
same components measured in the same run.

    .venv/bin/python bench/spreadsheet.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fonds .venv/bin/python bench/spreadsheet.py

A sheet of FONDS_BENCH_ROWS rows (default 10,000: 100 series of 99 files each, with dates,
box and folder, a scope note, a creator and two subjects drawn from small pools) is written
as XLSX and CSV, and the same components as an EAD 2002 file. Each measurement runs in its
own process (its peak RSS is its own) against a throwaway database (SQLite in a temporary
folder, or ``<DATABASE_URL's server>/fonds_bench_sheet``):

- read: the XLSX read into rows (no database);
- check: read and plan (dry run: every row checked, nothing written);
- import xlsx / import csv: the whole import, one transaction, search index included;
- import EAD (baseline): ``ead_import`` of the same components;
- export xlsx: the collection written back out.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    Column,
    Table,
    child_env,
    database_setup,
    django_setup,
    load_average,
    migrate,
    peak_rss_mb,
    run_child,
)

ROWS = int(os.environ.get("FONDS_BENCH_ROWS", "10000"))
HEADERS = [
    "Level",
    "Title",
    "Date",
    "Begin",
    "End",
    "Box",
    "Folder",
    "Parent",
    "Identifier",
    "Scope and content",
    "Creator",
    "Subject",
    "Published",
]
NAMES = [f"Correspondent {i}, {1850 + i}-{1920 + i}" for i in range(200)]
TOPICS = [f"Topic {i}" for i in range(100)]


def sheet_rows() -> list[list[str]]:
    """The bench sheet: series of 99 files, hierarchy by Parent."""
    rows: list[list[str]] = []
    series = 0
    while len(rows) < ROWS:
        series += 1
        ident = f"S{series}"
        rows.append(
            [
                "Series",
                f"Series {series}",
                f"{1900 + series % 40}-1947",
                str(1900 + series % 40),
                "1947",
                "",
                "",
                "",
                ident,
                f"Papers of the series {series}.",
                NAMES[series % 200],
                TOPICS[series % 100],
                "Yes",
            ]
        )
        for f in range(1, 100):
            if len(rows) >= ROWS:
                break
            year = 1900 + (series + f) % 80
            rows.append(
                [
                    "File",
                    f"Letters {series}.{f} from friends",
                    str(year),
                    str(year),
                    str(year),
                    str((series * 99 + f) // 20 + 1),
                    str(f % 20 + 1),
                    ident,
                    "",
                    f"Letters about café life and politics, file {f} (“{series}”).",
                    NAMES[(series + f) % 200],
                    f"{TOPICS[f % 100]}; {TOPICS[(f * 7) % 100]}",
                    "Yes",
                ]
            )
    return rows


def write_files(folder: Path) -> dict[str, Path]:
    from openpyxl import Workbook

    rows = sheet_rows()
    book = Workbook(write_only=True)
    ws = book.create_sheet("Components")
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    paths = {
        "xlsx": folder / "bench.xlsx",
        "csv": folder / "bench.csv",
        "ead": folder / "bench.xml",
    }
    book.save(paths["xlsx"])
    import csv

    with paths["csv"].open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    paths["ead"].write_text(ead_text(rows), encoding="utf-8")
    return paths


def ead_text(rows: list[list[str]]) -> str:
    """The same components as an EAD 2002 finding aid."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<ead xmlns="urn:isbn:1-931666-22-9">'
        "<eadheader><eadid>bench-ead</eadid><filedesc><titlestmt><titleproper>Bench"
        '</titleproper></titlestmt></filedesc></eadheader><archdesc level="collection">'
        "<did><unittitle>Bench</unittitle></did><dsc>"
    ]
    open_series = False
    for level, title, date, begin, end, box, folder, _, ident, scope, creator, subjects, _ in rows:
        if level == "Series" and open_series:
            parts.append("</c01>")
        tag = "c01" if level == "Series" else "c02"
        did = [
            f"<unittitle>{escape(title)}</unittitle>",
            f'<unitdate normal="{begin}/{end}">{escape(date)}</unitdate>',
        ]
        if ident:
            did.append(f"<unitid>{escape(ident)}</unitid>")
        if box:
            did.append(
                f'<container type="box">{box}</container>'
                f'<container type="folder">{folder}</container>'
            )
        did.append(f"<origination><persname>{escape(creator)}</persname></origination>")
        access = "".join(f"<subject>{escape(s.strip())}</subject>" for s in subjects.split(";"))
        body = (
            f'<{tag} level="{level.lower()}"><did>{"".join(did)}</did>'
            f"<scopecontent><p>{escape(scope)}</p></scopecontent>"
            f"<controlaccess>{access}</controlaccess>"
        )
        if level == "Series":
            parts.append(body)
            open_series = True
        else:
            parts.append(body + "</c02>")
    if open_series:
        parts.append("</c01>")
    parts.append("</dsc></archdesc></ead>")
    return "".join(parts)


# --------------------------------------------------------------------------- child


def child(kind: str, path: str) -> None:
    django_setup()
    from django.db import connection

    from archive.models import Collection, Component, Repository

    repository, _ = Repository.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    started = time.perf_counter()
    rows = 0
    if kind == "read":
        from archive.sheets.reading import sheet_read

        rows = len(sheet_read(Path(path), filename="bench.xlsx").rows)
    elif kind == "ead":
        from archive.services.imports import ead_import

        result = ead_import(source=path, repository=repository, replace=True)
        assert result.ok, result.error
        rows = result.components
    elif kind.startswith(("import", "check")):
        from archive import tree
        from archive.services.spreadsheets import spreadsheet_import

        ead_id = f"bench-{kind}-{time.time_ns()}"
        collection = Collection.objects.create(repository=repository, ead_id=ead_id)
        tree.lock_root_allocation()
        Component.objects.add_root(instance=Component(collection=collection, title="Bench"))
        started = time.perf_counter()
        result = spreadsheet_import(
            collection=collection,
            source=Path(path),
            filename=Path(path).name,
            dry_run=kind == "check",
        )
        assert result.ok, [str(p) for p in result.problems[:5]]
        rows = result.created
    elif kind == "export":
        from archive.services.spreadsheets import spreadsheet_export

        collection = Collection.objects.filter(ead_id__startswith="bench-import").first()
        assert collection is not None
        sink = io.BytesIO()
        rows = spreadsheet_export(collection=collection, out=sink, file_format="xlsx")
    seconds = time.perf_counter() - started
    connection.close()
    print(json.dumps({"rows": rows, "seconds": seconds, "rss": peak_rss_mb()}))


def main() -> None:
    vendor, cleanup = database_setup("fonds_bench_sheet")
    env = child_env()
    try:
        migrate(env)
        with tempfile.TemporaryDirectory() as folder:
            paths = write_files(Path(folder))
            print(f"{vendor}; {ROWS:,} rows; load average {load_average()}")
            table = Table(
                [
                    Column("measurement", 28),
                    Column("rows", 8, ",d"),
                    Column("seconds", 8, ".2f"),
                    Column("rows/s", 9, ",.0f"),
                    Column("peak MB", 8, ".0f"),
                ]
            )
            table.header()
            for label, kind, path in [
                ("read xlsx (no database)", "read", paths["xlsx"]),
                ("check xlsx (dry run)", "check", paths["xlsx"]),
                ("import EAD (baseline)", "ead", paths["ead"]),
                ("import xlsx", "import-xlsx", paths["xlsx"]),
                ("import csv", "import-csv", paths["csv"]),
                ("export xlsx", "export", paths["xlsx"]),
            ]:
                try:
                    figures = run_child(__file__, env, "--child", kind, str(path))
                except subprocess.CalledProcessError as exc:
                    print(exc.stderr, file=sys.stderr)
                    raise
                rate = figures["rows"] / figures["seconds"] if figures["seconds"] else 0.0
                table.row(label, figures["rows"], figures["seconds"], rate, figures["rss"])
    finally:
        cleanup()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
