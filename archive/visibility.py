"""What the public may see: one definition used by pages, search, facets, exports and feeds.

A unit of description is public when it is published *and* every unit above it is published:
unpublishing a series hides its files even if their own flag is still set. Notes, agent and
subject links and digital objects are public when their own flag is set and their unit is
public. Agents and subjects are public when their own flag is set.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Exists, Expression, F, OuterRef, QuerySet
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
      aid (9.5 s for one count over a 9,617-component collection). The list is written by
      :class:`_IsPathCut` in one step: as sixty-odd ``Substr`` expressions the ORM spent more
      time compiling it than SQLite spent running the query.
    """
    prefix = f"{unit}__" if unit else ""
    outer_path = OuterRef(f"{prefix}path")
    candidates = Component.objects.filter(published=False, depth__lt=OuterRef(f"{prefix}depth"))
    if connection.vendor == "sqlite":
        return Exists(candidates.filter(_IsPathCut(F("path"), outer_path)))
    return Exists(
        candidates.filter(
            collection_id=OuterRef(f"{prefix}collection_id"),
            path=Substr(outer_path, 1, Length("path")),
        )
    )


class _IsPathCut(Expression):
    """``path IN (substr(outer, 1, 4), substr(outer, 1, 8), ...)`` up to the deepest level."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, path: F, outer: OuterRef) -> None:
        super().__init__()
        self.path, self.outer = path, outer

    def get_source_expressions(self) -> list:
        return [self.path, self.outer]

    def set_source_expressions(self, exprs: list) -> None:
        self.path, self.outer = exprs

    def as_sql(self, compiler, connection):  # noqa: ANN001 - Django's expression protocol
        path_sql, path_params = compiler.compile(self.path)
        outer_sql, outer_params = compiler.compile(self.outer)
        ends = range(tree.STEPLEN, tree.STEPLEN * tree.MAX_DEPTH, tree.STEPLEN)
        cuts = ", ".join(f"substr({outer_sql}, 1, {end})" for end in ends)
        return f"{path_sql} IN ({cuts})", [*path_params, *outer_params * len(ends)]


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
