"""Shared streaming core of the EAD 2002 and EAD3 writers.

The record stream (see ``archive.ead.records``) is written with ``lxml.etree.xmlfile``: the
root, ``<archdesc>``, ``<dsc>`` and each open ``<c>`` are incremental elements; everything
else of a unit is built as a small tree and written at once, so memory stays flat whatever
the number of components.  Components are opened and closed by ``depth``.

Public/staff output: with ``include_unpublished=False`` an unpublished component is omitted
with everything below it, and unpublished notes, names, digital objects and inline elements are
left out; with ``include_unpublished=True`` they are written with ``audience="internal"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import IO, Any

from lxml import etree

from .markup import build_fragment, fragment_plain_text, namespaced, parse_fragment
from .records import ExtraElement, FindingAid, Record, Unit, UnitSupplement

Output = str | IO[bytes]

_NORMAL_DATE = re.compile(r"^(-?\d{4}(-\d{2}(-\d{2})?)?)(/(-?\d{4}(-\d{2}(-\d{2})?)?))?$")


def valid_normal(value: str | None) -> str | None:
    """A @normal date value both schemas accept, else None (the text is kept anyway)."""
    if value and _NORMAL_DATE.match(value):
        return value
    return None


class StreamWriter:
    """Template for one EAD version; subclasses build the version's elements."""

    version = "2002"
    namespace = ""
    nsmap: dict[str | None, str] = {}

    def __init__(self, *, include_unpublished: bool = False) -> None:
        self.include_unpublished = include_unpublished
        self.header: FindingAid | None = None

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
        clean = {k: v for k, v in attrs if v is not None}
        if parent is None:
            node = etree.Element(self.q(name), clean, nsmap=self.nsmap)
        else:
            node = etree.SubElement(parent, self.q(name), clean)
        if text:
            node.text = text
        return node

    def fill(
        self, parent: Any, fragment: str, *, context: str = "block", note_name: str | None = None
    ) -> Any:
        """Append a neutral fragment's content to ``parent`` in this version's vocabulary."""
        if not fragment:
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

    def audience(self, published: bool) -> tuple[str, str | None]:
        return ("audience", None if published else "internal")

    def visible(self, published: bool) -> bool:
        return published or self.include_unpublished

    def extra_element(self, extra: ExtraElement) -> Any | None:
        """An unmapped element back in its place (same version) or converted to this one."""
        if not self.visible(extra.published):
            return None
        if extra.version == self.version:
            node = parse_fragment(extra.xml)[0]
            namespaced(node, self.namespace, version=self.version)
            return node
        return None  # cross-version: the caller keeps the words with extra_text()

    @staticmethod
    def extra_text(extra: ExtraElement) -> str:
        return " ".join(fragment_plain_text(extra.xml).split())

    # -- stream ------------------------------------------------------------------------

    def write(self, records: Iterable[Record], out: Output) -> None:
        with etree.xmlfile(out, encoding="utf-8") as xf:
            xf.write_declaration()
            stack: list[tuple[int, Any]] = []  # (depth, context manager) of open elements
            skip_below: int | None = None
            archdesc_cm = None
            dsc_cm = None
            root_cm = None
            collection: Unit | None = None
            for record in records:
                if isinstance(record, FindingAid):
                    self.header = record
                    root_cm = xf.element(
                        self.q("ead"), self.root_attributes(record), nsmap=self.nsmap
                    )
                    root_cm.__enter__()
                    xf.write(self.header_element(record))
                    for node in self.after_header(record):
                        xf.write(node)
                elif isinstance(record, Unit) and record.depth == 0:
                    if root_cm is None:
                        raise ValueError("a FindingAid record must come first")
                    collection = record
                    archdesc_cm = xf.element(self.q("archdesc"), self.unit_attributes(record))
                    archdesc_cm.__enter__()
                    for node in self.unit_body(record):
                        xf.write(node)
                elif isinstance(record, Unit):
                    if skip_below is not None and record.depth > skip_below:
                        continue
                    skip_below = None
                    if not self.visible(record.published):
                        skip_below = record.depth
                        # close siblings/deeper ones before skipping
                        while stack and stack[-1][0] >= record.depth:
                            stack.pop()[1].__exit__(None, None, None)
                        continue
                    if dsc_cm is None:
                        dsc_cm = xf.element(self.q("dsc"), self.dsc_attributes(collection))
                        dsc_cm.__enter__()
                        for node in self.dsc_head(collection):
                            xf.write(node)
                    while stack and stack[-1][0] >= record.depth:
                        stack.pop()[1].__exit__(None, None, None)
                    name = self.component_name(record.depth)
                    cm = xf.element(self.q(name), self.unit_attributes(record))
                    cm.__enter__()
                    stack.append((record.depth, cm))
                    for node in self.unit_body(record):
                        xf.write(node)
                elif isinstance(record, UnitSupplement):
                    if record.depth == 0:
                        while stack:
                            stack.pop()[1].__exit__(None, None, None)
                        if dsc_cm is not None:
                            dsc_cm.__exit__(None, None, None)
                            dsc_cm = None
                        elif collection is not None and self.dsc_needed(collection):
                            self.write_empty_dsc(xf, collection)
                    elif not stack or stack[-1][0] != record.depth:
                        continue
                    for node in self.supplement_body(record):
                        xf.write(node)
            while stack:
                stack.pop()[1].__exit__(None, None, None)
            if dsc_cm is not None:
                dsc_cm.__exit__(None, None, None)
            if archdesc_cm is None:
                raise ValueError("no collection-level Unit in the record stream")
            archdesc_cm.__exit__(None, None, None)
            assert root_cm is not None
            root_cm.__exit__(None, None, None)

    def after_header(self, header: FindingAid) -> list[Any]:
        """Elements between the header and ``<archdesc>`` (EAD 2002 ``<frontmatter>``)."""
        out = []
        for extra in header.extra:
            if extra.where == "ead":
                node = self.extra_element(extra)
                if node is not None:
                    out.append(node)
        return out

    def dsc_needed(self, unit: Unit) -> bool:
        return bool(unit.component_list_attributes) or any(k == "dsc" for k, _ in unit.headings)

    def write_empty_dsc(self, xf: Any, unit: Unit) -> None:
        with xf.element(self.q("dsc"), self.dsc_attributes(unit)):
            for node in self.dsc_head(unit):
                xf.write(node)

    # -- to implement per version --------------------------------------------------------

    def component_name(self, depth: int) -> str:
        numbered = self.header.numbered_components if self.header else False
        if numbered and depth <= 12:
            return f"c{depth:02d}"
        return "c"

    def root_attributes(self, header: FindingAid) -> dict[str, str]:
        raise NotImplementedError

    def header_element(self, header: FindingAid) -> Any:
        raise NotImplementedError

    def unit_attributes(self, unit: Unit) -> dict[str, str]:
        raise NotImplementedError

    def unit_body(self, unit: Unit) -> list[Any]:
        raise NotImplementedError

    def supplement_body(self, supplement: UnitSupplement) -> list[Any]:
        raise NotImplementedError

    def dsc_attributes(self, unit: Unit | None) -> dict[str, str]:
        raise NotImplementedError

    def dsc_head(self, unit: Unit | None) -> list[Any]:
        if unit is None:
            return []
        out = []
        for key, text in unit.headings:
            if key == "dsc":
                out.append(self.el("head", text=text))
                break
        for extra in unit.extra:
            if extra.where == "dsc":
                node = self.extra_element(extra)
                if node is None and self.visible(extra.published):
                    node = self.el("p", text=self.extra_text(extra))
                if node is not None:
                    out.append(node)
        return out
