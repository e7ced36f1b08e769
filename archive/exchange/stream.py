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
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import Exists, OuterRef, TextField
from django.db.models.functions import Cast

from archive.ead import records as r
from archive.ead.markup import fragment_plain_text
from archive.exchange.bulk import BATCH_SIZE
from archive.exchange.columns import (
    COMPONENT_COLUMNS,
    COMPONENT_JSON_COLUMNS,
    DATE_COLUMNS,
    DATE_FIELDS,
    EXTENT_COLUMNS,
    EXTENT_FIELDS,
    HEADER_FIELDS,
    NOTE_FIELDS,
    column_length,
)
from archive.models import (
    AgentLink,
    Collection,
    Component,
    ContainerInstance,
    DigitalObject,
    Extent,
    Note,
    SubjectLink,
    UnitDate,
)
from archive.visibility import PublicWalk

# Rows read per query of the ordered stream: the same batch the loader writes.
DEFAULT_CHUNK_SIZE = BATCH_SIZE

# The ordered query reads ``COMPONENT_COLUMNS`` (archive.exchange.columns) as tuples, not
# model instances: building 100,000 model objects would cost more than the whole XML
# serialisation. JSON columns are read as text (``json_text``) and decoded by :func:`decoded`.

# Decoded JSON texts, shared between rows: most rows hold one of a few short values ("{}",
# "[]", {"ref_generated": true}, the same container list...), and a dict lookup costs a
# fraction of ``json.loads``. Decoded values are only ever read here, never changed, so
# sharing them is safe. Bounded: cleared when full, and long texts are not kept.
_DECODED: dict[str, Any] = {}
_DECODED_MAX_ENTRIES = 4096
_DECODED_MAX_LENGTH = 512
_decode = json.JSONDecoder().decode


# Records made from a few repeated values (the same date, the same box of a few hundred
# folders, the same side attributes) are shared between units the same way: records are
# immutable. Keys are the row values the record is made from; bounded like _DECODED.
_SHARED: dict[Any, Any] = {}
_SHARED_MAX_ENTRIES = 8192


def _share[T](key: Any, value: T) -> T:
    """Keep ``value`` for rows that decode to the same ``key``; returns it."""
    if len(_SHARED) >= _SHARED_MAX_ENTRIES:
        _SHARED.clear()
    _SHARED[key] = value
    return value


def json_text(name: str) -> Cast:
    """A JSON column read as its text: the database's own text, with no per-row decoding
    by the driver or by Django's ``from_db_value`` (see :func:`decoded`)."""
    return Cast(name, output_field=TextField())


def decoded(value: Any) -> Any:
    """A JSON column value read by ``json_text`` as a Python value (other values as they are)."""
    if value.__class__ is not str:
        return value
    try:
        return _DECODED[value]
    except KeyError:
        pass
    result = _decode(value)
    if len(value) <= _DECODED_MAX_LENGTH:
        if len(_DECODED) >= _DECODED_MAX_ENTRIES:
            _DECODED.clear()
        _DECODED[value] = result
    return result


def _as_text(
    columns: tuple[str, ...], json_columns: Iterable[str]
) -> tuple[dict[str, Any], list[str]]:
    """(annotations, values_list names) that read ``json_columns`` of ``columns`` as text."""
    json_columns = set(json_columns)
    annotations = {f"json_{name}": json_text(name) for name in columns if name in json_columns}
    names = [f"json_{name}" if name in json_columns else name for name in columns]
    return annotations, names


def _pairs(value: Any) -> r.Attributes:
    """JSON ``[[name, value], ...]`` (as the loader stores attributes) -> record attributes."""
    if not value:
        return ()
    if isinstance(value, dict):  # tolerate a hand-made dict
        return tuple((str(k), str(v)) for k, v in value.items())
    return tuple((str(name), str(val)) for name, val in value)


def _none(value: str | None) -> str | None:
    return value if value else None


def restored(side: dict[str, Any], key: str, column: Any) -> Any:
    """The value the loader kept under ``key`` (see ``archive.exchange.load.keep``), else the
    column read as ``column or None``."""
    if key in side:
        return side[key]
    return column if column not in ("", None) else None


