"""Shape a written element tree to the official content model, never dropping a word.

Readers are forgiving, so records carry whatever the source had: text directly in a
``<list>``, a ``<legalstatus>`` where the target version does not allow one, an EAD3-only
attribute value, a ``<num>`` inside an EAD3 title.  Before a writer emits a block it passes the
block through :func:`conform`, which uses the content models extracted from the XSDs
(``contentmodel_<version>.json``, built by ``contentmodel_build``) and repairs it:

- an attribute the element does not have is renamed when the schema has it under the other
  spelling (EAD 2002 ``href`` vs ``xlink:href``), otherwise left out; an enumerated value is
  matched case- and punctuation-insensitively (``onRequest``/``onrequest``,
  ``loweralpha``/``lower-alpha``) or through a synonym table (``arabic``/``decimal``); a value
  the type rejects (a space in an NMTOKEN, a date that breaks the ``normal`` pattern) is
  repaired when that is unambiguous, else left out.  Attribute values are codes, not text:
  the words of the document are all in element content, which is never dropped;
- text where the model allows none is wrapped in the element the model offers for it
  (``<p>``, ``<item>``, ``<head01>``, ``<part>``...);
- an element the parent does not allow is wrapped in an allowed child that takes it
  (``<legalstatus>`` into ``<accessrestrict>``), or else unwrapped: its tag goes, its text
  and children stay;
- the children of element-only content are put in the order of the type's sequence.

The repairs are deterministic and idempotent (a conforming tree is left as it is), which
keeps export -> import -> export byte-identical.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from .markup import add_text, drop_keep_tail, take_content, unwrap
from .parsing import XLINK_NS, XML_NS

_HERE = Path(__file__).parent

# Elements that can carry the text found where the model allows none, by preference.
_TEXT_HOLDERS = ("p", "item", "head01", "part", "event", "entry", "addressline", "didnote")
# Second choice: an element whose own content has a text holder.
_NESTED_HOLDERS = (
    "note",
    "controlnote",
    "odd",
    "descriptivenote",
    "corpname",
    "name",
    "title",
    "notestmt",
)
# Preferred wrappers for a misplaced element (first allowed one that accepts it wins).
_WRAPPERS = (
    "p",
    "item",
    "part",
    "accessrestrict",
    "odd",
    "descriptivenote",
    "notestmt",
    "controlnote",
    "physdesc",
    "event",
    "entry",
    "didnote",
    "note",
)
# Elements that say the same thing under another name: a misplaced one is renamed when the
# parent takes its twin (links: external and internal references differ only in attributes,
# which ``fix_attributes`` then fits to the new name).
_TWINS = {
    "extref": ("ref",),
    "ref": ("extref",),
    "extptr": ("ptr",),
    "ptr": ("extptr",),
}
# Enumerated values that differ between the versions beyond spelling.
_SYNONYMS = {
    "arabic": "decimal",
    "decimal": "arabic",
    "lowerlatin": "loweralpha",
    "upperlatin": "upperalpha",
    "loweralpha": "lowerlatin",
    "upperalpha": "upperlatin",
}
_BLOCKISH = frozenset(
    "p item entry row head head01 head02 chronitem event eventgrp defitem label list chronlist "
    "table tgroup tbody thead blockquote address addressline listhead note footnote "
    "didnote".split()
)
_NMTOKEN = re.compile(r"^[\w.\-:·]+$")
_NCNAME = re.compile(r"^[^\W\d][\w.\-·]*$")


def is_xml_id(value: str) -> bool:
    """Whether ``value`` may be an ``xs:ID`` (an XML name without colons)."""
    return bool(_NCNAME.match(value))


def _squash(value: str) -> str:
    return re.sub(r"[\W_]+", "", value).casefold()


class ContentModel:
    """The extracted content model of one EAD version."""

    def __init__(self, version: str, namespace: str) -> None:
        data = json.loads((_HERE / f"contentmodel_{version}.json").read_text())
        self.version = version
        self.namespace = namespace
        self.types: dict[str, dict[str, Any]] = data["types"]
        self.elements: dict[str, list[str]] = data["elements"]
        self._patterns: dict[str, re.Pattern[str] | None] = {}
        self._holders: dict[int, str | None] = {}
        self._kids: dict[int, dict[str, Any]] = {}  # type id -> {child name: its type}
        self._names: dict[str, Any] = {}  # tag -> local name in this namespace, or None
        self._xlink = f"{{{XLINK_NS}}}"
        self._xml = f"{{{XML_NS}}}"

    def type_of(self, name: str) -> dict[str, Any] | None:
        names = self.elements.get(name)
        if not names or names[0] == "#text":
            return None
        return self.types.get(names[0])

    def child_type(self, parent: dict[str, Any], name: str) -> dict[str, Any] | None:
        type_name = parent["children"].get(name)
        if type_name is None or type_name == "#text":
            return None
        return self.types.get(type_name)

    # -- attributes --------------------------------------------------------------------------

    def _pattern(self, pattern: str) -> re.Pattern[str] | None:
        if pattern not in self._patterns:
            try:
                self._patterns[pattern] = re.compile(f"^(?:{pattern})$")
            except re.error:
                self._patterns[pattern] = None
        return self._patterns[pattern]

    def fix_value(self, spec: dict[str, Any], value: str) -> str | None:
        """``value`` if the attribute type takes it, a repaired value, or None."""
        if "enum" in spec:
            enum = spec["enum"]
            if value in enum:
                return value
            squashed = _squash(value)
            for candidate in enum:
                if _squash(candidate) == squashed:
                    return candidate
            synonym = _SYNONYMS.get(squashed)
            if synonym is not None:
                for candidate in enum:
                    if _squash(candidate) == synonym:
                        return candidate
            return None
        if "pattern" in spec:
            for pattern in spec["pattern"]:
                compiled = self._pattern(pattern)
                if compiled is None or compiled.match(value):
                    return value
            return None
        if "union" in spec:
            return value
        kind = spec.get("type", "string")
        if kind in ("NMTOKEN",):
            token = "_".join(value.split())
            return token if token and _NMTOKEN.match(token) else None
        if kind in ("NMTOKENS",):
            tokens = [t for t in value.split() if _NMTOKEN.match(t)]
            return " ".join(tokens) or None
        if kind in ("ID", "IDREF", "NCName"):
            return value if _NCNAME.match(value) else None
        if kind == "IDREFS":
            ids = [t for t in value.split() if _NCNAME.match(t)]
            return " ".join(ids) or None
        if kind in ("ENTITY", "ENTITIES"):
            return None  # an unparsed entity of a DTD: no document without one declares any
        if kind in ("integer", "nonNegativeInteger", "positiveInteger"):
            return value if value.strip().lstrip("-").isdigit() else None
        if kind == "anyURI":
            return any_uri(value)
        return value

    def fix_attributes(self, el: Any, spec: dict[str, Any]) -> None:
        allowed: dict[str, Any] = spec["attrs"]
        items = list(el.attrib.items())
        el.attrib.clear()
        for key, value in items:
            if key.startswith(f"{{{XLINK_NS}}}"):
                name = "xlink:" + key.split("}", 1)[1]
            elif key.startswith(f"{{{XML_NS}}}"):
                name = "xml:" + key.split("}", 1)[1]
            elif key.startswith("{"):
                el.set(key, value)  # xsi:schemaLocation and friends are the writer's business
                continue
            else:
                name = key
            if name not in allowed:
                # the same attribute under the other version's spelling
                if name.startswith("xlink:") and name[6:] in allowed:
                    name = name[6:]
                elif not name.startswith(("xlink:", "xml:")):
                    linked = "xlink:type" if name == "linktype" else f"xlink:{name}"
                    if linked in allowed:
                        name = linked
                    else:
                        continue
                else:
                    continue
            fixed = self.fix_value(allowed[name], value)
            if fixed is None:
                continue
            if name.startswith("xlink:"):
                el.set(f"{{{XLINK_NS}}}{name[6:]}", fixed)
            elif name.startswith("xml:"):
                el.set(f"{{{XML_NS}}}{name[4:]}", fixed)
            else:
                el.set(name, fixed)

    # -- content -----------------------------------------------------------------------------

    def local(self, node: Any) -> str | None:
        """Local name of an element in this version's namespace (None for anything else)."""
        tag = node.tag
        if not isinstance(tag, str):
            return None
        if tag.startswith("{"):
            ns, name = tag[1:].split("}", 1)
            return name if ns == self.namespace else None
        return tag

    def text_holder(self, spec: dict[str, Any], *, nested: int = 2) -> str | None:
        """The child that takes stray text: one that allows text, else (``nested``) one whose
        own content has such a child (``<repository>`` text goes into ``<corpname><part>``)."""
        for name in _TEXT_HOLDERS:
            child = self.child_type(spec, name)
            if child is not None and child["mixed"]:
                return name
        if nested:
            for name in _NESTED_HOLDERS:
                child = self.child_type(spec, name)
                if child is not None and self.text_holder(child, nested=nested - 1):
                    return name
        return None

    def wrapper_for(self, spec: dict[str, Any], name: str) -> str | None:
        for wrapper in _WRAPPERS:
            child = self.child_type(spec, wrapper)
            if child is not None and name in child["children"]:
                return wrapper
        return None

    def conform(self, el: Any, spec: dict[str, Any] | None = None) -> Any:
        """Repair ``el`` (in place) against its type; returns ``el``."""
        if spec is None:
            name = self.local(el)
            spec = self.type_of(name) if name else None
            if spec is None:
                return el
            if self._conforms(el, spec):
                return el  # the usual case: nothing to repair, so no tree rebuilding
        self.fix_attributes(el, spec)
        holder = None if spec["mixed"] else self.text_holder(spec)
        deferred: set[Any] = set()
        boxes: list[Any] = []
        index = 0
        while index < len(el):
            child = el[index]
            name = self.local(child)
            if name is None:
                index += 1  # comments, foreign-namespace content (objectxmlwrap)
                continue
            if name in spec["children"]:
                index += self._conform_child(el, child, name, spec)
                continue
            if holder is not None and name in self.types_children(holder, spec):
                deferred.add(child)  # phrase content: goes into the text holder below
                index += 1
                continue
            twin = next((t for t in _TWINS.get(name, ()) if t in spec["children"]), None)
            if twin is not None:
                # the same kind of element under the name this parent takes (an EAD3
                # <ref href> is an EAD 2002 <extref>, but a <ptrgrp> only takes <ref>)
                child.tag = self._tag(child, twin)
                continue  # examined again under its new name
            wrapper = None if spec["mixed"] else self.wrapper_for(spec, name)
            if wrapper is not None:
                index += self._box(el, index, child, wrapper, boxes)
                continue
            unwrap(child, pad=name in _BLOCKISH)  # its content is examined in turn
        for box in boxes:
            box_spec = self.child_type(spec, self.local(box) or "")
            if box_spec is not None:
                self.conform(box, box_spec)
        if not spec["mixed"]:
            self._wrap_text(el, spec, holder, deferred)
            self._reorder(el, spec)
            _drop_blank_text(el)
        return el

    def _conform_child(self, el: Any, child: Any, name: str, spec: dict[str, Any]) -> int:
        """Repair ``child``, which ``el`` may hold; returns how far :meth:`conform` moves on:
        1 to the next child, 0 when what took the child's place must be examined first."""
        child_spec = self.child_type(spec, name)
        if (
            child_spec is not None
            and child_spec.get("any")
            and not any(self.local(c) is None and isinstance(c.tag, str) for c in child)
        ):
            if any(isinstance(c.tag, str) for c in child):
                # EAD elements quoted in a wrapper for other vocabularies (objectxmlwrap),
                # which takes none: they stay quoted, inside an element of that other kind
                _quote(child)
                return 1
            # only words: they are examined here instead, as if misplaced
            unwrap(child, pad=True)
            return 0
        if child_spec is not None:
            if name == "p" and not spec["mixed"]:
                # (paragraphs only: elsewhere, a did for one, what moves up would
                # read back as other fields)
                self._hoist(child, child_spec, spec)
                if child.getparent() is not el:
                    return 0  # nothing left of it: what took its place comes next
            self.conform(child, child_spec)
        return 1

    def _box(self, el: Any, index: int, child: Any, wrapper: str, boxes: list[Any]) -> int:
        """Put ``child`` (at ``index``) into a ``wrapper`` element: the box made for its
        previous sibling when there is one, else a new box (added to ``boxes``). Returns how
        far :meth:`conform` moves on: 0 when the child went into the previous box."""
        previous = el[index - 1] if index else None
        if (
            previous is not None
            and boxes
            and previous is boxes[-1]
            and self.local(previous) == wrapper
            and not (previous.tail or "").strip()
        ):
            previous.append(child)
            return 0
        box = etree.Element(self._tag(child, wrapper))
        child.addprevious(box)
        box.tail, child.tail = child.tail, None
        box.append(child)
        boxes.append(box)
        return 1

    def _holder(self, spec: dict[str, Any]) -> str | None:
        key = id(spec)
        try:
            return self._holders[key]
        except KeyError:
            holder = self._holders[key] = None if spec["mixed"] else self.text_holder(spec)
            return holder

    def _attributes_conform(self, items: list[tuple[str, str]], allowed: dict[str, Any]) -> bool:
        """Whether ``fix_attributes`` would leave every attribute (``items``) as it is."""
        for key, value in items:
            if key[0] == "{":
                if key.startswith(self._xlink):
                    name = "xlink:" + key[len(self._xlink) :]
                elif key.startswith(self._xml):
                    name = "xml:" + key[len(self._xml) :]
                else:
                    continue
            else:
                name = key
            attr_spec = allowed.get(name)
            if attr_spec is None or self.fix_value(attr_spec, value) != value:
                return False
        return True

    def _conforms(self, el: Any, spec: dict[str, Any]) -> bool:
        """Whether :meth:`conform` would leave ``el`` exactly as it is (read-only check).

        Mirrors every repair ``conform`` makes; any doubt answers False, and the full repair
        runs.  Writers mostly emit valid blocks, so this saves rebuilding them.
        """
        items = el.items()
        if items and not self._attributes_conform(items, spec["attrs"]):
            return False
        children = spec["children"]
        kids = self._kids.get(id(spec))
        if kids is None:
            kids = self._kids[id(spec)] = {name: self.child_type(spec, name) for name in children}
        mixed = spec["mixed"]
        holder = None
        rank: dict[str, int] = spec["rank"]
        if not mixed:
            holder = self._holder(spec)
            text = el.text
            if text is not None and (holder is not None or not text.strip()):
                return False
        last = -1
        names = self._names
        for child in el:
            tag = child.tag
            name = names.get(tag, _ABSENT) if isinstance(tag, str) else None
            if name is _ABSENT:
                name = self.local(child)
                if len(names) < 4096:  # element names: a small vocabulary
                    names[tag] = name
            if name is not None:
                child_spec = kids.get(name, _ABSENT)
                if child_spec is _ABSENT:
                    return False
                if child_spec is not None:
                    if child_spec.get("any") and not any(
                        self.local(c) is None and isinstance(c.tag, str) for c in child
                    ):
                        return False
                    if name == "p" and not mixed:
                        own = child_spec["children"]
                        for sub in child:
                            sub_name = self.local(sub)
                            if (
                                sub_name is not None
                                and sub_name in children
                                and sub_name not in own
                            ):
                                return False  # _hoist would move it up
                    if not self._conforms(child, child_spec):
                        return False
            if not mixed:
                tail = child.tail
                if tail is not None and (holder is not None or not tail.strip()):
                    return False
                value = rank.get(name, last) if name else last
                if value < last:
                    return False
                last = value
        return True

    def _hoist(self, child: Any, child_spec: dict[str, Any], spec: dict[str, Any]) -> None:
        """Split ``child`` (a paragraph) around the elements it may not hold but its parent
        may (an EAD 2002 <table> or <list> inside <p>, which EAD3 has beside it): each such
        element moves up between the two halves, so it keeps its structure."""
        for sub in list(child):
            name = self.local(sub)
            if name is None or name in child_spec["children"] or name not in spec["children"]:
                continue
            rest = etree.Element(child.tag, {k: v for k, v in child.attrib.items() if k != "id"})
            rest.text, sub.tail = sub.tail, None
            for following in list(sub.itersiblings()):
                rest.append(following)
            rest.tail, child.tail = child.tail, None
            child.addnext(sub)
            sub.addnext(rest)
            for piece in (child, rest):
                if len(piece) == 0 and not (piece.text or "").strip():
                    drop_keep_tail(piece)
            if rest.getparent() is None:
                return
            child = rest

    def types_children(self, holder: str, spec: dict[str, Any]) -> dict[str, str]:
        child = self.child_type(spec, holder)
        return child["children"] if child is not None else {}

    def _tag(self, like: Any, name: str) -> str:
        tag = like.tag
        if isinstance(tag, str) and tag.startswith("{"):
            return f"{tag.split('}', 1)[0]}}}{name}"
        return name

    def _wrap_text(
        self, el: Any, spec: dict[str, Any], holder: str | None, deferred: set[Any]
    ) -> None:
        has_text = bool((el.text or "").strip()) or any((c.tail or "").strip() for c in el)
        if not has_text and not deferred:
            return
        if holder is None:
            return  # nowhere to put it: keep the words rather than drop them
        holder_spec = self.child_type(spec, holder)
        # runs of text and deferred phrase elements become one holder each
        items = take_content(el)
        current: Any = None
        for kind, value in items:
            if kind == "node" and value not in deferred:
                if current is not None and (current.tail or "").strip() == "":
                    pass
                el.append(value)
                current = None
                continue
            if kind == "text" and not value.strip() and current is None:
                add_text(el, value)
                continue
            if current is None:
                existing = [c for c in el if self.local(c) == holder]
                if existing and holder_spec is not None and not holder_spec["mixed"]:
                    # a statement-like holder (notestmt) may occur once: reuse it
                    current = existing[-1]
                    add_text(current, " ")
                else:
                    current = etree.SubElement(el, f"{{{self.namespace}}}{holder}")
            if kind == "text":
                add_text(current, value)
            else:
                current.append(value)
        for box in el:
            if self.local(box) == holder and holder_spec is not None:
                self.conform(box, holder_spec)

    def _reorder(self, el: Any, spec: dict[str, Any]) -> None:
        rank = spec["rank"]
        if len(el) < 2 or not rank:
            return
        keyed = []
        last = -1
        for position, child in enumerate(el):
            name = self.local(child)
            value = rank.get(name, last) if name else last
            last = value
            keyed.append((value, position, child))
        if all(a[0] <= b[0] for a, b in zip(keyed, keyed[1:], strict=False)):
            return
        keyed.sort(key=lambda item: (item[0], item[1]))
        for _, _, child in keyed:
            el.append(child)


