"""Incremental XML output for the EAD writers (see ``archive.ead.writing``).

lxml's own ``xmlfile`` repeats namespace declarations on every element written into an open
one; :class:`Serializer` declares them once, on the root, and writes the start tags it has
seen before from a small cache (a collection repeats the same few ``<c level="file">``).
"""

from __future__ import annotations

import re
from typing import IO, Any

from lxml import etree

_NAME = re.compile(r"[^\W\d][\w.\-]*(:[^\W\d][\w.\-]*)?")
_ATTRIBUTE_ESCAPE = re.compile('[&<>"\n\r\t]')
# Characters XML 1.0 refuses in an attribute value: lxml raises on them.
ATTRIBUTE_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def attribute_text(value: str) -> str:
    """An attribute value escaped as lxml writes it (checked for refused characters before)."""
    if _ATTRIBUTE_ESCAPE.search(value) is None:
        return value
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


# What ``Serializer.names`` gives for a name not looked at yet (no XML name holds a NUL).
_UNSEEN = "\x00"


class Serializer:
    """Incremental XML output that declares the namespaces once, on the root element.

    ``lxml.etree.xmlfile`` repeats the namespace declarations on every element written into
    an open element; here each written subtree is serialised by lxml and its redundant
    declarations (the very ones the root already made) are taken off its start tag.
    """

    def __init__(self, out: IO[bytes], nsmap: dict[str | None, str]) -> None:
        self.out = out
        self.nsmap = nsmap
        self.open: list[bytes] = []
        self.chunks: list[bytes] = []
        self.size = 0
        declared = []
        for prefix, uri in nsmap.items():
            attr = "xmlns" if prefix is None else f"xmlns:{prefix}"
            declared.append(f' {attr}="{uri}"'.encode())
        self.declared = tuple(declared)
        self.scratch = etree.Element("scratch", nsmap=nsmap)
        self.prefixes: dict[str, str | None] = {uri: prefix for prefix, uri in nsmap.items()}
        self.names: dict[str, str | None] = {}  # Clark name -> name as written (None: lxml)
        self.tags: dict[Any, tuple[bytes, bytes]] = {}  # (tag, *attributes) -> start, end tag

    def emit(self, data: bytes) -> None:
        self.chunks.append(data)
        self.size += len(data)
        if self.size > 1 << 16:
            self.out.write(b"".join(self.chunks))
            self.chunks = []
            self.size = 0

    def declaration(self) -> None:
        self.emit(b"<?xml version='1.0' encoding='UTF-8'?>\n")

    def _strip(self, data: bytes) -> bytes:
        end = data.index(b">")
        head = data[:end]
        for decl in self.declared:
            head = head.replace(decl, b"")
        return head + data[end:]

    def _start_tag(self, tag: str, attrs: dict[str, str] | None) -> bytes | None:
        """``<name attr="value"...>`` built directly (what lxml would write), or None when
        something needs lxml's judgement (an unknown namespace, characters to refuse)."""
        names = self.names
        name = names.get(tag, _UNSEEN)
        if name is _UNSEEN:
            name = self._qualified(tag)
            if name is not None and _NAME.fullmatch(name) is None:
                name = None
            if len(names) < 4096:  # tag and attribute names: a small vocabulary
                names[tag] = name
        if name is None:
            return None
        parts = [name]
        if attrs:
            for key, value in attrs.items():
                key_name = names.get(" " + key, _UNSEEN)  # (attribute: other rules)
                if key_name is _UNSEEN:
                    key_name = self._qualified(key, attribute=True)
                    if key_name is not None and _NAME.fullmatch(key_name) is None:
                        key_name = None
                    if len(names) < 4096:
                        names[" " + key] = key_name
                if key_name is None or ATTRIBUTE_UNSAFE.search(value) is not None:
                    return None
                parts.append(f'{key_name}="{attribute_text(value)}"')
        return ("<" + " ".join(parts) + ">").encode()

    def _qualified(self, tag: str, *, attribute: bool = False) -> str | None:
        if not tag.startswith("{"):
            return tag
        uri, local = tag[1:].split("}", 1)
        prefix = self.prefixes.get(uri, False)
        if prefix is False or (attribute and prefix is None):
            return None
        return local if prefix is None else f"{prefix}:{local}"

    def start(self, tag: str, attrs: dict[str, str] | None = None, *, root: bool = False) -> None:
        if not root:
            key = (tag, *attrs.items()) if attrs else tag
            tags = self.tags.get(key)
            if tags is None:
                built = self._start_tag(tag, attrs)
                if built is not None:
                    end = built.find(b" ")
                    tags = (built, b"</" + built[1 : end if end > 0 else -1] + b">")
                    if len(self.tags) >= 4096:  # <c level="file">... : a small vocabulary
                        self.tags.clear()
                    self.tags[key] = tags
            if tags is not None:
                self.emit(tags[0])
                self.open.append(tags[1])
                return
        node = etree.SubElement(self.scratch, tag, attrs or {})
        data = etree.tostring(node, encoding="utf-8")
        self.scratch.remove(node)
        if not root:
            data = self._strip(data)
        # ``<name .../>`` -> ``<name ...>``; remember the end tag
        match = re.match(rb"<([^\s/>]+)", data)
        assert match is not None
        name = match.group(1)
        self.emit(data[:-2] + b">")
        self.open.append(b"</" + name + b">")

    def end(self) -> None:
        self.emit(self.open.pop())

    def write(self, node: Any) -> None:
        if node.getparent() is not None:
            node.getparent().remove(node)
        self.scratch.append(node)
        data = etree.tostring(node, encoding="utf-8", with_tail=False)
        self.scratch.remove(node)
        self.emit(self._strip(data))

    def close(self) -> None:
        if self.chunks:
            self.out.write(b"".join(self.chunks))
        self.chunks = []
