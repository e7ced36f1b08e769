"""Record values -> column values, and the JSON kept beside them when a column cannot
give a value back (see ``archive.exchange.columns`` for where things go).

Pure functions of the records: :mod:`archive.exchange.load` calls them for every unit, and
the streamer (``archive.exchange.stream``) applies the same column rules when reading back.
"""

from __future__ import annotations

from typing import Any

from archive.ead import records as r
from archive.exchange.columns import (
    CALENDAR_LENGTH,
    CERTAINTIES,
    DATE_LENGTH,
    DATE_TYPES,
    ERA_LENGTH,
    EXPRESSION_LENGTH,
    EXTENT_COLUMNS,
    HEADER_FIELDS,
    IDENTIFIER_LENGTH,
    LEVELS,
    OTHER_LEVEL_LENGTH,
    SOURCE_VERSION_LENGTH,
    clip,
    column_length,
    keep,
)
from archive.models import Collection, Level


def escaped(text: str) -> str:
    """``xml.sax.saxutils.escape`` (``&``, ``<``, ``>``), for the markup-or-not tests."""
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def pairs(attributes: r.Attributes) -> list[list[str]]:
    """Record attributes as JSON: a list of pairs keeps their order on every database."""
    return [[name, value] for name, value in attributes]


def put_pairs(target: dict[str, Any], **attribute_sets: r.Attributes) -> None:
    """Store each non-empty set of record attributes in ``target`` under its name, as pairs."""
    for key, value in attribute_sets.items():
        if value:
            target[key] = pairs(value)


def put_given(target: dict[str, Any], record: object, names: tuple[str, ...]) -> None:
    """Store each of ``names`` that ``record`` gives (not None) in ``target`` as it is."""
    for name in names:
        value = getattr(record, name)
        if value is not None:
            target[name] = value


def extra_json(extra: r.ExtraElement) -> dict[str, Any]:
    """An unmapped element kept verbatim, with its place (read back by ``stored``)."""
    return {
        "xml": extra.xml,
        "where": extra.where,
        "position": extra.position,
        "version": extra.version,
        "published": extra.published,
    }


def container_json(c: r.Container) -> dict[str, Any]:
    """A container as written, for export; absent values are left out (read back as None)."""
    written: dict[str, Any] = {"indicator": c.indicator}
    if c.ref is not None:
        written["id"] = c.ref
    if c.parent_ref is not None:
        written["parent"] = c.parent_ref
    if c.container_type is not None:
        written["type"] = c.container_type
    put_given(written, c, ("label", "barcode"))
    put_pairs(written, attributes=c.attributes)
    if not c.published:
        written["published"] = False
    if c.content:
        written["content"] = c.content
    return written


def other_identifier_json(value: str, attributes: r.Attributes) -> dict[str, Any]:
    """A further identifier; ``audience="internal"`` becomes ``"published": false``."""
    if ("audience", "internal") in attributes:
        kept = [[k, v] for k, v in attributes if k != "audience"]
        return {"value": value, "attributes": kept, "published": False}
    return {"value": value, "attributes": pairs(attributes)}


def language_json(lang: r.Language) -> dict[str, Any]:
    written: dict[str, Any] = {"code": lang.code, "script": lang.script, "name": lang.name}
    if lang.script_name:  # EAD3 <script> text; absent for nearly every language
        written["script_name"] = lang.script_name
    if not lang.published:
        written["published"] = False
    if lang.attributes:
        written["attributes"] = pairs(lang.attributes)
    if lang.statement is not None:
        written["statement"] = lang.statement
    return written


