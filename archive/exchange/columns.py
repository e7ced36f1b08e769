"""The storage schema the EAD exchange writes and reads: column lists, enumerations, lengths.

``archive.exchange.load`` writes rows in the order of these lists and ``archive.exchange.stream``
reads them back with the same rules, so a value the columns cannot hold (too long, outside an
enumeration, present but empty) is recognised on both sides in one way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archive.models import Agent, AgentLink, Level, NoteType, Subject, UnitDate

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
    return value if value in DATE_TYPES else "inclusive"


def certainty_column(value: str | None) -> str:
    return value if value in CERTAINTIES else ""


def portion_column(value: str | None) -> str:
    return value if value in ("whole", "part") else "whole"


def _column_length(model: type, name: str) -> int:
    return model._meta.get_field(name).max_length


COMPONENT_FIELDS = [
    "id",
    "path",
    "depth",
    "numchild",
    "collection",
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
]
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
    return lambda value: clip(value, length)


def _text(value: str | None) -> str:
    return value or ""


# Record field -> its column value, in DATE_FIELDS / EXTENT_FIELDS order (after "unit").
# The streamer applies the same rules to tell a kept value from an edited column.
DATE_COLUMNS: list[tuple[str, Callable[[str | None], str]]] = [
    ("expression", _clipper(255)),
    ("begin", _clipper(32)),
    ("end", _clipper(32)),
    ("date_type", date_type_column),
    ("certainty", certainty_column),
    ("calendar", _clipper(32)),
    ("era", _clipper(32)),
]
EXTENT_COLUMNS: list[tuple[str, Callable[[str | None], str]]] = [
    ("number", _clipper(32)),
    ("extent_type", _clipper(128)),
    ("portion", portion_column),
    ("container_summary", _clipper(255)),
    ("physical_details", _text),
    ("dimensions", _clipper(255)),
]
