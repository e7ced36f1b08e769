"""The records of a streamed unit's parts, from the rows the loader wrote.

Each builder takes the rows :class:`archive.exchange.related.RelatedRows` read for one unit
(in the column order of ``related.CHUNK_READS``) and what the loader kept beside the columns
in the unit's ``attributes``, and gives back the neutral records (:mod:`archive.ead.records`)
the writers take: dates, extents, notes, agent and subject links, containers, digital objects,
languages and further identifiers. They run for most exported components: records made from
the same repeated values are shared (:func:`archive.exchange.stored.share`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from archive.ead import records as r
from archive.ead.markup import fragment_plain_text
from archive.exchange.columns import DATE_COLUMNS, EXTENT_COLUMNS
from archive.exchange.stored import (
    DECODED_MAX_LENGTH,
    SHARED,
    decoded,
    none_if_empty,
    read_pairs,
    restored,
    restored_if,
    share,
)


def dates(
    rows: list[tuple[Any, ...]], stored: list[dict[str, Any]], public: bool
) -> tuple[r.Date, ...]:
    result = []
    for row in rows:
        position = row[-1]
        more = stored[position] if 0 <= position < len(stored) else None
        if not more:
            # Nothing kept beside the row (most dates): the columns are the whole date.
            key = ("date", *row[1:-1])
            date = SHARED.get(key)
            if date is None:
                _, expression, begin, end, date_type, certainty, calendar, era, published, _ = row
                date = share(
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
            name: restored_if(more, name, column, rule, optional=name != "date_type")
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
                attributes=read_pairs(more.get("attributes")),
                structured=structured[0] if structured else "",
                markup=markup[0] if markup else "",
            )
        )
    return tuple(result)


def extents(
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
            name: restored_if(more, name, column, rule)
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
                attributes=read_pairs(more.get("attributes")),
                structured=structured[0] if structured else "",
                set_attributes=read_pairs(more.get("set_attributes")),
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


def note(row: tuple[Any, ...]) -> r.Note:
    _, note_type, heading, content, ref, published, position, attrs = row
    attrs = decoded(attrs) or {}
    return r.Note(
        note_type=attrs.get("element") or note_type,
        heading=restored(attrs, "heading", heading),
        content=content,
        published=published,
        ref=restored(attrs, "ref", ref),
        position=attrs.get("source_position", position),
        attributes=read_pairs(attrs.get("attributes")),
        heading_attributes=read_pairs(attrs.get("heading_attributes")),
    )


def agent(row: tuple[Any, ...]) -> r.AgentLink:
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
        attributes=read_pairs(attrs.get("attributes")),
        origination_attributes=read_pairs(attrs.get("origination_attributes")),
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


def subject(row: tuple[Any, ...]) -> r.SubjectLink:
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
        attributes=read_pairs(attrs.get("attributes")),
        term_parts=parts,
        term_markup=_name_markup(attrs.get("term_markup"), term),
    )


def containers(rows: list[tuple[Any, ...]], path: str) -> tuple[r.Container, ...]:
    """A unit's containers, top first, from its instance rows and the containers they kept."""
    # The same rows (but for the unit) give the same containers, unless their ids are
    # made from the unit's path below; those are not shared, nor are long kept lists.
    key: tuple[Any, ...] | None = ("containers", *(row[1:] for row in rows))
    if any(len(row[7] or "") > DECODED_MAX_LENGTH for row in rows):
        key = None
    shared: tuple[r.Container, ...] | None = SHARED.get(key)
    if shared is not None:
        return shared
    result: list[r.Container] = []
    from_path = False
    for row in rows:
        kept = _kept_containers(row)
        if kept is None:
            from_path = True
            result.extend(_path_containers(row, path))
        else:
            result.extend(kept)
    if from_path or key is None:
        return tuple(result)
    return share(key, tuple(result))


def _instance_levels(row: tuple[Any, ...]) -> list[tuple[str, str]]:
    """(type, indicator) of an instance row's container levels, top first."""
    child_type, child_indicator, grandchild_type, grandchild_indicator = row[1:5]
    levels = [(row[9], row[10])]  # the container's own type and indicator
    if child_indicator or child_type:
        levels.append((child_type, child_indicator))
    if grandchild_indicator or grandchild_type:
        levels.append((grandchild_type, grandchild_indicator))
    return levels


def _kept_containers(row: tuple[Any, ...]) -> list[r.Container] | None:
    """The containers the file gave for an instance row, while they still say what its
    columns say; None when the instance was made or changed in the admin."""
    attrs, published = row[7], row[8]
    stored = (decoded(attrs) or {}).get("containers") or []
    if not _stored_containers_match(stored, _instance_levels(row)):
        return None
    # An unpublished instance: its containers marked internal in the file, or all of
    # them when none was (unticked in the admin). A published one shows them all.
    flagged = not published and any(c.get("published", True) is False for c in stored)
    return [
        r.Container(
            ref=c.get("id"),
            parent_ref=c.get("parent"),
            container_type=c.get("type"),
            indicator=c.get("indicator") or "",
            label=c.get("label"),
            barcode=c.get("barcode"),
            attributes=tuple(
                pair for pair in read_pairs(c.get("attributes")) if pair[0] != "audience"
            ),
            published=published or (flagged and c.get("published", True) is not False),
            content=c.get("content") or "",
        )
        for c in stored
    ]


