"""Running a search: the SQL shared by both backends, then turning rows into hits.

A search page costs a fixed number of queries whatever the number of hits: one read of the
matches that gives their count, the page of ranked ids and the facet counts together, then
snippets and one query each for the units, their ancestors (breadcrumbs), dates and
containers, and the labels of collections and repositories in the facets. It runs in one
transaction, with the backend's settings for search (``tune``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, transaction

from archive.models import Component, Level, Repository
from archive.search import counts
from archive.search.backends import get_backend
from archive.search.backends.base import FIELDS, NO_MATCH_FROM, UNIT_TABLE, Match
from archive.search.hits import hydrate
from archive.search.results import (
    FACETS,
    SORTS,
    Chip,
    Facet,
    FacetValue,
    Group,
    Hit,
    SearchResults,
)
from archive.search.text import has_words
from archive.visibility import public_units

FACET_LIMIT = 10
# Up to this many matches one read of them gives the count, the ranked page and every facet
# count. Beyond it (only on catalogues larger than this) a second read of every match, with
# fewer columns, ranks them all and counts them, with exact counts of repositories,
# collections and levels; the other facets (names, subjects, places, genres, languages,
# dates, online content) are then counted over the first FACET_SAMPLE matches, and the page
# says so. Unnesting every match's facet keys is what costs most at a million units.
COUNT_LIMIT = 100_000
FACET_SAMPLE = 10_000
# A phrase is checked on every row that has its words, and two common words can share a
# tenth of the index: the first read looks for the phrase among the first CANDIDATE_LIMIT
# such rows only; when there are more, the second read checks every one of them.
CANDIDATE_LIMIT = 100_000
DECADE_LIMIT = 100
HITS_PER_GROUP = 3
MAX_PER_PAGE = 100
_MAX_ID = 2**62
# Facet kinds that are columns of the unit table, labelled from the catalogue.
_COLUMN_FILTERS = ("repository", "collection", "level")


class _Plan:
    """FROM/WHERE/params of "the public units matching the query and the filters"."""

    def __init__(self, match: Match | None) -> None:
        self.match = match
        self.filters: list[str] = []
        self.filter_params: list[Any] = []
        self.score = match.score_sql if match else "0"
        # The one facet value selected, when it is the only filter and there are no words:
        # the number of matches is then known from the kept counts (``counts.value``).
        self.single: tuple[str, str] | None = None

    def add(self, sql: str, *params: Any) -> None:
        self.filters.append(sql)
        self.filter_params.extend(params)

    @property
    def candidates(self) -> str:
        """The rows a match is looked for among, when the match has candidates: the first
        CANDIDATE_LIMIT rows that pass the filters and the index's loose condition."""
        assert self.match is not None and self.match.candidates_sql
        where = " AND ".join([self.match.candidates_sql, *self.filters])
        return f"SELECT u.* FROM {UNIT_TABLE} u WHERE {where} LIMIT {CANDIDATE_LIMIT:d}"

    @property
    def base(self) -> str:
        match = self.match
        if match is None:
            where = " AND ".join(self.filters) or "1 = 1"
            return f"FROM {NO_MATCH_FROM} WHERE {where}"
        if match.candidates_sql:
            return f"FROM ({self.candidates}) u, {match.from_sql} WHERE {match.where_sql}"
        where = " AND ".join([match.where_sql, *self.filters])
        return f"FROM {match.from_sql} WHERE {where}"

    @property
    def base_all(self) -> tuple[str, list[Any]]:
        """FROM/WHERE of every match, and its parameters (no candidate limit)."""
        match = self.match
        if match is None or not match.candidates_sql:
            return self.base, self.params
        where = " AND ".join([match.candidates_sql, match.where_sql, *self.filters])
        return (
            f"FROM {UNIT_TABLE} u, {match.from_sql} WHERE {where}",
            [
                *match.from_params,
                *match.candidates_params,
                *match.where_params,
                *self.filter_params,
            ],
        )

    @property
    def params(self) -> list[Any]:
        match = self.match
        if match is None:
            return list(self.filter_params)
        if match.candidates_sql:
            return [
                *match.candidates_params,
                *self.filter_params,
                *match.from_params,
                *match.where_params,
            ]
        return [*match.from_params, *match.where_params, *self.filter_params]

    def matched(self, columns: str, limit: int) -> tuple[str, list[Any]]:
        """SELECT of ``columns``, the score and ``hit`` (1 for a match) over at most ``limit``
        matching rows; with candidates, over the candidates, ``hit`` telling the matches."""
        match = self.match
        if match is None or not match.candidates_sql:
            return (
                f"SELECT {columns}, {self.score} AS score, 1 AS hit {self.base} LIMIT %s",
                [*self.params, limit],
            )
        return (
            f"SELECT {columns}, {self.score} AS score, "
            f"CASE WHEN {match.where_sql} THEN 1 ELSE 0 END AS hit "
            f"FROM ({self.candidates}) u, {match.from_sql}",
            [
                *match.where_params,
                *match.candidates_params,
                *self.filter_params,
                *match.from_params,
            ],
        )

    def count(self, limit: int) -> tuple[int, bool]:
        """(matches up to ``limit`` + 1, whether matches were looked for among candidates
        only and more may lie beyond them)."""
        match = self.match
        if match is None or not match.candidates_sql:
            sql = f"SELECT COUNT(*), FALSE FROM (SELECT 1 {self.base} LIMIT %s) t"
            total, _ = fetch(sql, [*self.params, limit + 1])[0]
            return total, False
        sql = (
            f"SELECT COUNT(*) FILTER (WHERE hit), COUNT(*) FROM (SELECT {match.where_sql} AS hit "
            f"FROM ({self.candidates}) u, {match.from_sql}) t"
        )
        params = [
            *match.where_params,
            *match.candidates_params,
            *self.filter_params,
            *match.from_params,
        ]
        total, looked_at = fetch(sql, params)[0]
        return total, looked_at >= CANDIDATE_LIMIT


