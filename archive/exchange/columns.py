"""The storage schema the EAD exchange writes and reads: column lists, enumerations, lengths.

``archive.exchange.load`` writes rows in the order of these lists and ``archive.exchange.stream``
reads them back with the same rules, so a value the columns cannot hold (too long, outside an
enumeration, present but empty) is recognised on both sides in one way.

Where things go (the export streamer reads them back the same way)
-----------------------------------------------------------------

Every ``attributes`` value of the records (unmapped XML attributes, in document order) is
stored as a JSON list of ``[name, value]`` pairs, because PostgreSQL ``jsonb`` does not keep
the key order of objects. Extra elements are stored as ``{"xml", "where", "position",
"version", "published"}`` objects.

``Collection``
    columns for what the model names (plain title text in ``finding_aid_title``; the other text
    columns hold the reader's fragments as they came). ``ead_id_attributes`` is a dict (its
    document order is in ``unmapped["ead_id_attributes"]``).
    ``unmapped`` holds the rest of the header: ``title`` (the title fragment, when it has
    markup), ``filing_title``, ``publication_date_normal``, ``publication_address``,
    ``publisher_markup``, ``publication_address_markup`` (fragments, when they had markup),
    ``language_of_description`` (the prose statement, when it is more than the language name),
    ``script_of_description_code``, ``script_of_description``, ``creation_date``,
    ``repository_name``, ``repository_code``, ``country_code``, ``agency_code``, ``status``,
    ``root_attributes``, ``header_attributes``, ``element_attributes``, ``extra`` and
    ``revisions`` (``[{"event_type", "normal"}]`` in the
    order of the ``Revision`` rows) -- each key only when the file had a value.

``Component`` (``<archdesc>`` is the root at depth 1, ``<c>`` below)
    ``attributes`` is a dict with, when present: ``attributes`` (unmapped attributes of the
    unit), ``ref_generated`` (True: the file had no @id and ``ref`` was made up from the
    unit's position, so an export may leave it out), ``source_ref`` (the @id as written, when
    it had to be changed to keep refs unique or short enough), ``level_absent`` (True: the
    file gave no @level), ``level`` (the @level as written when it is not an EAD value),
    ``other_level`` and ``identifier`` (when longer than their columns),
    ``identifier_attributes``, ``identifier_fragments`` (every unitid as a fragment, when
    one has inline markup), ``group_attributes`` (of nested access-point groups),
    ``heading_attributes`` (of the headings, by their keys),
    ``title_attributes``, ``title`` (the title fragment when it has no markup but differs
    from the escaped text, e.g. by whitespace),
    ``repository_name``, ``headings``, ``did_attributes``, ``controlaccess_attributes``,
    ``component_list_attributes``, ``dates`` and ``extents``. The last two are lists
    parallel to the ``UnitDate`` / ``Extent`` rows by ``position``, of
    ``{"normal", "characteristic", "attributes"}`` (and ``expression`` when too long) and of
    ``{"content", "attributes"}``; whether a date or extent is public is the rows'
    ``published`` column. ``unmapped`` is the list of extra elements. ``other_identifiers``
    is ``[{"value", "attributes"}]``; ``languages`` is ``[{"code", "script", "name"}]`` (and
    ``script_name``, the EAD3 ``<script>`` text, when there is one); an item of either marked
    ``audience="internal"`` has ``"published": false``.

``Note``
    ``position`` counts the unit's notes in the order read; ``attributes`` holds
    ``source_position`` (the record's element index), ``element`` (``"note"`` for an EAD 2002
    ``<note>``, stored as note type ``odd``), ``attributes`` and ``heading`` (the whole heading
    when it is longer than the column).

``AgentLink`` / ``SubjectLink``
    ``attributes`` holds what the file said that differs from the shared ``Agent`` /
    ``Subject`` row (``name`` or ``term``, ``source``, ``authority_id``, ``agent_type``), plus
    ``normal``, ``name_parts``, ``group``, ``label``, ``attributes``.

``ContainerInstance``
    ``attributes["containers"]`` lists every container of the instance as written, top first:
    ``{"id", "parent", "type", "indicator", "label", "barcode", "attributes"}`` (and
    ``"published": false`` for one marked internal). An instance is published when all of
    its containers are.

``DigitalObject``
    ``attributes`` holds ``show``, ``actuate``, ``group``, ``group_description``,
    ``group_attributes``,
    ``object_type``, ``attributes`` (unmapped) and ``href``/``title`` when too long.

Imported units are published unless the file marks them ``audience="internal"``: an archivist
who imports a finding aid expects to see it on the public site.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from archive.models import (
    Agent,
    AgentLink,
    Collection,
    Component,
    Container,
    ContainerInstance,
    DigitalObject,
    Extent,
    Level,
    Note,
    NoteType,
    Repository,
    Revision,
    Subject,
    SubjectLink,
    UnitDate,
)


def column_length(model: type[models.Model], name: str) -> int | None:
    """A column's length, or None for a column without one (a text field)."""
    length = getattr(model._meta.get_field(name), "max_length", None)
    return None if length is None else int(length)


