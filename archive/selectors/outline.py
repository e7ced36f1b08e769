"""The outline (the collection's tree on its pages): bounded, paged reads of public children.

Children are paged by a path range with ``LIMIT``, so a node with 13,000 children costs the same
as a node with 3; "has children" comes from treebeard's stored ``numchild``, not a ``COUNT``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import (
    Prefetch,
    QuerySet,
    prefetch_related_objects,
)
from django.http import Http404

from archive import tree
from archive.models import (
    Collection,
    Component,
)
from archive.visibility import (
    is_public,
    public_container_instances,
    public_dates,
    public_units,
)

#: Children per outline batch ("show more" fetches the next batch).
OUTLINE_PAGE_SIZE = 50
#: Siblings shown on each side of the open node when an outline opens at a component.
OUTLINE_WINDOW = 10


@dataclass
class OutlineNode:
    """One line of the outline; ``window`` holds its children when it is shown open."""

    unit: Component
    window: OutlineWindow | None = None
    current: bool = False

    @property
    def has_children(self) -> bool:
        # numchild counts unpublished children too: the worst case is an expander that opens
        # on "no public components", never a leak of what they are.
        return self.unit.numchild > 0

    @property
    def expanded(self) -> bool:
        return self.window is not None


@dataclass
class OutlineWindow:
    """A run of consecutive public children of ``parent``, with cursors to extend it."""

    parent: Component
    nodes: list[OutlineNode] = field(default_factory=list)
    before: str | None = None  # path to page backwards from, when earlier children exist
    after: str | None = None  # path to page forwards from, when later children exist

    @property
    def lines(self) -> list[OutlineLine]:
        """The window and every window open inside it, flattened in document order.

        The template renders this list in one loop instead of including itself once per
        level: a page opened at a component 60 levels down nested 120 includes, and
        Django's template rendering ran out of Python stack (a RecursionError) at about 50.
        """
        out: list[OutlineLine] = []
        # (window, index of its next node); a node whose window is open pushes that window
        stack: list[tuple[OutlineWindow, int]] = [(self, 0)]
        while stack:
            window, at = stack.pop()
            if at == 0:
                if window.before:
                    out.append(OutlineLine("before", window))
                if not window.nodes:
                    out.append(OutlineLine("empty", window))
            if at < len(window.nodes):
                node = window.nodes[at]
                stack.append((window, at + 1))
                if node.window is not None and node.has_children and node.unit.ref:
                    out.append(OutlineLine("open", window, node))
                    stack.append((node.window, 0))
                else:
                    out.append(OutlineLine("node", window, node))
                continue
            if window.after:
                out.append(OutlineLine("after", window))
            if stack:  # the end of an open node's window closes that node
                out.append(OutlineLine("close", window))
        return out


@dataclass
class OutlineLine:
    """One step of :attr:`OutlineWindow.lines`: ``before``/``after`` (a "show more" link of
    ``window``), ``empty`` (the window has no public node), ``node`` (a whole line: leaf or
    closed), ``open`` (a line whose children follow, up to the matching ``close``)."""

    kind: str
    window: OutlineWindow
    node: OutlineNode | None = None


OUTLINE_FIELDS = (
    "id",
    "path",
    "depth",
    "numchild",
    "title",
    "ref",
    "level",
    "other_level",
    "identifier",
    "collection_id",
)


def _child_range(parent: Component) -> QuerySet[Component]:
    """Public children of the public unit ``parent``, bounded by its path range.

    ``parent`` must be public; every caller has established it (a collection page's root is
    published, ``outline_parent`` and ``unit_get`` check ``is_public``, and
    ``outline_around`` walks the ancestors of a public unit). Then a child is public exactly
    when its own flag is set, and no per-row ancestor test is needed: that test made the
    planner compute the visibility of all 13,000 children of a large series before taking
    the first 50 (150 ms at 1,000,000 components).

    The upper bound matters: with only ``LIKE 'path%'`` a query for "children after X" under
    the last child would walk the rest of the collection before giving up.
    """
    return Component.objects.filter(
        collection_id=parent.collection_id,
        depth=parent.depth + 1,
        path__gt=parent.path,
        path__lte=tree.subtree_upper_bound(parent.path),
        published=True,
    ).only(*OUTLINE_FIELDS)


def _attach(units: list[Component], parent: Component) -> None:
    """Give outline rows their collection (already loaded) so URLs cost no query per row."""
    collection = parent.collection
    for unit in units:
        unit.collection = collection


def _with_dates(units: list[Component]) -> list[Component]:
    """Attach each unit's dates in one query (``prefetch_related_objects`` on a plain list)."""
    prefetch_related_objects(units, Prefetch("dates", queryset=public_dates()))
    return units


