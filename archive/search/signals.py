"""Model signals that keep the search index current, inside the transaction of the edit.

Each handler reindexes only the units the change can affect, directly (never through
``transaction.on_commit``): the index row changes in the same transaction as the record, so a
rollback undoes both and no reader ever sees one without the other.

``raw`` saves (``manage.py loaddata``) are handled too: each one reindexes from what is in the
database at that moment, so after the last object of a fixture is loaded the index matches it.

Bulk writers that bypass ``save()`` (``bulk_create``, ``QuerySet.update``) send no signals and
must call ``archive.search.index.reindex_collection``/``reindex_units`` themselves; writers that
do save one object at a time can wrap the work in ``archive.search.index.paused()`` and
reindex once at the end.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from archive import tree
from archive.models import (
    Agent,
    AgentLink,
    AgentVariantName,
    Collection,
    Component,
    Container,
    ContainerInstance,
    DigitalObject,
    Note,
    Subject,
    SubjectLink,
    UnitDate,
)
from archive.search import index

_UNIT_PARTS = (Note, UnitDate, DigitalObject, ContainerInstance, SubjectLink)


def _cascaded(origin: Any, *models: type) -> bool:
    """Whether a delete is the cascade of deleting one of ``models`` (handled there)."""
    if isinstance(origin, QuerySet):
        return origin.model in models
    return isinstance(origin, models)


# ---------------------------------------------------------------------------- components


@receiver(pre_save, sender=Component, dispatch_uid="search_component_pre_save")
def _component_pre_save(sender: type, instance: Component, raw: bool = False, **kw: Any) -> None:
    old = None
    if not raw and instance.pk is not None and not index.is_paused():
        old = Component.objects.filter(pk=instance.pk).values_list("published", flat=True).first()
    instance._search_old_published = old


@receiver(post_save, sender=Component, dispatch_uid="search_component_post_save")
def _component_saved(
    sender: type, instance: Component, created: bool, raw: bool = False, **kw: Any
) -> None:
    if index.is_paused():
        return
    old = getattr(instance, "_search_old_published", None)
    if created or raw or old is None or old != instance.published:
        # Publishing or unpublishing a unit shows or hides everything below it.
        ids = list(tree.descendants(instance, include_self=True).values_list("id", flat=True))
        index.reindex_units(ids)
    else:
        index.reindex_units([instance.pk])


@receiver(post_delete, sender=Component, dispatch_uid="search_component_deleted")
def _component_deleted(sender: type, instance: Component, origin: Any = None, **kw: Any) -> None:
    if index.is_paused() or _cascaded(origin, Collection):
        return
    index.remove_units([instance.pk])


@receiver(post_delete, sender=Collection, dispatch_uid="search_collection_deleted")
def _collection_deleted(sender: type, instance: Collection, **kw: Any) -> None:
    if not index.is_paused():
        index.remove_collection(instance.pk)


# ------------------------------------------------------------- what a unit holds directly


def _unit_part_changed(sender: type, instance: Any, origin: Any = None, **kw: Any) -> None:
    if index.is_paused() or _cascaded(origin, Component, Collection):
        return
    index.reindex_units([instance.unit_id])


for _model in _UNIT_PARTS:
    post_save.connect(_unit_part_changed, sender=_model, dispatch_uid=f"search_{_model.__name__}_s")
    post_delete.connect(
        _unit_part_changed, sender=_model, dispatch_uid=f"search_{_model.__name__}_d"
    )


# ------------------------------------------------------------------------------- agents


def _reindex_links(links: QuerySet[AgentLink]) -> None:
    """Reindex the units of some agent links; a collection creator counts for the whole
    collection (its units inherit the creator facet)."""
    units: dict[int, int] = {}
    collections: set[int] = set()
    for unit_id, depth, collection_id, role in links.values_list(
        "unit_id", "unit__depth", "unit__collection_id", "role"
    ):
        if depth == 1 and role == AgentLink.Role.CREATOR:
            collections.add(collection_id)
        units[unit_id] = collection_id
    for collection_id in collections:
        index.reindex_collection(collection_id)
    index.reindex_units(u for u, c in units.items() if c not in collections)


@receiver(post_save, sender=AgentLink, dispatch_uid="search_agentlink_saved")
@receiver(post_delete, sender=AgentLink, dispatch_uid="search_agentlink_deleted")
def _agent_link_changed(sender: type, instance: AgentLink, origin: Any = None, **kw: Any) -> None:
    if index.is_paused() or _cascaded(origin, Component, Collection):
        return
    unit = (
        Component.objects.filter(pk=instance.unit_id).values_list("depth", "collection_id").first()
    )
    if unit is None:
        return
    depth, collection_id = unit
    if depth == 1 and instance.role == AgentLink.Role.CREATOR:
        index.reindex_collection(collection_id)
    else:
        index.reindex_units([instance.unit_id])


@receiver(post_save, sender=Agent, dispatch_uid="search_agent_saved")
def _agent_saved(sender: type, instance: Agent, **kw: Any) -> None:
    if not index.is_paused():
        _reindex_links(AgentLink.objects.filter(agent_id=instance.pk))


@receiver(post_save, sender=AgentVariantName, dispatch_uid="search_variant_saved")
@receiver(post_delete, sender=AgentVariantName, dispatch_uid="search_variant_deleted")
def _variant_changed(
    sender: type, instance: AgentVariantName, origin: Any = None, **kw: Any
) -> None:
    if index.is_paused() or _cascaded(origin, Agent):
        return
    _reindex_links(AgentLink.objects.filter(agent_id=instance.agent_id))


# ------------------------------------------------------------------ subjects, containers


@receiver(post_save, sender=Subject, dispatch_uid="search_subject_saved")
def _subject_saved(sender: type, instance: Subject, **kw: Any) -> None:
    if not index.is_paused():
        index.reindex_units(
            SubjectLink.objects.filter(subject_id=instance.pk).values_list("unit_id", flat=True)
        )


@receiver(post_save, sender=Container, dispatch_uid="search_container_saved")
def _container_saved(sender: type, instance: Container, **kw: Any) -> None:
    if not index.is_paused():
        index.reindex_units(
            ContainerInstance.objects.filter(container_id=instance.pk).values_list(
                "unit_id", flat=True
            )
        )
