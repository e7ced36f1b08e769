"""PostgreSQL full text: weighted ``tsvector`` documents, a GIN index and ``websearch_to_tsquery``.

Weights: A title, B names (with variant names), C subjects and identifier, D notes. ``ts_rank``
weighs them 1.0, 0.4, 0.2 and 0.1, and its sum over repeated words stays under 1.7 times the
weight, so one title match outranks any number of note-only matches.

Field choice without extra indexes: a tsquery lexeme can carry a weight restriction
(``'serge':A`` matches only title words), so restricting the parsed query to one weight keeps
phrases, OR and exclusions exact within that field and still uses the GIN index. Subjects and
identifiers share weight C, so each also has a small document of its own.

Accents: the ``fonds`` text search configuration runs every word through ``unaccent`` and then
``simple`` (lower case, no stemming, no stop words), for documents and queries alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from archive.search.backends.base import FACET_TABLE, UNIT_TABLE, Match
from archive.search.text import MARK_END, MARK_START

CONFIG = "fonds"
_WEIGHT = {"title": "A", "names": "B", "notes": "D"}
_OWN_DOCUMENT = {"subjects": "subjects_doc", "identifier": "identifier_doc"}
# A quoted lexeme in the text form of a tsquery ('it''s' doubles its quotes).
_LEXEME = r"('(?:[^']|'')+')"

_COLUMNS = (
    "unit_id, collection_id, repository_id, level, sort_title, begin_year, end_year, online, "
    "title, names, subjects, identifier, notes"
)
# Index rows arrive by ``COPY`` (the fastest way into PostgreSQL) in a temporary staging table,
# and one ``INSERT ... SELECT`` computes the tsvectors in the server on the way to the index
# table: Python never builds a tsvector, and no row is written twice in the real table.
_STAGE = "fonds_search_stage"
_CREATE_STAGE = f"""
CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} (
    unit_id bigint, collection_id bigint, repository_id bigint, level text, sort_title text,
    begin_year integer, end_year integer, online boolean, title text, names text,
    subjects text, identifier text, notes text
) ON COMMIT DELETE ROWS
"""
_INSERT_UNITS = f"""
INSERT INTO {UNIT_TABLE} ({_COLUMNS}, document, subjects_doc, identifier_doc)
SELECT {_COLUMNS},
       setweight(to_tsvector('{CONFIG}', title), 'A')
       || setweight(to_tsvector('{CONFIG}', names), 'B')
       || setweight(to_tsvector('{CONFIG}', subjects || ' ' || identifier), 'C')
       || setweight(to_tsvector('{CONFIG}', notes), 'D'),
       to_tsvector('{CONFIG}', subjects),
       to_tsvector('{CONFIG}', identifier)
FROM {_STAGE}
"""
_HEADLINE_TITLE = f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"
_HEADLINE_TEXT = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=28, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


def write(cursor: Any, rows: Sequence[Any]) -> None:
    """Insert index rows: ``COPY`` into the staging table, one ``INSERT ... SELECT`` from it,
    and ``COPY`` of the facet rows straight into their table."""
    raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no ``copy``
    raw.execute(_CREATE_STAGE)
    with raw.copy(f"COPY {_STAGE} ({_COLUMNS}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row(
                (
                    r.unit_id,
                    r.collection_id,
                    r.repository_id,
                    r.level,
                    r.sort_title,
                    r.begin_year,
                    r.end_year,
                    r.online,
                    r.title,
                    r.names,
                    r.subjects,
                    r.identifier,
                    r.notes,
                )
            )
    raw.execute(_INSERT_UNITS)
    raw.execute(f"TRUNCATE {_STAGE}")
    with raw.copy(f"COPY {FACET_TABLE} (unit_id, kind, key, label) FROM STDIN") as copy:
        for r in rows:
            unit_id = r.unit_id
            for kind, key, label in r.facets:
                copy.write_row((unit_id, kind, key, label))


def delete_units(cursor: Any, ids: Sequence[int]) -> None:
    cursor.execute(f"DELETE FROM {FACET_TABLE} WHERE unit_id = ANY(%s)", [list(ids)])
    cursor.execute(f"DELETE FROM {UNIT_TABLE} WHERE unit_id = ANY(%s)", [list(ids)])


def delete_collection(cursor: Any, collection_id: int) -> None:
    cursor.execute(
        f"DELETE FROM {FACET_TABLE} WHERE unit_id IN "
        f"(SELECT unit_id FROM {UNIT_TABLE} WHERE collection_id = %s)",
        [collection_id],
    )
    cursor.execute(f"DELETE FROM {UNIT_TABLE} WHERE collection_id = %s", [collection_id])


def delete_all(cursor: Any) -> None:
    cursor.execute(f"TRUNCATE {FACET_TABLE}, {UNIT_TABLE}")


def _tsquery(query: str, field: str) -> tuple[str, list[Any]]:
    if field in _WEIGHT:
        return (
            f"regexp_replace(websearch_to_tsquery('{CONFIG}', %s)::text, %s, %s, 'g')::tsquery",
            [query, _LEXEME, "\\1:" + _WEIGHT[field]],
        )
    return f"websearch_to_tsquery('{CONFIG}', %s)", [query]


def match(query: str, field: str) -> Match:
    """The units whose document matches ``query`` (web-search syntax) within ``field``."""
    expr, params = _tsquery(query, field)
    column = _OWN_DOCUMENT.get(field, "document")
    return Match(
        from_sql=f"{UNIT_TABLE} u, (SELECT {expr} AS q) qq",
        from_params=params,
        where_sql=f"u.{column} @@ qq.q",
        score_sql=f"ts_rank(u.{column}, qq.q)",
    )


def snippets(cursor: Any, query: str, field: str, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Highlighted title and a short highlighted extract of the other fields, per unit."""
    if not ids:
        return {}
    expr, params = _tsquery(query, field)
    cursor.execute(
        f"""
        SELECT u.unit_id,
               ts_headline('{CONFIG}', u.title, qq.q, %s),
               ts_headline('{CONFIG}',
                           concat_ws(' · ', nullif(u.names, ''), nullif(u.subjects, ''),
                                     nullif(u.identifier, ''), nullif(u.notes, '')),
                           qq.q, %s)
        FROM {UNIT_TABLE} u, (SELECT {expr} AS q) qq
        WHERE u.unit_id = ANY(%s)
        """,
        [_HEADLINE_TITLE, _HEADLINE_TEXT, *params, list(ids)],
    )
    return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
