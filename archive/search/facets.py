"""Every value of one facet (the sidebar's "more" view), sorted by count or by name, paged.

    from archive.search.facets import facet_values
    page = facet_values(kind="name", query="letters", filters={"level": ["file"]}, sort="name")

The counts are those of the search page for the same query and filters: over every match for
repository, collection and level, and, past ``query.COUNT_LIMIT`` matches, over the first
``query.FACET_SAMPLE`` of them for the other kinds (``FacetPage.sampled``). Only public units
are in the index, so hidden material is never counted or named.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from django.db import connection, transaction

from archive.search import query as search_query
from archive.search.backends import get_backend
from archive.search.backends.base import FIELDS
from archive.search.query import (
    _EXACT_KINDS,
    _facet_list,
    _matched_columns,
    fetch,
    make_plan,
    within_id,
)
from archive.search.results import FACETS, FacetValue, PageNumbers

FACET_SORTS: dict[str, str] = {"count": "Most results first", "name": "Name (A–Z)"}
VALUES_PER_PAGE = 50


@dataclasses.dataclass
class FacetPage(PageNumbers):
    """One page of a facet's values."""

    kind: str
    label: str
    sort: str
    page: int
    per_page: int
    total: int  # distinct values in all
    values: list[FacetValue]
    # Counted over the first ``sample`` matches only (each count is at least the one shown).
    sampled: bool = False
    sample: int = 0


def facet_values(
    *,
    kind: str,
    query: str,
    filters: Mapping[str, Any],
    field: str = "all",
    collection_id: int | None = None,
    sort: str = "count",
    page: int = 1,
    per_page: int = VALUES_PER_PAGE,
) -> FacetPage:
    """Every value of facet ``kind`` (one of ``FACETS``) over the units that ``search()``
    finds with the same ``query``, ``filters``, ``field`` and ``collection_id``; ``sort``
    "count" (most first) or "name". Raises ``KeyError`` for an unknown kind.

    Costs three or four queries whatever the number of values: the values are counted in
    the database, then labelled and sorted here (a kind holds at most a few thousand).
    """
    label = FACETS[kind]
    sort = sort if sort in FACET_SORTS else "count"
    page = max(1, int(page))
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        backend = get_backend()
        backend.tune(cursor)
        field = field if field in FIELDS else "all"
        plan = make_plan(backend, (query or "").strip(), field, filters, within_id(collection_id))
        rows, sampled = _counted(backend, plan, kind)
        facets = _facet_list([(kind, key, text, n) for key, text, n in rows], filters)
    values = facets[0].values if facets else []
    if sort == "name":
        values.sort(key=lambda v: (int(v.key),) if kind == "decade" else (v.label.casefold(),))
    else:
        values.sort(key=lambda v: (-v.count, v.label.casefold()))
    start = (page - 1) * per_page
    return FacetPage(
        kind=kind,
        label=label,
        sort=sort,
        page=page,
        per_page=per_page,
        total=len(values),
        values=values[start : start + per_page],
        sampled=sampled,
        sample=search_query.facet_sample(),
    )


def _counted(backend: Any, plan: Any, kind: str) -> tuple[list[Any], bool]:
    """(key, text, count) of every value of ``kind`` over the plan's matches, and whether they
    were counted over a sample (past ``COUNT_LIMIT`` matches, for the kinds not kept exact)."""
    if kind in _EXACT_KINDS:
        base, params = plan.base_all
        column = _EXACT_KINDS[kind]
        sql = f"SELECT CAST(u.{column} AS TEXT), '', COUNT(*) {base} GROUP BY u.{column}"
        return fetch(sql, params), False
    limit = search_query.COUNT_LIMIT
    total, beyond_candidates = plan.count(limit)
    sampled = total > limit or beyond_candidates
    sample = search_query.facet_sample() if sampled else limit
    matched, params = plan.matched(_matched_columns(backend), sample)
    values_sql, values_params = backend.facet_values_sql("s", kind)
    rows = fetch(
        f"WITH m AS MATERIALIZED ({matched}), s AS (SELECT * FROM m WHERE hit = 1) " + values_sql,
        [*params, *values_params],
    )
    return rows, sampled