def date_side(d: r.Date, columns: list[str]) -> dict[str, Any]:
    """What a date keeps beside its ``UnitDate`` row (``columns``, in ``DATE_COLUMNS``
    order; see the module docstring). Keys whose value is the streamer's default (None,
    published, no attributes) are left out: most dates keep nothing."""
    side: dict[str, Any] = {}
    # (inlined, as below: a date per component)
    if d.normal is not None:
        side["normal"] = d.normal
    if d.characteristic is not None:
        side["characteristic"] = d.characteristic
    if d.attributes:
        side["attributes"] = pairs(d.attributes)
    if d.structured:
        # with the values it gave: the streamer drops it once the date has been edited
        side["structured"] = [d.structured, d.expression, d.begin, d.end]
    if d.markup:
        side["markup"] = [d.markup, d.expression]  # (as structured)
    expression, begin, end, date_type, certainty, calendar, era = columns
    # keep(side, name, value, column), inlined (a date per component): the columns are
    # strings, "" standing for None
    if d.expression != (expression or None):
        side["expression"] = d.expression
    if d.begin != (begin or None):
        side["begin"] = d.begin
    if d.end != (end or None):
        side["end"] = d.end
    if d.date_type != date_type:
        side["date_type"] = d.date_type
    if d.certainty != (certainty or None):
        side["certainty"] = d.certainty
    if d.calendar != (calendar or None):
        side["calendar"] = d.calendar
    if d.era != (era or None):
        side["era"] = d.era
    return side


def extent_side(e: r.Extent, columns: list[str]) -> dict[str, Any]:
    """What an extent keeps beside its ``Extent`` row (``columns``, in ``EXTENT_COLUMNS``
    order; see the module docstring), defaults left out as for dates."""
    side: dict[str, Any] = {}
    if e.content:
        side["content"] = e.content
    if e.attributes:
        side["attributes"] = pairs(e.attributes)
    if e.structured:
        # with the values it gave: the streamer drops it once the extent has been edited
        side["structured"] = [e.structured, e.number, e.extent_type]
    if e.set_attributes:
        side["set_attributes"] = pairs(e.set_attributes)
    for (name, _), column in zip(EXTENT_COLUMNS, columns, strict=True):
        keep(side, name, getattr(e, name), column)
    return side


def date_columns(d: r.Date) -> list[str]:
    """The ``UnitDate`` column values of a date, in ``DATE_COLUMNS`` order (inlined: this
    runs for nearly every component)."""
    expression, begin, end = d.expression or "", d.begin or "", d.end or ""
    calendar, era = d.calendar or "", d.era or ""
    return [
        expression if len(expression) <= EXPRESSION_LENGTH else expression[:EXPRESSION_LENGTH],
        begin if len(begin) <= DATE_LENGTH else begin[:DATE_LENGTH],
        end if len(end) <= DATE_LENGTH else end[:DATE_LENGTH],
        d.date_type if d.date_type in DATE_TYPES else "inclusive",
        d.certainty if d.certainty in CERTAINTIES else "",
        calendar if len(calendar) <= CALENDAR_LENGTH else calendar[:CALENDAR_LENGTH],
        era if len(era) <= ERA_LENGTH else era[:ERA_LENGTH],
    ]


def extent_columns(e: r.Extent) -> list[str]:
    return [rule(getattr(e, name)) for name, rule in EXTENT_COLUMNS]


# A unit's date and extent column values (``date_columns`` / ``extent_columns``).
UnitColumns = tuple[list[list[str]], list[list[str]]]


