"""SQLite FTS5: one virtual table with a column per field, ranked by ``bm25`` with weights.

The ``unicode61 remove_diacritics 2`` tokenizer folds case and accents; a second table reads
the same text through the ``porter`` stemmer. The researcher's web-search syntax ("quoted
phrases", OR, -excluded, prefix*) is translated here into FTS5 expressions in which every word
or phrase is a double-quoted string, so nothing the user types can be read as FTS5 syntax
(column filters, NEAR, parentheses); a trailing ``*`` becomes FTS5's own prefix mark.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import batched
from typing import Any

from archive.search import counts
from archive.search.backends.base import (
    FACET_TABLE,
    UNIT_COLUMNS,
    UNIT_TABLE,
    Match,
    Term,
    parse,
    unit_values,
)
from archive.search.text import MARK_END, MARK_START

FTS_TABLE = "archive_search_fts"
# The same text with English stems (the ``porter`` tokenizer, migration 0013). Its content is
# read from FTS_TABLE (an external-content table), so the text is stored once.
STEM_TABLE = "archive_search_stem"
FTS_COLUMNS = ("title", "names", "subjects", "identifier", "notes")
# bm25() weights, in column order: titles and names first, notes last.
WEIGHTS = "10.0, 6.0, 3.0, 3.0, 1.0"
# Above any bm25 score: an exact match ranks before every match of the stems only.
EXACT_BONUS = 1_000_000


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _phrase(term: Term, field: str) -> str:
    """One term in FTS5 syntax: a double-quoted string (so nothing typed is read as FTS5
    syntax), a prefix with FTS5's own ``*``, within a column if ``field`` names one."""
    column = "" if field == "all" else f"{field} : "
    return column + _quote(term.text) + (" *" if term.prefix else "")


def to_fts(query: str, field: str) -> str:
    """The positive part of the query as one FTS5 expression (for ranking and highlighting:
    over the stemmed table it finds the stems, over the exact one the words); "" if none."""
    alternatives: list[str] = []
    for group in parse(query):
        wanted = [_phrase(t, field) for t in group if not t.excluded]
        if wanted:
            alternatives.append("(" + " AND ".join(wanted) + ")")
    return " OR ".join(alternatives)


def _in(ids: Sequence[int]) -> str:
    return ", ".join(["%s"] * len(ids))


def _found(table: str, terms: list[Term], field: str, op: str) -> tuple[str, list[Any]]:
    """``u.unit_id IN`` (or ``NOT IN``) the rows of ``table`` matching all of ``terms``
    (``op`` AND) or any of them (``op`` OR)."""
    expr = f" {op} ".join(_phrase(t, field) for t in terms)
    negate = "NOT " if op == "OR" else ""
    return f"u.unit_id {negate}IN (SELECT rowid FROM {table} WHERE {table} MATCH %s)", [expr]


def _condition(groups: list[list[Term]], field: str) -> tuple[str, list[Any]]:
    """WHERE of the units matching the query: each word in the stemmed table, each phrase
    and prefix in the exact one, exclusions likewise."""
    alternatives: list[str] = []
    params: list[Any] = []
    for group in groups:
        tests: list[tuple[str, list[Any]]] = []
        for table, wanted_stem in ((STEM_TABLE, True), (FTS_TABLE, False)):
            terms = [t for t in group if t.stemmed == wanted_stem]
            wanted = [t for t in terms if not t.excluded]
            unwanted = [t for t in terms if t.excluded]
            if wanted:
                tests.append(_found(table, wanted, field, "AND"))
            if unwanted:
                tests.append(_found(table, unwanted, field, "OR"))
        alternatives.append("(" + " AND ".join(sql for sql, _ in tests) + ")")
        params.extend(p for _, ps in tests for p in ps)
    return " OR ".join(alternatives), params


def tune(cursor: Any) -> None:
    """Nothing to set for SQLite."""


# Rows per ``executemany``: a whole collection's rows are never held at once.
WRITE_BATCH = 20_000


def write(cursor: Any, rows: Iterable[Any]) -> int:
    """Insert index rows; returns how many."""
    written = 0
    for batch in batched(rows, WRITE_BATCH):
        _write(cursor, batch)
        written += len(batch)
    return written


