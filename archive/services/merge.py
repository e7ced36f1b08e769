"""Merging duplicate agents or subjects into one survivor, in one transaction.

Every link from a unit, every relation to or from another agent and every variant name moves
to the survivor; the duplicates' own authorised names are kept as variant names of the
survivor (so a search for the old form still finds it), then the duplicates are deleted.
Links that would become exact duplicates (the same unit, the same role) are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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
        # The finding aids that name a duplicate will name the survivor instead.
        unit_collections_touch(
            AgentLink.objects.filter(agent_id__in=dup_ids).values_list("unit_id", flat=True)
        )
        _agent_links_move(survivor, dup_ids)
        _agent_relations_move(survivor, dup_ids)
        _agent_variants_move(survivor, duplicates)
        names = ", ".join(d.authorized_name for d in duplicates)
        for d in duplicates:
            d._history_user = user  # type: ignore[attr-defined]  # read by simple-history
            d._change_reason = f"Merged into {survivor.authorized_name}"[:100]  # type: ignore[attr-defined]
            d.delete()
        history_record(survivor, user=user, reason=f"Merged {names}")
    return survivor


def _agent_links_move(survivor: Agent, dup_ids: list[int]) -> None:
    """Links: drop those the survivor already has for the same unit and role, move the rest."""
    AgentLink.objects.filter(agent_id__in=dup_ids).filter(
        Exists(
            AgentLink.objects.filter(
                agent=survivor, unit_id=OuterRef("unit_id"), role=OuterRef("role")
            )
        )
    ).delete()
    seen: set[tuple[int, str]] = set()
    for link in AgentLink.objects.filter(agent_id__in=dup_ids).order_by("pk"):
        key = (link.unit_id, link.role)
        if key in seen:
            link.delete()
        seen.add(key)
    AgentLink.objects.filter(agent_id__in=dup_ids).update(agent=survivor)


def _agent_relations_move(survivor: Agent, dup_ids: list[int]) -> None:
    """Relations: repoint both ends, drop self-relations and exact duplicates."""
    AgentRelation.objects.filter(source_id__in=dup_ids, target=survivor).delete()
    AgentRelation.objects.filter(target_id__in=dup_ids, source=survivor).delete()
    AgentRelation.objects.filter(source_id__in=dup_ids, target_id__in=dup_ids).delete()
    # Keys already held by the survivor, per direction (the unique constraint's terms).
    outgoing = set(
        AgentRelation.objects.filter(source=survivor).values_list("target_id", "relation_type")
    )
    incoming = set(
        AgentRelation.objects.filter(target=survivor).values_list("source_id", "relation_type")
    )
    for rel in AgentRelation.objects.filter(source_id__in=dup_ids).order_by("pk"):
        key = (rel.target_id, rel.relation_type)
        if key in outgoing:
            rel.delete()
        else:
            outgoing.add(key)
            rel.source = survivor
            rel.save(update_fields=["source"])
    for rel in AgentRelation.objects.filter(target_id__in=dup_ids).order_by("pk"):
        key = (rel.source_id, rel.relation_type)
        if key in incoming:
            rel.delete()
        else:
            incoming.add(key)
            rel.target = survivor
            rel.save(update_fields=["target"])


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
    dup_ids = [d.pk for d in duplicates]
    with transaction.atomic():
        unit_collections_touch(
            SubjectLink.objects.filter(subject_id__in=dup_ids).values_list("unit_id", flat=True)
        )
        SubjectLink.objects.filter(subject_id__in=dup_ids).filter(
            Exists(SubjectLink.objects.filter(subject=survivor, unit_id=OuterRef("unit_id")))
        ).delete()
        seen: set[int] = set()
        for link in SubjectLink.objects.filter(subject_id__in=dup_ids).order_by("pk"):
            if link.unit_id in seen:
                link.delete()
            seen.add(link.unit_id)
        SubjectLink.objects.filter(subject_id__in=dup_ids).update(subject=survivor)
        names = ", ".join(d.term for d in duplicates)
        for d in duplicates:
            d._history_user = user  # type: ignore[attr-defined]  # read by simple-history
            d._change_reason = f"Merged into {survivor.term}"[:100]  # type: ignore[attr-defined]
            d.delete()
        history_record(survivor, user=user, reason=f"Merged {names}")
    return survivor
