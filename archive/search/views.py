"""The public search page: parse the query string, call ``search()``, render.

Every control is a link or a GET form, so the page works without JavaScript and every state
of it (query, facets, sort, page, grouping) has its own URL.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from archive.filters import SearchFilterSet
from archive.models import Component
from archive.search import FACETS
from archive.search import search as run_search

# Parameters that mean "a search was asked for" (an empty box submitted still counts).
_SEARCH_PARAMS = {"q", "year_from", "year_to", "within", *FACETS}


def _url(params: QueryDict) -> str:
    return "?" + params.urlencode() if params else "?"


def _with(params: QueryDict, **changes: str | None) -> QueryDict:
    copy = params.copy()
    for name, value in changes.items():
        copy.pop(name, None)
        if value is not None:
            copy[name] = value
    return copy


def _page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 10_000))
    except ValueError:
        return 1


def search(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    filterset = SearchFilterSet(params or None, queryset=Component.objects.none())
    asked = bool(_SEARCH_PARAMS & set(params.keys()))
    results = None
    if asked:
        results = run_search(**filterset.search_arguments(), page=_page_number(params.get("page")))
        base = _with(params, page=None)
        for facet in results.facets:
            for value in facet.values:
                changed = base.copy()
                values = changed.getlist(facet.kind)
                if value.selected:
                    changed.setlist(facet.kind, [v for v in values if v != value.key])
                else:
                    changed.setlist(facet.kind, [*values, value.key])
                value.url = _url(changed)  # type: ignore[attr-defined]
        for chip in results.chips:
            changed = base.copy()
            if chip.kind in FACETS:
                changed.setlist(chip.kind, [v for v in changed.getlist(chip.kind) if v != chip.key])
            else:
                changed.pop(chip.kind, None)
            chip.remove_url = _url(changed)  # type: ignore[attr-defined]
        if results.has_previous:
            results.previous_url = _url(_with(params, page=str(results.page - 1)))  # type: ignore[attr-defined]
        if results.has_next:
            results.next_url = _url(_with(params, page=str(results.page + 1)))  # type: ignore[attr-defined]
        results.toggle_group_url = _url(  # type: ignore[attr-defined]
            _with(base, grouped=None if results.grouped else "on")
        )

    def keep(*dropped: str) -> list[tuple[str, str]]:
        return [(k, v) for k, values in params.lists() if k not in dropped for v in values]

    return render(
        request,
        "archive/search.html",
        {
            "form": filterset.form,
            "results": results,
            "asked": asked,
            # What each GET form must carry over so that submitting it keeps the other filters.
            "keep_in_search_form": keep("q", "field", "sort", "page"),
            "keep_in_year_form": keep("year_from", "year_to", "page"),
        },
    )
