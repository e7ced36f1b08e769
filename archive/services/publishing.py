"""Publishing: a unit and everything below it become public (or stop being public) at once.

What the public actually sees is decided by ``archive.visibility``: a unit is public when it
and all its ancestors are published. These functions only set the flags, set-wise: one UPDATE
over the subtree's path range, whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from archive import permissions, tree
from archive.models import Collection, Component
from archive.permissions import User
from archive.services.changes import collection_touch
from archive.services.harvest import harvest_watch
from archive.services.history import history_record
from archive.services.outline import search_refresh, units_topmost

__all__ = [
    "collection_publish",
    "collection_unpublish",
    "unit_publish",
    "unit_unpublish",
    "units_publish",
    "units_unpublish",
]


def _set_published(unit: Component, published: bool, user: User) -> int:
    permissions.require_edit(user, unit)
    with transaction.atomic(), harvest_watch(collection_id=unit.collection_id):
        unit.refresh_from_db()
        changed = Component.objects.filter(
            collection_id=unit.collection_id,
            path__gte=unit.path,
            path__lte=tree.subtree_upper_bound(unit.path),
        ).update(published=published)
        below = changed - 1
        verb = "Published" if published else "Unpublished"
        history_record(
            unit,
            user=user,
            reason=f"{verb}" + (f" with the {below} components below it" if below else ""),
        )
        search_refresh(unit)
        collection_touch([unit.collection_id])
    return changed


def unit_publish(*, unit: Component, user: User) -> int:
    """Publish ``unit`` and every component below it; returns the number of rows set."""
    return _set_published(unit, True, user)


def unit_unpublish(*, unit: Component, user: User) -> int:
    """Unpublish ``unit`` and every component below it; returns the number of rows set."""
    return _set_published(unit, False, user)


def collection_publish(*, collection: Collection, user: User) -> int:
    """Publish the whole finding aid (its root description and everything below it)."""
    root = collection.components.get(depth=1)
    return unit_publish(unit=root, user=user)


def collection_unpublish(*, collection: Collection, user: User) -> int:
    root = collection.components.get(depth=1)
    return unit_unpublish(unit=root, user=user)


def _set_many(units: Iterable[Component], published: bool, user: User) -> int:
    chosen = units_topmost(units)
    with transaction.atomic():
        return sum(_set_published(unit, published, user) for unit in chosen)


def units_publish(*, units: Iterable[Component], user: User) -> int:
    """Publish every unit of a selection with everything below each, in one transaction (a
    refusal for one leaves all as they were); returns the number of rows set."""
    return _set_many(units, True, user)


def units_unpublish(*, units: Iterable[Component], user: User) -> int:
    """Unpublish every unit of a selection with everything below each, in one transaction."""
    return _set_many(units, False, user)
