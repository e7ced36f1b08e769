"""What every part of the reader shares: the state of a unit being read, the base class that
holds the version and the warnings, and small helpers over lxml elements.

The helpers are private to the reader package (imported by its modules, by no one else).
They run for most elements of a document, so they stay plain functions with fast paths for
the common text-only element.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import replace
from typing import Any

from ..markup import (
    attribute_items,
    drop_keep_tail,
    fragment_from_element,
    normalise_space,
    plain_text,
    serialise_element,
)
from ..records import Attributes, EADWarning, ExtraElement, Unit

_COMPONENT_RE = re.compile(r"^c(\d\d)?$")


class ReaderBase:
    """The part of :class:`~archive.ead.reader.EADReader` the reading steps rely on: the
    file's name and EAD version (set once the document says it) and the warnings."""

    filename: str | None
    version: str | None
    warnings: list[EADWarning]

    def warn(self, el: Any, message: str) -> None:
        line = getattr(el, "sourceline", None) if el is not None else None
        self.warnings.append(EADWarning(self.filename, line, message))


def is_component(name: str) -> bool:
    try:
        return _IS_COMPONENT[name]
    except KeyError:
        found = bool(_COMPONENT_RE.match(name))
        if len(_IS_COMPONENT) < 4096:  # element names are a small vocabulary; stay bounded
            _IS_COMPONENT[name] = found
        return found


_IS_COMPONENT: dict[str, bool] = {}
_NO_ATTRIBUTES: dict[str, str] = {}


def _attrs(el: Any, skip: frozenset[str] | set[str] = frozenset()) -> Attributes:
    return _unmapped(el, el.items(), skip)


def _unmapped(el: Any, items: list[tuple[str, str]], skip: frozenset[str] | set[str]) -> Attributes:
    """``_attrs(el, skip)`` given ``el.items()``, for callers that read them already."""
    if not items:
        return ()
    for key, _ in items:
        if key[0] == "{":  # xlink:, xml: or foreign attributes: name them as markup does
            return tuple([(k, v) for k, v in attribute_items(el) if k not in skip])
    return tuple([item for item in items if item[0] not in skip])


def _text(el: Any) -> str:
    """``normalise_space(plain_text(el))``, without the walk for a text-only element."""
    if not len(el):
        text = el.text
        return " ".join(text.split()) if text else ""
    return normalise_space(plain_text(el))


def _fragment(el: Any, version: str) -> str:
    """``fragment_from_element(el)``; a text-only element is its escaped text."""
    if not len(el):
        text = el.text
        return _escape(text) if text else ""
    return fragment_from_element(el, version=version)


def _published(el: Any) -> bool:
    return el.get("audience") != "internal"


def _public_text(el: Any) -> str:
    """The plain text of ``el`` without its descendants marked internal (a title's text is
    what pages and the search index show; its fragment keeps the internal parts)."""
    internal = [node for node in el.iterdescendants() if node.get("audience") == "internal"]
    if not internal:
        return normalise_space(plain_text(el))
    copy = deepcopy(el)
    for node in list(copy.iterdescendants()):
        if node.get("audience") == "internal":
            drop_keep_tail(node)
    return normalise_space(plain_text(copy))


def _internal_within(el: Any, top: Any) -> bool:
    """Whether ``el`` or an element between it and ``top`` is marked internal."""
    node = el
    while node is not None and node is not top:
        if node.get("audience") == "internal":
            return True
        node = node.getparent()
    return False


class _UnitState:
    """A unit being read: its element, what was mapped so far, and whether it was emitted.

    A plain slotted class (one is made per component): a dataclass with default factories
    cost more to build than the rest of a small component's reading.
    """

    __slots__ = (
        "element",
        "level",
        "depth",
        "sequence",
        "fields",
        "emitted",
        "position",
        "late",
        "quoted",
        "pending",
        "spent",
        "lists",
        "next_list",
    )

    def __init__(
        self, element: Any, level: int, depth: int, sequence: int, *, quoted: bool = False
    ) -> None:
        self.element = element
        self.level = level  # the element's nesting level in the document (root: 1)
        self.depth = depth
        self.sequence = sequence
        self.fields: dict[str, Any] = {}
        self.emitted = False
        self.position = 0
        self.late: dict[str, list[Any]] = {}
        self.quoted = quoted  # a component outside the component list (see _read)
        self.pending: list[Unit] = []  # quoted child units, after this one
        # Bytes of its description read and still held (see EADReader.max_unit_bytes).
        self.spent = 0
        self.lists = 0  # its component lists (<dsc>) so far
        # the attributes of a further component list, until its first component takes them
        self.next_list: Attributes | None = None

    def add(self, key: str, value: Any) -> None:
        target = self.late if self.emitted else self.fields
        target.setdefault(key, []).append(value)


_EXTERNAL: Attributes = (("audience", "external"),)


def _external(el: Any) -> Attributes:
    """``audience="external"`` when the element says so (published says no more, but the
    file said it); writers give it back to published records only."""
    return _EXTERNAL if el.get("audience") == "external" else ()


def _verbatim(el: Any, *, version: str | None = None) -> str:
    """An unmapped element as found (namespace dropped, source vocabulary kept)."""
    return serialise_element(el)


def _elements(el: Any) -> list[Any]:
    return [c for c in el if isinstance(c.tag, str)]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _replace(obj: Any, **changes: Any) -> Any:
    return replace(obj, **changes)


def _extra(el: Any, where: str, position: int, version: str) -> ExtraElement:
    """An element the model does not map, kept verbatim with where it stood."""
    return ExtraElement(
        _verbatim(el), where=where, position=position, version=version, published=_published(el)
    )
