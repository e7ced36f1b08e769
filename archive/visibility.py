"""What the public may see: one definition used by pages, search, facets, exports and feeds.

A unit of description is public when it is published *and* every unit above it is published:
unpublishing a series hides its files even if their own flag is still set. Notes, agent and
subject links and digital objects are public when their own flag is set and their unit is
public. Agents and subjects are public when their own flag is set and a public link ties them
to a public unit (:func:`public_authorities`).

Any other element marked ``audience="internal"`` in the source (or unticked "published" in
the admin) is staff-only too, whatever its depth: a unit's dates, extents and container
instances (their ``published`` column), its languages and further identifiers (a
``"published": false`` key in their JSON item), and elements inside a note, a title or any
other stored fragment (``public_fragment`` / ``public_html``). Pages, print view, citation,
search index and facets and public exports all take what they show from here.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import BooleanField, Exists, Expression, F, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr

from archive import tree
from archive.ead.markup import to_html, without_internal
from archive.models import Component, ContainerInstance, Extent, UnitDate

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler


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
      aid (seconds for one count over a collection of ten thousand components). The
      condition is written by :class:`_HiddenAncestorCut` in one step: as sixty-odd
      ``Substr`` expressions the ORM spent more time compiling it than SQLite spent running
      the query, and only hand-written SQL can keep the planner off the index on
      ``published`` (see the class).
    """
    prefix = f"{unit}__" if unit else ""
    outer_path = OuterRef(f"{prefix}path")
    outer_depth = OuterRef(f"{prefix}depth")
    if connection.vendor == "sqlite":
        return Exists(Component.objects.filter(_HiddenAncestorCut(outer_path, outer_depth)))
    return Exists(
        Component.objects.filter(
            published=False,
            depth__lt=outer_depth,
            collection_id=OuterRef(f"{prefix}collection_id"),
            path=Substr(outer_path, 1, Length("path")),
        )
    )


