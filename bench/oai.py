"""Benchmark: harvesting ListRecords over OAI-PMH, against the plain public export.

Builds a catalogue of 200 small generated finding aids (50 components each) and one of
100,000 components in a throwaway database, then, each in a fresh process so that its peak
RSS is its own:

- harvest ListRecords ``oai_ead`` through the Django test client (the whole server side:
  URL, view, argument checks, token, envelope, the streamed EAD), following every
  resumption token, reading each response as the stream it is;
- the same in ``oai_dc`` (collection-level Dublin Core, many records per page);
- baseline: the plain public EAD 2002 export of the same finding aids
  (``collection_export_chunks``), no OAI-PMH around it.

Prints records, seconds, records/s, MB, MB/s and peak RSS. The harvest's peak RSS should
match the baseline's: the large record is streamed, never built whole in memory.

    .venv/bin/python bench/oai.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fonds .venv/bin/python bench/oai.py
    FONDS_BENCH_COMPONENTS=20000 .venv/bin/python bench/oai.py   (a smaller large finding aid)
    FONDS_BENCH_SMALL=50 ...                                      (fewer small finding aids)
"""

from __future__ import annotations

import argparse
import json
import os
import re
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

BENCH_DB = "fonds_bench_oai"
SMALL_COMPONENTS = 50
_TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")
_RECORD = re.compile(rb"<record>")


def child_build(small_file: str, large_file: str, small: int) -> None:
    django_setup()
    from archive.services.imports import ead_import

    started = time.perf_counter()
    template = Path(small_file).read_bytes()
    for i in range(small):
        source = re.sub(rb"(<(\w+:)?eadid>)gen<", rb"\g<1>small-%03d<" % i, template, count=1)
        ead_import(source=source, filename=f"small-{i:03d}.xml")
    large = ead_import(source=Path(large_file), filename="large.xml")
    print(
        json.dumps({"seconds": time.perf_counter() - started, "large_components": large.components})
    )


def child_harvest(prefix: str) -> None:
    """Harvest every record, consuming each response piece by piece (as a client would)."""
    django_setup()
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    params = {"verb": "ListRecords", "metadataPrefix": prefix}
    records = responses = size = 0
    started = time.perf_counter()
    while True:
        response = client.get("/oai", params)
        responses += 1
        tail = b""
        for chunk in response.streaming_content:
            size += len(chunk)
            records += len(_RECORD.findall(tail[-16:] + chunk))
            tail = (tail + chunk)[-4096:]
        match = _TOKEN.search(tail)
        if match is None:
            break
        params = {"verb": "ListRecords", "resumptionToken": match.group(1).decode()}
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "records": records,
                "responses": responses,
                "seconds": seconds,
                "bytes": size,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


def child_baseline() -> None:
    """The public EAD 2002 export of every public finding aid, streamed to a byte counter."""
    django_setup()
    from archive.models import Collection
    from archive.services.exports import collection_export_chunks
    from archive.visibility import public_collections

    records = size = 0
    started = time.perf_counter()
    for collection in public_collections(Collection.objects.select_related("repository")):
        for chunk in collection_export_chunks(collection=collection, fmt="ead2002"):
            size += len(chunk)
        records += 1
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "records": records,
                "responses": 0,
                "seconds": seconds,
                "bytes": size,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child-build", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--child-harvest", help=argparse.SUPPRESS)
    parser.add_argument("--child-baseline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_build:
        child_build(args.child_build[0], args.child_build[1], int(args.child_build[2]))
        return
    if args.child_harvest:
        child_harvest(args.child_harvest)
        return
    if args.child_baseline:
        child_baseline()
        return

    components = int(os.environ.get("FONDS_BENCH_COMPONENTS", "100000"))
    small = int(os.environ.get("FONDS_BENCH_SMALL", "200"))
    vendor, cleanup = database_setup(BENCH_DB)
    env = child_env()
    work = Path(tempfile.mkdtemp(prefix="fonds-bench-oai-"))
    try:
        migrate(env)
        from archive.ead.testing import generate_finding_aid

        small_file = generate_finding_aid(work / "small.xml", components=SMALL_COMPONENTS)
        large_file = generate_finding_aid(work / "large.xml", components=components)
        built = run_child(__file__, env, "--child-build", small_file, large_file, str(small))
        print(
            f"OAI-PMH harvest benchmark on {vendor}: {small} finding aids of "
            f"{SMALL_COMPONENTS} components and one of {built['large_components']:,} "
            f"(built in {built['seconds']:.0f} s); each run in a fresh process; "
            f"load average {load_average()}"
        )
        table = Table(
            [
                Column("run", 34),
                Column("records", 7, ","),
                Column("responses", 9, ","),
                Column("seconds", 8, ".2f"),
                Column("records/s", 9, ",.1f"),
                Column("MB", 7, ".1f"),
                Column("MB/s", 6, ".2f"),
                Column("RSS MB", 7, ".0f"),
            ]
        )
        table.header()
        runs = [
            ("ListRecords oai_ead (test client)", ["--child-harvest", "oai_ead"]),
            ("ListRecords oai_dc (test client)", ["--child-harvest", "oai_dc"]),
            ("baseline: public EAD 2002 export", ["--child-baseline"]),
        ]
        for label, child_args in runs:
            row = run_child(__file__, env, *child_args)
            seconds = row["seconds"] or 1e-9
            table.row(
                label,
                row["records"],
                row["responses"],
                row["seconds"],
                row["records"] / seconds,
                row["bytes"] / 1e6,
                row["bytes"] / 1e6 / seconds,
                row["peak_rss_mb"],
            )
        print(
            "records/s and MB/s over the whole run; RSS MB = the process's peak resident memory "
            "(server and client in one process for the harvests)."
        )
        print(f"load average at the end: {load_average()} (figures are wall-clock)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        cleanup()


if __name__ == "__main__":
    main()
