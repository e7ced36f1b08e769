"""Database rows -> neutral EAD records, in document order, with flat memory.

The inverse of ``archive.exchange.load``: every column and every ``attributes`` / ``unmapped`` key
the loader writes is read back here into the same record field, so that
import -> export -> import -> export gives the same file twice.  Rows made in the admin (no
``attributes``) get the same records a file with the same content would have given.

Cost, whatever the size of the collection: one query for the collection-level rows
(revisions), one for which related tables the collection uses, one ordered query over the
components read ``chunk_size`` rows at a time (``ORDER BY path`` is document order), and for
each chunk one query per related table in use (dates, extents, notes, agent links with their
agents, subject links with their subjects, container instances with their containers,
digital objects).  Nothing is ever queried per component, and no more than one chunk of rows
is held at once.  Records made from the same repeated values (a date, a box, the same side
attributes) are shared between units: they are immutable.

Visibility follows ``archive.visibility``: a unit is public when it and every unit above it
are published; notes, links and digital objects when their own flag is set (and, for links,
the agent's or subject's).  Components arrive in document order, so "some ancestor is
unpublished" is tracked with the depth of the highest hidden unit still open: no query per
node.  Public streams leave hidden material out; staff streams
(``include_unpublished=True``) keep it with ``published=False`` so the writers mark it
``audience="internal"``.

This module builds the header and unit records and runs the ordered stream; a chunk's related
rows are read by :mod:`archive.exchange.related`, the records of a unit's parts built by
:mod:`archive.exchange.parts`, and what the loader kept is read back by
:mod:`archive.exchange.stored`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from archive.ead import records as r
from archive.exchange import parts
from archive.exchange.bulk import BATCH_SIZE
from archive.exchange.columns import (
    COMPONENT_COLUMNS,
    COMPONENT_JSON_COLUMNS,
    HEADER_FIELDS,
    column_length,
)
from archive.exchange.related import RelatedRows, related_in_use
from archive.exchange.stored import (
    as_text,
    decoded,
    extra_element,
    extra_elements,
    none_if_empty,
    read_pairs,
    restored,
    restored_if,
    text_fragment,
)
from archive.models import Collection, Component, Repository
from archive.visibility import PublicWalk

# Rows read per query of the ordered stream: the same batch the loader writes.
DEFAULT_CHUNK_SIZE = BATCH_SIZE

# The ordered query reads ``COMPONENT_COLUMNS`` (archive.exchange.columns) as tuples, not
# model instances: building 100,000 model objects would cost more than the whole XML
# serialisation. JSON columns are read as text (``stored.json_text``) and decoded by
# :func:`archive.exchange.stored.decoded`.


# --------------------------------------------------------------------------- header


def finding_aid_record(collection: Collection) -> r.FindingAid:
    """The header record of ``collection`` (one query for the revision history): each field
    read back from its column or from what the loader kept in ``unmapped``."""
    u: dict[str, Any] = collection.unmapped or {}
    imported = bool(collection.source_version)
    repository = collection.repository
    columns = _header_columns(collection, u)
    # (made in the admin: the repository publishes it)
    columns["publisher"] = columns["publisher"] or (
        None if imported else none_if_empty(repository.name)
    )
    return r.FindingAid(
        ead_id=collection.ead_id,
        ead_id_attributes=_ead_id_attributes(collection.ead_id_attributes, u),
        title=u.get("title") or text_fragment(collection.finding_aid_title),
        title_text=collection.finding_aid_title,
        filing_title=u.get("filing_title"),
        **columns,
        publication_date_normal=u.get("publication_date_normal"),
        publication_address=tuple(u.get("publication_address") or ()),
        publisher_markup=u.get("publisher_markup"),
        publication_address_markup=tuple(u.get("publication_address_markup") or ()),
        script_of_description_code=u.get("script_of_description_code"),
        script_of_description=u.get("script_of_description"),
        revisions=_revisions(collection, u.get("revisions") or []),
        creation_date=u.get("creation_date"),
        **_repository_statement(u, repository if not imported else None),
        source_version=collection.source_version or "2002",
        numbered_components=collection.numbered_components,
        status=u.get("status"),
        maintenance_status_text=u.get("maintenance_status_text") or "",
        root_attributes=read_pairs(u.get("root_attributes")),
        header_attributes=read_pairs(u.get("header_attributes")),
        element_attributes=tuple((p, read_pairs(a)) for p, a in u.get("element_attributes") or ()),
        extra=tuple(extra_element(v) for v in u.get("extra") or ()),
        declarations=tuple(tuple(d) for d in u.get("declarations") or ()),
    )


def _header_columns(collection: Collection, u: dict[str, Any]) -> dict[str, str | None]:
    """The header fields stored in the collection's columns (``HEADER_FIELDS``), by record
    field name: the file's own value while the column still says it, else the column."""
    return {
        field: restored_if(u, field, getattr(collection, column), _header_rule(column))
        for column, field in HEADER_FIELDS.items()
    }


