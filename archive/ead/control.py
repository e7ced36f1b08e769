"""EAD3's ``<control>``: record id, file description, maintenance status and agency,
declarations, what an EAD3 source kept there, and the maintenance history.

EAD3 requires the maintenance elements; from a source without them (EAD 2002) they are
synthesised from the records, deterministically: no clock is read, so the same records give
the same bytes. ``ControlLayout`` is mixed into ``archive.ead.writer3.Writer3``.
"""

from __future__ import annotations

import re
from typing import Any

from .headers import FILEDESC_ORDER, HEADER_ATTRIBUTES, HeaderLayout
from .markup import fragment_plain_text, without_internal
from .records import ExtraElement, FindingAid, Revision
from .writing import valid_normal

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
_DATETIME = re.compile(r"^-?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


class ControlLayout(HeaderLayout):
    """The header of EAD3 (see the module's docstring)."""

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


class _Revision:
    def __init__(self, event_type: str, date: str, description: str) -> None:
        self.event_type = event_type
        self.date = date
        self.description = description
        self.agent = ""
        self.normal = None


def _standard_datetime(value: str | None) -> str | None:
    """A date, or a date and time, as ``standarddatetime`` takes it (else None)."""
    if value and (valid_normal(value) and "/" not in value or _DATETIME.match(value)):
        return value
    return None


def _space(text: str) -> str:
    """Whitespace collapsed, as the reader collapses it in header fields."""
    return " ".join(text.split())
