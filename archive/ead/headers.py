"""The parts of the header both EAD writers write alike: the title, edition and publication
statements of the file description, the header's notes, and the elements kept from the
source put back in place.

:class:`HeaderLayout` is the first step from the document walk (``archive.ead.writing``)
towards the two versions; ``archive.ead.layout.UnitLayout`` builds on it with the units.
Each version's header element (``<eadheader>``, ``<control>``) is its own and calls these.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .records import ExtraElement, FindingAid
from .writing import StreamWriter, valid_normal

# Attributes of the header element both versions take from a source header.
HEADER_ATTRIBUTES = frozenset(
    {
        "id",
        "altrender",
        "audience",
        "langencoding",
        "scriptencoding",
        "dateencoding",
        "countryencoding",
        "repositoryencoding",
        "relatedencoding",
        "encodinganalog",
    }
)
TITLE_ORDER = ["titleproper", "subtitle", "author", "sponsor"]
FILEDESC_ORDER = ["titlestmt", "editionstmt", "publicationstmt", "seriesstmt", "notestmt"]


class HeaderLayout(StreamWriter):
    """File-description statements and kept elements, as both versions write them."""

    # The attribute that marks the filing title.
    filing_attribute = "type"

    # -- header parts --------------------------------------------------------------------

    def group_extras(self, extras: Iterable[ExtraElement]) -> dict[str, list[ExtraElement]]:
        out: dict[str, list[ExtraElement]] = {}
        for extra in extras:
            out.setdefault(extra.where, []).append(extra)
        return out

    def put_extras(self, parent: Any, extras: list[ExtraElement], order: list[str] | None) -> None:
        for extra in extras:
            node = self.extra_element(extra)
            if node is None:
                if self.visible(extra.published) and self.extra_text(extra):
                    node = self.el("p", text=self.extra_text(extra))
                else:
                    continue
            parent.append(node)
        if order:
            self.reorder(parent, order)

    def reorder(self, parent: Any, order: list[str]) -> None:
        rank = {self.q(name): i for i, name in enumerate(order)}
        children = list(parent)
        children.sort(key=lambda c: rank.get(c.tag, len(order)))
        for child in children:
            parent.append(child)

    def title_statement(
        self, filedesc: Any, h: FindingAid, extras: list[ExtraElement], *, kept_first: bool
    ) -> None:
        """``<titlestmt>``: the titles, subtitle, author and sponsor, with the elements kept
        from the source. ``kept_first``: an author or sponsor among those stands instead of
        the record's own (EAD 2002's rule), else both are written."""
        stmt = self.el("titlestmt", parent=filedesc)
        self.fill(self.el("titleproper", parent=stmt), h.title or h.title_text, context="phrase")
        if h.filing_title:
            self.el("titleproper", [(self.filing_attribute, "filing")], h.filing_title, parent=stmt)
        self.put_extras(stmt, extras, order=None)
        if h.subtitle:
            self.fill(self.el("subtitle", parent=stmt), h.subtitle, context="phrase")
        for name, value in (("author", h.author), ("sponsor", h.sponsor)):
            if value and not (kept_first and stmt.findall(self.q(name))):
                self.fill(self.el(name, parent=stmt), value, context="phrase")
        self.reorder(stmt, TITLE_ORDER)

    def edition_statement(
        self, filedesc: Any, h: FindingAid, extras: list[ExtraElement], order: list[str] | None
    ) -> None:
        # (an edition present but empty in the file is written so, with its attributes)
        if h.edition is None and not extras:
            return
        stmt = self.el("editionstmt", parent=filedesc)
        if h.edition is not None:
            self.fill(self.el("edition", parent=stmt), h.edition, context="phrase")
        self.put_extras(stmt, extras, order=order)

    def publication_statement(
        self, filedesc: Any, h: FindingAid, extras: list[ExtraElement]
    ) -> None:
        if not (h.publisher or h.publication_date is not None or h.publication_address or extras):
            return
        stmt = self.el("publicationstmt", parent=filedesc)
        if h.publisher:
            self.publisher(stmt, h)
        if h.publication_date is not None:
            self.el(
                "date",
                [("normal", valid_normal(h.publication_date_normal))],
                h.publication_date or None,
                parent=stmt,
            )
        if h.publication_address:
            self.address(stmt, h)
        self.put_extras(stmt, extras, order=None)

    def publisher(self, stmt: Any, h: FindingAid) -> None:
        node = self.el("publisher", parent=stmt)
        if h.publisher_markup:
            self.fill(node, h.publisher_markup, context="phrase")
        else:
            node.text = h.publisher

    def address(self, stmt: Any, h: FindingAid) -> None:
        """The publication address, line by line (with the lines' markup when they had any)."""
        address = self.el("address", parent=stmt)
        markup = h.publication_address_markup
        for i, line in enumerate(h.publication_address):
            node = self.el("addressline", parent=address)
            if i < len(markup):
                self.fill(node, markup[i], context="phrase")
            else:
                node.text = line or None

    def note_list(self, parent: Any, name: str, notes: list[tuple[str, bool]]) -> None:
        """Header notes ``(text, published)`` as ``<name><p>`` in the ``<notestmt>``."""
        stmt = parent.find(self.q("notestmt"))
        if stmt is None:
            stmt = self.el("notestmt", parent=parent)
        for text, published in notes:
            note = self.el(name, [self.audience(published)], parent=stmt)
            self.el("p", text=text, parent=note)
