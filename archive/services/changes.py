"""The one place that knows "something in this finding aid changed".

``Collection.content_changed`` moves forward whenever anything an export of the collection
writes changes. It is set in the transaction of the change, so it commits (or rolls back)
with it, and a reader never sees new content under an old stamp:

- model signals, below, for every ``save()``/``delete()`` of the collection, its components
  and everything they hold (notes, dates, extents, names and subjects linked, containers,
  digital objects, revisions), of a name or subject a collection uses, of its repository;
- :func:`collection_touch`, called by the writers that work set-wise without signals
  (publishing, outline moves and reorders, merges, imports).

Exports are cached by it (``archive.services.export_files``); it is also the datestamp a
harvester sees. Each touch is one ``UPDATE`` of the collection rows concerned.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from archive.exchange.columns import UNIT_PART_MODELS
from archive.models import (
    Agent,
    Collection,
    Component,
    Container,
    Repository,
    Revision,
    Subject,
)

__all__ = ["collection_touch", "unit_collections_touch"]


def collection_touch(ids: Iterable[int | None]) -> int:
    """Mark the collections ``ids`` as changed now; returns how many rows were set."""
    wanted = {int(i) for i in ids if i is not None}
    if not wanted:
        return 0
    return Collection.objects.filter(pk__in=wanted).update(content_changed=timezone.now())


def unit_collections_touch(unit_ids: Iterable[int] | QuerySet) -> int:
    """Mark the collections of the given components as changed (one query; a queryset of
    unit ids is used as a subquery)."""
    units: Any = unit_ids
    if not isinstance(unit_ids, QuerySet):
        units = {int(i) for i in unit_ids}
        if not units:
            return 0
    return Collection.objects.filter(
        pk__in=Component.objects.filter(pk__in=units).values("collection_id")
    ).update(content_changed=timezone.now())


def _queryset_touch(collections: QuerySet[Collection]) -> None:
    Collection.objects.filter(pk__in=collections.values("pk")).update(
        content_changed=timezone.now()
    )


def _cascaded(origin: Any, *models: type[Model]) -> bool:
    """Whether a delete is the cascade of deleting one of ``models`` (touched there)."""
    if isinstance(origin, QuerySet):
        return origin.model in models
    return isinstance(origin, models)


# ------------------------------------------------------------------------- the collection


def _collection_pre_save(sender: type, instance: Collection, raw: bool = False, **kw: Any) -> None:
    if not raw:
        instance.content_changed = timezone.now()


def _collection_deleted(sender: type, instance: Collection, **kw: Any) -> None:
    from archive.services.export_files import collection_exports_forget

    pk = instance.pk
    transaction.on_commit(lambda: collection_exports_forget(pk))


def _revision_changed(sender: type, instance: Revision, origin: Any = None, **kw: Any) -> None:
    if not _cascaded(origin, Collection):
        collection_touch([instance.collection_id])


def _repository_saved(sender: type, instance: Repository, raw: bool = False, **kw: Any) -> None:
    # Its name and codes are written into the header of the finding aids made in the admin.
    if not raw:
        Collection.objects.filter(repository_id=instance.pk).update(content_changed=timezone.now())


# ------------------------------------------------------------------------- components


def _component_changed(sender: type, instance: Component, origin: Any = None, **kw: Any) -> None:
    if not _cascaded(origin, Collection):
        collection_touch([instance.collection_id])


def _unit_part_changed(sender: type, instance: Any, origin: Any = None, **kw: Any) -> None:
    if not _cascaded(origin, Component, Collection):
        unit_collections_touch([instance.unit_id])


def _container_changed(sender: type, instance: Container, origin: Any = None, **kw: Any) -> None:
    if not _cascaded(origin, Collection):
        collection_touch([instance.collection_id])


# ------------------------------------------------------------------ shared names, subjects


def _agent_saved(sender: type, instance: Agent, raw: bool = False, **kw: Any) -> None:
    if not raw:
        _queryset_touch(Collection.objects.filter(components__agent_links__agent_id=instance.pk))


def _subject_saved(sender: type, instance: Subject, raw: bool = False, **kw: Any) -> None:
    if not raw:
        _queryset_touch(
            Collection.objects.filter(components__subject_links__subject_id=instance.pk)
        )


def connect() -> None:
    """Connect the receivers (``ArchiveConfig.ready``); idempotent."""
    pre_save.connect(_collection_pre_save, sender=Collection, dispatch_uid="changes_collection")
    post_delete.connect(
        _collection_deleted, sender=Collection, dispatch_uid="changes_collection_deleted"
    )
    for signal in (post_save, post_delete):
        name = "s" if signal is post_save else "d"
        signal.connect(_revision_changed, sender=Revision, dispatch_uid=f"changes_revision_{name}")
        signal.connect(
            _component_changed, sender=Component, dispatch_uid=f"changes_component_{name}"
        )
        signal.connect(
            _container_changed, sender=Container, dispatch_uid=f"changes_container_{name}"
        )
        for model in UNIT_PART_MODELS:
            signal.connect(
                _unit_part_changed,
                sender=model,
                dispatch_uid=f"changes_{model.__name__}_{name}",
            )
    post_save.connect(_repository_saved, sender=Repository, dispatch_uid="changes_repository")
    post_save.connect(_agent_saved, sender=Agent, dispatch_uid="changes_agent")
    post_save.connect(_subject_saved, sender=Subject, dispatch_uid="changes_subject")
