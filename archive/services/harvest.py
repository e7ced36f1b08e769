"""What OAI-PMH harvesters are told about finding aids that stop (or start again) being public.

The provider keeps deleted records ``persistent``: a finding aid that was public and is no
longer (deleted, unpublished at its collection level, or replaced under another EAD id) leaves
a :class:`~archive.models.HarvestTombstone`, reported with ``status="deleted"`` so harvesters
remove their copy. A finding aid that was never public leaves none: its identifier would be
unpublished information. Publishing again removes the tombstone.

The places that delete, unpublish or replace each make one call here:

- :func:`harvest_watch` around a change of publish flags (``services.publishing``);
- :func:`harvest_withdraw` before a collection is deleted
  (``services.collections.delete_collection``, which the replace path of an import and the
  admin's delete use);
- :func:`harvest_sync` after an import, so a re-published replacement clears the tombstone;
- :func:`harvest_rename` when a collection's EAD id or repository changes (admin).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from archive.models import Collection, Component, HarvestTombstone, Repository
from archive.services.changes import collection_touch

__all__ = ["harvest_rename", "harvest_sync", "harvest_watch", "harvest_withdraw"]


def _is_public(collection_id: int) -> bool:
    # The rule of services.exports.collection_is_exportable for a public export, as a query:
    # a finding aid is public when its collection-level description is published.
    return Component.objects.filter(collection_id=collection_id, depth=1, published=True).exists()


def _tombstone(repository_code: str, ead_id: str) -> None:
    HarvestTombstone.objects.update_or_create(
        repository_code=repository_code, ead_id=ead_id, defaults={"deleted_at": timezone.now()}
    )


def harvest_withdraw(*, collection: Collection) -> None:
    """Before ``collection`` is deleted: leave a tombstone if harvesters could see it."""
    if _is_public(collection.pk):
        _tombstone(collection.repository.code, collection.ead_id)


def harvest_sync(*, collection_id: int | None) -> None:
    """After a change that may have made the collection public (an import): a public
    collection has no tombstone."""
    if collection_id is None:
        return
    collection = Collection.objects.select_related("repository").filter(pk=collection_id).first()
    if collection is not None and _is_public(collection.pk):
        HarvestTombstone.objects.filter(
            repository_code=collection.repository.code, ead_id=collection.ead_id
        ).delete()


@contextmanager
def harvest_watch(*, collection_id: int) -> Iterator[None]:
    """Around a change of what is public in a collection (publish flags).

    Public before and not after: a tombstone. Public after: no tombstone, and the record's
    datestamp (the collection's content stamp) moves on, so selective harvesting picks the
    change up.
    """
    before = _is_public(collection_id)
    yield
    after = _is_public(collection_id)
    collection = Collection.objects.select_related("repository").get(pk=collection_id)
    code, ead_id = collection.repository.code, collection.ead_id
    with transaction.atomic():
        if after:
            HarvestTombstone.objects.filter(repository_code=code, ead_id=ead_id).delete()
            collection_touch([collection_id])
        elif before:
            _tombstone(code, ead_id)


def harvest_rename(
    *, collection: Collection, old_repository_id: int | None, old_ead_id: str
) -> None:
    """After ``collection``'s EAD id or repository changed (from ``old_ead_id`` in the
    repository with id ``old_repository_id``): the record under the old identifier is gone."""
    old_code = (
        Repository.objects.filter(pk=old_repository_id).values_list("code", flat=True).first()
        if old_repository_id is not None
        else None
    )
    code = collection.repository.code
    if old_code is None or (old_code, old_ead_id) == (code, collection.ead_id):
        return
    if _is_public(collection.pk):
        _tombstone(old_code, old_ead_id)
        HarvestTombstone.objects.filter(repository_code=code, ead_id=collection.ead_id).delete()
