"""Inline markup: one neutral vocabulary for stored fragments, conversion, and safe HTML.

Stored fragments (``Note.content``, ``Unit.title``...) use the EAD 2002 element names without
namespace, with XLink attributes unprefixed as in the EAD 2002 DTD (``<extref href="...">``).
EAD 2002 was chosen because most real finding aids (and ArchivesSpace's own storage) use it,
so reading and writing 2002 is nearly the identity and only EAD3 needs converting.

Conversions keep every character of text and whitespace: elements are renamed or unwrapped,
never re-flowed.  An element the target version does not have is unwrapped (its text stays).

``to_html`` renders a fragment through a whitelist; nothing else of the input reaches the HTML.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

from ..links import is_script_url, safe_link
from .parsing import EAD_NAMESPACES, XLINK_NS, XML_NS, entity_text, safe_parser

# --------------------------------------------------------------------------- vocabularies

EAD2002_ELEMENTS = frozenset(
    "abbr abstract accessrestrict accruals acqinfo address addressline altformavail appraisal "
    "arc archref arrangement bibliography bibref bibseries bioghist blockquote chronitem "
    "chronlist colspec container controlaccess corpname custodhist dao daodesc daogrp daoloc "
    "date defitem descgrp dimensions div edition emph entry event eventgrp expan extent extptr "
    "extptrloc extref extrefloc famname fileplan function genreform geogname head head01 head02 "
    "imprint "
    "index indexentry item label langmaterial language lb legalstatus linkgrp list listhead "
    "materialspec name namegrp note num occupation odd originalsloc origination otherfindaid p "
    "persname physdesc physfacet physloc phystech prefercite processinfo ptr ptrgrp ptrloc "
    "publisher ref refloc relatedmaterial repository resource row scopecontent "
    "separatedmaterial sponsor subarea subject table tbody tgroup thead title unitdate unitid "
    "unittitle userestrict".split()
)
EAD3_ELEMENTS = frozenset(
    "abbr abstract accessrestrict accruals acqinfo address addressline altformavail appraisal "
    "archref arrangement bibliography bibref bioghist blockquote chronitem chronitemset "
    "chronlist colspec container controlaccess corpname custodhist dao daoset date daterange "
    "dateset datesingle defitem descriptivenote didnote dimensions edition emph entry event "
    "expan famname fileplan footnote foreign fromdate function genreform geogname head01 head02 "
    "head03 "
    "geographiccoordinates head index indexentry item label langmaterial language languageset "
    "lb legalstatus list listhead materialspec name namegrp num occupation odd originalsloc "
    "origination otherfindaid p part persname physdesc physdescset physdescstructured "
    "physfacet physloc phystech prefercite processinfo ptr ptrgrp quantity quote ref "
    "relatedmaterial relation relations repository row scopecontent script "
    "separatedmaterial subject table tbody term tgroup thead title todate unitdate "
    "unitdatestructured unitid unittitle unittype userestrict".split()
)

# What EAD3 allows in its most restricted phrase contexts (titleproper, unittitle, abstract).
EAD3_PHRASE = frozenset(
    "emph lb abbr expan foreign ref ptr quote date num persname corpname famname geogname name "
    "subject genreform occupation function title part".split()
)

# Elements that may stand on their own in a note body; anything else (text, emph, date...) is
# "phrase" content and gets a <p> around it when written into a block context.
BLOCK_ELEMENTS = frozenset(
    "p list chronlist table blockquote address note footnote head descgrp indexentry "
    "bibref archref dao daogrp daoset controlaccess div listhead "
    "abstract accessrestrict accruals acqinfo altformavail appraisal arrangement "
    "bibliography bioghist custodhist fileplan index legalstatus odd originalsloc "
    "otherfindaid phystech prefercite processinfo relatedmaterial scopecontent "
    "separatedmaterial userestrict".split()
)
# Block elements that would nest notes inside notes only when the name matches the parent
# note; they are treated as blocks only in that case (see ``normalise_block``).
NOTE_ELEMENTS = frozenset(
    "abstract accessrestrict accruals acqinfo altformavail appraisal arrangement "
    "bibliography bioghist custodhist fileplan index legalstatus odd originalsloc "
    "otherfindaid phystech prefercite processinfo relatedmaterial scopecontent "
    "separatedmaterial userestrict".split()
)

# Attributes that the XSD types as xlink:* in EAD 2002 (unprefixed in the DTD and in our
# neutral fragments).
XLINK_ATTRIBUTES = frozenset(
    "href role arcrole title show actuate type label from to entityref".split()
)
LINK_ELEMENTS_2002 = frozenset(
    "extref extptr ref ptr dao daoloc daogrp archref bibref title extrefloc extptrloc "
    "linkgrp refloc ptrloc resource arc".split()
)

_NAME_ELEMENTS = frozenset(
    "persname corpname famname geogname name subject genreform occupation function title".split()
)

# ------------------------------------------------------------------ serialising fragments


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


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attr(text: str) -> str:
    return _escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _node_text(node: Any) -> str:
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
        parts.append(_escape_text(el.text))
    children = list(el)
    for index, child in enumerate(children):
        if index < start:
            continue
        parts.append(serialise_node(child, convert=convert))
        if child.tail:
            parts.append(_escape_text(child.tail))
    return "".join(parts)


def serialise_node(node: Any, *, convert: Callable[[Any], Any] | None = None) -> str:
    """Serialise one node (element, comment, PI, entity) without namespaces."""
    if isinstance(node, etree._Comment):
        return f"<!--{node.text or ''}-->"
    if isinstance(node, etree._ProcessingInstruction):
        return ""
    if isinstance(node, etree._Entity):
        return _escape_text(_node_text(node))
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
            out.append(_node_text(node))
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


# -------------------------------------------------------------- EAD3 -> neutral (reading)


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
    if name in _NAME_ELEMENTS:
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
STRUCTURED_DATES = frozenset({"datesingle", "daterange", "dateset"})


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
        out.append(_escape_text(el.text))
    previous_was_part = False
    for child in el:
        is_part = local_name(child) == "part"
        if is_part and previous_was_part and out and not out[-1][-1:].isspace():
            out.append(" ")
        out.append(serialise_node(child, convert=_from_ead3))
        previous_was_part = is_part
        if child.tail:
            out.append(_escape_text(child.tail))
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
        return serialise_element(el, name="date", attrs=keep, inner=_escape_text(plain_text(el)))
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
            el, name="date", attrs=keep, inner=_escape_text("-".join(t for t in texts if t))
        )
    return serialise_element(el, name="date", attrs=keep, inner=_escape_text(plain_text(el)))


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


# ---------------------------------------------------------- neutral -> target (writing)


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
            new_name in _NAME_ELEMENTS
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


def _unwrap(node: Any, *, pad: bool = False) -> None:
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
            _drop_hidden(node)


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


def _drop_hidden(node: Any) -> None:
    """Drop an internal element, then each container it leaves without a required child."""
    parent = node.getparent()
    _drop_keep_tail(node)
    while parent is not None and isinstance(parent.tag, str):
        needed = _NEEDS_CHILD.get(parent.tag)
        if needed is None or any(isinstance(c.tag, str) and c.tag in needed for c in parent):
            return
        above = parent.getparent()
        if above is None:
            return
        _drop_keep_tail(parent)
        parent = above


def _strip_unknown(el: Any, allowed: frozenset[str], include_unpublished: bool) -> None:
    for node in list(el.iter()):
        if node is el:
            continue
        if not isinstance(node.tag, str):
            if isinstance(node, etree._ProcessingInstruction):
                _drop_keep_tail(node)
            continue
        if not include_unpublished and is_internal(node):
            if node.getparent() is not None:
                _drop_hidden(node)
            continue
        if not include_unpublished:
            drop_script_links(node)
        if node.tag.startswith("{"):
            continue  # another vocabulary (objectxmlwrap content)
        if node.tag not in allowed:
            _unwrap(node)


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


def _drop_keep_tail(node: Any) -> None:
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail or ""
    index = parent.index(node)
    if index == 0:
        parent.text = (parent.text or "") + tail
    else:
        prev = parent[index - 1]
        prev.tail = (prev.tail or "") + tail
    parent.remove(node)


def normalise_block(el: Any, *, note_name: str | None = None) -> None:
    """Wrap runs of phrase content (text, emph, date...) in ``<p>`` so a note body is valid.

    Whitespace-only runs between blocks are kept as they are.
    """
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

    def add_text(target: Any, text: str) -> None:
        if len(target):
            last = target[-1]
            last.tail = (last.tail or "") + text
        else:
            target.text = (target.text or "") + text

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
                _unwrap(node)


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
                _unwrap(node)
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
                key == "role" and name in _NAME_ELEMENTS
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


# ------------------------------------------------------------------------------- HTML

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
        return html.escape(_node_text(node), quote=False)
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
