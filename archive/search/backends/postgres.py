"""PostgreSQL full text: weighted ``tsvector`` documents (exact and stemmed) with GIN indexes.

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

Stems: ``fonds_stem`` (migration 0013) does the same, then takes the English Snowball stem
(still no stop words), for a second generated document ``stemmed``. A plain word is looked for
there ("letter" finds "letters"); a quoted word or phrase and a prefix (``lett*``) in the exact
``document``. The query is built from :func:`~archive.search.backends.base.parse` term by term
(``plainto_tsquery``, ``phraseto_tsquery``, prefix ``:*``), the syntax SQLite's backend reads
too. Exact matches of the whole query rank first (:data:`EXACT_BONUS`).

Facets: each row carries its facet values as ``kind:key`` strings in ``facets text[]``
(migration 0003), in the same GIN index as the document (migration 0004). A selected facet is
an index condition (``facets @> ...``) that the same index scan as the words answers, and one
pass over the matching rows counts every facet; labels live once per key in a small table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any

from archive.search import counts
from archive.search.backends.base import UNIT_COLUMNS, UNIT_TABLE, Match, Term, parse, unit_values
from archive.search.text import MARK_END, MARK_START, decade_key

CONFIG = "fonds"
# The same with English stems (migration 0013): "letters" and "letter" share a lexeme.
STEM_CONFIG = "fonds_stem"
LABEL_TABLE = "archive_search_label"
_WEIGHT = {"title": "A", "names": "B", "notes": "D"}
_OWN_DOCUMENT = {"subjects": "subjects_doc", "identifier": "identifier_doc"}
# A quoted lexeme in the text form of a tsquery ('it''s' doubles its quotes).
_LEXEME = r"('(?:[^']|'')+')"

_COLUMNS = ", ".join([*UNIT_COLUMNS, "title", "names", "subjects", "identifier", "notes", "facets"])
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

    Past COUNT_LIMIT matches some facets are counted over the first matches read, often by
    a sequential scan, and a scan of a large table normally starts wherever another one is
    (``synchronize_seqscans``): the same search would then count different matches from one
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
    counted: Counter[tuple[str, str]] = Counter()
    written = 0
    with raw.copy(f"COPY {UNIT_TABLE} ({_COLUMNS}) FROM STDIN") as copy:
        for r in counts.tally(chain([first], rows), counted):
            copy.write_row(
                (
                    *unit_values(r),
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
    counts.add(raw, counted)
    return written


def _delete(cursor: Any, where: str, params: list[Any]) -> None:
    """Delete the rows ``where`` selects and, in the same statement, append ``-1`` per
    deleted row to each key it counted under (``archive.search.counts``)."""
    cursor.execute(
        f"""
        WITH d AS (
            DELETE FROM {UNIT_TABLE} WHERE {where}
            RETURNING repository_id, collection_id, level, facets
        )
        INSERT INTO {counts.COUNT_TABLE} (kind, key, n)
        SELECT kind, key, -COUNT(*) FROM (
            SELECT '{counts.TOTAL}' AS kind, '' AS key FROM d
            UNION ALL SELECT 'repository', CAST(repository_id AS TEXT) FROM d
            UNION ALL SELECT 'collection', CAST(collection_id AS TEXT) FROM d
            UNION ALL SELECT 'level', level FROM d
            UNION ALL
            SELECT split_part(k, ':', 1), substr(k, strpos(k, ':') + 1)
            FROM d, unnest(d.facets) k WHERE k <> '{WIDE_SPAN}'
        ) t GROUP BY kind, key
        """,
        params,
    )


def delete_units(cursor: Any, ids: Sequence[int]) -> None:
    _delete(cursor, "unit_id = ANY(%s)", [list(ids)])


def delete_collection(cursor: Any, collection_id: int) -> None:
    _delete(cursor, "collection_id = %s", [collection_id])


def delete_all(cursor: Any) -> None:
    cursor.execute(f"TRUNCATE {UNIT_TABLE}, {LABEL_TABLE}, {counts.COUNT_TABLE}")


# A facet value's label, for ``counts.top_sql``.
COUNT_LABEL_SQL = f"(SELECT l.label FROM {LABEL_TABLE} l WHERE l.key = t.kind || ':' || t.key)"


def _term(term: Term, config: str, weight: str) -> tuple[str, list[Any]]:
    """The tsquery of one term in ``config``: a phrase keeps its word order, a prefix marks
    its lexemes ``:*``, and ``weight`` (a field) restricts every lexeme."""
    if term.exact and not term.prefix:
        expr = f"phraseto_tsquery('{config}', %s)"
    else:
        expr = f"plainto_tsquery('{config}', %s)"
    suffix = ("*" if term.prefix else "") + weight
    if not suffix:
        return expr, [term.text]
    return (
        f"regexp_replace({expr}::text, %s, %s, 'g')::tsquery",
        [term.text, _LEXEME, "\\1:" + suffix],
    )


def _all(parts: list[tuple[str, list[Any]]], op: str) -> tuple[str, list[Any]]:
    sql = f" {op} ".join(f"({p})" for p, _ in parts)
    return sql, [x for _, params in parts for x in params]


def _tsquery(groups: list[list[Term]], config: str, weight: str) -> tuple[str, list[Any]]:
    """One tsquery for the whole query, every term in ``config`` (for ranking and
    highlighting)."""
    alternatives = []
    for group in groups:
        terms = []
        for t in group:
            sql, params = _term(t, config, weight)
            terms.append((f"!! ({sql})" if t.excluded else sql, params))
        alternatives.append(_all(terms, "&&"))
    return _all(alternatives, "||")


def _column_test(
    column: str, config: str, terms: list[Term], weight: str, *, loose: bool
) -> tuple[str, list[Any]] | None:
    """``column @@`` the terms joined by AND (exclusions negated); None when there is no
    test (``loose``: exclusions left out, phrases loosened to their words)."""
    wanted: list[tuple[str, list[Any]]] = []
    unwanted: list[tuple[str, list[Any]]] = []
    for t in terms:
        if loose and t.excluded:
            continue
        looser = Term(t.text, False, prefix=t.prefix) if loose else t
        (unwanted if t.excluded else wanted).append(_term(looser, config, weight))
    if wanted:
        query = _all([*wanted, *((f"!! ({u})", p) for u, p in unwanted)], "&&")
        return f"{column} @@ ({query[0]})", query[1]
    if unwanted:
        query = _all(unwanted, "||")
        return f"NOT ({column} @@ ({query[0]}))", query[1]
    return None


def _condition(
    groups: list[list[Term]], field: str, *, loose: bool
) -> tuple[str, list[Any]] | None:
    """WHERE of the units matching the query: each word against the stemmed document, each
    phrase and prefix against the exact one. ``loose``: a wider condition that the GIN index
    answers alone (see :func:`match`), None if there is none."""
    own = field in _OWN_DOCUMENT and not loose
    weight = "C" if loose and field in _OWN_DOCUMENT else _WEIGHT.get(field, "")
    if own:
        exact_column = f"u.{_OWN_DOCUMENT[field]}"
        stem_column = f"to_tsvector('{STEM_CONFIG}', u.{field})"
        weight = ""
    else:
        exact_column, stem_column = "u.document", "u.stemmed"
    alternatives = []
    for group in groups:
        tests = [
            _column_test(
                stem_column, STEM_CONFIG, [t for t in group if t.stemmed], weight, loose=loose
            ),
            _column_test(
                exact_column, CONFIG, [t for t in group if not t.stemmed], weight, loose=loose
            ),
        ]
        present = [t for t in tests if t is not None]
        if not present:
            return None
        alternatives.append(_all(present, "AND"))
    return _all(alternatives, "OR")


# Above any ``ts_rank`` (which stays under 1.7 times the highest weight): an exact match
# ranks before every match of the stems only.
EXACT_BONUS = 100


def match(query: str, field: str) -> Match:
    """The units whose documents match ``query`` (web-search syntax) within ``field``.

    A plain word is looked for in the stemmed document ("letter" finds "letters"); a quoted
    phrase or word, and a prefix, in the exact one. Exact matches of the whole query rank
    first, then the rest by the rank of the stemmed query.

    A phrase (``"correspondence letters"``) is checked on each row that has its words, and a
    common pair of words can be in a tenth of the index: with a phrase, the match is looked
    for among the rows that have the words (see ``Match.candidates_sql``).

    Subjects and identifiers share weight C in the documents, so a query in one of them is
    found through the documents' index (its words, weight C) and then checked on the field's
    own text, which needs no index of its own.
    """
    groups = parse(query)
    strict = _condition(groups, field, loose=False)
    if not groups or strict is None:  # nothing searchable (a lone "OR"): nothing matches
        return Match(from_sql=f"{UNIT_TABLE} u", where_sql="1 = 0", score_sql="0")
    weight = "C" if field in _OWN_DOCUMENT else _WEIGHT.get(field, "")
    exact_sql, exact_params = _tsquery(groups, CONFIG, weight)
    stem_sql, stem_params = _tsquery(groups, STEM_CONFIG, weight)
    queries = f"(SELECT {exact_sql} AS x, {stem_sql} AS s) qq"
    score = (
        f"CASE WHEN u.document @@ qq.x THEN {EXACT_BONUS} + ts_rank(u.document, qq.x) "
        "ELSE ts_rank(u.stemmed, qq.s) END"
    )
    positive = any(not t.excluded for g in groups for t in g)
    if not positive:  # only exclusions: nothing to rank or highlight
        return Match(
            from_sql=f"{UNIT_TABLE} u",
            where_sql=strict[0],
            where_params=strict[1],
            score_sql="0",
            highlight=False,
        )
    has_phrase = any(t.exact and len(t.text.split()) > 1 for g in groups for t in g)
    loose = _condition(groups, field, loose=True) if has_phrase or field in _OWN_DOCUMENT else None
    if has_phrase and loose is not None:
        return Match(
            from_sql=queries,
            from_params=[*exact_params, *stem_params],
            where_sql=strict[0],
            where_params=strict[1],
            score_sql=score,
            candidates_sql=loose[0],
            candidates_params=loose[1],
        )
    where_sql, where_params = strict
    if loose is not None:
        where_sql, where_params = _all([loose, strict], "AND")
    return Match(
        from_sql=f"{UNIT_TABLE} u, {queries}",
        from_params=[*exact_params, *stem_params],
        where_sql=where_sql,
        where_params=where_params,
        score_sql=score,
    )


def snippets(cursor: Any, query: str, field: str, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Highlighted title and a short highlighted extract of the other fields, per unit: the
    words sharing a stem with the query's are marked, as they are what matched."""
    groups = parse(query)
    if not ids or not groups:
        return {}
    expr, params = _tsquery(groups, STEM_CONFIG, "")
    cursor.execute(
        f"""
        SELECT u.unit_id,
               ts_headline('{STEM_CONFIG}', u.title, qq.q, %s),
               ts_headline('{STEM_CONFIG}',
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


def facet_values_sql(source: str, kind: str) -> tuple[str, list[Any]]:
    """SQL for (key, label, count) of every value of one facet kind that is not a column
    (see ``_COLUMN_FACETS``) over the rows of ``source``."""
    return (
        f"""
        SELECT substr(t.k, strpos(t.k, ':') + 1), COALESCE(l.label, ''), COUNT(*)
        FROM (SELECT unnest(facets) AS k FROM {source}) t
        LEFT JOIN {LABEL_TABLE} l ON l.key = t.k
        WHERE split_part(t.k, ':', 1) = %s
        GROUP BY t.k, l.label
        """,
        [kind],
    )


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
