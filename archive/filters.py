"""The search form as a django-filter FilterSet.

The search page binds the query string to :class:`SearchFilterSet` for parsing and validation
only; the filtering itself is done by ``archive.search.search`` against the search index (a
full-text index is not a queryset), so every filter here is a no-op on ``.qs``.
"""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django import forms

from archive.models import Component
from archive.search import FACETS, FIELD_LABELS, SORTS


class AnyValueMultipleField(forms.MultipleChoiceField):
    """Repeated query parameters (``?subject=3&subject=7``) with any value.

    Facet values come from the index and cannot be listed as choices up front; values that
    match nothing simply give no hits.
    """

    def valid_value(self, value: str) -> bool:
        return len(str(value)) <= 255


class FacetFilter(django_filters.MultipleChoiceFilter):
    field_class = AnyValueMultipleField

    def filter(self, qs: Any, value: Any) -> Any:
        return qs


def _ignore(queryset: Any, name: str, value: Any) -> Any:
    return queryset


class SearchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method=_ignore)
    field = django_filters.ChoiceFilter(
        label="Search in", choices=list(FIELD_LABELS.items()), empty_label=None, method=_ignore
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by", choices=list(SORTS.items()), empty_label=None, method=_ignore
    )
    year_from = django_filters.NumberFilter(label="From year", method=_ignore)
    year_to = django_filters.NumberFilter(label="To year", method=_ignore)
    within = django_filters.NumberFilter(label="Within collection", method=_ignore)
    grouped = django_filters.BooleanFilter(
        label="Group by collection", widget=forms.CheckboxInput, method=_ignore
    )

    class Meta:
        model = Component
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("year_from", "year_to", "within"):
            field = cast(forms.IntegerField, self.form.fields[name])
            field.min_value = None
            field.widget.attrs["inputmode"] = "numeric"

    def search_arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``archive.search.search`` from the bound, cleaned form.

        Invalid values are dropped rather than refused: a bad link still shows a search page.
        """
        form = self.form
        form.is_valid()
        data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
        filters: dict[str, Any] = {kind: data.get(kind) or [] for kind in FACETS}
        for name in ("year_from", "year_to"):
            if data.get(name) is not None:
                filters[name] = int(data[name])
        within = data.get("within")
        return {
            "query": data.get("q") or "",
            "field": data.get("field") or "all",
            "sort": data.get("sort") or "relevance",
            "filters": filters,
            "collection_id": int(within) if within is not None else None,
            "group_by_collection": bool(data.get("grouped")),
        }


# One multi-valued filter per facet kind (?level=file&creator=12).
for _kind, _label in FACETS.items():
    SearchFilterSet.base_filters[_kind] = FacetFilter(field_name=_kind, label=_label)
