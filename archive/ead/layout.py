"""The unit layout both EAD writers share: a unit's blocks, its ``<did>``, names, access
points and digital objects, with hooks for what each version shapes its own way.

The writers are built in layers, each version a sibling over the same three:

    StreamWriter (writing.py)    the document walk, element helpers, publishing rules
    HeaderLayout (headers.py)    the file-description statements both headers write
    UnitLayout   (this module)   components and the collection's own description
    Writer2002 | Writer3         <eadheader> | <control> (control.py), and the hooks

A version says how it differs in two ways: small tables (class attributes naming an element
or an attribute, such as :attr:`UnitLayout.date_type_attribute`), and hook methods for the
parts whose shape differs (:meth:`UnitLayout.extents`, :meth:`UnitLayout.languages`,
:meth:`UnitLayout.did_note`, the digital-object hooks, the header element).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from .conform import is_xml_id
from .headers import HeaderLayout
from .mapping import AGENT_TYPE_ELEMENTS, SUBJECT_TYPE_ELEMENTS
from .records import (
    AgentLink,
    Attributes,
    Container,
    Date,
    DigitalObject,
    ExtraElement,
    Note,
    SubjectLink,
    Unit,
    UnitSupplement,
)
from .writing import heading_phrase, is_plain_text, valid_normal

# Notes written inside a unit's <did> (by :meth:`UnitLayout.did_notes`), not after it.
DID_NOTES = frozenset(
    {"abstract", "physloc", "materialspec", "langmaterial", "did_note", "physfacet", "dimensions"}
)
# The values of @level both versions list (anything else is an @otherlevel).
LEVELS = frozenset(
    {
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
)


def in_origination(agent: AgentLink) -> bool:
    """Creators/sources go to <origination> unless they came from <controlaccess>.

    A name read from controlaccess keeps its relator and has no origination label; writing it
    back there keeps the round trip stable.
    """
    if agent.role not in ("creator", "source") or agent.group is not None:
        return False
    return agent.label is not None or agent.relator is None


class UnitLayout(HeaderLayout):
    """What EAD 2002 and EAD3 write alike, with the hooks and tables each version fills in."""

    # -- the tables a version sets -------------------------------------------------------

    # An EAD 2002 did needs a unittitle or a unitdate; EAD3's takes any of its children.
    title_required = True
    # Note types written as phrase content (their heading becomes the opening words).
    phrase_notes: frozenset[str] = frozenset()
    # Element names of note types this version spells otherwise ("note" -> "odd"...).
    note_names: dict[str, str] = {}
    # The attribute that says a date is inclusive or bulk, and a container's type.
    date_type_attribute = "type"
    container_type_attribute = "type"
    # The attribute that holds a container's barcode (None: the version has none).
    barcode_attribute: str | None = None
    # Attributes of a unit in the source that this version never writes back.
    dropped_unit_attributes: frozenset[str] = frozenset()
    # Whether dates may have been read in a structured form (then not a plain component).
    structured_dates = False
    # The attributes of a name's authority record id and of its relator.
    authority_attribute = "authfilenumber"
    relator_attribute = "role"
    # Whether a subject's parts are written as <part>s.
    subject_parts = False
    # Whether the words of a did's extras (as notes) come before its originations.
    did_texts_first = False

    # -- units ---------------------------------------------------------------------------

    def unit_attributes(self, unit: Unit) -> dict[str, str]:
        """A unit's level (one neither version lists is an ``otherlevel``; a collection
        without one is a collection), id, audience, and the others its element takes."""
        attrs: dict[str, str] = {}
        level = unit.level
        other = unit.other_level
        if level and level not in LEVELS:
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
        allowed -= self.dropped_unit_attributes
        for key, value in self.attrs(unit.attributes):
            if key in allowed and key not in attrs:
                attrs[key] = value
            elif key == "audience" and value == "external" and unit.published:
                attrs[key] = value  # (an unpublished unit is internal, whatever the file said)
        return attrs

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

    def supplement_body(self, supplement: UnitSupplement) -> list[Any]:
        s = supplement
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
        """The blocks after a unit's did: notes and kept elements in their order, the words
        of elements this version has no place for, access points, late digital objects."""
        out = self.blocks(notes, extras, skip_runner=skip_runner)
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

    def blocks(
        self, notes: tuple[Note, ...], extras: tuple[ExtraElement, ...], *, skip_runner: bool
    ) -> list[Any]:
        """Notes and kept elements by position, then the words of the others as ``<odd>``."""
        items: list[tuple[int, Any]] = []
        for note in notes:
            if note.note_type in DID_NOTES or not self.visible(note.published):
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
        return out

    @abstractmethod
    def note_attributes(self, note: Note) -> list[tuple[str, str]]:
        """A note's own attributes (from the source) as this version names them."""

    def note(self, note: Note) -> Any:
        name = self.note_names.get(note.note_type, note.note_type)
        attrs = [("id", note.ref), self.audience(note.published), *self.note_attributes(note)]
        node = self.el(name, attrs)
        phrase = note.note_type in self.phrase_notes
        if note.heading and not phrase:
            self.el("head", self.attrs(note.heading_attributes), note.heading, parent=node)
        content = note.content
        if note.heading and phrase:
            node.set("label", note.heading)
            content = heading_phrase(note.heading) + content
        self.fill(node, content, context="phrase" if phrase else "block", note_name=name)
        if not phrase and len([c for c in node if c.tag != self.q("head")]) == 0:
            self.el("p", parent=node)
        return node

    # -- the did -------------------------------------------------------------------------

    def did(self, unit: Unit) -> Any:
        """A unit's ``<did>``: head, ids, title, dates, extents, the notes of the did,
        originations, kept elements, containers and digital objects, in that order."""
        did = self.el("did", self.attrs(unit.did_attributes))
        for key, text in unit.headings:
            if key == "did":
                self.el("head", self.heading_attributes(unit, "did"), text, parent=did)
                break
        self.identifiers(did, unit)
        if unit.title:
            title = self.el("unittitle", self.attrs(unit.title_attributes), parent=did)
            self.fill(title, unit.title, context="phrase")
        elif self.title_required and not unit.dates:
            self.el("unittitle", parent=did)
        for date in unit.dates:
            if self.visible(date.published):
                self.date(did, date)
        self.extents(did, unit)
        self.did_notes(did, unit)
        nodes, texts = self.did_extras(unit)
        if self.did_texts_first:
            for text, published in texts:
                self.did_text_note(did, text, published)
        self.originations(did, unit)
        for node in nodes:
            did.append(node)
        if not self.did_texts_first:
            for text, published in texts:
                self.did_text_note(did, text, published)
        for container in unit.containers:
            if self.visible(container.published):
                self.container(did, container)
        for node in self.digital_objects(unit.digital_objects, in_did=True):
            did.append(node)
        if len([c for c in did if c.tag != self.q("head")]) == 0:
            self.el("unittitle", parent=did)
        return did

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

    def date(self, did: Any, date: Date) -> None:
        """A visible date of the did (a version with structured dates writes those)."""
        self.unitdate(did, date)

    def date_parts(self, date: Date) -> tuple[list[tuple[str, str | None]], str | None]:
        """(attributes, text) of a date's element."""
        # only the @normal the source had: begin/end may be guesses from the expression,
        # and writing them would make the next import differ from this one
        normal = valid_normal(date.normal)
        date_type = date.date_type if date.date_type == "bulk" else "inclusive"
        attrs = [
            (self.date_type_attribute, date_type),
            ("normal", normal),
            ("certainty", date.certainty),
            ("calendar", date.calendar),
            ("era", date.era),
            ("datechar", date.characteristic),
            self.audience(date.published),
            *self.attrs(date.attributes),
        ]
        return attrs, date.expression or normal or None

    def unitdate(self, did: Any, date: Date) -> None:
        """One ``<unitdate>``: its inline markup in the same version, else its words."""
        attrs, text = self.date_parts(date)
        if date.markup and self.same:
            self.fill(self.el("unitdate", attrs, parent=did), date.markup, context="phrase")
        else:
            self.el("unitdate", attrs, text, parent=did)

    @abstractmethod
    def extents(self, did: Any, unit: Unit) -> None:
        """The unit's visible extents, as this version states them."""

    def did_notes(self, did: Any, unit: Unit) -> None:
        """Languages, the physical location and the notes that go in the did."""
        notes = [n for n in unit.notes if n.note_type in DID_NOTES]
        self.languages(did, unit, notes)
        if unit.physical_location and not any(n.note_type == "physloc" for n in notes):
            self.el("physloc", text=unit.physical_location, parent=did)
        for note in notes:
            if self.visible(note.published):
                self.did_note(did, unit, note)

    @abstractmethod
    def languages(self, did: Any, unit: Unit, notes: list[Note]) -> None:
        """The unit's languages of the material (``notes``: the notes of the did)."""

    def did_note(self, did: Any, unit: Unit, note: Note) -> None:
        """One visible note of the did."""
        did.append(self.note(note))

    def did_extras(self, unit: Unit) -> tuple[list[Any], list[tuple[str, bool]]]:
        """The did's kept elements: (those written as elements, ``(words, published)`` of
        those this version has no place for)."""
        nodes: list[Any] = []
        texts: list[tuple[str, bool]] = []
        for extra in unit.extra:
            if extra.where != "did":
                continue
            node = self.did_extra_element(extra)
            if node is not None:
                nodes.append(node)
            elif self.visible(extra.published) and self.extra_text(extra):
                texts.append((self.extra_text(extra), extra.published))
        return nodes, texts

    def did_extra_element(self, extra: ExtraElement) -> Any | None:
        return self.extra_element(extra)

    @abstractmethod
    def did_text_note(self, did: Any, text: str, published: bool) -> None:
        """The words of a kept element of the did as a note."""

    def originations(self, did: Any, unit: Unit) -> None:
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
        barcode = self.barcode_attribute
        return [
            ("id", container.ref),
            ("parent", container.parent_ref),
            (self.container_type_attribute, container.container_type),
            ("label", container.label),
            *([(barcode, container.barcode)] if barcode else ()),
            self.audience(container.published),
            *self.attrs(container.attributes, drop={"audience"}),
        ]

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
            or (self.structured_dates and any(d.structured for d in unit.dates))
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

    # -- names and access points ---------------------------------------------------------

    def name_attributes(self, agent: AgentLink) -> list[tuple[str, str | None]]:
        """A name's source, authority id, normal form and relator as this version names them."""
        return [
            ("source", self.source_value(agent.source)),
            (self.authority_attribute, agent.authority_id),
            ("normal", agent.normal),
            (self.relator_attribute, agent.relator),
        ]

    def source_value(self, source: str | None) -> str | None:
        """A name's ``source`` as this version's schema takes it."""
        return source

    def name_content(self, node: Any, agent: AgentLink) -> None:
        """A name's words into its element: its inline markup in the same version."""
        if agent.name_markup and self.same:
            self.fill(node, agent.name_markup, context="phrase")
        else:
            self.name_words(node, agent)

    def name_words(self, node: Any, agent: AgentLink) -> None:
        node.text = agent.name or None

    def agent(self, agent: AgentLink) -> Any:
        attrs = dict(agent.attributes)
        element = attrs.pop("element", None) or AGENT_TYPE_ELEMENTS.get(
            agent.agent_type, "persname"
        )
        if not agent.published:
            attrs.pop("audience", None)  # internal now, whatever the file said
        node = self.el(
            element,
            [
                *self.name_attributes(agent),
                self.audience(agent.published),
                # the name's other attributes (rules, encodinganalog...); ``conform`` leaves
                # out those this version does not take
                *self.attrs(tuple(attrs.items())),
            ],
        )
        self.name_content(node, agent)
        return node

    def subject(self, subject: SubjectLink) -> Any:
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
        elif subject.term_parts and self.subject_parts:
            node = self.el(element, attrs)
            for part_type, text in subject.term_parts:
                self.el("part", [("localtype", part_type or None)], text or None, parent=node)
        else:
            node = self.el(element, attrs, subject.term or None)
        return node

    def access_points(
        self, agents: tuple[AgentLink, ...], subjects: tuple[SubjectLink, ...]
    ) -> list[tuple[str | None, Any]]:
        """``(group, element)`` of each visible name (not an origination) and subject."""
        entries: list[tuple[str | None, Any]] = []
        for agent in agents:
            if self.visible(agent.published) and not in_origination(agent):
                entries.append((agent.group, self.agent(agent)))
        for subject in subjects:
            if self.visible(subject.published):
                entries.append((subject.group, self.subject(subject)))
        return entries

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
        entries = self.access_points(agents, subjects)
        ca_extras = [e for e in extras if e.where == "controlaccess"]
        heading = next((t for k, t in headings if k == "controlaccess"), None)
        if not entries and not ca_extras and heading is None:
            return None
        ca = self.el("controlaccess", self.attrs(ca_attrs))
        if heading is not None:
            self.el("head", heading_attributes or [], heading, parent=ca)
        for extra in ca_extras:
            node = self.extra_element(extra)
            if node is None and self.visible(extra.published) and self.extra_text(extra):
                node = self.el("p", text=self.extra_text(extra))
            if node is not None:
                ca.append(node)
        groups: dict[str, Any] = {}
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
        self.finish_controlaccess(ca)
        return ca

    def finish_controlaccess(self, ca: Any) -> None:
        """Fit a complete ``<controlaccess>`` (with what it kept from the source) to this
        version's spelling of access points."""

    # -- digital objects -----------------------------------------------------------------

    def digital_objects(self, objects: tuple[DigitalObject, ...], *, in_did: bool) -> list[Any]:
        """The visible digital objects: each alone, or the members of a group in one group
        element (``dao_group``), finished by ``finish_dao_groups``."""
        out: list[Any] = []
        current: str | None = None
        group_node = None
        for obj in objects:
            if not self.visible(obj.published):
                continue
            if obj.group is None:
                current = group_node = None
                out.append(self.dao(obj))
                continue
            if obj.group != current or group_node is None:
                current = obj.group
                group_node = self.dao_group(obj)
                out.append(group_node)
            self.dao_member(group_node, obj)
        return self.finish_dao_groups(out)

    @abstractmethod
    def dao(self, obj: DigitalObject) -> Any:
        """A digital object that stands alone."""

    @abstractmethod
    def dao_group(self, obj: DigitalObject) -> Any:
        """The group element for ``obj`` and the members of its group that follow it."""

    @abstractmethod
    def dao_member(self, group: Any, obj: DigitalObject) -> None:
        """Add ``obj`` to its group element."""

    def finish_dao_groups(self, out: list[Any]) -> list[Any]:
        return out
