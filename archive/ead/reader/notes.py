"""Reading notes (with their heading) and digital objects of a unit."""

from __future__ import annotations

from typing import Any

from ..markup import escape_text, fragment_from_element, local_name, normalise_space, plain_text
from ..records import Attributes, DigitalObject, Note
from .base import ReaderBase, _attrs, _elements, _external, _published, _replace, _verbatim

_NOTE_MAPPED = frozenset({"id", "audience"})


class NotesReading(ReaderBase):
    """Notes and digital objects: the parts of a unit read the same inside ``<did>`` and out."""

    def _note(self, el: Any, note_type: str, position: int) -> Note:
        v = self.version or "2002"
        children = list(el)
        start = 0
        heading = None
        heading_attributes: Attributes = ()
        for index, child in enumerate(children):
            if isinstance(child.tag, str):
                if local_name(child) == "head":
                    heading = normalise_space(plain_text(child))
                    start = index + 1
                break
        if start:
            content = fragment_from_element(el, version=v, start=start)
            head = children[start - 1]
            heading_attributes = _attrs(head)
            if head.tail:
                content = escape_text(head.tail) + content
        else:
            content = fragment_from_element(el, version=v)
        return Note(
            note_type=note_type,
            heading=heading,
            content=content,
            published=_published(el),
            ref=el.get("id"),
            position=position,
            attributes=_attrs(el, _NOTE_MAPPED) + _external(el),
            heading_attributes=heading_attributes,
        )

    def _digital_objects(self, el: Any, name: str) -> list[DigitalObject]:
        v = self.version or "2002"
        if name == "dao":
            return [self._dao(el, None, None)]
        group = el.get("id") or f"group-{el.sourceline}"
        description = None
        members = []
        links: list[str] = []
        for sub in _elements(el):
            sname = local_name(sub)
            if sname in ("daodesc", "descriptivenote"):
                description = fragment_from_element(sub, version=v)
            elif sname in ("daoloc", "dao"):
                members.append(sub)
            elif sname in ("resource", "arc"):
                links.append(_verbatim(sub))
        out = []
        group_attributes = _attrs(el, {"audience"}) + _external(el)
        for index, member in enumerate(members):
            obj = self._dao(member, group, description if index == 0 else None)
            if not _published(el):
                obj = _replace(obj, published=False)
            if index == 0 and group_attributes:
                obj = _replace(obj, group_attributes=group_attributes)
            if index == 0 and links:
                obj = _replace(obj, group_links=tuple(links))
            out.append(obj)
        if not out and (description or links):
            out.append(
                DigitalObject(
                    group=group,
                    group_description=description,
                    published=_published(el),
                    group_links=tuple(links),
                )
            )
        return out

    def _dao(self, el: Any, group: str | None, group_description: str | None) -> DigitalObject:
        v = self.version or "2002"
        description = None
        for sub in _elements(el):
            if local_name(sub) in ("daodesc", "descriptivenote"):
                description = fragment_from_element(sub, version=v)
        a = dict(_attrs(el))
        mapped = {
            "href",
            "role",
            "linkrole",
            "title",
            "linktitle",
            "show",
            "actuate",
            "audience",
            "daotype",
        }
        return DigitalObject(
            title=a.get("title") or a.get("linktitle"),
            href=a.get("href") or a.get("entityref"),
            role=a.get("role") or a.get("linkrole"),
            show=a.get("show"),
            actuate=a.get("actuate"),
            published=_published(el),
            description=description,
            extra=tuple((k, val) for k, val in a.items() if k not in mapped) + _external(el),
            group=group,
            group_description=group_description,
            object_type=a.get("daotype"),
        )


def _legalstatus_wrapper(el: Any) -> Any | None:
    """The <legalstatus> of an attribute-less <accessrestrict> holding nothing else but a
    <head> (the writers' EAD 2002 form of a legal status note), else None."""
    if el.attrib or (el.text or "").strip():
        return None
    children = _elements(el)
    if any((c.tail or "").strip() for c in el):
        return None
    names = [local_name(c) for c in children]
    if names in (["legalstatus"], ["head", "legalstatus"]):
        return children[-1]
    return None