def _path_containers(row: tuple[Any, ...], path: str) -> list[r.Container]:
    """An instance made or changed in the admin: ids derived from the unit's path and the
    instance's place, so every export of the same data gives the same ids (ArchivesSpace
    makes new ones on each export) and a re-import keeps them."""
    instance_type, position, published, barcode = row[5], row[6], row[8], row[11]
    result = []
    parent = None
    for level, (ctype, indicator) in enumerate(_instance_levels(row)):
        ref = _container_id(path, position, level)
        result.append(
            r.Container(
                ref=ref,
                parent_ref=parent,
                container_type=ctype or None,
                indicator=indicator or "",
                label=none_if_empty(instance_type) if level == 0 else None,
                barcode=none_if_empty(barcode) if level == 0 else None,
                published=published,
            )
        )
        parent = ref
    return result


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


def other_identifier(item: dict[str, Any]) -> tuple[str, r.Attributes]:
    """A further identifier; one not published carries ``audience="internal"`` again."""
    attributes = read_pairs(item.get("attributes"))
    if item.get("published", True) is False and ("audience", "internal") not in attributes:
        attributes = (*attributes, ("audience", "internal"))
    return item.get("value", ""), attributes


def other_identifiers(values: list[dict[str, Any]], public: bool) -> tuple[Any, ...]:
    """A unit's further identifiers; a public stream leaves out the unpublished ones."""
    return tuple(
        other_identifier(o) for o in values if not public or o.get("published", True) is not False
    )


def languages(values: list[dict[str, Any]], public: bool) -> tuple[r.Language, ...]:
    """A unit's languages (``rows.language_json``); a public stream leaves out the
    unpublished ones."""
    return tuple(
        r.Language(
            code=lang.get("code"),
            script=lang.get("script"),
            name=lang.get("name") or "",
            script_name=lang.get("script_name") or "",
            published=lang.get("published", True) is not False,
            attributes=read_pairs(lang.get("attributes")),
            statement=lang.get("statement"),
        )
        for lang in values
        if not public or lang.get("published", True) is not False
    )


def unit_level(
    attrs: dict[str, Any], level: str, other_level: str
) -> tuple[str | None, str | None]:
    """(level, other level) as the file wrote them, from the columns and what the loader
    kept beside them (``rows.unit_level``)."""
    raw_level: str | None = level
    if attrs.get("level_absent"):
        raw_level, other_level = None, ""
    elif "level" in attrs:
        # The file's own word for the level, not an EAD value: give it back as written.
        raw_level = attrs["level"]
        if other_level == raw_level:
            other_level = ""
    return raw_level, attrs["other_level"] if "other_level" in attrs else none_if_empty(other_level)


def unit_ref(attrs: dict[str, Any], ref: str) -> str | None:
    """The unit's id as the file gave it: none when the loader made it up from the
    unit's position, the whole id when it was cut to the column."""
    if attrs.get("ref_generated"):
        return None  # made up from the position at import: the file had none
    if attrs.get("source_ref") and len(attrs["source_ref"]) > 255:
        return str(attrs["source_ref"])
    return ref or None


def digital_object(row: tuple[Any, ...]) -> r.DigitalObject:
    """A digital object row (``DIGITAL_OBJECT_FIELDS``) as its record."""
    _, title, link, role, description, published, _, attrs = row
    attrs = decoded(attrs) or {}
    return r.DigitalObject(
        title=restored(attrs, "title", title),
        href=restored(attrs, "href", link),
        role=restored(attrs, "role", role),
        show=attrs.get("show"),
        actuate=attrs.get("actuate"),
        published=published,
        description=restored(attrs, "description", description),
        extra=read_pairs(attrs.get("attributes")),
        group=attrs.get("group"),
        group_description=attrs.get("group_description"),
        object_type=attrs.get("object_type"),
        group_attributes=read_pairs(attrs.get("group_attributes")),
        group_links=tuple(attrs.get("group_links") or ()),
    )


def unit_side(text: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A component's ``attributes`` column (read by ``json_text``) as (the decoded dict, and
    the ``Unit`` fields made from it alone), shared between the many rows with the same
    text: both are only read."""
    key = ("side", text) if text.__class__ is str else None
    side: tuple[dict[str, Any], dict[str, Any]] | None = (
        SHARED.get(key) if key is not None else None
    )
    if side is not None:
        return side
    attrs = decoded(text) or {}
    new_list = attrs.get("new_component_list")
    fields = {
        "identifier_attributes": read_pairs(attrs.get("identifier_attributes")),
        "title_attributes": read_pairs(attrs.get("title_attributes")),
        "attributes": read_pairs(attrs.get("attributes")),
        "headings": tuple(tuple(h) for h in attrs.get("headings") or ()),
        "component_list_attributes": read_pairs(attrs.get("component_list_attributes")),
        "did_attributes": read_pairs(attrs.get("did_attributes")),
        "controlaccess_attributes": read_pairs(attrs.get("controlaccess_attributes")),
        "identifier_fragments": tuple(attrs.get("identifier_fragments") or ()),
        "group_attributes": tuple(
            (g, read_pairs(a)) for g, a in attrs.get("group_attributes") or ()
        ),
        "heading_attributes": tuple(
            (k, read_pairs(a)) for k, a in attrs.get("heading_attributes") or ()
        ),
        "new_component_list": None if new_list is None else read_pairs(new_list),
    }
    side = (attrs, fields)
    if key is not None and len(text) <= DECODED_MAX_LENGTH:
        share(key, side)
    return side
