"""Turning ranked index rows into the hits a result list shows (for ``archive.search.query``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils.html import escape

from archive import tree, visibility
from archive.models import Component
from archive.search.results import Crumb, Hit
from archive.search.text import snippet_html


def hydrate(backend: Any, ranked: Sequence[tuple], query: str, field: str) -> list[Hit]:
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
    for date in visibility.public_dates().filter(unit_id__in=ids).order_by("unit_id", "position"):
        if date.display:
            dates[date.unit_id].append(date.display)
    containers: dict[int, list[str]] = defaultdict(list)
    for instance in (
        visibility.public_container_instances()
        .filter(unit_id__in=ids)
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
