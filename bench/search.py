"""Search at scale: 1,000,000 components in 200 collections on PostgreSQL (100,000 on SQLite).

Runs in a throw-away database (``fonds_bench_search`` on PostgreSQL, a temporary file on
SQLite), never in real data:

    .venv/bin/python bench/search.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fonds .venv/bin/python bench/search.py
    FONDS_BENCH_COMPONENTS=200000 ...   (another size)
    FONDS_BENCH_KEEP=1 ...              (leave the database for experiments afterwards)
    FONDS_BENCH_REUSE=<database> ...    (a kept database: migrate it, rebuild only the index)
    FONDS_BENCH_DB=<name> ...           (PostgreSQL: another throw-away database name)

Rows go straight into the tables (PostgreSQL ``COPY``, SQLite ``executemany``), then the index
is built with ``reindex_collection`` per collection, as an import does. For each query the
bench prints p50/p95 of ``archive.search.search()`` with and without facet counts, beside the
bare SQL of the same full-text match (top 20 ids by rank) measured in the same run.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

COLLECTIONS = 200
# The first collection also holds one series with this many files (issue 5: a node with
# 13,000 children must still expand in well under a second).
BIG_CHILDREN = 13_000
RUNS = 15
# (label, query, field, filters); filters use keys resolved after generation.
QUERIES = [
    ("rare word", "sejourne", "all", {}),
    ("common word", "letters", "all", {}),
    ("two words", "correspondence trotsky", "all", {}),
    ("phrase", '"correspondence letters"', "all", {}),
    ("or", "breton OR lenine", "all", {}),
    ("exclusion", "letters -trotsky", "all", {}),
    ("variant name", "kibalchich", "names", {}),
    ("word + level + decade", "letters", "all", {"level": ["file"], "decade": ["1930"]}),
    # Checked on the field's own document after the main index finds its words (weight C).
    ("word in subjects", "topic", "subjects", {}),
]
WORDS = (
    "letters correspondence manuscripts drafts notes diaries photographs clippings reports "
    "minutes speeches essays novels poems translations articles pamphlets receipts contracts "
    "memoranda telegrams postcards notebooks sketches proofs reviews interviews lectures "
    "accounts agenda album maps posters programs scrapbook ledger journal bulletin tracts"
).split()
RARE = "trotsky breton lenine séjourné macdonald mexico kronstadt gide rolland malraux".split()


def _copy_rows(table: str, names: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    columns = [f'"{name}"' for name in names]  # "begin" and "end" are reserved words
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def _fix_sequences() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in (
            "archive_component",
            "archive_note",
            "archive_unitdate",
            "archive_agentlink",
            "archive_subjectlink",
            "archive_digitalobject",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )


def generate(total: int) -> tuple[float, float]:
    """Insert ``total`` components; returns (seconds for rows, seconds for the index)."""
    from archive import tree
    from archive.models import Agent, AgentVariantName, Collection, Repository, Subject
    from archive.search import index

    rng = random.Random(1890)
    per_collection = total // COLLECTIONS
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic(), index.paused():
        repositories = [
            Repository.objects.create(code=f"repo{i}", name=f"Repository {i}") for i in range(4)
        ]
        agents = Agent.objects.bulk_create(
            Agent(agent_type="person", authorized_name=f"Person {i}, 1900-1970", slug=f"p{i}")
            for i in range(2000)
        )
        serge = Agent.objects.create(agent_type="person", authorized_name="Serge, Victor")
        AgentVariantName.objects.create(agent=serge, name="Kibalchich, Viktor Lvovich")
        agents.append(serge)
        subjects = Subject.objects.bulk_create(
            Subject(
                term=f"Topic {i}",
                subject_type=rng.choice(["topical", "geographic", "genre_form"]),
                slug=f"t{i}",
            )
            for i in range(500)
        )
        collections = Collection.objects.bulk_create(
            Collection(repository=repositories[i % 4], ead_id=f"c{i}") for i in range(COLLECTIONS)
        )
    comp_cols = [
        "id",
        "path",
        "depth",
        "numchild",
        "collection_id",
        "level",
        "other_level",
        "identifier",
        "other_identifiers",
        "ref",
        "title",
        "title_markup",
        "languages",
        "physical_location",
        "published",
        "attributes",
        "unmapped",
        "created",
        "updated",
    ]
    next_component = _next_id("archive_component")
    next_note = _next_id("archive_note")
    next_date = _next_id("archive_unitdate")
    next_link = _next_id("archive_agentlink")
    next_slink = _next_id("archive_subjectlink")
    next_do = _next_id("archive_digitalobject")
    root_path = tree.next_root_path()
    first_root = tree.decode_step(root_path)
    for c, collection in enumerate(collections):
        alloc = tree.PathAllocator(tree.encode_step(first_root + c))
        comps, notes, dates, links, slinks, dos = [], [], [], [], [], []
        series_count = max(1, per_collection // 500)
        files_per_series = (per_collection - 1 - series_count) // series_count
        plan = [(1, "collection", 0)]
        if c == 0:
            plan.append((2, "series", BIG_CHILDREN))
            plan.extend((3, "file", 0) for _ in range(BIG_CHILDREN))
        for _ in range(series_count):
            plan.append((2, "series", files_per_series))
            plan.extend((3, "file", 0) for _ in range(files_per_series))
        for n, (depth, level, children) in enumerate(plan):
            uid = next_component
            next_component += 1
            words = rng.sample(WORDS, 2)
            if rng.random() < 0.05:
                words.append(rng.choice(RARE))
            title = " ".join(words).capitalize()
            if depth == 1:
                title = f"Papers of person {c}"
            comps.append(
                (
                    uid,
                    alloc.allocate(depth),
                    depth,
                    children if depth == 2 else ((series_count + (c == 0)) if depth == 1 else 0),
                    collection.pk,
                    level,
                    "",
                    f"MS {c}" if depth == 1 else "",
                    "[]",
                    f"u{n}",
                    title,
                    "",
                    json.dumps([{"code": "eng", "name": "English"}]) if depth == 1 else "[]",
                    "",
                    depth == 1 or children == BIG_CHILDREN or rng.random() > 0.01,
                    "{}",
                    "[]",
                    now,
                    now,
                )
            )
            year = rng.randint(1900, 1990)
            dates.append(
                (
                    next_date,
                    uid,
                    f"{year}-{year + 2}",
                    str(year),
                    str(year + 2),
                    "inclusive",
                    "",
                    "",
                    "",
                    0,
                )
            )
            next_date += 1
            if rng.random() < 0.3:
                body = " ".join(rng.choice(WORDS) for _ in range(40))
                if rng.random() < 0.02:
                    body += " " + rng.choice(RARE)
                notes.append(
                    (next_note, uid, "scopecontent", "", f"<p>{body}</p>", "", True, 0, "{}")
                )
                next_note += 1
            if rng.random() < 0.5:
                agent = serge if rng.random() < 0.01 else rng.choice(agents)
                links.append(
                    (
                        next_link,
                        uid,
                        agent.pk,
                        "creator" if depth == 1 else "subject",
                        "",
                        True,
                        0,
                        "{}",
                    )
                )
                next_link += 1
            if rng.random() < 0.3:
                slinks.append((next_slink, uid, rng.choice(subjects).pk, True, 0, "{}"))
                next_slink += 1
            if rng.random() < 0.05:
                dos.append((next_do, uid, "Scan", "https://example.org/x", "", "", True, 0, "{}"))
                next_do += 1
        with transaction.atomic():
            _copy_rows("archive_component", comp_cols, comps)
            _copy_rows(
                "archive_unitdate",
                [
                    "id",
                    "unit_id",
                    "expression",
                    "begin",
                    "end",
                    "date_type",
                    "certainty",
                    "calendar",
                    "era",
                    "position",
                ],
                dates,
            )
            _copy_rows(
                "archive_note",
                [
                    "id",
                    "unit_id",
                    "note_type",
                    "heading",
                    "content",
                    "ref",
                    "published",
                    "position",
                    "attributes",
                ],
                notes,
            )
            _copy_rows(
                "archive_agentlink",
                [
                    "id",
                    "unit_id",
                    "agent_id",
                    "role",
                    "relator",
                    "published",
                    "position",
                    "attributes",
                ],
                links,
            )
            _copy_rows(
                "archive_subjectlink",
                ["id", "unit_id", "subject_id", "published", "position", "attributes"],
                slinks,
            )
            _copy_rows(
                "archive_digitalobject",
                [
                    "id",
                    "unit_id",
                    "title",
                    "link",
                    "role",
                    "description",
                    "published",
                    "position",
                    "attributes",
                ],
                dos,
            )
    _fix_sequences()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rows_done = time.perf_counter()
    return rows_done - started, build_index()


def build_index() -> float:
    """Empty the index and rebuild it collection by collection, each in its own transaction
    as an import does; returns the seconds it took."""
    from archive.models import Collection
    from archive.search import index
    from archive.search.backends import get_backend

    with connection.cursor() as cursor:
        get_backend().delete_all(cursor)
    started = time.perf_counter()
    for collection_id in Collection.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            index.reindex_collection(collection_id)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The state autovacuum leaves shortly after an import commits: GIN's pending list
            # of fresh entries merged into the index. Until then every search scans that list
            # too (word + level + decade: 133/140 ms p95 right after the build, 76/87 after).
            cursor.execute("VACUUM archive_search_unit")
        cursor.execute("ANALYZE")
    return seconds


def _timed(fn, runs: int = RUNS) -> tuple[float, float]:
    fn()  # warm the cache once
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return statistics.median(samples), p95


def bare_sql(query: str, field: str):
    """The same full-text match, ranked, top 20 ids: the floor any search must pay."""
    from archive.search.backends import get_backend
    from archive.search.backends.base import UNIT_TABLE

    match = get_backend().match(query, field)
    # A match with candidates names only what it adds beside the unit table.
    tables = f"{UNIT_TABLE} u, {match.from_sql}" if match.candidates_sql else match.from_sql
    sql = (
        f"SELECT u.unit_id FROM {tables} WHERE {match.where_sql} "
        f"ORDER BY {match.score_sql} DESC LIMIT 20"
    )
    params = [*match.from_params, *match.where_params]

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return run


def _exact_comparison() -> None:
    """The same queries with the count cap lifted: every match counted, ranked and faceted
    (the behaviour before ``COUNT_LIMIT``), measured in the same run for the ratio."""
    from archive.search import query as search_query
    from archive.search import search

    saved = search_query.COUNT_LIMIT
    search_query.COUNT_LIMIT = 10**12
    try:
        print("without the count cap (exact counts, rank and facets over every match):")
        for label, query, field, filters in QUERIES:
            with_f = _timed(
                lambda q=query, f=field, fl=filters: search(query=q, filters=fl, field=f), runs=5
            )
            print(f"  {label:<24} facets p50/p95 {with_f[0]:>8.1f} /{with_f[1]:>7.1f} ms")
    finally:
        search_query.COUNT_LIMIT = saved


# Rows for issue 14: broad searches whose first page must be the best of every match, and
# the stemmed, exact and prefix forms of one word.
RANKED_QUERIES = [
    ("browse everything", "", "all", {}),
    ("facet only (level)", "", "all", {"level": ["file"]}),
    ("stem: letter", "letter", "all", {}),
    ('exact: "letter"', '"letter"', "all", {}),
    ("prefix: corr*", "corr*", "all", {}),
    ("stem + facet", "letter", "all", {"decade": ["1930"]}),
]


def _ranked_rows() -> None:
    """p50/p95 of broad searches with facets, whether their counts are all exact, and whether
    their first page is the best of every match: compared with the same search with the
    count limit lifted (one read ranks every match), measured in the same run."""
    from archive.search import query as search_query
    from archive.search import search

    header = (
        f"{'ranked over every match':<24}{'hits':>9}  {'facets p50/p95 ms':>18}  exact  first page"
    )
    print(header)
    print("-" * len(header))
    for label, query, field, filters in RANKED_QUERIES:
        results = search(query=query, filters=filters, field=field)
        timed = _timed(lambda q=query, f=field, fl=filters: search(query=q, filters=fl, field=f))
        saved = search_query.COUNT_LIMIT
        search_query.COUNT_LIMIT = 10**12
        try:
            whole = search(query=query, filters=filters, field=field, with_facets=False)
        finally:
            search_query.COUNT_LIMIT = saved
        same = [h.unit.pk for h in results.hits] == [h.unit.pk for h in whole.hits]
        exact = "no" if getattr(results, "more", False) else "yes"
        print(
            f"{label:<24}{results.total:>9,}  {timed[0]:>8.1f} /{timed[1]:>7.1f}  "
            f"{exact:>5}  {'best of all' if same else 'DIFFERS'}"
        )


def _pages() -> None:
    """Server time of the collection page and of one outline batch of the 13,000-child
    series (Django's test client, so template rendering counts), beside the bare SQL of the
    rows each page lists."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from archive.models import Component

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    root = Component.objects.filter(depth=1).select_related("collection__repository").first()
    big = Component.objects.filter(collection_id=root.collection_id, numchild=BIG_CHILDREN).first()
    coll = root.collection
    args = [coll.repository.code, coll.ead_id]
    pages = [
        ("collection page", reverse("archive:collection", args=args), root),
        (
            f"outline, {BIG_CHILDREN:,} children",
            reverse("archive:outline", args=args) + f"?node={big.ref}&fragment=1",
            big,
        ),
    ]
    print(f"{'page':<28}{'server p50/p95 ms':>20}  {'bare SQL p50/p95':>17}")
    for label, url, parent in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        served = _timed(lambda u=url: client.get(u))
        sql = (
            "SELECT id, path, title, level, numchild FROM archive_component "
            "WHERE collection_id = %s AND depth = %s AND path > %s AND path < %s "
            "ORDER BY path LIMIT 50"
        )
        params = [parent.collection_id, parent.depth + 1, parent.path, parent.path + "~"]

        def bare(sql: str = sql, params: list = params) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()

        floor = _timed(bare)
        print(
            f"{label:<28}{served[0]:>10.1f} /{served[1]:>7.1f}  {floor[0]:>7.1f} /{floor[1]:>7.1f}"
        )
    print("bare SQL = the first 50 children of the node in path order (the rows the page lists)")


def _cpu_ms(fn, runs: int = RUNS) -> float:
    """Median CPU time of this process for one call of ``fn``, in ms."""
    samples = []
    for _ in range(runs):
        started = time.process_time()
        fn()
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


def _authority_pages() -> None:
    """Server time of agent and subject pages (Django's test client, templates included),
    with the queries each issues, beside the floor measured in the same run: reading the
    authority's links through the link table's index. For the agent named most often, also
    the listing query the page ran before (links whose unit is ``IN`` every public unit)."""
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from archive.models import Agent, AgentLink, Subject, SubjectLink
    from archive.visibility import public_units

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    serge = Agent.objects.get(authorized_name="Serge, Victor")
    typical = Agent.objects.get(slug="p0")
    topic = Subject.objects.get(slug="t0")
    busiest = (
        SubjectLink.objects.values_list("unit__collection_id")
        .filter(subject=topic)
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    pages = [
        ("agent page, most named", serge.get_absolute_url(), "agent", serge.pk),
        ("agent page, typical", typical.get_absolute_url(), "agent", typical.pk),
        ("agent page, page 2", typical.get_absolute_url() + "?page=2", "agent", typical.pk),
        ("agent, role filter", serge.get_absolute_url() + "?role=subject", "agent", serge.pk),
        ("subject page", topic.get_absolute_url(), "subject", topic.pk),
        (
            "subject, one collection",
            topic.get_absolute_url() + f"?collection={busiest[0] if busiest else 0}",
            "subject",
            topic.pk,
        ),
    ]
    print(
        f"{'page':<26}{'links':>7}{'queries':>8}{'server p50/p95 ms':>20}{'CPU p50':>9}"
        f"  {'floor p50/p95':>14}"
    )
    for label, url, kind, pk in pages:
        connection.queries_log.clear()  # each request clears it when it starts
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        issued = len(ctx.captured_queries)  # read from the log, before other requests clear it
        served = _timed(lambda u=url: client.get(u))
        cpu = _cpu_ms(lambda u=url: client.get(u))
        table, column = ("archive_agentlink", "agent_id")
        if kind == "subject":
            table, column = ("archive_subjectlink", "subject_id")
        floor_sql = f"SELECT unit_id FROM {table} WHERE {column} = %s AND published"

        def floor(sql: str = floor_sql, key: int = pk) -> int:
            with connection.cursor() as cursor:
                cursor.execute(sql, [key])
                return len(cursor.fetchall())

        links = floor()
        bare = _timed(floor)
        print(
            f"{label:<26}{links:>7,}{issued:>8}"
            f"{served[0]:>10.1f} /{served[1]:>7.1f}{cpu:>9.1f}  {bare[0]:>6.1f} /{bare[1]:>6.1f}"
        )
    before = (
        AgentLink.objects.filter(agent=serge, published=True, unit__in=public_units().values("id"))
        .values_list("unit__collection_id", "role")
        .order_by()
    )
    old = _timed(lambda: list(before.all()), runs=5)
    print(f"before: the listing query of {serge} alone: p50/p95 {old[0]:.1f} / {old[1]:.1f} ms")
    print("floor = the authority's published links read through the link table's index")
    print(
        "CPU = this process's CPU time per request (on SQLite the queries' too), which other "
        "work on the machine does not stretch"
    )
    print(
        "aims: agent and subject pages p95 < 50 ms at 1M on PostgreSQL, < 100 ms at 100k on SQLite"
    )


def main() -> None:
    from archive.models import Component
    from archive.search import search

    vendor = connection.vendor
    default = 1_000_000 if vendor == "postgresql" else 100_000
    total = int(os.environ.get("FONDS_BENCH_COMPONENTS", default))
    test_settings = connection.settings_dict.setdefault("TEST", {})
    tmp = None
    if vendor == "postgresql":
        test_settings["NAME"] = os.environ.get("FONDS_BENCH_DB", "fonds_bench_search")
    else:
        tmp = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)
        test_settings["NAME"] = tmp.name
    old_name = connection.settings_dict["NAME"]
    reuse = os.environ.get("FONDS_BENCH_REUSE")
    if reuse:
        from django.core.management import call_command

        connection.close()
        connection.settings_dict["NAME"] = name = reuse
        call_command("migrate", verbosity=0)
        total = Component.objects.count()
    else:
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"database: {vendor} ({name}); components: {total:,} in {COLLECTIONS} collections")
        if reuse:
            index_s = build_index()
        else:
            rows_s, index_s = generate(total)
            print(f"rows inserted in {rows_s:.1f} s ({total / rows_s:,.0f} components/s)")
        print(
            f"index built in {index_s:.1f} s ({total / index_s:,.0f} components/s, "
            f"{index_s * 100_000 / total:.2f} s per 100,000)"
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM archive_search_unit")
            print(f"indexed public units: {cursor.fetchone()[0]:,}")
        header = (
            f"{'query':<24}{'hits':>9}  {'facets p50/p95 ms':>18}  "
            f"{'no facets p50/p95':>18}  {'bare SQL p50/p95':>17}"
        )
        print(header)
        print("-" * len(header))
        worst = 0.0
        for label, query, field, filters in QUERIES:
            hits = search(query=query, filters=filters, field=field).total
            with_f = _timed(
                lambda q=query, f=field, fl=filters: search(query=q, filters=fl, field=f)
            )
            without = _timed(
                lambda q=query, f=field, fl=filters: search(
                    query=q, filters=fl, field=f, with_facets=False
                )
            )
            bare = _timed(bare_sql(query, field))
            worst = max(worst, with_f[1])
            print(
                f"{label:<24}{hits:>9,}  {with_f[0]:>8.1f} /{with_f[1]:>7.1f}  "
                f"{without[0]:>8.1f} /{without[1]:>7.1f}  {bare[0]:>7.1f} /{bare[1]:>7.1f}"
            )
        print(f"worst search-with-facets p95: {worst:.1f} ms (aim on PostgreSQL at 1M: < 100 ms)")
        _ranked_rows()
        if os.environ.get("FONDS_BENCH_EXACT", "1") == "1":
            _exact_comparison()
        _pages()
        _authority_pages()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS: {peak:.0f} MB")
    finally:
        if reuse or os.environ.get("FONDS_BENCH_KEEP") == "1":
            print(f"kept database {name}")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        if tmp is not None and os.environ.get("FONDS_BENCH_KEEP") != "1":
            Path(tmp.name).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
