"""Every use of the materialised-path tree goes through this module.

Components form a django-treebeard ``MP_Node`` tree: each collection's description is a root
node and its series, files and items are descendants. Paths are fixed-width base-36 steps
(``Component.steplen`` characters per level), so ``ORDER BY path`` is document order, a
subtree is the index range ``[path, path + "Z..."]`` and the parent of a node is a prefix of
its path. Keeping path arithmetic here means the tree library could be swapped in one place.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

from django.db import connection
from django.db.models import QuerySet

from archive.models import Component

STEPLEN: int = Component.steplen
ALPHABET: str = Component.alphabet
# Children one node can have: the steps of STEPLEN characters, "0000" excepted.
MAX_SIBLINGS: int = len(ALPHABET) ** STEPLEN - 1
# Any advisory-lock key will do as long as every caller that allocates a root uses the same one.
ROOT_ALLOCATION_LOCK = 0x666F6E6473  # "fonds"


@functools.lru_cache(maxsize=1 << 16)
def encode_step(position: int) -> str:
    """The fixed-width path step for a 1-based sibling ``position`` (kept for the most
    recent 65,536 positions: a bulk load asks for the same few thousand over and over)."""
    if position < 1:
        raise ValueError("sibling positions start at 1")
    digits = []
    n = position
    while n:
        n, rem = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[rem])
    step = "".join(reversed(digits)).rjust(STEPLEN, ALPHABET[0])
    if len(step) > STEPLEN:
        raise OverflowError(f"more than {MAX_SIBLINGS} siblings under one node")
    return step


def decode_step(step: str) -> int:
    return int(step, len(ALPHABET))


def parent_path(path: str) -> str:
    return path[:-STEPLEN]


def lock_root_allocation() -> None:
    """Serialise allocation of new root paths between concurrent imports (PostgreSQL).

    Must be called inside a transaction. SQLite needs nothing: its write transactions are
    already serialised (the settings open them IMMEDIATE).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROOT_ALLOCATION_LOCK])


def next_root_path() -> str:
    """The path a new collection's root node will take (after the last root)."""
    last = (
        Component.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
    )
    return encode_step(decode_step(last) + 1 if last else 1)


class PathAllocator:
    """Hands out paths for nodes arriving in document order with their depth.

    Used by bulk loaders: feed ``(depth)`` for each node in pre-order and get its path, with
    no query per node. ``depth`` is relative: 1 is the collection root.
    """

    def __init__(self, root_path: str) -> None:
        self.root_path = root_path
        # counters[d] = number of children handed out so far under the open node at depth d.
        self._stack: list[str] = []
        self._counters: list[int] = []

    def allocate(self, depth: int) -> str:
        if depth == 1:
            if self._stack:
                raise ValueError("a collection has a single root")
            self._stack = [self.root_path]
            self._counters = [0]
            return self.root_path
        if not self._stack or depth > len(self._stack) + 1:
            raise ValueError(f"depth {depth} does not follow the previous node")
        del self._stack[depth - 1 :]
        del self._counters[depth - 1 :]
        self._counters[-1] += 1
        path = self._stack[-1] + encode_step(self._counters[-1])
        self._stack.append(path)
        self._counters.append(0)
        return path


def recount_children(collection_id: int) -> None:
    """Recompute treebeard's ``numchild`` for every node of a collection in one statement."""
    with connection.cursor() as cursor:
        table = Component._meta.db_table
        cursor.execute(
            f"""
            UPDATE {table} AS parent SET numchild = (
                SELECT COUNT(*) FROM {table} AS child
                WHERE child.collection_id = parent.collection_id
                  AND child.depth = parent.depth + 1
                  AND child.path > parent.path
                  AND child.path < parent.path || 'ZZZZ'
                  AND substr(child.path, 1, length(parent.path)) = parent.path
            )
            WHERE parent.collection_id = %s
            """,
            [collection_id],
        )


def children(node: Component) -> QuerySet[Component]:
    """Direct children of ``node`` in document order (one indexed range scan)."""
    return Component.objects.filter(
        collection_id=node.collection_id,
        depth=node.depth + 1,
        path__startswith=node.path,
    ).order_by("path")


def descendants(node: Component, *, include_self: bool = False) -> QuerySet[Component]:
    """Everything below ``node``, in document order."""
    qs = Component.objects.filter(collection_id=node.collection_id, path__startswith=node.path)
    if not include_self:
        qs = qs.exclude(pk=node.pk)
    return qs.order_by("path")


def ancestor_paths(path: str) -> list[str]:
    """Paths of every ancestor of the node at ``path``, from the root down."""
    return [path[:end] for end in range(STEPLEN, len(path), STEPLEN)]


def ancestors(node: Component) -> QuerySet[Component]:
    """The node's ancestors from the collection root down (one query)."""
    return Component.objects.filter(path__in=ancestor_paths(node.path)).order_by("path")


def in_document_order(nodes: Iterable[Component]) -> Iterator[Component]:
    return iter(sorted(nodes, key=lambda n: n.path))