class _HiddenAncestorCut(Expression):
    """SQLite: the row is an unpublished node whose path is a cut of the outer row's path.

    ``path IN (substr(outer, 1, 4), substr(outer, 1, 8), ...) AND +published = 0 AND
    +depth < outer_depth``. The unary ``+`` tells SQLite not to use an index for those two
    terms; without it the planner, which cannot tell that the sixty-odd probes of the unique
    path index are cheap, walked every unpublished node of the database for each outer row
    (seconds instead of milliseconds for one collection page of the search benchmark).
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, outer_path: OuterRef, outer_depth: OuterRef) -> None:
        super().__init__()
        self.path, self.published, self.depth = F("path"), F("published"), F("depth")
        self.outer_path, self.outer_depth = outer_path, outer_depth

    def get_source_expressions(self) -> list[Any]:
        """The five column references, for the compiler to resolve."""
        return [self.path, self.published, self.depth, self.outer_path, self.outer_depth]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        """Take the resolved references back (Django's expression protocol)."""
        self.path, self.published, self.depth, self.outer_path, self.outer_depth = exprs

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        """The condition as SQL (see the class)."""
        parts = [compiler.compile(e) for e in self.get_source_expressions()]
        if any(params for _, params in parts):
            raise ValueError("column references only")
        path, published, depth, outer_path, outer_depth = (sql for sql, _ in parts)
        ends = range(tree.STEPLEN, tree.STEPLEN * tree.MAX_DEPTH, tree.STEPLEN)
        cuts = ", ".join(f"substr({outer_path}, 1, {end})" for end in ends)
        return f"{path} IN ({cuts}) AND +{published} = 0 AND +{depth} < {outer_depth}", ()


def public_units(queryset: QuerySet[Component] | None = None) -> QuerySet[Component]:
    """Only the units the public may see."""
    qs = Component.objects.all() if queryset is None else queryset
    return qs.filter(published=True).exclude(unpublished_ancestor())


# Above this many hidden subtrees a range test per subtree costs more than the EXISTS.
MAX_HIDDEN_RANGES = 50


def hidden_subtrees(collection_id: int) -> list[str]:
    """Paths of the collection's topmost unpublished nodes, in document order.

    Each hides its whole subtree; an unpublished node below another adds nothing. One query
    over the collection's unpublished nodes, which are few in practice.
    """
    tops: list[str] = []
    paths = (
        Component.objects.filter(collection_id=collection_id, published=False)
        .order_by("path")
        .values_list("path", flat=True)
    )
    for path in paths:
        if not (tops and path.startswith(tops[-1])):
            tops.append(path)
    return tops


def outside_subtrees(tops: list[str], field: str = "path") -> Q:
    """Rows whose ``field`` lies in none of the subtrees at ``tops`` (path range tests)."""
    condition = Q()
    for top in tops:
        condition &= ~Q(**{f"{field}__gte": top, f"{field}__lte": tree.subtree_upper_bound(top)})
    return condition


def count_public(queryset: QuerySet[Any], collection_id: int, unit: str = "") -> int:
    """How many rows of ``queryset`` (units, or rows tied to a unit by ``unit``) sit on public
    units. A related row's own ``published`` flag is the caller's filter.

    For counts over one whole collection, where a per-row ``EXISTS`` would probe the ancestors
    of every row. The collection's hidden subtrees are read first (one query); a few become
    range tests in the count, many are checked here against the sorted paths of the rows
    (a second query), so the cost follows the rows counted, never the collection's depth.
    """
    prefix = f"{unit}__" if unit else ""
    queryset = queryset.filter(**{f"{prefix}published": True})
    tops = hidden_subtrees(collection_id)
    if len(tops) <= MAX_HIDDEN_RANGES:
        return queryset.filter(outside_subtrees(tops, f"{prefix}path")).count()
    count = 0
    for path in queryset.values_list(f"{prefix}path", flat=True).iterator(chunk_size=5000):
        at = bisect.bisect_right(tops, path)
        if not (at and path.startswith(tops[at - 1])):
            count += 1
    return count


class PublicWalk:
    """THE rule for units met in document order: a unit is public when it is published and
    no unit above it is unpublished (an unpublished unit hides its whole subtree).

    For one pass over a collection's units in path order (the streamer of public exports,
    the search index feed of an import, :func:`public_unit_ids`): a node's descendants
    follow it directly, so remembering the depth of the unpublished unit whose subtree is
    open is enough, with no query per unit.
    """

    __slots__ = ("hidden_depth",)

    def __init__(self) -> None:
        # Tree depth of the unpublished unit whose subtree we are in, else None.
        self.hidden_depth: int | None = None

    def public(self, depth: int, published: bool) -> bool:
        """Whether the next unit in document order, at ``depth``, is public."""
        hidden = self.hidden_depth
        if hidden is not None:
            if depth > hidden:
                return False
            self.hidden_depth = None
        if not published:
            self.hidden_depth = depth
            return False
        return True


def public_unit_ids(collection_id: int) -> set[int]:
    """Ids of every public unit of one collection, from one pass in document order.

    For whole-collection work (indexing an imported finding aid): a node's descendants follow
    it directly in path order, so one walk finds what an unpublished node hides, where the
    ``EXISTS`` of :func:`public_units` would probe the ancestors of every row.
    """
    walk = PublicWalk()
    rows = (
        Component.objects.filter(collection_id=collection_id)
        .order_by("path")
        .values_list("id", "depth", "published")
    )
    return {
        pk
        for pk, depth, published in rows.iterator(chunk_size=5000)
        if walk.public(depth, published)
    }


def is_public(unit: Component) -> bool:
    """Whether one unit is visible: its own flag and its ancestors' flags (one query)."""
    if not unit.published:
        return False
    paths = tree.ancestor_paths(unit.path)
    if not paths:
        return True
    return not Component.objects.filter(path__in=paths, published=False).exists()


# Above this many ancestor paths, :func:`public_paths` reads the collections' hidden nodes.
MAX_ANCESTOR_PROBES = 5000


def public_paths(units: Iterable[tuple[int, str, bool]]) -> set[str]:
    """Which of ``units`` (collection id, path, own ``published`` flag) are public, in one
    query whatever their number: the rule of :func:`is_public` for many units at once.

    For listings that reach units through another table (an agent's or subject's links):
    the query reads only their ancestors, by the unique path index, so its cost follows the
    units given, never the size of the collections. When they have very many ancestors, the
    unpublished nodes of their collections are read instead (index ``component_unpublished``).
    """
    # path -> its ancestors' paths, for each published unit (a unit given twice counts once)
    candidates = {
        path: (cid, tree.ancestor_paths(path)) for cid, path, published in units if published
    }
    cuts = {cut for _, ancestors in candidates.values() for cut in ancestors}
    if not cuts:
        return set(candidates)
    hidden = _hidden_among(cuts, {c for c, _ in candidates.values()})
    if not hidden:
        return set(candidates)
    return {path for path, (_, ancestors) in candidates.items() if hidden.isdisjoint(ancestors)}


def _hidden_among(paths: set[str], collection_ids: set[int]) -> set[str]:
    """Which of ``paths`` (nodes of the collections ``collection_ids``) are unpublished."""
    if len(paths) > MAX_ANCESTOR_PROBES:
        rows = Component.objects.filter(published=False, collection_id__in=collection_ids)
        return set(rows.values_list("path", flat=True)) & paths
    if connection.vendor == "postgresql":
        # One array parameter: a list of thousands of placeholders costs the client more
        # to compose than the server to answer.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT path FROM {Component._meta.db_table} "
                "WHERE path = ANY(%s) AND NOT published",
                [sorted(paths)],
            )
            return {path for (path,) in cursor.fetchall()}
    rows = Component.objects.filter(published=False, path__in=paths)
    return set(rows.values_list("path", flat=True))


