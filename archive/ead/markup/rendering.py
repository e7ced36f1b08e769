"""Neutral fragments rendered as safe HTML, through a whitelist."""

from __future__ import annotations

import html
from typing import Any

from lxml import etree

from ...links import safe_link
from .audience import drop_internal
from .serialise import entity_node_text, local_name, parse_fragment
from .vocabulary import STRUCTURED_DATES

_HTML_BLOCKS = {
    "p": "p",
    "blockquote": "blockquote",
    "head": "h3",
    "table": "table",
    "tbody": "tbody",
    "thead": "thead",
    "row": "tr",
    "entry": "td",
    "address": "address",
    "item": "li",
    "defitem": "div",
    "label": "dt",
}


def to_html(fragment: str, *, include_internal: bool = False) -> str:
    """Render a neutral fragment as safe HTML.

    Elements marked ``audience="internal"`` are left out with their content unless
    ``include_internal`` (pages are public; see ``archive.visibility.public_html``).

    Whitelist: paragraphs, emphasis (``render`` bold/italic/underline...), lists, chronologies
    (as definition lists), tables, headings, line breaks, and links whose href passes
    ``archive.links.safe_link`` (http, https or mailto); a refused href leaves the link's text.
    Every other element is reduced to its text; attributes are never copied except a vetted
    ``href``.  Text is HTML-escaped, so no markup in the input survives.
    """
    if not fragment:
        return ""
    try:
        root = parse_fragment(fragment)
    except etree.XMLSyntaxError:
        return html.escape(fragment)
    if not include_internal and "internal" in fragment:
        drop_internal(root)
    return _html_children(root)


def _html_children(el: Any) -> str:
    out: list[str] = []
    if el.text:
        out.append(html.escape(el.text, quote=False))
    for child in el:
        out.append(_html_node(child))
        if child.tail:
            out.append(html.escape(child.tail, quote=False))
    return "".join(out)


def _html_node(node: Any) -> str:
    if isinstance(node, etree._Entity):
        return html.escape(entity_node_text(node), quote=False)
    if not isinstance(node.tag, str):
        return ""
    name = node.tag
    inner = _html_children(node)
    if name == "lb":
        return "<br>"
    if name == "emph" or (name == "title" and node.get("render")):
        render = (node.get("render") or "italic").lower()
        if "bold" in render:
            inner = f"<strong>{inner}</strong>"
        if "italic" in render or render in ("emphasis",):
            inner = f"<em>{inner}</em>"
        elif "underline" in render:
            inner = f"<u>{inner}</u>"
        elif "super" in render:
            inner = f"<sup>{inner}</sup>"
        elif "sub" in render:
            inner = f"<sub>{inner}</sub>"
        elif "quote" in render:
            inner = f"“{inner}”"
        elif "bold" not in render:
            inner = f"<em>{inner}</em>"
        return inner
    if name == "title":
        return f"<cite>{inner}</cite>"
    if name in ("extref", "ref", "archref", "bibref", "extptr", "ptr", "dao"):
        href = safe_link(node.get("href"), mailto=True)
        if href:
            label = inner or html.escape(href, quote=False)
            return f'<a href="{html.escape(href, quote=True)}">{label}</a>'
        return inner
    if name == "list":
        tag = "ol" if node.get("type") == "ordered" else "ul"
        if node.get("type") == "deflist":
            return f"<dl>{inner}</dl>"
        return f"<{tag}>{inner}</{tag}>"
    if name == "chronlist":
        return f'<dl class="chronlist">{inner}</dl>'
    if name == "chronitem":
        return inner
    if name == "daterange":
        ends = [_html_node(c) for c in node if local_name(c) in ("fromdate", "todate")]
        inner = "-".join(end for end in ends if end) or inner
    if (name == "date" or name in STRUCTURED_DATES) and local_name(node.getparent()) == "chronitem":
        return f"<dt>{inner}</dt>"
    if name in ("event", "eventgrp") and local_name(node.getparent()) in ("chronitem",):
        return f"<dd>{inner}</dd>"
    if name == "addressline":
        return f"{inner}<br>"
    if name in _HTML_BLOCKS:
        tag = _HTML_BLOCKS[name]
        if name == "item" and local_name(node.getparent()) == "defitem":
            tag = "dd"
        return f"<{tag}>{inner}</{tag}>"
    return inner
