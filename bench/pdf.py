"""Benchmark: PDF finding aids, seconds and peak memory, against the HTML they are made from.

Builds generated finding aids (``tests.factories.sized_collection``: series of files, every
file with a date and a box and folder, as real inventories have) of 16,000 and 100,000
components, and imports the largest corpus file, in a throwaway database. For each it prints:
components, units in the contents list, the seconds to read the finding aid and write its HTML
(the baseline: what any print of it costs, measured in the same child process), the seconds to
lay the HTML out and write the PDF, pages, size, and the child's peak RSS.

Each measurement runs in a fresh child process, so its peak RSS is its own. The 100,000-component
finding aid is measured twice: as the site makes it (``FONDS_PDF_MAX_COMPONENTS``, default
20,000: the contents list keeps the levels that fit) and, with ``--uncapped``, whole.

    .venv/bin/python bench/pdf.py [--sizes 16000,100000] [--uncapped] [--corpus-files 1]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fonds_pdf .venv/bin/python bench/pdf.py
"""

from __future__ import annotations

import argparse
import json
import os
import sys
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

BENCH_DB = "fonds_bench_pdf"
FILES_PER_SERIES = 999  # a series and its files make 1,000 units


def child_generate(components: int) -> None:
    django_setup()
    from archive.models import Component, Container, ContainerInstance, Repository, UnitDate
    from tests.factories import sized_collection

    repository = Repository.objects.get_or_create(code="bench", defaults={"name": "Bench"})[0]
    series = max(1, components // (FILES_PER_SERIES + 1))
    collection = sized_collection(
        repository,
        f"gen-{components}",
        series=series,
        files_per_series=[FILES_PER_SERIES] * series,
    )
    files = list(
        Component.objects.filter(collection=collection, depth=3)
        .order_by("path")
        .values_list("id", flat=True)
    )
    UnitDate.objects.bulk_create(
        [
            UnitDate(unit_id=pk, expression=f"{1900 + i % 50}", begin=f"{1900 + i % 50}")
            for i, pk in enumerate(files)
        ],
        batch_size=5000,
    )
    boxes = Container.objects.bulk_create(
        [
            Container(collection=collection, container_type="box", indicator=str(b + 2))
            for b in range(len(files) // 40 + 1)
        ]
    )
    ContainerInstance.objects.bulk_create(
        [
            ContainerInstance(
                unit_id=pk, container=boxes[i // 40], child_type="folder", child_indicator=str(i)
            )
            for i, pk in enumerate(files)
        ],
        batch_size=5000,
    )
    print(json.dumps({"collection_id": collection.pk}))


def child_import(path: str) -> None:
    django_setup()
    from archive.services.imports import ead_import

    result = ead_import(source=Path(path), filename=Path(path).name, replace=True)
    print(json.dumps({"collection_id": result.collection_id}))


def child_pdf(collection_id: int, limit: int) -> None:
    django_setup()
    from archive.models import Collection, Component
    from archive.pdf import (
        finding_aid_html,
        finding_aid_read,
        finding_aid_stylesheet,
        html_to_pdf,
    )

    collection = Collection.objects.select_related("repository").get(pk=collection_id)
    components = Component.objects.filter(collection=collection).count()
    started = time.perf_counter()
    aid = finding_aid_read(
        repository_code=collection.repository.code,
        ead_id=collection.ead_id,
        base_url="https://archives.example.org/",
        limit=limit,
    )
    html = finding_aid_html(aid)
    html_seconds = time.perf_counter() - started
    html_rss = peak_rss_mb()
    out = Path(os.environ["BENCH_PDF_OUT"])
    started, cpu = time.perf_counter(), time.process_time()
    html_to_pdf(
        html, out, base_url="https://archives.example.org/", stylesheet=finding_aid_stylesheet()
    )
    pdf_seconds = time.perf_counter() - started
    pdf_cpu = time.process_time() - cpu
    from pypdf import PdfReader

    pages = len(PdfReader(out).pages)
    print(
        json.dumps(
            {
                "components": components,
                "units": aid.units,
                "html_s": html_seconds,
                "html_rss": html_rss,
                "pdf_s": pdf_seconds,
                "pdf_cpu": pdf_cpu,
                "pages": pages,
                "mb": out.stat().st_size / 1e6,
                "rss": peak_rss_mb(),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="4000,16000,100000")
    parser.add_argument("--uncapped", action="store_true", help="also the largest size whole")
    parser.add_argument("--corpus-files", type=int, default=1)
    args = parser.parse_args()

    vendor, cleanup = database_setup(BENCH_DB)
    env = child_env()
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"fonds-bench-{os.getpid()}.pdf"
    env["BENCH_PDF_OUT"] = str(out)
    print(f"PDF finding aids on {vendor}; load average {load_average()}")
    try:
        migrate(env)
        targets: list[tuple[str, int, int]] = []
        default_cap = 20000
        for path in largest_corpus_files(args.corpus_files):
            made = run_child(__file__, env, "import", str(path))
            targets.append((path.name, made["collection_id"], default_cap))
        sizes = [int(s) for s in args.sizes.split(",") if s]
        for size in sizes:
            made = run_child(__file__, env, "generate", str(size))
            targets.append((f"generated {size:,}", made["collection_id"], default_cap))
            if args.uncapped and size == max(sizes) and size > default_cap:
                targets.append((f"generated {size:,}, whole", made["collection_id"], 10**9))
        table = Table(
            [
                Column("finding aid", 30),
                Column("components", 10, ",d"),
                Column("listed", 8, ",d"),
                Column("HTML s", 7, ".1f"),
                Column("HTML MB", 8, ",.0f"),
                Column("PDF s", 7, ".1f"),
                Column("PDF CPU", 7, ".1f"),
                Column("pages", 6, ",d"),
                Column("file MB", 7, ".1f"),
                Column("peak MB", 8, ",.0f"),
                Column("CPU ms/unit", 11, ".2f"),
            ]
        )
        table.header()
        for name, collection_id, cap in targets:
            r = run_child(__file__, env, "pdf", str(collection_id), str(cap))
            table.row(
                name,
                r["components"],
                r["units"],
                r["html_s"],
                r["html_rss"],
                r["pdf_s"],
                r["pdf_cpu"],
                r["pages"],
                r["mb"],
                r["rss"],
                1000 * r["pdf_cpu"] / max(r["units"], 1),
            )
        print(
            "HTML: reading the public finding aid and writing its HTML (the baseline); "
            "PDF: WeasyPrint's layout and the tagged PDF/UA-1 file (wall clock, and the "
            "process's CPU seconds, less sensitive to a busy machine); peak MB: the whole child."
        )
    finally:
        out.unlink(missing_ok=True)
        cleanup()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "generate":
        child_generate(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "import":
        child_import(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "pdf":
        child_pdf(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
