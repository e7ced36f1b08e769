"""Reading a unit's ``<did>``: identifiers, title, dates, extents, containers, languages,
and the notes and names it holds."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from .. import mapping
from ..markup import fragment_from_element, local_name, normalise_space, plain_text
from ..records import Container, Date, Extent, Language
from .access import AccessReading
from .base import (
    _EXTERNAL,
    _NO_ATTRIBUTES,
    _attrs,
    _elements,
    _external,
    _extra,
    _fragment,
    _internal_within,
    _public_text,
    _published,
    _replace,
    _text,
    _UnitState,
    _unmapped,
    _verbatim,
)
from .notes import NotesReading

_ISO_DATE = re.compile(r"^-?\d{4}(-\d{2}(-\d{2})?)?$")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_EXTENT_RE = re.compile(r"^\s*(\.?[0-9][0-9.,/ ]*?)\s+(\S.*?)\s*$")
_BARCODE_RE = re.compile(r"[\[(]\s*(\d{6,})\s*[\])]")

# Attributes that become fields of a record (the others are kept in its ``attributes``).
_DATE_MAPPED = frozenset(
    {"normal", "type", "unitdatetype", "certainty", "calendar", "era", "datechar", "audience"}
)
_CONTAINER_MAPPED = frozenset(
    {"id", "parent", "type", "localtype", "label", "containerid", "audience"}
)


class DidReading(NotesReading, AccessReading):
    """The ``<did>`` of a unit, turned into the unit's fields."""

    def _did(self, state: _UnitState, did: Any) -> None:
        v = self.version or "2002"
        f = state.fields
        f["did_attributes"] = _attrs(did)
        did_notes = mapping.DID_NOTE_ELEMENTS[v]
        identifier_fragments: list[str] = []
        marked_identifier = False
        for position, el in enumerate(did.iterchildren(etree.Element)):
            name = local_name(el)
            if name == "container":
                state.add("containers", self._container(el))
            elif name == "head":
                state.add("headings", ("did", _text(el)))
                if _attrs(el):
                    state.add("heading_attributes", ("did", _attrs(el)))
            elif name == "unitid":
                value = _text(el)
                if "identifier" not in f:
                    f["identifier"] = value
                    f["identifier_attributes"] = _attrs(el)
                else:
                    f.setdefault("other_identifiers", []).append((value, _attrs(el)))
                identifier_fragments.append(_fragment(el, v))
                marked_identifier = marked_identifier or len(el) > 0
            elif name == "unittitle" and "title" not in f:
                f["title"] = _fragment(el, v)
                f["title_text"] = _public_text(el) if len(el) else _text(el)
                f["title_attributes"] = _attrs(el)
            elif name == "unitdate":
                state.add("dates", self._date(el))
            elif name == "unitdatestructured":
                for date in self._structured_dates(el):
                    state.add("dates", date)
            elif name == "physdesc":
                state.add("extents", self._physdesc(el))
            elif name == "physdescstructured":
                state.add("extents", self._physdescstructured(el))
            elif name == "physdescset":
                self._physdescset(state, el)
            elif name in did_notes:
                self._did_note(state, el, name, did_notes[name], position)
            elif name == "origination":
                agents = self._origination(el)
                for agent in agents:
                    state.add("agents", agent)
                if not agents:
                    self._did_extra(state, el, position)
            elif name == "repository":
                f["repository_name"] = repository_name(el)
                self._did_extra(state, el, position)
            elif name in ("dao", "daogrp", "daoset"):
                for obj in self._digital_objects(el, name):
                    state.add("digital_objects", obj)
            else:
                self._did_extra(state, el, position)
        if marked_identifier:
            f["identifier_fragments"] = tuple(identifier_fragments)
        if "title" not in f:
            f["title"] = ""
            f["title_text"] = ""

    def _did_extra(self, state: _UnitState, el: Any, position: int) -> None:
        state.add("extra", _extra(el, "did", position, self.version or "2002"))

    def _physdescset(self, state: _UnitState, el: Any) -> None:
        """The extents of a ``<physdescset>``; the first carries the set's attributes."""
        set_attributes = _attrs(el)
        for sub in _elements(el):
            if local_name(sub) == "physdescstructured":
                extent = self._physdescstructured(sub, in_set=True)
                if set_attributes:
                    extent = _replace(extent, set_attributes=set_attributes)
                    set_attributes = ()
                state.add("extents", extent)

    def _did_note(
        self, state: _UnitState, el: Any, name: str, note_type: str, position: int
    ) -> None:
        """A note inside ``<did>`` (abstract, physloc, langmaterial...), and what a physical
        location or a language statement also sets on the unit."""
        v = self.version or "2002"
        note = self._note(el, note_type, position)
        if v == "3" and name == "langmaterial":
            # EAD3 langmaterial has no prose of its own: only its descriptivenote
            notes = [d for d in _elements(el) if local_name(d) == "descriptivenote"]
            note = _replace(
                note, content="".join(fragment_from_element(d, version=v) for d in notes)
            )
        state.add("notes", note)
        f = state.fields
        if name == "physloc" and "physical_location" not in f and note.published:
            f["physical_location"] = normalise_space(plain_text(el))
        if name == "langmaterial":
            for lang in self._languages(el):
                if not note.published:
                    lang = _replace(lang, published=False)
                if v == "3":
                    lang = _replace(lang, statement=position)
                state.add("languages", lang)

    def _date(self, el: Any) -> Date:
        expression = _text(el)
        items = el.items()
        get = dict(items).get if items else _NO_ATTRIBUTES.get
        normal = get("normal")
        date_type = get("type") or get("unitdatetype") or "inclusive"
        begin = end = None
        if normal:
            pieces = normal.split("/")
            if all(_ISO_DATE.match(p) for p in pieces) and len(pieces) <= 2:
                begin, end = pieces[0], pieces[-1]
            else:
                self.warn(el, f"unparseable normal date {normal!r}")
        elif expression:
            years = _YEAR.findall(expression)
            if years:
                begin, end = years[0], years[-1]
            else:
                self.warn(el, f"date without machine-readable value: {expression!r}")
        return Date(
            expression=expression,
            begin=begin,
            end=end,
            date_type=date_type,
            certainty=get("certainty"),
            calendar=get("calendar"),
            era=get("era"),
            normal=normal,
            characteristic=get("datechar"),
            published=get("audience") != "internal",
            attributes=_unmapped(el, items, _DATE_MAPPED)
            + (_EXTERNAL if get("audience") == "external" else ()),
            markup=fragment_from_element(el, version=self.version or "2002") if len(el) else "",
        )

    def _structured_dates(self, el: Any) -> list[Date]:
        date_type = el.get("unitdatetype") or "inclusive"
        out = []
        singles = [d for d in el.iter("{*}datesingle", "datesingle")]
        ranges = [d for d in el.iter("{*}daterange", "daterange")]
        for rng in ranges:
            begin = end = None
            texts = []
            for part in _elements(rng):
                if local_name(part) == "fromdate":
                    begin = part.get("standarddate")
                    texts.append(normalise_space(plain_text(part)))
                elif local_name(part) == "todate":
                    end = part.get("standarddate")
                    texts.append(normalise_space(plain_text(part)))
            expression = el.get("altrender") or "-".join(t for t in texts if t)
            out.append(
                Date(
                    expression=expression,
                    begin=begin,
                    end=end,
                    date_type=date_type,
                    certainty=el.get("certainty"),
                    calendar=el.get("calendar"),
                    era=el.get("era"),
                    normal=f"{begin}/{end}" if begin and end else None,
                    characteristic=el.get("datechar"),
                    published=_published(el),
                )
            )
        for single in singles:
            std = single.get("standarddate")
            out.append(
                Date(
                    expression=el.get("altrender") or normalise_space(plain_text(single)),
                    begin=std,
                    end=std,
                    date_type="single" if len(singles) == 1 and not ranges else date_type,
                    certainty=el.get("certainty"),
                    calendar=el.get("calendar"),
                    era=el.get("era"),
                    normal=std,
                    characteristic=el.get("datechar"),
                    published=_published(el),
                )
            )
        if not out:
            self.warn(el, "empty unitdatestructured")
        elif len(out) == 1:
            out[0] = _replace(out[0], structured=_verbatim(el))
        return out

    def _physdesc(self, el: Any) -> Extent:
        v = self.version or "2002"
        extents = [e for e in _elements(el) if local_name(e) == "extent"]
        number = extent_type = summary = None
        if extents:
            text = normalise_space(plain_text(extents[0]))
            match = _EXTENT_RE.match(text)
            if match:
                number, extent_type = match.group(1).strip(), match.group(2)
            else:
                self.warn(extents[0], f"extent is not 'number type': {text!r}")
                extent_type = text or None
            if len(extents) > 1:
                summary = " ".join(normalise_space(plain_text(e)) for e in extents[1:])
        details = (
            " ".join(
                normalise_space(plain_text(e))
                for e in _elements(el)
                if local_name(e) in ("physfacet", "genreform")
            )
            or None
        )
        dims = (
            " ".join(
                normalise_space(plain_text(e))
                for e in _elements(el)
                if local_name(e) == "dimensions"
            )
            or None
        )
        portion = el.get("altrender") if el.get("altrender") in ("whole", "part") else None
        return Extent(
            number=number,
            extent_type=extent_type,
            portion=portion,
            container_summary=summary,
            physical_details=details,
            dimensions=dims,
            content=fragment_from_element(el, version=v),
            published=_published(el),
            attributes=_attrs(el, {"audience"}) + _external(el),
        )

    def _physdescstructured(self, el: Any, in_set: bool = False) -> Extent:
        parts: dict[str, str] = {}
        for sub in _elements(el):
            parts.setdefault(local_name(sub), normalise_space(plain_text(sub)))
        number = parts.get("quantity")
        if number is not None and not re.match(r"^[0-9.]+$", number):
            self.warn(el, f"quantity is not a number: {number!r}")
        attrs = _attrs(el, {"audience", "coverage"}) + _external(el)
        if in_set:
            attrs += (("set", "1"),)
        return Extent(
            number=number,
            extent_type=parts.get("unittype"),
            portion=el.get("coverage"),
            container_summary=parts.get("descriptivenote"),
            physical_details=parts.get("physfacet"),
            dimensions=parts.get("dimensions"),
            published=_published(el),
            attributes=attrs,
            structured=_verbatim(el),
        )

    def _languages(self, el: Any) -> list[Language]:
        out = []
        for lang in el.iter("{*}language", "language"):
            script = lang.get("scriptcode")
            script_name = ""
            parent = lang.getparent()
            if script is None and local_name(parent) == "languageset":
                for s in parent.iter("{*}script", "script"):
                    script = s.get("scriptcode")
                    script_name = normalise_space(plain_text(s))
                    break
            out.append(
                Language(
                    code=lang.get("langcode"),
                    script=script,
                    name=normalise_space(plain_text(lang)),
                    script_name=script_name,
                    published=not _internal_within(lang, el),
                    attributes=_attrs(lang, {"langcode", "scriptcode", "audience"})
                    + _external(lang),
                )
            )
        return out

    def _container(self, el: Any) -> Container:
        items = el.items()
        get = dict(items).get if items else _NO_ATTRIBUTES.get
        label = get("label")
        barcode = get("containerid")
        if barcode is None and label:
            match = _BARCODE_RE.search(label)
            barcode = match.group(1) if match else None
        return Container(
            ref=get("id"),
            parent_ref=get("parent"),
            container_type=get("type") or get("localtype"),
            indicator=_text(el),
            label=label,
            barcode=barcode,
            attributes=_unmapped(el, items, _CONTAINER_MAPPED)
            + (_EXTERNAL if get("audience") == "external" else ()),
            published=get("audience") != "internal",
            content=fragment_from_element(el, version=self.version or "2002") if len(el) else "",
        )


def repository_name(el: Any) -> str:
    """The name a <repository> gives, without its <address> lines.

    ``<repository><corpname>Beinecke Library</corpname><address>...</address></repository>``
    names "Beinecke Library": the postal address is part of the element, not of the name,
    and a repository created from the file must not be called by its street.
    """
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and local_name(child) != "address":
            parts.append(plain_text(child))
        parts.append(child.tail or "")
    return normalise_space(" ".join(parts))
