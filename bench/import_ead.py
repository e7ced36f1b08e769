"""Benchmark: EAD import speed and memory, against lxml's own parsing cost.

Imports the three largest well-formed files of the corpus and a generated finding aid of
100,000 components into a throwaway database, and prints for each: components, seconds,
components per second, the part of those seconds spent rebuilding the search index after the
load (only for files whose index rows could not be written during it), peak RSS,
and the ratio of the import time to a bare ``lxml.etree.iterparse`` pass over the same file
measured in the same run (how far above the parser's own cost the import runs).

Run it once per database; DATABASE_URL decides which:

    .venv/bin/python bench/import_ead.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fonds .venv/bin/python bench/import_ead.py

SQLite uses a temporary file; PostgreSQL a database named ``fonds_bench`` on the same server
(created, migrated, dropped at the end). Each file is imported in a fresh child process, so
peak RSS is that file's own. Options: ``--components N`` for the generated file,
``--corpus-files K`` for how many corpus files.
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

BENCH_DB = "fonds_bench"


def iterparse_seconds(path: Path) -> float:
    """A bare streaming parse: every end event, elements cleared as the importer's reader
    does (otherwise the baseline would build the whole tree)."""
    from lxml import etree

    started = time.perf_counter()
    for _, element in etree.iterparse(
        str(path), events=("end",), resolve_entities=False, no_network=True, load_dtd=False
    ):
        element.clear(keep_tail=True)
    return time.perf_counter() - started


def child(path: Path, *, read_ahead: bool | None = None, with_index: bool = True) -> None:
    """Import one file (in a fresh process) and print its figures as JSON."""
    django_setup()
    from archive.ead.reader import read_ead
    from archive.search import index
    from archive.services import imports

    baseline = iterparse_seconds(path)
    started = time.perf_counter()
    for _ in read_ead(str(path), filename=path.name):
        pass
    read_seconds = time.perf_counter() - started
    reindex = {"seconds": 0.0}
    real_reindex = index.reindex_collection

    def timed_reindex(collection_id: int) -> int:
        started = time.perf_counter()
        try:
            return real_reindex(collection_id) if with_index else 0
        finally:
            reindex["seconds"] += time.perf_counter() - started

    imports.search_index.reindex_collection = timed_reindex  # type: ignore[assignment]
    if not with_index:
        from archive.exchange.load import EADLoader

        EADLoader.write_index_rows = lambda self, **kw: None  # type: ignore[method-assign]
    imports.READ_AHEAD = read_ahead
    started = time.perf_counter()
    result = imports.ead_import(source=path, filename=path.name, replace=True)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "file": path.name,
                "megabytes": path.stat().st_size / 1e6,
                "components": result.components,
                "seconds": seconds,
                "index_seconds": reindex["seconds"],
                "read_seconds": read_seconds,
                "iterparse_seconds": baseline,
                "peak_rss_mb": peak_rss_mb(),
                "warnings": len(result.warnings),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--components", type=int, default=100_000)
    parser.add_argument("--corpus-files", type=int, default=3)
    parser.add_argument(
        "--read-ahead",
        choices=["auto", "on", "off"],
        default="auto",
        help="read the file in a helper thread while loading (imports.READ_AHEAD; "
        "auto: as an import does, on PostgreSQL only)",
    )
    parser.add_argument(
        "--no-index",
        action="store_true",
        help="leave the search index out (to measure reading and loading alone)",
    )
    args = parser.parse_args()
    if args.child:
        read_ahead = {"auto": None, "on": True, "off": False}[args.read_ahead]
        child(Path(args.child), read_ahead=read_ahead, with_index=not args.no_index)
        return

    vendor, cleanup = database_setup(BENCH_DB)
    env = child_env()
    work = Path(tempfile.mkdtemp(prefix="fonds-bench-files-"))
    try:
        migrate(env)
        from archive.ead.testing import generate_finding_aid

        generated = work / f"generated-{args.components}.xml"
        generate_finding_aid(generated, components=args.components)
        files = [*largest_corpus_files(args.corpus_files), generated]

        mode = f", read-ahead {args.read_ahead}"
        mode += ", without the search index" if args.no_index else ""
        print(f"EAD import benchmark on {vendor} (each file in a fresh process{mode})")
        print(f"load average before: {load_average()}")
        table = Table(
            [
                Column("file", 34),
                Column("MB", 6, ".1f"),
                Column("components", 10, ","),
                Column("seconds", 8, ".2f"),
                Column("comp/s", 8, ",.0f"),
                Column("read s", 7, ".2f"),
                Column("load s", 7, ".2f"),
                Column("reindex s", 9, ".2f"),
                Column("RSS MB", 7, ".0f"),
                Column("iterparse s", 11, ".3f"),
                Column("ratio", 6, ".1f"),
            ]
        )
        table.header()
        for path in files:
            more = ["--read-ahead", args.read_ahead]
            more += ["--no-index"] if args.no_index else []
            row = run_child(__file__, env, "--child", str(path), *more)
            rate = row["components"] / row["seconds"] if row["seconds"] else 0.0
            ratio = row["seconds"] / row["iterparse_seconds"] if row["iterparse_seconds"] else 0
            # The loader's own share: the import minus reading the file and indexing it (with
            # reading overlapped with loading this is a lower bound of the loader's work).
            load = row["seconds"] - row["read_seconds"] - row["index_seconds"]
            table.row(
                row["file"],
                row["megabytes"],
                row["components"],
                row["seconds"],
                rate,
                row["read_seconds"],
                load,
                row["index_seconds"],
                row["peak_rss_mb"],
                row["iterparse_seconds"],
                ratio,
            )
        print(
            "seconds = whole import in one transaction; read s = the EAD reader alone (measured "
            "apart); load s = seconds - read s - reindex s (the loader's share, search index rows "
            "included: they are written with each batch); reindex s = a rebuild of the index after "
            "the load, for a file whose index rows could not be written during it (description "
            "after child components); ratio = seconds / bare iterparse seconds"
        )
        print(f"load average after: {load_average()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        cleanup()


if __name__ == "__main__":
    main()
