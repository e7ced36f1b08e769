"""Merging duplicate agents or subjects into one survivor, in one transaction.

Every link from a unit, every relation to or from another agent and every variant name moves
to the survivor; the duplicates' own authorised names are kept as variant names of the
survivor (so a search for the old form still finds it), then the duplicates are deleted.
Links that would become exact duplicates (the same unit, the same role) are dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Model, OuterRef

from archive import permissions
from archive.models import (
    Agent,
    AgentLink,
    AgentRelation,
    AgentVariantName,
    Subject,
    SubjectLink,
)
from archive.permissions import User
from archive.services.changes import unit_collections_touch
from archive.services.history import history_record

__all__ = ["agent_merge", "subject_merge"]


def _check(user: User, survivor: Model, duplicates: Sequence[Model]) -> None:
    """Refuse a merge the user may not make, or one that names no real duplicate."""
    if not permissions.can_edit_shared(user):
        raise PermissionDenied("You may not merge records.")
    if not duplicates:
        raise ValidationError("Choose at least one duplicate to merge into the survivor.")
    if any(d.pk == survivor.pk for d in duplicates):
        raise ValidationError("The survivor cannot also be one of the duplicates.")


def agent_merge(*, survivor: Agent, duplicates: Iterable[Agent], user: User) -> Agent:
    """Merge ``duplicates`` into ``survivor``; returns the survivor."""
    duplicates = list(duplicates)
    _check(user, survivor, duplicates)
    dup_ids = [d.pk for d in duplicates]
    with transaction.atomic():
        _links_move(AgentLink, "agent", survivor, dup_ids, same=("unit_id", "role"))
        _agent_relations_move(survivor, dup_ids)
        _agent_variants_move(survivor, duplicates)
        _duplicates_delete(survivor, duplicates, attrgetter("authorized_name"), user)
    return survivor


def _links_move(
    model: type[AgentLink] | type[SubjectLink],
    field: str,
    survivor: Model,
    dup_ids: list[int],
    *,
    same: tuple[str, ...],
) -> None:
    """Links to the duplicates (``field`` names the link's foreign key) move to the survivor:
    those the survivor already has with the ``same`` values are dropped, and of those that
    repeat one another the first is kept. The finding aids that named a duplicate are
    marked changed: they name the survivor now."""
    links = model._default_manager.filter(**{f"{field}_id__in": dup_ids})
    unit_collections_touch(links.values_list("unit_id", flat=True))
    held = model._default_manager.filter(**{field: survivor}, **{f: OuterRef(f) for f in same})
    links.filter(Exists(held)).delete()
    seen: set[tuple[object, ...]] = set()
    for link in links.order_by("pk"):
        key = tuple(getattr(link, f) for f in same)
        if key in seen:
            link.delete()
        seen.add(key)
    links.update(**{field: survivor})


def _duplicates_delete(
    survivor: Model, duplicates: Sequence[Model], name: Callable[[Model], str], user: User
) -> None:
    """Delete the merged duplicates (each history entry says into what, by ``name``), and
    record the merge in the survivor's history."""
    names = ", ".join(name(d) for d in duplicates)
    for d in duplicates:
        d._history_user = user  # type: ignore[attr-defined]  # read by simple-history
        d._change_reason = f"Merged into {name(survivor)}"[:100]  # type: ignore[attr-defined]
        d.delete()
    history_record(survivor, user=user, reason=f"Merged {names}")


def _agent_relations_move(survivor: Agent, dup_ids: list[int]) -> None:
    """Relations: repoint both ends, drop self-relations and exact duplicates."""
    AgentRelation.objects.filter(source_id__in=dup_ids, target=survivor).delete()
    AgentRelation.objects.filter(target_id__in=dup_ids, source=survivor).delete()
    AgentRelation.objects.filter(source_id__in=dup_ids, target_id__in=dup_ids).delete()
    _relations_repoint(survivor, dup_ids, end="source", other="target")
    _relations_repoint(survivor, dup_ids, end="target", other="source")


def _relations_repoint(survivor: Agent, dup_ids: list[int], *, end: str, other: str) -> None:
    """Relations with a duplicate at ``end`` ("source" or "target") get the survivor there;
    one the survivor already has (the same agent at the ``other`` end, the same type: the
    unique constraint's terms) is dropped instead."""
    held = set(
        AgentRelation.objects.filter(**{end: survivor}).values_list(f"{other}_id", "relation_type")
    )
    for rel in AgentRelation.objects.filter(**{f"{end}_id__in": dup_ids}).order_by("pk"):
        key = (getattr(rel, f"{other}_id"), rel.relation_type)
        if key in held:
            rel.delete()
        else:
            held.add(key)
            setattr(rel, end, survivor)
            rel.save(update_fields=[end])


def _agent_variants_move(survivor: Agent, duplicates: list[Agent]) -> None:
    """Variant names move to the survivor, and the duplicates' names become variants."""
    dup_ids = [d.pk for d in duplicates]
    AgentVariantName.objects.filter(agent_id__in=dup_ids).update(agent=survivor)
    known = set(survivor.variant_names.values_list("name", flat=True))
    known.add(survivor.authorized_name)
    AgentVariantName.objects.bulk_create(
        AgentVariantName(agent=survivor, name=d.authorized_name, note="merged duplicate")
        for d in duplicates
        if d.authorized_name not in known
    )


def subject_merge(*, survivor: Subject, duplicates: Iterable[Subject], user: User) -> Subject:
    """Merge ``duplicates`` into ``survivor``; returns the survivor."""
    duplicates = list(duplicates)
    _check(user, survivor, duplicates)
    with transaction.atomic():
        _links_move(SubjectLink, "subject", survivor, [d.pk for d in duplicates], same=("unit_id",))
        _duplicates_delete(survivor, duplicates, attrgetter("term"), user)
    return survivor
