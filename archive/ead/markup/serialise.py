"""Serialising EAD elements as neutral fragments (no namespace, XLink attributes unprefixed),
their plain text, and parsing stored fragments back."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

from ..parsing import EAD_NAMESPACES, XLINK_NS, XML_NS, entity_text, safe_parser


def local_name(node: Any) -> str:
    """Local name of an element (no namespace)."""
    tag = node.tag
    try:
        return _LOCAL_NAMES[tag]
    except KeyError:
        pass
    except TypeError:  # comments and processing instructions: tag is a function
        return ""
    if not isinstance(tag, str):
        return ""
    local = tag.rsplit("}", 1)[-1]
    if len(_LOCAL_NAMES) < 4096:  # a small vocabulary per document; stay bounded
        _LOCAL_NAMES[tag] = local
    return local


_LOCAL_NAMES: dict[str, str] = {}


def attribute_items(el: Any, *, neutral_links: bool = True) -> list[tuple[str, str]]:
    """Attributes as (local name, value) with xlink/xml prefixes removed, in document order."""
    items: list[tuple[str, str]] = []
    for key, value in el.attrib.items():
        name = key
        if key.startswith("{"):
            ns, name = key[1:].split("}", 1)
            if ns == XLINK_NS and neutral_links:
                # xlink:type is "linktype" in the EAD 2002 DTD
                name = "linktype" if name == "type" else name
            elif ns == XML_NS:
                name = f"xml:{name}"
            elif ns not in (XLINK_NS,):
                continue  # foreign-namespace attributes (xsi, marc...) are not description
        items.append((name, value))
    return items


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attr(text: str) -> str:
    return escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def entity_node_text(node: Any) -> str:
    """Text an entity reference stands for (standard character entities only)."""
    name = node.text[1:-1] if node.text else ""
    return entity_text(name) or ""


def serialise_children(
    el: Any,
    *,
    start: int = 0,
    convert: Callable[[Any], Any] | None = None,
    include_text: bool = True,
) -> str:
    """Serialise the content of ``el`` from child ``start`` on, without namespaces.

    ``include_text`` controls whether ``el.text`` (text before the first child) is included;
    when starting after a ``<head>``, the head's tail is the first text instead.
    """
    parts: list[str] = []
    if include_text and start == 0 and el.text:
        parts.append(escape_text(el.text))
    children = list(el)
    for index, child in enumerate(children):
        if index < start:
            continue
        parts.append(serialise_node(child, convert=convert))
        if child.tail:
            parts.append(escape_text(child.tail))
    return "".join(parts)


def serialise_node(node: Any, *, convert: Callable[[Any], Any] | None = None) -> str:
    """Serialise one node (element, comment, PI, entity) without namespaces."""
    if isinstance(node, etree._Comment):
        return f"<!--{node.text or ''}-->"
    if isinstance(node, etree._ProcessingInstruction):
        return ""
    if isinstance(node, etree._Entity):
        return escape_text(entity_node_text(node))
    if convert is not None:
        return convert(node)
    return serialise_element(node)


def foreign_namespace(el: Any) -> str | None:
    """The namespace of an element from another vocabulary (MODS, Dublin Core... inside
    ``objectxmlwrap``), or None for EAD elements and elements without namespace."""
    tag = el.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return None
    ns = tag[1:].split("}", 1)[0]
    return None if ns in EAD_NAMESPACES else ns


def _namespace_declaration(el: Any) -> list[tuple[str, str]]:
    """``xmlns`` (or ``xmlns:prefix``, with the prefix it had) for a foreign element whose
    parent is in another namespace; ``xmlns=""`` for EAD quoted inside another vocabulary's
    default namespace."""
    ns = foreign_namespace(el)
    parent = el.getparent()
    if ns is None:
        if parent is not None and foreign_namespace(parent) is not None and not parent.prefix:
            return [("xmlns", "")]
        return []
    if parent is not None and foreign_namespace(parent) == ns and parent.prefix == el.prefix:
        return []
    return [(f"xmlns:{el.prefix}" if el.prefix else "xmlns", ns)]


def serialise_element(
    el: Any,
    *,
    name: str | None = None,
    attrs: Iterable[tuple[str, str]] | None = None,
    inner: str | None = None,
) -> str:
    """``<name attrs>inner</name>`` with overridable name, attributes and content.

    EAD elements are written without namespace (the neutral vocabulary); an element of
    another vocabulary keeps its namespace (and its prefix, when it had one) by a declaration.
    """
    if name is None:
        name = local_name(el)
        if el.prefix and foreign_namespace(el) is not None:
            name = f"{el.prefix}:{name}"  # another vocabulary keeps its prefix
    attrs = attribute_items(el) if attrs is None else attrs
    attrs = _namespace_declaration(el) + list(attrs)
    attr_text = "".join(f' {k}="{_escape_attr(v)}"' for k, v in attrs)
    inner = serialise_children(el) if inner is None else inner
    if inner == "":
        return f"<{name}{attr_text}/>"
    return f"<{name}{attr_text}>{inner}</{name}>"


def plain_text(el: Any, *, separate: bool = False) -> str:
    """All text of an element (entities mapped), as in the document.

    ``separate`` puts a space at element boundaries where two words would otherwise touch
    (``<extent>5 feet</extent><extent>in 2 boxes</extent>``): for writers that flatten
    structured content into one text and must not merge words.
    """
    if isinstance(el.tag, str) and not len(el):
        # text only (the common case): the walk below would return exactly this
        text = el.text or ""
        return text.strip() if separate else text
    out: list[str] = []

    def add(text: str) -> None:
        if separate and out and out[-1][-1:].strip() and text[:1].strip():
            out.append(" ")
        out.append(text)

    def boundary() -> None:
        if separate and out and out[-1][-1:].strip():
            out.append(" ")

    def walk(node: Any) -> None:
        if isinstance(node, etree._Entity):
            out.append(entity_node_text(node))
        elif isinstance(node, etree._Comment | etree._ProcessingInstruction):
            pass
        else:
            if node.text:
                add(node.text)
            for child in node:
                if isinstance(child.tag, str):
                    boundary()
                walk(child)
                if isinstance(child.tag, str):
                    boundary()
                if child.tail:
                    out.append(child.tail)

    walk(el)
    text = "".join(out)
    return text.strip() if separate else text


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def parse_fragment(fragment: str) -> Any:
    """Parse a stored fragment into a ``<fragment>`` wrapper element (safe parser)."""
    return etree.fromstring(f"<fragment>{fragment}</fragment>".encode(), safe_parser())


def fragment_plain_text(fragment: str, *, separate: bool = False) -> str:
    """Plain text of a fragment (for search, sorting, title_text); ``separate``: see
    :func:`plain_text`."""
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    try:
        return plain_text(parse_fragment(fragment), separate=separate)
    except etree.XMLSyntaxError:
        return fragment