def _order(sort: str, has_query: bool, score: str, u: str = "u.") -> str:
    """ORDER BY terms; ``u`` prefixes the unit table's columns ("" inside a CTE)."""
    if sort == "title":
        return f"{u}sort_title ASC, {u}unit_id ASC"
    if sort == "title_desc":
        return f"{u}sort_title DESC, {u}unit_id DESC"
    if sort == "date":
        return f"{u}begin_year ASC NULLS LAST, {u}sort_title ASC, {u}unit_id ASC"
    if sort == "date_desc":
        return f"{u}end_year DESC NULLS LAST, {u}sort_title ASC, {u}unit_id ASC"
    if has_query:
        return f"{score} DESC, {u}sort_title ASC, {u}unit_id ASC"
    return f"{u}collection_id ASC, {u}sort_title ASC, {u}unit_id ASC"


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str | int):
        return [str(value)]
    return [str(v) for v in value if v not in (None, "")]


def _to_int(value: Any, limit: int = 99_999) -> int | None:
    """An integer within ``±limit`` (database integer columns overflow beyond), else None."""
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError, OverflowError):
        return None
    if number is None or abs(number) > limit:
        return None
    return number


def _apply_filters(
    plan: _Plan, filters: Mapping[str, Any], collection_id: int | None, backend: Any
) -> None:
    if collection_id is not None:
        plan.add("u.collection_id = %s", collection_id)
    selected: list[tuple[str, str]] = []
    for kind in FACETS:
        for key in _as_list(filters.get(kind)):
            if kind == "decade":
                decade = _to_int(key)
                if decade is not None:
                    # The span test is the filter; the backend may add an index condition.
                    plan.add("u.end_year >= %s AND u.begin_year <= %s", decade, decade + 9)
                    for sql, params in backend.decade_conditions(decade):
                        plan.add(sql, *params)
            elif kind in ("repository", "collection"):
                number = _to_int(key, _MAX_ID)
                if number is None:
                    plan.add("1 = 0")  # not an id: names nothing
                else:
                    selected.append((kind, str(number)))
            else:
                selected.append((kind, key))
    others = len(plan.filters)
    for sql, params in backend.facet_conditions(selected):
        plan.add(sql, *params)
    year_from, year_to = _to_int(filters.get("year_from")), _to_int(filters.get("year_to"))
    if year_from is not None:
        plan.add("u.end_year >= %s", year_from)
    if year_to is not None:
        plan.add("u.begin_year <= %s", year_to)
    if len(selected) == 1 and not others and year_from is None and year_to is None:
        plan.single = selected[0]