# --- Set-based subtree rewrites (used by archive.services.outline) ---------------------------
#
# A move or a reorder changes the path prefix of whole subtrees. Doing it node by node (as
# treebeard's ``move()`` does) costs one UPDATE per node; here each rewrite is one UPDATE over
# an indexed path range, so moving 10,000 components costs about what updating 10,000 rows
# costs. Unique indexes are checked row by row during an UPDATE on both SQLite and PostgreSQL,
# so a rewrite never targets a path that may still be occupied: new prefixes are either fresh
# (after the last sibling) or vacated in an earlier statement of the same transaction.

# The deepest node the path column can hold (the collection's root is at depth 1): 63 with
# 255 characters and steps of 4. Imports refuse a deeper component and outline moves refuse
# to make one, so every path fits the column on every database and the visibility rules
# (``archive.visibility``), which look at ancestors up to this depth, see all of them.
MAX_DEPTH: int = Component._meta.get_field("path").max_length // STEPLEN
# Keep each statement's parameter count well under SQLite's limit (32766).
_REWRITE_BATCH = 500


def subtree_upper_bound(path: str) -> str:
    """An inclusive upper bound for paths in the subtree at ``path`` (for range scans)."""
    return path + ALPHABET[-1] * (Component._meta.get_field("path").max_length - len(path))


def child_steps(parent: Component) -> list[str]:
    """The path steps of ``parent``'s children in document order (gaps possible)."""
    start = len(parent.path)
    return [p[start:] for p in children(parent).values_list("path", flat=True)]


def next_child_path(parent: Component) -> str:
    """The path a new last child of ``parent`` takes (after the last existing child)."""
    steps = child_steps(parent)
    return parent.path + encode_step(decode_step(steps[-1]) + 1 if steps else 1)


def subtree_max_depth(node: Component) -> int:
    from django.db.models import Max

    return (
        Component.objects.filter(
            collection_id=node.collection_id,
            path__gte=node.path,
            path__lte=subtree_upper_bound(node.path),
        ).aggregate(m=Max("depth"))["m"]
        or node.depth
    )


def rewrite_subtree_prefix(
    *, old_path: str, new_path: str, collection_id: int, new_collection_id: int
) -> int:
    """Move every row of the subtree at ``old_path`` to ``new_path`` in one UPDATE.

    Depths shift by the difference in prefix length and the rows take ``new_collection_id``.
    ``new_path`` must be unoccupied (and not inside the subtree). Returns the rows changed.
    """
    table = Component._meta.db_table
    delta = (len(new_path) - len(old_path)) // STEPLEN
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table}
               SET path = CAST(%s AS varchar(255)) || substr(path, %s),
                   depth = depth + %s,
                   collection_id = %s
             WHERE collection_id = %s AND path >= %s AND path <= %s
            """,
            [
                new_path,
                len(old_path) + 1,
                delta,
                new_collection_id,
                collection_id,
                old_path,
                subtree_upper_bound(old_path),
            ],
        )
        return cursor.rowcount


def _rewrite_child_steps_once(parent: Component, mapping: list[tuple[str, str]]) -> int:
    """One UPDATE: under ``parent``, the subtree at each old step moves to its new step."""
    table = Component._meta.db_table
    start = len(parent.path) + 1
    whens = " ".join("WHEN %s THEN %s" for _ in mapping)
    placeholders = ", ".join("%s" for _ in mapping)
    params: list = [parent.path, start]
    for old, new in mapping:
        params += [old, new]
    params += [start + STEPLEN, parent.collection_id, parent.path]
    params += [subtree_upper_bound(parent.path), parent.depth, start]
    params += [old for old, _ in mapping]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table}
               SET path = CAST(%s AS varchar(255))
                          || CASE substr(path, %s, {STEPLEN}) {whens} END
                          || substr(path, %s)
             WHERE collection_id = %s AND path > %s AND path <= %s AND depth > %s
               AND substr(path, %s, {STEPLEN}) IN ({placeholders})
            """,
            params,
        )
        return cursor.rowcount


def rewrite_child_steps(parent: Component, mapping: dict[str, str]) -> int:
    """Give children of ``parent`` new steps (old step -> new step), with their subtrees.

    The new steps must be free once the old ones are vacated (a permutation, or steps past
    the last child). Two passes: every moving subtree first goes to a fresh step after the
    last child, then to its final step, so no UPDATE ever collides with a row not yet moved.
    Returns the number of rows rewritten in the second pass.
    """
    if not mapping:
        return 0
    existing = child_steps(parent)
    high = max(
        [decode_step(s) for s in existing] + [decode_step(s) for s in mapping.values()] + [0]
    )
    items = list(mapping.items())
    temp = {old: encode_step(high + i) for i, (old, _new) in enumerate(items, start=1)}
    changed = 0
    for first in range(0, len(items), _REWRITE_BATCH):
        batch = items[first : first + _REWRITE_BATCH]
        _rewrite_child_steps_once(parent, [(old, temp[old]) for old, _new in batch])
    for first in range(0, len(items), _REWRITE_BATCH):
        batch = items[first : first + _REWRITE_BATCH]
        changed += _rewrite_child_steps_once(parent, [(temp[old], new) for old, new in batch])
    return changed


def adjust_numchild(node_id: int, delta: int) -> None:
    from django.db.models import F

    Component.objects.filter(pk=node_id).update(numchild=F("numchild") + delta)
