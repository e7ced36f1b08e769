"""Every use of the materialised-path tree goes through this module.

Components form a django-treebeard ``MP_Node`` tree: each collection's description is a root
node and its series, files and items are descendants. Paths are fixed-width base-36 steps
(``Component.steplen`` characters per level), so ``ORDER BY path`` is document order, a
subtree is the index range ``[path, path + "Z..."]`` and the parent of a node is a prefix of
its path. Keeping path arithmetic here means the tree library could be swapped in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db import connection
from django.db.models import QuerySet

from archive.models import Component

STEPLEN: int = Component.steplen
ALPHABET: str = Component.alphabet
# Any advisory-lock key will do as long as every caller that allocates a root uses the same one.
ROOT_ALLOCATION_LOCK = 0x666F6E6473  # "fonds"


def encode_step(position: int) -> str:
    """The fixed-width path step for a 1-based sibling ``position``."""
    if position < 1:
        raise ValueError("sibling positions start at 1")
    digits = []
    n = position
    while n:
        n, rem = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[rem])
    step = "".join(reversed(digits)).rjust(STEPLEN, ALPHABET[0])
    if len(step) > STEPLEN:
        raise OverflowError(f"more than {len(ALPHABET) ** STEPLEN - 1} siblings under one node")
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