def _restored_if(
    side: dict[str, Any], key: str, column: str, rule: Any, *, optional: bool = True
) -> Any:
    """Like :func:`restored`, but only while ``rule(kept value)`` is still the column: a
    value edited in the admin since the import wins over what the file said."""
    if key in side and rule(side[key]) == column:
        return side[key]
    if not optional:
        return column
    return column if column not in ("", None) else None


def _text_fragment(text: str) -> str:
    """A plain text as a neutral fragment (text content needs &, < and > escaped)."""
    if "&" in text or "<" in text or ">" in text:
        return escape(text)
    return text  # (most titles: no copy, no call)


def _extra(value: dict[str, Any]) -> r.ExtraElement:
    return r.ExtraElement(
        xml=value.get("xml", ""),
        where=value.get("where", "unit"),
        position=value.get("position", 0),
        version=value.get("version", "2002"),
        published=value.get("published", True),
    )


def _extras(values: Iterable[dict[str, Any]], public: bool) -> tuple[r.ExtraElement, ...]:
    if not values:
        return ()
    items = (_extra(v) for v in values)
    return tuple(e for e in items if e.published or not public)


# --------------------------------------------------------------------------- header


def finding_aid_record(collection: Collection) -> r.FindingAid:
    """The header record of ``collection`` (one query for the revision history).

    Long because the record has some forty fields, each read back from its column or from
    what the loader kept in ``unmapped``; splitting it would only move the list elsewhere.
    """
    u: dict[str, Any] = collection.unmapped or {}
    revisions = list(
        collection.revisions.order_by("position", "id").values_list(
            "date", "description", "agent", "published"
        )
    )
    revision_extras = u.get("revisions") or []
    revision_records = []
    for i, (date, description, agent, published) in enumerate(revisions):
        more = revision_extras[i] if i < len(revision_extras) else {}
        revision_records.append(
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
    imported = bool(collection.source_version)
    repository = collection.repository

    def header(key: str, fallback: str | None = None) -> str | None:
        # A finding aid made in the admin has no header of its own: take the repository's.
        if key in u:
            value: str | None = u[key]
            return value
        return fallback if not imported else None

    def column(name: str) -> str | None:
        kept: str | None = _restored_if(
            u, HEADER_FIELDS[name], getattr(collection, name), _header_rule(name)
        )
        return kept

    return r.FindingAid(
        ead_id=collection.ead_id,
        ead_id_attributes=_ead_id_attributes(collection.ead_id_attributes, u),
        title=u.get("title") or _text_fragment(collection.finding_aid_title),
        title_text=collection.finding_aid_title,
        filing_title=u.get("filing_title"),
        subtitle=column("finding_aid_subtitle"),
        author=column("finding_aid_author"),
        sponsor=column("finding_aid_sponsor"),
        publisher=column("publisher") or (None if imported else _none(repository.name)),
        publication_date=column("publication_date"),
        publication_date_normal=u.get("publication_date_normal"),
        publication_address=tuple(u.get("publication_address") or ()),
        publisher_markup=u.get("publisher_markup"),
        publication_address_markup=tuple(u.get("publication_address_markup") or ()),
        edition=column("finding_aid_edition"),
        language_of_description=column("description_language"),
        language_of_description_code=column("description_language_code"),
        script_of_description_code=u.get("script_of_description_code"),
        script_of_description=u.get("script_of_description"),
        rules=column("description_rules"),
        revisions=tuple(revision_records),
        creation=column("creation_note"),
        creation_date=u.get("creation_date"),
        repository_name=header("repository_name", _none(repository.name)),
        repository_code=header("repository_code", _none(repository.agency_code)),
        country_code=header("country_code", _none(repository.country_code)),
        agency_code=header("agency_code", _none(repository.agency_code)),
        source_version=collection.source_version or "2002",
        numbered_components=collection.numbered_components,
        status=u.get("status"),
        maintenance_status_text=u.get("maintenance_status_text") or "",
        root_attributes=_pairs(u.get("root_attributes")),
        header_attributes=_pairs(u.get("header_attributes")),
        element_attributes=tuple((p, _pairs(a)) for p, a in u.get("element_attributes") or ()),
        extra=tuple(_extra(v) for v in u.get("extra") or ()),
        declarations=tuple(tuple(d) for d in u.get("declarations") or ()),
    )


def _ead_id_attributes(column: Any, u: dict[str, Any]) -> r.Attributes:
    """The EAD id's attributes in document order while they still match the column."""
    current = _pairs(column)
    ordered = _pairs(u.get("ead_id_attributes"))
    return ordered if sorted(ordered) == sorted(current) else current


def _header_rule(name: str) -> Any:
    """The loader's rule for a header column: clip to its length (if it has one)."""
    length = column_length(Collection, name)

    def rule(value: str | None) -> str:
        value = value or ""
        return value[:length] if length else value

    return rule


# --------------------------------------------------------------------------- related rows


def _by_unit(fields: list[str]) -> tuple[str, ...]:
    """The columns the loader writes for a related table (``exchange.columns``), read back
    keyed by ``unit_id``: one list of columns for both directions."""
    assert fields[0] == "unit"
    return ("unit_id", *fields[1:])


class _Related:
    """The related rows of one chunk of components, grouped by unit id (one query each).

    Its ``__init__`` is long because it declares the seven queries of a chunk side by side,
    each with the columns its record builder reads; they share the chunk's scope.
    """

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
        dates = UnitDate.objects.filter(**in_chunk)
        extents = Extent.objects.filter(**in_chunk)
        instances = ContainerInstance.objects.filter(**in_chunk)
        if public:
            dates = dates.filter(published=True)
            extents = extents.filter(published=True)
            instances = instances.filter(published=True)
        self.dates = self._group(
            dates.order_by("unit_id", "position", "id"),
            _by_unit(DATE_FIELDS),
        )
        self.extents = self._group(
            extents.order_by("unit_id", "position", "id"),
            _by_unit(EXTENT_FIELDS),
        )
        notes = Note.objects.filter(**in_chunk)
        agents = AgentLink.objects.filter(**in_chunk)
        subjects = SubjectLink.objects.filter(**in_chunk)
        daos = DigitalObject.objects.filter(**in_chunk)
        if public:
            # The database drops what the public may not see; staff streams get it all.
            notes = notes.filter(published=True)
            agents = agents.filter(published=True, agent__published=True)
            subjects = subjects.filter(published=True, subject__published=True)
            daos = daos.filter(published=True)
        self.notes = self._group(
            notes.order_by("unit_id", "position", "id"),
            _by_unit(NOTE_FIELDS),
        )
        self.agents = self._group(
            agents.order_by("unit_id", "position", "id"),
            (
                "unit_id",
                "role",
                "relator",
                "published",
                "attributes",
                "agent__authorized_name",
                "agent__agent_type",
                "agent__authority_source",
                "agent__authority_id",
                "agent__published",
            ),
        )
        self.subjects = self._group(
            subjects.order_by("unit_id", "position", "id"),
            (
                "unit_id",
                "published",
                "attributes",
                "subject__term",
                "subject__subject_type",
                "subject__source",
                "subject__authority_id",
                "subject__published",
            ),
        )
        self.containers = self._group(
            instances.order_by("unit_id", "position", "id"),
            (
                "unit_id",
                "child_type",
                "child_indicator",
                "grandchild_type",
                "grandchild_indicator",
                "instance_type",
                "position",
                "attributes",
                "container__container_type",
                "container__indicator",
                "container__barcode",
                "container__label",
                "published",
            ),
        )
        self.digital_objects = self._group(
            daos.order_by("unit_id", "position", "id"),
            (
                "unit_id",
                "title",
                "link",
                "role",
                "description",
                "published",
                "attributes",
            ),
        )

    def _group(self, queryset: Any, columns: tuple[str, ...]) -> dict[int, list[tuple[Any, ...]]]:
        if self.tables is not None and queryset.model not in self.tables:
            return {}  # no row in the whole collection: no query
        # ``attributes`` comes as text; the row mappers decode it (see ``decoded``).
        annotations, names = _as_text(columns, ("attributes",))
        grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for row in queryset.annotate(**annotations).values_list(*names):
            grouped[row[0]].append(row)
        return grouped


RELATED_MODELS = (UnitDate, Extent, Note, AgentLink, SubjectLink, ContainerInstance, DigitalObject)


def related_in_use(collection_id: int) -> frozenset[type]:
    """The related models (``RELATED_MODELS``) that have rows in the collection, in one query.

    Many collections use only a few of them (a generated or container-list collection has
    dates and containers, no notes or agents): the chunk queries of the others are skipped.
    """
    exists = {
        str(model._meta.model_name): Exists(
            model.objects.filter(unit__collection_id=OuterRef("pk"))
        )
        for model in RELATED_MODELS
    }
    flags = (
        Collection.objects.filter(pk=collection_id).annotate(**exists).values_list(*exists).first()
    )
    if flags is None:
        return frozenset()
    return frozenset(model for model, used in zip(RELATED_MODELS, flags, strict=True) if used)


# --------------------------------------------------------------------------- unit mapping


def _dates(
    rows: list[tuple[Any, ...]], stored: list[dict[str, Any]], public: bool
) -> tuple[r.Date, ...]:
    result = []
    for row in rows:
        position = row[-1]
        more = stored[position] if 0 <= position < len(stored) else None
        if not more:
            # Nothing kept beside the row (most dates): the columns are the whole date.
            key = ("date", *row[1:-1])
            date = _SHARED.get(key)
            if date is None:
                _, expression, begin, end, date_type, certainty, calendar, era, published, _ = row
                date = _share(
                    key,
                    r.Date(
                        expression=expression or "",
                        begin=begin or None,
                        end=end or None,
                        date_type=date_type,
                        certainty=certainty or None,
                        calendar=calendar or None,
                        era=era or None,
                        published=published,
                    ),
                )
            result.append(date)
            continue
        published = row[-2]
        values = {
            name: _restored_if(more, name, column, rule, optional=name != "date_type")
            for (name, rule), column in zip(DATE_COLUMNS, row[1:-2], strict=True)
        }
        values["expression"] = values["expression"] or ""
        structured = more.get("structured")
        if structured and structured[1:] != [values["expression"], values["begin"], values["end"]]:
            structured = None  # edited since: the structured form no longer says the same
        markup = more.get("markup")
        if markup and markup[1] != values["expression"]:
            markup = None  # (as structured)
        result.append(
            r.Date(
                **values,
                normal=more.get("normal"),
                characteristic=more.get("characteristic"),
                published=published,
                attributes=_pairs(more.get("attributes")),
                structured=structured[0] if structured else "",
                markup=markup[0] if markup else "",
            )
        )
    return tuple(result)


def _extents(
    rows: list[tuple[Any, ...]], stored: list[dict[str, Any]], public: bool
) -> tuple[r.Extent, ...]:
    result = []
    for row in rows:
        number, extent_type, position = row[1], row[2], row[-1]
        more = stored[position] if 0 <= position < len(stored) else {}
        published = row[-2]
        content = more.get("content") or ""
        if content and not _extent_content_matches(content, number, extent_type):
            # Edited in the admin since the import: the columns are the truth now.
            content = ""
        values = {
            name: _restored_if(more, name, column, rule)
            for (name, rule), column in zip(EXTENT_COLUMNS, row[1:-2], strict=True)
        }
        structured = more.get("structured")
        if structured and structured[1:] != [values["number"], values["extent_type"]]:
            structured = None  # edited since: the structured form no longer says the same
        result.append(
            r.Extent(
                **values,
                content=content,
                published=published,
                attributes=_pairs(more.get("attributes")),
                structured=structured[0] if structured else "",
                set_attributes=_pairs(more.get("set_attributes")),
            )
        )
    return tuple(result)


def _extent_content_matches(content: str, number: str, extent_type: str) -> bool:
    # Loose on purpose: the parsed columns may be a reading of the statement ("3 1/2" ->
    # "3.5"); only a statement sharing neither the number nor the type is taken as stale.
    words = " ".join(content.split())
    if not number and not extent_type:
        return True
    return bool((number and number in words) or (extent_type and extent_type in words))


def _note(row: tuple[Any, ...]) -> r.Note:
    _, note_type, heading, content, ref, published, position, attrs = row
    attrs = decoded(attrs) or {}
    return r.Note(
        note_type=attrs.get("element") or note_type,
        heading=restored(attrs, "heading", heading),
        content=content,
        published=published,
        ref=restored(attrs, "ref", ref),
        position=attrs.get("source_position", position),
        attributes=_pairs(attrs.get("attributes")),
        heading_attributes=_pairs(attrs.get("heading_attributes")),
    )


def _agent(row: tuple[Any, ...]) -> r.AgentLink:
    (
        _,
        role,
        relator,
        published,
        attrs,
        name,
        agent_type,
        authority_source,
        authority_id,
        agent_published,
    ) = row
    attrs = decoded(attrs) or {}
    return r.AgentLink(
        name=attrs.get("name") or name,
        agent_type=attrs.get("agent_type") or agent_type,
        role=attrs.get("role") or role,
        relator=restored(attrs, "relator", relator),
        source=restored(attrs, "source", authority_source),
        authority_id=restored(attrs, "authority_id", authority_id),
        normal=attrs.get("normal"),
        name_parts=tuple(tuple(part) for part in attrs.get("name_parts") or ()),
        published=published and agent_published,
        group=attrs.get("group"),
        label=attrs.get("label"),
        attributes=_pairs(attrs.get("attributes")),
        origination_attributes=_pairs(attrs.get("origination_attributes")),
        name_markup=_name_markup(attrs.get("name_markup"), attrs.get("name") or name),
    )


def _name_markup(markup: str | None, name: str) -> str | None:
    """A name's stored markup while it still says the name (not once the name was edited)."""
    if not markup:
        return None
    said = " ".join(name.split())
    # (EAD3 parts that touch are words apart in the name)
    for separate in (False, True):
        if " ".join(fragment_plain_text(markup, separate=separate).split()) == said:
            return markup
    return None


def _subject(row: tuple[Any, ...]) -> r.SubjectLink:
    _, published, attrs, term, subject_type, source, authority_id, subject_published = row
    attrs = decoded(attrs) or {}
    term = attrs.get("term") or term
    parts = tuple(tuple(p) for p in attrs.get("term_parts") or ())
    if parts and " ".join(text for _, text in parts if text) != term:
        parts = ()  # the term was edited since: its parts no longer say the same
    return r.SubjectLink(
        term=term,
        subject_type=attrs.get("subject_type") or subject_type,
        source=restored(attrs, "source", source),
        authority_id=restored(attrs, "authority_id", authority_id),
        published=published and subject_published,
        group=attrs.get("group"),
        normal=attrs.get("normal"),
        attributes=_pairs(attrs.get("attributes")),
        term_parts=parts,
        term_markup=_name_markup(attrs.get("term_markup"), term),
    )


def _containers(rows: list[tuple[Any, ...]], path: str) -> tuple[r.Container, ...]:
    """A unit's containers, top first, from its instance rows and the containers they kept.

    Long because it runs for most components and keeps its state (the parent of the next
    level, whether ids come from the path) in locals rather than passing it between helpers.
    """
    # The same rows (but for the unit) give the same containers, unless their ids are
    # made from the unit's path below; those are not shared, nor are long kept lists.
    key: tuple[Any, ...] | None = ("containers", *(row[1:] for row in rows))
    if any(len(row[7] or "") > _DECODED_MAX_LENGTH for row in rows):
        key = None
    shared: tuple[r.Container, ...] | None = _SHARED.get(key)
    if shared is not None:
        return shared
    result: list[r.Container] = []
    from_path = False
    for row in rows:
        (
            _,
            child_type,
            child_indicator,
            grandchild_type,
            grandchild_indicator,
            instance_type,
            position,
            attrs,
            top_type,
            top_indicator,
            barcode,
            label,
            published,
        ) = row
        levels = [(top_type, top_indicator)]
        if child_indicator or child_type:
            levels.append((child_type, child_indicator))
        if grandchild_indicator or grandchild_type:
            levels.append((grandchild_type, grandchild_indicator))
        stored = (decoded(attrs) or {}).get("containers") or []
        if _stored_containers_match(stored, levels):
            # An unpublished instance: its containers marked internal in the file, or all of
            # them when none was (unticked in the admin). A published one shows them all.
            flagged = not published and any(c.get("published", True) is False for c in stored)
            for c in stored:
                kept = tuple(pair for pair in _pairs(c.get("attributes")) if pair[0] != "audience")
                result.append(
                    r.Container(
                        ref=c.get("id"),
                        parent_ref=c.get("parent"),
                        container_type=c.get("type"),
                        indicator=c.get("indicator") or "",
                        label=c.get("label"),
                        barcode=c.get("barcode"),
                        attributes=kept,
                        published=published or (flagged and c.get("published", True) is not False),
                        content=c.get("content") or "",
                    )
                )
            continue
        # Made or changed in the admin: ids derived from the unit's path and the instance's
        # place, so every export of the same data gives the same ids (ArchivesSpace makes new
        # ones on each export) and a re-import keeps them.
        from_path = True
        parent = None
        for level, (ctype, indicator) in enumerate(levels):
            ref = _container_id(path, position, level)
            result.append(
                r.Container(
                    ref=ref,
                    parent_ref=parent,
                    container_type=ctype or None,
                    indicator=indicator or "",
                    label=_none(instance_type) if level == 0 else None,
                    barcode=_none(barcode) if level == 0 else None,
                    published=published,
                )
            )
            parent = ref
    if from_path or key is None:
        return tuple(result)
    return _share(key, tuple(result))


def _stored_containers_match(stored: list[dict[str, Any]], levels: list[tuple[str, str]]) -> bool:
    """Whether the containers kept from the file still say what the columns say."""
    if not stored or len(stored) < len(levels):
        return False
    for c, (ctype, indicator) in zip(stored, levels, strict=False):
        if (c.get("indicator") or "").strip()[:64] != indicator:
            return False
        if ctype and (c.get("type") or "box").strip().lower()[:64] != ctype.lower():
            return False
    return True


def _container_id(path: str, position: int, level: int) -> str:
    digest = hashlib.blake2b(f"{path}/{position}/{level}".encode(), digest_size=6).hexdigest()
    return f"ctr-{digest}"


def _other_identifier(item: dict[str, Any]) -> tuple[str, r.Attributes]:
    """A further identifier; one not published carries ``audience="internal"`` again."""
    attributes = _pairs(item.get("attributes"))
    if item.get("published", True) is False and ("audience", "internal") not in attributes:
        attributes = (*attributes, ("audience", "internal"))
    return item.get("value", ""), attributes


def _digital_object(row: tuple[Any, ...]) -> r.DigitalObject:
    _, title, link, role, description, published, attrs = row
    attrs = decoded(attrs) or {}
    return r.DigitalObject(
        title=restored(attrs, "title", title),
        href=restored(attrs, "href", link),
        role=restored(attrs, "role", role),
        show=attrs.get("show"),
        actuate=attrs.get("actuate"),
        published=published,
        description=restored(attrs, "description", description),
        extra=_pairs(attrs.get("attributes")),
        group=attrs.get("group"),
        group_description=attrs.get("group_description"),
        object_type=attrs.get("object_type"),
        group_attributes=_pairs(attrs.get("group_attributes")),
        group_links=tuple(attrs.get("group_links") or ()),
    )


def unit_record(
    row: tuple[Any, ...],
    related: _Related,
    *,
    depth: int,
    sequence: int,
    repository_name: str | None = None,
) -> r.Unit:
    """One component row (``COMPONENT_COLUMNS``) and its related rows as a ``Unit``.

    Long on purpose: it runs once per exported component and builds the record's thirty-odd
    fields inline from the row tuple, the decoded ``attributes`` and the related rows; a
    helper per field group would cost a call and an argument tuple each, per component.
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
    (
        attrs,
        identifier_attributes,
        title_attributes,
        unit_attributes,
        headings,
        component_list_attributes,
        did_attributes,
        controlaccess_attributes,
    ) = _unit_side(attrs)
    unmapped = decoded(unmapped)
    other_identifiers = decoded(other_identifiers)
    languages = decoded(languages)
    public = related.public

    raw_level: str | None = level
    if attrs.get("level_absent"):
        raw_level, other_level = None, ""
    elif "level" in attrs:
        # The file's own word for the level, not an EAD value: give it back as written.
        raw_level = attrs["level"]
        if other_level == raw_level:
            other_level = ""
    other_level = attrs["other_level"] if "other_level" in attrs else _none(other_level)

    unit_ref: str | None = ref or None
    if attrs.get("ref_generated"):
        unit_ref = None  # made up from the position at import: the file had none
    elif attrs.get("source_ref") and len(attrs["source_ref"]) > 255:
        unit_ref = attrs["source_ref"]

    fragment = attrs["title"] if "title" in attrs else title_markup or _text_fragment(title)
    notes = related.notes.get(pk)
    agents = related.agents.get(pk)
    subjects = related.subjects.get(pk)
    daos = related.digital_objects.get(pk)
    containers = related.containers.get(pk)
    dates = related.dates.get(pk)
    extents = related.extents.get(pk)
    return r.Unit(
        depth=depth,
        sequence=sequence,
        level=raw_level if raw_level is not None else None,
        other_level=other_level,
        ref=unit_ref,
        identifier=restored(attrs, "identifier", identifier),
        identifier_attributes=identifier_attributes,
        other_identifiers=tuple(
            _other_identifier(o)
            for o in other_identifiers
            if not public or o.get("published", True) is not False
        )
        if other_identifiers
        else (),
        title=fragment,
        title_text=title,
        title_attributes=title_attributes,
        dates=_dates(dates, attrs.get("dates") or [], public) if dates else (),
        extents=_extents(extents, attrs.get("extents") or [], public) if extents else (),
        languages=tuple(
            r.Language(
                code=lang.get("code"),
                script=lang.get("script"),
                name=lang.get("name") or "",
                script_name=lang.get("script_name") or "",
                published=lang.get("published", True) is not False,
                attributes=_pairs(lang.get("attributes")),
                statement=lang.get("statement"),
            )
            for lang in languages
            if not public or lang.get("published", True) is not False
        )
        if languages
        else (),
        physical_location=restored(attrs, "physical_location", physical_location),
        repository_name=attrs.get("repository_name", repository_name),
        # Most units have none of these: skip the generator for them.
        notes=tuple(_note(n) for n in notes) if notes else (),
        agents=tuple(_agent(a) for a in agents) if agents else (),
        subjects=tuple(_subject(s) for s in subjects) if subjects else (),
        containers=_containers(containers, path) if containers else (),
        digital_objects=tuple(_digital_object(d) for d in daos) if daos else (),
        published=published,
        attributes=unit_attributes,
        extra=_extras(unmapped, public),
        headings=headings,
        component_list_attributes=component_list_attributes,
        did_attributes=did_attributes,
        controlaccess_attributes=controlaccess_attributes,
        identifier_fragments=tuple(attrs.get("identifier_fragments") or ()),
        group_attributes=tuple((g, _pairs(a)) for g, a in attrs.get("group_attributes") or ()),
        heading_attributes=tuple((k, _pairs(a)) for k, a in attrs.get("heading_attributes") or ()),
        new_component_list=None
        if attrs.get("new_component_list") is None
        else _pairs(attrs["new_component_list"]),
    )


def _unit_side(text: Any) -> tuple[Any, ...]:
    """A component's ``attributes`` column (read by ``json_text``) as (the decoded dict, and
    the record fields made from it alone), shared between the many rows with the same text."""
    key = ("side", text) if text.__class__ is str else None
    side: tuple[Any, ...] | None = _SHARED.get(key) if key is not None else None
    if side is not None:
        return side
    attrs = decoded(text) or {}
    side = (
        attrs,
        _pairs(attrs.get("identifier_attributes")),
        _pairs(attrs.get("title_attributes")),
        _pairs(attrs.get("attributes")),
        tuple(tuple(h) for h in attrs.get("headings") or ()),
        _pairs(attrs.get("component_list_attributes")),
        _pairs(attrs.get("did_attributes")),
        _pairs(attrs.get("controlaccess_attributes")),
    )
    if key is not None and len(text) <= _DECODED_MAX_LENGTH:
        _share(key, side)
    return side


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
    annotations, names = _as_text(COMPONENT_COLUMNS, COMPONENT_JSON_COLUMNS)
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
    dense = high - low < 2 * len(batch)  # see _Related: a range of ids instead of paths
    related = _Related(
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