def max_length(model: type[models.Model], name: str) -> int:
    """The length of a text column, from the model: values are clipped where the database
    would refuse them, and a migration that widens a column widens the clipping with it."""
    length = column_length(model, name)
    if length is None:
        raise ImproperlyConfigured(f"{model.__name__}.{name} has no max_length")
    return int(length)


# The tables that hold a unit's parts (each row has a ``unit``): what a chunk of the export
# reads beside its components, and what marks a finding aid changed when a row changes.
UNIT_PART_MODELS: tuple[type[models.Model], ...] = (
    UnitDate,
    Extent,
    Note,
    AgentLink,
    SubjectLink,
    ContainerInstance,
    DigitalObject,
)

LEVELS = frozenset(Level.values)
NOTE_TYPES = frozenset(NoteType.values)
AGENT_TYPES = frozenset(Agent.AgentType.values)
AGENT_ROLES = frozenset(AgentLink.Role.values)
SUBJECT_TYPES = frozenset(Subject.SubjectType.values)
DATE_TYPES = frozenset(UnitDate.DateType.values)
CERTAINTIES = frozenset(UnitDate.Certainty.values)


# Collection column -> FindingAid field, for header values the columns cannot give back.
HEADER_FIELDS = {
    "finding_aid_subtitle": "subtitle",
    "finding_aid_author": "author",
    "finding_aid_sponsor": "sponsor",
    "finding_aid_edition": "edition",
    "publisher": "publisher",
    "publication_date": "publication_date",
    "description_language": "language_of_description",
    "description_language_code": "language_of_description_code",
    "description_rules": "rules",
    "creation_note": "creation",
}


def clip(value: str | None, length: int) -> str:
    """``value`` cut to ``length`` characters (None: ``""``, the columns' "absent")."""
    value = value or ""
    return value if len(value) <= length else value[:length]


def keep(side: dict[str, Any], key: str, value: Any, column: Any) -> None:
    """Record ``value`` in ``side`` when the column cannot give it back exactly.

    Columns hold ``""`` for "absent", are clipped to their length and some only take an
    enumeration; the streamer reads ``column or None``. Whatever that reading would lose
    (a present-but-empty value, the tail of a long one, a word outside the enumeration, an
    absent portion that the column stores as "whole") is kept under ``key`` and restored by
    :func:`archive.exchange.stored.restored` as long as the column still says what the import put
    there (an edit in the admin since then wins).
    """
    if value != (column if column not in ("", None) else None):
        side[key] = value


def date_type_column(value: str | None) -> str:
    """A date type the column takes; the loader keeps any other word beside the row."""
    return value if value in DATE_TYPES else "inclusive"


def certainty_column(value: str | None) -> str:
    """A certainty the column takes; ``""`` (certain) otherwise."""
    return value if value in CERTAINTIES else ""


def portion_column(value: str | None) -> str:
    """An extent portion the column takes; ``"whole"`` otherwise."""
    return value if value in ("whole", "part") else "whole"


# Lengths of the columns the loader clips values to (a value longer than its column is kept
# whole in the row's ``attributes`` when an export needs it back).
REF_LENGTH = max_length(Component, "ref")
IDENTIFIER_LENGTH = max_length(Component, "identifier")
OTHER_LEVEL_LENGTH = max_length(Component, "other_level")
EAD_ID_LENGTH = max_length(Collection, "ead_id")
SOURCE_VERSION_LENGTH = max_length(Collection, "source_version")
REVISION_DATE_LENGTH = max_length(Revision, "date")
REVISION_AGENT_LENGTH = max_length(Revision, "agent")
REPOSITORY_CODE_LENGTH = max_length(Repository, "code")
REPOSITORY_NAME_LENGTH = max_length(Repository, "name")
AGENCY_CODE_LENGTH = max_length(Repository, "agency_code")
NOTE_HEADING_LENGTH = max_length(Note, "heading")
NOTE_REF_LENGTH = max_length(Note, "ref")
LINK_LENGTH = max_length(DigitalObject, "link")
DIGITAL_TITLE_LENGTH = max_length(DigitalObject, "title")
DIGITAL_ROLE_LENGTH = max_length(DigitalObject, "role")
CONTAINER_TYPE_LENGTH = max_length(Container, "container_type")
INDICATOR_LENGTH = max_length(Container, "indicator")
BARCODE_LENGTH = max_length(Container, "barcode")
CONTAINER_LABEL_LENGTH = max_length(Container, "label")
CHILD_TYPE_LENGTH = max_length(ContainerInstance, "child_type")
CHILD_INDICATOR_LENGTH = max_length(ContainerInstance, "child_indicator")
GRANDCHILD_TYPE_LENGTH = max_length(ContainerInstance, "grandchild_type")
GRANDCHILD_INDICATOR_LENGTH = max_length(ContainerInstance, "grandchild_indicator")
INSTANCE_TYPE_LENGTH = max_length(ContainerInstance, "instance_type")
RELATOR_LENGTH = max_length(AgentLink, "relator")
AGENT_NAME_LENGTH = max_length(Agent, "authorized_name")
AGENT_SOURCE_LENGTH = max_length(Agent, "authority_source")
AGENT_AUTHORITY_LENGTH = max_length(Agent, "authority_id")
SUBJECT_TERM_LENGTH = max_length(Subject, "term")
SUBJECT_SOURCE_LENGTH = max_length(Subject, "source")
SUBJECT_AUTHORITY_LENGTH = max_length(Subject, "authority_id")
EXPRESSION_LENGTH = max_length(UnitDate, "expression")
DATE_LENGTH = max_length(UnitDate, "begin")
if max_length(UnitDate, "end") != DATE_LENGTH:
    raise ImproperlyConfigured("UnitDate.begin and UnitDate.end must have one length")