_ABSENT: Any = object()

# What XML Schema's anyURI (as libxml2 checks it) refuses inside a reference: control
# characters, a "%" that starts no escape, brackets outside an IPv6 host.
_URI_REFUSED = re.compile(r"[\x00-\x1f\x7f]|%(?![0-9A-Fa-f]{2})|[\[\]]")
_FIRST_COLON = re.compile(r"^([^:/?#]*):")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_IPV6_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\[[0-9A-Fa-f:.]+\](?=[:/?#]|$)")


def any_uri(value: str) -> str:
    """``value`` as an ``xs:anyURI`` takes it: what it refuses is percent-encoded (a tab
    becomes ``%09``), everything else is kept as it is. Idempotent. The reference still
    names the same thing for every reader that decodes escapes; a link our pages refuse
    (``archive.links``) stays refused."""
    value = value.strip()
    host = _IPV6_HOST.match(value)
    start = host.end() if host else 0
    rest = _URI_REFUSED.sub(
        lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), value[start:]
    )
    value = value[:start] + rest
    # A first segment holding a colon reads as a scheme; one that is not a scheme (after
    # the escapes above, "java%09script:") makes the whole reference invalid.
    colon = _FIRST_COLON.match(value)
    if colon and not _SCHEME.fullmatch(colon.group(1)):
        value = f"{colon.group(1)}%3A{value[colon.end() :]}"
    return value


def _drop_blank_text(el: Any) -> None:
    """Whitespace between the children of element-only content means nothing; left over from
    unwrapping it would appear in one export and not in the next."""
    if el.text is not None and not el.text.strip():
        el.text = None
    for child in el:
        if child.tail is not None and not child.tail.strip():
            child.tail = None


# The namespace of the element that holds EAD markup quoted where the schema takes only
# other vocabularies (see :func:`_quote`).
QUOTED_NS = "urn:x-fonds:quoted-ead"


def _quote(el: Any) -> None:
    """Put the content of ``el`` (EAD markup) into one ``<quoted>`` of :data:`QUOTED_NS`."""
    quoted = etree.Element(f"{{{QUOTED_NS}}}quoted", nsmap={"quoted": QUOTED_NS})
    quoted.text, el.text = el.text, None
    for child in list(el):
        quoted.append(child)
    el.append(quoted)


@cache
def content_model(version: str, namespace: str) -> ContentModel:
    """The (cached) content model of ``version`` ("2002" | "3")."""
    return ContentModel(version, namespace)


__all__ = ["ContentModel", "content_model"]