def public_links(links: QuerySet[Any]) -> QuerySet[Any]:
    """Agent or subject links the public may see: published, on a public unit.

    The unit test is correlated to each link (a primary-key look-up plus the ancestor probe)
    rather than ``unit IN (every public unit)``, which SQLite would materialise over the whole
    component table for each query.
    """
    visible = public_units(Component.objects.filter(pk=OuterRef("unit_id")))
    return links.filter(published=True).filter(Exists(visible))


def public_authorities(records: QuerySet[Any]) -> QuerySet[Any]:
    """Agents or subjects (``records`` of either model) the public may see.

    Published, and used: linked from at least one public unit by a public link. An agent
    named only in unpublished or internal description, or only through its relations to
    other agents, is not public: its page answers 404 like an unpublished unit's.
    """
    relation = records.model._meta.get_field("links")  # AgentLink.agent / SubjectLink.subject
    linked = public_links(
        relation.related_model._default_manager.filter(**{relation.field.name: OuterRef("pk")})
    )
    return records.filter(published=True).filter(Exists(linked))


# --------------------------------------------------------------------------- elements


def public_fragment(fragment: str) -> str:
    """A stored fragment (note content, title markup) without its elements marked internal."""
    return without_internal(fragment)


def public_html(fragment: str) -> str:
    """A stored fragment as safe HTML for a public page, elements marked internal left out."""
    return to_html(fragment)


def is_public_item(item: object) -> bool:
    """Whether one date, extent, container instance or revision row, or one JSON item of a
    unit's languages or further identifiers (a dict), is public by its own flag."""
    if isinstance(item, dict):
        return item.get("published", True) is not False
    return bool(getattr(item, "published", True))


def public_items[T](items: Iterable[T]) -> list[T]:
    """The public ones of a unit's dates, extents, container instances (prefetched or not),
    languages or further identifiers."""
    return [item for item in items if is_public_item(item)]


def public_dates() -> QuerySet[UnitDate]:
    """Dates the public may see, in order (for ``Prefetch("dates", ...)``)."""
    return UnitDate.objects.filter(published=True).order_by("position", "id")


def public_extents() -> QuerySet[Extent]:
    return Extent.objects.filter(published=True).order_by("position", "id")


def public_container_instances() -> QuerySet[ContainerInstance]:
    return ContainerInstance.objects.filter(published=True).order_by("position", "id")


# --------------------------------------------------------------------------- finding aids


def public_collections(queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """Finding aids the public may see: their collection-level description is published.

    The same rule as a public export (``services.exports.collection_is_exportable``), as a
    query, for listings over many finding aids (OAI-PMH harvesting).
    """
    from archive.models import Collection

    qs = Collection.objects.all() if queryset is None else queryset
    root = Component.objects.filter(collection_id=OuterRef("pk"), depth=1, published=True)
    return qs.filter(Exists(root))
