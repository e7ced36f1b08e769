"""Benchmark: EAD 2002 <-> EAD3 conversion (``python -m archive.ead convert``), no database.

Measures what ``convert`` does to a file, phase by phase: reading and writing the other
version ("convert s"), validating the output against the target schema ("validate s"), and,
separately, counting the words of input and output as ``--check-words`` does ("words s").
Beside it, in the same process, a baseline: bare lxml parsing the same input into a tree and
serialising it again ("bare lxml s"); "ratio" = (convert s + validate s) / bare lxml s.

Inputs: every well-formed corpus file (one row per direction: the 2002 files to EAD3, the
EAD3 files to EAD 2002, as the command's default does), and a generated finding aid of
100,000 components (``archive.ead.testing.generate_finding_aid``) converted to EAD3, then that
output converted back to EAD 2002. Each row runs in a fresh process, so "RSS MB" is the peak
of that row's conversion and validation (measured before the words and the baseline run).

    .venv/bin/python bench/convert.py [--components N]

Figures are wall-clock on a shared machine: compare the ratio, not the seconds, between runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402 - the bench folder is not a package
    ROOT,
    Column,
    CountingSink,
    Table,
    largest_corpus_files,
    load_average,
    peak_rss_mb,
    run_child,
)


def child(files: list[Path]) -> None:
    """Convert ``files`` to the other version, as the command does; print one JSON line."""
    from lxml import etree

    from archive.ead.cli import WRITERS, Conversion, _write
    from archive.ead.parsing import SAFE_PARSER_OPTIONS
    from archive.ead.schemas import SchemaSet
    from archive.ead.words import document_words

    schemas = SchemaSet.find()
    started = time.perf_counter()
    schemas.check_available(*(schemas.xsd_for(v) for v in WRITERS))
    compile_seconds = time.perf_counter() - started

    work = Path(tempfile.mkdtemp(prefix="fonds-bench-convert-"))
    totals = {"files": 0, "components": 0, "convert": 0.0, "validate": 0.0, "invalid": 0}
    outputs: list[Path] = []
    versions: set[str] = set()
    try:
        for path in files:
            output = work / path.name
            result = Conversion(name=path.name)
            started = time.perf_counter()
            with output.open("wb") as out:
                ok = _write(path, out, result, target=None)
            totals["convert"] += time.perf_counter() - started
            if not ok:
                raise SystemExit(f"{path.name}: {result.problem}")
            assert result.source_version and result.target_version
            versions.add(f"{result.source_version}->{result.target_version}")
            started = time.perf_counter()
            report = schemas.validate_as(output, result.target_version)
            totals["validate"] += time.perf_counter() - started
            totals["invalid"] += not report.valid
            totals["files"] += 1
            totals["components"] += result.components
            outputs.append(output)
        rss = peak_rss_mb()  # conversion and validation only

        started = time.perf_counter()
        for path, output in zip(files, outputs, strict=True):
            document_words(path)
            document_words(output)
        words_seconds = time.perf_counter() - started

        parser = etree.XMLParser(**SAFE_PARSER_OPTIONS)
        started = time.perf_counter()
        for path in files:
            etree.parse(str(path), parser).write(CountingSink(), encoding="utf-8")
        baseline = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        json.dumps(
            {
                **totals,
                "versions": ", ".join(sorted(versions)),
                "peak_rss_mb": rss,
                "words": words_seconds,
                "baseline": baseline,
                "compile": compile_seconds,
            }
        )
    )


def corpus_by_version() -> dict[str, list[Path]]:
    """The well-formed corpus files, grouped by their EAD version ("2002" / "3")."""
    from archive.ead.schemas import SchemaSet

    schemas = SchemaSet.find()
    groups: dict[str, list[Path]] = {"2002": [], "3": []}
    for path in sorted(largest_corpus_files(10_000)):
        report = schemas.validate_file(path)  # detects the version from the document
        groups[report.version or "2002"].append(path)
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--components", type=int, default=100_000)
    args = parser.parse_args()
    if args.child:
        child([Path(p) for p in args.child])
        return

    sys.path.insert(0, str(ROOT))
    from archive.ead.testing import generate_finding_aid

    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    work = Path(tempfile.mkdtemp(prefix="fonds-bench-convert-files-"))
    try:
        generated = Path(
            generate_finding_aid(
                work / f"generated-{args.components}.xml", components=args.components
            )
        )
        # the generated file converted once to EAD3, as the input of the EAD3 -> 2002 row
        generated3 = work / f"generated-{args.components}-ead3.xml"
        from archive.ead import read_ead, write_ead3

        write_ead3(read_ead(generated), generated3, include_unpublished=True)

        groups = corpus_by_version()
        rows = [
            (f"corpus EAD 2002 ({len(groups['2002'])} files)", groups["2002"]),
            (f"corpus EAD3 ({len(groups['3'])} files)", groups["3"]),
            (generated.name, [generated]),
            (generated3.name, [generated3]),
        ]
        print(f"EAD conversion benchmark, no database (load average {load_average()})")
        table = Table(
            [
                Column("input", 30),
                Column("direction", 9),
                Column("files", 5, ","),
                Column("components", 10, ","),
                Column("convert s", 9, ".2f"),
                Column("validate s", 10, ".2f"),
                Column("files/s", 8, ",.2f"),
                Column("comp/s", 8, ",.0f"),
                Column("RSS MB", 6, ".0f"),
                Column("words s", 7, ".2f"),
                Column("bare lxml s", 11, ".2f"),
                Column("ratio", 5, ".1f"),
                Column("invalid", 7, ","),
            ]
        )
        table.header()
        compile_seconds = 0.0
        for label, files in rows:
            row = run_child(__file__, env, "--child", *map(str, files))
            compile_seconds = row["compile"]
            seconds = row["convert"] + row["validate"]
            table.row(
                label,
                row["versions"].replace("2002", "02"),
                row["files"],
                row["components"],
                row["convert"],
                row["validate"],
                row["files"] / seconds if seconds else 0.0,
                row["components"] / seconds if seconds else 0.0,
                row["peak_rss_mb"],
                row["words"],
                row["baseline"],
                seconds / row["baseline"] if row["baseline"] else 0.0,
                row["invalid"],
            )
        print(
            "convert s = read + write the other version (to a file); validate s = the output "
            "against the target XSD, streamed; files/s and comp/s over convert s + validate s; "
            "RSS MB = peak of the process after converting and validating; words s = counting "
            "the words of input and output (--check-words); bare lxml s = etree.parse + write "
            "of the same inputs; ratio = (convert s + validate s) / bare lxml s; invalid = "
            "outputs the schema rejected"
        )
        print(
            f"compiling both XSDs once per process: {compile_seconds:.2f} s (not in the rows); "
            f"load average at the end: {load_average()}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
