"""The columns of a Fonds spreadsheet: header, what it holds, an example, its allowed values.

One list serves the template (headers, the explanation sheet, validation lists), the reader
(headers are matched ignoring case, spaces and punctuation, so "scope & content" or
"DATE TYPE" are understood) and the export (the same columns plus the machine id, so an
edited export can be imported again).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.models import Level, UnitDate

# Several names or subjects in one cell are separated by this character.
SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    explanation: str
    example: str = ""
    # Allowed values (shown in the template as a drop-down list); empty: free text.
    choices: tuple[str, ...] = ()
    # Written to exports but never required in a template row.
    export_only: bool = False


LEVEL_CHOICES: tuple[str, ...] = tuple(
    label for value, label in Level.choices if value != Level.COLLECTION
)
DATE_TYPE_CHOICES: tuple[str, ...] = tuple(label for _, label in UnitDate.DateType.choices)
CONTAINER_TYPES: tuple[str, ...] = (
    "Box",
    "Carton",
    "Volume",
    "Folder",
    "Oversize folder",
    "Map case",
    "Drawer",
    "Reel",
    "Cassette",
    "Disk",
)
YES_NO: tuple[str, ...] = ("Yes", "No")

COLUMNS: tuple[Column, ...] = (
    Column(
        "level",
        "Level",
        "Level of description. Indent the cell (or start it with spaces) to put a row "
        "under the row above it that is indented less, when you do not use Parent.",
        "File",
        LEVEL_CHOICES,
    ),
    Column(
        "title",
        "Title",
        "Title of the series, file or item, as researchers see it.",
        "Letters from André Breton",
    ),
    Column("date", "Date", "The date as written, e.g. 1936-1947 or circa 1940.", "1936-1947"),
    Column("begin", "Begin", "Start of the date range: YYYY, YYYY-MM or YYYY-MM-DD.", "1936"),
    Column("end", "End", "End of the date range: YYYY, YYYY-MM or YYYY-MM-DD.", "1947"),
    Column(
        "date_type",
        "Date type",
        "Inclusive (the default), Bulk or Single.",
        "Inclusive",
        DATE_TYPE_CHOICES,
    ),
    Column("extent", "Extent", "How much there is: a number and a unit.", "3 folders"),
    Column(
        "container_type",
        "Container type",
        "Kind of the top container named in Box (Box when empty).",
        "Box",
        CONTAINER_TYPES,
    ),
    Column("box", "Box", "Box (or other top container) number.", "12"),
    Column("folder", "Folder", "Folder number within the box.", "3"),
    Column("barcode", "Barcode", "Barcode of the box.", "39002091234567"),
    Column(
        "parent",
        "Parent",
        "The Identifier or Machine id of the row (above this one) or of the component "
        "already in the collection that this row goes under. Empty: under the component "
        "chosen for the import (or by indentation of Level).",
        "Series I",
    ),
    Column("identifier", "Identifier", "Call number or component identifier.", "Series I.12"),
    Column(
        "scope",
        "Scope and content",
        "What the material is about (plain text).",
        "Letters about the Surrealist group in Paris.",
    ),
    Column(
        "access",
        "Access restrictions",
        "Conditions governing access (plain text).",
        "Open for research.",
    ),
    Column(
        "creator",
        "Creator",
        f"Names of the people (or existing bodies) who made it, separated by "
        f"“{SEPARATOR}”. A name already in Fonds is linked, never duplicated.",
        "Serge, Victor, 1890-1947",
    ),
    Column(
        "creator_corporate",
        "Creator (organization)",
        f"Corporate bodies that made it, separated by “{SEPARATOR}”.",
        "Partisan Review",
    ),
    Column(
        "name_subject",
        "Name as subject",
        f"People or bodies the material is about, separated by “{SEPARATOR}”.",
        "Trotsky, Leon, 1879-1940",
    ),
    Column("subject", "Subject", f"Topics, separated by “{SEPARATOR}”.", "Surrealism"),
    Column("place", "Place", f"Places, separated by “{SEPARATOR}”.", "Mexico City (Mexico)"),
    Column(
        "genre", "Genre/form", f"Kinds of material, separated by “{SEPARATOR}”.", "Correspondence"
    ),
    Column(
        "digital_url",
        "Digital object URL",
        "Web address (http:// or https://) of a digital copy.",
        "https://images.example.org/serge/12-3",
    ),
    Column(
        "published",
        "Published",
        "Yes to show the row on the public site; No or empty keeps it a draft.",
        "No",
        YES_NO,
    ),
    Column(
        "ref",
        "Machine id",
        "Fonds' own id of a component (written by the export). A row with the machine id "
        "of a component already in the collection updates that component; leave it empty "
        "for new rows.",
        "",
        export_only=True,
    ),
)

BY_KEY: dict[str, Column] = {column.key: column for column in COLUMNS}
HEADERS: tuple[str, ...] = tuple(column.header for column in COLUMNS)
# The columns whose several values are separated by SEPARATOR, with the link they make:
# (kind, role or subject type, agent type for new names).
LINK_COLUMNS: dict[str, tuple[str, str, str]] = {
    "creator": ("agent", "creator", "person"),
    "creator_corporate": ("agent", "creator", "corporate"),
    "name_subject": ("agent", "subject", "person"),
    "subject": ("subject", "topical", ""),
    "place": ("subject", "geographic", ""),
    "genre": ("subject", "genre_form", ""),
}


def header_key(text: str) -> str:
    """A header reduced to letters and digits, lower case ("Scope & content" -> "scopecontent")."""
    return re.sub(r"[\W_]+", "", text.casefold())


# Other spellings a header may take (ArchivesSpace and AtoM templates, common shortenings).
_ALIASES = {
    "scopeandcontents": "scope",
    "scopecontent": "scope",
    "scopecontents": "scope",
    "accessrestriction": "access",
    "conditionsgoverningaccess": "access",
    "datetype": "date_type",
    "dateexpression": "date",
    "begindate": "begin",
    "enddate": "end",
    "creators": "creator",
    "subjects": "subject",
    "places": "place",
    "genreform": "genre",
    "digitalobject": "digital_url",
    "digitalobjecturl": "digital_url",
    "url": "digital_url",
    "machineid": "ref",
    "id": "ref",
    "refid": "ref",
    "unitid": "identifier",
    "componentidentifier": "identifier",
    "topcontainertype": "container_type",
    "containertype": "container_type",
    "boxnumber": "box",
    "foldernumber": "folder",
    "creatororganization": "creator_corporate",
    "corporatecreator": "creator_corporate",
    "nameassubject": "name_subject",
    "namesubject": "name_subject",
}
KEY_BY_HEADER: dict[str, str] = {header_key(c.header): c.key for c in COLUMNS} | _ALIASES


def choice_lookup(choices: tuple[str, ...], extra: dict[str, str] | None = None) -> dict[str, str]:
    """Folded value -> canonical value, for a controlled column."""
    lookup = {header_key(choice): choice for choice in choices}
    lookup.update(extra or {})
    return lookup


# Level labels and codes ("Series", "series", "recordgrp", "Sub-series") -> the model value.
LEVEL_VALUES: dict[str, str] = {header_key(label): value for value, label in Level.choices} | {
    header_key(value): value for value in Level.values
}
DATE_TYPE_VALUES: dict[str, str] = {
    header_key(label): value for value, label in UnitDate.DateType.choices
}
