"""Editing the outline of a finding aid: add, move and reorder components.

Every operation is one transaction, checks the user's permission (``archive.permissions``),
rewrites paths set-wise (``archive.tree``: one UPDATE per subtree, never one per node),
keeps treebeard's ``numchild`` right, records one history entry for the operation and
refreshes the search index of the collections it touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from archive import permissions, tree
from archive.models import (
    AgentLink,
    Collection,
    Component,
    Container,
    ContainerInstance,
    DigitalObject,
    Extent,
    Level,
    Note,
    SubjectLink,
    UnitDate,
)
from archive.permissions import User
from archive.services.changes import collection_touch
from archive.services.history import history_record

__all__ = [
    "OutlineError",
    "children_reorder",
    "collection_contents_count",
    "component_add",
    "component_delete",
    "component_move",
    "component_shift",
    "components_delete",
    "components_move",
    "parent_of",
    "root_create",
    "search_refresh",
    "subtree_contents_count",
    "units_topmost",
]


class OutlineError(ValidationError):
    """A move or reorder that would break the outline (the message says why)."""


def _lock(*nodes: Component) -> None:
    """Lock the rows of the nodes whose children change, so two edits of one outline queue."""
    ids = [n.pk for n in nodes]
    list(Component.objects.select_for_update().filter(pk__in=ids).values_list("pk"))


def search_refresh(unit: Component) -> None:
    """Refresh the search index rows of ``unit`` and everything below it.

    Call inside the transaction of the change, so readers never see one without the other.
    Does nothing while the search app (``archive.search.index``) is absent.
    """
    try:
        from archive.search.index import reindex_units

        ids = list(_subtree(unit).values_list("pk", flat=True))
        reindex_units(ids)
    except ImportError:  # the search app is optional for the outline editor
        return


def root_create(
    *,
    collection: Collection,
    title: str,
    user: User,
    identifier: str = "",
    level: str = Level.COLLECTION,
) -> Component:
    """The root description of a collection that has none yet (unpublished)."""
    permissions.require_edit(user, collection)
    with transaction.atomic():
        if collection.components.filter(depth=1).exists():
            raise OutlineError("This collection already has its root description.")
        tree.lock_root_allocation()
        root = Component(collection=collection, title=title, identifier=identifier, level=level)
        root._history_user = user
        return Component.objects.add_root(instance=root)


def component_add(
    *,
    parent: Component,
    user: User,
    position: int | None = None,
    unit: Component | None = None,
    **fields: Any,
) -> Component:
    """Add a new component under ``parent`` and return it (unpublished unless told otherwise).

    Pass either the field values or an unsaved ``unit`` (the admin's form instance).
    ``position`` is its 1-based place among the parent's children; ``None`` appends it.
    """
    permissions.require_edit(user, parent)
    if unit is None:
        fields.setdefault("published", False)
        unit = Component(**fields)
    with transaction.atomic():
        _lock(parent)
        parent.refresh_from_db()
        if parent.depth >= tree.MAX_DEPTH:
            raise OutlineError(f"The outline cannot go deeper than {tree.MAX_DEPTH} levels.")
        unit.collection_id = parent.collection_id
        unit._history_user = user
        unit.path = tree.next_child_path(parent)
        unit.depth = parent.depth + 1
        unit.numchild = 0
        unit.full_clean(exclude=["path", "depth", "numchild"])
        unit.save()
        if not unit.ref:
            # Public URLs are built from the machine id: give every new unit one at once.
            unit.ref = f"fonds{unit.pk}"
            Component.objects.filter(pk=unit.pk).update(ref=unit.ref)
        tree.adjust_numchild(parent.pk, 1)
        parent.numchild += 1
        if position is not None:
            _place(parent, unit.pk, position)
            unit.refresh_from_db()
        search_refresh(unit)
    return unit


def parent_of(unit: Component) -> Component:
    """The parent of a component below the root (one indexed lookup)."""
    return Component.objects.get(collection_id=unit.collection_id, path=tree.parent_path(unit.path))


def _order(parent: Component) -> list[int]:
    return list(tree.children(parent).values_list("pk", flat=True))


def _apply_order(parent: Component, order: Sequence[int]) -> int:
    """Renumber ``parent``'s children 1..n in ``order``; returns how many changed place."""
    current = dict(tree.children(parent).values_list("pk", "path"))
    if len(order) != len(current) or set(order) != set(current):
        raise OutlineError("The new order must list every child of the node exactly once.")
    start = len(parent.path)
    mapping = {}
    for index, pk in enumerate(order, start=1):
        old = current[pk][start:]
        new = tree.encode_step(index)
        if old != new:
            mapping[old] = new
    tree.rewrite_child_steps(parent, mapping)
    return len(mapping)


def _place(parent: Component, pk: int, position: int) -> None:
    order = [p for p in _order(parent) if p != pk]
    position = min(max(position, 1), len(order) + 1)
    order.insert(position - 1, pk)
    _apply_order(parent, order)


def children_reorder(*, parent: Component, order: Sequence[int], user: User) -> int:
    """Put ``parent``'s children (ids, every one of them) in ``order``, in one transaction.

    Cost: two UPDATEs per 500 children that change place, each over the rows of their
    subtrees. Returns the number of children that changed place.
    """
    permissions.require_edit(user, parent)
    with transaction.atomic():
        _lock(parent)
        parent.refresh_from_db()
        changed = _apply_order(parent, list(order))
        if changed:
            history_record(parent, user=user, reason=f"Reordered the children ({changed} moved)")
            collection_touch([parent.collection_id])
    # The index does not hold sibling order, so a reorder needs no refresh.
    return changed


def component_shift(*, unit: Component, offset: int, user: User) -> None:
    """Move ``unit`` (with everything below it) ``offset`` places up (<0) or down (>0)."""
    if unit.depth == 1:
        raise OutlineError("A collection's root description has no siblings to move among.")
    parent = parent_of(unit)
    order = _order(parent)
    index = order.index(unit.pk)
    new_index = min(max(index + offset, 0), len(order) - 1)
    if new_index == index:
        return
    order.pop(index)
    order.insert(new_index, unit.pk)
    children_reorder(parent=parent, order=order, user=user)


def component_move(
    *,
    unit: Component,
    parent: Component,
    user: User,
    position: int | None = None,
) -> Component:
    """Move ``unit`` and everything below it under ``parent`` (of any collection).

    ``position`` is the 1-based place among the new parent's children (``None``: last).
    One transaction; one UPDATE over the moved subtree plus, when a position is given, the
    renumbering of the siblings after it. Moving to another collection carries the
    components' container instances over to containers of the same type and indicator
    in the new collection (created when missing).
    """
    permissions.require_edit(user, unit)
    permissions.require_edit(user, parent)
    with transaction.atomic():
        unit.refresh_from_db()
        parent.refresh_from_db()
        _move_refuse(unit, parent)
        old_parent = parent_of(unit)
        _lock(old_parent, parent)
        if old_parent.pk == parent.pk:
            if position is not None:
                _place(parent, unit.pk, position)
                history_record(unit, user=user, reason=f"Moved to position {position}")
                collection_touch([parent.collection_id])
            return unit
        old_collection_id = unit.collection_id
        count = _subtree_move(unit, old_parent, parent)
        if position is not None:
            _place(parent, unit.pk, position)
            unit.refresh_from_db()
        below = count - 1
        history_record(
            unit,
            user=user,
            reason=f"Moved from under “{old_parent.display_title}” to under "
            f"“{parent.display_title}”" + (f" with {below} components below it" if below else ""),
        )
        # Visibility (an unpublished new parent) and the collection may have changed.
        search_refresh(unit)
        collection_touch([old_collection_id, parent.collection_id])
    return unit


def _move_refuse(unit: Component, parent: Component) -> None:
    """Refuse the moves no outline allows: the root, or a unit into its own subtree."""
    if unit.depth == 1:
        raise OutlineError("A collection's root description cannot be moved.")
    if parent.collection_id == unit.collection_id and parent.path.startswith(unit.path):
        raise OutlineError("A component cannot be moved into itself or below itself.")


def _subtree_move(unit: Component, old_parent: Component, parent: Component) -> int:
    """Rewrite the paths (and collection) of ``unit``'s subtree to end under ``parent``, last.

    Refuses a move that would go deeper than the tree allows, or that would give two units of
    the target collection the same machine id. Returns the number of components moved.
    """
    depth_after = tree.subtree_max_depth(unit) - unit.depth + parent.depth + 1
    if depth_after > tree.MAX_DEPTH:
        raise OutlineError(f"The outline cannot go deeper than {tree.MAX_DEPTH} levels.")
    moving_collection = parent.collection_id != unit.collection_id
    if moving_collection:
        _check_refs_free(unit, parent.collection_id)
    old_collection_id = unit.collection_id
    count = tree.rewrite_subtree_prefix(
        old_path=unit.path,
        new_path=tree.next_child_path(parent),
        collection_id=old_collection_id,
        new_collection_id=parent.collection_id,
    )
    tree.adjust_numchild(old_parent.pk, -1)
    tree.adjust_numchild(parent.pk, 1)
    unit.refresh_from_db()
    if moving_collection:
        _carry_containers(unit, old_collection_id)
    return count


def _subtree(unit: Component) -> QuerySet[Component]:
    return Component.objects.filter(
        collection_id=unit.collection_id,
        path__gte=unit.path,
        path__lte=tree.subtree_upper_bound(unit.path),
    )


def _check_refs_free(unit: Component, collection_id: int) -> None:
    """Machine ids are unique per collection: refuse a move that would duplicate one."""
    refs = _subtree(unit).exclude(ref="").values("ref")
    clashes = list(
        Component.objects.filter(collection_id=collection_id, ref__in=refs).values_list(
            "ref", flat=True
        )[:5]
    )
    if clashes:
        raise OutlineError(
            "The other collection already has components with the machine ids "
            + ", ".join(clashes)
            + "; change them before moving."
        )


def _carry_containers(unit: Component, old_collection_id: int) -> None:
    """Point the moved units' container instances at containers of the new collection."""
    instances = ContainerInstance.objects.filter(
        unit__in=_subtree(unit), container__collection_id=old_collection_id
    )
    old_ids = set(instances.values_list("container_id", flat=True))
    for old in Container.objects.filter(pk__in=old_ids):
        new, _ = Container.objects.get_or_create(
            collection_id=unit.collection_id,
            container_type=old.container_type,
            indicator=old.indicator,
            defaults={"barcode": old.barcode, "label": old.label},
        )
        instances.filter(container_id=old.pk).update(container=new)


# --- Deleting -------------------------------------------------------------------------------

#: What goes with a unit, by the model that holds it, in the order a confirmation names them.
_ATTACHED: tuple[tuple[str, tuple[type[Any], ...]], ...] = (
    ("notes", (Note,)),
    ("dates", (UnitDate,)),
    ("extents", (Extent,)),
    ("container instances", (ContainerInstance,)),
    ("digital objects", (DigitalObject,)),
    ("links to names and subjects", (AgentLink, SubjectLink)),
)


def _count_attached(units: QuerySet[Component]) -> dict[str, int]:
    """One COUNT per table over the rows attached to ``units`` (used as a subquery)."""
    ids = units.values("pk")
    return {
        label: sum(model.objects.filter(unit__in=ids).count() for model in models)
        for label, models in _ATTACHED
    }


def subtree_contents_count(*, unit: Component) -> dict[str, int]:
    """What deleting ``unit`` removes: ``components`` (``unit`` itself and everything below
    it) and the rows attached to them, by kind.

    Cost: one COUNT per table, each an indexed range scan of the subtree; no row is loaded,
    so a series of 100,000 components costs the same queries as one of ten.
    """
    units = _subtree(unit)
    return {"components": units.count(), **_count_attached(units)}


def collection_contents_count(*, collection: Collection) -> dict[str, int]:
    """What deleting ``collection`` removes: its components (the root description
    included), the rows attached to them, its boxes and its revision statements.

    Cost: one COUNT per table, like :func:`subtree_contents_count`.
    """
    units = Component.objects.filter(collection_id=collection.pk)
    counts = {"components": units.count(), **_count_attached(units)}
    counts["boxes and other containers"] = Container.objects.filter(
        collection_id=collection.pk
    ).count()
    return counts


def component_delete(*, unit: Component, user: User) -> int:
    """Delete ``unit`` and everything below it, set-wise; returns the components deleted.

    One DELETE per table over the subtree (treebeard's own delete would load every node and
    Django's collector every attached row). The parent's ``numchild`` goes down by one, the
    search rows of the subtree go, the collection is marked changed and one history entry
    ("deleted", with the count below) is recorded for ``unit``. A root description goes
    only with its collection (``services.collections.delete_collection``).
    """
    permissions.require_edit(user, unit)
    if unit.depth == 1:
        raise OutlineError("A collection's root description is deleted with its collection.")
    with transaction.atomic():
        unit.refresh_from_db()
        parent = parent_of(unit)
        _lock(parent)
        units = _subtree(unit)
        ids = list(units.values_list("pk", flat=True))
        _history_deleted(unit, user=user, below=len(ids) - 1)
        _search_remove(ids)
        pks = units.values("pk")
        for _label, models in _ATTACHED:
            for model in models:
                model.objects.filter(unit__in=pks)._raw_delete(model.objects.db)
        units._raw_delete(Component.objects.db)
        tree.adjust_numchild(parent.pk, -1)
        collection_touch([unit.collection_id])
    return len(ids)


def _history_deleted(unit: Component, *, user: User, below: int) -> None:
    """One "deleted" history entry for ``unit``, saying how many components went with it."""
    reason = "Deleted" + (f" with the {below} components below it" if below else "")
    history_record(unit, user=user, reason=reason)
    # history_record writes a "changed" entry; this one records the deletion.
    entry = Component.history.filter(id=unit.pk).latest("history_id")
    Component.history.filter(history_id=entry.history_id).update(history_type="-")


def _search_remove(ids: list[int]) -> None:
    try:
        from archive.search.index import remove_units
    except ImportError:  # the search app is optional for the outline editor
        return
    remove_units(ids)


# --- Many at once (the outline editor's selection) ------------------------------------------


def units_topmost(units: Iterable[Component]) -> list[Component]:
    """The units that are not below another of ``units``, in document order (acting on
    those acts on the rest: a selection of a series and one of its files is the series)."""
    ordered = sorted(units, key=lambda u: (u.collection_id, u.path))
    kept: list[Component] = []
    for unit in ordered:
        last = kept[-1] if kept else None
        if last is None or last.collection_id != unit.collection_id:
            kept.append(unit)
        elif not unit.path.startswith(last.path):
            kept.append(unit)
    return kept


def components_move(*, units: Iterable[Component], parent: Component, user: User) -> int:
    """Move every unit of a selection (with what is below each) under ``parent``, last, in
    document order; one transaction: all move or none. Returns the number of units moved.

    Each move is :func:`component_move` (its permission checks, refusals and history entry).
    """
    chosen = units_topmost(units)
    with transaction.atomic():
        for unit in chosen:
            component_move(unit=unit, parent=parent, user=user)
    return len(chosen)


def components_delete(*, units: Iterable[Component], user: User) -> int:
    """Delete every unit of a selection with everything below it, in one transaction (all
    or none); returns the number of components deleted. Each is :func:`component_delete`."""
    chosen = units_topmost(units)
    with transaction.atomic():
        return sum(component_delete(unit=unit, user=user) for unit in chosen)
