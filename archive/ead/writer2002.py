"""EAD 2002 writer (namespace ``urn:isbn:1-931666-22-9``, validates against ead.xsd 2008).

Same-version details (unmapped elements and attributes of a 2002 source) are written back where
they were; details of an EAD3 source that 2002 cannot express are written as text in a
general note so no words are lost.  Code attributes the 2008 schema restricts (country,
language, script, agency codes) are upper/lower-cased to the list form when that makes them
valid, and otherwise left out (the value remains in the records and the element text).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import codes
from .conform import is_xml_id
from .markup import fragment_plain_text, namespaced, parse_fragment
from .parsing import EAD2002_NS, XLINK_NS, XSI_NS
from .records import (
    AgentLink,
    Attributes,
    Container,
    Date,
    DigitalObject,
    ExtraElement,
    FindingAid,
    Language,
    Note,
    Record,
    SubjectLink,
    Unit,
    UnitSupplement,
)
from .writing import Output, StreamWriter, heading_phrase, is_plain_text, valid_normal

SCHEMA_LOCATION = f"{EAD2002_NS} http://www.loc.gov/ead/ead.xsd"
_LEVELS = {
    "class",
    "collection",
    "file",
    "fonds",
    "item",
    "otherlevel",
    "recordgrp",
    "series",
    "subfonds",
    "subgrp",
    "subseries",
}
_PHRASE_NOTES = {
    "abstract",
    "physloc",
    "materialspec",
    "langmaterial",
    "physfacet",
    "dimensions",
    "legalstatus",
}
# attributes that may be copied from a source of another version
_PORTABLE = {"altrender", "encodinganalog"}
_LINK = {"href", "role", "title", "show", "actuate", "arcrole", "linktype"}


def write_ead2002(
    records: Iterable[Record], out: Output, *, include_unpublished: bool = False
) -> None:
    """Write the record stream as EAD 2002 to a path or binary file object."""
    Writer2002(include_unpublished=include_unpublished).write(records, out)


def in_origination(agent: AgentLink) -> bool:
    """Creators/sources go to <origination> unless they came from <controlaccess>.

    A name read from controlaccess keeps its relator and has no origination label; writing it
    back there keeps the round trip stable.
    """
    if agent.role not in ("creator", "source") or agent.group is not None:
        return False
    return agent.label is not None or agent.relator is None


def language_text(lang: Language) -> str:
    """The words of a language statement: its name, and the script's name (EAD 2002 has no
    element for a script: only the ``scriptcode`` attribute)."""
    if lang.script_name and lang.script_name not in lang.name:
        return f"{lang.name} ({lang.script_name})" if lang.name else lang.script_name
    return lang.name


def fix_code(name: str, value: str) -> str | None:
    """A code attribute value the 2008 schema accepts, or None."""
    if name == "countrycode":
        return value.upper() if value.upper() in codes.COUNTRY_CODES else None
    if name == "langcode":
        return value.lower() if value.lower() in codes.LANGUAGE_CODES else None
    if name == "scriptcode":
        fixed = value[:1].upper() + value[1:].lower()
        return fixed if fixed in codes.SCRIPT_CODES else None
    if name in ("mainagencycode", "repositorycode"):
        return value if codes.REPOSITORY_CODE.match(value) else None
    if name == "normal":
        return valid_normal(value)
    return value


class Writer2002(StreamWriter):
    version = "2002"
    namespace = EAD2002_NS
    nsmap = {None: EAD2002_NS, "xlink": XLINK_NS, "xsi": XSI_NS}

    # -- attributes ----------------------------------------------------------------------

    @property
    def same(self) -> bool:
        return self.header is None or self.header.source_version == "2002"

    def attrs(self, attributes: Attributes, *, drop: Iterable[str] = ()) -> list[tuple[str, str]]:
        """Unmapped attributes: all of them from a 2002 source, portable ones otherwise."""
        if not attributes:
            return []
        dropped = set(drop)
        out = []
        for key, value in attributes:
            if key in dropped or key.startswith("xml:"):
                continue
            if not self.same and key not in _PORTABLE:
                continue
            fixed = fix_code(key, value)
            if fixed is None:
                continue
            if key in _LINK:
                key = f"{{{XLINK_NS}}}{'type' if key == 'linktype' else key}"
            out.append((key, fixed))
        return out

    def root_attributes(self, header: FindingAid) -> dict[str, str]:
        # all of them: the writer keeps those the schema takes and says which it left out
        attrs = {k: v for k, v in header.root_attributes if k != "schemaLocation"}
        attrs[f"{{{XSI_NS}}}schemaLocation"] = SCHEMA_LOCATION
        return attrs

    # -- header --------------------------------------------------------------------------

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
        }
        attrs = [(k, v) for k, v in h.header_attributes if k in allowed]
        if h.status:
            attrs.append(("findaidstatus", "".join(h.status.split())))
        header = self.el("eadheader", attrs)
        id_attrs = [
            (k, v)
            for k, v in self.attrs(h.ead_id_attributes)
            if k
            in (
                "countrycode",
                "mainagencycode",
                "url",
                "urn",
                "publicid",
                "identifier",
                "encodinganalog",
                "id",
                "altrender",
                "audience",
            )
        ]
        if not self.same:
            for key, value in h.ead_id_attributes:
                if key in ("url", "countrycode", "mainagencycode", "identifier"):
                    fixed = fix_code(key, value)
                    if fixed is not None:
                        id_attrs.append((key, fixed))
        if h.country_code and not any(k == "countrycode" for k, _ in id_attrs):
            fixed = fix_code("countrycode", h.country_code)
            if fixed:
                id_attrs.append(("countrycode", fixed))
        self.el("eadid", id_attrs, h.ead_id or None, parent=header)
        extras = self.group_extras(h.extra)
        filedesc = self.el("filedesc", parent=header)
        titlestmt = self.el("titlestmt", parent=filedesc)
        self.fill(
            self.el("titleproper", parent=titlestmt), h.title or h.title_text, context="phrase"
        )
        if h.filing_title:
            self.el("titleproper", [("type", "filing")], h.filing_title, parent=titlestmt)
        self.put_extras(
            titlestmt,
            extras.get("titlestmt", []),
            order=["titleproper", "subtitle", "author", "sponsor"],
        )
        if h.subtitle:
            self.fill(self.el("subtitle", parent=titlestmt), h.subtitle, context="phrase")
        self.reorder(titlestmt, ["titleproper", "subtitle", "author", "sponsor"])
        if h.author and not titlestmt.findall(self.q("author")):
            self.fill(self.el("author", parent=titlestmt), h.author, context="phrase")
        if h.sponsor and not titlestmt.findall(self.q("sponsor")):
            self.fill(self.el("sponsor", parent=titlestmt), h.sponsor, context="phrase")
        self.reorder(titlestmt, ["titleproper", "subtitle", "author", "sponsor"])
        # (an edition or date present but empty in the file is written so, with its attributes)
        if h.edition is not None or extras.get("editionstmt"):
            stmt = self.el("editionstmt", parent=filedesc)
            if h.edition is not None:
                self.fill(self.el("edition", parent=stmt), h.edition, context="phrase")
            self.put_extras(stmt, extras.get("editionstmt", []), order=["edition", "p"])
        if (
            h.publisher
            or h.publication_date is not None
            or h.publication_address
            or extras.get("publicationstmt")
        ):
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
            self.put_extras(stmt, extras.get("publicationstmt", []), order=None)
        notes: list[tuple[str, bool]] = []
        for extra in extras.get("filedesc", []):
            node = self.extra_element(extra)
            if node is not None:
                filedesc.append(node)
            else:
                notes.extend(self.extra_texts(extra))
        if not self.same and (h.agency_code or h.repository_name):
            # EAD 2002 has no maintenance agency: say it in a note of the file description
            agency = " ".join(
                x for x in (h.repository_name, f"({h.agency_code})" if h.agency_code else "") if x
            )
            notes.append((f"Maintenance agency: {agency}", True))
        if not self.same and h.maintenance_status_text:
            notes.append((f"Maintenance status: {h.maintenance_status_text}", True))
        for where in ("control", "maintenanceagency", "header"):
            for extra in extras.get(where, []):
                if extra.version == "2002" and where == "header":
                    continue
                notes.extend(self.extra_texts(extra))
        if notes:
            stmt = filedesc.find(self.q("notestmt"))
            if stmt is None:
                stmt = self.el("notestmt", parent=filedesc)
            for text, published in notes:
                note = self.el("note", [self.audience(published)], parent=stmt)
                self.el("p", text=text, parent=note)
        self.reorder(
            filedesc, ["titlestmt", "editionstmt", "publicationstmt", "seriesstmt", "notestmt"]
        )
        creation = h.creation
        if not creation and not self.same:
            created = [r for r in h.revisions if r.event_type == "created"]
            if created:
                r = created[0]
                if self.visible(r.published):
                    creation = _esc(
                        " ".join(x for x in (r.agent, r.event_text, r.description, r.date) if x)
                    )
        if creation or h.language_of_description or h.rules or extras.get("profiledesc"):
            profile = self.el("profiledesc", parent=header)
            if creation:
                self.fill(self.el("creation", parent=profile), creation, context="phrase")
            if h.language_of_description or h.language_of_description_code:
                lang = self.el("langusage", parent=profile)
                if self.same and h.language_of_description:
                    self.fill(lang, h.language_of_description, context="phrase")
                else:
                    code = fix_code("langcode", h.language_of_description_code or "")
                    text = fragment_plain_text(h.language_of_description or "", separate=True)
                    if h.script_of_description:  # 2002 has only the script's code
                        text = f"{text} ({h.script_of_description})" if text else text
                    self.el("language", [("langcode", code)], text or None, parent=lang)
            if h.rules:
                self.fill(self.el("descrules", parent=profile), h.rules, context="phrase")
            self.put_extras(profile, extras.get("profiledesc", []), order=None)
        revisions = [
            r
            for r in h.revisions
            if (self.same or r.event_type != "created") and self.visible(r.published)
        ]
        if revisions or extras.get("revisiondesc"):
            desc = self.el("revisiondesc", parent=header)
            for r in revisions:
                change = self.el("change", [self.audience(r.published)], parent=desc)
                self.el("date", [("normal", valid_normal(r.normal))], r.date or None, parent=change)
                text = r.description
                if not self.same:
                    text = " ".join(
                        x for x in (r.event_type, r.event_text, r.description, r.agent) if x
                    )
                self.el("item", text=text or None, parent=change)
            if not revisions:
                self.put_extras(desc, extras.get("revisiondesc", []), order=None)
        if self.same:
            for extra in extras.get("header", []):
                node = self.extra_element(extra)
                if node is not None:
                    header.append(node)
        return header

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

    # -- units ---------------------------------------------------------------------------

    def unit_attributes(self, unit: Unit) -> dict[str, str]:
        attrs: dict[str, str] = {}
        level = unit.level
        other = unit.other_level
        if level and level not in _LEVELS:
            other, level = other or level, "otherlevel"
        if level is None and unit.depth == 0:
            level = "otherlevel" if other else "collection"
        if level == "otherlevel" and not other:
            other = "unspecified"
        if level:
            attrs["level"] = level
        if other and level == "otherlevel":
            attrs["otherlevel"] = "".join(other.split())
        if unit.ref and is_xml_id(unit.ref):
            # A machine id typed in the admin may not be an XML id ("c 1", "ref/12"): it stays
            # the component's address in Fonds, but no schema takes it as @id.
            attrs["id"] = unit.ref
        if not unit.published:
            attrs["audience"] = "internal"
        if not unit.attributes:
            return attrs
        # the others the schema takes on the element (localtype, base, lang...)
        name = "archdesc" if unit.depth == 0 else self.component_name(unit.depth)
        spec = self.model.type_of(name)
        allowed = set(spec["attrs"]) - {"audience"} if spec else set()
        for key, value in self.attrs(unit.attributes):
            if key in allowed and key not in attrs:
                attrs[key] = value
            elif key == "audience" and value == "external" and unit.published:
                attrs[key] = value  # (an unpublished unit is internal, whatever the file said)
        return attrs

    def dsc_attributes(self, unit: Unit | None) -> dict[str, str]:
        if unit is None:
            return {}
        attrs = dict(self.attrs(unit.component_list_attributes))
        if "dsctype" in dict(unit.component_list_attributes) and not self.same:
            value = dict(unit.component_list_attributes)["dsctype"]
            if value in ("analyticover", "combined", "in-depth", "othertype"):
                attrs["type"] = value
        return {
            k: v
            for k, v in attrs.items()
            if k
            in ("type", "othertype", "id", "altrender", "audience", "encodinganalog", "tpattern")
        }

    def unit_body(self, unit: Unit) -> list[Any]:
        out: list[Any] = []
        for key, text in unit.headings:
            if key == "unit" and unit.depth > 0:
                out.append(self.el("head", text=text))
                break
        for extra in unit.extra:
            if (
                extra.where == "unit"
                and extra.version == self.version
                and extra.xml.startswith("<runner")
            ):
                node = self.extra_element(extra)
                if node is not None:
                    out.append(node)
        out.append(self.did(unit))
        out.extend(
            self.description(
                unit.notes,
                unit.agents,
                unit.subjects,
                unit.digital_objects,
                unit.extra,
                unit.headings,
                unit.controlaccess_attributes,
                skip_runner=True,
                group_attributes=unit.group_attributes,
                heading_attributes=self.heading_attributes(unit, "controlaccess"),
            )
        )
        return out

    def supplement_body(self, s: UnitSupplement) -> list[Any]:
        return self.description(
            s.notes,
            s.agents,
            s.subjects,
            s.digital_objects,
            s.extra,
            s.headings,
            (),
            skip_runner=False,
            heading_attributes=self.attrs(dict(s.heading_attributes).get("controlaccess", ())),
        )

    def description(
        self,
        notes: tuple[Note, ...],
        agents: tuple[AgentLink, ...],
        subjects: tuple[SubjectLink, ...],
        objects: tuple[DigitalObject, ...],
        extras: tuple[ExtraElement, ...],
        headings: tuple[tuple[str, str], ...],
        ca_attrs: Attributes,
        *,
        skip_runner: bool,
        group_attributes: tuple[tuple[str, Attributes], ...] = (),
        heading_attributes: list[tuple[str, str]] | None = None,
    ) -> list[Any]:
        items: list[tuple[int, Any]] = []
        for note in notes:
            if note.note_type in (
                "abstract",
                "physloc",
                "materialspec",
                "langmaterial",
                "did_note",
                "physfacet",
                "dimensions",
            ):
                continue
            if not self.visible(note.published):
                continue
            items.append((note.position, self.note(note)))
        odd_texts: list[str] = []
        for extra in extras:
            if extra.where != "unit":
                continue
            if skip_runner and extra.xml.startswith("<runner") and extra.version == self.version:
                continue  # written before the did by unit_body
            node = self.extra_element(extra)
            if node is not None:
                items.append((extra.position, node))
            elif self.visible(extra.published) and self.extra_text(extra):
                odd_texts.append(self.extra_text(extra))
        items.sort(key=lambda item: item[0])
        out = [node for _, node in items]
        for text in odd_texts:
            odd = self.el("odd")
            self.el("p", text=text, parent=odd)
            out.append(odd)
        ca = self.controlaccess(
            agents,
            subjects,
            extras,
            headings,
            ca_attrs,
            group_attributes=group_attributes,
            heading_attributes=heading_attributes or [],
        )
        if ca is not None:
            out.append(ca)
        if objects and not skip_runner:
            # late digital objects (after components) have no did to go into
            for obj_node in self.digital_objects(objects, in_did=False):
                out.append(obj_node)
        return out

    def note(self, note: Note) -> Any:
        name = "note" if note.note_type in ("note", "did_note") else note.note_type
        attrs = [("id", note.ref), self.audience(note.published)]
        attrs += self.attrs(note.attributes)
        node = self.el(name, attrs)
        if name == "legalstatus":
            # EAD 2002 has legal status only inside <accessrestrict> (phrase content, no
            # head): a bare accessrestrict holding the heading and the legalstatus, which the
            # reader recognises and reads back as the legalstatus note
            self.fill(node, note.content, context="phrase")
            wrapper = self.el("accessrestrict")
            if note.heading:
                self.el("head", text=note.heading, parent=wrapper)
            wrapper.append(node)
            return wrapper
        if note.heading and name not in _PHRASE_NOTES:
            self.el("head", self.attrs(note.heading_attributes), note.heading, parent=node)
        context = "phrase" if name in _PHRASE_NOTES else "block"
        content = note.content
        if note.heading and name in _PHRASE_NOTES:
            node.set("label", note.heading)
            content = heading_phrase(note.heading) + content
        self.fill(node, content, context=context, note_name=name)
        if context == "block" and len([c for c in node if c.tag != self.q("head")]) == 0:
            self.el("p", parent=node)
        return node

    def identifiers(self, did: Any, unit: Unit) -> None:
        """The unit's ``<unitid>``s, with their inline markup where they had any."""
        if unit.identifier is None:
            return
        fragments = unit.identifier_fragments
        values = [(unit.identifier, unit.identifier_attributes), *unit.other_identifiers]
        written: list[tuple[str, str | None]]
        for i, (value, attrs) in enumerate(values):
            if i == 0:
                written = [*self.attrs(attrs)]
            elif self.visible_attributes(attrs):
                written = self.identifier_attributes(attrs)  # its own audience, either version
            else:
                continue
            if i < len(fragments):
                node = self.el("unitid", written, parent=did)
                self.fill(node, fragments[i], context="phrase")
            else:
                self.el("unitid", written, value or None, parent=did)

    def did(self, unit: Unit) -> Any:
        did = self.el("did", self.attrs(unit.did_attributes))
        for key, text in unit.headings:
            if key == "did":
                self.el("head", self.heading_attributes(unit, "did"), text, parent=did)
                break
        self.identifiers(did, unit)
        if unit.title:
            title = self.el("unittitle", self.attrs(unit.title_attributes), parent=did)
            self.fill(title, unit.title, context="phrase")
        elif not unit.dates:
            self.el("unittitle", parent=did)
        for date in unit.dates:
            if self.visible(date.published):
                self.unitdate(did, date)
        for extent in unit.extents:
            if not self.visible(extent.published):
                continue
            physdesc = self.el(
                "physdesc",
                [self.audience(extent.published), *self.attrs(extent.attributes, drop={"set"})],
                parent=did,
            )
            if extent.content:
                # the statement as written (neutral vocabulary, so also from an EAD3 source)
                self.fill(physdesc, extent.content, context="raw")
            else:
                if extent.portion in ("whole", "part"):
                    physdesc.set("altrender", extent.portion)
                text = " ".join(x for x in (extent.number, extent.extent_type) if x)
                if text:
                    self.el("extent", text=text, parent=physdesc)
                if extent.container_summary:
                    self.el("extent", text=extent.container_summary, parent=physdesc)
                if extent.physical_details:
                    self.el("physfacet", text=extent.physical_details, parent=physdesc)
                if extent.dimensions:
                    self.el("dimensions", text=extent.dimensions, parent=physdesc)
        notes = [
            n
            for n in unit.notes
            if n.note_type
            in (
                "abstract",
                "physloc",
                "materialspec",
                "langmaterial",
                "did_note",
                "physfacet",
                "dimensions",
            )
        ]
        types = {n.note_type for n in notes}
        languages = [lang for lang in unit.languages if self.visible(lang.published)]
        if languages and "langmaterial" not in types:
            lm = self.el("langmaterial", parent=did)
            for lang in languages:
                self.el(
                    "language",
                    [
                        ("langcode", fix_code("langcode", lang.code or "")),
                        ("scriptcode", fix_code("scriptcode", lang.script or "")),
                    ],
                    language_text(lang) or None,
                    parent=lm,
                )
        if unit.physical_location and "physloc" not in types:
            self.el("physloc", text=unit.physical_location, parent=did)
        for note in notes:
            if not self.visible(note.published):
                continue
            if note.note_type == "langmaterial" and not self.same:
                lm = self.el("langmaterial", [self.audience(note.published)], parent=did)
                # (which language belongs to which statement is not kept: a public statement
                # lists the public languages, an internal one the internal languages)
                own = [lang for lang in languages if lang.published == note.published]
                for lang in own:
                    self.el(
                        "language",
                        [
                            ("langcode", fix_code("langcode", lang.code or "")),
                            ("scriptcode", fix_code("scriptcode", lang.script or "")),
                        ],
                        language_text(lang) or None,
                        parent=lm,
                    )
                rest = fragment_plain_text(self.shown(note.content))
                names = " ".join(lang.name for lang in own)
                if " ".join(rest.split()) != " ".join(names.split()):
                    last = lm[-1] if len(lm) else None
                    if last is not None:
                        last.tail = " " + " ".join(rest.split())
                    else:
                        lm.text = " ".join(rest.split())
                continue
            if note.note_type in ("physfacet", "dimensions"):
                physdesc = self.el("physdesc", parent=did)
                node = self.el(note.note_type, parent=physdesc)
                self.fill(node, note.content, context="phrase")
                continue
            did.append(self.note(note))
        for agent in unit.agents:
            if in_origination(agent) and self.visible(agent.published):
                label = agent.label or ("Source" if agent.role == "source" else None)
                orig = self.el(
                    "origination",
                    [
                        ("label", label),
                        self.audience(agent.published),
                        *self.attrs(agent.origination_attributes),
                    ],
                    parent=did,
                )
                orig.append(self.agent(agent))
        texts = []
        for extra in unit.extra:
            if extra.where != "did":
                continue
            node = self.extra_element(extra)
            if node is not None:
                did.append(node)
            elif self.visible(extra.published) and self.extra_text(extra):
                texts.append(self.extra_text(extra))
        for text in texts:
            note = self.el("note", parent=did)
            self.el("p", text=text, parent=note)
        for container in unit.containers:
            if not self.visible(container.published):
                continue
            self.container(did, container)
        for node in self.digital_objects(unit.digital_objects, in_did=True):
            did.append(node)
        if len([c for c in did if c.tag != self.q("head")]) == 0:
            self.el("unittitle", parent=did)
        return did

    def date_parts(self, date: Date) -> tuple[list[tuple[str, str | None]], str | None]:
        """(attributes, text) of a date's element."""
        # only the @normal the source had: begin/end may be guesses from the expression,
        # and writing them would make the next import differ from this one
        normal = valid_normal(date.normal)
        date_type = date.date_type if date.date_type == "bulk" else "inclusive"
        attrs = [
            ("type", date_type),
            ("normal", normal),
            ("certainty", date.certainty),
            ("calendar", date.calendar),
            ("era", date.era),
            ("datechar", date.characteristic),
            self.audience(date.published),
        ]
        attrs += self.attrs(date.attributes)
        return attrs, date.expression or normal or None

    def unitdate(self, did: Any, date: Date) -> None:
        """One ``<unitdate>``: its inline markup in the same version, else its words."""
        attrs, text = self.date_parts(date)
        if date.markup and self.same:
            self.fill(self.el("unitdate", attrs, parent=did), date.markup, context="phrase")
        else:
            self.el("unitdate", attrs, text, parent=did)

    def container(self, did: Any, container: Container) -> None:
        """One ``<container>``: its inline markup in the same version, else its words."""
        if container.content and self.same:
            node = self.el("container", self.container_attributes(container), parent=did)
            self.fill(node, container.content, context="phrase")
            return
        self.el(
            "container",
            self.container_attributes(container),
            container.indicator or None,
            parent=did,
        )

    def container_attributes(self, container: Container) -> list[tuple[str, str | None]]:
        attrs = [
            ("id", container.ref),
            ("parent", container.parent_ref),
            ("type", container.container_type),
            ("label", container.label),
            self.audience(container.published),
        ]
        attrs += self.attrs(container.attributes, drop={"audience"})
        return attrs

    # (an EAD 2002 did needs a unittitle or a unitdate; EAD3's takes any of its children)
    title_required = True

    def plain_body(self, unit: Unit) -> str | None:
        if (
            unit.notes
            or unit.agents
            or unit.subjects
            or unit.digital_objects
            or unit.extra
            or unit.extents
            or unit.languages
            or unit.physical_location
            or unit.headings
            or unit.did_attributes
            or unit.identifier_fragments
            or (self.version == "3" and any(d.structured for d in unit.dates))
        ):
            return None  # anything beyond ids, title, dates and containers: the tree path
        title = unit.title
        if title and not is_plain_text(title):
            return None
        plain = self.plain
        parts = []
        if unit.identifier is not None:
            parts.append(plain("unitid", self.attrs(unit.identifier_attributes), unit.identifier))
        for value, attrs in unit.other_identifiers:
            if self.visible_attributes(attrs):
                parts.append(plain("unitid", self.identifier_attributes(attrs), value))
        if title:
            # (a fragment that is only words is its own text)
            parts.append(plain("unittitle", self.attrs(unit.title_attributes), title))
        elif self.title_required and not unit.dates:
            parts.append("<unittitle/>")
        for date in unit.dates:
            if date.markup:
                return None  # (inline markup: the tree path)
            if self.visible(date.published):
                date_attrs, text = self.date_parts(date)
                parts.append(plain("unitdate", date_attrs, text))
        for container in unit.containers:
            if container.content:
                return None  # (inline markup: the tree path)
            if self.visible(container.published):
                parts.append(
                    plain("container", self.container_attributes(container), container.indicator)
                )
        if not parts:
            parts.append("<unittitle/>")
        elif None in parts:
            return None
        return "<did>" + "".join(parts) + "</did>"  # type: ignore[arg-type]

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
                ("source", agent.source),
                ("authfilenumber", agent.authority_id),
                ("normal", agent.normal),
                ("role", agent.relator),
                self.audience(agent.published),
                *self.attrs(tuple(attrs.items())),
            ],
            None if agent.name_markup and self.same else agent.name or None,
        )
        if agent.name_markup and self.same:
            self.fill(node, agent.name_markup, context="phrase")
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
        from .mapping import SUBJECT_TYPE_ELEMENTS

        entries: list[tuple[str | None, Any]] = []
        for agent in agents:
            if not self.visible(agent.published):
                continue
            if not in_origination(agent):
                entries.append((agent.group, self.agent(agent)))
        for subject in subjects:
            if not self.visible(subject.published):
                continue
            element = SUBJECT_TYPE_ELEMENTS.get(subject.subject_type, "subject")
            attrs = [
                ("source", subject.source),
                ("authfilenumber", subject.authority_id),
                ("normal", subject.normal),
                self.audience(subject.published),
            ]
            attrs += self.attrs(
                tuple(
                    (k, v)
                    for k, v in subject.attributes
                    if subject.published or k != "audience"  # internal now
                )
            )
            if subject.term_markup and self.same:
                node = self.el(element, attrs)
                self.fill(node, subject.term_markup, context="phrase")
            elif subject.term_parts and self.version == "3":
                node = self.el(element, attrs)
                for part_type, text in subject.term_parts:
                    self.el("part", [("localtype", part_type or None)], text or None, parent=node)
            else:
                node = self.el(element, attrs, subject.term or None)
            entries.append((subject.group, node))
        ca_extras = [e for e in extras if e.where == "controlaccess"]
        heading = next((t for k, t in headings if k == "controlaccess"), None)
        if not entries and not ca_extras and heading is None:
            return None
        ca = self.el("controlaccess", self.attrs(ca_attrs))
        if heading is not None:
            self.el("head", heading_attributes or [], heading, parent=ca)
        groups: dict[str, Any] = {}
        for extra in ca_extras:
            node = self.extra_element(extra)
            if node is None and self.visible(extra.published) and self.extra_text(extra):
                node = self.el("p", text=self.extra_text(extra))
            if node is not None:
                ca.append(node)
        for group, node in entries:
            if group is None:
                ca.append(node)
                continue
            if group not in groups:
                found = next((a for g, a in group_attributes if g == group), ())
                groups[group] = self.el("controlaccess", self.attrs(found), parent=ca)
                if group:
                    self.el("head", text=group, parent=groups[group])
            groups[group].append(node)
        if len([c for c in ca if c.tag != self.q("head")]) == 0:
            self.el("p", parent=ca)
        return ca

    def digital_objects(self, objects: tuple[DigitalObject, ...], *, in_did: bool) -> list[Any]:
        out: list[Any] = []
        current_group: str | None = None
        group_node = None
        for obj in objects:
            if not self.visible(obj.published):
                continue
            link = [
                (f"{{{XLINK_NS}}}href", self.link_target(obj.href)),
                (f"{{{XLINK_NS}}}role", obj.role),
                (f"{{{XLINK_NS}}}title", obj.title),
                (f"{{{XLINK_NS}}}show", obj.show),
                (f"{{{XLINK_NS}}}actuate", obj.actuate),
                self.audience(obj.published),
            ]
            # (``conform`` fits show/actuate values to the schema: "onrequest" is onRequest)
            if obj.group is None:
                group_node = None
                current_group = None
                node = self.el(
                    "dao",
                    # (``conform`` leaves out what the schema does not take on a dao)
                    [*link, *self.attrs(obj.extra)],
                )
                if obj.description:
                    self.fill(self.el("daodesc", parent=node), obj.description)
                out.append(node)
                continue
            if obj.group != current_group or group_node is None:
                current_group = obj.group
                group_node = self.el(
                    "daogrp",
                    # (the link types the schema fixes for a group and its locators)
                    [
                        (f"{{{XLINK_NS}}}type", "extended"),
                        self.audience(obj.published),
                        *self.attrs(obj.group_attributes),
                    ]
                    if self.version == "2002"
                    else [self.audience(obj.published)],
                )
                out.append(group_node)
            if obj.group_description:
                desc = self.el("daodesc")
                self.fill(desc, obj.group_description)
                group_node.insert(0, desc)
            if self.same:
                for xml in obj.group_links:  # the extended link's resources and arcs
                    group_node.append(
                        namespaced(parse_fragment(xml)[0], self.namespace, version=self.version)
                    )
            if obj.href is not None:
                extra = dict(obj.extra)
                # (its own label, which the group's arcs name, else one made up)
                label = extra.pop("label", None) if self.same else None
                node = self.el(
                    "daoloc",
                    [
                        (f"{{{XLINK_NS}}}type", "locator"),
                        *link,
                        *self.attrs(tuple(extra.items()), drop={"linktype"}),
                    ],
                    parent=group_node,
                )
                if node.get(f"{{{XLINK_NS}}}href") is None:
                    # a script URL left out of a public export: the locator keeps its title
                    # and description; its href is required, and "" leads nowhere
                    node.set(f"{{{XLINK_NS}}}href", "")
                node.set(f"{{{XLINK_NS}}}label", label or f"loc{len(group_node)}")
                if obj.description:
                    self.fill(self.el("daodesc", parent=node), obj.description)
        for node in out:
            if node.tag == self.q("daogrp") and node.find(self.q("daoloc")) is None:
                self.el("daoloc", parent=node)
        return out


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["Writer2002", "write_ead2002", "Record", "Output"]