def _write(cursor: Any, rows: Sequence[Any]) -> None:
    counted: Counter[tuple[str, str]] = Counter()
    for r in rows:
        counted.update(counts.row_keys(r))
    counts.add(cursor, counted)
    marks = ", ".join(["%s"] * len(UNIT_COLUMNS))
    cursor.executemany(
        f"INSERT INTO {UNIT_TABLE} ({', '.join(UNIT_COLUMNS)}) VALUES ({marks})",
        [unit_values(r) for r in rows],
    )
    texts = [(r.unit_id, r.title, r.names, r.subjects, r.identifier, r.notes) for r in rows]
    for table in (FTS_TABLE, STEM_TABLE):
        cursor.executemany(
            f"INSERT INTO {table} (rowid, {', '.join(FTS_COLUMNS)}) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            texts,
        )
    facets = [(r.unit_id, kind, key, label) for r in rows for kind, key, label in r.facets]
    if facets:
        cursor.executemany(
            f"INSERT INTO {FACET_TABLE} (unit_id, kind, key, label) VALUES (%s, %s, %s, %s)",
            facets,
        )


def _unstem(cursor: Any, rows_sql: str, params: list[Any]) -> None:
    """Remove rows from the stemmed table, which (holding no text of its own) must be told
    the text it indexed: read from the exact table, so call it before deleting there."""
    columns = ", ".join(FTS_COLUMNS)
    cursor.execute(
        f"INSERT INTO {STEM_TABLE} ({STEM_TABLE}, rowid, {columns}) "
        f"SELECT 'delete', rowid, {columns} FROM {FTS_TABLE} WHERE rowid IN ({rows_sql})",
        params,
    )


def _uncount(cursor: Any, units_sql: str, params: list[Any]) -> None:
    """Append ``-1`` per unit to each key it counts under (``archive.search.counts``), for
    the units ``units_sql`` (a SELECT of unit ids) names: call it before deleting them."""
    cursor.execute(
        f"""
        INSERT INTO {counts.COUNT_TABLE} (kind, key, n)
        SELECT kind, key, -COUNT(*) FROM (
            SELECT '{counts.TOTAL}' AS kind, '' AS key FROM {UNIT_TABLE} u
            WHERE u.unit_id IN ({units_sql})
            UNION ALL SELECT 'repository', CAST(repository_id AS TEXT) FROM {UNIT_TABLE} u
            WHERE u.unit_id IN ({units_sql})
            UNION ALL SELECT 'collection', CAST(collection_id AS TEXT) FROM {UNIT_TABLE} u
            WHERE u.unit_id IN ({units_sql})
            UNION ALL SELECT 'level', level FROM {UNIT_TABLE} u WHERE u.unit_id IN ({units_sql})
            UNION ALL SELECT kind, key FROM {FACET_TABLE}
            WHERE unit_id IN ({units_sql}) AND kind NOT IN ('repository', 'collection', 'level')
        ) t GROUP BY kind, key
        """,
        params * 5,
    )


def delete_units(cursor: Any, ids: Sequence[int]) -> None:
    ids = list(ids)
    _uncount(cursor, _in(ids), ids)
    _unstem(cursor, _in(ids), ids)
    for table, column in ((FACET_TABLE, "unit_id"), (UNIT_TABLE, "unit_id"), (FTS_TABLE, "rowid")):
        cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({_in(ids)})", ids)


def delete_collection(cursor: Any, collection_id: int) -> None:
    subquery = f"SELECT unit_id FROM {UNIT_TABLE} WHERE collection_id = %s"
    _uncount(cursor, subquery, [collection_id])
    _unstem(cursor, subquery, [collection_id])
    cursor.execute(f"DELETE FROM {FACET_TABLE} WHERE unit_id IN ({subquery})", [collection_id])
    cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({subquery})", [collection_id])
    cursor.execute(f"DELETE FROM {UNIT_TABLE} WHERE collection_id = %s", [collection_id])


def delete_all(cursor: Any) -> None:
    cursor.execute(f"INSERT INTO {STEM_TABLE} ({STEM_TABLE}) VALUES ('delete-all')")
    for table in (FACET_TABLE, FTS_TABLE, UNIT_TABLE, counts.COUNT_TABLE):
        cursor.execute(f"DELETE FROM {table}")


