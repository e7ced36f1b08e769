"""PostgreSQL full text: weighted ``tsvector`` documents, a GIN index and ``websearch_to_tsquery``.

Weights: A title, B names (with variant names), C subjects and identifier, D notes. ``ts_rank``
weighs them 1.0, 0.4, 0.2 and 0.1, and its sum over repeated words stays under 1.7 times the
weight, so one title match outranks any number of note-only matches.

Field choice without extra indexes: a tsquery lexeme can carry a weight restriction
(``'serge':A`` matches only title words), so restricting the parsed query to one weight keeps
phrases, OR and exclusions exact within that field and still uses the GIN index. Subjects and
identifiers share weight C, so each also has a small document of its own (not indexed: the
words are found with weight C in the main document, then checked there).

Documents are generated columns (migration 0003): rows are streamed in with ``COPY`` and the
server computes them on its own core while this process builds the next rows.

Accents: the ``fonds`` text search configuration runs every word through ``unaccent`` and then
``simple`` (lower case, no stemming, no stop words), for documents and queries alike.

Facets: each row carries its facet values as ``kind:key`` strings in ``facets text[]``
(migration 0003), in the same GIN index as the document (migration 0004). A selected facet is
an index condition (``facets @> ...``) that the same index scan as the words answers, and one
pass over the matching rows counts every facet; labels live once per key in a small table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any

from archive.search.backends.base import UNIT_TABLE, Match, parse
from archive.search.text import MARK_END, MARK_START, decade_key, has_words

CONFIG = "fonds"
LABEL_TABLE = "archive_search_label"
_WEIGHT = {"title": "A", "names": "B", "notes": "D"}
_OWN_DOCUMENT = {"subjects": "subjects_doc", "identifier": "identifier_doc"}
# A quoted lexeme in the text form of a tsquery ('it''s' doubles its quotes).
_LEXEME = r"('(?:[^']|'')+')"

_COLUMNS = (
    "unit_id, collection_id, repository_id, level, sort_title, begin_year, end_year, online, "
    "title, names, subjects, identifier, notes, facets"
)
_HEADLINE_TITLE = f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"
_HEADLINE_TEXT = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=28, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


def facet_key(kind: str, key: str) -> str:
    """The array element of one facet value ("level:file", "name:12")."""
    return f"{kind}:{key}"


# A unit whose span covers more decades than the index lists (``index.MAX_DECADES``) carries
# this key instead of the decades in between, so the decade filter can still use the index.
WIDE_SPAN = facet_key("span", "wide")


def _facet_keys(r: Any) -> list[str]:
    """The row's facet keys. Repository, collection and level are left out: they are
    columns, filtered and counted there (:func:`facet_sql`), so the GIN index does not hold
    three lists that name nearly every row."""
    keys = [facet_key(kind, key) for kind, key, _label in r.facets]
    if r.wide_span:
        keys.append(WIDE_SPAN)
    return keys


def _array(values: list[str]) -> str:
    """The text form of a ``text[]`` for ``COPY`` (what psycopg's list dumper writes, at a
    fraction of its cost: a collection's worth of rows is a hundred thousand arrays)."""
    quoted = (v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return "{" + ",".join(f'"{v}"' for v in quoted) + "}"


def tune(cursor: Any) -> None:
    """Settings for the search queries of the current transaction.

    A common word's list in the GIN index holds a quarter of the rows; under the default
    4 MB of ``work_mem`` its bitmap turns lossy, and then every row of every page it names is
    read and checked again (three times the rows, measured at 1,000,000 units).

    Past COUNT_LIMIT matches a search ranks and counts the first ones read, often by a
    sequential scan, and a scan of a large table normally starts wherever another one is
    (``synchronize_seqscans``): the same search would then rank different matches from one
    request to the next. Scans start at the first row instead.
    """
    cursor.execute("SET LOCAL work_mem = '32MB'")
    cursor.execute("SET LOCAL synchronize_seqscans = off")


def write(cursor: Any, rows: Iterable[Any]) -> int:
    """Insert index rows with one ``COPY``, streamed while ``rows`` is being built, then the
    labels of their facet values (one row per key, kept current). Returns the rows written.

    The documents are generated columns (migration 0003): the server computes them as rows
    arrive, on its own core, while this process builds the next ones.
    """
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    # psycopg's own cursor (Django's wrapper has no ``copy``), or the cursor given when it is
    # psycopg's already (the import's writer thread, archive.exchange.load.BackgroundWriter)
    raw = getattr(cursor, "cursor", cursor)
    labels: dict[str, str] = {}
    written = 0
    with raw.copy(f"COPY {UNIT_TABLE} ({_COLUMNS}) FROM STDIN") as copy:
        for r in chain([first], rows):
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
                    _array(_facet_keys(r)),
                )
            )
            for kind, key, label in r.facets:
                labels[facet_key(kind, key)] = label
            written += 1
    if labels:
        raw.execute(
            f"INSERT INTO {LABEL_TABLE} (key, label) "
            "SELECT * FROM unnest(%s::text[], %s::text[]) "
            "ON CONFLICT (key) DO UPDATE SET label = EXCLUDED.label "
            f"WHERE {LABEL_TABLE}.label IS DISTINCT FROM EXCLUDED.label",
            [list(labels), list(labels.values())],
        )
    return written


