"""Inline markup: one neutral vocabulary for stored fragments, conversion, and safe HTML.

Stored fragments (``Note.content``, ``Unit.title``...) use the EAD 2002 element names without
namespace, with XLink attributes unprefixed as in the EAD 2002 DTD (``<extref href="...">``).
EAD 2002 was chosen because most real finding aids (and ArchivesSpace's own storage) use it,
so reading and writing 2002 is nearly the identity and only EAD3 needs converting.

Conversions keep every character of text and whitespace: elements are renamed or unwrapped,
never re-flowed.  An element the target version does not have is unwrapped (its text stays).

``to_html`` renders a fragment through a whitelist; nothing else of the input reaches the HTML.

The parts, by concern: ``vocabulary`` (element sets), ``serialise`` (elements to fragments,
plain text, parsing fragments), ``neutral`` (EAD3 to the neutral vocabulary), ``audience``
(what public output leaves out), ``shaping`` (a fragment made fit for the version written),
``rendering`` (HTML). Import from here; the names below are the package's interface.
"""

from __future__ import annotations

from .audience import (
    drop_internal,
    drop_keep_tail,
    drop_script_links,
    is_internal,
    without_internal,
)
from .neutral import ead3_to_2002, element_to_neutral, fragment_from_element, name_fragment
from .rendering import to_html
from .serialise import (
    attribute_items,
    escape_text,
    foreign_namespace,
    fragment_plain_text,
    local_name,
    normalise_space,
    parse_fragment,
    plain_text,
    serialise_children,
    serialise_element,
    serialise_node,
)
from .shaping import (
    add_text,
    build_fragment,
    namespaced,
    normalise_block,
    take_content,
    unwrap,
    unwrap_blocks,
)
from .vocabulary import (
    BLOCK_ELEMENTS,
    EAD3_ELEMENTS,
    EAD3_PHRASE,
    EAD2002_ELEMENTS,
    LINK_ELEMENTS_2002,
    NOTE_ELEMENTS,
    STRUCTURED_DATES,
    XLINK_ATTRIBUTES,
)

__all__ = [
    "BLOCK_ELEMENTS",
    "EAD3_ELEMENTS",
    "EAD3_PHRASE",
    "EAD2002_ELEMENTS",
    "LINK_ELEMENTS_2002",
    "NOTE_ELEMENTS",
    "STRUCTURED_DATES",
    "XLINK_ATTRIBUTES",
    "add_text",
    "attribute_items",
    "build_fragment",
    "drop_internal",
    "drop_keep_tail",
    "drop_script_links",
    "ead3_to_2002",
    "element_to_neutral",
    "escape_text",
    "foreign_namespace",
    "fragment_from_element",
    "fragment_plain_text",
    "is_internal",
    "local_name",
    "name_fragment",
    "namespaced",
    "normalise_block",
    "normalise_space",
    "parse_fragment",
    "plain_text",
    "serialise_children",
    "serialise_element",
    "serialise_node",
    "take_content",
    "to_html",
    "unwrap",
    "unwrap_blocks",
    "without_internal",
]