def outline_children(
    parent: Component,
    *,
    after: str | None = None,
    before: str | None = None,
    limit: int = OUTLINE_PAGE_SIZE,
) -> OutlineWindow:
    """A batch of ``parent``'s public children: the first, those after or before a path.

    Two queries (children, their dates) whatever the number of children: ``LIMIT limit + 1``
    tells whether another batch exists without counting.
    """
    qs = _child_range(parent)
    window = OutlineWindow(parent=parent)
    if before:
        rows = list(qs.filter(path__lt=before).order_by("-path")[: limit + 1])
        if len(rows) > limit:
            rows = rows[:limit]
            window.before = rows[-1].path
        rows.reverse()
        if rows:
            window.after = rows[-1].path  # ``before`` itself and what follows it exist
    else:
        if after:
            qs = qs.filter(path__gt=after)
        rows = list(qs.order_by("path")[: limit + 1])
        if len(rows) > limit:
            rows = rows[:limit]
            window.after = rows[-1].path
        if after and rows:
            window.before = rows[0].path  # ``after`` itself and what precedes it exist
    _attach(rows, parent)
    window.nodes = [OutlineNode(unit=u) for u in _with_dates(rows)]
    return window


def collection_root(collection: Collection) -> Component:
    """The collection's root: the public look-ups find a collection by its root, so it has one."""
    root = collection.root
    if root is None:
        raise Http404("No such collection")
    return root


def outline_top(collection: Collection) -> OutlineWindow:
    """The first batch of the collection's top level."""
    return outline_children(collection_root(collection))


def outline_around(
    unit: Component, ancestry: Sequence[Component], *, open_current: bool = True
) -> OutlineWindow:
    """The outline opened at ``unit``: each ancestor open, with a window of siblings round it.

    Costs three queries per level (siblings before, from, and their dates) whatever the number
    of siblings; the depth of a finding aid is small and bounded by the unit's own depth.
    """
    chain = [*ancestry, unit]
    top: OutlineWindow | None = None
    holder: OutlineNode | None = None
    for parent, focus in zip(chain, chain[1:], strict=False):
        qs = _child_range(parent)
        earlier = list(qs.filter(path__lt=focus.path).order_by("-path")[: OUTLINE_WINDOW + 1])
        later = list(qs.filter(path__gte=focus.path).order_by("path")[: OUTLINE_WINDOW + 2])
        window = OutlineWindow(parent=parent)
        if len(earlier) > OUTLINE_WINDOW:
            earlier = earlier[:OUTLINE_WINDOW]
            window.before = earlier[-1].path
        if len(later) > OUTLINE_WINDOW + 1:
            later = later[: OUTLINE_WINDOW + 1]
            window.after = later[-1].path
        rows = _with_dates([*reversed(earlier), *later])
        _attach(rows, parent)
        window.nodes = [OutlineNode(unit=u, current=u.path == unit.path) for u in rows]
        if holder is None:
            top = window
        else:
            holder.window = window
        holder = next((n for n in window.nodes if n.unit.path == focus.path), None)
        if holder is None:  # the focus is not public: stop opening further down
            break
    assert top is not None
    if open_current and holder is not None and holder.current and unit.numchild:
        # The current node opens too, so a reader without JavaScript can go down a level.
        holder.window = outline_children(unit)
    return top


def outline_parent(*, collection: Collection, ref: str | None) -> Component:
    """The node whose children an outline fragment lists: the root, or a public component."""
    if not ref:
        return collection_root(collection)
    unit = Component.objects.filter(collection=collection, ref=ref).only(*OUTLINE_FIELDS).first()
    if unit is None or not is_public(unit):
        raise Http404("No such component")
    unit.collection = collection
    return unit


def collection_contents(collection: Collection, *, limit: int) -> tuple[list[Component], bool]:
    """Every public unit below the root in document order, for the print view (capped)."""
    qs = (
        public_units(Component.objects.filter(collection=collection, depth__gt=1))
        .only(*OUTLINE_FIELDS)
        .order_by("path")
    )
    rows = list(qs[: limit + 1])
    truncated = len(rows) > limit
    rows = rows[:limit]
    prefetch_related_objects(
        rows,
        Prefetch("dates", queryset=public_dates()),
        Prefetch(
            "container_instances",
            queryset=public_container_instances().select_related("container"),
        ),
    )
    return rows, truncated
