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
from .headers import FILEDESC_ORDER, HEADER_ATTRIBUTES
from .layout import UnitLayout
from .markup import fragment_plain_text, namespaced, parse_fragment
from .parsing import EAD2002_NS, XLINK_NS, XSI_NS
from .records import DigitalObject, ExtraElement, FindingAid, Language, Note, Record, Unit
from .writing import Output, valid_normal

SCHEMA_LOCATION = f"{EAD2002_NS} http://www.loc.gov/ead/ead.xsd"
_LINK = {"href", "role", "title", "show", "actuate", "arcrole", "linktype"}
_EADID_ATTRIBUTES = {
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
}


def write_ead2002(
    records: Iterable[Record], out: Output, *, include_unpublished: bool = False
) -> None:
    """Write the record stream as EAD 2002 to a path or binary file object."""
    Writer2002(include_unpublished=include_unpublished).write(records, out)


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


class Writer2002(UnitLayout):
    """EAD 2002: the shared layout with 2002's names (its tables below), ``<eadheader>``,
    extents as ``<physdesc>``, languages with codes only, ``<daogrp>``/``<daoloc>``."""

    version = "2002"
    namespace = EAD2002_NS
    nsmap = {None: EAD2002_NS, "xlink": XLINK_NS, "xsi": XSI_NS}

    same_without_header = True
    title_required = True
    phrase_notes = frozenset(
        {
            "abstract",
            "physloc",
            "materialspec",
            "langmaterial",
            "physfacet",
            "dimensions",
            "legalstatus",
        }
    )
    note_names = {"did_note": "note"}
    date_type_attribute = "type"
    container_type_attribute = "type"
    barcode_attribute = None
    filing_attribute = "type"

    # -- attributes ----------------------------------------------------------------------

    def attribute(self, key: str, value: str) -> tuple[str, str] | None:
        """A code fitted to the 2008 schema's list, a link attribute in the xlink namespace."""
        fixed = fix_code(key, value)
        if fixed is None:
            return None
        if key in _LINK:
            key = f"{{{XLINK_NS}}}{'type' if key == 'linktype' else key}"
        return key, fixed

    def root_attributes(self, header: FindingAid) -> dict[str, str]:
        # all of them: the writer keeps those the schema takes and says which it left out
        attrs = {k: v for k, v in header.root_attributes if k != "schemaLocation"}
        attrs[f"{{{XSI_NS}}}schemaLocation"] = SCHEMA_LOCATION
        return attrs

    # -- header --------------------------------------------------------------------------

    def header_element(self, h: FindingAid) -> Any:
        """``<eadheader>``: eadid, file description, profile, revisions and, from a 2002
        source, the header's other elements."""
        attrs = [(k, v) for k, v in h.header_attributes if k in HEADER_ATTRIBUTES]
        if h.status:
            attrs.append(("findaidstatus", "".join(h.status.split())))
        header = self.el("eadheader", attrs)
        self.eadid(header, h)
        extras = self.group_extras(h.extra)
        self.filedesc(header, h, extras)
        self.profiledesc(header, h, extras)
        self.revisiondesc(header, h, extras)
        if self.same:
            for extra in extras.get("header", []):
                node = self.extra_element(extra)
                if node is not None:
                    header.append(node)
        return header

    def eadid(self, header: Any, h: FindingAid) -> None:
        id_attrs = [(k, v) for k, v in self.attrs(h.ead_id_attributes) if k in _EADID_ATTRIBUTES]
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

    def filedesc(self, header: Any, h: FindingAid, extras: dict[str, list[ExtraElement]]) -> None:
        filedesc = self.el("filedesc", parent=header)
        self.title_statement(filedesc, h, extras.get("titlestmt", []), kept_first=True)
        self.edition_statement(filedesc, h, extras.get("editionstmt", []), ["edition", "p"])
        self.publication_statement(filedesc, h, extras.get("publicationstmt", []))
        notes: list[tuple[str, bool]] = []
        for extra in extras.get("filedesc", []):
            node = self.extra_element(extra)
            if node is not None:
                filedesc.append(node)
            else:
                notes.extend(self.extra_texts(extra))
        notes += self.header_notes(h, extras)
        if notes:
            self.note_list(filedesc, "note", notes)
        self.reorder(filedesc, FILEDESC_ORDER)

    def header_notes(
        self, h: FindingAid, extras: dict[str, list[ExtraElement]]
    ) -> list[tuple[str, bool]]:
        """What an EAD3 source's control says that EAD 2002 has no element for, as notes
        ``(text, published)`` of the file description."""
        notes: list[tuple[str, bool]] = []
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
        return notes

    def creation(self, h: FindingAid) -> str | None:
        """The creation statement; from an EAD3 source, its "created" event in words."""
        if h.creation or self.same:
            return h.creation
        created = [r for r in h.revisions if r.event_type == "created"]
        if created and self.visible(created[0].published):
            r = created[0]
            return _esc(" ".join(x for x in (r.agent, r.event_text, r.description, r.date) if x))
        return h.creation

    def profiledesc(
        self, header: Any, h: FindingAid, extras: dict[str, list[ExtraElement]]
    ) -> None:
        creation = self.creation(h)
        if not (creation or h.language_of_description or h.rules or extras.get("profiledesc")):
            return
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

    def revisiondesc(
        self, header: Any, h: FindingAid, extras: dict[str, list[ExtraElement]]
    ) -> None:
        revisions = [
            r
            for r in h.revisions
            if (self.same or r.event_type != "created") and self.visible(r.published)
        ]
        if not revisions and not extras.get("revisiondesc"):
            return
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

    # -- units ---------------------------------------------------------------------------

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

    def note_attributes(self, note: Note) -> list[tuple[str, str]]:
        return self.attrs(note.attributes)

    def note(self, note: Note) -> Any:
        if note.note_type != "legalstatus":
            return super().note(note)
        # EAD 2002 has legal status only inside <accessrestrict> (phrase content, no head):
        # a bare accessrestrict holding the heading and the legalstatus, which the reader
        # recognises and reads back as the legalstatus note
        attrs = [("id", note.ref), self.audience(note.published), *self.note_attributes(note)]
        node = self.el("legalstatus", attrs)
        self.fill(node, note.content, context="phrase")
        wrapper = self.el("accessrestrict")
        if note.heading:
            self.el("head", text=note.heading, parent=wrapper)
        wrapper.append(node)
        return wrapper

    def extents(self, did: Any, unit: Unit) -> None:
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
                continue
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

    def languages(self, did: Any, unit: Unit, notes: list[Note]) -> None:
        """A ``<langmaterial>`` listing the visible languages, unless a statement says them."""
        languages = [lang for lang in unit.languages if self.visible(lang.published)]
        if languages and not any(n.note_type == "langmaterial" for n in notes):
            lm = self.el("langmaterial", parent=did)
            for lang in languages:
                self.language(lm, lang)

    def language(self, lm: Any, lang: Language) -> None:
        self.el(
            "language",
            [
                ("langcode", fix_code("langcode", lang.code or "")),
                ("scriptcode", fix_code("scriptcode", lang.script or "")),
            ],
            language_text(lang) or None,
            parent=lm,
        )

    def did_note(self, did: Any, unit: Unit, note: Note) -> None:
        if note.note_type == "langmaterial" and not self.same:
            self.language_statement(did, unit, note)
        elif note.note_type in ("physfacet", "dimensions"):
            physdesc = self.el("physdesc", parent=did)
            node = self.el(note.note_type, parent=physdesc)
            self.fill(node, note.content, context="phrase")
        else:
            super().did_note(did, unit, note)

    def language_statement(self, did: Any, unit: Unit, note: Note) -> None:
        """A language statement of an EAD3 source with the languages it may list."""
        lm = self.el("langmaterial", [self.audience(note.published)], parent=did)
        # (which language belongs to which statement is not kept: a public statement lists
        # the public languages, an internal one the internal languages)
        own = [
            lang
            for lang in unit.languages
            if self.visible(lang.published) and lang.published == note.published
        ]
        for lang in own:
            self.language(lm, lang)
        rest = " ".join(fragment_plain_text(self.shown(note.content)).split())
        names = " ".join(lang.name for lang in own)
        if rest != " ".join(names.split()):
            last = lm[-1] if len(lm) else None
            if last is not None:
                last.tail = " " + rest
            else:
                lm.text = rest

    def did_text_note(self, did: Any, text: str, published: bool) -> None:
        note = self.el("note", parent=did)
        self.el("p", text=text, parent=note)

    # -- digital objects -----------------------------------------------------------------

    def link(self, obj: DigitalObject) -> list[tuple[str, str | None]]:
        # (``conform`` fits show/actuate values to the schema: "onrequest" is onRequest)
        return [
            (f"{{{XLINK_NS}}}href", self.link_target(obj.href)),
            (f"{{{XLINK_NS}}}role", obj.role),
            (f"{{{XLINK_NS}}}title", obj.title),
            (f"{{{XLINK_NS}}}show", obj.show),
            (f"{{{XLINK_NS}}}actuate", obj.actuate),
            self.audience(obj.published),
        ]

    def dao(self, obj: DigitalObject) -> Any:
        # (``conform`` leaves out what the schema does not take on a dao)
        node = self.el("dao", [*self.link(obj), *self.attrs(obj.extra)])
        if obj.description:
            self.fill(self.el("daodesc", parent=node), obj.description)
        return node

    def dao_group(self, obj: DigitalObject) -> Any:
        # (the link types the schema fixes for a group and its locators)
        return self.el(
            "daogrp",
            [
                (f"{{{XLINK_NS}}}type", "extended"),
                self.audience(obj.published),
                *self.attrs(obj.group_attributes),
            ],
        )

    def dao_member(self, group: Any, obj: DigitalObject) -> None:
        """The group's description and links, and ``obj`` as a ``<daoloc>`` when it has a
        link of its own."""
        if obj.group_description:
            desc = self.el("daodesc")
            self.fill(desc, obj.group_description)
            group.insert(0, desc)
        if self.same:
            for xml in obj.group_links:  # the extended link's resources and arcs
                group.append(
                    namespaced(parse_fragment(xml)[0], self.namespace, version=self.version)
                )
        if obj.href is None:
            return
        extra = dict(obj.extra)
        # (its own label, which the group's arcs name, else one made up)
        label = extra.pop("label", None) if self.same else None
        node = self.el(
            "daoloc",
            [
                (f"{{{XLINK_NS}}}type", "locator"),
                *self.link(obj),
                *self.attrs(tuple(extra.items()), drop={"linktype"}),
            ],
            parent=group,
        )
        if node.get(f"{{{XLINK_NS}}}href") is None:
            # a script URL left out of a public export: the locator keeps its title and
            # description; its href is required, and "" leads nowhere
            node.set(f"{{{XLINK_NS}}}href", "")
        node.set(f"{{{XLINK_NS}}}label", label or f"loc{len(group)}")
        if obj.description:
            self.fill(self.el("daodesc", parent=node), obj.description)

    def finish_dao_groups(self, out: list[Any]) -> list[Any]:
        for node in out:
            if node.tag == self.q("daogrp") and node.find(self.q("daoloc")) is None:
                self.el("daoloc", parent=node)
        return out


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["Writer2002", "write_ead2002", "Record", "Output"]
