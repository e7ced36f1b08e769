"""Reading the header of a finding aid: ``<eadheader>`` (EAD 2002) or ``<control>`` (EAD3),
and ``<frontmatter>``, into the fields of a :class:`~archive.ead.records.FindingAid`."""

from __future__ import annotations

from typing import Any

from ..markup import fragment_from_element, local_name, normalise_space, parse_fragment, plain_text
from ..records import Attributes, ExtraElement, FindingAid, Revision
from .base import (
    ReaderBase,
    _attrs,
    _elements,
    _escape,
    _extra,
    _fragment,
    _internal_within,
    _public_text,
    _published,
    _verbatim,
)


class HeaderReading(ReaderBase):
    """The header's elements, each mapped to fields or kept verbatim by position."""

    def _header(self, el: Any) -> dict[str, Any]:
        """The fields of a :class:`FindingAid` from ``<eadheader>`` (EAD 2002) or
        ``<control>`` (EAD3); what maps to no field is kept verbatim by position."""
        f: dict[str, Any] = {"extra": [], "element_attributes": _element_attributes(el)}
        attrs = []
        for key, value in _attrs(el):
            if key == "findaidstatus":
                f["status"] = value
            else:
                attrs.append((key, value))
        f["header_attributes"] = tuple(attrs)
        for pos, child in enumerate(_elements(el)):
            name = local_name(child)
            if name in ("eadid", "recordid"):
                _identifier(child, name, f)
            elif name == "filedesc":
                self._filedesc(child, f)
            elif name == "profiledesc":
                self._profiledesc(child, f)
            elif name == "revisiondesc":
                self._revisiondesc(child, f)
            elif name == "maintenancestatus":
                f["header_attributes"] += (("maintenancestatus", child.get("value") or ""),)
                if normalise_space(plain_text(child)):
                    f["maintenance_status_text"] = normalise_space(plain_text(child))
            elif name == "publicationstatus":
                f["status"] = child.get("value")
            elif name == "maintenanceagency":
                self._maintenanceagency(child, f)
            elif name == "languagedeclaration" and "language_of_description" not in f:
                _languagedeclaration(child, f)
            elif name == "conventiondeclaration" and "rules" not in f:
                f["rules"] = _escape(normalise_space(plain_text(child)))
                f.setdefault("declarations", []).append((_verbatim(child), f["rules"]))
            elif name == "maintenancehistory":
                f["revisions"] = tuple(
                    _maintenance_event(ev)
                    for ev in _elements(child)
                    if local_name(ev) == "maintenanceevent"
                )
            else:
                where = "header" if (self.version or "2002") == "2002" else "control"
                self._keep(f, child, where, pos)
        return f

    def _keep(self, f: dict[str, Any], el: Any, where: str, position: int) -> None:
        """Keep ``el`` verbatim among the header's extra elements."""
        f["extra"].append(_extra(el, where, position, self.version or "2002"))

    def _profiledesc(self, el: Any, f: dict[str, Any]) -> None:
        v = self.version or "2002"
        for pos, sub in enumerate(_elements(el)):
            name = local_name(sub)
            if name == "creation":
                f["creation"] = fragment_from_element(sub, version=v)
                for date in sub.iter("{*}date", "date"):
                    if not _internal_within(date, sub):
                        f["creation_date"] = normalise_space(plain_text(date))
                        break
            elif name == "langusage":
                f["language_of_description"] = fragment_from_element(sub, version=v)
                for lang in sub.iter("{*}language", "language"):
                    f["language_of_description_code"] = lang.get("langcode")
                    f["script_of_description_code"] = lang.get("scriptcode")
                    break
            elif name == "descrules":
                f["rules"] = fragment_from_element(sub, version=v)
            else:
                self._keep(f, sub, "profiledesc", pos)

    def _revisiondesc(self, el: Any, f: dict[str, Any]) -> None:
        revisions = []
        for pos, change in enumerate(_elements(el)):
            if local_name(change) != "change":
                self._keep(f, change, "revisiondesc", pos)
                continue
            date, items = "", []
            normal = None
            for part in _elements(change):
                if local_name(part) == "date":
                    date = normalise_space(plain_text(part))
                    normal = part.get("normal")
                else:
                    items.append(normalise_space(plain_text(part)))
            revisions.append(
                Revision(
                    date=date,
                    description="\n".join(items),
                    normal=normal,
                    published=_published(change),
                )
            )
        f["revisions"] = tuple(revisions)

    def _maintenanceagency(self, el: Any, f: dict[str, Any]) -> None:
        if el.get("countrycode"):
            f["country_code"] = el.get("countrycode")
        for pos, sub in enumerate(_elements(el)):
            name = local_name(sub)
            if name == "agencycode":
                f["agency_code"] = normalise_space(plain_text(sub))
                f["repository_code"] = f["agency_code"]
            elif name == "agencyname" and not f.get("_agency_seen"):
                f["_agency_seen"] = True
                f["repository_name"] = normalise_space(plain_text(sub))
            else:
                self._keep(f, sub, "maintenanceagency", pos)

    def _filedesc(self, el: Any, f: dict[str, Any]) -> None:
        v = self.version or "2002"
        stray = " ".join(
            " ".join(t.split()) for t in [el.text, *(c.tail for c in el)] if t and t.strip()
        )
        if stray:
            # words where the schema takes none: kept as a note of the file description
            self.warn(el, "text directly in <filedesc> kept as a note")
            note = f"<note><p>{_escape(stray)}</p></note>"
            self._keep(f, parse_fragment(note)[0], "filedesc", -1)
        for pos, child in enumerate(_elements(el)):
            name = local_name(child)
            if name == "titlestmt":
                self._titlestmt(child, f)
            elif name == "editionstmt":
                for epos, sub in enumerate(_elements(child)):
                    if local_name(sub) == "edition" and "edition" not in f:
                        f["edition"] = fragment_from_element(sub, version=v)
                    else:
                        self._keep(f, sub, "editionstmt", epos)
            elif name == "publicationstmt":
                self._publicationstmt(child, f)
            else:
                self._keep(f, child, "filedesc", pos)

    def _titlestmt(self, el: Any, f: dict[str, Any]) -> None:
        v = self.version or "2002"
        for pos, sub in enumerate(_elements(el)):
            name = local_name(sub)
            if name == "titleproper":
                kind = (sub.get("type") or sub.get("localtype") or "").casefold()
                if kind == "filing" and f.get("filing_title") is None:
                    f["filing_title"] = normalise_space(plain_text(sub))
                elif "title" not in f:
                    f["title"] = fragment_from_element(sub, version=v)
                    f["title_text"] = _public_text(sub)
                else:
                    self._keep(f, sub, "titlestmt", pos)
            elif name in ("subtitle", "author", "sponsor") and name not in f:
                f[name] = fragment_from_element(sub, version=v)
            else:
                self._keep(f, sub, "titlestmt", pos)

    def _publicationstmt(self, el: Any, f: dict[str, Any]) -> None:
        v = self.version or "2002"
        for pos, sub in enumerate(_elements(el)):
            name = local_name(sub)
            if name == "publisher" and "publisher" not in f:
                f["publisher"] = normalise_space(plain_text(sub))
                if len(sub):
                    f["publisher_markup"] = fragment_from_element(sub, version=v)
                f.setdefault("repository_name", f["publisher"])
            elif name == "date" and "publication_date" not in f:
                f["publication_date"] = normalise_space(plain_text(sub))
                f["publication_date_normal"] = sub.get("normal") or sub.get("standarddate")
            elif name == "address" and not f.get("publication_address"):
                lines = _elements(sub)
                f["publication_address"] = tuple(normalise_space(plain_text(x)) for x in lines)
                if any(len(line) for line in lines):
                    f["publication_address_markup"] = tuple(_fragment(x, v) for x in lines)
            else:
                self._keep(f, sub, "publicationstmt", pos)

    def _finding_aid(
        self,
        f: dict[str, Any],
        extra: list[ExtraElement],
        root_attrs: Attributes,
        *,
        numbered: bool,
    ) -> FindingAid:
        values = {k: v for k, v in f.items() if not k.startswith("_")}
        values["extra"] = tuple(values.get("extra", ())) + tuple(extra)
        values["declarations"] = tuple(values.get("declarations", ()))
        if not values.get("title"):
            self.warn(None, "finding aid has no title")
        return FindingAid(
            source_version=self.version or "2002",
            root_attributes=root_attrs,
            numbered_components=numbered,
            **values,
        )


