"""What a public output leaves out of a fragment: elements marked internal (with the
containers they leave empty) and links that would run script."""

from __future__ import annotations

from typing import Any

from lxml import etree

from ...links import is_script_url
from ..parsing import XLINK_NS
from .serialise import local_name, parse_fragment, serialise_children


def is_internal(node: Any) -> bool:
    """Whether an element is marked for staff only (``audience="internal"``).

    The one test of the marker inside fragments: public exports, pages (``to_html``) and the
    search text (``archive.search.text``) drop such an element with everything in it.
    """
    return isinstance(node.tag, str) and node.get("audience") == "internal"


def without_internal(fragment: str) -> str:
    """``fragment`` with every element marked internal removed (its tail text is kept).

    A fragment that holds no marker is returned as it is, without a parse.
    """
    if not fragment or "internal" not in fragment:
        return fragment
    try:
        root = parse_fragment(fragment)
    except etree.XMLSyntaxError:
        return fragment
    drop_internal(root)
    return serialise_children(root)


def drop_internal(root: Any) -> None:
    """Remove every element below ``root`` marked internal (tails kept), in place."""
    for node in list(root.iter()):
        if node is not root and is_internal(node):
            drop_hidden(node)


# Containers that mean nothing (and break both schemas) without one of these children: when
# the last one is dropped as internal, the container goes too ("1903" without its event).
_NEEDS_CHILD: dict[str, frozenset[str]] = {
    "chronitem": frozenset({"event", "eventgrp", "chronitemset"}),
    "eventgrp": frozenset({"event"}),
    "chronitemset": frozenset({"event"}),
    "chronlist": frozenset({"chronitem"}),
    "list": frozenset({"item", "defitem"}),
    "defitem": frozenset({"item"}),
    "table": frozenset({"tgroup"}),
    "tgroup": frozenset({"tbody"}),
    "tbody": frozenset({"row"}),
    "row": frozenset({"entry"}),
}


def drop_hidden(node: Any) -> None:
    """Drop an internal element, then each container it leaves without a required child."""
    parent = node.getparent()
    drop_keep_tail(node)
    while parent is not None and isinstance(parent.tag, str):
        needed = _NEEDS_CHILD.get(parent.tag)
        if needed is None or any(isinstance(c.tag, str) and c.tag in needed for c in parent):
            return
        above = parent.getparent()
        if above is None:
            return
        drop_keep_tail(parent)
        parent = above


_HREFS = ("href", f"{{{XLINK_NS}}}href")


# EAD 2002 locators, whose href the schema requires
_LOCATORS = frozenset("daoloc extrefloc extptrloc ptrloc refloc".split())


def drop_script_links(node: Any) -> None:
    """Public output: remove an ``href`` (plain or xlink) that would run script when followed
    (``archive.links.is_script_url``); the element and its text stay.  A locator, whose href
    is required, keeps an empty one."""
    for key in _HREFS:
        if is_script_url(node.get(key)):
            if local_name(node) in _LOCATORS:
                node.set(key, "")
            else:
                del node.attrib[key]


def drop_keep_tail(node: Any) -> None:
    """Remove ``node`` with its content, keeping its tail text in its place."""
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail or ""
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(node)