def _driver(groups: list[list[Term]], field: str) -> tuple[str, str] | None:
    """(table, FTS5 expression) whose matches include every match of the query, so that a
    scan of it, ranked by ``bm25``, can drive the search; None if neither table's does.

    The stemmed table holds every match of a group that has a word or a phrase (a phrase's
    words are consecutive there too); the exact table every match of a group that has a
    phrase or a prefix. Prefixes are left out of the stemmed table's expression: the stem of
    a word need not start as the word does.
    """
    for table, usable in (
        (STEM_TABLE, lambda t: not t.prefix),
        (FTS_TABLE, lambda t: not t.stemmed),
    ):
        alternatives = []
        for group in groups:
            wanted = [_phrase(t, field) for t in group if not t.excluded and usable(t)]
            if not wanted:
                break
            alternatives.append("(" + " AND ".join(wanted) + ")")
        else:
            return table, " OR ".join(alternatives)
    return None


def match(query: str, field: str) -> Match:
    """The units matching ``query`` within ``field``: plain words by their stems (the porter
    table), quoted words and prefixes exactly. Exact matches of the whole query rank first,
    then the rest by ``bm25``.

    A scan of one FTS table (:func:`_driver`) finds the rows with their ``bm25``, the unit
    rows are read by key, and the whole condition is checked on them (each of its FTS
    look-ups runs once, as a list). Joining a ranked list to the unit table the other way
    round made SQLite scan the list once per unit.
    """
    groups = parse(query)
    if not groups:  # nothing searchable (a lone "OR"): nothing matches
        return Match(from_sql=f"{UNIT_TABLE} u", where_sql="1 = 0", score_sql="0")
    where_sql, where_params = _condition(groups, field)
    positive = to_fts(query, field)
    if not positive:  # only exclusions: nothing to rank or highlight
        return Match(
            from_sql=f"{UNIT_TABLE} u",
            where_sql=where_sql,
            where_params=where_params,
            score_sql="0",
            highlight=False,
        )
    driver = _driver(groups, field)
    if driver is None:  # ("word OR prefix*"): found, but not ranked
        return Match(
            from_sql=f"{UNIT_TABLE} u",
            where_sql=where_sql,
            where_params=where_params,
            score_sql="0",
        )
    table, expression = driver
    if all(t.stemmed and not t.excluded for group in groups for t in group):
        where_sql, where_params = "1 = 1", []  # the driver is the condition
    return Match(
        from_sql=(
            f"(SELECT rowid AS rid, -bm25({table}, {WEIGHTS}) AS rank, "
            f"rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) AS exact "
            f"FROM {table} WHERE {table} MATCH %s) ranked "
            f"JOIN {UNIT_TABLE} u ON u.unit_id = ranked.rid"
        ),
        from_params=[positive, expression],
        where_sql=where_sql,
        where_params=where_params,
        score_sql=f"(ranked.exact * {EXACT_BONUS} + ranked.rank)",
    )


