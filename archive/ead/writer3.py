"""EAD3 writer (namespace ``http://ead3.archivists.org/schema/``, validates against ead3.xsd).

A sibling of the EAD 2002 writer: both take the document walk and the unit layout from
``archive.ead.layout.UnitLayout``; this one fills in what EAD3 spells its own way:
``<control>`` instead of ``<eadheader>``, names as ``<part>``s, ``localtype``/``relator``/
``identifier`` attributes, structured extents, ``didnote``, ``daoset`` and the required
maintenance elements (synthesised deterministically from the records when a 2002 source has
none: no clock is read, so the same records give the same bytes).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .control import ControlLayout
from .layout import UnitLayout
from .markup import build_fragment, fragment_plain_text, namespaced, parse_fragment
from .parsing import EAD3_NS
from .records import (
    AgentLink,
    Date,
    DigitalObject,
    Extent,
    ExtraElement,
    FindingAid,
    Language,
    Note,
    Record,
    Unit,
)
from .writing import Output, is_plain_text

_RENAME = {"type": "localtype", "authfilenumber": "identifier", "role": "relator"}
# access points whose words go in a <part>, and whose authority attributes EAD3 renames
_TERMS = ("subject", "geogname", "genreform", "occupation", "function", "title")
_DAO_TYPES = ("borndigital", "derived", "unknown", "otherdaotype")
_DAO_SHOW = ("new", "replace", "embed", "other", "none")


def write_ead3(
    records: Iterable[Record], out: Output, *, include_unpublished: bool = False
) -> None:
    """Write the record stream as EAD3 to a path or binary file object."""
    Writer3(include_unpublished=include_unpublished).write(records, out)


class Writer3(ControlLayout, UnitLayout):
    """EAD3: the shared layout with EAD3's names (its tables below), ``<control>``
    (``ControlLayout``), structured dates and extents, language sets, ``<daoset>``."""

    version = "3"
    namespace = EAD3_NS
    nsmap = {None: EAD3_NS}

    same_without_header = False
    title_required = False
    phrase_notes = frozenset({"abstract", "physloc", "materialspec", "langmaterial", "did_note"})
    note_names = {"note": "odd", "did_note": "didnote"}
    date_type_attribute = "unitdatetype"
    container_type_attribute = "localtype"
    barcode_attribute = "containerid"
    filing_attribute = "localtype"
    authority_attribute = "identifier"
    relator_attribute = "relator"
    dropped_unit_attributes = frozenset({"type", "tpattern"})
    structured_dates = True
    subject_parts = True
    did_texts_first = True

    def root_attributes(self, header: FindingAid) -> dict[str, str]:
        # all of them: the writer keeps those the schema takes and says which it left out
        # (xsi:schemaLocation names the source's schema: EAD3 output names none)
        return {k: v for k, v in header.root_attributes if k != "schemaLocation"}

    # -- units ---------------------------------------------------------------------------

    def dsc_attributes(self, unit: Unit | None) -> dict[str, str]:
        if unit is None:
            return {}
        a = dict(unit.component_list_attributes)
        out = {}
        value = a.get("dsctype") or a.get("type")
        if value in ("analyticover", "combined", "in-depth", "otherdsctype"):
            out["dsctype"] = value
        for k in ("id", "altrender", "audience", "encodinganalog"):
            if k in a:
                out[k] = a[k]
        if a.get("otherdsctype"):
            out["otherdsctype"] = a["otherdsctype"]
        return out

    def note_attributes(self, note: Note) -> list[tuple[str, str]]:
        return [
            (_RENAME.get(k, k), v)
            for k, v in self.attrs(note.attributes)
            if k not in ("type",) or self.same
        ]

    def date(self, did: Any, date: Date) -> None:
        if date.structured:
            did.append(self.structured_date(date))
        else:
            self.unitdate(did, date)

    def extents(self, did: Any, unit: Unit) -> None:
        """Each extent as read from EAD3, else structured when it has a number and a unit
        type, else as a statement; those read from one ``<physdescset>`` in one again."""
        current_set = None  # the <physdescset> being filled, for extents read from one
        for extent in unit.extents:
            if not self.visible(extent.published):
                continue
            if self.same and extent.structured:
                node = self.structured_extent(extent)
                did.append(node)
            elif extent.number and extent.extent_type and _is_number(extent.number):
                node = self.quantity(did, extent)
            else:
                current_set = None
                self.extent_statement(did, extent)
                continue
            if ("set", "1") in extent.attributes:
                if current_set is None or extent.set_attributes:
                    current_set = self.el(
                        "physdescset", self.attrs(extent.set_attributes), parent=did
                    )
                current_set.append(node)
            else:
                current_set = None
        for node in did.findall(self.q("physdescset")):
            if len(node) < 2:  # a set holds two statements or more
                for child in list(node):
                    node.addprevious(child)
                did.remove(node)

    def quantity(self, did: Any, extent: Extent) -> Any:
        """An extent with a number and a unit type as ``<physdescstructured>``."""
        # the source's own attributes (type, label...) where it had them
        kept = dict(self.attrs(extent.attributes, drop={"set", "audience"}))
        node = self.el(
            "physdescstructured",
            [
                ("coverage", extent.portion if extent.portion in ("whole", "part") else "whole"),
                ("physdescstructuredtype", kept.pop("physdescstructuredtype", "spaceoccupied")),
                self.audience(extent.published),
                *kept.items(),
            ],
            parent=did,
        )
        self.el("quantity", text=extent.number, parent=node)
        self.el("unittype", text=extent.extent_type, parent=node)
        for label, value in (
            ("physfacet", extent.physical_details),
            ("dimensions", extent.dimensions),
        ):
            if value:
                self.el(label, text=value, parent=node)
        # the words of a mixed statement around its parts ("2 boxes and some loose
        # photographs") go in the note too
        summary = " ".join(x for x in (extent.container_summary, _words_around_parts(extent)) if x)
        if summary:
            desc = self.el("descriptivenote", parent=node)
            self.el("p", text=summary, parent=desc)
        return node

    def extent_statement(self, did: Any, extent: Extent) -> None:
        """An extent as a ``<physdesc>`` statement: as read from EAD3, else its words."""
        node = self.el(
            "physdesc",
            [self.audience(extent.published), *self.attrs(extent.attributes)],
            parent=did,
        )
        if self.same and extent.content:
            # as read from EAD3: its words and inline markup
            self.fill(node, extent.content, context="phrase")
            return
        text = (
            fragment_plain_text(extent.content, separate=True)
            if extent.content
            else " ".join(
                x
                for x in (
                    extent.number,
                    extent.extent_type,
                    extent.container_summary,
                    extent.physical_details,
                    extent.dimensions,
                )
                if x
            )
        )
        node.text = " ".join(text.split()) or None

    def languages(self, did: Any, unit: Unit, notes: list[Note]) -> None:
        """Each statement with its own languages, as read from EAD3; else public languages
        and statements in one langmaterial, internal ones in another."""
        lm_notes = [n for n in notes if n.note_type == "langmaterial"]
        if self.statements(did, unit, lm_notes):
            return
        for published in (True, False):
            if not self.visible(published):
                continue
            languages = [lang for lang in unit.languages if lang.published == published]
            statements = [n for n in lm_notes if n.published == published]
            if languages or statements:
                self.langmaterial(did, languages, statements, published)

    def did_note(self, did: Any, unit: Unit, note: Note) -> None:
        if note.note_type == "langmaterial":
            return  # (written by languages)
        if note.note_type in ("physfacet", "dimensions"):
            self.el(
                "physdesc",
                text=" ".join(fragment_plain_text(note.content, separate=True).split()),
                parent=did,
            )
            return
        super().did_note(did, unit, note)

    def did_extra_element(self, extra: ExtraElement) -> Any | None:
        # an origination the reader kept whole (text around or between the names): EAD3
        # allows only names in it, and names read back as agents, so its words go into a
        # didnote instead
        node = None if _kept_origination(extra, self.version) else self.extra_element(extra)
        if node is not None and self.nameless_repository(node):
            # EAD3 requires a name in <repository> (EAD 2002 does not): its words go into a
            # didnote like those of other elements EAD3 has no place for
            self.leave_out(
                "<repository> of a unit's identification",
                "EAD3 requires a name in it and this one has none; its words are in a <didnote>",
            )
            return None
        return node

    def did_text_note(self, did: Any, text: str, published: bool) -> None:
        # words of extras that have no place in EAD3 go in didnotes right after the notes,
        # where the didnotes read back from them will be written again
        self.el("didnote", [self.audience(published)], text, parent=did)

    def structured_extent(self, extent: Extent) -> Any:
        """The ``<physdescstructured>`` an extent was read from, marked as it is published
        now (its inline markup without what is internal in a public export)."""
        node = build_fragment(
            extent.structured,
            version=self.version,
            context="raw",
            include_unpublished=self.include_unpublished,
        )[0]
        return self.marked(node, extent.published)

    def marked(self, node: Any, published: bool) -> Any:
        """A structured element read from EAD3 in this namespace, its ``audience`` saying
        whether it is published now (whatever the file said)."""
        namespaced(node, self.namespace, version=self.version)
        if not published:
            node.set("audience", "internal")
        elif node.get("audience") == "internal":
            del node.attrib["audience"]
        return node

    def nameless_repository(self, node: Any) -> bool:
        """Whether ``node`` is a ``<repository>`` without the name EAD3 requires in it."""
        if node.tag != self.q("repository"):
            return False
        self.model.conform(node)  # text of its own goes into a name (<corpname><part>)
        names = {self.q(n) for n in ("corpname", "famname", "name", "persname")}
        return not any(child.tag in names for child in node)

    def structured_date(self, date: Date) -> Any:
        """The ``<unitdatestructured>`` a date was read from, marked as it is published now."""
        node = parse_fragment(date.structured)[0]
        return self.marked(node, date.published)

    def statements(self, did: Any, unit: Unit, notes: list[Note]) -> bool:
        """Write each langmaterial statement read from EAD3 as it was, with its own
        languages and description; False (nothing written) when a language does not say
        which statement it belongs to, or that one is not here."""
        if not self.same or not notes:
            return False
        places = {n.position for n in notes}
        if any(lang.statement not in places for lang in unit.languages):
            return False
        for note in notes:
            if not self.visible(note.published):
                continue
            languages = [
                lang
                for lang in unit.languages
                if lang.statement == note.position and self.visible(lang.published)
            ]
            lm = self.langmaterial(did, languages, [note], note.published, description=False)
            if note.ref:
                lm.set("id", note.ref)
            if note.content:
                self.fill(self.el("descriptivenote", parent=lm), note.content)
        return True

    def langmaterial(
        self,
        did: Any,
        languages: list[Language],
        statements: list[Note],
        published: bool,
        *,
        description: bool = True,
    ) -> Any:
        lm = self.el(
            "langmaterial",
            # (the statement's own attributes: label, encodinganalog...)
            [
                self.audience(published),
                *(self.attrs(statements[0].attributes) if statements else []),
            ],
            parent=did,
        )
        for lang in languages:
            code = lang.code or "und"
            kept = self.attrs(lang.attributes)
            if lang.script:
                ls = self.el("languageset", parent=lm)
                self.el("language", [("langcode", code), *kept], lang.name or None, parent=ls)
                self.el(
                    "script", [("scriptcode", lang.script)], lang.script_name or None, parent=ls
                )
            else:
                self.el("language", [("langcode", code), *kept], lang.name or None, parent=lm)
        if not languages:
            self.el("language", [("langcode", "und")], parent=lm)
        if not description:
            return lm
        rest = " ".join(fragment_plain_text(self.shown(n.content)) for n in statements)
        names = " ".join(lang.name for lang in languages)
        if " ".join(rest.split()) and " ".join(rest.split()) != " ".join(names.split()):
            desc = self.el("descriptivenote", parent=lm)
            self.el("p", text=" ".join(rest.split()), parent=desc)
        return lm

    # -- names and access points ---------------------------------------------------------

    def source_value(self, source: str | None) -> str | None:
        return _token(source)

    def name_words(self, node: Any, agent: AgentLink) -> None:
        """A name as its ``<part>``s (EAD3 has no text directly in a name)."""
        parts = agent.name_parts or (("", agent.name),)
        for localtype, text in parts:
            self.el("part", [("localtype", localtype or None)], text or None, parent=node)

    def finish_controlaccess(self, ca: Any) -> None:
        """Terms' words in a ``<part>`` and their authority attributes as EAD3 names them,
        for the access points written here and those kept from the source alike."""
        terms = {self.q(n) for n in _TERMS}
        for child in ca.iter():
            if child.tag not in terms:
                continue
            if len(child) == 0:
                text, child.text = child.text, None
                self.el("part", text=text, parent=child)
            for key in ("authfilenumber", "source"):
                if key in child.attrib:
                    value = child.attrib.pop(key)
                    child.set(
                        "identifier" if key == "authfilenumber" else "source",
                        _token(value) or value,
                    )
        # (EAD3 allows <p> in controlaccess, so introductory text stays a paragraph: turning
        # it into a <subject> would make it an access point on the next import)

    # -- digital objects -----------------------------------------------------------------

    def dao(self, obj: DigitalObject) -> Any:
        actuate = {"onload": "onload", "onrequest": "onrequest"}.get(
            (obj.actuate or "").casefold(), obj.actuate if self.same else None
        )
        node = self.el(
            "dao",
            [
                ("daotype", obj.object_type if obj.object_type in _DAO_TYPES else "unknown"),
                ("href", self.link_target(obj.href)),
                ("linkrole", obj.role),
                ("linktitle", obj.title),
                ("show", obj.show if obj.show in _DAO_SHOW else None),
                ("actuate", actuate),
                self.audience(obj.published),
                # (its other attributes; ``conform`` leaves out what EAD3 does not take)
                *self.attrs(obj.extra),
            ],
        )
        if obj.description:
            self.fill(self.el("descriptivenote", parent=node), obj.description)
        return node

    def dao_group(self, obj: DigitalObject) -> Any:
        return self.el("daoset", self.attrs(obj.group_attributes))

    def dao_member(self, group: Any, obj: DigitalObject) -> None:
        description = (obj.group_description or "") + _resource_words(obj.group_links)
        if description:
            # the set's own description follows its members
            desc = group.find(self.q("descriptivenote"))
            if desc is None:
                desc = self.el("descriptivenote", parent=group)
            self.fill(desc, description)
        group.append(self.dao(obj))

    def finish_dao_groups(self, out: list[Any]) -> list[Any]:
        """Each set's description after its members; a set of fewer than two members (which
        EAD3 refuses) becomes its member alone, with the set's words."""
        for i, node in enumerate(out):
            if node.tag != self.q("daoset"):
                continue
            daos = [c for c in node if c.tag == self.q("dao")]
            desc = node.find(self.q("descriptivenote"))
            if desc is not None:
                node.append(desc)  # after the members
            if len(daos) >= 2:
                continue
            single = daos[0] if daos else self.el("dao", [("daotype", "unknown")])
            if desc is not None:
                own = single.find(self.q("descriptivenote"))
                if own is None:
                    single.append(desc)
                else:
                    for child in list(desc):
                        own.append(child)
            out[i] = single
        return out


def _resource_words(links: tuple[str, ...]) -> str:
    """The words of an EAD 2002 extended link's ``<resource>``s as paragraphs (EAD3 has no
    such element: they join the set's description)."""
    out = []
    for xml in links:
        if xml.startswith("<resource"):
            words = " ".join(fragment_plain_text(xml).split())
            if words:
                escaped = words.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                out.append(f"<p>{escaped}</p>")
    return "".join(out)


_EXTENT_PARTS = ("extent", "dimensions", "physfacet")


def _words_around_parts(extent: Extent) -> str:
    """The text of an extent statement outside its extent, dimensions and physical facet
    elements (which the structured form writes as parts), or ""."""
    if not extent.content or is_plain_text(extent.content):
        return ""
    root = parse_fragment(extent.content)
    for node in list(root):
        if isinstance(node.tag, str) and node.tag in _EXTENT_PARTS:
            node.text = None
            for child in list(node):
                node.remove(child)
    return " ".join("".join(root.itertext()).split())


def _kept_origination(extra: ExtraElement, version: str) -> bool:
    return extra.version != version and extra.xml.startswith("<origination")


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _token(value: str | None) -> str | None:
    if value is None:
        return None
    token = "".join(value.split())
    return token or None