def _identifier(el: Any, name: str, f: dict[str, Any]) -> None:
    """``<eadid>`` (EAD 2002) or ``<recordid>`` (EAD3): the finding aid's id and codes."""
    f["ead_id"] = normalise_space(plain_text(el))
    id_attrs = list(_attrs(el))
    if name == "recordid":
        id_attrs = [("url" if k == "instanceurl" else k, val) for k, val in id_attrs]
    f["ead_id_attributes"] = tuple(id_attrs)
    d = dict(id_attrs)
    f["country_code"] = d.get("countrycode")
    f["agency_code"] = d.get("mainagencycode")
    f["repository_code"] = d.get("mainagencycode")


def _languagedeclaration(el: Any, f: dict[str, Any]) -> None:
    """EAD3's language (and script) of the description, kept verbatim as well."""
    texts = []
    for sub in _elements(el):
        name = local_name(sub)
        if name == "language":
            f["language_of_description_code"] = sub.get("langcode")
            texts.append(normalise_space(plain_text(sub)))
        elif name == "script":
            f["script_of_description_code"] = sub.get("scriptcode")
            f["script_of_description"] = normalise_space(plain_text(sub)) or None
        else:
            texts.append(normalise_space(plain_text(sub)))
    f["language_of_description"] = " ".join(t for t in texts if t)
    f.setdefault("declarations", []).append((_verbatim(el), f["language_of_description"]))


def _maintenance_event(el: Any) -> Revision:
    """An EAD3 ``<maintenanceevent>`` as a revision."""
    parts = {local_name(p): p for p in _elements(el)}

    def text(name: str) -> str:
        return normalise_space(plain_text(parts[name])) if name in parts else ""

    def value(name: str) -> str:
        return (parts[name].get("value") or "") if name in parts else ""

    when = parts.get("eventdatetime")
    return Revision(
        date=text("eventdatetime"),
        normal=when.get("standarddatetime") if when is not None else None,
        description=text("eventdescription"),
        agent=text("agent"),
        event_type=value("eventtype"),
        published=_published(el),
        agent_type=value("agenttype"),
        event_text=text("eventtype"),
    )


def _element_attributes(header: Any) -> tuple[tuple[str, Attributes], ...]:
    """Attributes of the elements below ``header``, by path and occurrence of the path
    (``"filedesc/titlestmt/titleproper[0]"``); the identifier's are kept on their own."""
    out: list[tuple[str, Attributes]] = []
    counts: dict[str, int] = {}
    stack = [(child, "") for child in reversed(_elements(header))]
    while stack:
        node, parent = stack.pop()
        name = local_name(node)
        path = f"{parent}/{name}" if parent else name
        n = counts.get(path, 0)
        counts[path] = n + 1
        attrs = _attrs(node)
        if attrs and name not in ("eadid", "recordid"):
            out.append((f"{path}[{n}]", attrs))
        stack.extend((child, path) for child in reversed(_elements(node)))
    return tuple(out)
