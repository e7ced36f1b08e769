"""Running a search: the SQL shared by both backends, then turning rows into hits.

A search page costs a fixed number of queries whatever the number of hits: count, page of
ids, snippets, facet counts, then one query each for the units, their ancestors (breadcrumbs),
dates and containers, and the labels of collections and repositories in the facets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection
from django.utils.html import escape

from archive import tree
from archive.models import Component, ContainerInstance, Level, Repository, UnitDate
from archive.search.backends import get_backend
from archive.search.backends.base import FACET_TABLE, FIELDS, NO_MATCH_FROM, Match
from archive.search.results import (
    FACETS,
    SORTS,
    Chip,
    Crumb,
    Facet,
    FacetValue,
    Group,
    Hit,
    SearchResults,
)
from archive.search.text import has_words, snippet_html

FACET_LIMIT = 10
# Counting, ranking and facet counting all cost in proportion to the number of matches; a
# word found in a quarter of a million units would take seconds. Beyond this many matches the
# count stops ("10,000+"), relevance is ranked within the first COUNT_LIMIT matches the index
# returns, and facets count those same matches. Below it everything is exact.
COUNT_LIMIT = 10_000
DECADE_LIMIT = 100
HITS_PER_GROUP = 3
MAX_PER_PAGE = 100
# Facet kinds that are columns of the unit table: filtered without a join.
_MAX_ID = 2**62
_COLUMN_FILTERS = {
    "repository": "u.repository_id",
    "collection": "u.collection_id",
    "level": "u.level",
}


class _Plan:
    """FROM/WHERE/params of "the public units matching the query and the filters"."""

    def __init__(self, match: Match | None) -> None:
        self.match = match
        self.from_sql = match.from_sql if match else NO_MATCH_FROM
        self.from_params = list(match.from_params) if match else []
        self.where: list[str] = [match.where_sql] if match else []
        self.where_params: list[Any] = list(match.where_params) if match else []
        self.score = match.score_sql if match else "0"

    def add(self, sql: str, *params: Any) -> None:
        self.where.append(sql)
        self.where_params.extend(params)

    @property
    def base(self) -> str:
        where = " AND ".join(self.where) or "1 = 1"
        return f"FROM {self.from_sql} WHERE {where}"

    @property
    def params(self) -> list[Any]:
        return [*self.from_params, *self.where_params]


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


def _apply_filters(plan: _Plan, filters: Mapping[str, Any], collection_id: int | None) -> None:
    if collection_id is not None:
        plan.add("u.collection_id = %s", collection_id)
    for kind in FACETS:
        for key in _as_list(filters.get(kind)):
            if kind in _COLUMN_FILTERS:
                value = key if kind == "level" else _to_int(key, _MAX_ID)
                plan.add(f"{_COLUMN_FILTERS[kind]} = %s", value)
            elif kind == "online":
                plan.add("u.online = %s", True)
            elif kind == "decade":
                decade = _to_int(key)
                if decade is not None:
                    plan.add("u.end_year >= %s AND u.begin_year <= %s", decade, decade + 9)
            else:
                plan.add(
                    f"u.unit_id IN (SELECT unit_id FROM {FACET_TABLE} "
                    "WHERE kind = %s AND key = %s)",
                    kind,
                    key,
                )
    year_from, year_to = _to_int(filters.get("year_from")), _to_int(filters.get("year_to"))
    if year_from is not None:
        plan.add("u.end_year >= %s", year_from)
    if year_to is not None:
        plan.add("u.begin_year <= %s", year_to)


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def run(
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
    backend = get_backend()
    query = (query or "").strip()
    field = field if field in FIELDS else "all"
    sort = sort if sort in SORTS else "relevance"
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    page = max(1, int(page))
    if collection_id is not None:
        # An id beyond any database key names no collection: search within nothing.
        collection_id = _to_int(collection_id, _MAX_ID) or -1
    match = backend.match(query, field) if has_words(query) else None
    # A query made only of exclusions matches without a score: order it as a listing.
    has_query = match is not None and match.highlight
    plan = _Plan(match)
    _apply_filters(plan, filters, collection_id)

    results = SearchResults(
        query=query,
        field=field,
        sort=sort,
        page=page,
        per_page=per_page,
        total=0,
        grouped=group_by_collection,
    )
    total = _fetch(
        f"SELECT COUNT(*) FROM (SELECT 1 {plan.base} LIMIT %s) t",
        [*plan.params, COUNT_LIMIT + 1],
    )[0][0]
    results.more = total > COUNT_LIMIT
    results.total = min(total, COUNT_LIMIT)
    if results.total:
        if group_by_collection:
            ranked = _groups(plan, results, sort, has_query)
        elif results.more and has_query and sort == "relevance":
            # Rank only a window of the matches: the score is computed for COUNT_LIMIT rows,
            # not for every match (see COUNT_LIMIT).
            ranked = _fetch(
                f"SELECT unit_id, score FROM (SELECT u.unit_id, u.sort_title, "
                f"{plan.score} AS score {plan.base} LIMIT %s) w "
                "ORDER BY score DESC, sort_title ASC, unit_id ASC LIMIT %s OFFSET %s",
                [*plan.params, COUNT_LIMIT, per_page, (page - 1) * per_page],
            )
        else:
            ranked = _fetch(
                f"SELECT u.unit_id, {plan.score} AS score {plan.base} "
                f"ORDER BY {_order(sort, has_query, plan.score)} LIMIT %s OFFSET %s",
                [*plan.params, per_page, (page - 1) * per_page],
            )
        hits = _hydrate(backend, ranked, query if match and match.highlight else "", field)
        if group_by_collection:
            by_collection: dict[int, list[Hit]] = defaultdict(list)
            for hit in hits:
                by_collection[hit.unit.collection_id].append(hit)
            for group in results.groups:
                group.hits = by_collection.get(group.collection_id, [])
        else:
            results.hits = hits
        if with_facets:
            results.facets = _facets(plan, filters, sample=results.more)
    results.chips = _chips(filters, results.facets, collection_id)
    if group_by_collection and results.groups:
        _label_groups(results.groups)
    return results


def _groups(plan: _Plan, results: SearchResults, sort: str, has_query: bool) -> list[tuple]:
    """Fill ``results.groups`` (one page of collections) and return their top hits' ids."""
    results.group_total = _fetch(
        f"SELECT COUNT(DISTINCT u.collection_id) {plan.base}", plan.params
    )[0][0]
    # The score is computed in a materialised CTE: SQLite refuses bm25() inside an aggregate
    # or a window function.
    matched = (
        "WITH m AS MATERIALIZED (SELECT u.unit_id, u.collection_id, u.sort_title, "
        f"u.begin_year, u.end_year, {plan.score} AS score {plan.base}{{extra}}) "
    )
    order = "best DESC, n DESC, collection_id" if has_query else "n DESC, collection_id"
    rows = _fetch(
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
    return _fetch(
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


def _hydrate(backend: Any, ranked: Sequence[tuple], query: str, field: str) -> list[Hit]:
    """Turn (unit id, score) rows into hits, in the same order, with a fixed number of queries."""
    ids = [row[0] for row in ranked]
    units = {
        u.id: u
        for u in Component.objects.filter(id__in=ids).select_related("collection__repository")
    }
    highlighted: dict[int, tuple[str, str]] = {}
    if query:
        with connection.cursor() as cursor:
            highlighted = backend.snippets(cursor, query, field, ids)

    # Breadcrumbs: every ancestor of every hit in one query (paths are unique tree-wide).
    ancestor_paths = {p for u in units.values() for p in tree.ancestor_paths(u.path)}
    ancestors = {
        a.path: a
        for a in Component.objects.filter(path__in=ancestor_paths).only(
            "id", "path", "depth", "title", "identifier", "ref", "level", "collection_id"
        )
    }
    dates: dict[int, list[str]] = defaultdict(list)
    for date in UnitDate.objects.filter(unit_id__in=ids).order_by("unit_id", "position", "id"):
        if date.display:
            dates[date.unit_id].append(date.display)
    containers: dict[int, list[str]] = defaultdict(list)
    for instance in (
        ContainerInstance.objects.filter(unit_id__in=ids)
        .select_related("container")
        .order_by("unit_id", "position", "id")
    ):
        containers[instance.unit_id].append(str(instance))

    hits: list[Hit] = []
    for unit_id, score in ranked:
        unit = units.get(unit_id)
        if unit is None:  # deleted since the index row was read
            continue
        collection = unit.collection
        crumbs = [Crumb(collection.repository.name, collection.repository.get_absolute_url())]
        for path in tree.ancestor_paths(unit.path):
            ancestor = ancestors.get(path)
            if ancestor is not None:
                ancestor.collection = collection  # same collection: no query for its URL
                crumbs.append(Crumb(ancestor.display_title, ancestor.get_absolute_url()))
        title_raw, snippet_raw = highlighted.get(unit_id, ("", ""))
        hits.append(
            Hit(
                unit=unit,
                score=float(score or 0),
                title_html=snippet_html(title_raw) if title_raw else escape(unit.display_title),
                snippet=snippet_html(snippet_raw),
                breadcrumb=crumbs,
                dates=dates.get(unit_id, []),
                containers=containers.get(unit_id, []),
            )
        )
    return hits


def _facets(plan: _Plan, filters: Mapping[str, Any], *, sample: bool = False) -> list[Facet]:
    """Counts per facet value over the filtered set, the top values of each kind.

    Repository, collection and level are columns of the index row and are grouped there; the
    other kinds come from the facet table. With ``sample`` (more than COUNT_LIMIT matches)
    the counts are taken over the first COUNT_LIMIT matches only.
    """
    limit = " LIMIT %s" if sample else ""
    rows = _fetch(
        f"""
        WITH m AS MATERIALIZED (
            SELECT u.unit_id, u.repository_id, u.collection_id, u.level {plan.base}{limit}
        )
        SELECT kind, key, label, n FROM (
            SELECT kind, key, label, n,
                   ROW_NUMBER() OVER (PARTITION BY kind ORDER BY n DESC, key) AS rn
            FROM (
                SELECT fc.kind AS kind, fc.key AS key, MAX(fc.label) AS label, COUNT(*) AS n
                FROM {FACET_TABLE} fc
                WHERE fc.unit_id IN (SELECT unit_id FROM m)
                  -- rows an index built before these kinds became columns may still hold
                  AND fc.kind NOT IN ('repository', 'collection', 'level')
                GROUP BY fc.kind, fc.key
                UNION ALL
                SELECT 'repository', CAST(repository_id AS TEXT), '', COUNT(*)
                FROM m GROUP BY repository_id
                UNION ALL
                SELECT 'collection', CAST(collection_id AS TEXT), '', COUNT(*)
                FROM m GROUP BY collection_id
                UNION ALL
                SELECT 'level', level, '', COUNT(*) FROM m GROUP BY level
            ) a
        ) t
        WHERE rn <= CASE WHEN kind = 'decade' THEN %s ELSE %s END
        """,
        [*plan.params, *([COUNT_LIMIT] if sample else []), DECADE_LIMIT, FACET_LIMIT],
    )
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
        facets.append(Facet(kind=kind, label=heading, values=values))
    return facets


def _label_ids(collections: list[FacetValue], repositories: list[FacetValue]) -> None:
    """Collection and repository names are read live, so a renamed collection needs no reindex."""
    if collections:
        titles = dict(
            Component.objects.filter(
                collection_id__in=[int(v.key) for v in collections], depth=1
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
    filters: Mapping[str, Any], facets: list[Facet], collection_id: int | None
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
        _label_missing(missing)
    for name, text in (("year_from", "From"), ("year_to", "To")):
        year = _to_int(filters.get(name))
        if year is not None:
            chips.append(Chip(kind=name, key=str(year), label=f"{text} {year}"))
    if collection_id is not None:
        title = (
            Component.objects.filter(collection_id=collection_id, depth=1)
            .values_list("title", flat=True)
            .first()
        )
        chips.append(
            Chip(kind="within", key=str(collection_id), label=f"Within: {title or collection_id}")
        )
    return chips


def _label_missing(chips: list[Chip]) -> None:
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
    wanted = {(c.kind, c.key) for c in chips}
    rows = _fetch(
        f"SELECT kind, key, MAX(label) FROM {FACET_TABLE} WHERE "
        + " OR ".join(["(kind = %s AND key = %s)"] * len(wanted))
        + " GROUP BY kind, key",
        [x for pair in wanted for x in pair],
    )
    labels = {(k, key): label for k, key, label in rows if label}
    for chip in chips:
        if chip.kind == "online":
            continue
        label = labels.get((chip.kind, chip.key))
        if label:
            chip.label = f"{FACETS[chip.kind]}: {label}"
