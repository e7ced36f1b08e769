"""Streaming core of the EAD 2002 and EAD3 writers: the walk over the record stream.

The record stream (see ``archive.ead.records``) is written incrementally (the serialiser is
``archive.ead.serializer``): the root, ``<archdesc>``, ``<dsc>`` and each open ``<c>`` are
open elements; everything else of a unit is built as a small tree, fitted to the schema
(``conform``) and written at once, so memory stays flat whatever the number of components.
Components are opened and closed by ``depth``.  A component with nothing but ids, a plain
title, dates and containers (most of a large collection) is written as text directly, to the
same bytes (``UnitLayout.plain_body`` in ``archive.ead.layout``): that is what makes 100,000
components a matter of seconds.

Public/staff output: with ``include_unpublished=False`` an unpublished component is omitted
with everything below it, and unpublished notes, names, digital objects and inline elements are
left out; with ``include_unpublished=True`` they are written with ``audience="internal"``.
Public output also leaves out script URLs (``javascript:``, ``data:``...) of links
(:meth:`StreamWriter.link_target`); staff output keeps every ``href`` as stored.
"""

from __future__ import annotations

import dataclasses
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import IO, Any

from lxml import etree

from ..links import is_script_url
from .conform import content_model
from .markup import (
    XLINK_ATTRIBUTES,
    build_fragment,
    drop_internal,
    drop_script_links,
    element_to_neutral,
    fragment_plain_text,
    namespaced,
    parse_fragment,
    without_internal,
)
from .parsing import XLINK_NS, XML_NS
from .records import Attributes, ExtraElement, FindingAid, Record, Unit, UnitSupplement
from .serializer import ATTRIBUTE_UNSAFE, Serializer, attribute_text

Output = str | IO[bytes]

