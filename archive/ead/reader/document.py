"""Streaming reader for EAD 2002 and EAD3 into neutral records.

``read_ead(source)`` returns an :class:`EADReader`; iterate it for the records (protocol in
``archive.ead.records``) and look at ``reader.warnings`` (a list of
:class:`~archive.ead.records.EADWarning`, filled while iterating) for schema problems that did
not stop the import.  Malformed XML raises :class:`~archive.ead.parsing.EADSyntaxError`.

The version is detected from the document, never from the file name: the root namespace
(EAD 2002 ``urn:isbn:1-931666-22-9``, EAD3 and EAD3 "undeprecated"), else the DOCTYPE's public
or system identifier, else the first child of ``<ead>`` (``<control>`` is EAD3-only,
``<eadheader>`` EAD 2002-only).

Memory: every element directly inside a unit is turned into record fields at its end tag and
removed from the tree, and each component is removed at its end tag, so only the current chain
of open components is ever held.

Agent roles (the documented rule): names inside ``<origination>`` are creators, or sources
when the origination's @label mentions "source"; names inside ``<controlaccess>`` are
subjects unless their @role (EAD 2002) / @relator (EAD3) is a creator or source word or MARC
code (see ``mapping.CREATOR_RELATORS`` / ``SOURCE_RELATORS``).  The relator value itself is
always kept in ``AgentLink.relator``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from copy import deepcopy
from typing import Any

from lxml import etree

from . import mapping
from .markup import (
    attribute_items,
    fragment_from_element,
    local_name,
    name_fragment,
    normalise_space,
    parse_fragment,
    plain_text,
    serialise_element,
)
from .parsing import (
    EADLimitError,
    EADSyntaxError,
    Source,
    open_source,
    safe_iterparse,
    syntax_error_from,
    version_from_doctype,
    version_from_first_child,
    version_from_namespace,
)
from .records import (
    AgentLink,
    Attributes,
    Container,
    Date,
    DigitalObject,
    EADWarning,
    Extent,
    ExtraElement,
    FindingAid,
    Language,
    Note,
    Record,
    Revision,
    SubjectLink,
    Unit,
    UnitSupplement,
)

_COMPONENT_RE = re.compile(r"^c(\d\d)?$")
_ISO_DATE = re.compile(r"^-?\d{4}(-\d{2}(-\d{2})?)?$")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_EXTENT_RE = re.compile(r"^\s*(\.?[0-9][0-9.,/ ]*?)\s+(\S.*?)\s*$")
_BARCODE_RE = re.compile(r"[\[(]\s*(\d{6,})\s*[\])]")


def read_ead(
    source: Source,
    *,
    filename: str | None = None,
    max_depth: int | None = None,
    max_unit_bytes: int | None = None,
) -> EADReader:
    """Read an EAD 2002 or EAD3 document; iterate the result for records.

    ``source`` is a path, bytes or a binary file object.  ``filename`` names the input in
    warnings and errors (defaults to the path). ``max_depth`` and ``max_unit_bytes`` are
    limits (None: none) of :class:`EADReader`.
    """
    return EADReader(source, filename=filename, max_depth=max_depth, max_unit_bytes=max_unit_bytes)


class _CountingStream:
    """A binary stream that counts the bytes the parser has read from it."""

    __slots__ = ("count", "stream")

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.count += len(data)
        return data


def is_component(name: str) -> bool:
    try:
        return _IS_COMPONENT[name]
    except KeyError:
        found = bool(_COMPONENT_RE.match(name))
        if len(_IS_COMPONENT) < 4096:  # element names are a small vocabulary; stay bounded
            _IS_COMPONENT[name] = found
        return found


_IS_COMPONENT: dict[str, bool] = {}
_NO_ATTRIBUTES: dict[str, str] = {}


def _attrs(el: Any, skip: frozenset[str] | set[str] = frozenset()) -> Attributes:
    return _unmapped(el, el.items(), skip)


def _unmapped(el: Any, items: list[tuple[str, str]], skip: frozenset[str] | set[str]) -> Attributes:
    """``_attrs(el, skip)`` given ``el.items()``, for callers that read them already."""
    if not items:
        return ()
    for key, _ in items:
        if key[0] == "{":  # xlink:, xml: or foreign attributes: name them as markup does
            return tuple([(k, v) for k, v in attribute_items(el) if k not in skip])
    return tuple([item for item in items if item[0] not in skip])


def _text(el: Any) -> str:
    """``normalise_space(plain_text(el))``, without the walk for a text-only element."""
    if not len(el):
        text = el.text
        return " ".join(text.split()) if text else ""
    return normalise_space(plain_text(el))


def _fragment(el: Any, version: str) -> str:
    """``fragment_from_element(el)``; a text-only element is its escaped text."""
    if not len(el):
        text = el.text
        return _escape(text) if text else ""
    return fragment_from_element(el, version=version)


# Attributes that become fields of a record (the others are kept in its ``attributes``).
_DATE_MAPPED = frozenset(
    {"normal", "type", "unitdatetype", "certainty", "calendar", "era", "datechar", "audience"}
)
_CONTAINER_MAPPED = frozenset(
    {"id", "parent", "type", "localtype", "label", "containerid", "audience"}
)
_NOTE_MAPPED = frozenset({"id", "audience"})


def _published(el: Any) -> bool:
    return el.get("audience") != "internal"


def _public_text(el: Any) -> str:
    """The plain text of ``el`` without its descendants marked internal (a title's text is
    what pages and the search index show; its fragment keeps the internal parts)."""
    internal = [node for node in el.iterdescendants() if node.get("audience") == "internal"]
    if not internal:
        return normalise_space(plain_text(el))
    copy = deepcopy(el)
    for node in list(copy.iterdescendants()):
        if node.get("audience") == "internal" and node.getparent() is not None:
            parent, tail = node.getparent(), node.tail or ""
            previous = node.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
            parent.remove(node)
    return normalise_space(plain_text(copy))


def _internal_within(el: Any, top: Any) -> bool:
    """Whether ``el`` or an element between it and ``top`` is marked internal."""
    node = el
    while node is not None and node is not top:
        if node.get("audience") == "internal":
            return True
        node = node.getparent()
    return False


class _UnitState:
    """A unit being read: its element, what was mapped so far, and whether it was emitted.

    A plain slotted class (one is made per component): a dataclass with default factories
    cost more to build than the rest of a small component's reading.
    """

    __slots__ = (
        "element",
        "level",
        "depth",
        "sequence",
        "fields",
        "emitted",
        "position",
        "late",
        "quoted",
        "pending",
        "spent",
        "lists",
        "next_list",
    )

    def __init__(
        self, element: Any, level: int, depth: int, sequence: int, *, quoted: bool = False
    ) -> None:
        self.element = element
        self.level = level  # the element's nesting level in the document (root: 1)
        self.depth = depth
        self.sequence = sequence
        self.fields: dict[str, Any] = {}
        self.emitted = False
        self.position = 0
        self.late: dict[str, list[Any]] = {}
        self.quoted = quoted  # a component outside the component list (see _read)
        self.pending: list[Unit] = []  # quoted child units, after this one
        # Bytes of its description read and still held (see EADReader.max_unit_bytes).
        self.spent = 0
        self.lists = 0  # its component lists (<dsc>) so far
        # the attributes of a further component list, until its first component takes them
        self.next_list: Attributes | None = None

    def add(self, key: str, value: Any) -> None:
        target = self.late if self.emitted else self.fields
        target.setdefault(key, []).append(value)


class EADReader:
    """Iterator over the records of one EAD document, collecting warnings as it goes.

    Limits (None: none), each raising :class:`~archive.ead.parsing.EADLimitError` with the
    line: ``max_depth``, the deepest component below the collection (a ``<c01>`` is at depth
    1); ``max_unit_bytes``, the most bytes of the file that the header, or one unit's
    description without its child components, may take, which bounds what the reader
    holds at once. The bytes are counted as the parser reads them, before any tree is
    built, so a description of hundreds of megabytes is refused after reading the limit,
    never held whole.
    """

    def __init__(
        self,
        source: Source,
        *,
        filename: str | None = None,
        max_depth: int | None = None,
        max_unit_bytes: int | None = None,
    ) -> None:
        self._source = source
        stream, owned, name = open_source(source)
        self._stream = stream
        self._owned = owned
        self.filename = filename or name
        self.max_depth = max_depth
        self.max_unit_bytes = max_unit_bytes
        self.warnings: list[EADWarning] = []
        self.version: str | None = None
        self._started = False
        self._events: Any = None  # the parse (its error log tells where it failed)

    # -- public ------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Record]:
        if self._started:
            raise RuntimeError("an EADReader can be iterated only once")
        self._started = True
        try:
            yield from self._read()
        except etree.XMLSyntaxError as exc:
            log = self._events.error_log if self._events is not None else None
            raise syntax_error_from(exc, self.filename, log) from None
        finally:
            if self._owned:
                self._stream.close()

    def warn(self, el: Any, message: str) -> None:
        line = getattr(el, "sourceline", None) if el is not None else None
        self.warnings.append(EADWarning(self.filename, line, message))

    # -- main loop ---------------------------------------------------------------------

    def _read(self) -> Iterator[Record]:
        """The records, from one pass of start and end events.

        Where an element sits is told by ``names``, the local names of the open elements
        (root first), instead of walking ``getparent()``: an element's parent is the unit
        being read exactly when its level is the unit's level + 1. Most elements (those
        inside a ``<did>`` or a note) cost one dictionary look-up and a comparison per event;
        the unit's children are turned into fields at their end tags, as a whole.
        """
        root = None
        header: FindingAid | None = None
        header_fields: dict[str, Any] = {}
        header_extra: list[ExtraElement] = []
        root_attrs: Attributes = ()
        stack: list[_UnitState] = []
        sequence = 0
        numbered: bool | None = None
        header_emitted = False
        names: list[str] = []  # local names of the open elements, the root first
        local_names: dict[str, str] = {}  # tag -> local name, for this document
        max_depth = self.max_depth
        # Bytes read from the source; past ``limit`` the file is refused. A unit's
        # description can come in segments between its child components: ``segment`` is
        # where the current one began, and what earlier segments left held (description
        # after the first child waits for the unit's end) counts against the same limit.
        source = _CountingStream(self._stream)
        unit_bytes = self.max_unit_bytes
        limit = unit_bytes if unit_bytes is not None else float("inf")
        segment = 0
        # Entities are never expanded, but libxml2 still reports the elements of an internal
        # entity's text (at its first use, outside the tree: they have no parent). When the
        # DOCTYPE declares such an entity, those elements are skipped, ``skipping`` counting
        # the open ones; otherwise nothing is checked.
        entity_markup = False
        skipping = 0

        events = self._events = safe_iterparse(source, ("start", "end"))
        for event, el in events:
            # (iterparse gives start and end events for elements only, never comments, so an
            # end event closes the element of the last name pushed)
            if source.count > limit:
                self._too_large(el, stack)
            if skipping:
                skipping += 1 if event == "start" else -1
                continue
            if event == "start":
                if entity_markup and names and el.getparent() is None:
                    self.warn(el, "markup declared in an entity is not read")
                    skipping = 1
                    continue
                tag = el.tag
                name = local_names.get(tag)
                if name is None:
                    name = tag.rsplit("}", 1)[-1]
                    if len(local_names) < 4096:  # a small vocabulary per document; bounded
                        local_names[tag] = name
                names.append(name)
                level = len(names)
                if level > 2:
                    if name == "dsc":
                        if stack:
                            state = stack[-1]
                            if state.lists and not state.quoted:
                                state.next_list = _attrs(el)  # (for its first component)
                            else:
                                state.fields.setdefault("component_list_attributes", []).extend(
                                    _attrs(el)
                                )
                            state.lists += 1
                    elif (
                        stack
                        and is_component(name)
                        and "objectxmlwrap" not in names[stack[-1].level : -1]
                    ):
                        # (a component inside <objectxmlwrap> is what that element quotes, as
                        # any other XML there: kept with it, never a component of the tree)
                        # a component quoted elsewhere than in the component list (a <c02> in
                        # a <did>) is still a component, but it must not cut its parent short:
                        # the parent's description around it is read first
                        parent_state = stack[-1]
                        # (inside a quoted component that waits for its own parent, a child
                        # component waits too: emitted now, it would come before them both)
                        quoted = (
                            parent_state.quoted and not parent_state.emitted
                        ) or not _in_component_list(names, parent_state.level)
                        if numbered is None and not quoted:
                            numbered = name != "c"
                        if not header_emitted and header is not None:
                            header = _replace(header, numbered_components=bool(numbered))
                            yield header
                            header_emitted = True
                        held = parent_state.emitted or quoted  # else emitted now
                        if not parent_state.emitted and not quoted:
                            yield from self._emit(parent_state)
                        depth = parent_state.depth + 1
                        if max_depth is not None and depth > max_depth:
                            raise EADLimitError(
                                f"this component is nested {depth} levels below the "
                                f"collection; at most {max_depth} levels can be imported",
                                filename=self.filename,
                                line=el.sourceline,
                            )
                        if name != "c" and int(name[1:]) != depth:
                            self.warn(el, f"<{name}> at depth {depth}")
                        sequence += 1
                        child = _UnitState(el, level, depth, sequence, quoted=quoted)
                        if parent_state.next_list is not None and not quoted:
                            child.fields["new_component_list"] = parent_state.next_list
                            parent_state.next_list = None
                        stack.append(child)
                        if unit_bytes is not None:
                            read = source.count
                            parent_state.spent = parent_state.spent + read - segment if held else 0
                            segment = read
                            limit = read + unit_bytes
                    continue
                if level == 1:
                    root = el
                    if name != "ead":
                        raise EADSyntaxError(
                            f"root element is <{name}>, not <ead>",
                            filename=self.filename,
                            line=el.sourceline,
                            column=None,
                        )
                    ns = etree.QName(el).namespace
                    info = el.getroottree().docinfo
                    entity_markup = _declares_markup(info.internalDTD)
                    self.version = version_from_namespace(ns)
                    if self.version is None:
                        self.version = version_from_doctype(info.public_id, info.system_url)
                    root_attrs = _attrs(el, {"schemaLocation"})
                    continue
                # a child of the root
                if self.version is None:
                    self.version = version_from_first_child(name) or "2002"
                if name == "archdesc":
                    header = self._finding_aid(
                        header_fields, header_extra, root_attrs, numbered=False
                    )
                    stack.append(_UnitState(el, level, 0, 0))
                    if unit_bytes is not None:
                        segment = source.count
                        limit = segment + unit_bytes
                continue

            # ---- end events
            level = len(names)
            name = names.pop()
            if level > 2:
                if not stack:
                    continue
                state = stack[-1]
                if el is state.element:  # (only units are on the stack)
                    stack.pop()
                    if unit_bytes is not None and stack:
                        segment = source.count
                        limit = segment + unit_bytes - stack[-1].spent
                    if state.quoted and not state.emitted and stack and not stack[-1].emitted:
                        stack[-1].pending.append(self._unit(state))  # after its parent
                        stack[-1].pending.extend(state.pending)  # and its own, after it
                    elif not state.emitted:
                        yield from self._emit(state)
                    elif state.late:
                        if state.depth > 0:
                            self.warn(el, "description after child components")
                        yield self._supplement(state)
                    el.getparent().remove(el)
                    continue
                unit_level = state.level
                if level == unit_level + 1:
                    if name != "dsc":
                        self._unit_child(state, el, name)
                    el.getparent().remove(el)
                elif level == unit_level + 2 and names[-1] == "dsc" and not is_component(name):
                    if name == "head":
                        state.add("headings", ("dsc", normalise_space(plain_text(el))))
                        if _attrs(el) and not state.emitted:
                            state.add("heading_attributes", ("dsc", _attrs(el)))
                    else:
                        state.add(
                            "extra",
                            ExtraElement(
                                _verbatim(el),
                                where="dsc",
                                position=state.position,
                                version=self.version or "2002",
                                published=_published(el),
                            ),
                        )
                    el.getparent().remove(el)
                continue
            if level == 1:
                continue
            # a child of the root
            if name in ("eadheader", "control"):
                header_fields.update(self._header(el))
            elif name == "frontmatter":
                header_extra.append(
                    ExtraElement(
                        _verbatim(el, version=self.version or "2002"),
                        where="ead",
                        position=1,
                        version=self.version or "2002",
                    )
                )
            elif name == "archdesc":
                state = stack.pop()
                if not header_emitted:
                    header = _replace(header, numbered_components=bool(numbered))
                    yield header
                    header_emitted = True
                if not state.emitted:
                    yield from self._emit(state)
                elif state.late:
                    yield self._supplement(state)
            el.getparent().remove(el)
        if root is None:
            raise EADSyntaxError("the file is empty", filename=self.filename, line=1, column=1)
        if not header_emitted:
            # (at the line of <ead>, the element that lacks it)
            raise EADSyntaxError(
                "no <archdesc> in <ead>", filename=self.filename, line=root.sourceline, column=None
            )

    def _too_large(self, el: Any, stack: list[_UnitState]) -> None:
        """Refuse the file: the unit being read (or the header) is past ``max_unit_bytes``."""
        size = f"{self.max_unit_bytes:,} bytes"
        if stack:
            unit = stack[-1]
            what = "the collection's description" if unit.depth == 0 else "this component"
            line = unit.element.sourceline
            message = (
                f"{what} takes more than {size} of the file without its child components; "
                "larger ones are refused"
            )
        else:
            line = el.sourceline
            message = f"the header takes more than {size} of the file; larger ones are refused"
        raise EADLimitError(message, filename=self.filename, line=line)

    # -- header ------------------------------------------------------------------------

    def _header(self, el: Any) -> dict[str, Any]:
        v = self.version or "2002"
        f: dict[str, Any] = {"extra": [], "element_attributes": _element_attributes(el)}
        attrs = []
        for key, value in _attrs(el):
            if key == "findaidstatus":
                f["status"] = value
            else:
                attrs.append((key, value))
        f["header_attributes"] = tuple(attrs)

        def keep(child: Any, where: str, position: int) -> None:
            f["extra"].append(
                ExtraElement(
                    _verbatim(child),
                    where=where,
                    position=position,
                    version=v,
                    published=_published(child),
                )
            )

        for pos, child in enumerate(_elements(el)):
            name = local_name(child)
            if name in ("eadid", "recordid"):
                f["ead_id"] = normalise_space(plain_text(child))
                id_attrs = list(_attrs(child))
                if name == "recordid":
                    id_attrs = [("url" if k == "instanceurl" else k, val) for k, val in id_attrs]
                f["ead_id_attributes"] = tuple(id_attrs)
                d = dict(id_attrs)
                f["country_code"] = d.get("countrycode")
                f["agency_code"] = d.get("mainagencycode")
                f["repository_code"] = d.get("mainagencycode")
            elif name == "filedesc":
                self._filedesc(child, f, keep)
            elif name == "profiledesc":
                for ppos, sub in enumerate(_elements(child)):
                    sname = local_name(sub)
                    if sname == "creation":
                        f["creation"] = fragment_from_element(sub, version=v)
                        for date in sub.iter("{*}date", "date"):
                            if not _internal_within(date, sub):
                                f["creation_date"] = normalise_space(plain_text(date))
                                break
                    elif sname == "langusage":
                        f["language_of_description"] = fragment_from_element(sub, version=v)
                        for lang in sub.iter("{*}language", "language"):
                            f["language_of_description_code"] = lang.get("langcode")
                            f["script_of_description_code"] = lang.get("scriptcode")
                            break
                    elif sname == "descrules":
                        f["rules"] = fragment_from_element(sub, version=v)
                    else:
                        keep(sub, "profiledesc", ppos)
            elif name == "revisiondesc":
                revisions = []
                for rpos, change in enumerate(_elements(child)):
                    if local_name(change) != "change":
                        keep(change, "revisiondesc", rpos)
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
            elif name == "maintenancestatus":
                f["header_attributes"] += (("maintenancestatus", child.get("value") or ""),)
                if normalise_space(plain_text(child)):
                    f["maintenance_status_text"] = normalise_space(plain_text(child))
            elif name == "publicationstatus":
                f["status"] = child.get("value")
            elif name == "maintenanceagency":
                if child.get("countrycode"):
                    f["country_code"] = child.get("countrycode")
                for mpos, sub in enumerate(_elements(child)):
                    sname = local_name(sub)
                    if sname == "agencycode":
                        f["agency_code"] = normalise_space(plain_text(sub))
                        f["repository_code"] = f["agency_code"]
                    elif sname == "agencyname" and not f.get("_agency_seen"):
                        f["_agency_seen"] = True
                        f["repository_name"] = normalise_space(plain_text(sub))
                    else:
                        keep(sub, "maintenanceagency", mpos)
            elif name == "languagedeclaration" and "language_of_description" not in f:
                texts = []
                for sub in _elements(child):
                    sname = local_name(sub)
                    if sname == "language":
                        f["language_of_description_code"] = sub.get("langcode")
                        texts.append(normalise_space(plain_text(sub)))
                    elif sname == "script":
                        f["script_of_description_code"] = sub.get("scriptcode")
                        f["script_of_description"] = normalise_space(plain_text(sub)) or None
                    else:
                        texts.append(normalise_space(plain_text(sub)))
                f["language_of_description"] = " ".join(t for t in texts if t)
                f.setdefault("declarations", []).append(
                    (_verbatim(child), f["language_of_description"])
                )
            elif name == "conventiondeclaration" and "rules" not in f:
                f["rules"] = _escape(normalise_space(plain_text(child)))
                f.setdefault("declarations", []).append((_verbatim(child), f["rules"]))
            elif name == "maintenancehistory":
                revisions = []
                for ev in _elements(child):
                    if local_name(ev) != "maintenanceevent":
                        continue
                    parts = {local_name(p): p for p in _elements(ev)}
                    dt = parts.get("eventdatetime")
                    revisions.append(
                        Revision(
                            date=normalise_space(plain_text(dt)) if dt is not None else "",
                            normal=dt.get("standarddatetime") if dt is not None else None,
                            description=normalise_space(plain_text(parts["eventdescription"]))
                            if "eventdescription" in parts
                            else "",
                            agent=normalise_space(plain_text(parts["agent"]))
                            if "agent" in parts
                            else "",
                            event_type=(parts["eventtype"].get("value") or "")
                            if "eventtype" in parts
                            else "",
                            published=_published(ev),
                            agent_type=(parts["agenttype"].get("value") or "")
                            if "agenttype" in parts
                            else "",
                            event_text=normalise_space(plain_text(parts["eventtype"]))
                            if "eventtype" in parts
                            else "",
                        )
                    )
                f["revisions"] = tuple(revisions)
            else:
                keep(child, "header" if v == "2002" else "control", pos)
        return f

    def _filedesc(self, el: Any, f: dict[str, Any], keep: Any) -> None:
        v = self.version or "2002"
        stray = " ".join(
            " ".join(t.split()) for t in [el.text, *(c.tail for c in el)] if t and t.strip()
        )
        if stray:
            # words where the schema takes none: kept as a note of the file description
            self.warn(el, "text directly in <filedesc> kept as a note")
            note = f"<note><p>{_escape(stray)}</p></note>"
            keep(parse_fragment(note)[0], "filedesc", -1)
        for pos, child in enumerate(_elements(el)):
            name = local_name(child)
            if name == "titlestmt":
                for tpos, sub in enumerate(_elements(child)):
                    sname = local_name(sub)
                    if sname == "titleproper":
                        kind = (sub.get("type") or sub.get("localtype") or "").casefold()
                        if kind == "filing" and f.get("filing_title") is None:
                            f["filing_title"] = normalise_space(plain_text(sub))
                        elif "title" not in f:
                            f["title"] = fragment_from_element(sub, version=v)
                            f["title_text"] = _public_text(sub)
                        else:
                            keep(sub, "titlestmt", tpos)
                    elif sname in ("subtitle", "author", "sponsor") and sname not in f:
                        f[sname] = fragment_from_element(sub, version=v)
                    else:
                        keep(sub, "titlestmt", tpos)
            elif name == "editionstmt":
                for epos, sub in enumerate(_elements(child)):
                    if local_name(sub) == "edition" and "edition" not in f:
                        f["edition"] = fragment_from_element(sub, version=v)
                    else:
                        keep(sub, "editionstmt", epos)
            elif name == "publicationstmt":
                for ppos, sub in enumerate(_elements(child)):
                    sname = local_name(sub)
                    if sname == "publisher" and "publisher" not in f:
                        f["publisher"] = normalise_space(plain_text(sub))
                        if len(sub):
                            f["publisher_markup"] = fragment_from_element(sub, version=v)
                        f.setdefault("repository_name", f["publisher"])
                    elif sname == "date" and "publication_date" not in f:
                        f["publication_date"] = normalise_space(plain_text(sub))
                        f["publication_date_normal"] = sub.get("normal") or sub.get("standarddate")
                    elif sname == "address" and not f.get("publication_address"):
                        f["publication_address"] = tuple(
                            normalise_space(plain_text(line)) for line in _elements(sub)
                        )
                        if any(len(line) for line in _elements(sub)):
                            f["publication_address_markup"] = tuple(
                                _fragment(line, v) for line in _elements(sub)
                            )
                    else:
                        keep(sub, "publicationstmt", ppos)
            else:
                keep(child, "filedesc", pos)

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

    # -- units -------------------------------------------------------------------------

    def _emit(self, state: _UnitState) -> Iterator[Unit]:
        """The unit of ``state``, then the quoted components read before it was complete."""
        yield self._unit(state)
        yield from state.pending
        state.pending.clear()

    def _unit(self, state: _UnitState) -> Unit:
        el = state.element
        state.emitted = True
        f = state.fields
        items = el.items()
        get = dict(items).get if items else _NO_ATTRIBUTES.get
        level = get("level")
        if level is None and state.depth == 0:
            self.warn(el, "<archdesc> without level")
        elif level is not None and level not in mapping.LEVELS:
            self.warn(el, f"unknown level {level!r}")
        if "did" not in f:
            self.warn(el, "unit without <did>")
        if not f.get("title") and not f.get("dates"):
            self.warn(el, "unit has neither title nor date")
        values: dict[str, Any] = {k: tuple(v) if v.__class__ is list else v for k, v in f.items()}
        values.pop("did", None)
        unit = Unit(
            depth=state.depth,
            sequence=state.sequence,
            level=level,
            other_level=get("otherlevel"),
            ref=get("id"),
            published=get("audience") != "internal",
            # audience="external" says no more than published, but the file said it: kept
            attributes=_unmapped(el, items, mapping.UNIT_MAPPED_ATTRIBUTES)
            + ((("audience", "external"),) if get("audience") == "external" else ()),
            **values,
        )
        f.clear()
        return unit

    def _supplement(self, state: _UnitState) -> UnitSupplement:
        late = {
            k: tuple(v)
            for k, v in state.late.items()
            if k
            in (
                "notes",
                "agents",
                "subjects",
                "digital_objects",
                "extra",
                "headings",
                "heading_attributes",
            )
        }
        for key in set(state.late) - set(late):
            self.warn(state.element, f"late {key} after child components ignored")
        state.late.clear()
        return UnitSupplement(sequence=state.sequence, depth=state.depth, **late)

    def _unit_child(self, state: _UnitState, el: Any, name: str) -> None:
        v = self.version or "2002"
        position = state.position
        state.position += 1
        if name == "did":
            if "did" in state.fields:
                self.warn(el, "second <did> kept as extra")
            else:
                state.fields["did"] = True
                self._did(state, el)
                return
        if name == "accessrestrict" and _legalstatus_wrapper(el) is not None:
            # the writers' EAD 2002 form of a legal status note (see Writer2002.note)
            inner = _legalstatus_wrapper(el)
            note = self._note(inner, "legalstatus", position)
            heads = [h for h in _elements(el) if local_name(h) == "head"]
            if heads:
                note = _replace(note, heading=normalise_space(plain_text(heads[0])))
            state.add("notes", note)
            return
        if name in mapping.UNIT_NOTE_ELEMENTS:
            state.add("notes", self._note(el, mapping.UNIT_NOTE_ELEMENTS[name], position))
            return
        if name == "controlaccess":
            self._controlaccess(state, el, group=None, top=True)
            return
        if name in ("dao", "daogrp", "daoset"):
            for obj in self._digital_objects(el, name):
                state.add("digital_objects", obj)
            return
        if name == "head" and state.depth > 0:
            state.add("headings", ("unit", normalise_space(plain_text(el))))
            return
        # (anything else, a <thead> before the child components included, is kept whole;
        # writers put it back by position, and the content model puts a thead last)
        state.add(
            "extra",
            ExtraElement(
                _verbatim(el), where="unit", position=position, version=v, published=_published(el)
            ),
        )

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
                from .markup import _escape_text

                content = _escape_text(head.tail) + content
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
                set_attributes = _attrs(el)
                for sub in _elements(el):
                    if local_name(sub) == "physdescstructured":
                        extent = self._physdescstructured(sub, in_set=True)
                        if set_attributes:
                            extent = _replace(extent, set_attributes=set_attributes)
                            set_attributes = ()
                        state.add("extents", extent)
            elif name in did_notes:
                note = self._note(el, did_notes[name], position)
                if v == "3" and name == "langmaterial":
                    # EAD3 langmaterial has no prose of its own: only its descriptivenote
                    notes = [d for d in _elements(el) if local_name(d) == "descriptivenote"]
                    note = _replace(
                        note, content="".join(fragment_from_element(d, version=v) for d in notes)
                    )
                state.add("notes", note)
                if name == "physloc" and "physical_location" not in f and note.published:
                    f["physical_location"] = normalise_space(plain_text(el))
                if name == "langmaterial":
                    for lang in self._languages(el):
                        if not note.published:
                            lang = _replace(lang, published=False)
                        if v == "3":
                            lang = _replace(lang, statement=position)
                        state.add("languages", lang)
            elif name == "origination":
                agents = self._origination(el)
                if agents:
                    for agent in agents:
                        state.add("agents", agent)
                else:
                    self._did_extra(state, el, position)
            elif name == "repository":
                f["repository_name"] = normalise_space(plain_text(el))
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
        v = self.version or "2002"
        state.add(
            "extra",
            ExtraElement(
                _verbatim(el), where="did", position=position, version=v, published=_published(el)
            ),
        )

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
        v = self.version or "2002"
        if top:
            state.fields.setdefault("controlaccess_attributes", _attrs(el))
        heading = None
        for position, sub in enumerate(_elements(el)):
            name = local_name(sub)
            if name == "head":
                heading = normalise_space(plain_text(sub))
                if top:
                    state.add("headings", ("controlaccess", heading))
                    if _attrs(sub):
                        state.add("heading_attributes", ("controlaccess", _attrs(sub)))
            elif name == "controlaccess" and not _has_access_points(sub):
                # a group without names or terms (a heading over a <date>, a <p>...) maps to
                # nothing: kept whole so its heading stays with its content
                state.add(
                    "extra",
                    ExtraElement(
                        _verbatim(sub),
                        where="controlaccess",
                        position=position,
                        version=v,
                        published=_published(sub),
                    ),
                )
            elif name == "controlaccess":
                sub_head = None
                for h in _elements(sub):
                    if local_name(h) == "head":
                        sub_head = normalise_space(plain_text(h))
                    break
                if not state.emitted and _attrs(sub):
                    state.add("group_attributes", (sub_head or "", _attrs(sub)))
                self._controlaccess(state, sub, group=sub_head or "", top=False)
            elif name in mapping.AGENT_ELEMENTS:
                relator = (sub.get("role") or sub.get("relator") or "").casefold()
                role = "subject"
                if relator in mapping.CREATOR_RELATORS:
                    role = "creator"
                elif relator in mapping.SOURCE_RELATORS:
                    role = "source"
                agent = self._agent(sub, role, group, None)
                if not _published(el):
                    agent = _replace(agent, published=False)
                state.add("agents", agent)
            elif name in mapping.SUBJECT_ELEMENTS:
                term, parts = self._name_link(sub)
                if len(parts) == 1 and not parts[0][0]:
                    parts = ()  # one untyped part: what a writer makes of the term anyway
                state.add(
                    "subjects",
                    SubjectLink(
                        term=term,
                        subject_type=mapping.SUBJECT_ELEMENTS[name],
                        source=sub.get("source"),
                        authority_id=sub.get("authfilenumber") or sub.get("identifier"),
                        published=_published(sub) and _published(el),
                        group=group,
                        normal=sub.get("normal"),
                        attributes=_attrs(
                            sub, {"source", "authfilenumber", "identifier", "normal", "audience"}
                        )
                        + _external(sub),
                        term_parts=parts,
                        term_markup=self._name_markup(sub),
                    ),
                )
            else:
                state.add(
                    "extra",
                    ExtraElement(
                        _verbatim(sub),
                        where="controlaccess",
                        position=position,
                        version=v,
                        published=_published(sub),
                    ),
                )
        del heading

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


_EXTERNAL: Attributes = (("audience", "external"),)


def _external(el: Any) -> Attributes:
    """``audience="external"`` when the element says so (published says no more, but the
    file said it); writers give it back to published records only."""
    return _EXTERNAL if el.get("audience") == "external" else ()


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


def _verbatim(el: Any, *, version: str | None = None) -> str:
    """An unmapped element as found (namespace dropped, source vocabulary kept)."""
    return serialise_element(el)


def _elements(el: Any) -> list[Any]:
    return [c for c in el if isinstance(c.tag, str)]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _replace(obj: Any, **changes: Any) -> Any:
    from dataclasses import replace

    return replace(obj, **changes)


def _has_access_points(el: Any) -> bool:
    """Whether a controlaccess (at any nesting) holds a name or term that maps to a link."""
    for node in el.iter():
        if isinstance(node.tag, str) and node is not el:
            name = local_name(node)
            if name in mapping.AGENT_ELEMENTS or name in mapping.SUBJECT_ELEMENTS:
                return True
    return False


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


def _declares_markup(dtd: Any) -> bool:
    """Whether a DOCTYPE's internal subset declares an entity whose text holds markup."""
    if dtd is None:
        return False
    return any("<" in (entity.content or "") for entity in dtd.iterentities())


def _in_component_list(names: list[str], unit_level: int) -> bool:
    """Whether the ``<c>`` just opened (the last of ``names``, the open elements' local
    names) is a child component of the unit at ``unit_level`` (directly, or in its
    ``<dsc>``), not an element of that name quoted elsewhere (inside a ``<did>``)."""
    index = len(names) - 2  # the parent's
    while index >= 0 and names[index] == "dsc":
        index -= 1
    return index + 1 == unit_level
