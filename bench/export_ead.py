"""Benchmark: EAD export speed and memory, against bare lxml serialisation of the same stream.

Imports the largest well-formed corpus files (by file size) and generated finding aids of
10,000 and 100,000 components into a throwaway database, then exports each collection in both
formats and prints: components, seconds, components per second, peak RSS, and the ratio of
the export time to a baseline measured in the same process: the very same record stream
(``archive.exchange.stream.collection_records``, database reads included) serialised with bare
``lxml.etree.xmlfile``, one minimal element per record. The ratio is thus what the EAD
writers cost above reading the data and writing *some* XML. "records s" is the stream alone.

Run it once per database; DATABASE_URL decides which:

    .venv/bin/python bench/export_ead.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fonds .venv/bin/python bench/export_ead.py

SQLite uses a temporary file; PostgreSQL a database named ``fonds_bench_export`` (created,
migrated, dropped at the end). Every export runs in a fresh child process, so peak RSS is
that export's own: compare the 10k and 100k rows to see that memory does not grow with the
collection. Options: ``--components N`` (largest generated size), ``--corpus-files K``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402 - the bench folder is not a package
    Column,
    CountingSink,
    Table,
    child_env,
    database_setup,
    django_setup,
    largest_corpus_files,
    load_average,
    migrate,
    peak_rss_mb,
    run_child,
)

BENCH_DB = "fonds_bench_export"


def child_import(path: Path) -> None:
    django_setup()
    from archive.services.imports import ead_import

    started = time.perf_counter()
    result = ead_import(source=path, filename=path.name, replace=True)
    print(
        json.dumps(
            {
                "collection_id": result.collection_id,
                "components": result.components,
                "seconds": time.perf_counter() - started,
            }
        )
    )


def bare_lxml_seconds(collection: object) -> tuple[float, float]:
    """(seconds to stream the records, seconds to stream and write them with bare lxml)."""
    from lxml import etree

    from archive.ead import records as r
    from archive.exchange.stream import collection_records

    started = time.perf_counter()
    for _ in collection_records(collection=collection, include_unpublished=True):
        pass
    stream = time.perf_counter() - started

    started = time.perf_counter()
    with etree.xmlfile(CountingSink(), encoding="utf-8") as xf:
        with xf.element("records"):
            for record in collection_records(collection=collection, include_unpublished=True):
                if isinstance(record, r.Unit):
                    element = etree.Element("unit", depth=str(record.depth))
                    element.text = record.title_text
                else:
                    element = etree.Element("record")
                xf.write(element)
    return stream, time.perf_counter() - started


def child_export(collection_id: int, fmt: str) -> None:
    django_setup()
    from archive.models import Collection
    from archive.services.exports import collection_export

    collection = Collection.objects.select_related("repository").get(pk=collection_id)
    sink = CountingSink()
    started = time.perf_counter()
    result = collection_export(collection=collection, fmt=fmt, out=sink, include_unpublished=True)
    seconds = time.perf_counter() - started
    rss = peak_rss_mb()  # before the baseline runs, so it is the export's own peak
    stream, baseline = bare_lxml_seconds(collection)
    print(
        json.dumps(
            {
                "components": result.components,
                "seconds": seconds,
                "bytes": sink.bytes,
                "peak_rss_mb": rss,
                "stream_seconds": stream,
                "baseline_seconds": baseline,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child-import", help=argparse.SUPPRESS)
    parser.add_argument("--child-export", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--components", type=int, default=100_000)
    parser.add_argument("--corpus-files", type=int, default=3)
    args = parser.parse_args()
    if args.child_import:
        child_import(Path(args.child_import))
        return
    if args.child_export:
        child_export(int(args.child_export[0]), args.child_export[1])
        return

    vendor, cleanup = database_setup(BENCH_DB)
    env = child_env()
    work = Path(tempfile.mkdtemp(prefix="fonds-bench-export-files-"))
    try:
        migrate(env)
        from archive.ead.testing import generate_finding_aid

        sizes = sorted({min(10_000, args.components), args.components})
        generated = []
        for size in sizes:
            path = work / f"generated-{size}.xml"
            generate_finding_aid(path, components=size)
            generated.append(path)
        files = [*largest_corpus_files(args.corpus_files), *generated]

        print(
            f"EAD export benchmark on {vendor} (each export in a fresh process; "
            f"load average {load_average()})"
        )
        table = Table(
            [
                Column("file", 30),
                Column("format", 7),
                Column("components", 10, ","),
                Column("seconds", 8, ".2f"),
                Column("comp/s", 8, ",.0f"),
                Column("MB out", 7, ".1f"),
                Column("RSS MB", 7, ".0f"),
                Column("records s", 9, ".2f"),
                Column("writer s", 8, ".2f"),
                Column("bare lxml s", 11, ".2f"),
                Column("ratio", 6, ".1f"),
            ]
        )
        table.header()
        for path in files:
            loaded = run_child(__file__, env, "--child-import", str(path))
            for fmt in ("ead2002", "ead3"):
                row = run_child(__file__, env, "--child-export", str(loaded["collection_id"]), fmt)
                rate = row["components"] / row["seconds"] if row["seconds"] else 0.0
                ratio = row["seconds"] / row["baseline_seconds"] if row["baseline_seconds"] else 0
                table.row(
                    path.name,
                    fmt,
                    row["components"],
                    row["seconds"],
                    rate,
                    row["bytes"] / 1e6,
                    row["peak_rss_mb"],
                    row["stream_seconds"],
                    row["seconds"] - row["stream_seconds"],
                    row["baseline_seconds"],
                    ratio,
                )
        print(
            "seconds = staff export (everything) to a byte counter; records s = reading the "
            "record stream alone; writer s = seconds - records s (the EAD writer's share); "
            "bare lxml s = the same stream written as one minimal element per record with "
            "etree.xmlfile; ratio = seconds / bare lxml s"
        )
        print(f"load average at the end: {load_average()} (figures are wall-clock)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        cleanup()


if __name__ == "__main__":
    main()
