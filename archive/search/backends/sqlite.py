"""SQLite FTS5: one virtual table with a column per field, ranked by ``bm25`` with weights.

The ``unicode61 remove_diacritics 2`` tokenizer folds case and accents. The researcher's
web-search syntax ("quoted phrases", OR, -excluded) is translated here into an FTS5 expression
in which every word or phrase is a double-quoted string, so nothing the user types can be
read as FTS5 syntax (column filters, NEAR, prefix stars, parentheses).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import batched
from typing import Any

from archive.search.backends.base import FACET_TABLE, UNIT_TABLE, Match, Term, parse
from archive.search.text import MARK_END, MARK_START

FTS_TABLE = "archive_search_fts"
FTS_COLUMNS = ("title", "names", "subjects", "identifier", "notes")
# bm25() weights, in column order: titles and names first, notes last.
WEIGHTS = "10.0, 6.0, 3.0, 3.0, 1.0"


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def to_fts(query: str, field: str) -> tuple[str, str]:
    """(positive expression, excluded expression) in FTS5 syntax; either may be empty.

    The excluded expression is only used when the query has no positive word at all
    (``-draft``), which FTS5 cannot express on its own.
    """
    prefix = "" if field == "all" else f"{field} : "

    def phrase(term: Term) -> str:
        return prefix + _quote(term.text)

    alternatives: list[str] = []
    orphans: list[str] = []
    for group in parse(query):
        wanted = [phrase(t) for t in group if not t.excluded]
        unwanted = [phrase(t) for t in group if t.excluded]
        if not wanted:
            orphans.extend(unwanted)
            continue
        expr = " AND ".join(wanted)
        for term in unwanted:
            expr = f"({expr}) NOT {term}"
        alternatives.append(f"({expr})")
    if alternatives:
        return " OR ".join(alternatives), ""
    return "", " OR ".join(orphans)


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
    cursor.executemany(
        f"INSERT INTO {UNIT_TABLE} (unit_id, collection_id, repository_id, level, sort_title, "
        "begin_year, end_year, online) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        [
            (
                r.unit_id,
                r.collection_id,
                r.repository_id,
                r.level,
                r.sort_title,
                r.begin_year,
                r.end_year,
                r.online,
            )
            for r in rows
        ],
    )
    cursor.executemany(
        f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(FTS_COLUMNS)}) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        [(r.unit_id, r.title, r.names, r.subjects, r.identifier, r.notes) for r in rows],
    )
    facets = [(r.unit_id, kind, key, label) for r in rows for kind, key, label in r.facets]
    if facets:
        cursor.executemany(
            f"INSERT INTO {FACET_TABLE} (unit_id, kind, key, label) VALUES (%s, %s, %s, %s)",
            facets,
        )


def _in(ids: Sequence[int]) -> str:
    return ", ".join(["%s"] * len(ids))


def delete_units(cursor: Any, ids: Sequence[int]) -> None:
    ids = list(ids)
    for table, column in ((FACET_TABLE, "unit_id"), (UNIT_TABLE, "unit_id"), (FTS_TABLE, "rowid")):
        cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({_in(ids)})", ids)


def delete_collection(cursor: Any, collection_id: int) -> None:
    subquery = f"SELECT unit_id FROM {UNIT_TABLE} WHERE collection_id = %s"
    cursor.execute(f"DELETE FROM {FACET_TABLE} WHERE unit_id IN ({subquery})", [collection_id])
    cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({subquery})", [collection_id])
    cursor.execute(f"DELETE FROM {UNIT_TABLE} WHERE collection_id = %s", [collection_id])


def delete_all(cursor: Any) -> None:
    for table in (FACET_TABLE, FTS_TABLE, UNIT_TABLE):
        cursor.execute(f"DELETE FROM {table}")


def match(query: str, field: str) -> Match:
    positive, excluded = to_fts(query, field)
    if positive:
        return Match(
            from_sql=f"{FTS_TABLE} JOIN {UNIT_TABLE} u ON u.unit_id = {FTS_TABLE}.rowid",
            where_sql=f"{FTS_TABLE} MATCH %s",
            where_params=[positive],
            score_sql=f"-bm25({FTS_TABLE}, {WEIGHTS})",
        )
    if not excluded:  # nothing searchable (a lone "OR"): nothing matches
        return Match(from_sql=f"{UNIT_TABLE} u", where_sql="1 = 0", score_sql="0")
    # Only exclusions: everything except what they match.
    return Match(
        from_sql=f"{UNIT_TABLE} u",
        where_sql=f"u.unit_id NOT IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)",
        where_params=[excluded],
        score_sql="0",
        highlight=False,
    )


def snippets(cursor: Any, query: str, field: str, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    positive, _ = to_fts(query, field)
    if not ids or not positive:
        return {}
    ids = list(ids)
    marks = [MARK_START, MARK_END]
    cursor.execute(
        f"""
        SELECT rowid, highlight({FTS_TABLE}, 0, %s, %s),
               snippet({FTS_TABLE}, 4, %s, %s, ' … ', 24),
               snippet({FTS_TABLE}, 1, %s, %s, ' … ', 24),
               snippet({FTS_TABLE}, 2, %s, %s, ' … ', 24),
               snippet({FTS_TABLE}, 3, %s, %s, ' … ', 24)
        FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid IN ({_in(ids)})
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


# What a matched row must carry for :func:`facet_sql` to count it (beside its unit id,
# repository, collection and level).
FACET_COLUMNS = ""


def facet_sql(source: str) -> str:
    """SQL for (kind, key, label, count) of the top values of each kind over the rows of
    ``source``: repository, collection and level grouped from those rows, the other kinds
    from the facet table. Takes two parameters, the number of decades and of values of any
    other kind to keep."""
    return f"""
        SELECT kind, key, label, n FROM (
            SELECT kind, key, label, n,
                   ROW_NUMBER() OVER (PARTITION BY kind ORDER BY n DESC, key) AS rn
            FROM (
                SELECT fc.kind AS kind, fc.key AS key, MAX(fc.label) AS label, COUNT(*) AS n
                FROM {FACET_TABLE} fc
                WHERE fc.unit_id IN (SELECT unit_id FROM {source})
                  -- rows an index built before these kinds became columns may still hold
                  AND fc.kind NOT IN ('repository', 'collection', 'level')
                GROUP BY fc.kind, fc.key
                UNION ALL
                SELECT 'repository', CAST(repository_id AS TEXT), '', COUNT(*)
                FROM {source} GROUP BY repository_id
                UNION ALL
                SELECT 'collection', CAST(collection_id AS TEXT), '', COUNT(*)
                FROM {source} GROUP BY collection_id
                UNION ALL
                SELECT 'level', level, '', COUNT(*) FROM {source} GROUP BY level
            ) a
        ) t
        WHERE rn <= CASE WHEN kind = 'decade' THEN %s ELSE %s END
    """


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