def delete_units(cursor: Any, ids: Sequence[int]) -> None:
    cursor.execute(f"DELETE FROM {UNIT_TABLE} WHERE unit_id = ANY(%s)", [list(ids)])


def delete_collection(cursor: Any, collection_id: int) -> None:
    cursor.execute(f"DELETE FROM {UNIT_TABLE} WHERE collection_id = %s", [collection_id])


def delete_all(cursor: Any) -> None:
    cursor.execute(f"TRUNCATE {UNIT_TABLE}, {LABEL_TABLE}")


def _tsquery(query: str, field: str) -> tuple[str, list[Any]]:
    return _weighted(query, _WEIGHT.get(field, ""))


def _weighted(query: str, weight: str) -> tuple[str, list[Any]]:
    """SQL for the tsquery of ``query``, every lexeme restricted to ``weight`` if given."""
    if weight:
        return (
            f"regexp_replace(websearch_to_tsquery('{CONFIG}', %s)::text, %s, %s, 'g')::tsquery",
            [query, _LEXEME, "\\1:" + weight],
        )
    return f"websearch_to_tsquery('{CONFIG}', %s)", [query]


def _loose(query: str) -> tuple[str, bool]:
    """(a query whose matches include every match of ``query`` and which the GIN index
    answers alone, whether ``query`` has a phrase).

    Phrases are loosened to their words in any order and exclusions are left out; each word
    stays as typed, so the server splits it into lexemes as it does the query ("3.5" and
    "jean-paul" keep their own lexemes). The first part is empty when no such query exists
    (an alternative made only of exclusions matches nearly everything).
    """
    alternatives: list[str] = []
    has_phrase = False
    for group in parse(query):
        words: list[str] = []
        for term in group:
            if term.excluded:
                continue  # leaving out an exclusion only widens the set
            # A leading "-" would exclude, and a lone "or" would join: without them the
            # query only widens.
            chunks = [c.lstrip("-") for c in term.text.replace('"', " ").split()]
            chunks = [c for c in chunks if has_words(c) and c.upper() != "OR"]
            has_phrase = has_phrase or len(chunks) > 1
            words.extend(chunks)
        if not words:
            return "", has_phrase
        alternatives.append(" ".join(words))
    return " OR ".join(alternatives), has_phrase


