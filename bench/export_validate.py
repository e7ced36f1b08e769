"""Benchmark: what run-time schema validation adds to an export, and what the cache saves.

Generates finding aids of 10,000 and 100,000 components, imports them into a throwaway
database and, for each format, each step in a fresh process (so peak RSS is that step's own):

- export: ``collection_export`` of the staff version to a file (what every download did);
- validate: ``export_validate`` of that file, streaming (``iterparse`` with the schema,
  elements dropped as they end): the cost added by run-time validation;
- tree validate: the same file parsed into a tree and validated (``XMLSchema.validate``),
  the baseline that shows what streaming saves in memory;
- cold: ``collection_export_file`` with an empty cache (export + validate + rename);
- warm: the same call again (a cache hit: one query for the content stamp).

Run it once per database; DATABASE_URL decides which:

    .venv/bin/python bench/export_validate.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fonds .venv/bin/python bench/export_validate.py

Options: ``--components N`` (largest generated size, default 100,000), ``--no-tree`` (skip the
tree baseline, which holds the whole document in memory).
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

BENCH_DB = "fonds_bench_validate"


def child_import(path: Path) -> None:
    django_setup()
    from archive.services.imports import ead_import

    result = ead_import(source=path, filename=path.name, replace=True)
    print(json.dumps({"collection_id": result.collection_id, "components": result.components}))


def child_step(step: str, collection_id: int, fmt: str, path: Path) -> None:
    django_setup()
    from lxml import etree

    from archive.models import Collection
    from archive.services.export_files import collection_export_file
    from archive.services.exports import collection_export
    from archive.services.validation import export_schema, export_validate

    collection = Collection.objects.select_related("repository").get(pk=collection_id)
    if step in ("validate", "tree"):
        export_schema(fmt)  # compiled before the clock starts (once per thread in a server)
    baseline = peak_rss_mb()
    started = time.perf_counter()
    size = 0
    if step == "export":
        with path.open("wb") as out:
            collection_export(collection=collection, fmt=fmt, out=out, include_unpublished=True)
        size = path.stat().st_size
    elif step == "validate":
        export_validate(path, fmt)
    elif step == "tree":
        schema = export_schema(fmt)
        document = etree.parse(str(path))
        if not schema.validate(document):
            raise SystemExit(f"invalid: {schema.error_log}")
    elif step in ("cold", "warm"):
        size = collection_export_file(collection=collection, fmt=fmt, audience="staff").size
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mb": peak_rss_mb(),
                "start_rss_mb": baseline,
                "bytes": size,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child-import", help=argparse.SUPPRESS)
    parser.add_argument("--child-step", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--components", type=int, default=100_000)
    parser.add_argument("--no-tree", action="store_true")
    args = parser.parse_args()
    if args.child_import:
        child_import(Path(args.child_import))
        return
    if args.child_step:
        step, collection_id, fmt, path = args.child_step
        child_step(step, int(collection_id), fmt, Path(path))
        return

    vendor, cleanup = database_setup(BENCH_DB)
    work = Path(tempfile.mkdtemp(prefix="fonds-bench-validate-"))
    os.environ["FONDS_EXPORT_CACHE_DIR"] = str(work / "cache")
    env = child_env()
    try:
        migrate(env)
        from archive.ead.testing import generate_finding_aid

        sizes = sorted({min(10_000, args.components), args.components})
        print(
            f"Export validation benchmark on {vendor} (each step in a fresh process; "
            f"load average {load_average()})"
        )
        table = Table(
            [
                Column("components", 10, ","),
                Column("format", 7),
                Column("MB", 6, ".1f"),
                Column("export s", 8, ".2f"),
                Column("RSS MB", 6, ".0f"),
                Column("valid. s", 8, ".2f"),
                Column("RSS MB", 6, ".0f"),
                Column("+%", 5, ".0f"),
                Column("tree s", 7, ".2f"),
                Column("RSS MB", 6, ".0f"),
                Column("cold s", 7, ".2f"),
                Column("warm s", 7, ".3f"),
            ]
        )
        table.header()
        for size in sizes:
            source = work / f"generated-{size}.xml"
            generate_finding_aid(source, components=size)
            loaded = run_child(__file__, env, "--child-import", str(source))
            cid = str(loaded["collection_id"])
            for fmt in ("ead2002", "ead3"):
                target = str(work / f"export-{size}.{fmt}.xml")
                export = run_child(__file__, env, "--child-step", "export", cid, fmt, target)
                check = run_child(__file__, env, "--child-step", "validate", cid, fmt, target)
                tree = (
                    {"seconds": float("nan"), "peak_rss_mb": float("nan")}
                    if args.no_tree
                    else run_child(__file__, env, "--child-step", "tree", cid, fmt, target)
                )
                cold = run_child(__file__, env, "--child-step", "cold", cid, fmt, target)
                warm = run_child(__file__, env, "--child-step", "warm", cid, fmt, target)
                table.row(
                    loaded["components"],
                    fmt,
                    export["bytes"] / 1e6,
                    export["seconds"],
                    export["peak_rss_mb"],
                    check["seconds"],
                    check["peak_rss_mb"],
                    100 * check["seconds"] / export["seconds"] if export["seconds"] else 0,
                    tree["seconds"],
                    tree["peak_rss_mb"],
                    cold["seconds"],
                    warm["seconds"],
                )
        print(
            "export = staff export to a file; valid. = streaming validation of that file "
            "(schema compiled beforehand); +% = validation time as a share of the export; "
            "tree = parse into a tree, then validate; cold = collection_export_file with an "
            "empty cache (export + validate + rename); warm = the same call, a cache hit. "
            "RSS = peak resident memory of that step's process."
        )
        print(f"load average at the end: {load_average()} (figures are wall-clock)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        cleanup()


if __name__ == "__main__":
    main()
