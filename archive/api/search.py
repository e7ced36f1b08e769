"""Search: the public search page's query syntax, filters and facets, as JSON.

The query string is read by the same FilterSet as the page (``archive.filters``), so ``q``,
``field``, ``sort``, ``year_from``/``year_to``, ``within`` and every facet parameter mean the
same here; the index holds public units only, so a token changes nothing in the results.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.decorators import decorate_view

from archive.api import schemas
from archive.api.components import unit_title
from archive.api.errors import Error
from archive.api.paging import MAX_LIMIT, with_etag
from archive.filters import SearchFilterSet
from archive.models import Component
from archive.search import search as run_search

router = Router(tags=["search"])

#: Deepest page served: the public page's own bound.
MAX_PAGE = 10_000


@router.get("/search", response={200: schemas.SearchResults, 400: Error, 401: Error, 422: Error})
@decorate_view(with_etag)
def search(
    request: HttpRequest,
    q: str = "",
    page: int = Query(1, ge=1, le=MAX_PAGE),
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """Ranked public hits with facet counts. Facet filters are repeated parameters named after
    the facet kinds listed in the answer (e.g. ``level=file&level=item``)."""
    filterset = SearchFilterSet(request.GET, queryset=Component.objects.none())
    results = run_search(**filterset.search_arguments(), page=page, per_page=limit)
    return {
        "query": results.query,
        "total": results.total,
        "more": results.more,
        "page": results.page,
        "pages": results.num_pages,
        "hits": [
            {
                "component": hit.unit.pk,
                "collection": hit.unit.collection_id,
                "title": unit_title(hit.unit, False) or hit.unit.display_title,
                "level": hit.level,
                "dates": hit.dates,
                "url": hit.url,
            }
            for hit in results.hits
        ],
        "facets": [
            {
                "kind": facet.kind,
                "label": facet.label,
                "values": [
                    {"key": v.key, "label": v.label, "count": v.count, "selected": v.selected}
                    for v in facet.values
                ],
            }
            for facet in results.facets
        ],
    }
