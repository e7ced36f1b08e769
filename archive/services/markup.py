"""Which stored fields hold inline markup, and the check every writer of them calls.

``FRAGMENT_FIELDS`` is the one list of model fields whose text is an EAD fragment written
into exports as markup (the rest are plain text, escaped by the writers). Whatever takes such
text from a person (the admin's forms now; the API and spreadsheet imports later) calls
:func:`fragment_clean` with the field and the record's other values, stores the normalised
text it returns and shows the problems it raises. Imports do not: what they store came from a
parsed document and the writers fit it to the schema.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from archive.ead.fragment_check import check_fragment, note_place
from archive.models import Collection, Component, DigitalObject, Note, NoteType

# model -> field -> the EAD 2002 element whose content the field becomes, and its words.
FRAGMENT_FIELDS: dict[type[Model], dict[str, tuple[str, str]]] = {
    Component: {"title_markup": ("unittitle", "a title")},
    Note: {"content": ("note", "a note")},  # the element depends on the note type
    Collection: {
        "finding_aid_subtitle": ("subtitle", "a subtitle"),
        "finding_aid_author": ("author", "an author statement"),
        "finding_aid_sponsor": ("sponsor", "a sponsor statement"),
        "finding_aid_edition": ("edition", "an edition statement"),
        "creation_note": ("creation", "a creation note"),
        "description_language": ("langusage", "a language of description"),
        "description_rules": ("descrules", "a rules statement"),
    },
    DigitalObject: {"description": ("daodesc", "a digital object description")},
}

# Characters XML 1.0 cannot carry, in any field: an export would fail on them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def fragment_fields(model: type[Model]) -> dict[str, tuple[str, str]]:
    return FRAGMENT_FIELDS.get(model, {})


def fragment_place(model: type[Model], field: str, values: Mapping[str, Any]) -> tuple[str, str]:
    """(element, words for messages) where ``field`` of a ``model`` record goes."""
    where, label = FRAGMENT_FIELDS[model][field]
    if model is Note:
        note_type = str(values.get("note_type") or "")
        where = note_place(note_type)
        name = dict(NoteType.choices).get(note_type)
        if name:
            label = f"a “{name}” note"
    return where, label


def fragment_clean(
    model: type[Model], field: str, text: str, values: Mapping[str, Any] | None = None
) -> str:
    """The text to store for ``field``; raises ``ValidationError`` listing what is wrong.

    ``values`` are the record's other fields as they will be saved (a note's type decides
    which elements its content may hold).
    """
    where, label = fragment_place(model, field, values or {})
    normalised, problems = check_fragment(text, where, label=label)
    if problems:
        raise ValidationError([str(p) for p in problems], code="markup")
    return normalised


def text_clean(text: str) -> None:
    """Refuse a plain text that no XML document can hold (control characters)."""
    found = _NOT_XML.search(text)
    if found:
        raise ValidationError(
            "The text holds the invisible character U+%(code)04X (at position %(at)d), which "
            "cannot be exported; remove it.",
            code="xml_character",
            params={"code": ord(found.group()), "at": found.start() + 1},
        )


def fragment_display(model: type[Model], field: str, stored: str) -> str:
    """What to show in an edit box: plain words unescaped (``&`` rather than ``&amp;``) when
    saving them again gives back exactly ``stored``; markup as it is."""
    if not stored or "&" not in stored or "<" in stored:
        return stored
    plain = stored.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return plain if check_fragment(plain)[0] == stored else stored


__all__ = [
    "FRAGMENT_FIELDS",
    "fragment_clean",
    "fragment_display",
    "fragment_fields",
    "fragment_place",
    "text_clean",
]