def _revisions(collection: Collection, extras: list[dict[str, Any]]) -> tuple[r.Revision, ...]:
    """The revision history from its rows and what the loader kept beside them."""
    rows = collection.revisions.order_by("position", "id").values_list(
        "date", "description", "agent", "published"
    )
    records = []
    for i, (date, description, agent, published) in enumerate(rows):
        more = extras[i] if i < len(extras) else {}
        records.append(
            r.Revision(
                date=date,
                description=description,
                agent=agent,
                event_type=more.get("event_type") or "",
                normal=more.get("normal"),
                published=published,
                agent_type=more.get("agent_type") or "",
                event_text=more.get("event_text") or "",
            )
        )
    return tuple(records)


def _repository_statement(
    u: dict[str, Any], repository: Repository | None
) -> dict[str, str | None]:
    """The header's repository name and codes: the file's, or for a finding aid made in the
    admin (``repository`` given), which has no header of its own, the repository's."""
    fallbacks: dict[str, str | None] = dict.fromkeys(
        ("repository_name", "repository_code", "country_code", "agency_code")
    )
    if repository is not None:
        fallbacks["repository_name"] = repository.name
        fallbacks["repository_code"] = repository.agency_code
        fallbacks["country_code"] = repository.country_code
        fallbacks["agency_code"] = repository.agency_code
    return {key: u[key] if key in u else none_if_empty(value) for key, value in fallbacks.items()}


def _ead_id_attributes(column: Any, u: dict[str, Any]) -> r.Attributes:
    """The EAD id's attributes in document order while they still match the column."""
    current = read_pairs(column)
    ordered = read_pairs(u.get("ead_id_attributes"))
    return ordered if sorted(ordered) == sorted(current) else current


def _header_rule(name: str) -> Any:
    """The loader's rule for a header column: clip to its length (if it has one)."""
    length = column_length(Collection, name)

    def rule(value: str | None) -> str:
        value = value or ""
        return value[:length] if length else value

    return rule


# --------------------------------------------------------------------------- units


def unit_record(
    row: tuple[Any, ...],
    related: RelatedRows,
    *,
    depth: int,
    sequence: int,
    repository_name: str | None = None,
) -> r.Unit:
    """One component row (``COMPONENT_COLUMNS``) and its related rows as a ``Unit``.

    Runs once per exported component: the parts a unit has none of (most units have no
    notes, agents or languages) cost no call.
    """
    (
        pk,
        path,
        _tree_depth,
        level,
        other_level,
        identifier,
        other_identifiers,
        ref,
        title,
        title_markup,
        languages,
        physical_location,
        published,
        attrs,
        unmapped,
    ) = row
    attrs, side_fields = parts.unit_side(attrs)
    other_identifiers = decoded(other_identifiers)
    languages = decoded(languages)
    public = related.public
    raw_level, other_level = parts.unit_level(attrs, level, other_level)
    return r.Unit(
        depth=depth,
        sequence=sequence,
        level=raw_level,
        other_level=other_level,
        ref=parts.unit_ref(attrs, ref),
        identifier=restored(attrs, "identifier", identifier),
        other_identifiers=parts.other_identifiers(other_identifiers, public)
        if other_identifiers
        else (),
        title=attrs["title"] if "title" in attrs else title_markup or text_fragment(title),
        title_text=title,
        languages=parts.languages(languages, public) if languages else (),
        physical_location=restored(attrs, "physical_location", physical_location),
        repository_name=attrs.get("repository_name", repository_name),
        **_unit_parts(related, pk, path, attrs),
        published=published,
        extra=extra_elements(decoded(unmapped), public),
        **side_fields,
    )


