"""Write an :class:`~archive.eac.records.AuthorityRecord` as EAC-CPF 2010.

Strict on the way out: a value the schema would refuse is never copied from a record that
got away with it. An ISO date that is no ``xs:date``/``gYear``/``gYearMonth`` keeps its text
and loses its ``standardDate``; a ``recordId`` that is no NMTOKEN (an ark URL) is written
with the characters NMTOKEN refuses replaced by "-", the original kept as an
``otherRecordId``; a relation type outside the schema's list is left out (its words stay in
the relation's note). The caller still validates the result against ``cpf.xsd``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from lxml import etree

from archive.ead.markup import parse_fragment
from archive.ead.parsing import XLINK_NS, XML_NS

from .reader import EAC_NS, ENTITY_TYPES
from .records import AuthorityRecord, Date, Identifier, Name, Relation, Term

CPF_RELATION_TYPES = frozenset(
    "identity hierarchical hierarchical-parent hierarchical-child temporal temporal-earlier "
    "temporal-later family associative".split()
)
RESOURCE_RELATION_TYPES = frozenset({"creatorOf", "subjectOf", "other"})
FUNCTION_RELATION_TYPES = frozenset({"controls", "owns", "performs"})

_NMTOKEN_BAD = re.compile(r"[^\w.\-:]")
_ISO = re.compile(r"^(-?\d{4,})(?:-(\d{2})(?:-(\d{2}))?)?$")
_LANGUAGE = re.compile(r"^[a-z]{3}$")
_SCRIPT = re.compile(r"^[A-Z][a-z]{3}$")


def nmtoken(value: str) -> str:
    """``value`` with the characters an ``xs:NMTOKEN`` refuses replaced by "-"."""
    return _NMTOKEN_BAD.sub("-", value.strip()) or "record"


def is_nmtoken(value: str) -> bool:
    return bool(value) and not _NMTOKEN_BAD.search(value)


def standard_date(value: str) -> str:
    """``value`` when it is a valid ``xs:gYear``, ``gYearMonth`` or ``date``, else ""."""
    match = _ISO.match(value.strip())
    if not match:
        return ""
    year, month, day = match.groups()
    if month and not 1 <= int(month) <= 12:
        return ""
    if day:
        try:
            dt.date(max(int(year), 1), int(month), int(day))
        except ValueError:
            return ""
    if int(year) == 0:  # (year 0000 is no xs:gYear)
        return ""
    return value.strip()


class _Builder:
    def __init__(self) -> None:
        self.nsmap = {None: EAC_NS, "xlink": XLINK_NS}

    def el(self, parent: Any, name: str, text: str | None = None, **attrs: str) -> Any:
        node = etree.SubElement(parent, f"{{{EAC_NS}}}{name}")
        for key, value in attrs.items():
            if value:
                node.set(key, value)
        if text is not None:
            node.text = text
        return node


def write_eac(record: AuthorityRecord, *, revised: dt.datetime, agent: str = "Fonds") -> bytes:
    """The record as an EAC-CPF document (UTF-8 bytes with an XML declaration).

    ``revised`` is when the description was last changed (the maintenance event written);
    ``agent`` names the system writing it.
    """
    b = _Builder()
    root = etree.Element(f"{{{EAC_NS}}}eac-cpf", nsmap=b.nsmap)
    _control(b, root, record, revised, agent)
    description = b.el(root, "cpfDescription")
    _identity(b, description, record)
    _description(b, description, record)
    _relations(b, description, record.relations)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _control(
    b: _Builder, root: Any, record: AuthorityRecord, revised: dt.datetime, agent: str
) -> None:
    control = b.el(root, "control")
    record_id = nmtoken(record.record_id or "record")
    b.el(control, "recordId", record_id)
    others = list(record.other_record_ids)
    if record.record_id and record_id != record.record_id:
        if record.record_id not in {o.value for o in others}:
            others.insert(0, Identifier(record.record_id, "recordId"))
    for other in others:
        b.el(control, "otherRecordId", other.value, localType=_uri(other.local_type))
    b.el(control, "maintenanceStatus", "revised")
    agency = b.el(control, "maintenanceAgency")
    if record.agency_code:
        b.el(agency, "agencyCode", record.agency_code)
    b.el(agency, "agencyName", record.maintenance_agency or agent)
    if _LANGUAGE.match(record.language or ""):
        declaration = b.el(control, "languageDeclaration")
        b.el(declaration, "language", record.language, languageCode=record.language)
        script = record.script if _SCRIPT.match(record.script or "") else "Latn"
        b.el(declaration, "script", script, scriptCode=script)
    history = b.el(control, "maintenanceHistory")
    event = b.el(history, "maintenanceEvent")
    b.el(event, "eventType", "revised")
    when = revised.replace(microsecond=0)
    b.el(event, "eventDateTime", when.date().isoformat(), standardDateTime=when.isoformat())
    b.el(event, "agentType", "machine")
    b.el(event, "agent", agent)
    if record.sources:
        sources = b.el(control, "sources")
        for text in record.sources:
            source = b.el(sources, "source")
            b.el(source, "sourceEntry", text)


def _identity(b: _Builder, parent: Any, record: AuthorityRecord) -> None:
    identity = b.el(parent, "identity")
    for entity_id in record.entity_ids:
        b.el(identity, "entityId", entity_id.value, localType=_uri(entity_id.local_type))
    entity_type = record.entity_type if record.entity_type in ENTITY_TYPES else "person"
    b.el(identity, "entityType", entity_type)
    names = [record.authorized_name, *record.variant_names]
    index = 0
    while index < len(names):
        name = names[index]
        if name.parallel:
            group = [name]
            while index + len(group) < len(names) and names[index + len(group)].parallel:
                group.append(names[index + len(group)])
            if len(group) > 1:
                wrapper = b.el(identity, "nameEntryParallel")
                for member in group:
                    _name(b, wrapper, member, authorized=False)
                index += len(group)
                continue
        _name(b, identity, name, authorized=index == 0)
        index += 1


def _name(b: _Builder, parent: Any, name: Name, *, authorized: bool) -> None:
    entry = b.el(parent, "nameEntry", localType=_uri(name.local_type), scriptCode=name.script)
    if name.lang:
        entry.set(f"{{{XML_NS}}}lang", name.lang)
    for part in name.parts:
        b.el(entry, "part", part.text, localType=_uri(part.local_type))
    if name.dates:
        _dates(b, b.el(entry, "useDates"), name.dates)
    form = "authorizedForm" if (name.authorized or authorized) else "alternativeForm"
    for rules in name.forms:
        if is_nmtoken(rules):
            b.el(entry, form, rules)


def _description(b: _Builder, parent: Any, record: AuthorityRecord) -> None:
    description = etree.Element(f"{{{EAC_NS}}}description")
    if record.exist_dates:
        exist = b.el(description, "existDates")
        _dates(b, exist, record.exist_dates)
        if record.exist_note:
            _note(b, exist, record.exist_note)
    if record.places:
        places = b.el(description, "places")
        for term in record.places:
            place = b.el(places, "place")
            if term.role:
                b.el(place, "placeRole", term.role)
            b.el(
                place,
                "placeEntry",
                term.text,
                localType=_uri(term.local_type),
                vocabularySource=_uri(term.vocabulary),
            )
            _term_tail(b, place, term)
    for wrapper, name, terms in (
        ("legalStatuses", "legalStatus", record.legal_statuses),
        ("functions", "function", record.functions),
        ("occupations", "occupation", record.occupations),
        # (no wrapper: <localDescriptions> requires a localType of its own)
        (None, "localDescription", record.local_descriptions),
    ):
        if terms:
            box = b.el(description, wrapper) if wrapper else description
            for term in terms:
                item = b.el(box, name, localType=_uri(term.local_type))
                b.el(item, "term", term.text, vocabularySource=_uri(term.vocabulary))
                _term_tail(b, item, term)
    if record.mandates:
        box = b.el(description, "mandates")
        for text in record.mandates:
            b.el(b.el(box, "mandate"), "citation", text)
    for name, fragment in (
        ("structureOrGenealogy", record.structure),
        ("generalContext", record.general_context),
        ("biogHist", record.biography),
    ):
        if fragment.strip():
            _discursive(b, b.el(description, name), fragment)
    if len(description):
        parent.append(description)


def _term_tail(b: _Builder, item: Any, term: Term) -> None:
    if term.dates:
        _dates(b, item, term.dates)
    if term.note:
        _note(b, item, term.note)


def _relations(b: _Builder, parent: Any, relations: Iterable[Relation]) -> None:
    ordered = sorted(relations, key=lambda r: ("cpf", "resource", "function").index(r.kind))
    if not ordered:
        return
    box = b.el(parent, "relations")
    allowed = {
        "cpf": CPF_RELATION_TYPES,
        "resource": RESOURCE_RELATION_TYPES,
        "function": FUNCTION_RELATION_TYPES,
    }
    for relation in ordered:
        name = f"{relation.kind}Relation"
        node = b.el(box, name)
        if relation.relation_type in allowed[relation.kind]:
            node.set(f"{name}Type", relation.relation_type)
        if relation.href:
            node.set(f"{{{XLINK_NS}}}href", relation.href)
        if relation.arcrole:
            node.set(f"{{{XLINK_NS}}}arcrole", relation.arcrole)
        if relation.role:
            node.set(f"{{{XLINK_NS}}}role", relation.role)
        if relation.href or relation.arcrole or relation.role:
            node.set(f"{{{XLINK_NS}}}type", "simple")
        if relation.entry:
            b.el(node, "relationEntry", relation.entry)
        if relation.dates:
            _dates(b, node, relation.dates)
        note = relation.note
        if relation.relation_type and relation.relation_type not in allowed[relation.kind]:
            note = f"{note} ({relation.relation_type})".strip()
        if note:
            _note(b, node, note)


def _note(b: _Builder, parent: Any, text: str) -> None:
    b.el(b.el(parent, "descriptiveNote"), "p", text)


def _dates(b: _Builder, parent: Any, dates: tuple[Date, ...]) -> None:
    """One ``date``/``dateRange``, or a ``dateSet`` of them (the schema allows one)."""
    holder = b.el(parent, "dateSet") if len(dates) > 1 else parent
    for date in dates:
        if date.ranged:
            node = b.el(holder, "dateRange")
            if date.text or date.standard:
                b.el(
                    node,
                    "fromDate",
                    date.text or date.standard,
                    standardDate=standard_date(date.standard),
                )
            if date.to_text or date.to_standard:
                b.el(
                    node,
                    "toDate",
                    date.to_text or date.to_standard,
                    standardDate=standard_date(date.to_standard),
                )
        else:
            b.el(
                holder,
                "date",
                date.text or date.standard,
                standardDate=standard_date(date.standard),
            )


def _uri(value: str) -> str:
    """A ``localType``/``vocabularySource`` value (``xs:anyURI``): spaces are escaped."""
    return value.strip().replace(" ", "%20")


# --------------------------------------------------------------------------- discursive text


def _discursive(b: _Builder, parent: Any, fragment: str) -> None:
    """A stored fragment (EAD 2002 names) as EAC ``p``, ``list`` and ``chronList``.

    A fragment with no element, or one that is not well-formed (typed in the admin), is
    plain text: its blank lines separate paragraphs.
    """
    try:
        root = parse_fragment(fragment) if "<" in fragment or "&" in fragment else None
    except etree.XMLSyntaxError:
        root = None
    if root is None or not len(root):
        text = fragment if root is None else "".join(root.itertext())
        for paragraph in re.split(r"\n\s*\n", text):
            if paragraph.strip():
                b.el(parent, "p", " ".join(paragraph.split()))
        return
    if (root.text or "").strip():
        b.el(parent, "p", " ".join(root.text.split()))
    for child in root:
        _block(b, parent, child)
        if (child.tail or "").strip():
            b.el(parent, "p", " ".join(child.tail.split()))


def _block(b: _Builder, parent: Any, el: Any) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag == "list":
        node = b.el(parent, "list")
        items = [c for c in el if c.tag == "item"] or [el]
        for item in items:
            _inline(b, b.el(node, "item"), item)
    elif tag == "chronlist":
        node = b.el(parent, "chronList")
        for item in el.iter("chronitem"):
            chron = b.el(node, "chronItem")
            date = item.find("date")
            _chron_date(b, chron, date)
            events = [" ".join("".join(e.itertext()).split()) for e in item.iter("event")]
            b.el(chron, "event", " ".join(e for e in events if e))
    elif tag:  # p, head, and any other block: a paragraph, unless it holds blocks itself
        if tag in ("p", "head") or not any(c.tag in ("p", "list", "chronlist") for c in el):
            _inline(b, b.el(parent, "p"), el)
        else:
            for child in el:
                _block(b, parent, child)


def _chron_date(b: _Builder, chron: Any, date: Any) -> None:
    text = " ".join("".join(date.itertext()).split()) if date is not None else ""
    normal = date.get("normal", "") if date is not None else ""
    if "/" in normal:
        start, end = normal.split("/", 1)
        node = b.el(chron, "dateRange")
        b.el(node, "fromDate", text or start, standardDate=standard_date(start))
        if end:
            b.el(node, "toDate", end, standardDate=standard_date(end))
    else:
        b.el(chron, "date", text or normal, standardDate=standard_date(normal))


def _inline(b: _Builder, node: Any, el: Any) -> None:
    """Mixed content of a paragraph or item: text, with each child element as a ``span``
    holding its words (a list nested in an item too: EAC's items hold no lists)."""
    node.text = el.text
    last = None
    for child in el:
        if not isinstance(child.tag, str):
            continue
        span = b.el(node, "span", " ".join("".join(child.itertext()).split()))
        if child.tag in ("emph", "title"):
            span.set("style", "font-style:italic")
        span.tail = child.tail
        last = span
    if last is None and not (node.text or "").strip():
        node.text = " ".join("".join(el.itertext()).split())
