"""The related rows of a chunk of streamed components: one query per related table.

:mod:`archive.exchange.stream` reads components in document order ``chunk_size`` rows at a
time; for each chunk, :class:`RelatedRows` reads the dates, extents, notes, agent and subject
links (with their agents and subjects), container instances (with their containers) and
digital objects of those components, grouped by unit id. Tables the collection does not use
at all (:func:`related_in_use`, one query per collection) are not queried.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Exists, Model, OuterRef

from archive.exchange.columns import (
    DATE_FIELDS,
    DIGITAL_OBJECT_FIELDS,
    EXTENT_FIELDS,
    NOTE_FIELDS,
    UNIT_PART_MODELS,
)
from archive.exchange.stored import as_text
from archive.models import (
    AgentLink,
    Collection,
    ContainerInstance,
    DigitalObject,
    Extent,
    Note,
    SubjectLink,
    UnitDate,
)

Rows = dict[int, list[tuple[Any, ...]]]


def by_unit(fields: list[str]) -> tuple[str, ...]:
    """The columns the loader writes for a related table (``exchange.columns``), read back
    keyed by ``unit_id``: one list of columns for both directions."""
    assert fields[0] == "unit"
    return ("unit_id", *fields[1:])


def joined(own: tuple[str, ...], via: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """A link table's columns keyed by ``unit_id``: its ``own`` columns, then ``names`` of
    the row it refers to through the foreign key ``via`` (one join, no query per row)."""
    return ("unit_id", *own, *(f"{via}__{name}" for name in names))


# The link tables' columns, with those of the rows they link to (one join each).
AGENT_LINK_READ = joined(
    ("role", "relator", "published", "attributes"),
    "agent",
    ("authorized_name", "agent_type", "authority_source", "authority_id", "published"),
)
SUBJECT_LINK_READ = joined(
    ("published", "attributes"),
    "subject",
    ("term", "subject_type", "source", "authority_id", "published"),
)
INSTANCE_READ = joined(
    (
        "child_type",
        "child_indicator",
        "grandchild_type",
        "grandchild_indicator",
        "instance_type",
        "position",
        "attributes",
        "published",
    ),
    "container",
    ("container_type", "indicator", "barcode", "label"),
)
PUBLISHED = {"published": True}
# What a chunk reads from each related table, in the order the queries run: the attribute
# of RelatedRows that holds the rows, the model, the columns (each row builder in
# archive.exchange.parts unpacks them in this order) and what a public stream keeps.
CHUNK_READS: tuple[tuple[str, type[Model], tuple[str, ...], dict[str, bool]], ...] = (
    ("dates", UnitDate, by_unit(DATE_FIELDS), PUBLISHED),
    ("extents", Extent, by_unit(EXTENT_FIELDS), PUBLISHED),
    ("notes", Note, by_unit(NOTE_FIELDS), PUBLISHED),
    ("agents", AgentLink, AGENT_LINK_READ, PUBLISHED | {"agent__published": True}),
    ("subjects", SubjectLink, SUBJECT_LINK_READ, PUBLISHED | {"subject__published": True}),
    ("containers", ContainerInstance, INSTANCE_READ, PUBLISHED),
    ("digital_objects", DigitalObject, by_unit(DIGITAL_OBJECT_FIELDS), PUBLISHED),
)


class RelatedRows:
    """The related rows of one chunk of components, grouped by unit id (one query each,
    none for a table in no use: see ``tables``). A public chunk gets only what the public
    may see, filtered by the database; a staff chunk gets everything."""

    dates: Rows
    extents: Rows
    notes: Rows
    agents: Rows
    subjects: Rows
    containers: Rows
    digital_objects: Rows

    def __init__(
        self,
        collection_id: int,
        first_path: str,
        last_path: str,
        *,
        public: bool,
        ids: tuple[int, int] | None = None,
        tables: frozenset[type] | None = None,
    ) -> None:
        self.public = public
        self.tables = tables  # related models with rows in the collection (None: all)
        # The chunk's components are consecutive in path order, so their rows are those whose
        # unit lies in [first_path, last_path]: a range on the (collection, path) index. (An
        # ``unit_id IN (...)`` list of 2,000 ids costs Django more to build than the query.)
        # Hidden components inside the range bring rows nobody asks for; that is cheaper.
        in_chunk: dict[str, Any] = {
            "unit__collection_id": collection_id,
            "unit__path__gte": first_path,
            "unit__path__lte": last_path,
        }
        if ids is not None:
            # Cheaper still when the chunk's ids are about as many as the units (an imported
            # collection gets its ids in document order): one range on each table's unit
            # index, no join. Rows of units outside the chunk in that range are not asked for.
            in_chunk = {"unit_id__gte": ids[0], "unit_id__lte": ids[1]}
        for name, model, columns, public_only in CHUNK_READS:
            setattr(self, name, self._group(model, in_chunk, columns, public_only))

    def _group(
        self,
        model: type[Model],
        in_chunk: dict[str, Any],
        columns: tuple[str, ...],
        public_only: dict[str, bool],
    ) -> Rows:
        if self.tables is not None and model not in self.tables:
            return {}  # no row in the whole collection: no query
        queryset = model._default_manager.filter(**in_chunk)
        if self.public:
            queryset = queryset.filter(**public_only)
        # ``attributes`` comes as text; the row mappers decode it (see ``stored.decoded``).
        annotations, names = as_text(columns, ("attributes",))
        grouped: Rows = defaultdict(list)
        rows = (
            queryset.order_by("unit_id", "position", "id")
            .annotate(**annotations)
            .values_list(*names)
        )
        for row in rows:
            grouped[row[0]].append(row)
        return grouped


RELATED_MODELS = UNIT_PART_MODELS  # (CHUNK_READS reads each of them)


def related_in_use(collection_id: int) -> frozenset[type]:
    """The related models (``RELATED_MODELS``) that have rows in the collection, in one query.

    Many collections use only a few of them (a generated or container-list collection has
    dates and containers, no notes or agents): the chunk queries of the others are skipped.
    """
    exists = {
        str(model._meta.model_name): Exists(
            model._default_manager.filter(unit__collection_id=OuterRef("pk"))
        )
        for model in RELATED_MODELS
    }
    flags = (
        Collection.objects.filter(pk=collection_id).annotate(**exists).values_list(*exists).first()
    )
    if flags is None:
        return frozenset()
    return frozenset(model for model, used in zip(RELATED_MODELS, flags, strict=True) if used)
