"""The public search page: parse the query string, call ``search()``, render.

Every control is a link or a GET form, so the page works without JavaScript and every state
of it (query, facets, sort, page, grouping) has its own URL.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse

from archive.filters import SearchFilterSet
from archive.models import Component
from archive.search import FACETS
from archive.search import search as run_search
from archive.search.facets import FACET_SORTS, facet_values

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
            facet.more_url = _facet_url(facet.kind, base)  # type: ignore[attr-defined]
            for value in facet.values:
                changed = _toggled(base, facet.kind, value.key, value.selected)
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
        for group in results.groups:
            group.all_url = _url(  # type: ignore[attr-defined]
                _with(base, grouped=None, within=str(group.collection_id))
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


def _facet_url(kind: str, params: QueryDict) -> str:
    return reverse("archive:search_facet", args=[kind]) + _url(params)


def _toggled(params: QueryDict, kind: str, key: str, selected: bool) -> QueryDict:
    """``params`` with the facet value ``kind``/``key`` added, or removed if ``selected``."""
    changed = params.copy()
    values = changed.getlist(kind)
    changed.setlist(kind, [v for v in values if v != key] if selected else [*values, key])
    return changed


def search_facet(request: HttpRequest, kind: str) -> HttpResponse:
    """Every value of one facet for the search in the query string ("more" view), sorted by
    count or name (``order``), paged (``page``); each value links to the search narrowed by
    it, and the page links back to the search."""
    if kind not in FACETS:
        raise Http404("No such facet.")
    params = request.GET.copy()
    search_params = _with(params, order=None, page=None)
    filterset = SearchFilterSet(search_params or None, queryset=Component.objects.none())
    arguments = filterset.search_arguments()
    values = facet_values(
        kind=kind,
        query=arguments["query"],
        filters=arguments["filters"],
        field=arguments["field"],
        collection_id=arguments["collection_id"],
        sort=params.get("order") or "count",
        page=_page_number(params.get("page")),
    )
    for value in values.values:
        value.url = reverse("archive:search") + _url(  # type: ignore[attr-defined]
            _toggled(search_params, kind, value.key, value.selected)
        )
    sorts = [
        (name, label, _url(_with(params, order=name, page=None)), name == values.sort)
        for name, label in FACET_SORTS.items()
    ]
    pages = {}
    if values.has_previous:
        pages["previous_url"] = _url(_with(params, page=str(values.page - 1)))
    if values.has_next:
        pages["next_url"] = _url(_with(params, page=str(values.page + 1)))
    return render(
        request,
        "archive/search_facet.html",
        {
            "facet": values,
            "sorts": sorts,
            "search_url": reverse("archive:search") + _url(search_params),
            **pages,
        },
    )
