"""Reading names and terms: origination (creators, sources) and access points (subjects,
and names a relator marks as creators or sources).

Agent roles (the documented rule): names inside ``<origination>`` are creators, or sources
when the origination's @label mentions "source"; names inside ``<controlaccess>`` are
subjects unless their @role (EAD 2002) / @relator (EAD3) is a creator or source word or MARC
code (see ``mapping.CREATOR_RELATORS`` / ``SOURCE_RELATORS``).  The relator value itself is
always kept in ``AgentLink.relator``.
"""

from __future__ import annotations

from typing import Any

from .. import mapping
from ..markup import fragment_from_element, local_name, name_fragment, normalise_space, plain_text
from ..records import AgentLink, SubjectLink
from .base import (
    ReaderBase,
    _attrs,
    _elements,
    _external,
    _extra,
    _published,
    _replace,
    _UnitState,
)


class AccessReading(ReaderBase):
    """Names and terms, as agent and subject links."""

    def _name_link(self, el: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
        parts = tuple(
            (p.get("localtype") or "", normalise_space(plain_text(p)))
            for p in _elements(el)
            if local_name(p) == "part"
        )
        if parts:
            # (an empty part, e.g. one holding only a comment, adds no space)
            return normalise_space(" ".join(text for _, text in parts)), parts
        return normalise_space(plain_text(el)), ()

    def _name_markup(self, el: Any) -> str | None:
        """A name's or term's content as a fragment when it says more than its words and
        part types: inline markup (EAD 2002), EAD3 parts holding markup or attributes other
        than their type, or elements beside the parts (geographic coordinates); else None."""
        children = _elements(el)
        if not children:
            return None
        if self.version != "3":
            return fragment_from_element(el, version="2002")
        for child in children:
            if local_name(child) != "part":
                break
            if len(child) or any(key != "localtype" for key in child.keys()):
                break
        else:
            return None
        return name_fragment(el)

    def _agent(self, el: Any, role: str, group: str | None, label: str | None) -> AgentLink:
        name, parts = self._name_link(el)
        relator = el.get("role") or el.get("relator")
        element = local_name(el)
        attrs = _attrs(
            el, {"role", "relator", "source", "authfilenumber", "identifier", "normal", "audience"}
        ) + _external(el)
        if element == "name":
            attrs += (("element", "name"),)
        return AgentLink(
            name=name,
            agent_type=mapping.AGENT_ELEMENTS[element],
            role=role,
            relator=relator,
            source=el.get("source"),
            authority_id=el.get("authfilenumber") or el.get("identifier"),
            normal=el.get("normal"),
            name_parts=parts,
            published=_published(el),
            group=group,
            label=label,
            attributes=attrs,
            name_markup=self._name_markup(el),
        )

    def _origination(self, el: Any) -> list[AgentLink]:
        label = el.get("label")
        role = "source" if label and "source" in label.casefold() else "creator"
        out: list[AgentLink] = []
        for sub in _elements(el):
            if local_name(sub) in mapping.AGENT_ELEMENTS:
                # ("" without a label: still a name of an origination, whatever its relator)
                agent = self._agent(sub, role, None, "" if label is None else label)
                if not _published(el):
                    agent = _replace(agent, published=False)
                kept = _attrs(el, {"label", "audience"}) + _external(el)
                if not out and kept:
                    agent = _replace(agent, origination_attributes=kept)
                out.append(agent)
            else:
                return []  # unusual content: keep the whole origination verbatim instead
        if out and normalise_space(plain_text(el)) != normalise_space(
            " ".join(a.name for a in out)
        ):
            # free text around the names would be lost: keep verbatim instead
            texts = "".join((el.text or "").split()) + "".join(
                "".join((s.tail or "").split()) for s in el
            )
            if texts:
                return []
        return out

    def _controlaccess(self, state: _UnitState, el: Any, *, group: str | None, top: bool) -> None:
        """The names and terms of a ``<controlaccess>`` (``top``: the unit's own, else a
        group inside it, whose heading is ``group``) as agent and subject links; what maps
        to neither is kept whole in its place."""
        if top:
            state.fields.setdefault("controlaccess_attributes", _attrs(el))
        for position, sub in enumerate(_elements(el)):
            name = local_name(sub)
            if name == "head":
                if top:
                    state.add("headings", ("controlaccess", normalise_space(plain_text(sub))))
                    if _attrs(sub):
                        state.add("heading_attributes", ("controlaccess", _attrs(sub)))
            elif name == "controlaccess" and _has_access_points(sub):
                self._access_group(state, sub)
            elif name in mapping.AGENT_ELEMENTS:
                state.add("agents", self._access_agent(sub, el, group))
            elif name in mapping.SUBJECT_ELEMENTS:
                state.add("subjects", self._subject(sub, el, group))
            else:
                # (a group without names or terms, a heading over a <date> or a <p>, maps to
                # nothing: kept whole so its heading stays with its content)
                state.add("extra", _extra(sub, "controlaccess", position, self.version or "2002"))

    def _access_group(self, state: _UnitState, el: Any) -> None:
        """A ``<controlaccess>`` inside the unit's: its links carry its heading as group."""
        heading = None
        for h in _elements(el):
            if local_name(h) == "head":
                heading = normalise_space(plain_text(h))
            break
        if not state.emitted and _attrs(el):
            state.add("group_attributes", (heading or "", _attrs(el)))
        self._controlaccess(state, el, group=heading or "", top=False)

    def _access_agent(self, el: Any, parent: Any, group: str | None) -> AgentLink:
        """A name in ``<controlaccess>``: a subject unless its relator says creator or source."""
        relator = (el.get("role") or el.get("relator") or "").casefold()
        role = "subject"
        if relator in mapping.CREATOR_RELATORS:
            role = "creator"
        elif relator in mapping.SOURCE_RELATORS:
            role = "source"
        agent = self._agent(el, role, group, None)
        if not _published(parent):
            agent = _replace(agent, published=False)
        return agent

    def _subject(self, el: Any, parent: Any, group: str | None) -> SubjectLink:
        term, parts = self._name_link(el)
        if len(parts) == 1 and not parts[0][0]:
            parts = ()  # one untyped part: what a writer makes of the term anyway
        return SubjectLink(
            term=term,
            subject_type=mapping.SUBJECT_ELEMENTS[local_name(el)],
            source=el.get("source"),
            authority_id=el.get("authfilenumber") or el.get("identifier"),
            published=_published(el) and _published(parent),
            group=group,
            normal=el.get("normal"),
            attributes=_attrs(el, {"source", "authfilenumber", "identifier", "normal", "audience"})
            + _external(el),
            term_parts=parts,
            term_markup=self._name_markup(el),
        )


def _has_access_points(el: Any) -> bool:
    """Whether a controlaccess (at any nesting) holds a name or term that maps to a link."""
    for node in el.iter():
        if isinstance(node.tag, str) and node is not el:
            name = local_name(node)
            if name in mapping.AGENT_ELEMENTS or name in mapping.SUBJECT_ELEMENTS:
                return True
    return False
