"""EAD3 -> neutral: the fragments a reader stores for EAD3 content, and the way back from the
EAD3 phrase elements a fragment keeps to what EAD 2002 says for them."""

from __future__ import annotations

from typing import Any

from .serialise import (
    attribute_items,
    escape_text,
    foreign_namespace,
    local_name,
    parse_fragment,
    plain_text,
    serialise_children,
    serialise_element,
    serialise_node,
)
from .vocabulary import EAD2002_ELEMENTS, NAME_ELEMENTS, STRUCTURED_DATES


def _from_ead3(el: Any) -> str:
    """Convert one EAD3 element (and its content) to the neutral (EAD 2002) vocabulary."""
    if foreign_namespace(el) is not None:
        return serialise_element(el)  # another vocabulary: verbatim, namespace kept
    name = local_name(el)
    attrs = _attrs_3_to_2002(el)
    inner_convert = _from_ead3

    if name in ("ref", "ptr"):
        attr_dict = dict(attrs)
        if "href" in attr_dict:
            name = "extref" if name == "ref" else "extptr"
        return serialise_element(
            el, name=name, attrs=attrs, inner=serialise_children(el, convert=inner_convert)
        )
    if name == "part":
        return serialise_children(el, convert=inner_convert)
    if name in NAME_ELEMENTS:
        if _parts_say_more(el):
            # several parts, or parts with attributes: kept as they are for EAD3 (an EAD 2002
            # export unwraps them, a space between touching words)
            return serialise_element(el, name=name, attrs=attrs, inner=name_fragment(el))
        return serialise_element(el, name=name, attrs=attrs, inner=_join_parts(el))
    if name == "list":
        converted = []
        mark = None
        for key, value in attrs:
            if key == "listtype":
                if value == "unordered":
                    value = "marked" if el.get("mark") else "simple"
                converted.append(("type", value))
            elif key == "mark":
                mark = value
            else:
                converted.append((key, value))
        if mark is not None:
            converted.append(("mark", mark))
        return serialise_element(
            el, name="list", attrs=converted, inner=serialise_children(el, convert=inner_convert)
        )
    if name == "chronitemset":
        return serialise_element(
            el, name="eventgrp", attrs=attrs, inner=serialise_children(el, convert=inner_convert)
        )
    if name == "footnote":
        return serialise_element(
            el, name="note", attrs=attrs, inner=serialise_children(el, convert=inner_convert)
        )
    if name in _EAD3_PHRASE_KEPT:
        # EAD3's own phrase elements stay in the fragment: an EAD3 export writes them back,
        # an EAD 2002 export unwraps them (words kept), pages reduce them to their text
        return serialise_element(
            el, name=name, attrs=attrs, inner=serialise_children(el, convert=inner_convert)
        )
    if name not in EAD2002_ELEMENTS:
        # script, geographiccoordinates...: keep the words, drop the tag.
        return serialise_children(el, convert=inner_convert)
    return serialise_element(
        el, name=name, attrs=attrs, inner=serialise_children(el, convert=inner_convert)
    )


# EAD3 elements without an EAD 2002 twin kept as they are (see ``ead3_to_2002``).
_EAD3_PHRASE_KEPT = frozenset(
    "foreign quote datesingle daterange dateset fromdate todate geographiccoordinates".split()
)


def _parts_say_more(el: Any) -> bool:
    """Whether the ``<part>``s of an EAD3 name say more than its words: more than one, or
    one with attributes."""
    parts = [child for child in el if local_name(child) == "part"]
    return len(parts) > 1 or any(part.attrib for part in parts)


def name_fragment(el: Any) -> str:
    """The content of an EAD3 name or term as a neutral fragment, its ``<part>``s kept."""
    return serialise_children(el, convert=_keep_parts)


def _keep_parts(el: Any) -> str:
    """``_from_ead3`` that keeps an EAD3 ``<part>`` (and its attributes) in the fragment."""
    if local_name(el) == "part":
        return serialise_element(
            el, attrs=_attrs_3_to_2002(el), inner=serialise_children(el, convert=_from_ead3)
        )
    return _from_ead3(el)


def _join_parts(el: Any) -> str:
    """Content of a name with EAD3 <part>s, adding a space where parts touch."""
    out: list[str] = []
    if el.text:
        out.append(escape_text(el.text))
    previous_was_part = False
    for child in el:
        is_part = local_name(child) == "part"
        if is_part and previous_was_part and out and not out[-1][-1:].isspace():
            out.append(" ")
        out.append(serialise_node(child, convert=_from_ead3))
        previous_was_part = is_part
        if child.tail:
            out.append(escape_text(child.tail))
            previous_was_part = previous_was_part and not child.tail.strip() == child.tail
    return "".join(out)


def ead3_to_2002(root: Any) -> None:
    """Turn the EAD3 elements a neutral fragment keeps (structured dates, name parts...)
    into what EAD 2002 says for them, in place: a structured date becomes a ``<date>``
    with the same words (a range's ends joined by "-") and its ``normal`` value; the rest
    is unwrapped later, its words kept."""
    for node in list(root.iter(*STRUCTURED_DATES)):
        parent = node.getparent()
        if parent is None or local_name(parent) in STRUCTURED_DATES:
            continue  # (inside a set: the outer date is written)
        date = parse_fragment(_structured_date_to_2002(node, list(node.attrib.items())))[0]
        date.tail = node.tail
        parent.replace(node, date)


def _structured_date_to_2002(el: Any, attrs: list[tuple[str, str]]) -> str:
    name = local_name(el)
    keep = [(k, v) for k, v in attrs if k in ("altrender", "audience", "id", "encodinganalog")]
    if name == "datesingle":
        if el.get("standarddate"):
            keep.append(("normal", el.get("standarddate")))
        return serialise_element(el, name="date", attrs=keep, inner=escape_text(plain_text(el)))
    if name == "daterange":
        begin = end = None
        texts = []
        for child in el:
            if local_name(child) == "fromdate":
                begin = child.get("standarddate")
                texts.append(plain_text(child))
            elif local_name(child) == "todate":
                end = child.get("standarddate")
                texts.append(plain_text(child))
        if begin or end:
            keep.append(("normal", f"{begin or ''}/{end or ''}".strip("/")))
        return serialise_element(
            el, name="date", attrs=keep, inner=escape_text("-".join(t for t in texts if t))
        )
    return serialise_element(el, name="date", attrs=keep, inner=escape_text(plain_text(el)))


_ATTR_3_TO_2002 = {
    "localtype": "type",
    "linkrole": "role",
    "linktitle": "title",
    "relator": "role",
    "identifier": "authfilenumber",
}


def _attrs_3_to_2002(el: Any) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key, value in attribute_items(el):
        if key in _ATTR_3_TO_2002:
            mapped = _ATTR_3_TO_2002[key]
            if mapped is None:
                continue
            key = mapped
        out.append((key, value))
    return out


def fragment_from_element(el: Any, *, version: str, start: int = 0) -> str:
    """The neutral fragment for the content of ``el`` (from child ``start`` on)."""
    convert = _from_ead3 if version == "3" else None
    if start:
        return serialise_children(el, start=start, convert=convert, include_text=False)
    return serialise_children(el, convert=convert)


def element_to_neutral(el: Any, *, version: str) -> str:
    """Serialise a whole element in the neutral vocabulary."""
    if version == "3":
        return _from_ead3(el)
    return serialise_element(el)
