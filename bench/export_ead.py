"""Benchmark: EAD export speed and memory, against bare lxml serialisation of the same stream.

Imports the largest well-formed corpus files (by file size) and generated finding aids of
10,000 and 100,000 components into a throwaway database, then exports each collection in both
formats and prints: components, seconds, components per second, peak RSS, and the ratio of
the export time to a baseline measured in the same process: the very same record stream
(``archive.streamer.collection_records``, database reads included) serialised with bare
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
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "fonds_bench_export"


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux, bytes on macOS
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


class CountingSink:
    """A binary file-like that only counts: the benchmark measures export, not the disk."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, data: bytes) -> int:
        self.bytes += len(data)
        return len(data)

    def flush(self) -> None:
        pass


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()


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
    from archive.streamer import collection_records

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
    folder = tempfile.mkdtemp(prefix="fonds-bench-export-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    return "sqlite", lambda: shutil.rmtree(folder, ignore_errors=True)


def largest_corpus_files(count: int) -> list[Path]:
    """The largest well-formed corpus files, by size on disk."""
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


def run_child(env: dict[str, str], *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args], env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


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

    vendor, cleanup = database_setup()
    env = {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1")}
    work = Path(tempfile.mkdtemp(prefix="fonds-bench-export-files-"))
    try:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True
        )
        from archive.ead.testing import generate_finding_aid

        sizes = sorted({min(10_000, args.components), args.components})
        generated = []
        for size in sizes:
            path = work / f"generated-{size}.xml"
            generate_finding_aid(path, components=size)
            generated.append(path)
        files = [*largest_corpus_files(args.corpus_files), *generated]

        print(f"EAD export benchmark on {vendor} (each export in a fresh process)")
        header = (
            f"{'file':<30} {'format':<7} {'components':>10} {'seconds':>8} {'comp/s':>8} "
            f"{'MB out':>7} {'RSS MB':>7} {'records s':>9} {'bare lxml s':>11} {'ratio':>6}"
        )
        print(header)
        print("-" * len(header))
        for path in files:
            loaded = run_child(env, "--child-import", str(path))
            for fmt in ("ead2002", "ead3"):
                row = run_child(env, "--child-export", str(loaded["collection_id"]), fmt)
                rate = row["components"] / row["seconds"] if row["seconds"] else 0.0
                ratio = row["seconds"] / row["baseline_seconds"] if row["baseline_seconds"] else 0
                print(
                    f"{path.name[:30]:<30} {fmt:<7} {row['components']:>10,} "
                    f"{row['seconds']:>8.2f} {rate:>8,.0f} {row['bytes'] / 1e6:>7.1f} "
                    f"{row['peak_rss_mb']:>7.0f} {row['stream_seconds']:>9.2f} "
                    f"{row['baseline_seconds']:>11.2f} {ratio:>5.1f}x",
                    flush=True,
                )
        print(
            "seconds = staff export (everything) to a byte counter; records s = reading the "
            "record stream alone; bare lxml s = the same stream written as one minimal element "
            "per record with etree.xmlfile; ratio = seconds / bare lxml s"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
        cleanup()


if __name__ == "__main__":
    main()
