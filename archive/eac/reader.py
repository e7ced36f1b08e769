"""Read an EAC-CPF 2010 record into an :class:`~archive.eac.records.AuthorityRecord`.

Forgiving: real records break schema rules (an ark URL as ``recordId``, a missing
``entityType``, an empty ``<part/>``); what can be read is read and each lapse becomes a
warning naming the line. What cannot be an authority record at all (not XML, another root,
no name) is refused with :class:`EACError`, naming file and line.

Safe: the parser is :func:`archive.ead.parsing.safe_parser` (no DTD, no entities, no network),
and a record that declares a DOCTYPE is refused outright: an EAC-CPF record never needs one,
and refusing it keeps entity tricks out of the database whatever the parser would do.
Records are small (the largest of the corpus is 100 kB), so the whole tree is read at once;
past :data:`MAX_BYTES` a file is refused before parsing.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from archive.ead.parsing import XLINK_NS, XML_NS, Source, location, open_source, safe_parser

from .records import AuthorityRecord, Date, Identifier, Name, NamePart, Relation, Term, Warning_

EAC_NS = "urn:isbn:1-931666-33-4"
MAX_BYTES = 20 * 1024 * 1024
ENTITY_TYPES = frozenset({"person", "family", "corporateBody"})

# biogHist / structureOrGenealogy elements and the neutral (EAD 2002) names they are stored as.
BLOCK_NAMES = {
    "p": "p",
    "citation": "p",
    "abstract": "p",
    "list": "list",
    "item": "item",
    "outline": "list",
    "level": "item",
    "chronList": "chronlist",
    "chronItem": "chronitem",
    "event": "event",
    "span": "emph",
}


class EACError(Exception):
    """The file cannot be read as an authority record; the message names file and line."""

    def __init__(self, reason: str, *, filename: str | None, line: int | None = None) -> None:
        self.reason = reason
        self.filename = filename
        self.line = line
        super().__init__(f"{location(filename, line)}: {reason}")


def read_eac(source: Source, *, filename: str | None = None) -> AuthorityRecord:
    """Parse one EAC-CPF file (path, bytes or binary stream) into a neutral record."""
    stream, owned, name = open_source(source)
    name = filename or name
    try:
        data = stream.read(MAX_BYTES + 1)
    finally:
        if owned:
            stream.close()
    if len(data) > MAX_BYTES:
        raise EACError(f"the file is larger than {MAX_BYTES // 1024 // 1024} MB", filename=name)
    try:
        tree = etree.fromstring(data, safe_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        reason = (exc.msg or str(exc)).split(" (line ")[0]
        raise EACError(f"not well-formed XML: {reason}", filename=name, line=line) from exc
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise EACError(
            "the file declares a DOCTYPE; EAC-CPF records need none and it is refused",
            filename=name,
            line=1,
        )
    return _Reader(name).read(tree.getroot())


def _local(el: Any) -> str:
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _text(el: Any) -> str:
    """The element's words, whitespace collapsed (child elements' text included)."""
    if el is None:
        return ""
    return " ".join("".join(el.itertext()).split())


class _Reader:
    def __init__(self, filename: str | None) -> None:
        self.filename = filename
        self.warnings: list[Warning_] = []

    def warn(self, el: Any, message: str) -> None:
        self.warnings.append(Warning_(message, getattr(el, "sourceline", None)))

    # -- helpers over the EAC namespace (records without a namespace are read too) ----------

    def children(self, el: Any, name: str) -> list[Any]:
        return [c for c in el if _local(c) == name]

    def child(self, el: Any, name: str) -> Any:
        for c in el:
            if _local(c) == name:
                return c
        return None

    def child_text(self, el: Any, name: str) -> str:
        return _text(self.child(el, name))

    # -- the record ----------------------------------------------------------------------

    def read(self, root: Any) -> AuthorityRecord:
        if _local(root) != "eac-cpf":
            raise EACError(
                f"the root element is <{_local(root) or root.tag}>, not <eac-cpf>",
                filename=self.filename,
                line=root.sourceline,
            )
        if etree.QName(root).namespace != EAC_NS:
            self.warn(root, f"the record is not in the EAC-CPF namespace {EAC_NS}; read anyway")
        control = self.child(root, "control")
        description = self.child(root, "cpfDescription")
        if description is None:
            multiple = self.child(root, "multipleIdentities")
            found = self.children(multiple, "cpfDescription") if multiple is not None else []
            if not found:
                raise EACError(
                    "the record has no <cpfDescription>", filename=self.filename, line=None
                )
            description = found[0]
            if len(found) > 1:
                self.warn(multiple, "only the first identity of <multipleIdentities> is read")
        identity = self.child(description, "identity")
        if identity is None:
            raise EACError(
                "the record has no <identity>", filename=self.filename, line=description.sourceline
            )
        fields: dict[str, Any] = {}
        if control is not None:
            fields.update(self.control(control))
        else:
            self.warn(root, "the record has no <control>")
        fields.update(self.identity(identity))
        desc = self.child(description, "description")
        if desc is not None:
            fields.update(self.description(desc))
        relations = self.child(description, "relations")
        if relations is not None:
            fields["relations"] = tuple(self.relation(r) for r in relations if _local(r))
        return AuthorityRecord(**fields, warnings=tuple(self.warnings), filename=self.filename)

    def control(self, control: Any) -> dict[str, Any]:
        record_id = self.child_text(control, "recordId")
        if not record_id:
            self.warn(control, "the record has no <recordId>")
        elif re.search(r"[^\w.\-:]", record_id):
            self.warn(
                self.child(control, "recordId"),
                f"the recordId {record_id!r} is not an NMTOKEN as the schema requires; kept, "
                "and exported with its other characters replaced",
            )
        agency = self.child(control, "maintenanceAgency")
        language = self.child(control, "languageDeclaration")
        lang = self.child(language, "language") if language is not None else None
        script = self.child(language, "script") if language is not None else None
        sources = []
        box = self.child(control, "sources")
        for source in self.children(box, "source") if box is not None else []:
            entries = [_text(e) for e in self.children(source, "sourceEntry")]
            text = " ".join(e for e in entries if e) or source.get(f"{{{XLINK_NS}}}href", "")
            if text:
                sources.append(text)
        return {
            "record_id": record_id,
            "other_record_ids": tuple(
                Identifier(_text(o), o.get("localType", ""))
                for o in self.children(control, "otherRecordId")
                if _text(o)
            ),
            "maintenance_agency": self.child_text(agency, "agencyName")
            if agency is not None
            else "",
            "agency_code": self.child_text(agency, "agencyCode") if agency is not None else "",
            "language": lang.get("languageCode", "") if lang is not None else "",
            "script": script.get("scriptCode", "") if script is not None else "",
            "sources": tuple(sources),
        }

    def identity(self, identity: Any) -> dict[str, Any]:
        entity_type = self.child_text(identity, "entityType")
        if entity_type not in ENTITY_TYPES:
            self.warn(
                self.child(identity, "entityType") if entity_type else identity,
                f"entity type {entity_type!r} is not person, family or corporateBody; "
                "read as person",
            )
            entity_type = "person"
        names: list[Name] = []
        for el in identity:
            kind = _local(el)
            if kind == "nameEntry":
                name = self.name(el)
                if name is not None:
                    names.append(name)
            elif kind == "nameEntryParallel":
                for entry in self.children(el, "nameEntry"):
                    name = self.name(entry, parallel=True)
                    if name is not None:
                        names.append(name)
        if not names:
            raise EACError(
                "the record names no one: no <nameEntry> with text",
                filename=self.filename,
                line=identity.sourceline,
            )
        return {
            "entity_type": entity_type,
            "names": tuple(names),
            "entity_ids": tuple(
                Identifier(_text(e), e.get("localType", ""))
                for e in self.children(identity, "entityId")
                if _text(e)
            ),
        }

    def name(self, entry: Any, *, parallel: bool = False) -> Name | None:
        parts = tuple(
            NamePart(_text(p), p.get("localType", ""))
            for p in self.children(entry, "part")
            if _text(p)
        )
        if not parts:
            self.warn(entry, "a <nameEntry> without text is left out")
            return None
        authorized = self.children(entry, "authorizedForm") + self.children(entry, "preferredForm")
        alternative = self.children(entry, "alternativeForm")
        use = self.child(entry, "useDates")
        local_type = entry.get("localType", "")
        return Name(
            parts=parts,
            dates=self.dates(use) if use is not None else (),
            authorized=bool(authorized) or "autoris" in local_type.lower(),
            forms=tuple(_text(f) for f in authorized + alternative if _text(f)),
            local_type=local_type,
            lang=entry.get(f"{{{XML_NS}}}lang", ""),
            script=entry.get("scriptCode", ""),
            parallel=parallel,
        )

    def dates(self, holder: Any) -> tuple[Date, ...]:
        """Every date of ``holder``'s date, dateRange or dateSet child."""
        found: list[Date] = []
        for el in holder:
            kind = _local(el)
            if kind == "dateSet":
                found.extend(self.dates(el))
            elif kind == "date":
                found.append(Date(_text(el), el.get("standardDate", "")))
            elif kind == "dateRange":
                start, end = self.child(el, "fromDate"), self.child(el, "toDate")
                found.append(
                    Date(
                        _text(start),
                        start.get("standardDate", "") if start is not None else "",
                        ranged=True,
                        to_text=_text(end),
                        to_standard=end.get("standardDate", "") if end is not None else "",
                    )
                )
        return tuple(found)

    def description(self, desc: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        places: list[Term] = []
        occupations: list[Term] = []
        functions: list[Term] = []
        statuses: list[Term] = []
        local: list[Term] = []
        mandates: list[str] = []
        biography: list[str] = []
        for el in desc:
            kind = _local(el)
            if kind == "existDates":
                out["exist_dates"] = self.dates(el)
                out["exist_note"] = self.child_text(el, "descriptiveNote")
            elif kind in ("places", "place"):
                for place in [el] if kind == "place" else self.children(el, "place"):
                    places.extend(self.place(place))
            elif kind in ("occupations", "occupation"):
                occupations.extend(self.terms(el, "occupation"))
            elif kind in ("functions", "function"):
                functions.extend(self.terms(el, "function"))
            elif kind in ("legalStatuses", "legalStatus"):
                statuses.extend(self.terms(el, "legalStatus"))
            elif kind in ("localDescriptions", "localDescription"):
                local.extend(self.terms(el, "localDescription"))
            elif kind in ("mandates", "mandate"):
                for mandate in [el] if kind == "mandate" else self.children(el, "mandate"):
                    if _text(mandate):
                        mandates.append(_text(mandate))
            elif kind == "biogHist":
                biography.append(self.fragment(el))
            elif kind == "structureOrGenealogy":
                out["structure"] = self.fragment(el)
            elif kind == "generalContext":
                out["general_context"] = self.fragment(el)
        out.update(
            places=tuple(places),
            occupations=tuple(occupations),
            functions=tuple(functions),
            legal_statuses=tuple(statuses),
            local_descriptions=tuple(local),
            mandates=tuple(mandates),
            biography="".join(biography),
        )
        return out

    def place(self, place: Any) -> list[Term]:
        role = self.child_text(place, "placeRole")
        dates = self.dates(place)
        note = self.child_text(place, "descriptiveNote")
        return [
            Term(
                _text(entry),
                entry.get("vocabularySource", ""),
                entry.get("localType", ""),
                role=role,
                dates=dates,
                note=note,
            )
            for entry in self.children(place, "placeEntry")
            if _text(entry)
        ]

    def terms(self, el: Any, name: str) -> list[Term]:
        found = []
        for item in [el] if _local(el) == name else self.children(el, name):
            term = self.child(item, "term")
            text = _text(term)
            if not text:
                continue
            found.append(
                Term(
                    text,
                    term.get("vocabularySource", ""),
                    item.get("localType", ""),
                    dates=self.dates(item),
                    note=self.child_text(item, "descriptiveNote"),
                )
            )
        return found

    def relation(self, el: Any) -> Relation:
        kind = {
            "cpfRelation": "cpf",
            "resourceRelation": "resource",
            "functionRelation": "function",
        }
        relation_kind = kind.get(_local(el))
        if relation_kind is None:
            self.warn(el, f"<{_local(el)}> in <relations> is not read")
            relation_kind = "cpf"
        entries = [_text(e) for e in self.children(el, "relationEntry")]
        return Relation(
            kind=relation_kind,
            entry=" ".join(e for e in entries if e),
            relation_type=el.get(f"{_local(el)}Type", ""),
            href=el.get(f"{{{XLINK_NS}}}href", ""),
            arcrole=el.get(f"{{{XLINK_NS}}}arcrole", ""),
            role=el.get(f"{{{XLINK_NS}}}role", ""),
            dates=self.dates(el),
            note=self.child_text(el, "descriptiveNote"),
            line=el.sourceline,
        )

    # -- discursive text --------------------------------------------------------------------

    def fragment(self, el: Any) -> str:
        """``biogHist`` (or another discursive element) as a neutral markup fragment."""
        parts = []
        for child in el:
            built = self.neutral(child)
            if built is not None:
                parts.append(etree.tostring(built, encoding="unicode", with_tail=False))
        return "".join(parts)

    def neutral(self, el: Any) -> Any:
        """The EAD 2002 (no namespace) element standing for one EAC discursive element."""
        kind = _local(el)
        if kind == "chronItem":
            return self.chron_item(el)
        name = BLOCK_NAMES.get(kind)
        if name is None:
            if not kind:
                return None
            self.warn(el, f"<{kind}> is kept as a paragraph")
            name = "p"
        out = etree.Element(name)
        if kind in ("span", "p", "citation", "abstract"):  # mixed content: spans within text
            out.text = el.text
            for child in el:
                inner = self.neutral(child) if _local(child) == "span" else None
                if inner is None:
                    inner = etree.Element("emph")
                    inner.text = _text(child)
                inner.tail = child.tail
                out.append(inner)
            return out
        for child in el:
            if _local(child) == "level":  # an outline's level: its items and sub-levels
                nested = etree.SubElement(out, "item")
                nested.text = self.child_text(child, "item")
                sub = [c for c in child if _local(c) == "level"]
                if sub:
                    nested_list = etree.SubElement(nested, "list")
                    for level in sub:
                        nested_list.append(self.neutral(level))
                continue
            built = self.neutral(child)
            if built is not None:
                out.append(built)
        if not len(out):
            out.text = " ".join((el.text or "").split()) if kind == "item" else el.text
        return out

    def chron_item(self, el: Any) -> Any:
        item = etree.Element("chronitem")
        dates = self.dates(el)
        date = etree.SubElement(item, "date")
        if dates:
            d = dates[0]
            date.text = d.label()
            normal = d.standard or d.to_standard
            if d.ranged and d.standard and d.to_standard:
                normal = f"{d.standard}/{d.to_standard}"
            if normal:
                date.set("normal", normal)
        event = etree.SubElement(item, "event")
        event.text = self.child_text(el, "event")
        for place in self.children(el, "placeEntry"):
            geog = etree.SubElement(event, "geogname")
            geog.text = _text(place)
            geog.tail = " "
        return item
