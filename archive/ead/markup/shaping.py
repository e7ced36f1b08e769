"""Neutral -> target: a stored fragment shaped for the EAD version being written (renamed,
unwrapped where the target has no such element, phrase runs wrapped in paragraphs) and put
into its namespace."""

from __future__ import annotations

from typing import Any

from lxml import etree

from ..parsing import XLINK_NS
from .audience import drop_hidden, drop_keep_tail, drop_script_links, is_internal
from .neutral import ead3_to_2002
from .serialise import local_name, parse_fragment
from .vocabulary import (
    BLOCK_ELEMENTS,
    EAD3_ELEMENTS,
    EAD3_PHRASE,
    EAD2002_ELEMENTS,
    LINK_ELEMENTS_2002,
    NAME_ELEMENTS,
    NOTE_ELEMENTS,
)


def _attrs_2002_to_3(name: str, attrs: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in attrs.items():
        if key == "type":
            if name == "list":
                if value in ("ordered", "deflist"):
                    out["listtype"] = value
                else:
                    out["listtype"] = "unordered"
                continue
            key = "localtype"
        elif key == "role" and name in ("persname", "corpname", "famname", "name"):
            key = "relator"
        elif key == "authfilenumber":
            key = "identifier"
        elif key == "role":
            key = "linkrole"
        elif key == "title" and name not in ("title",):
            key = "linktitle"
        elif key in (
            "linktype",
            "continuation",
            "entityref",
            "ead3_drop",
            "datechar",
        ):
            continue
        elif key == "mark" and name == "list" and attrs.get("type") not in (None, "marked"):
            continue
        out[key] = value
    return out


def _to_ead3_tree(el: Any) -> None:
    """Rename neutral (2002) elements in place to their EAD3 equivalents."""
    for node in list(el.iter()):
        if not isinstance(node.tag, str) or node is el or node.tag.startswith("{"):
            continue  # (foreign-namespace content stays as it is)
        name = node.tag
        attrs = dict(node.attrib)
        new_name = name
        if name == "extref":
            new_name = "ref"
        elif name == "extptr":
            new_name = "ptr"
        elif name == "eventgrp":
            new_name = "chronitemset"
        elif name == "note":
            new_name = "footnote"
        elif name == "date" and local_name(node.getparent()) in ("chronitem", "eventgrp"):
            new_name = "datesingle"
            normal = attrs.pop("normal", None)
            if normal and "/" not in normal:
                attrs["standarddate"] = normal
        node.tag = new_name
        node.attrib.clear()
        for key, value in _attrs_2002_to_3(new_name, attrs).items():
            node.set(key, value)
        if (
            new_name in NAME_ELEMENTS
            and new_name != "title"
            and not any(local_name(c) == "part" for c in node)
        ):
            part = etree.Element("part")
            part.text, node.text = node.text, None
            for child in list(node):
                part.append(child)
            node.append(part)
            continue
        if new_name == "title" and any(local_name(c) == "part" for c in node):
            continue  # its parts kept from an EAD3 source
        if new_name == "title" and len(node) == 0 and node.text:
            # EAD3 <title> holds its words in <part>
            part = etree.SubElement(node, "part")
            part.text, node.text = node.text, None
        elif new_name == "title":
            part = etree.Element("part")
            part.text, node.text = node.text, None
            for child in list(node):
                part.append(child)
            node.append(part)


def unwrap(node: Any, *, pad: bool = False) -> None:
    """Replace ``node`` by its content (text and children), keeping every character.

    Where the element boundary was the only thing between two words ("Papers<unitdate>1898"),
    a space takes its place so that the words stay apart. ``pad`` (block-like elements:
    items, paragraphs, entries) puts a space on both sides so that the words of neighbouring
    blocks do not run together.
    """
    parent = node.getparent()
    index = parent.index(node)
    text = node.text or ""
    tail = node.tail or ""
    before = parent.text if index == 0 else parent[index - 1].tail
    inner_first = text or (_first_text(node[0]) if len(node) else "")
    if (pad and inner_first) or ((before or "")[-1:].isalnum() and inner_first[:1].isalnum()):
        if not text[:1].isspace():
            text = " " + text
    if (pad and tail) or (tail[:1].isalnum() and _last_text(node)[-1:].isalnum()):
        if not tail[:1].isspace():
            tail = " " + tail
    children = list(node)
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        prev = parent[index - 1]
        prev.tail = (prev.tail or "") + text
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if children:
        last = children[-1]
        last.tail = (last.tail or "") + tail
    elif index == 0:
        parent.text = (parent.text or "") + tail
    else:
        prev = parent[index - 1]
        prev.tail = (prev.tail or "") + tail
    parent.remove(node)


def _first_text(node: Any) -> str:
    """The first text of an element's content (for word-boundary checks)."""
    if node.text:
        return node.text
    for child in node:
        found = _first_text(child) if isinstance(child.tag, str) else ""
        if found:
            return found
        if child.tail:
            return child.tail
    return ""


def _last_text(node: Any) -> str:
    """The last text of an element's content (for word-boundary checks)."""
    for child in reversed(node):
        if child.tail:
            return child.tail
        found = _last_text(child) if isinstance(child.tag, str) else ""
        if found:
            return found
    return node.text or ""


def _strip_unknown(el: Any, allowed: frozenset[str], include_unpublished: bool) -> None:
    for node in list(el.iter()):
        if node is el:
            continue
        if not isinstance(node.tag, str):
            if isinstance(node, etree._ProcessingInstruction):
                drop_keep_tail(node)
            continue
        if not include_unpublished and is_internal(node):
            if node.getparent() is not None:
                drop_hidden(node)
            continue
        if not include_unpublished:
            drop_script_links(node)
        if node.tag.startswith("{"):
            continue  # another vocabulary (objectxmlwrap content)
        if node.tag not in allowed:
            unwrap(node)


def take_content(el: Any) -> list[tuple[str, Any]]:
    """Empty ``el`` and return what it held, in order: ``("text", str)`` for its text and
    each tail, ``("node", element)`` for each child (tail detached), for a caller that puts
    the pieces back in new wrappers."""
    items: list[tuple[str, Any]] = []
    if el.text:
        items.append(("text", el.text))
    for child in list(el):
        items.append(("node", child))
        if child.tail:
            items.append(("text", child.tail))
        child.tail = None
        el.remove(child)
    el.text = None
    return items


def add_text(target: Any, text: str) -> None:
    """Append ``text`` at the end of ``target``'s content (its last child's tail, or its
    text when it has no child)."""
    if len(target):
        last = target[-1]
        last.tail = (last.tail or "") + text
    else:
        target.text = (target.text or "") + text


def normalise_block(el: Any, *, note_name: str | None = None) -> None:
    """Wrap runs of phrase content (text, emph, date...) in ``<p>`` so a note body is valid.

    Whitespace-only runs between blocks are kept as they are.
    """
    items = take_content(el)

    def is_block(node: Any) -> bool:
        name = node.tag if isinstance(node.tag, str) else None
        if name is None:
            return False
        return name in BLOCK_ELEMENTS and (name not in NOTE_ELEMENTS or name == note_name)

    groups: list[tuple[bool, list[tuple[str, Any]]]] = []  # (is block, items)
    for kind, value in items:
        if kind == "node" and is_block(value):
            groups.append((True, [(kind, value)]))
        elif groups and not groups[-1][0]:
            groups[-1][1].append((kind, value))
        else:
            groups.append((False, [(kind, value)]))

    for block, group in groups:
        substantial = any(
            (k == "text" and v.strip()) or (k == "node" and isinstance(v.tag, str))
            for k, v in group
        )
        if block or not substantial:
            for kind, value in group:
                if kind == "text":
                    add_text(el, value)
                else:
                    el.append(value)
            continue
        p = etree.SubElement(el, "p")
        for kind, value in group:
            if kind == "text":
                add_text(p, value)
            else:
                p.append(value)


def unwrap_blocks(el: Any, *, keep: frozenset[str] = frozenset()) -> None:
    """Turn block content into phrase content (for abstract, physloc...), keeping words;
    elements named in ``keep`` stay (the caller's schema takes them in phrases)."""
    for node in list(el.iter()):
        if node is el or not isinstance(node.tag, str) or node.tag in keep:
            continue
        if node.tag in BLOCK_ELEMENTS or node.tag in (
            "item",
            "chronitem",
            "event",
            "row",
            "entry",
            "tgroup",
            "tbody",
            "thead",
            "colspec",
            "defitem",
            "label",
            "addressline",
            "eventgrp",
        ):
            if node.tag != "lb":
                # separate what were paragraphs by a space so words do not touch
                if not (node.tail or "")[:1].isspace():
                    node.tail = " " + (node.tail or "")
                unwrap(node)


def build_fragment(
    fragment: str,
    *,
    version: str,
    context: str = "block",
    note_name: str | None = None,
    include_unpublished: bool = False,
) -> Any:
    """Parse a neutral fragment and shape it for ``version`` ("2002" | "3").

    ``context`` is "block" (note bodies: phrase runs get a ``<p>``), "phrase" (titles,
    abstract: block elements are unwrapped) or "raw" (no shaping).
    Returns a ``<fragment>`` element whose text and children go into the target parent
    (elements are not yet namespaced; see ``namespaced``).
    """
    root = parse_fragment(fragment)
    allowed = EAD2002_ELEMENTS if version == "2002" else EAD3_ELEMENTS
    if version == "3":
        _to_ead3_tree(root)
    elif "<date" in fragment:
        ead3_to_2002(root)
    if version == "3" and context == "phrase":
        allowed = EAD3_PHRASE
    _strip_unknown(root, allowed, include_unpublished)
    if version == "3":
        for node in list(root):
            if isinstance(node.tag, str) and node.tag == "footnote":
                unwrap(node)
    if context == "block":
        normalise_block(root, note_name=note_name)
    elif context == "phrase":
        # EAD 2002 phrases (<unittitle>, <unitid>, <titleproper>...) take references to
        # other material; where a parent does not, ``conform`` unwraps them
        unwrap_blocks(root, keep=_PHRASE_REFERENCES if version == "2002" else frozenset())
    return root


_PHRASE_REFERENCES = frozenset({"archref", "bibref"})


_SHOW = {v.casefold(): v for v in ("new", "replace", "embed", "other", "none")}
_ACTUATE = {v.casefold(): v for v in ("onLoad", "onRequest", "other", "none")}


def namespaced(el: Any, namespace: str, *, version: str) -> Any:
    """Put an un-namespaced tree into ``namespace`` (2002: link attributes into xlink)."""
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag.startswith("{"):
            continue  # another vocabulary: keeps its namespace and attributes
        node.tag = f"{{{namespace}}}{node.tag}"
        if version != "2002":
            continue
        name = local_name(node)
        is_link = name in LINK_ELEMENTS_2002
        for key in list(node.attrib):
            if key.startswith("{"):
                continue
            value = node.attrib[key]
            if not is_link:
                # (``conform`` gives an attribute the schema has only as xlink:* that
                # spelling, and leaves out what the element does not take at all)
                continue
            if key == "entityref":
                del node.attrib[key]  # names a DTD entity, which no export declares
                continue
            if key in ("href", "role", "arcrole", "show", "actuate", "linktype", "title") and not (
                key == "role" and name in NAME_ELEMENTS
            ):
                del node.attrib[key]
                if key == "show":
                    value = _SHOW.get(value.casefold())
                elif key == "actuate":
                    value = _ACTUATE.get(value.casefold())
                if value is None:
                    continue
                xname = "type" if key == "linktype" else key
                node.set(f"{{{XLINK_NS}}}{xname}", value)
    return el
