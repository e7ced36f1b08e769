"""EAD3 writer (namespace ``http://ead3.archivists.org/schema/``, validates against ead3.xsd).

Shares the stream handling and most of the unit layout with the EAD 2002 writer and overrides
what EAD3 spells differently: ``<control>`` instead of ``<eadheader>``, names as ``<part>``s,
``localtype``/``relator``/``identifier`` attributes, structured extents, ``didnote``, ``daoset``
and the required maintenance elements (synthesised deterministically from the records when a
2002 source has none: no clock is read, so the same records give the same bytes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

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
    Container,
    Date,
    DigitalObject,
    Extent,
    ExtraElement,
    FindingAid,
    Language,
    Note,
    Record,
    Revision,
    SubjectLink,
    Unit,
)
from .writer2002 import Writer2002, in_origination
from .writing import Output, heading_phrase, is_plain_text, valid_normal

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
_PHRASE_NOTES = {"abstract", "physloc", "materialspec", "langmaterial", "did_note"}
_PORTABLE = {"altrender", "encodinganalog"}
_RENAME = {"type": "localtype", "authfilenumber": "identifier", "role": "relator"}


def write_ead3(
    records: Iterable[Record], out: Output, *, include_unpublished: bool = False
) -> None:
    """Write the record stream as EAD3 to a path or binary file object."""
    Writer3(include_unpublished=include_unpublished).write(records, out)


class Writer3(Writer2002):
    version = "3"
    namespace = EAD3_NS
    nsmap = {None: EAD3_NS}
    title_required = False

    @property
    def same(self) -> bool:
        return self.header is not None and self.header.source_version == "3"

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

    def header_element(self, h: FindingAid) -> Any:
        allowed = {
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
            "base",
            "lang",
            "script",
        }
        attrs = [(k, v) for k, v in h.header_attributes if k in allowed]
        control = self.el("control", attrs)
        id_attrs = [
            ("instanceurl" if k == "url" else k, v)
            for k, v in h.ead_id_attributes
            if k in ("url", "encodinganalog", "id", "altrender", "audience")
        ]
        self.el("recordid", id_attrs, h.ead_id or None, parent=control)
        extras = self.group_extras(h.extra)
        if self.same:
            for extra in extras.get("control", []):
                node = self.extra_element(extra)
                if node is not None and node.tag in (
                    self.q("otherrecordid"),
                    self.q("representation"),
                ):
                    control.append(node)
        filedesc = self.el("filedesc", parent=control)
        titlestmt = self.el("titlestmt", parent=filedesc)
        self.fill(
            self.el("titleproper", parent=titlestmt), h.title or h.title_text, context="phrase"
        )
        if h.filing_title:
            self.el("titleproper", [("localtype", "filing")], h.filing_title, parent=titlestmt)
        self.put_extras(titlestmt, extras.get("titlestmt", []) if self.same else [], order=None)
        if h.subtitle:
            self.fill(self.el("subtitle", parent=titlestmt), h.subtitle, context="phrase")
        if h.author:
            self.fill(self.el("author", parent=titlestmt), h.author, context="phrase")
        if h.sponsor:
            self.fill(self.el("sponsor", parent=titlestmt), h.sponsor, context="phrase")
        self.reorder(titlestmt, ["titleproper", "subtitle", "author", "sponsor"])
        # (an edition or date present but empty in the file is written so, with its attributes)
        if h.edition is not None:
            stmt = self.el("editionstmt", parent=filedesc)
            self.fill(self.el("edition", parent=stmt), h.edition, context="phrase")
        if h.publisher or h.publication_date is not None or h.publication_address:
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
        texts: list[tuple[str, bool]] = []
        if self.same:
            for where, parent_name in (
                ("editionstmt", "editionstmt"),
                ("publicationstmt", "publicationstmt"),
            ):
                if extras.get(where):
                    parent = filedesc.find(self.q(parent_name))
                    if parent is None:
                        parent = self.el(parent_name, parent=filedesc)
                    self.put_extras(parent, extras[where], order=None)
            self.put_extras(filedesc, extras.get("filedesc", []), order=None)
            self.reorder(
                filedesc, ["titlestmt", "editionstmt", "publicationstmt", "seriesstmt", "notestmt"]
            )
        for where, items in extras.items():
            if self.same and where in (
                "control",
                "titlestmt",
                "editionstmt",
                "publicationstmt",
                "filedesc",
                "maintenanceagency",
            ):
                continue
            for extra in items:
                texts.extend(self.extra_texts(extra))
        if h.creation and not self.same:
            public = fragment_plain_text(without_internal(h.creation), separate=True)
            texts.append((public, True))
            whole = fragment_plain_text(h.creation, separate=True)
            if self.include_unpublished and " ".join(whole.split()) != " ".join(public.split()):
                texts.append((whole, False))  # the statement with its internal parts
        if texts:
            stmt = filedesc.find(self.q("notestmt"))
            if stmt is None:
                stmt = self.el("notestmt", parent=filedesc)
            for text, published in texts:
                if not text.strip():
                    continue
                note = self.el("controlnote", [self.audience(published)], parent=stmt)
                self.el("p", text=" ".join(text.split()), parent=note)
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
        if self.same:
            for extra in extras.get("maintenanceagency", []):
                node = self.extra_element(extra)
                if node is not None:
                    agency.append(node)
            self.reorder(agency, ["agencycode", "otheragencycode", "agencyname", "descriptivenote"])
            for extra in extras.get("control", []):
                node = self.extra_element(extra)
                if node is not None and node.tag not in (
                    self.q("otherrecordid"),
                    self.q("representation"),
                ):
                    control.append(node)
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
        self.reorder(control, _CONTROL_ORDER)
        return control

    # -- units ---------------------------------------------------------------------------

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

    def unit_attributes(self, unit: Unit) -> dict[str, str]:
        attrs = super().unit_attributes(unit)
        attrs.pop("type", None)
        attrs.pop("tpattern", None)
        return attrs

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

    def note(self, note: Note) -> Any:
        name = note.note_type
        if name == "note":
            name = "odd"
        if name == "did_note":
            name = "didnote"
        attrs = [("id", note.ref), self.audience(note.published)]
        attrs += [
            (_RENAME.get(k, k), v)
            for k, v in self.attrs(note.attributes)
            if k not in ("type",) or self.same
        ]
        node = self.el(name, attrs)
        phrase = note.note_type in _PHRASE_NOTES
        if note.heading and not phrase:
            self.el("head", self.attrs(note.heading_attributes), note.heading, parent=node)
        content = note.content
        if note.heading and phrase:
            node.set("label", note.heading)
            content = heading_phrase(note.heading) + content
        if note.note_type == "langmaterial":
            return node  # written by did()
        self.fill(node, content, context="phrase" if phrase else "block", note_name=name)
        if not phrase and len([c for c in node if c.tag != self.q("head")]) == 0:
            self.el("p", parent=node)
        return node

    def did(self, unit: Unit) -> Any:
        did = self.el("did", self.attrs(unit.did_attributes))
        for key, text in unit.headings:
            if key == "did":
                self.el("head", self.heading_attributes(unit, "did"), text, parent=did)
                break
        self.identifiers(did, unit)
        if unit.title:
            self.fill(
                self.el("unittitle", self.attrs(unit.title_attributes), parent=did),
                unit.title,
                context="phrase",
            )
        for date in unit.dates:
            if self.visible(date.published):
                if date.structured:
                    did.append(self.structured_date(date))
                    continue
                self.unitdate(did, date)
        current_set = None  # the <physdescset> being filled, for extents read from one
        for extent in unit.extents:
            if not self.visible(extent.published):
                continue
            if self.same and extent.structured:
                node = self.structured_extent(extent)
                did.append(node)
            elif extent.number and extent.extent_type and _is_number(extent.number):
                # the source's own attributes (type, label...) where it had them
                kept = dict(self.attrs(extent.attributes, drop={"set", "audience"}))
                node = self.el(
                    "physdescstructured",
                    [
                        (
                            "coverage",
                            extent.portion if extent.portion in ("whole", "part") else "whole",
                        ),
                        (
                            "physdescstructuredtype",
                            kept.pop("physdescstructuredtype", "spaceoccupied"),
                        ),
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
                summary = " ".join(
                    x for x in (extent.container_summary, _words_around_parts(extent)) if x
                )
                if summary:
                    desc = self.el("descriptivenote", parent=node)
                    self.el("p", text=summary, parent=desc)
            else:
                current_set = None
                node = self.el(
                    "physdesc",
                    [self.audience(extent.published), *self.attrs(extent.attributes)],
                    parent=did,
                )
                if self.same and extent.content:
                    # as read from EAD3: its words and inline markup
                    self.fill(node, extent.content, context="phrase")
                    continue
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
        notes = [
            n for n in unit.notes if n.note_type in _PHRASE_NOTES | {"physfacet", "dimensions"}
        ]
        lm_notes = [n for n in notes if n.note_type == "langmaterial"]
        # Each statement with its own languages, as read from EAD3; else public languages
        # and statements in one langmaterial, internal ones in another.
        kept_statements = self.statements(did, unit, lm_notes)
        for published in (True, False):
            if kept_statements or not self.visible(published):
                continue
            languages = [lang for lang in unit.languages if lang.published == published]
            statements = [n for n in lm_notes if n.published == published]
            if languages or statements:
                self.langmaterial(did, languages, statements, published)
        if unit.physical_location and not any(n.note_type == "physloc" for n in notes):
            self.el("physloc", text=unit.physical_location, parent=did)
        for note in notes:
            if note.note_type == "langmaterial" or not self.visible(note.published):
                continue
            if note.note_type in ("physfacet", "dimensions"):
                self.el(
                    "physdesc",
                    text=" ".join(fragment_plain_text(note.content, separate=True).split()),
                    parent=did,
                )
                continue
            did.append(self.note(note))
        # words of extras that have no place in EAD3 go in didnotes right after the notes,
        # where the didnotes read back from them will be written again
        extra_nodes = []
        for extra in unit.extra:
            if extra.where != "did":
                continue
            # an origination the reader kept whole (text around or between the names): EAD3
            # allows only names in it, and names read back as agents, so its words go into a
            # didnote instead
            node = None if _kept_origination(extra, self.version) else self.extra_element(extra)
            if node is not None and self.nameless_repository(node):
                # EAD3 requires a name in <repository> (EAD 2002 does not): its words go
                # into a didnote like those of other elements EAD3 has no place for
                self.leave_out(
                    "<repository> of a unit's identification",
                    "EAD3 requires a name in it and this one has none; its words are in a "
                    "<didnote>",
                )
                node = None
            if node is not None:
                extra_nodes.append(node)
            elif self.visible(extra.published) and self.extra_text(extra):
                self.el(
                    "didnote",
                    [self.audience(extra.published)],
                    self.extra_text(extra),
                    parent=did,
                )
        for agent in unit.agents:
            if in_origination(agent) and self.visible(agent.published):
                orig_label = agent.label or ("Source" if agent.role == "source" else None)
                orig = self.el(
                    "origination",
                    [
                        ("label", orig_label),
                        self.audience(agent.published),
                        *self.attrs(agent.origination_attributes),
                    ],
                    parent=did,
                )
                orig.append(self.agent(agent))
        for node in extra_nodes:
            did.append(node)
        for container in unit.containers:
            if not self.visible(container.published):
                continue
            self.container(did, container)
        for node in self.digital_objects(unit.digital_objects, in_did=True):
            did.append(node)
        if len([c for c in did if c.tag != self.q("head")]) == 0:
            self.el("unittitle", parent=did)
        return did

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

    def date_parts(self, date: Date) -> tuple[list[tuple[str, str | None]], str | None]:
        # only the @normal the source had (see Writer2002.date_parts)
        normal = valid_normal(date.normal)
        dtype = date.date_type if date.date_type == "bulk" else "inclusive"
        attrs = [
            ("unitdatetype", dtype),
            ("normal", normal),
            ("certainty", date.certainty),
            ("calendar", date.calendar),
            ("era", date.era),
            ("datechar", date.characteristic),
            self.audience(date.published),
            *self.attrs(date.attributes),
        ]
        return attrs, date.expression or normal or None

    def container_attributes(self, container: Container) -> list[tuple[str, str | None]]:
        return [
            ("id", container.ref),
            ("parent", container.parent_ref),
            ("localtype", container.container_type),
            ("label", container.label),
            ("containerid", container.barcode),
            self.audience(container.published),
            *self.attrs(container.attributes, drop={"audience"}),
        ]

    def agent(self, agent: AgentLink) -> Any:
        from .mapping import AGENT_TYPE_ELEMENTS

        attrs = dict(agent.attributes)
        element = attrs.pop("element", None) or AGENT_TYPE_ELEMENTS.get(
            agent.agent_type, "persname"
        )
        if not agent.published:
            attrs.pop("audience", None)  # internal now, whatever the file said
        node = self.el(
            element,
            [
                ("source", _token(agent.source)),
                ("identifier", agent.authority_id),
                ("normal", agent.normal),
                ("relator", agent.relator),
                self.audience(agent.published),
                # the name's other attributes (rules, encodinganalog...); ``conform`` leaves
                # out those EAD3 does not take
                *self.attrs(tuple(attrs.items())),
            ],
        )
        if agent.name_markup and self.same:
            self.fill(node, agent.name_markup, context="phrase")
            return node
        parts = agent.name_parts or (("", agent.name),)
        for localtype, text in parts:
            self.el("part", [("localtype", localtype or None)], text or None, parent=node)
        return node

    def controlaccess(
        self,
        agents: tuple[AgentLink, ...],
        subjects: tuple[SubjectLink, ...],
        extras: tuple[ExtraElement, ...],
        headings: tuple[tuple[str, str], ...],
        ca_attrs: Attributes,
        *,
        group_attributes: tuple[tuple[str, Attributes], ...] = (),
        heading_attributes: list[tuple[str, str]] | None = None,
    ) -> Any | None:
        node = super().controlaccess(
            agents,
            subjects,
            extras,
            headings,
            ca_attrs,
            group_attributes=group_attributes,
            heading_attributes=heading_attributes,
        )
        if node is None:
            return None
        for child in node.iter():
            if child.tag in (
                self.q(n)
                for n in ("subject", "geogname", "genreform", "occupation", "function", "title")
            ):
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
        return node

    def digital_objects(self, objects: tuple[DigitalObject, ...], *, in_did: bool) -> list[Any]:
        out: list[Any] = []
        current = None
        group_node = None
        for obj in objects:
            if not self.visible(obj.published):
                continue
            node = self.el(
                "dao",
                [
                    (
                        "daotype",
                        obj.object_type
                        if obj.object_type in ("borndigital", "derived", "unknown", "otherdaotype")
                        else "unknown",
                    ),
                    ("href", self.link_target(obj.href)),
                    ("linkrole", obj.role),
                    ("linktitle", obj.title),
                    (
                        "show",
                        obj.show
                        if obj.show in ("new", "replace", "embed", "other", "none")
                        else None,
                    ),
                    (
                        "actuate",
                        {"onload": "onload", "onrequest": "onrequest"}.get(
                            (obj.actuate or "").casefold(),
                            obj.actuate if self.same else None,
                        ),
                    ),
                    self.audience(obj.published),
                    # (its other attributes; ``conform`` leaves out what EAD3 does not take)
                    *self.attrs(obj.extra),
                ],
            )
            if obj.description:
                self.fill(self.el("descriptivenote", parent=node), obj.description)
            if obj.group is None:
                current = group_node = None
                out.append(node)
                continue
            if obj.group != current or group_node is None:
                current = obj.group
                group_node = self.el("daoset", self.attrs(obj.group_attributes))
                out.append(group_node)
            description = (obj.group_description or "") + _resource_words(obj.group_links)
            if description:
                # the set's own description follows its members
                desc = group_node.find(self.q("descriptivenote"))
                if desc is None:
                    desc = self.el("descriptivenote", parent=group_node)
                self.fill(desc, description)
            group_node.append(node)
        for i, node in enumerate(out):
            if node.tag != self.q("daoset"):
                continue
            daos = [c for c in node if c.tag == self.q("dao")]
            desc = node.find(self.q("descriptivenote"))
            if desc is not None:
                node.append(desc)  # after the members
            if len(daos) >= 2:
                continue
            # a set needs two members: a lone member stands alone, with the set's words
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
