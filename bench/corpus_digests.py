"""Export bytes of every corpus file, as digests: do two checkouts write the same files?

Imports each well-formed corpus file into a throwaway database and exports it in both formats,
staff and public, then prints one line per export: file, format, audience, size and a digest
of the bytes. A refactoring that keeps output bytes prints the same lines.

    .venv/bin/python bench/corpus_digests.py                    # this checkout
    .venv/bin/python bench/corpus_digests.py --against ../base  # and another, side by side

With ``--against DIR`` the same script runs in the other checkout (with this interpreter, so
both share the installed packages), and the table shows where the two differ; the exit status
is 1 if any export differs. DATABASE_URL chooses the database as for the other benchmarks.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402 - the bench folder is not a package
    ROOT,
    child_env,
    database_setup,
    django_setup,
    largest_corpus_files,
    load_average,
)

BENCH_DB = "fonds_bench_digests"
FORMATS = ("ead2002", "ead3")


def child(paths: list[str]) -> None:
    """Import and export each file; print one JSON line of digests at the end."""
    sys.path.insert(0, os.environ["FONDS_DIGESTS_CHECKOUT"])  # that checkout's archive package
    django_setup()
    from archive.models import Collection
    from archive.services.exports import CollectionNotPublic, collection_export
    from archive.services.imports import ead_import

    digests: dict[str, str] = {}
    started = time.perf_counter()
    for name in paths:
        path = Path(name)
        result = ead_import(source=path, filename=path.name, replace=True)
        collection = Collection.objects.select_related("repository").get(pk=result.collection_id)
        for fmt in FORMATS:
            for audience, staff in (("staff", True), ("public", False)):
                out = io.BytesIO()
                try:
                    collection_export(
                        collection=collection, fmt=fmt, out=out, include_unpublished=staff
                    )
                except CollectionNotPublic:
                    digests[f"{path.name} {fmt} {audience}"] = "not public"
                    continue
                data = out.getvalue()
                digest = hashlib.blake2b(data, digest_size=10).hexdigest()
                digests[f"{path.name} {fmt} {audience}"] = f"{len(data):>9} {digest}"
    print(json.dumps({"digests": digests, "seconds": time.perf_counter() - started}))


def measure(checkout: Path, paths: list[Path], url: str) -> dict[str, str]:
    """Run this script's child part inside ``checkout`` on a fresh database (``url``'s server,
    or a SQLite file when it is empty)."""
    os.environ.pop("DATABASE_URL", None)
    if url:
        os.environ["DATABASE_URL"] = url
    _, cleanup = database_setup(BENCH_DB)
    try:
        env = {**child_env(), "FONDS_DIGESTS_CHECKOUT": str(checkout)}
        subprocess.run(
            [sys.executable, str(checkout / "manage.py"), "migrate", "-v0"],
            env=env,
            check=True,
            cwd=checkout,
        )
        out = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", *map(str, paths)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=checkout,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])["digests"]
    finally:
        cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="another checkout to compare with")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return 0
    paths = sorted(largest_corpus_files(10_000), key=lambda p: p.name)
    url = os.environ.get("DATABASE_URL", "")
    print(f"corpus exports: {len(paths)} files, load {load_average()}", flush=True)
    here = measure(ROOT, paths, url)
    other = measure(args.against.resolve(), paths, url) if args.against else None
    differ = 0
    for key in sorted(here):
        if other is None:
            print(f"{key:<72} {here[key]}")
        elif other.get(key) != here[key]:
            differ += 1
            print(f"DIFFERS {key:<64} here {here[key]}  there {other.get(key)}")
    if other is not None:
        print(f"{len(here)} exports compared with {args.against}: {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
