"""Counts of the whole index, kept current with it: the total and every facet value.

Browsing everything (no words, no filters) shows the number of public units and the top
values of every facet. Counting them from the units costs a read of every unit per request
(2 s at 100,000 units on SQLite); here they are kept in ``archive_search_count`` (migration
0015) as signed deltas ``(kind, key, n)`` that the backends append in the same statement or
transaction as the index rows they write (``+1`` per unit and key) or delete (``-1``). A
reader sums them per key: the counts are exactly those of the index rows its transaction
sees, and so never include an internal or unpublished unit, which has no index row.

Rows are only appended (never updated in place), so two transactions writing the index
never wait on each other here: an admin edit does not wait for an import to commit.
:func:`compact` folds the rows into one per key; the index writer calls it after each
write (``archive.search.index``), and on PostgreSQL skips it while another transaction is
compacting, so it never waits either. Between compactions the table holds a few rows per
key written since, and a read stays proportional to the number of distinct keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import connection

COUNT_TABLE = "archive_search_count"
# The kind of the count of every unit.
TOTAL = "total"
# Any number, the same in every process: the key of PostgreSQL's lock on compacting.
_COMPACT_LOCK = 0x464F4E44


def row_keys(row: Any) -> Iterable[tuple[str, str]]:
    """The keys one index row (``archive.search.index.IndexRow``) counts under."""
    yield TOTAL, ""
    yield "repository", str(row.repository_id)
    yield "collection", str(row.collection_id)
    yield "level", str(row.level)
    for kind, key, _label in row.facets:
        yield kind, str(key)


def tally(rows: Iterable[Any], counter: Counter[tuple[str, str]]) -> Iterable[Any]:
    """Yield ``rows`` unchanged, adding each one's keys to ``counter`` as it passes (so a
    stream of rows is counted while it is written, never held)."""
    for row in rows:
        counter.update(row_keys(row))
        yield row


def add(cursor: Any, counter: Counter[tuple[str, str]], sign: int = 1) -> None:
    """Append the deltas ``sign * n`` of ``counter`` (a DB-API cursor in the caller's
    transaction: Django's or psycopg's own)."""
    rows = [(kind, key, sign * n) for (kind, key), n in counter.items() if n]
    if rows:
        cursor.executemany(f"INSERT INTO {COUNT_TABLE} (kind, key, n) VALUES (%s, %s, %s)", rows)


def compact(cursor: Any, vendor: str | None = None) -> None:
    """Fold the deltas into one row per key (keys summing to zero are dropped).

    On PostgreSQL one statement deletes the rows this transaction sees and inserts their
    sums, so rows other transactions append meanwhile are kept as they are; a transaction
    that finds another one compacting skips it (``pg_try_advisory_xact_lock``). Costs a read
    of the table: about one row per distinct facet value.
    """
    vendor = vendor or connection.vendor
    if vendor == "postgresql":
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_COMPACT_LOCK])
        if not cursor.fetchone()[0]:
            return
        cursor.execute(
            f"WITH d AS (DELETE FROM {COUNT_TABLE} RETURNING kind, key, n) "
            f"INSERT INTO {COUNT_TABLE} (kind, key, n) "
            "SELECT kind, key, SUM(n) FROM d GROUP BY kind, key HAVING SUM(n) <> 0"
        )
        return
    # SQLite has one writer at a time: nothing can be appended between these statements.
    cursor.execute(
        f"SELECT kind, key, SUM(n) FROM {COUNT_TABLE} GROUP BY kind, key HAVING SUM(n) <> 0"
    )
    sums = cursor.fetchall()
    cursor.execute(f"DELETE FROM {COUNT_TABLE}")
    if sums:
        cursor.executemany(f"INSERT INTO {COUNT_TABLE} (kind, key, n) VALUES (%s, %s, %s)", sums)


def value(kind: str, key: str) -> int:
    """The number of units in the index counting under one facet value."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(n), 0) FROM {COUNT_TABLE} WHERE kind = %s AND key = %s",
            [kind, key],
        )
        return int(cursor.fetchone()[0])


def top_sql(label_sql: str) -> str:
    """SQL for (kind, key, label, count) of the total (kind :data:`TOTAL`) and of the top
    values of each facet kind over the whole index, from the sums of the deltas; the same
    order and ties as the facet query over the units (count, then key). ``label_sql`` is the
    backend's expression of a value's label from ``t.kind`` and ``t.key``. Takes two
    parameters, the number of decades and of values of any other kind to keep."""
    return f"""
        SELECT t.kind, t.key, COALESCE({label_sql}, ''), t.n FROM (
            SELECT kind, key, n,
                   ROW_NUMBER() OVER (PARTITION BY kind ORDER BY n DESC, key) AS rn
            FROM (
                SELECT kind, key, SUM(n) AS n FROM {COUNT_TABLE}
                GROUP BY kind, key HAVING SUM(n) > 0
            ) s
        ) t
        WHERE t.rn <= CASE WHEN t.kind = 'decade' THEN %s ELSE %s END OR t.kind = '{TOTAL}'
    """


def totals(label_sql: str, decades: int, limit: int) -> tuple[int, list[tuple]]:
    """(the number of units in the index, facet rows (kind, key, label, count) of the whole
    index), read from the kept counts."""
    with connection.cursor() as cursor:
        cursor.execute(top_sql(label_sql), [decades, limit])
        rows = cursor.fetchall()
    total = 0
    facets = []
    for kind, key, label, n in rows:
        if kind == TOTAL:
            total = int(n)
        else:
            facets.append((kind, key, label, int(n)))
    return total, facets
