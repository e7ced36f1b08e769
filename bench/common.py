"""Helpers shared by the EAD benchmarks (``bench/import_ead.py``, ``bench/export_ead.py``).

A benchmark runs in two kinds of process: the parent sets up a throwaway database
(:func:`database_setup`), migrates it and starts one child process per measurement
(:func:`run_child`), so that each child's peak RSS (:func:`peak_rss_mb`) is that
measurement's own; the child calls :func:`django_setup` and prints one JSON line of figures.
The parent prints them with :class:`Table`.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def load_average() -> str:
    """The 1/5/15-minute load: wall-clock figures of a busy machine are not comparable."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (``ru_maxrss``: kB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


@contextmanager
def timer() -> Iterator[dict[str, float]]:
    """``with timer() as t: ...`` then ``t["seconds"]``: wall-clock time of the block."""
    result = {"seconds": 0.0}
    started = time.perf_counter()
    try:
        yield result
    finally:
        result["seconds"] = time.perf_counter() - started


def django_setup() -> None:
    """Configure Django in a child process (settings refuse to start without DJANGO_DEBUG
    or a secret key; a benchmark needs neither)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()


def database_setup(name: str) -> tuple[str, Callable[[], None]]:
    """Point DATABASE_URL at a throwaway database; return (vendor, cleanup function).

    With a PostgreSQL DATABASE_URL, database ``name`` on the same server is dropped,
    created, and dropped again by the cleanup; otherwise a SQLite file in a temporary folder.
    """
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))

        def drop() -> None:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

        return "postgresql", drop
    folder = tempfile.mkdtemp(prefix=f"{name}-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    return "sqlite", lambda: shutil.rmtree(folder, ignore_errors=True)


def child_env() -> dict[str, str]:
    return {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1")}


def migrate(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True)


def run_child(script: str | Path, env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run ``script *args`` in a fresh process and return the JSON of its last output line."""
    out = subprocess.run(
        [sys.executable, str(script), *args], env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def largest_corpus_files(count: int) -> list[Path]:
    """The ``count`` largest well-formed corpus files, by size on disk (FONDS_CORPUS_DIR, else
    ``../shared/corpus/ead``)."""
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


class CountingSink:
    """A binary file-like that only counts what is written: benchmarks of writing measure
    the writer, not the disk."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, data: bytes) -> int:
        self.bytes += len(data)
        return len(data)

    def flush(self) -> None:
        pass


@dataclass(frozen=True)
class Column:
    """One column of a :class:`Table`: title, width, and a format spec for its values."""

    title: str
    width: int
    spec: str = ""  # e.g. ",.0f"; "" for text (left-aligned, cut to the width)


class Table:
    """Prints a fixed-width table row by row (benchmarks print as they go)."""

    def __init__(self, columns: list[Column]) -> None:
        self.columns = columns

    def header(self) -> None:
        line = " ".join(
            f"{c.title:<{c.width}}" if not c.spec else f"{c.title:>{c.width}}" for c in self.columns
        )
        print(line)
        print("-" * len(line), flush=True)

    def row(self, *values: Any) -> None:
        cells = []
        for column, value in zip(self.columns, values, strict=True):
            if not column.spec:
                cells.append(f"{str(value)[: column.width]:<{column.width}}")
            else:
                cells.append(f"{value:>{column.width}{column.spec}}")
        print(" ".join(cells), flush=True)
