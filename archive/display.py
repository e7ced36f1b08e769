"""How a unit is named and identified to researchers: one rule for every public surface.

DACS asks for a title or a date on every unit (2.3, 2.4): a file described only by its date
("1936-1947") is titled by it. What a researcher never reads as a name or an identifier is a
system's own key: the machine id (``@id``) Fonds uses in URLs, or an identifier another system
minted for itself and exported as ``<unitid>``, such as ArchivesSpace's record URIs
(``<unitid type="aspace_uri">/repositories/4/archival_objects/31193</unitid>``) and the
component unique ids that Archivists' Toolkit and ArchivesSpace generate (``cuid295``). The
database and the exports keep them all; pages, citations, search results, harvested Dublin Core
and structured data show the identifier this module chooses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# @type values (case-insensitive) of a <unitid> that another system minted for its own use.
SYSTEM_IDENTIFIER_TYPES = frozenset({"aspace_uri", "uri", "system", "internal"})

# Values that are keys, not call numbers: a path of a system's URIs ("/repositories/2/..."),
# generated component ids ("cuid295"), ArchivesSpace element ids ("aspace_<32 hex digits>"),
# and bare hashes (32 or more hex digits).
_SYSTEM_VALUE = re.compile(
    r"^(?:/\S*/\S*|cuid\d+|aspace_[0-9a-f]{32}|[0-9a-f]{32,})$", re.IGNORECASE
)


def is_system_identifier(value: str | None, attributes: Mapping[str, Any] | None = None) -> bool:
    """Whether a unit identifier is a system's own key rather than one for researchers.

    ``attributes`` are the ``<unitid>``'s (its ``type`` decides first).
    """
    if not value or not value.strip():
        return True
    kind = str((attributes or {}).get("type", "")).strip().lower()
    if kind in SYSTEM_IDENTIFIER_TYPES:
        return True
    return bool(_SYSTEM_VALUE.match(value.strip()))


def _attributes(pairs: object) -> dict[str, Any]:
    """A unitid's attributes as stored: a dict, or a list of [name, value] pairs."""
    if isinstance(pairs, Mapping):
        return dict(pairs)
    if isinstance(pairs, list | tuple):
        return {str(p[0]): p[1] for p in pairs if isinstance(p, list | tuple) and len(p) == 2}
    return {}


def shown_identifier(
    identifier: str | None,
    identifier_attributes: object,
    other_identifiers: Iterable[Mapping[str, Any]] = (),
) -> str:
    """The identifier to show researchers: the first public unitid that is not a system key,
    or "" when there is none."""
    if identifier and not is_system_identifier(identifier, _attributes(identifier_attributes)):
        return identifier
    for other in other_identifiers:
        if not isinstance(other, Mapping) or other.get("published", True) is False:
            continue
        value = str(other.get("value") or "")
        if value and not is_system_identifier(value, _attributes(other.get("attributes"))):
            return value
    return ""


def untitled(level_label: str) -> str:
    """What names a unit that has no title, no date and no identifier to show."""
    return f"Untitled {level_label.lower()}"