def facet_sample() -> int:
    """How many matches the facets other than repository, collection and level are counted
    over, past COUNT_LIMIT."""
    return min(FACET_SAMPLE, COUNT_LIMIT)


def within_id(collection_id: Any) -> int | None:
    """The collection to search within: an id beyond any database key names none (-1)."""
    if collection_id is None:
        return None
    return _to_int(collection_id, _MAX_ID) or -1


def make_plan(
    backend: Any, query: str, field: str, filters: Mapping[str, Any], collection_id: int | None
) -> _Plan:
    """The public units matching ``query`` in ``field`` and the filters (see ``search``)."""
    match = backend.match(query, field) if has_words(query) else None
    plan = _Plan(match)
    _apply_filters(plan, filters, collection_id, backend)
    return plan


def fetch(sql: str, params: Sequence[Any]) -> list[tuple]:
    """The rows of one query on the default connection."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def search(
    *,
    query: str,
    filters: Mapping[str, Any],
    field: str = "all",
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
    collection_id: int | None = None,
    group_by_collection: bool = False,
    with_facets: bool = True,
) -> SearchResults:
    """Ranked public hits for ``query`` with snippets, facet counts and pagination.

    ``query``: web-search syntax ("quoted phrase", ``OR``, ``-excluded``, ``prefix*``); a
    plain word also finds the words of its stem, exact matches first; empty lists everything
    the filters allow. ``filters``: facet kind (see ``FACETS``) -> list of keys, each
    narrowing the results, plus ``year_from``/``year_to`` (years, inclusive, against the
    unit's normalised date span). ``field``: one of ``FIELD_LABELS``. ``sort``: one of
    ``SORTS``. ``collection_id``: search within one collection. ``group_by_collection``: page
    through collections, each with its count and best hits. ``with_facets=False`` skips the
    facet counts (for callers that show none).

    Costs a fixed number of queries (about ten) whatever the number of hits, in one
    transaction with the backend's settings for search (``tune``).
    """
    results = SearchResults(
        query=(query or "").strip(),
        field=field if field in FIELDS else "all",
        sort=sort if sort in SORTS else "relevance",
        page=max(1, int(page)),
        per_page=max(1, min(int(per_page), MAX_PER_PAGE)),
        total=0,
        grouped=group_by_collection,
        sample=facet_sample(),
    )
    collection_id = within_id(collection_id)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        backend = get_backend()
        backend.tune(cursor)
        plan = make_plan(backend, results.query, results.field, filters, collection_id)
        if group_by_collection:
            _grouped(backend, plan, results, filters, with_facets)
        else:
            _listed(backend, plan, results, filters, with_facets)
        results.chips = _chips(backend, filters, results.facets, collection_id)
        if group_by_collection and results.groups:
            _label_groups(results.groups)
    return results


def _has_query(plan: _Plan) -> bool:
    """Whether the matches are ranked (a query made only of exclusions matches without a
    score: it is ordered as a listing, and nothing is highlighted)."""
    return plan.match is not None and plan.match.highlight


def _listed(
    backend: Any,
    plan: _Plan,
    results: SearchResults,
    filters: Mapping[str, Any],
    with_facets: bool,
) -> None:
    """One page of hits in ``results``, with the facets."""
    has_query = _has_query(plan)
    if plan.match is None and not plan.filters:
        ranked, facet_rows = _browse(backend, results)
    else:
        ranked, facet_rows = _one_pass(backend, plan, results, has_query, with_facets)
    if results.total:
        highlight = results.query if has_query else ""
        results.hits = hydrate(backend, ranked, highlight, results.field)
        results.facets = _facet_list(facet_rows, filters, sampled=results.more)


def _grouped(
    backend: Any,
    plan: _Plan,
    results: SearchResults,
    filters: Mapping[str, Any],
    with_facets: bool,
) -> None:
    """One page of collections in ``results``, each with its best hits, and the facets."""
    has_query = _has_query(plan)
    total, beyond_candidates = plan.count(COUNT_LIMIT)
    results.more = total > COUNT_LIMIT or beyond_candidates
    exact_rows: list[tuple] = []
    if results.more:
        total, _, exact_rows = _every_match(plan, results, has_query, rank=False)
    results.total = total
    if not results.total:
        return
    ranked = _groups(plan, results, results.sort, has_query)
    highlight = results.query if has_query else ""
    by_collection: dict[int, list[Hit]] = defaultdict(list)
    for hit in hydrate(backend, ranked, highlight, results.field):
        by_collection[hit.unit.collection_id].append(hit)
    for group in results.groups:
        group.hits = by_collection.get(group.collection_id, [])
    if with_facets:
        rows = _exact_columns(_facet_rows(backend, plan, sample=results.more), exact_rows)
        results.facets = _facet_list(rows, filters, sampled=results.more)


def _groups(plan: _Plan, results: SearchResults, sort: str, has_query: bool) -> list[tuple]:
    """Fill ``results.groups`` (one page of collections) and return their top hits' ids."""
    results.group_total = fetch(f"SELECT COUNT(DISTINCT u.collection_id) {plan.base}", plan.params)[
        0
    ][0]
    # The score is computed in a materialised CTE: SQLite refuses bm25() inside an aggregate
    # or a window function.
    matched = (
        "WITH m AS MATERIALIZED (SELECT u.unit_id, u.collection_id, u.sort_title, "
        f"u.begin_year, u.end_year, {plan.score} AS score {plan.base}{{extra}}) "
    )
    order = "best DESC, n DESC, collection_id" if has_query else "n DESC, collection_id"
    rows = fetch(
        matched.format(extra="") + "SELECT collection_id, COUNT(*) AS n, MAX(score) AS best FROM m "
        f"GROUP BY collection_id ORDER BY {order} LIMIT %s OFFSET %s",
        [*plan.params, results.per_page, (results.page - 1) * results.per_page],
    )
    results.groups = [
        Group(collection_id=c, title="", url="", count=n, hits=[]) for c, n, _ in rows
    ]
    if not rows:
        return []
    ids = [r[0] for r in rows]
    within = f" AND u.collection_id IN ({', '.join(['%s'] * len(ids))})"
    return fetch(
        matched.format(extra=within)
        + "SELECT unit_id, score FROM (SELECT unit_id, score, ROW_NUMBER() OVER "
        f"(PARTITION BY collection_id ORDER BY {_order(sort, has_query, 'score', '')}) AS rn "
        "FROM m) t WHERE rn <= %s ORDER BY rn",
        [*plan.params, *ids, HITS_PER_GROUP],
    )


def _label_groups(groups: list[Group]) -> None:
    roots = {
        c.collection_id: c
        for c in Component.objects.filter(
            collection_id__in=[g.collection_id for g in groups], depth=1
        ).select_related("collection__repository")
    }
    for group in groups:
        root = roots.get(group.collection_id)
        if root is not None:
            group.title, group.url = root.display_title, root.get_absolute_url()


def _browse(backend: Any, results: SearchResults) -> tuple[list[tuple], list[tuple]]:
    """Everything, with no words or filters: the total and every facet count read from the
    counts kept with the index (``archive.search.counts``), exact whatever the size of the
    catalogue, and the page read in order from the index ``search_unit_browse`` (migration
    0015) for the default order. Sets ``results.total``; returns (ids with scores, facet
    rows). Costs a read of one row per facet value and of one page of units."""
    results.total, facet_rows = counts.totals(backend.COUNT_LABEL_SQL, DECADE_LIMIT, FACET_LIMIT)
    order = _order(results.sort, False, "0")
    ranked = fetch(
        f"SELECT u.unit_id, 0 FROM {UNIT_TABLE} u ORDER BY {order} LIMIT %s OFFSET %s",
        [results.per_page, (results.page - 1) * results.per_page],
    )
    return ranked, facet_rows


def _matched_columns(backend: Any) -> str:
    """The columns of a matched row that ordering and facet counting read."""
    columns = "u.unit_id, u.sort_title, u.begin_year, u.end_year, u.collection_id, "
    columns += "u.repository_id, u.level"
    return f"{columns}, {backend.FACET_COLUMNS}" if backend.FACET_COLUMNS else columns


def _one_pass(
    backend: Any, plan: _Plan, results: SearchResults, has_query: bool, with_facets: bool
) -> tuple[list[tuple], list[tuple]]:
    """Count, one page of ranked ids and the facet counts from one read of the matches.

    The matches (at most COUNT_LIMIT + 1 of them) are read once into a materialised CTE and
    the three answers are taken from it, where three queries would each find them again (on
    PostgreSQL, a word in a quarter of the units costs tens of milliseconds to find).
    Sets ``results.total`` and ``results.more``; returns (ranked ids with scores, facet rows).
    """
    if plan.match is None and plan.single is not None:
        if counts.value(*plan.single) > COUNT_LIMIT:
            # Known to be past COUNT_LIMIT: straight to the read of every match.
            results.more = True
            results.total, ranked, exact_rows = _every_match(plan, results, has_query, rank=True)
            if not with_facets:
                return ranked, []
            return ranked, _exact_columns(_facet_rows(backend, plan, sample=True), exact_rows)
    matched, params = plan.matched(_matched_columns(backend), COUNT_LIMIT + 1)
    offset = (results.page - 1) * results.per_page
    order = _order(results.sort, has_query, "score", "")
    parts = [
        "SELECT 'count', NULL, NULL, CAST(COUNT(*) AS DOUBLE PRECISION), 0 FROM h",
        "SELECT 'looked', NULL, NULL, CAST(COUNT(*) AS DOUBLE PRECISION), 0 FROM m",
        # ORDER BY ... LIMIT keeps only the best rows while reading them (a top-N sort);
        # the positions are then numbered within the page.
        "SELECT 'hit', CAST(unit_id AS TEXT), NULL, CAST(score AS DOUBLE PRECISION), "
        f"ROW_NUMBER() OVER (ORDER BY {order}) "
        f"FROM (SELECT * FROM h ORDER BY {order} LIMIT %s OFFSET %s) r",
    ]
    # Facets count every match, or past COUNT_LIMIT the first FACET_SAMPLE (see COUNT_LIMIT).
    params += [COUNT_LIMIT, facet_sample(), COUNT_LIMIT, results.per_page, offset]
    if with_facets:
        parts.append(f"SELECT f.*, 0 FROM ({backend.facet_sql('s')}) f")
        params += [DECADE_LIMIT, FACET_LIMIT]
    rows = fetch(
        f"WITH m AS MATERIALIZED ({matched}), h AS (SELECT * FROM m WHERE hit = 1), "
        "s AS (SELECT * FROM h LIMIT (SELECT CASE WHEN COUNT(*) > %s THEN %s ELSE %s END FROM h)) "
        + " UNION ALL ".join(parts),
        params,
    )
    total, looked, ranked, facet_rows = _one_pass_parts(rows)
    beyond_candidates = bool(plan.match and plan.match.candidates_sql) and (
        looked >= CANDIDATE_LIMIT
    )
    results.more = total > COUNT_LIMIT or beyond_candidates
    results.total = total
    if results.more:
        results.total, ranked_all, exact_rows = _every_match(plan, results, has_query, rank=True)
        return ranked_all, _exact_columns(facet_rows, exact_rows)
    ranked.sort(key=lambda row: row[2])
    return [(unit_id, score) for unit_id, score, _ in ranked], facet_rows


# Facet kinds counted over every match past COUNT_LIMIT: a column of every index row.
_EXACT_KINDS = {"repository": "repository_id", "collection": "collection_id", "level": "level"}


def _every_match(
    plan: _Plan, results: SearchResults, has_query: bool, *, rank: bool
) -> tuple[int, list[tuple], list[tuple]]:
    """(count, the page of ranked ids with scores, exact facet rows of repository, collection
    and level) from one read of every match, past COUNT_LIMIT.

    Reads a few columns of each match (no facet keys) into a materialised CTE, then counts,
    groups and keeps the best rows with a top-N sort: the first page is the best of all
    matches, never of a sample. Costs time in proportion to the number of matches.
    """
    base, params = plan.base_all
    order = _order(results.sort, has_query, "score", "")
    parts = ["SELECT 'count', NULL, CAST(COUNT(*) AS DOUBLE PRECISION), 0 FROM a"]
    for kind, column in _EXACT_KINDS.items():
        parts.append(
            f"SELECT '{kind}', CAST({column} AS TEXT), CAST(COUNT(*) AS DOUBLE PRECISION), 0 "
            f"FROM a GROUP BY {column}"
        )
    if rank:
        parts.append(
            "SELECT 'hit', CAST(unit_id AS TEXT), CAST(score AS DOUBLE PRECISION), "
            f"ROW_NUMBER() OVER (ORDER BY {order}) "
            f"FROM (SELECT * FROM a ORDER BY {order} LIMIT %s OFFSET %s) r"
        )
        params = [*params, results.per_page, (results.page - 1) * results.per_page]
    rows = fetch(
        "WITH a AS MATERIALIZED (SELECT u.unit_id, u.sort_title, u.begin_year, u.end_year, "
        f"u.collection_id, u.repository_id, u.level, {plan.score} AS score {base}) "
        + " UNION ALL ".join(parts),
        params,
    )
    total = 0
    ranked: list[tuple[int, float, int]] = []
    by_kind: dict[str, list[tuple]] = defaultdict(list)
    for part, key, number, position in rows:
        if part == "count":
            total = int(number)
        elif part == "hit":
            ranked.append((int(key), number, position))
        else:
            by_kind[part].append((part, key, "", int(number)))
    facet_rows = [
        row
        for values in by_kind.values()
        for row in sorted(values, key=lambda r: (-r[3], r[1]))[:FACET_LIMIT]
    ]
    ranked.sort(key=lambda row: row[2])
    return total, [(unit_id, score) for unit_id, score, _ in ranked], facet_rows


def _exact_columns(sampled: list[tuple], exact: list[tuple]) -> list[tuple]:
    """The facet rows of a sample, with the exact rows of the kinds counted over every match
    in place of the sample's."""
    if not exact:
        return sampled
    return [*(r for r in sampled if r[0] not in _EXACT_KINDS), *exact]


def _one_pass_parts(
    rows: list[tuple],
) -> tuple[int, int, list[tuple[int, float, int]], list[tuple]]:
    """Sort the rows of :func:`_one_pass`'s query by the part that made them: the count of
    hits, the count of matches looked at, the hits (id, score, position), the facet rows."""
    total = looked = 0
    ranked: list[tuple[int, float, int]] = []
    facet_rows: list[tuple] = []
    for part, key, label, number, position in rows:
        if part == "count":
            total = int(number)
        elif part == "looked":
            looked = int(number)
        elif part == "hit":
            ranked.append((int(key), number, position))
        else:
            facet_rows.append((part, key, label, int(number)))
    return total, looked, ranked, facet_rows


def _facet_rows(backend: Any, plan: _Plan, *, sample: bool = False) -> list[tuple]:
    """(kind, key, label, count) of the top values of each facet over the filtered set.

    With ``sample`` (more than COUNT_LIMIT matches) the counts are taken over the first
    FACET_SAMPLE matches only.
    """
    matched, params = plan.matched(_matched_columns(backend), facet_sample() if sample else _MAX_ID)
    return fetch(
        f"WITH m AS MATERIALIZED ({matched}), s AS (SELECT * FROM m WHERE hit = 1) "
        + backend.facet_sql("s"),
        [*params, DECADE_LIMIT, FACET_LIMIT],
    )


def _facet_list(
    rows: Sequence[tuple], filters: Mapping[str, Any], *, sampled: bool = False
) -> list[Facet]:
    """Facets in sidebar order from (kind, key, label, count) rows; with ``sampled``, those
    not counted over every match are marked so."""
    level_labels = dict(Level.choices)
    by_kind: dict[str, list[FacetValue]] = defaultdict(list)
    for kind, key, label, count in rows:
        selected = key in _as_list(filters.get(kind))
        by_kind[kind].append(
            FacetValue(
                key=key,
                label=label or level_labels.get(key, key) if kind == "level" else label or key,
                count=count,
                selected=selected,
            )
        )
    _label_ids(by_kind.get("collection", []), by_kind.get("repository", []))
    facets = []
    for kind, heading in FACETS.items():
        values = by_kind.get(kind)
        if not values:
            continue
        if kind == "decade":
            values.sort(key=lambda v: int(v.key))
        else:
            values.sort(key=lambda v: (-v.count, v.label.casefold()))
        facets.append(
            Facet(
                kind=kind,
                label=heading,
                values=values,
                sampled=sampled and kind not in _EXACT_KINDS,
            )
        )
    return facets


def _label_ids(collections: list[FacetValue], repositories: list[FacetValue]) -> None:
    """Collection and repository names are read live, so a renamed collection needs no reindex."""
    if collections:
        # Only public collections are named: an id of a hidden one shows as the bare id, as
        # an id that names nothing does.
        titles = dict(
            public_units(
                Component.objects.filter(
                    collection_id__in=[int(v.key) for v in collections], depth=1
                )
            ).values_list("collection_id", "title")
        )
        for value in collections:
            value.label = titles.get(int(value.key)) or value.key
    if repositories:
        names = dict(
            Repository.objects.filter(id__in=[int(v.key) for v in repositories]).values_list(
                "id", "name"
            )
        )
        for value in repositories:
            value.label = names.get(int(value.key)) or value.key


def _chips(
    backend: Any, filters: Mapping[str, Any], facets: list[Facet], collection_id: int | None
) -> list[Chip]:
    known = {(f.kind, v.key): v.label for f in facets for v in f.values}
    chips: list[Chip] = []
    missing: list[Chip] = []
    for kind, heading in FACETS.items():
        for key in _as_list(filters.get(kind)):
            label = known.get((kind, key))
            text = heading if kind == "online" else f"{heading}: {label or key}"
            chip = Chip(kind=kind, key=key, label=text)
            chips.append(chip)
            if label is None:
                missing.append(chip)
    if missing:
        _label_missing(backend, missing)
    for name, text in (("year_from", "From"), ("year_to", "To")):
        year = _to_int(filters.get(name))
        if year is not None:
            chips.append(Chip(kind=name, key=str(year), label=f"{text} {year}"))
    if collection_id is not None:
        # Named only when public; a hidden collection reads like an unknown id.
        title = (
            public_units(Component.objects.filter(collection_id=collection_id, depth=1))
            .values_list("title", flat=True)
            .first()
        )
        chips.append(
            Chip(kind="within", key=str(collection_id), label=f"Within: {title or collection_id}")
        )
    return chips


def _label_missing(backend: Any, chips: list[Chip]) -> None:
    """Labels of selected values absent from the counts (a search with no hits)."""
    columns = [c for c in chips if c.kind in _COLUMN_FILTERS]
    if columns:
        levels = dict(Level.choices)
        collections = [FacetValue(c.key, c.key, 0) for c in columns if c.kind == "collection"]
        repositories = [FacetValue(c.key, c.key, 0) for c in columns if c.kind == "repository"]
        _label_ids(
            [v for v in collections if _to_int(v.key, _MAX_ID) is not None],
            [v for v in repositories if _to_int(v.key, _MAX_ID) is not None],
        )
        labels = {("collection", v.key): v.label for v in collections}
        labels.update({("repository", v.key): v.label for v in repositories})
        for chip in columns:
            key = (chip.kind, chip.key)
            label = levels.get(chip.key) if chip.kind == "level" else labels.get(key)
            if label:
                chip.label = f"{FACETS[chip.kind]}: {label}"
    chips = [c for c in chips if c.kind not in _COLUMN_FILTERS]
    if not chips:
        return
    with connection.cursor() as cursor:
        labels = backend.facet_labels(cursor, {(c.kind, c.key) for c in chips})
    for chip in chips:
        if chip.kind == "online":
            continue
        label = labels.get((chip.kind, chip.key))
        if label:
            chip.label = f"{FACETS[chip.kind]}: {label}"