def match(query: str, field: str) -> Match:
    """The units whose document matches ``query`` (web-search syntax) within ``field``.

    A phrase (``"correspondence letters"``) is checked on each row that has its words, and a
    common pair of words can be in a tenth of the index: with a phrase, the match is looked
    for among the rows that have the words (see ``Match.candidates_sql``).

    Subjects and identifiers share weight C in the document, so a query in one of them is
    found through the document's index (its words, weight C) and then checked on the field's
    own small document, which needs no index of its own.
    """
    expr, params = _tsquery(query, field)
    column = _OWN_DOCUMENT.get(field, "document")
    loose, has_phrase = _loose(query)
    index_sql = ""
    index_params: list[Any] = []
    if column != "document" and loose:
        loose_expr, index_params = _weighted(loose, "C")
        index_sql = f"u.document @@ {loose_expr}"
    elif has_phrase and loose:
        loose_expr, index_params = _tsquery(loose, field)
        index_sql = f"u.document @@ {loose_expr}"
    if has_phrase and index_sql:
        return Match(
            from_sql=f"(SELECT {expr} AS q) qq",
            from_params=params,
            where_sql=f"u.{column} @@ qq.q",
            score_sql=f"ts_rank(u.{column}, qq.q)",
            candidates_sql=index_sql,
            candidates_params=index_params,
        )
    return Match(
        from_sql=f"{UNIT_TABLE} u, (SELECT {expr} AS q) qq",
        from_params=params,
        where_sql=f"{index_sql} AND u.{column} @@ qq.q" if index_sql else f"u.{column} @@ qq.q",
        where_params=index_params,
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


# ------------------------------------------------------------------------------- facets


# Facet kinds that are also columns of the row. Filtered on the column: a level holds most
# rows ("file"), and reading its list from the GIN index costs more than checking the column
# on the rows the words already found (the collection column has an index of its own).
_COLUMN_FACETS = {
    "repository": "u.repository_id",
    "collection": "u.collection_id",
    "level": "u.level",
}


def facet_conditions(selected: Sequence[tuple[str, str]]) -> list[tuple[str, list[Any]]]:
    """The selected facet values that are columns, each tested on its column, and every
    other one in one containment test that the GIN index answers."""
    out: list[tuple[str, list[Any]]] = [
        (f"{_COLUMN_FACETS[kind]} = %s", [key]) for kind, key in selected if kind in _COLUMN_FACETS
    ]
    keys = sorted(
        {
            facet_key(kind, "1" if kind == "online" else key)
            for kind, key in selected
            if kind not in _COLUMN_FACETS
        }
    )
    if keys:
        out.append(("u.facets @> %s::text[]", [keys]))
    return out


def decade_conditions(decade: int) -> list[tuple[str, list[Any]]]:
    """An index condition that holds for every unit overlapping the decade: its decade key,
    or the key of spans too wide to list every decade. The caller's span test stays exact."""
    if decade % 10:
        return []
    return [("u.facets && %s::text[]", [[facet_key("decade", decade_key(decade)), WIDE_SPAN]])]


# What a matched row must carry for :func:`facet_sql` to count it.
FACET_COLUMNS = "u.facets"


def facet_sql(source: str) -> str:
    """SQL for (kind, key, label, count) of the top values of each kind over the rows of
    ``source``: one pass that unnests their facet keys, and one grouping per facet column
    (repository, collection, level), where adding those three to every row's keys cost a
    fifth of the counting. Takes two parameters, the number of decades and of values of
    any other kind to keep."""
    return f"""
        SELECT r.kind, r.key, COALESCE(l.label, ''), r.n
        FROM (
            SELECT kind, key, n,
                   ROW_NUMBER() OVER (PARTITION BY kind ORDER BY n DESC, key) AS rn
            FROM (
                SELECT split_part(k, ':', 1) AS kind, substr(k, strpos(k, ':') + 1) AS key,
                       COUNT(*) AS n
                FROM (SELECT unnest(facets) AS k FROM {source}) t
                GROUP BY k
                UNION ALL
                SELECT 'repository', CAST(repository_id AS TEXT), COUNT(*) FROM {source}
                GROUP BY repository_id
                UNION ALL
                SELECT 'collection', CAST(collection_id AS TEXT), COUNT(*) FROM {source}
                GROUP BY collection_id
                UNION ALL
                SELECT 'level', level, COUNT(*) FROM {source} GROUP BY level
            ) c
        ) r
        LEFT JOIN {LABEL_TABLE} l ON l.key = r.kind || ':' || r.key
        WHERE r.rn <= CASE WHEN r.kind = 'decade' THEN %s ELSE %s END
    """


def facet_labels(cursor: Any, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Labels of facet values that some public unit counts under (a label kept from a value
    that is no longer public is never shown)."""
    if not wanted:
        return {}
    keys = {facet_key(kind, key): (kind, key) for kind, key in wanted}
    cursor.execute(
        f"SELECT l.key, l.label FROM {LABEL_TABLE} l WHERE l.key = ANY(%s) "
        f"AND EXISTS (SELECT 1 FROM {UNIT_TABLE} u WHERE u.facets @> ARRAY[l.key])",
        [list(keys)],
    )
    return {keys[key]: label for key, label in cursor.fetchall() if label}
