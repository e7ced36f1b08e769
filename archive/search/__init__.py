"""Search over every public collection and component: one interface, a backend per database.

    from archive.search import search
    results = search(query='"Victor Serge" -Trotsky', filters={"level": ["file"]})

PostgreSQL uses weighted ``tsvector`` documents with a GIN index, ``unaccent`` and
``websearch_to_tsquery``; SQLite uses FTS5 with a diacritic-folding tokenizer. Both read the
index kept by ``archive.search.index``, which holds public units only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archive.search.results import FACETS, FIELD_LABELS, SORTS, SearchResults

__all__ = ["FACETS", "FIELD_LABELS", "SORTS", "SearchResults", "search"]


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

    ``query``: web-search syntax ("quoted phrase", ``OR``, ``-excluded``); empty lists
    everything the filters allow. ``filters``: facet kind (see ``FACETS``) -> list of keys,
    each narrowing the results, plus ``year_from``/``year_to`` (years, inclusive, against the
    unit's normalised date span). ``field``: one of ``FIELD_LABELS``. ``sort``: one of
    ``SORTS``. ``collection_id``: search within one collection. ``group_by_collection``: page
    through collections, each with its count and best hits. ``with_facets=False`` skips the
    facet counts (for callers that show none).

    Costs a fixed number of queries (about ten) whatever the number of hits.
    """
    from archive.search.query import run

    return run(
        query=query,
        filters=filters,
        field=field,
        sort=sort,
        page=page,
        per_page=per_page,
        collection_id=collection_id,
        group_by_collection=group_by_collection,
        with_facets=with_facets,
    )
