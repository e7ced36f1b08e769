"""EAD3 writer (namespace ``http://ead3.archivists.org/schema/``, validates against ead3.xsd).

A sibling of the EAD 2002 writer: both take the document walk and the unit layout from
``archive.ead.layout.UnitLayout``; this one fills in what EAD3 spells its own way:
``<control>`` instead of ``<eadheader>``, names as ``<part>``s, ``localtype``/``relator``/
``identifier`` attributes, structured extents, ``didnote``, ``daoset`` and the required
maintenance elements (synthesised deterministically from the records when a 2002 source has
none: no clock is read, so the same records give the same bytes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .layout import FILEDESC_ORDER, HEADER_ATTRIBUTES, UnitLayout
from .markup import (
    build_fragment,
    fragment_plain_text,
    namespaced,
    parse_fragment,
    without_internal,
)
from .parsing import EAD3_NS
from .records import (
    AgentLink,
    Attributes,
    Date,
    DigitalObject,
    Extent,
    ExtraElement,
    FindingAid,
    Language,
    Note,
    Record,
    Revision,
    Unit,
)
from .writing import Output, is_plain_text, valid_normal

_CONTROL_ORDER = [
    "recordid",
    "otherrecordid",
    "representation",
    "filedesc",
    "maintenancestatus",
    "publicationstatus",
    "maintenanceagency",
    "languagedeclaration",
    "conventiondeclaration",
    "rightsdeclaration",
    "localtypedeclaration",
    "localcontrol",
    "maintenancehistory",
    "sources",
]
_CONTROL_ATTRIBUTES = HEADER_ATTRIBUTES | {"base", "lang", "script"}
# Extras of the control that the file description and maintenance agency take back in place
# (from an EAD3 source); the others' words become control notes.
_IN_PLACE = {
    "control",
    "titlestmt",
    "editionstmt",
    "publicationstmt",
    "filedesc",
    "maintenanceagency",
}
_FIRST_IN_CONTROL = ("otherrecordid", "representation")
_PORTABLE = {"altrender", "encodinganalog"}
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


class Writer3(UnitLayout):
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
    dropped_unit_attributes = frozenset({"type", "tpattern"})
    structured_dates = True
    subject_parts = True
    did_texts_first = True

    def attrs(self, attributes: Attributes, *, drop: Iterable[str] = ()) -> list[tuple[str, str]]:
        if not attributes:
            return []
        dropped = set(drop)
        out = []
        for key, value in attributes:
            if key in dropped or key.startswith("xml:"):
                continue
            if not self.same:
                if key not in _PORTABLE:
                    continue
            out.append((key, value))
        return out

    def root_attributes(self, header: FindingAid) -> dict[str, str]:
        # all of them: the writer keeps those the schema takes and says which it left out
        # (xsi:schemaLocation names the source's schema: EAD3 output names none)
        return {k: v for k, v in header.root_attributes if k != "schemaLocation"}

    # -- control -------------------------------------------------------------------------

    def header_element(self, h: FindingAid) -> Any:
        """``<control>``: record id, file description, maintenance status and agency,
        declarations, what an EAD3 source kept there, and the maintenance history."""
        attrs = [(k, v) for k, v in h.header_attributes if k in _CONTROL_ATTRIBUTES]
        control = self.el("control", attrs)
        id_attrs = [
            ("instanceurl" if k == "url" else k, v)
            for k, v in h.ead_id_attributes
            if k in ("url", "encodinganalog", "id", "altrender", "audience")
        ]
        self.el("recordid", id_attrs, h.ead_id or None, parent=control)
        extras = self.group_extras(h.extra)
        if self.same:
            self.kept_control(control, extras, first=True)
        self.filedesc(control, h, extras)
        agency = self.maintenance(control, h)
        self.declarations_in(control, h)
        if self.same:
            for extra in extras.get("maintenanceagency", []):
                node = self.extra_element(extra)
                if node is not None:
                    agency.append(node)
            self.reorder(agency, ["agencycode", "otheragencycode", "agencyname", "descriptivenote"])
            self.kept_control(control, extras, first=False)
        self.maintenance_history(control, h)
        self.reorder(control, _CONTROL_ORDER)
        return control

    def kept_control(
        self, control: Any, extras: dict[str, list[ExtraElement]], *, first: bool
    ) -> None:
        """The control's elements kept from an EAD3 source: ``first``, those that come
        before the file description (other record ids, representations), else the others."""
        names = {self.q(name) for name in _FIRST_IN_CONTROL}
        for extra in extras.get("control", []):
            node = self.extra_element(extra)
            if node is not None and (node.tag in names) == first:
                control.append(node)

    def filedesc(self, control: Any, h: FindingAid, extras: dict[str, list[ExtraElement]]) -> None:
        filedesc = self.el("filedesc", parent=control)
        kept = extras if self.same else {}
        self.title_statement(filedesc, h, kept.get("titlestmt", []), kept_first=False)
        self.edition_statement(filedesc, h, kept.get("editionstmt", []), None)
        self.publication_statement(filedesc, h, kept.get("publicationstmt", []))
        if self.same:
            self.put_extras(filedesc, extras.get("filedesc", []), order=None)
            self.reorder(filedesc, FILEDESC_ORDER)
        texts = self.control_notes(h, extras)
        if texts:
            self.note_list(
                filedesc,
                "controlnote",
                [(" ".join(text.split()), published) for text, published in texts if text.strip()],
            )

    def control_notes(
        self, h: FindingAid, extras: dict[str, list[ExtraElement]]
    ) -> list[tuple[str, bool]]:
        """The words of what has no place in EAD3's control (everything kept from an EAD
        2002 header, the creation statement), as ``(text, published)``."""
        texts: list[tuple[str, bool]] = []
        for where, items in extras.items():
            if self.same and where in _IN_PLACE:
                continue
            for extra in items:
                texts.extend(self.extra_texts(extra))
        if h.creation and not self.same:
            public = fragment_plain_text(without_internal(h.creation), separate=True)
            texts.append((public, True))
            whole = fragment_plain_text(h.creation, separate=True)
            if self.include_unpublished and " ".join(whole.split()) != " ".join(public.split()):
                texts.append((whole, False))  # the statement with its internal parts
        return texts

    def maintenance(self, control: Any, h: FindingAid) -> Any:
        """Maintenance and publication status, and the maintenance agency (returned)."""
        status = dict(h.header_attributes).get("maintenancestatus") or (
            "derived" if not self.same else "revised"
        )
        self.el(
            "maintenancestatus",
            [("value", status)],
            h.maintenance_status_text if self.same else None,
            parent=control,
        )
        if h.status and h.status in ("inprocess", "approved", "published"):
            self.el("publicationstatus", [("value", h.status)], parent=control)
        agency = self.el(
            "maintenanceagency",
            [("countrycode", h.country_code)] if h.country_code else [],
            parent=control,
        )
        if h.agency_code:
            self.el("agencycode", text=h.agency_code, parent=agency)
        self.el("agencyname", text=h.repository_name or h.publisher or None, parent=agency)
        return agency

    def declarations_in(self, control: Any, h: FindingAid) -> None:
        """The language and convention declarations: as read, else from the fields."""
        kept = self.declarations(h)
        if "languagedeclaration" in kept:
            if kept["languagedeclaration"] is not None:
                control.append(kept["languagedeclaration"])
        elif h.language_of_description or h.language_of_description_code:
            decl = self.el("languagedeclaration", parent=control)
            self.el(
                "language",
                [("langcode", h.language_of_description_code or "und")],
                _space(fragment_plain_text(h.language_of_description or "", separate=True)) or None,
                parent=decl,
            )
            self.el(
                "script",
                [("scriptcode", h.script_of_description_code or "Latn")],
                h.script_of_description,
                parent=decl,
            )
        if "conventiondeclaration" in kept:
            if kept["conventiondeclaration"] is not None:
                control.append(kept["conventiondeclaration"])
        elif h.rules:
            decl = self.el("conventiondeclaration", parent=control)
            self.el("citation", text=_space(fragment_plain_text(h.rules)) or None, parent=decl)

    def declarations(self, h: FindingAid) -> dict[str, Any]:
        """The declarations read from EAD3 whose fields still say what they said then (an
        edit in Fonds writes the field instead), by element name; None for one marked
        internal in a public export."""
        out: dict[str, Any] = {}
        if not self.same:
            return out
        said = {
            "languagedeclaration": h.language_of_description,
            "conventiondeclaration": h.rules,
        }
        for xml, value in h.declarations:
            name = xml[1:].split(">", 1)[0].split(None, 1)[0].rstrip("/")
            if name in said and said[name] == value and name not in out:
                published = 'audience="internal"' not in xml.split(">", 1)[0]
                # (None: marked internal, so left out of a public export with its fields)
                out[name] = self.extra_element(ExtraElement(xml, version="3", published=published))
        return out

    def maintenance_history(self, control: Any, h: FindingAid) -> None:
        """The visible revisions as maintenance events, opened by a made-up "created" (or,
        from EAD 2002, "derived") event when the records have none of their own."""
        history = self.el("maintenancehistory", parent=control)
        revisions: list[Revision | _Revision] = [
            r for r in h.revisions if self.visible(r.published)
        ]
        if not revisions or (not self.same and h.creation is not None):
            revisions.insert(
                0,
                _Revision(
                    "created" if self.same else "derived",
                    h.creation_date or h.publication_date or "",
                    fragment_plain_text(without_internal(h.creation or ""), separate=True),
                ),
            )
        for r in revisions:
            self.maintenance_event(history, r)

    def maintenance_event(self, history: Any, r: Revision | _Revision) -> None:
        event = self.el(
            "maintenanceevent", [self.audience(getattr(r, "published", True))], parent=history
        )
        self.el(
            "eventtype",
            [("value", getattr(r, "event_type", "") or "revised")],
            getattr(r, "event_text", "") or None,
            parent=event,
        )
        self.el(
            "eventdatetime",
            [("standarddatetime", _standard_datetime(r.normal))],
            r.date or None,
            parent=event,
        )
        self.el(
            "agenttype",
            [("value", getattr(r, "agent_type", "") or "unknown")],
            parent=event,
        )
        self.el("agent", text=r.agent or None, parent=event)
        if r.description:
            self.el("eventdescription", text=_space(r.description), parent=event)

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
        namespaced(node, self.namespace, version=self.version)
        if not extent.published:
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
        namespaced(node, self.namespace, version=self.version)
        if not date.published:
            node.set("audience", "internal")
        elif node.get("audience") == "internal":
            del node.attrib["audience"]
        return node

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

    def name_attributes(self, agent: AgentLink) -> list[tuple[str, str | None]]:
        return [
            ("source", _token(agent.source)),
            ("identifier", agent.authority_id),
            ("normal", agent.normal),
            ("relator", agent.relator),
        ]

    def name_content(self, node: Any, agent: AgentLink) -> None:
        if agent.name_markup and self.same:
            self.fill(node, agent.name_markup, context="phrase")
            return
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


class _Revision:
    def __init__(self, event_type: str, date: str, description: str) -> None:
        self.event_type = event_type
        self.date = date
        self.description = description
        self.agent = ""
        self.normal = None


_DATETIME = re.compile(r"^-?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


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


def _standard_datetime(value: str | None) -> str | None:
    """A date, or a date and time, as ``standarddatetime`` takes it (else None)."""
    if value and (valid_normal(value) and "/" not in value or _DATETIME.match(value)):
        return value
    return None


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


def _space(text: str) -> str:
    """Whitespace collapsed, as the reader collapses it in header fields."""
    return " ".join(text.split())
