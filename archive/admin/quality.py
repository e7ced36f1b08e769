"""Data-quality rules the admin enforces or reports: normalised dates and the DACS checklist."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError

from archive.models import AgentLink, Component, NoteType

ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def iso_bounds(value: str) -> tuple[date, date]:
    """The first and last day an ISO 8601 year, month or day covers.

    Raises ``ValidationError`` for anything that is not YYYY, YYYY-MM or YYYY-MM-DD naming a
    real day ("1947-02-30" is refused).
    """
    match = ISO_DATE.match(value.strip())
    if not match:
        raise ValidationError(
            f"“{value}” is not a normalised date: use YYYY, YYYY-MM or YYYY-MM-DD "
            "(for example 1936, 1936-05 or 1936-05-17)."
        )
    year_text, month_text, day_text = match.groups()
    year = int(year_text)
    month = int(month_text) if month_text else None
    day = int(day_text) if day_text else None
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        return date(year, month, day), date(year, month, day)
    except ValueError:
        raise ValidationError(f"“{value}” is not a real date.") from None


def validate_date_range(begin: str, end: str) -> dict[str, str]:
    """Errors per field (``begin``/``end``) for a normalised date pair; empty when valid."""
    errors: dict[str, str] = {}
    bounds: dict[str, tuple[date, date]] = {}
    for name, value in (("begin", begin), ("end", end)):
        if value:
            try:
                bounds[name] = iso_bounds(value)
            except ValidationError as exc:
                errors[name] = exc.messages[0]
    if not errors and begin and end and bounds["end"][1] < bounds["begin"][0]:
        errors["end"] = f"The end ({end}) is before the beginning ({begin})."
    if not begin and end:
        errors["begin"] = "Give the beginning when you give the end (use the same date twice "
        errors["begin"] += "for a single date)."
    return errors


def suggested_expression(begin: str, end: str, *, bulk: bool = False) -> str:
    """The date expression DACS would write for a normalised pair: "1936-1947", "1936"."""
    if not begin:
        return ""
    text = begin if not end or end == begin else f"{begin}-{end}"
    return f"bulk {text}" if bulk else text


@dataclass(frozen=True)
class ChecklistItem:
    element: str
    present: bool
    hint: str


def dacs_checklist(root: Component) -> list[ChecklistItem]:
    """The DACS single-level required elements for a collection's root description.

    Identifier (2.1), title (2.3), date (2.4), extent (2.5), name of creator (2.6), scope and
    content (3.1), conditions governing access (4.1) and language of the material (4.5).
    """
    note_types = set(root.notes.values_list("note_type", flat=True))
    has_language = bool(root.languages) or NoteType.LANGUAGE_MATERIAL in note_types
    return [
        ChecklistItem("Identifier", bool(root.identifier), "the call number, e.g. GEN MSS 238"),
        ChecklistItem("Title", bool(root.title), "a title for the collection"),
        ChecklistItem(
            "Date",
            root.dates.exclude(expression="", begin="").exists(),
            "a date with an expression or normalised begin/end",
        ),
        ChecklistItem(
            "Extent",
            root.extents.exclude(number="", container_summary="").exists(),
            "an extent, e.g. 3 linear feet",
        ),
        ChecklistItem(
            "Name of creator",
            root.agent_links.filter(role=AgentLink.Role.CREATOR).exists(),
            "an agent linked with the role creator",
        ),
        ChecklistItem(
            "Scope and content",
            NoteType.SCOPE_CONTENT in note_types,
            "a Scope and Contents note",
        ),
        ChecklistItem(
            "Conditions governing access",
            NoteType.ACCESS_RESTRICT in note_types,
            "a Conditions Governing Access note",
        ),
        ChecklistItem(
            "Language of the material", has_language, "a language code or a language note"
        ),
    ]