def snippets(cursor: Any, query: str, field: str, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Highlighted title and extract per unit, from the stemmed table: the words sharing a
    stem with the query's are marked, as they are what matched."""
    positive = to_fts(query, field)
    if not ids or not positive:
        return {}
    ids = list(ids)
    marks = [MARK_START, MARK_END]
    cursor.execute(
        f"""
        SELECT rowid, highlight({STEM_TABLE}, 0, %s, %s),
               snippet({STEM_TABLE}, 4, %s, %s, ' … ', 24),
               snippet({STEM_TABLE}, 1, %s, %s, ' … ', 24),
               snippet({STEM_TABLE}, 2, %s, %s, ' … ', 24),
               snippet({STEM_TABLE}, 3, %s, %s, ' … ', 24)
        FROM {STEM_TABLE} WHERE {STEM_TABLE} MATCH %s AND rowid IN ({_in(ids)})
        """,
        [*marks * 5, positive, *ids],
    )
    out: dict[int, tuple[str, str]] = {}
    for rowid, title, *extracts in cursor.fetchall():
        # Prefer the notes, then names, subjects, identifier: whichever shows a matched word.
        present = [e for e in extracts if e]
        marked = [e for e in present if MARK_START in e]
        out[rowid] = (title, (marked or present or [""])[0])
    return out


# ------------------------------------------------------------------------------- facets

# Facet kinds that are columns of the unit table: filtered and counted without a join.
_COLUMNS = {"repository": "u.repository_id", "collection": "u.collection_id", "level": "u.level"}


def facet_conditions(selected: Sequence[tuple[str, str]]) -> list[tuple[str, list[Any]]]:
    """WHERE conditions for the selected facet values (each one narrows the results)."""
    out: list[tuple[str, list[Any]]] = []
    for kind, key in selected:
        if kind in _COLUMNS:
            out.append((f"{_COLUMNS[kind]} = %s", [key]))
        elif kind == "online":
            out.append(("u.online = %s", [True]))
        else:
            subquery = f"SELECT unit_id FROM {FACET_TABLE} WHERE kind = %s AND key = %s"
            out.append((f"u.unit_id IN ({subquery})", [kind, key]))
    return out


def decade_conditions(decade: int) -> list[tuple[str, list[Any]]]:
    """Nothing to add: the span test on the unit row is the decade filter here."""
    return []


# A facet value's label from ``t.kind`` and ``t.key`` (every row of a value holds the same
# label: a renamed agent or subject reindexes every unit linked to it).
COUNT_LABEL_SQL = (
    f"(SELECT f.label FROM {FACET_TABLE} f WHERE f.kind = t.kind AND f.key = t.key LIMIT 1)"
)

# What a matched row must carry for :func:`facet_sql` to count it (beside its unit id,
# repository, collection and level).
FACET_COLUMNS = ""


def facet_sql(source: str) -> str:
    """SQL for (kind, key, label, count) of the top values of each kind over the rows of
    ``source``: repository, collection and level grouped from those rows, the other kinds
    from the facet table, read from its index on (unit, kind, key) alone (migration 0018);
    the labels of the top values only are then read. Takes two parameters, the number of
    decades and of values of any other kind to keep."""
    return f"""
        SELECT kind, key, CASE WHEN kind IN ('repository', 'collection', 'level') THEN ''
               ELSE {COUNT_LABEL_SQL} END, n FROM (
            SELECT kind, key, n,
                   ROW_NUMBER() OVER (PARTITION BY kind ORDER BY n DESC, key) AS rn
            FROM (
                SELECT fc.kind AS kind, fc.key AS key, COUNT(*) AS n
                FROM {FACET_TABLE} fc
                WHERE fc.unit_id IN (SELECT unit_id FROM {source})
                  -- rows an index built before these kinds became columns may still hold
                  AND fc.kind NOT IN ('repository', 'collection', 'level')
                GROUP BY fc.kind, fc.key
                UNION ALL
                SELECT 'repository', CAST(repository_id AS TEXT), COUNT(*)
                FROM {source} GROUP BY repository_id
                UNION ALL
                SELECT 'collection', CAST(collection_id AS TEXT), COUNT(*)
                FROM {source} GROUP BY collection_id
                UNION ALL
                SELECT 'level', level, COUNT(*) FROM {source} GROUP BY level
            ) a
        ) t
        WHERE rn <= CASE WHEN kind = 'decade' THEN %s ELSE %s END
    """


def facet_values_sql(source: str, kind: str) -> tuple[str, list[Any]]:
    """SQL for (key, label, count) of every value of one facet kind that is not a column
    of the unit table over the rows of ``source``."""
    return (
        f"SELECT fc.key, MAX(fc.label), COUNT(*) FROM {FACET_TABLE} fc "
        f"WHERE fc.kind = %s AND fc.unit_id IN (SELECT unit_id FROM {source}) GROUP BY fc.key",
        [kind],
    )


def facet_labels(cursor: Any, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Labels of facet values that some public unit counts under."""
    if not wanted:
        return {}
    cursor.execute(
        f"SELECT kind, key, MAX(label) FROM {FACET_TABLE} WHERE "
        + " OR ".join(["(kind = %s AND key = %s)"] * len(wanted))
        + " GROUP BY kind, key",
        [x for pair in wanted for x in pair],
    )
    return {(kind, key): label for kind, key, label in cursor.fetchall() if label}