CALENDAR_LENGTH = max_length(UnitDate, "calendar")
ERA_LENGTH = max_length(UnitDate, "era")


# Component columns that describe a unit, in the order the streamer reads them (and the
# loader writes them, with the tree's bookkeeping columns after ``depth``).
COMPONENT_COLUMNS = (
    "id",
    "path",
    "depth",
    "level",
    "other_level",
    "identifier",
    "other_identifiers",
    "ref",
    "title",
    "title_markup",
    "languages",
    "physical_location",
    "published",
    "attributes",
    "unmapped",
)
COMPONENT_JSON_COLUMNS = tuple(
    name
    for name in COMPONENT_COLUMNS
    if isinstance(Component._meta.get_field(name), models.JSONField)
)
# What the loader writes: the description columns, with numchild and the collection.
COMPONENT_FIELDS = [*COMPONENT_COLUMNS[:3], "numchild", "collection", *COMPONENT_COLUMNS[3:]]
DATE_FIELDS = [
    "unit",
    "expression",
    "begin",
    "end",
    "date_type",
    "certainty",
    "calendar",
    "era",
    "published",
    "position",
]
EXTENT_FIELDS = [
    "unit",
    "number",
    "extent_type",
    "portion",
    "container_summary",
    "physical_details",
    "dimensions",
    "published",
    "position",
]
NOTE_FIELDS = [
    "unit",
    "note_type",
    "heading",
    "content",
    "ref",
    "published",
    "position",
    "attributes",
]
DIGITAL_OBJECT_FIELDS = [
    "unit",
    "title",
    "link",
    "role",
    "description",
    "published",
    "position",
    "attributes",
]
CONTAINER_FIELDS = ["id", "collection", "container_type", "indicator", "barcode", "label"]
INSTANCE_FIELDS = [
    "unit",
    "container",
    "child_type",
    "child_indicator",
    "grandchild_type",
    "grandchild_indicator",
    "instance_type",
    "published",
    "position",
    "attributes",
]
AGENT_LINK_FIELDS = ["unit", "agent", "role", "relator", "published", "position", "attributes"]
SUBJECT_LINK_FIELDS = ["unit", "subject", "published", "position", "attributes"]


def _clipper(length: int) -> Callable[[str | None], str]:
    """A column rule: clip to ``length``."""
    return lambda value: clip(value, length)


def _text(value: str | None) -> str:
    """A column rule for an unlimited text column: None becomes ``""``."""
    return value or ""


# Record field -> its column value, in DATE_FIELDS / EXTENT_FIELDS order (after "unit").
# The streamer applies the same rules to tell a kept value from an edited column.
DATE_COLUMNS: list[tuple[str, Callable[[str | None], str]]] = [
    ("expression", _clipper(EXPRESSION_LENGTH)),
    ("begin", _clipper(DATE_LENGTH)),
    ("end", _clipper(DATE_LENGTH)),
    ("date_type", date_type_column),
    ("certainty", certainty_column),
    ("calendar", _clipper(CALENDAR_LENGTH)),
    ("era", _clipper(ERA_LENGTH)),
]
EXTENT_COLUMNS: list[tuple[str, Callable[[str | None], str]]] = [
    ("number", _clipper(max_length(Extent, "number"))),
    ("extent_type", _clipper(max_length(Extent, "extent_type"))),
    ("portion", portion_column),
    ("container_summary", _clipper(max_length(Extent, "container_summary"))),
    ("physical_details", _text),
    ("dimensions", _clipper(max_length(Extent, "dimensions"))),
]
