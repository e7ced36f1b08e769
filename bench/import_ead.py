"""Benchmark: EAD import speed and memory, against lxml's own parsing cost.

Imports the three largest well-formed files of the corpus and a generated finding aid of
100,000 components into a throwaway database, and prints for each: components, seconds,
components per second, the part of those seconds spent updating the search index, peak RSS,
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
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "fonds_bench"


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


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


def child(path: Path) -> None:
    """Import one file (in a fresh process) and print its figures as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
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
            return real_reindex(collection_id)
        finally:
            reindex["seconds"] += time.perf_counter() - started

    imports.search_index.reindex_collection = timed_reindex  # type: ignore[assignment]
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


def database_setup() -> tuple[str, object]:
    """Point DATABASE_URL at a throwaway database; return (vendor, cleanup function)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))

        def drop() -> None:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")

        return "postgresql", drop
    folder = tempfile.mkdtemp(prefix="fonds-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"

    def remove() -> None:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)

    return "sqlite", remove


def largest_corpus_files(count: int) -> list[Path]:
    import csv

    corpus = Path(
        os.environ.get("FONDS_CORPUS_DIR", ROOT.parent / "shared" / "corpus" / "ead")
    ).resolve()
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    well_formed = [
        corpus / row["file"]
        for row in rows
        if "not well-formed" not in row["validates_against_xsd"] and (corpus / row["file"]).exists()
    ]
    return sorted(well_formed, key=lambda p: p.stat().st_size, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--components", type=int, default=100_000)
    parser.add_argument("--corpus-files", type=int, default=3)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child))
        return

    vendor, cleanup = database_setup()
    env = {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1")}
    work = Path(tempfile.mkdtemp(prefix="fonds-bench-files-"))
    try:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True
        )
        sys.path.insert(0, str(ROOT))
        from archive.ead.testing import generate_finding_aid

        generated = work / f"generated-{args.components}.xml"
        generate_finding_aid(generated, components=args.components)
        files = [*largest_corpus_files(args.corpus_files), generated]

        print(f"EAD import benchmark on {vendor} (each file in a fresh process)")
        header = (
            f"{'file':<34} {'MB':>6} {'components':>10} {'seconds':>8} {'comp/s':>8} "
            f"{'read s':>7} {'load s':>7} {'index s':>8} {'RSS MB':>7} {'iterparse s':>11} "
            f"{'ratio':>6}"
        )
        print(header)
        print("-" * len(header))
        for path in files:
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(path)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            row = json.loads(out.strip().splitlines()[-1])
            rate = row["components"] / row["seconds"] if row["seconds"] else 0.0
            ratio = row["seconds"] / row["iterparse_seconds"] if row["iterparse_seconds"] else 0
            # The loader's own share: the import minus reading the file and indexing it.
            load = row["seconds"] - row["read_seconds"] - row["index_seconds"]
            print(
                f"{row['file'][:34]:<34} {row['megabytes']:>6.1f} {row['components']:>10,} "
                f"{row['seconds']:>8.2f} {rate:>8,.0f} {row['read_seconds']:>7.2f} "
                f"{load:>7.2f} {row['index_seconds']:>8.2f} "
                f"{row['peak_rss_mb']:>7.0f} {row['iterparse_seconds']:>11.3f} {ratio:>5.1f}x"
            )
        print(
            "seconds = whole import in one transaction; read s = the EAD reader alone (measured "
            "apart); load s = seconds - read s - index s (the loader's share); index s = the "
            "search index part; ratio = seconds / bare iterparse seconds"
        )
    finally:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
        cleanup()


if __name__ == "__main__":
    main()
