"""What the public may see: one definition used by pages, search, facets, exports and feeds.

A unit of description is public when it is published *and* every unit above it is published:
unpublishing a series hides its files even if their own flag is still set. Notes, agent and
subject links and digital objects are public when their own flag is set and their unit is
public. Agents and subjects are public when their own flag is set.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Length, Substr

from archive import tree
from archive.models import Component


def unpublished_ancestor(unit: str = "") -> Exists:
    """``EXISTS`` an unpublished ancestor of the outer ``Component`` row.

    ``unit`` names the relation to the component when the outer query is over another model
    (``"unit"`` for notes, links and digital objects). The ancestors of a node are the nodes
    whose paths are prefixes of its path. Two equivalent formulations, one per planner:

    - PostgreSQL: unpublished nodes of the collection, shallower than the row, whose path
      equals the row's path cut to their length. The planner starts from the (few)
      unpublished nodes, so each row costs next to nothing.
    - SQLite: the row's path cut at every level, ``path IN (substr(p, 1, 4), substr(p, 1, 8),
      ...)``, probed in the unique path index. SQLite's planner would otherwise walk every
      shallower node of the collection for each row, which is quadratic on a large finding
      aid (9.5 s for one count over a 9,617-component collection).
    """
    prefix = f"{unit}__" if unit else ""
    outer_path = OuterRef(f"{prefix}path")
    candidates = Component.objects.filter(published=False, depth__lt=OuterRef(f"{prefix}depth"))
    if connection.vendor == "sqlite":
        cuts = [Substr(outer_path, 1, tree.STEPLEN * level) for level in range(1, tree.MAX_DEPTH)]
        return Exists(candidates.filter(path__in=cuts))
    return Exists(
        candidates.filter(
            collection_id=OuterRef(f"{prefix}collection_id"),
            path=Substr(outer_path, 1, Length("path")),
        )
    )


def public_units(queryset: QuerySet[Component] | None = None) -> QuerySet[Component]:
    """Only the units the public may see."""
    qs = Component.objects.all() if queryset is None else queryset
    return qs.filter(published=True).exclude(unpublished_ancestor())


def public_unit_ids(collection_id: int) -> set[int]:
    """Ids of every public unit of one collection, from one pass in document order.

    For whole-collection work (indexing an imported finding aid): a node's descendants follow
    it directly in path order, so one walk finds what an unpublished node hides, where the
    ``EXISTS`` of :func:`public_units` would probe the ancestors of every row.
    """
    public: set[int] = set()
    hidden: str | None = None  # path of the unpublished node whose subtree we are in
    rows = (
        Component.objects.filter(collection_id=collection_id)
        .order_by("path")
        .values_list("id", "path", "published")
    )
    for pk, path, published in rows.iterator(chunk_size=5000):
        if hidden is not None and path.startswith(hidden):
            continue
        hidden = None if published else path
        if published:
            public.add(pk)
    return public


def is_public(unit: Component) -> bool:
    """Whether one unit is visible: its own flag and its ancestors' flags (one query)."""
    if not unit.published:
        return False
    paths = tree.ancestor_paths(unit.path)
    if not paths:
        return True
    return not Component.objects.filter(path__in=paths, published=False).exists()
