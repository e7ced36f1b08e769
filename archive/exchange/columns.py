"""The storage schema the EAD exchange writes and reads: column lists, enumerations, lengths.

``archive.exchange.load`` writes rows in the order of these lists and ``archive.exchange.stream``
reads them back with the same rules, so a value the columns cannot hold (too long, outside an
enumeration, present but empty) is recognised on both sides in one way.
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
    UnitDate,
)


def max_length(model: type[models.Model], name: str) -> int:
    """The length of a text column, from the model: values are clipped where the database
    would refuse them, and a migration that widens a column widens the clipping with it."""
    length = model._meta.get_field(name).max_length
    if length is None:
        raise ImproperlyConfigured(f"{model.__name__}.{name} has no max_length")
    return int(length)


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
    :func:`archive.exchange.stream.restored` as long as the column still says what the import put
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


def column_length(model: type[models.Model], name: str) -> int | None:
    """A column's length, or None for a column without one (a text field)."""
    length = model._meta.get_field(name).max_length
    return None if length is None else int(length)


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