# Anything that makes a fragment more than plain text for the XML parser: markup, entity
# references, "]]>", carriage returns (normalised by parsing) and characters XML 1.0 refuses.
_MARKUP_OR_UNSAFE = re.compile("[<>&\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Text that :meth:`StreamWriter.plain` leaves to lxml: carriage returns (written as a
# character reference) and characters XML 1.0 refuses (lxml raises).
_TEXT_UNSAFE = re.compile("[\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Unmapped attributes a source of the other version gives that either version writes.
_PORTABLE = frozenset({"altrender", "encodinganalog"})
_NORMAL_DATE = re.compile(r"^(-?\d{4}(-\d{2}(-\d{2})?)?)(/(-?\d{4}(-\d{2}(-\d{2})?)?))?$")


def valid_normal(value: str | None) -> str | None:
    """A @normal date value both schemas accept, else None (the text is kept anyway)."""
    if value and _NORMAL_DATE.match(value):
        return value
    return None


def attribute_dict(attrs: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """Attribute pairs as a dict, the later of a repeated name winning, values None left
    out -- except that ``audience="internal"`` always wins: a record made internal keeps
    the ``audience="external"`` its file said among its other attributes, which must not
    make it public again."""
    out: dict[str, str] = {}
    for key, value in attrs:
        if value is not None and not (key == "audience" and out.get(key) == "internal"):
            out[key] = value
    return out


def is_plain_text(fragment: str) -> bool:
    """Whether a neutral fragment is only words: no markup, no entity reference, nothing the
    XML parser would change (``<>&``, carriage returns, characters XML refuses)."""
    return _MARKUP_OR_UNSAFE.search(fragment) is None


def heading_phrase(heading: str) -> str:
    """A heading as the opening words of a note that has no ``<head>`` (abstract, didnote,
    physloc...): in bold, so its words stay in the text (``@label`` alone is no text)."""
    escaped = heading.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<emph render="bold">{escaped}</emph> '


class StreamWriter(ABC):
    """The document walk for one EAD version (see ``archive.ead.layout`` for the layers
    built on it): opens and closes ``<ead>``, ``<archdesc>``, ``<dsc>`` and components by
    depth and writes each unit's body as its subclasses build it."""

    version = "2002"
    namespace = ""
    nsmap: dict[str | None, str] = {}
    # Write plain components as text (:meth:`plain_body`); False writes every one through
    # the tree, the reference the tests compare the plain path with.
    plain_units = True
    # Whether records without a FindingAid header count as written in this version.
    same_without_header = True

    def __init__(self, *, include_unpublished: bool = False) -> None:
        self.include_unpublished = include_unpublished
        self.header: FindingAid | None = None
        # What a staff export could not write validly, said in an XML comment at the next
        # place the stream can take one (see :meth:`leave_out`).
        self.left_out: list[str] = []
        self.model = content_model(self.version, self.namespace)
        self._plain_starts: dict[tuple, str] = {}  # (name, *attributes) -> start tag

    @property
    def same(self) -> bool:
        """Whether the records were read from this version (then its details go back)."""
        if self.header is None:
            return self.same_without_header
        return self.header.source_version == self.version

    # -- element helpers ---------------------------------------------------------------

    def q(self, name: str) -> str:
        return f"{{{self.namespace}}}{name}"

    def el(
        self,
        name: str,
        attrs: Iterable[tuple[str, str | None]] = (),
        text: str | None = None,
        parent: Any = None,
    ) -> Any:
        clean = attribute_dict(attrs)
        if parent is None:
            node = etree.Element(self.q(name), clean, nsmap=self.nsmap)
        else:
            node = etree.SubElement(parent, self.q(name), clean)
        if text:
            node.text = text
        return node

    def plain(
        self,
        name: str,
        attrs: Sequence[tuple[str, str | None]] = (),
        text: str | None = None,
    ) -> str | None:
        """``el(name, attrs, text)`` as text, as lxml writes it once ``conform`` has fitted its
        attributes to the schema; None when only the tree can say (an attribute this element
        does not take, characters lxml refuses or writes as references).

        ``text`` is plain text, escaped here. The plain path of :meth:`plain_body` is built
        from these, which costs a fraction of building, checking and serialising a tree;
        start tags are kept for reuse (a collection repeats the same dates and boxes).
        """
        key = (name, *attrs)
        start = self._plain_starts.get(key)
        if start is None:
            start = self._plain_start(name, attrs)
            if len(self._plain_starts) >= 4096:  # the same few dates and boxes: keep it small
                self._plain_starts.clear()
            self._plain_starts[key] = start
        if not start:
            return None
        if text:
            if _TEXT_UNSAFE.search(text) is not None:
                return None
            if "&" in text or "<" in text or ">" in text:
                text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            return f"{start}>{text}</{name}>"
        return start + "/>"

    def _plain_start(self, name: str, attrs: Sequence[tuple[str, str | None]]) -> str:
        """``<name attr="value"...`` for :meth:`plain` ("" when only the tree can say)."""
        spec = self.model.type_of(name)
        if spec is None:
            return ""
        allowed = spec["attrs"]
        start = "<" + name
        for key, value in attribute_dict(attrs).items():
            attr_spec = allowed.get(key)
            if attr_spec is None or ATTRIBUTE_UNSAFE.search(value) is not None:
                return ""
            fixed = self.model.fix_value(attr_spec, value)
            if fixed is not None:
                start += f' {key}="{attribute_text(fixed)}"'
        return start

    def fill(
        self, parent: Any, fragment: str, *, context: str = "block", note_name: str | None = None
    ) -> Any:
        """Append a neutral fragment's content to ``parent`` in this version's vocabulary."""
        if not fragment:
            return parent
        if is_plain_text(fragment):
            # plain words (the common case): what the parse-and-shape below would produce,
            # without building a tree -- the text itself, in a paragraph for block content
            if context == "block" and fragment.strip():
                etree.SubElement(parent, self.q("p")).text = fragment
            elif len(parent):
                parent[-1].tail = (parent[-1].tail or "") + fragment
            else:
                parent.text = (parent.text or "") + fragment
            return parent
        root = build_fragment(
            fragment,
            version=self.version,
            context=context,
            note_name=note_name,
            include_unpublished=self.include_unpublished,
        )
        namespaced(root, self.namespace, version=self.version)
        if root.text:
            if len(parent):
                parent[-1].tail = (parent[-1].tail or "") + root.text
            else:
                parent.text = (parent.text or "") + root.text
        for child in list(root):
            parent.append(child)
        return parent

    def heading_attributes(self, unit: Unit, key: str) -> list[tuple[str, str]]:
        """The attributes the heading ``key`` of ``unit`` had ("dsc", "did"...)."""
        if not unit.heading_attributes:
            return []
        return self.attrs(dict(unit.heading_attributes).get(key, ()))

    def leave_out(self, what: str, why: str) -> None:
        """Record that ``what`` is not written because ``why`` (the schema refuses it).

        The data stays in the records (and the database); a staff export says what was left
        out in an XML comment, a public export just stays valid.
        """
        if self.include_unpublished:
            self.left_out.append(f"{what}: {why}")

    def flush_left_out(self, xf: Serializer) -> None:
        """Write the pending :meth:`leave_out` notes as one XML comment."""
        if not self.left_out:
            return
        notes = "; ".join(self.left_out)
        self.left_out = []
        # a comment may not hold "--" nor end with "-"
        text = re.sub(r"-(?=-)", "- ", f"Not exported, kept in Fonds: {notes}.")
        xf.emit(f"<!-- {text} -->".encode())

    def allowed_attributes(self, name: str, attrs: dict[str, str]) -> dict[str, str]:
        """``attrs`` of element ``name`` less those its schema lacks or whose value it
        refuses (a repaired value replaces the original); each one left out is recorded."""
        spec = self.model.type_of(name)
        if spec is None:
            return attrs
        allowed = spec["attrs"]
        out = {}
        for key, value in attrs.items():
            if key.startswith("{"):
                uri, local = key[1:].split("}", 1)
                prefix = {v: k for k, v in self.nsmap.items()}.get(uri)
                if prefix == "xsi":  # schemaLocation: the writer's own
                    out[key] = value
                    continue
                spelled = f"{prefix}:{local}" if prefix else local
            else:
                spelled = key
            spec_value = allowed.get(spelled)
            fixed = None if spec_value is None else self.model.fix_value(spec_value, value)
            if fixed is None:
                why = (
                    f"EAD {self.version} has no such attribute on <{name}>"
                    if spec_value is None
                    else f"EAD {self.version} does not accept this value"
                )
                self.leave_out(f'attribute {spelled}="{value}" of <{name}>', why)
                continue
            out[key] = fixed
        return out

    def give_back_attributes(
        self, header: Any, element_attributes: Sequence[tuple[str, Sequence[tuple[str, str]]]]
    ) -> None:
        """Give the header's elements the attributes their source counterparts had (by path
        and occurrence; see ``FindingAid.element_attributes``) where they lack them;
        ``conform`` then leaves out what the schema does not take."""
        if not element_attributes:
            return
        wanted = dict(element_attributes)
        counts: dict[str, int] = {}
        stack = [(child, "") for child in reversed(header)]
        while stack:
            node, parent = stack.pop()
            if not isinstance(node.tag, str):
                continue
            name = etree.QName(node).localname
            path = f"{parent}/{name}" if parent else name
            n = counts.get(path, 0)
            counts[path] = n + 1
            for key, value in wanted.get(f"{path}[{n}]", ()):
                if (
                    name == "titleproper"
                    and key in ("type", "localtype")
                    and value.casefold() == "filing"
                ):
                    continue  # says which title is the filing one: the writer's to say
                if key.startswith("xml:"):
                    key = f"{{{XML_NS}}}{key[4:]}"
                elif ":" in key or key.startswith("{"):
                    continue
                elif self.version == "2002" and key in XLINK_ATTRIBUTES and key != "entityref":
                    key = f"{{{XLINK_NS}}}{'type' if key == 'linktype' else key}"
                if key not in node.attrib and not (
                    key == "audience" and value == "internal" and self.include_unpublished is False
                ):
                    node.set(key, value)
            stack.extend((child, path) for child in reversed(node))

    def audience(self, published: bool) -> tuple[str, str | None]:
        return ("audience", None if published else "internal")

    def visible(self, published: bool) -> bool:
        return published or self.include_unpublished

    def link_target(self, href: str | None) -> str | None:
        """A digital object's ``href`` as written.

        Staff exports write it as stored.  Public exports leave out a URL that would run
        script or open an inline document when followed (``javascript:``, ``data:``...; see
        ``archive.links.is_script_url``), so our export cannot carry it into a site that
        links it; the object's title and description are still written (an EAD 2002
        ``<daoloc>``, whose href the schema requires, gets an empty one).
        """
        if href is None or self.include_unpublished or not is_script_url(href):
            return href
        return None

    def shown(self, fragment: str) -> str:
        """A fragment as this export may show it: elements marked internal left out of a
        public export (for fragments written as plain text, which ``fill`` does not see)."""
        return fragment if self.include_unpublished else without_internal(fragment)

    def identifier_attributes(self, attributes: Attributes) -> list[tuple[str, str | None]]:
        """A further identifier's attributes, its ``audience`` written in either version."""
        published = ("audience", "internal") not in attributes
        return [*self.attrs(attributes, drop={"audience"}), self.audience(published)]

    def extra_texts(self, extra: ExtraElement) -> list[tuple[str, bool]]:
        """The words of an extra element written as a note of this version, as
        ``(text, published)``: in a staff export, words marked internal inside a public
        element come as a second, internal note rather than in the public one."""
        if not self.visible(extra.published):
            return []
        public = self.extra_text(extra)
        out = [(public, extra.published)] if public else []
        if self.include_unpublished and extra.published:
            whole = " ".join(fragment_plain_text(extra.xml, separate=True).split())
            public_words = " ".join(
                fragment_plain_text(without_internal(extra.xml), separate=True).split()
            )
            if whole != public_words:
                out = [(public_words, True)] if public_words else []
                out.append((whole, False))
        return out

    def visible_attributes(self, attributes: Iterable[tuple[str, str]]) -> bool:
        """Whether an item whose flag is kept in its attributes (a further identifier,
        an old container) may be written: ``audience="internal"`` only in staff exports."""
        return self.include_unpublished or ("audience", "internal") not in attributes

    def extra_element(self, extra: ExtraElement) -> Any | None:
        """An unmapped element back in its place (same version) or converted to this one."""
        if not self.visible(extra.published):
            return None
        if extra.version == self.version:
            node = parse_fragment(extra.xml)[0]
            if not self.include_unpublished:
                drop_internal(node)
                for inner in node.iter():
                    if isinstance(inner.tag, str):
                        drop_script_links(inner)
            namespaced(node, self.namespace, version=self.version)
            return node
        # another version: through the neutral vocabulary into this one (elements this
        # version lacks are unwrapped; ``conform`` then fits the result to the schema)
        neutral = extra.xml
        if extra.version == "3":
            neutral = element_to_neutral(parse_fragment(extra.xml)[0], version="3")
        root = build_fragment(
            neutral,
            version=self.version,
            context="raw",
            include_unpublished=self.include_unpublished,
        )
        if len(root) != 1 or (root.text or "").strip() or (root[0].tail or "").strip():
            return None  # not one element any more: the caller keeps the words as text
        node = root[0]
        namespaced(node, self.namespace, version=self.version)
        return node

    def extra_text(self, extra: ExtraElement) -> str:
        xml = self.shown(extra.xml)
        return " ".join(fragment_plain_text(xml, separate=True).split())

    # -- stream ------------------------------------------------------------------------

    def write(self, records: Iterable[Record], out: Output) -> None:
        if isinstance(out, str | os.PathLike):
            with open(out, "wb") as fh:
                self._write(records, fh)
        else:
            self._write(records, out)

    def _write(self, records: Iterable[Record], out: IO[bytes]) -> None:
        walk = _Walk(Serializer(out, self.nsmap))
        walk.xf.declaration()
        write_component = self.write_component  # (once per component: the common case first)
        for record in records:
            if isinstance(record, Unit):
                if record.depth:
                    write_component(walk, record)
                else:
                    self.open_collection(walk, record)
            elif isinstance(record, FindingAid):
                self.write_header(walk, record)
            elif isinstance(record, UnitSupplement):
                self.write_supplement(walk, record)
        walk.close_components()
        if walk.dsc_open:
            walk.xf.end()
        if not walk.archdesc_open:
            raise ValueError("no collection-level Unit in the record stream")
        walk.xf.end()
        walk.xf.end()
        walk.xf.close()

    def write_header(self, walk: _Walk, record: FindingAid) -> None:
        """Open ``<ead>`` and write the header (and EAD 2002 front matter)."""
        self.header = record
        xf = walk.xf
        root = self.allowed_attributes("ead", self.root_attributes(record))
        xf.start(self.q("ead"), root, root=True)
        walk.root_open = True
        self.flush_left_out(xf)
        header = self.header_element(record)
        if record.source_version == self.version:
            self.give_back_attributes(header, record.element_attributes)
        xf.write(self.model.conform(header))
        for node in self.after_header(record):
            xf.write(self.model.conform(node))

    def open_collection(self, walk: _Walk, record: Unit) -> None:
        """Open ``<archdesc>`` and write the collection's own description."""
        if not walk.root_open:
            raise ValueError("a FindingAid record must come first")
        walk.collection = record
        walk.xf.start(self.q("archdesc"), self.unit_attributes(record))
        walk.archdesc_open = True
        self.write_body(walk.xf, "archdesc", self.unit_body(record))

    def write_component(self, walk: _Walk, record: Unit) -> None:
        """Open a component (closing those it does not belong to) and write its body; an
        unpublished one in a public export is left out with everything below it."""
        if walk.skip_below is not None and record.depth > walk.skip_below:
            return
        walk.skip_below = None
        if not self.visible(record.published):
            walk.skip_below = record.depth
            return
        xf = walk.xf
        if walk.dsc_open and record.new_component_list is not None and record.depth == 1:
            # a further component list of the collection (a second <dsc>)
            walk.close_components()
            xf.end()
            collection = walk.collection
            further = (
                dataclasses.replace(collection, component_list_attributes=record.new_component_list)
                if collection is not None
                else None
            )
            xf.start(self.q("dsc"), self.dsc_attributes(further))
        if not walk.dsc_open:
            xf.start(self.q("dsc"), self.dsc_attributes(walk.collection))
            walk.dsc_open = True
            self.write_body(xf, "dsc", self.dsc_head(walk.collection))
        stack = walk.stack
        while stack and stack[-1] >= record.depth:
            stack.pop()
            xf.end()
        name = self.component_name(record.depth)
        xf.start(self.q(name), self.unit_attributes(record))
        stack.append(record.depth)
        body = self.plain_body(record) if self.plain_units else None
        if body is None:
            self.write_body(xf, name, self.unit_body(record))
        else:
            xf.emit(body.encode())

    def write_supplement(self, walk: _Walk, record: UnitSupplement) -> None:
        """What comes after a unit's components: for the collection, once the component list
        is closed; for a component, only while it is still the open one."""
        if record.depth == 0:
            walk.close_components()
            if walk.dsc_open:
                walk.xf.end()
                walk.dsc_open = False
            elif walk.collection is not None and self.dsc_needed(walk.collection):
                self.write_empty_dsc(walk.xf, walk.collection)
            name = "archdesc"
        elif not walk.stack or walk.stack[-1] != record.depth:
            return
        else:
            name = self.component_name(record.depth)
        self.write_body(walk.xf, name, self.supplement_body(record))

    def write_body(self, xf: Serializer, parent: str, nodes: list[Any]) -> None:
        """Conform a unit's blocks together (placement and order) and write them."""
        if not nodes:
            return
        holder = etree.Element(self.q(parent))
        for node in nodes:
            holder.append(node)
        self.model.conform(holder)
        self.flush_left_out(xf)
        for node in holder:
            xf.write(node)

    def plain_body(self, unit: Unit) -> str | None:
        """A component's body as text when it holds only plain fields, else None.

        Most components of a large collection are files or items with ids, a title, dates
        and containers and nothing else; for them the text is made directly (see
        :meth:`plain`) instead of going through :meth:`unit_body`, ``conform`` and the
        serialiser. The result must be byte for byte what that path writes: the tree path
        is the reference, and the tests compare the two on every corpus file.
        """
        return None

    def after_header(self, header: FindingAid) -> list[Any]:
        """Elements between the header and ``<archdesc>`` (EAD 2002 ``<frontmatter>``)."""
        out = []
        for extra in header.extra:
            # another version's front matter has no place here; its words are in the
            # header notes (see header_element)
            if extra.where == "ead" and extra.version == self.version:
                node = self.extra_element(extra)
                if node is not None:
                    out.append(node)
        return out

    def dsc_needed(self, unit: Unit) -> bool:
        return bool(unit.component_list_attributes) or any(k == "dsc" for k, _ in unit.headings)

    def write_empty_dsc(self, xf: Serializer, unit: Unit) -> None:
        xf.start(self.q("dsc"), self.dsc_attributes(unit))
        self.write_body(xf, "dsc", self.dsc_head(unit))
        xf.end()

    # -- to implement per version --------------------------------------------------------

    def component_name(self, depth: int) -> str:
        numbered = self.header.numbered_components if self.header else False
        if numbered and depth <= 12:
            return f"c{depth:02d}"
        return "c"

    @abstractmethod
    def root_attributes(self, header: FindingAid) -> dict[str, str]: ...

    @abstractmethod
    def header_element(self, header: FindingAid) -> Any: ...

    @abstractmethod
    def unit_attributes(self, unit: Unit) -> dict[str, str]: ...

    @abstractmethod
    def unit_body(self, unit: Unit) -> list[Any]: ...

    @abstractmethod
    def supplement_body(self, supplement: UnitSupplement) -> list[Any]: ...

    @abstractmethod
    def dsc_attributes(self, unit: Unit | None) -> dict[str, str]: ...

    def attrs(self, attributes: Attributes, *, drop: Iterable[str] = ()) -> list[tuple[str, str]]:
        """Unmapped attributes as this version writes them (:meth:`attribute`): all of them
        from a source of this version, the portable ones from another."""
        if not attributes:
            return []
        dropped = set(drop)
        same = self.same
        out = []
        for key, value in attributes:
            if key in dropped or key.startswith("xml:"):
                continue
            if not same and key not in _PORTABLE:
                continue
            pair = self.attribute(key, value)
            if pair is not None:
                out.append(pair)
        return out

    def attribute(self, key: str, value: str) -> tuple[str, str] | None:
        """An unmapped attribute as this version writes it, or None when it cannot."""
        return key, value

    def dsc_head(self, unit: Unit | None) -> list[Any]:
        if unit is None:
            return []
        out = []
        for key, text in unit.headings:
            if key == "dsc":
                out.append(self.el("head", self.heading_attributes(unit, "dsc"), text))
                break
        for extra in unit.extra:
            if extra.where == "dsc":
                node = self.extra_element(extra)
                if node is None and self.visible(extra.published):
                    node = self.el("p", text=self.extra_text(extra))
                if node is not None:
                    out.append(node)
        return out


class _Walk:
    """Where one document walk stands: what is open, what is being left out."""

    def __init__(self, xf: Serializer) -> None:
        self.xf = xf
        self.stack: list[int] = []  # depths of open components
        self.skip_below: int | None = None  # depth of an unpublished component left out
        self.root_open = self.archdesc_open = self.dsc_open = False
        self.collection: Unit | None = None

    def close_components(self) -> None:
        while self.stack:
            self.stack.pop()
            self.xf.end()
