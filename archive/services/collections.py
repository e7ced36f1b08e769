"""Collections as a whole: deleting one with everything in it.

The admin's delete and an import's ``--replace`` both use :func:`delete_collection`, so the
harvesters hear of the deletion (a tombstone) and the search index loses its rows either way.
"""

from __future__ import annotations

from archive.models import (
    AgentLink,
    Collection,
    Component,
    Container,
    ContainerInstance,
    DigitalObject,
    Extent,
    Note,
    Revision,
    SubjectLink,
    UnitDate,
)
from archive.search import index as search_index
from archive.services.harvest import harvest_withdraw


def delete_collection(collection: Collection) -> None:
    """Delete a collection and everything in it with one DELETE per table.

    ``collection.delete()`` alone would load every component and note to send the
    per-row signals simple_history listens to (one history row each); a replace of a
    100,000-component finding aid must not cost that. One history row for the collection
    itself is still written.
    """
    harvest_withdraw(collection=collection)  # harvesters hear that the record went away
    search_index.remove_collection(collection.pk)
    units = Component.objects.filter(collection=collection).values("pk")
    for model in (UnitDate, Extent, Note, AgentLink, SubjectLink, ContainerInstance, DigitalObject):
        model.objects.filter(unit__in=units)._raw_delete(model.objects.db)
    Container.objects.filter(collection=collection)._raw_delete(Container.objects.db)
    Revision.objects.filter(collection=collection)._raw_delete(Revision.objects.db)
    Component.objects.filter(collection=collection)._raw_delete(Component.objects.db)
    collection.delete()
