"""What the loader stored, read back: JSON columns as text and decoded once, the values kept
beside a column while the column still says the same, and records shared between rows.

Used by :mod:`archive.exchange.stream` and the record builders it calls
(:mod:`archive.exchange.parts`); nothing here queries the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import TextField
from django.db.models.functions import Cast

from archive.ead import records as r

# Decoded JSON texts, shared between rows: most rows hold one of a few short values ("{}",
# "[]", {"ref_generated": true}, the same container list...), and a dict lookup costs a
# fraction of ``json.loads``. Decoded values are only ever read here, never changed, so
# sharing them is safe. Bounded: cleared when full, and long texts are not kept.
_DECODED: dict[str, Any] = {}
_DECODED_MAX_ENTRIES = 4096
DECODED_MAX_LENGTH = 512
_decode = json.JSONDecoder().decode


# Records made from a few repeated values (the same date, the same box of a few hundred
# folders, the same side attributes) are shared between units the same way: records are
# immutable. Keys are the row values the record is made from; bounded like _DECODED.
SHARED: dict[Any, Any] = {}
SHARED_MAX_ENTRIES = 8192


def share[T](key: Any, value: T) -> T:
    """Keep ``value`` for rows that decode to the same ``key``; returns it."""
    if len(SHARED) >= SHARED_MAX_ENTRIES:
        SHARED.clear()
    SHARED[key] = value
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
    if len(value) <= DECODED_MAX_LENGTH:
        if len(_DECODED) >= _DECODED_MAX_ENTRIES:
            _DECODED.clear()
        _DECODED[value] = result
    return result


def as_text(
    columns: tuple[str, ...], json_columns: Iterable[str]
) -> tuple[dict[str, Any], list[str]]:
    """(annotations, values_list names) that read ``json_columns`` of ``columns`` as text."""
    json_columns = set(json_columns)
    annotations = {f"json_{name}": json_text(name) for name in columns if name in json_columns}
    names = [f"json_{name}" if name in json_columns else name for name in columns]
    return annotations, names


def read_pairs(value: Any) -> r.Attributes:
    """JSON ``[[name, value], ...]`` (as the loader stores attributes) -> record attributes."""
    if not value:
        return ()
    if isinstance(value, dict):  # tolerate a hand-made dict
        return tuple((str(k), str(v)) for k, v in value.items())
    return tuple((str(name), str(val)) for name, val in value)


def none_if_empty(value: str | None) -> str | None:
    """``value``, or None for an empty one."""
    return value if value else None


def restored(side: dict[str, Any], key: str, column: Any) -> Any:
    """The value the loader kept under ``key`` (see ``archive.exchange.columns.keep``), else the
    column read as ``column or None``."""
    if key in side:
        return side[key]
    return column if column not in ("", None) else None


def restored_if(
    side: dict[str, Any], key: str, column: str, rule: Any, *, optional: bool = True
) -> Any:
    """Like :func:`restored`, but only while ``rule(kept value)`` is still the column: a
    value edited in the admin since the import wins over what the file said."""
    if key in side and rule(side[key]) == column:
        return side[key]
    if not optional:
        return column
    return column if column not in ("", None) else None


def text_fragment(text: str) -> str:
    """A plain text as a neutral fragment (text content needs &, < and > escaped)."""
    if "&" in text or "<" in text or ">" in text:
        return escape(text)
    return text  # (most titles: no copy, no call)


def extra_element(value: dict[str, Any]) -> r.ExtraElement:
    """An unmapped element the loader kept (``rows.extra_json``) as its record."""
    return r.ExtraElement(
        xml=value.get("xml", ""),
        where=value.get("where", "unit"),
        position=value.get("position", 0),
        version=value.get("version", "2002"),
        published=value.get("published", True),
    )


def extra_elements(values: Iterable[dict[str, Any]], public: bool) -> tuple[r.ExtraElement, ...]:
    """The kept elements as records; a public stream leaves out those marked internal."""
    if not values:
        return ()
    items = (extra_element(v) for v in values)
    return tuple(e for e in items if e.published or not public)
