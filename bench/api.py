"""Requests per second and 95th-percentile latency of the JSON API beside the same pages as HTML.

Two reads over a 100,000-component collection, each measured through the whole Django stack
(middleware, URL resolution, views, serialisation) with the test client, in one process:

- a list of 100 components: ``GET /api/components/<series>/children?limit=100``, beside the
  public outline page of the same series (``/outline/...?node=<ref>``, which shows its first
  batch of 50 children, the page's own batch size);
- a component detail: ``GET /api/components/<file>``, beside the file's public page.

Runs in a throw-away test database (``test_<name>`` of DATABASE_URL, or a temporary SQLite
file), so it never touches real data:

    .venv/bin/python bench/api.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fonds .venv/bin/python bench/api.py

The HTML figures are the baseline: they are measured in the same run, on the same rows.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django  # noqa: E402

from bench.common import load_average  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

SERIES = 100
FILES_PER_SERIES = 999  # 1 root + 100 series + 99,900 files = 100,001 components
REQUESTS = int(os.environ.get("FONDS_BENCH_REQUESTS", "300"))
WARM_UP = 20


def build():
    """One published collection of 100,001 components, written in bulk."""
    from archive import tree
    from archive.models import Collection, Component, Repository, UnitDate

    repo = Repository.objects.create(code="bench", name="Bench")
    coll = Collection.objects.create(repository=repo, ead_id="bench")
    alloc = tree.PathAllocator(tree.next_root_path())
    rows = [
        Component(
            collection=coll, depth=1, path=alloc.allocate(1), title="Bench papers", published=True
        )
    ]
    for s in range(SERIES):
        rows.append(
            Component(
                collection=coll,
                depth=2,
                path=alloc.allocate(2),
                title=f"Series {s}",
                ref=f"s{s}",
                level="series",
                published=True,
            )
        )
        for f in range(FILES_PER_SERIES):
            rows.append(
                Component(
                    collection=coll,
                    depth=3,
                    path=alloc.allocate(3),
                    title=f"File {s}.{f}",
                    ref=f"s{s}-f{f}",
                    level="file",
                    published=True,
                )
            )
    Component.objects.bulk_create(rows, batch_size=5000)
    tree.recount_children(coll.pk)
    series = coll.components.get(ref=f"s{SERIES // 2}")
    file = coll.components.get(ref=f"s{SERIES // 2}-f{FILES_PER_SERIES // 2}")
    UnitDate.objects.create(unit=file, expression="1936-1947", begin="1936", end="1947")
    # Planner statistics, as autovacuum (PostgreSQL) or a routine ANALYZE would leave them:
    # right after a bulk load they describe an empty table, and PostgreSQL then picks a
    # plan that scans the collection's whole level for every page.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return coll, series, file


def measure(client: Client, url: str) -> tuple[float, float]:
    """(requests per second, p95 in ms) of ``REQUESTS`` sequential GETs of ``url``."""
    for _ in range(WARM_UP):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, url
    p95 = statistics.quantiles(times, n=20)[-1] * 1000
    return len(times) / sum(times), p95


def main() -> None:
    setup_test_environment()  # the test client's host, as under pytest
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        coll, series, file = build()
        built = time.perf_counter() - started
        client = Client()
        pairs = [
            (
                "list of 100 components",
                f"/api/components/{series.pk}/children?limit=100",
                f"/outline/bench/bench/?node={series.ref}",
            ),
            (
                "component detail",
                f"/api/components/{file.pk}",
                f"/collections/bench/bench/{file.ref}/",
            ),
        ]
        print(f"database: {connection.vendor} ({test_name}); ", end="")
        print(f"{coll.components.count():,} components built in {built:.1f} s")
        print(f"{REQUESTS} sequential requests each, after {WARM_UP} to warm up, one process")
        print(f"load average: {load_average()}")
        print(f"{'read':<26}{'API req/s':>10}{'API p95':>10}{'HTML req/s':>12}{'HTML p95':>10}")
        for label, api_url, html_url in pairs:
            api_rate, api_p95 = measure(client, api_url)
            html_rate, html_p95 = measure(client, html_url)
            print(
                f"{label:<26}{api_rate:>10.0f}{api_p95:>8.1f}ms{html_rate:>12.0f}{html_p95:>8.1f}ms"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