def header_unmapped(fa: r.FindingAid) -> dict[str, Any]:
    """The header values no Collection column holds, for a faithful export."""
    unmapped: dict[str, Any] = {}
    if fa.title != escaped(fa.title_text):
        # Markup, or whitespace the plain text normalised away.
        unmapped["title"] = fa.title
    optional = {
        "filing_title": fa.filing_title,
        "publication_date_normal": fa.publication_date_normal,
        "publisher_markup": fa.publisher_markup,
        "script_of_description_code": fa.script_of_description_code,
        "script_of_description": fa.script_of_description,
        "creation_date": fa.creation_date,
        "repository_name": fa.repository_name,
        "repository_code": fa.repository_code,
        "country_code": fa.country_code,
        "agency_code": fa.agency_code,
        "status": fa.status,
        "maintenance_status_text": fa.maintenance_status_text or None,
    }
    unmapped.update({key: value for key, value in optional.items() if value is not None})
    if fa.publication_address:
        unmapped["publication_address"] = list(fa.publication_address)
    if fa.publication_address_markup:
        unmapped["publication_address_markup"] = list(fa.publication_address_markup)
    if len(fa.ead_id_attributes) > 1:
        # The column is a dict, and jsonb does not keep key order: keep the order here.
        unmapped["ead_id_attributes"] = pairs(fa.ead_id_attributes)
    put_pairs(unmapped, root_attributes=fa.root_attributes, header_attributes=fa.header_attributes)
    if fa.element_attributes:
        unmapped["element_attributes"] = [[p, pairs(a)] for p, a in fa.element_attributes]
    if fa.declarations:
        unmapped["declarations"] = [list(d) for d in fa.declarations]
    if fa.extra:
        unmapped["extra"] = [extra_json(e) for e in fa.extra]
    if any(
        rev.event_type or rev.normal or rev.agent_type or rev.event_text for rev in fa.revisions
    ):
        unmapped["revisions"] = [
            {"event_type": rev.event_type, "normal": rev.normal}
            | ({"agent_type": rev.agent_type} if rev.agent_type else {})
            | ({"event_text": rev.event_text} if rev.event_text else {})
            for rev in fa.revisions
        ]
    return unmapped


def collection_fields(fa: r.FindingAid) -> dict[str, Any]:
    """The Collection columns of a finding aid's header; what they cannot hold goes to
    ``unmapped`` (see ``archive.exchange.columns``)."""
    unmapped = header_unmapped(fa)
    columns = {
        "finding_aid_subtitle": fa.subtitle,
        "finding_aid_author": fa.author,
        "finding_aid_sponsor": fa.sponsor,
        "finding_aid_edition": fa.edition,
        "publisher": fa.publisher,
        "publication_date": fa.publication_date,
        "description_language": fa.language_of_description,
        "description_language_code": fa.language_of_description_code,
        "description_rules": fa.rules,
        "creation_note": fa.creation,
    }
    fields: dict[str, Any] = {}
    for column, value in columns.items():
        length = column_length(Collection, column)
        fields[column] = clip(value, length) if length else (value or "")
        # Present but empty, or longer than the column: kept under the record's name.
        keep(unmapped, HEADER_FIELDS[column], value, fields[column])
    return {
        "ead_id_attributes": dict(fa.ead_id_attributes),
        "finding_aid_title": fa.title_text or "",
        **fields,
        "source_version": clip(fa.source_version, SOURCE_VERSION_LENGTH),
        "numbered_components": fa.numbered_components,
        "unmapped": unmapped,
    }


def unit_attributes(unit: r.Unit, attributes: dict[str, Any]) -> None:
    """Add to a component's ``attributes`` what the unit's record carries beyond its
    columns: unmapped attributes of its elements, headings, repository statement."""
    put_pairs(
        attributes,
        attributes=unit.attributes,
        identifier_attributes=unit.identifier_attributes,
        title_attributes=unit.title_attributes,
    )
    if unit.heading_attributes:
        attributes["heading_attributes"] = [[k, pairs(a)] for k, a in unit.heading_attributes]
    if unit.group_attributes:
        attributes["group_attributes"] = [[g, pairs(a)] for g, a in unit.group_attributes]
    if unit.identifier_fragments:
        attributes["identifier_fragments"] = list(unit.identifier_fragments)
    put_pairs(
        attributes,
        did_attributes=unit.did_attributes,
        controlaccess_attributes=unit.controlaccess_attributes,
        component_list_attributes=unit.component_list_attributes,
    )
    if unit.new_component_list is not None:
        attributes["new_component_list"] = pairs(unit.new_component_list)
    if unit.repository_name is not None:
        attributes["repository_name"] = unit.repository_name
    if unit.headings:
        attributes["headings"] = [list(h) for h in unit.headings]