def _unit_parts(related: RelatedRows, pk: int, path: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """The records of a unit's related rows, by ``Unit`` field (empty for what it has none of:
    most units have few kinds of parts)."""
    public = related.public
    dates = related.dates.get(pk)
    extents = related.extents.get(pk)
    notes = related.notes.get(pk)
    agents = related.agents.get(pk)
    subjects = related.subjects.get(pk)
    containers = related.containers.get(pk)
    daos = related.digital_objects.get(pk)
    return {
        "dates": parts.dates(dates, attrs.get("dates") or [], public) if dates else (),
        "extents": parts.extents(extents, attrs.get("extents") or [], public) if extents else (),
        "notes": tuple(parts.note(n) for n in notes) if notes else (),
        "agents": tuple(parts.agent(a) for a in agents) if agents else (),
        "subjects": tuple(parts.subject(s) for s in subjects) if subjects else (),
        "containers": parts.containers(containers, path) if containers else (),
        "digital_objects": tuple(parts.digital_object(d) for d in daos) if daos else (),
    }


# --------------------------------------------------------------------------- the stream


# EAD numbers components <c01> to <c12>: twelve levels below the collection.
NUMBERED_LEVELS = 12


def numbered_levels_exceeded(collection: Collection) -> bool:
    """Whether a component of ``collection`` lies deeper than numbered components reach
    (tree depth 1 is the collection itself; one query)."""
    return bool(
        Component.objects.filter(collection=collection, depth__gt=NUMBERED_LEVELS + 1)
        .only("pk")
        .exists()
    )


def collection_records(
    *,
    collection: Collection,
    include_unpublished: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[r.Record]:
    """The collection as neutral records: ``FindingAid``, the collection ``Unit`` (depth 0),
    then every component ``Unit`` in document order with its depth (1 = top level).

    ``include_unpublished=False`` (public) leaves out what ``archive.visibility`` hides;
    ``True`` (staff) yields everything, unpublished records with ``published=False``.
    A public stream of a collection whose description is unpublished yields the header only.
    """
    public = not include_unpublished
    header = finding_aid_record(collection)
    if header.numbered_components and numbered_levels_exceeded(collection):
        # <c01>...<c12> number twelve levels only, and an outline move can go deeper: the
        # whole component list is then written with unnumbered <c>, which both schemas take
        header = dataclasses.replace(header, numbered_components=False)
    yield header
    # Made in the admin: the collection-level repository statement comes from the repository.
    fallback_repository = None if collection.source_version else collection.repository.name

    tables = related_in_use(collection.pk)
    annotations, names = as_text(COMPONENT_COLUMNS, COMPONENT_JSON_COLUMNS)
    rows = (
        Component.objects.filter(collection=collection)
        .annotate(**annotations)
        .order_by("path")
        .values_list(*names)
        .iterator(chunk_size=chunk_size)
    )
    # A public stream leaves out unpublished units with their subtrees.
    walk = PublicWalk() if public else None
    sequence = 0  # the collection level is 0, components count from 1
    batch: list[tuple[tuple[Any, ...], int]] = []
    for row in rows:
        if walk is not None and not walk.public(row[2], row[12]):
            continue
        batch.append((row, sequence))
        sequence += 1
        if len(batch) >= chunk_size:
            yield from _units(collection.pk, batch, public, fallback_repository, tables)
            batch = []
    if batch:
        yield from _units(collection.pk, batch, public, fallback_repository, tables)


def _units(
    collection_id: int,
    batch: list[tuple[tuple[Any, ...], int]],
    public: bool,
    fallback_repository: str | None,
    tables: frozenset[type],
) -> Iterator[r.Unit]:
    low = min(row[0] for row, _ in batch)
    high = max(row[0] for row, _ in batch)
    dense = high - low < 2 * len(batch)  # see RelatedRows: a range of ids instead of paths
    related = RelatedRows(
        collection_id,
        batch[0][0][1],
        batch[-1][0][1],
        public=public,
        ids=(low, high) if dense else None,
        tables=tables,
    )
    for row, sequence in batch:
        depth = row[2] - 1
        yield unit_record(
            row,
            related,
            depth=depth,
            sequence=sequence,
            repository_name=fallback_repository if depth == 0 else None,
        )


__all__ = ["DEFAULT_CHUNK_SIZE", "collection_records", "finding_aid_record", "unit_record"]
