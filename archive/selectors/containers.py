"""The container view: every box (top container) of a collection with what it holds.

Boxes come in document order (by the first unit filed in them; staff also see empty boxes,
last), a page at a time, and the units in each box in document order. The public view asks
``archive.visibility`` what a researcher may see: published container instances of public
units, and only the boxes that hold one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery

from archive import visibility
from archive.models import Collection, Component, Container, ContainerInstance, UnitDate

__all__ = ["BoxContents", "ContainerPage", "container_page"]

#: Boxes per page: large collections hold thousands.
BOXES_PER_PAGE = 25


@dataclass
class BoxContents:
    container: Container
    instances: list[ContainerInstance] = field(default_factory=list)


@dataclass
class ContainerPage:
    page: Page
    boxes: list[BoxContents]


def _instances(collection: Collection, *, public: bool) -> QuerySet[ContainerInstance]:
    instances = ContainerInstance.objects.filter(container__collection_id=collection.pk)
    if not public:
        return instances
    units = visibility.public_units(Component.objects.filter(collection_id=collection.pk))
    return instances.filter(
        pk__in=visibility.public_container_instances().values("pk"),
        unit__in=units.values("pk"),
    )


def container_page(
    *, collection: Collection, public: bool, number: str | int | None = 1
) -> ContainerPage:
    """One page of the collection's boxes with their contents.

    ``public``: what a researcher may see (``archive.visibility``), else everything (staff,
    whose access the caller has checked). ``number`` is the page asked for (a bad one gives
    the nearest page). Cost: a COUNT, one query for the page's boxes, one for their
    contents (and one for the dates that name untitled units), whatever the collection's size.
    """
    instances = _instances(collection, public=public)
    first = instances.filter(container_id=OuterRef("pk")).order_by("unit__path")
    boxes = Container.objects.filter(collection_id=collection.pk).annotate(
        first_path=Subquery(first.values("unit__path")[:1])
    )
    if public:
        boxes = boxes.filter(first_path__isnull=False)
    boxes = boxes.order_by(
        F("first_path").asc(nulls_last=True), "container_type", "indicator", "pk"
    )
    page = Paginator(boxes, BOXES_PER_PAGE).get_page(number)
    by_id = {box.pk: BoxContents(box) for box in page.object_list}
    dates = visibility.public_dates() if public else UnitDate.objects.order_by("position", "id")
    contents = (
        instances.filter(container_id__in=list(by_id))
        .select_related("unit")
        .prefetch_related(Prefetch("unit__dates", queryset=dates))
        .order_by("unit__path", "position", "pk")
    )
    for instance in contents:
        instance.unit.collection = collection  # links built without a query per unit
        by_id[instance.container_id].instances.append(instance)
    return ContainerPage(page=page, boxes=list(by_id.values()))