def unit_level(unit: r.Unit, depth: int, attributes: dict[str, Any]) -> tuple[str, str]:
    """The level and other-level columns of a unit at tree ``depth`` (1: the collection).

    What the columns cannot say (no @level, an empty one, a word outside EAD's list, an
    @otherlevel longer than its column or present but empty) goes to ``attributes``.
    """
    level = unit.level or ""
    other_level = unit.other_level or ""
    if unit.level is None:
        attributes["level_absent"] = True
        level = Level.COLLECTION if depth == 1 else Level.FILE
    elif not level:
        attributes["level"] = ""  # @level="" (present, empty)
        level = Level.COLLECTION if depth == 1 else Level.FILE
    elif level not in LEVELS:
        attributes["level"] = level
        other_level = other_level or level
        level = Level.OTHER
    if len(other_level) > OTHER_LEVEL_LENGTH or unit.other_level == "":
        attributes["other_level"] = unit.other_level if unit.other_level == "" else other_level
        other_level = other_level[:OTHER_LEVEL_LENGTH]
    return level, other_level


def unit_texts(unit: r.Unit, attributes: dict[str, Any]) -> tuple[str, str, str]:
    """(title markup, identifier, physical location) columns of a unit; what they cannot
    give back (whitespace the plain title lost, a long or empty identifier, an empty
    location) goes to ``attributes``."""
    title = unit.title
    title_markup = title if "<" in title else ""
    if not title_markup and title != escaped(unit.title_text):
        attributes["title"] = title  # no markup, but whitespace the text lost
    identifier = unit.identifier
    if identifier is None:
        identifier = ""
    elif len(identifier) > IDENTIFIER_LENGTH:
        attributes["identifier"] = identifier
        identifier = identifier[:IDENTIFIER_LENGTH]
    elif not identifier:
        attributes["identifier"] = identifier  # present but empty
    physical_location = unit.physical_location
    if physical_location == "":
        attributes["physical_location"] = ""
    return title_markup, identifier, physical_location or ""


def unit_part_columns(unit: r.Unit, attributes: dict[str, Any]) -> UnitColumns:
    """The columns of a unit's dates and extents (computed once, for their rows), with what
    they cannot give back kept in ``attributes``, parallel to the rows by position (absent
    when nothing is kept)."""
    date_rows = [date_columns(d) for d in unit.dates]
    extent_rows = [extent_columns(e) for e in unit.extents]
    if date_rows:
        sides = [date_side(d, row) for d, row in zip(unit.dates, date_rows, strict=True)]
        if any(sides):
            attributes["dates"] = sides
    if extent_rows:
        sides = [extent_side(e, row) for e, row in zip(unit.extents, extent_rows, strict=True)]
        if any(sides):
            attributes["extents"] = sides
    return date_rows, extent_rows


def container_groups(
    containers: tuple[r.Container, ...],
) -> tuple[list[list[r.Container]], list[str]]:
    """A unit's containers grouped into instances (a top container and its children), with
    a warning for each @parent that names no container of the unit.

    A container with @parent belongs to the instance whose container has that @id. One
    without @parent starts a new instance when it has an @id, when it is the first, or when
    it repeats the type of the current top container (box 1, box 2); otherwise it is the
    next level of the current instance (legacy "box 1, folder 3" without ids).
    """
    warnings: list[str] = []
    groups: list[list[r.Container]] = []
    by_id: dict[str, list[r.Container]] = {}
    if len(containers) == 1:  # the common case: one instance of one container
        c = containers[0]
        if c.parent_ref:
            warnings.append(f"container parent {c.parent_ref!r} is not a container of its unit")
        groups.append([c])
        containers = ()
    for c in containers:
        group = by_id.get(c.parent_ref) if c.parent_ref else None
        if group is None and not c.parent_ref and groups and not c.ref:
            current = groups[-1]
            top = current[0]
            same_type = (c.container_type or "").lower() == (top.container_type or "").lower()
            if not same_type and len(current) < 3 and not top.ref:
                group = current
        if group is None:
            if c.parent_ref:
                warnings.append(f"container parent {c.parent_ref!r} is not a container of its unit")
            group = []
            groups.append(group)
        group.append(c)
        if c.ref:
            by_id[c.ref] = group
    return groups, warnings
