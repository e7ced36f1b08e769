"""The reader's pass over one document: the event loop, and the steps it takes when a unit,
the root or one of its children opens or closes (the parts of a unit are read by the
classes ``EADReader`` inherits: ``HeaderReading``, ``UnitReading`` and through it
``DidReading``, ``NotesReading``, ``AccessReading``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree

from ..markup import normalise_space, plain_text
from ..parsing import (
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
from ..records import Attributes, EADWarning, ExtraElement, FindingAid, Record
from .base import _attrs, _extra, _replace, _UnitState, _verbatim, is_component
from .header import HeaderReading
from .units import UnitReading


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


class EADReader(HeaderReading, UnitReading):
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
        # -- the pass (see _read)
        self._counter = _CountingStream(stream)
        self._names: list[str] = []  # local names of the open elements, the root first
        self._stack: list[_UnitState] = []  # the units being read, the collection first
        self._root: Any = None
        self._root_attrs: Attributes = ()
        self._header_record: FindingAid | None = None
        self._header_fields: dict[str, Any] = {}
        self._header_extra: list[ExtraElement] = []
        self._header_emitted = False
        self._numbered: bool | None = None  # <c01>... (True) or <c> (False), once known
        self._sequence = 0
        # Bytes read from the source; past ``_limit`` the file is refused. A unit's
        # description can come in segments between its child components: ``_segment`` is
        # where the current one began, and what earlier segments left held (description
        # after the first child waits for the unit's end) counts against the same limit.
        self._limit: float = float("inf")
        self._segment = 0

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

    # -- main loop ---------------------------------------------------------------------

    def _read(self) -> Iterator[Record]:
        """The records, from one pass of start and end events.

        Where an element sits is told by ``names``, the local names of the open elements
        (root first), instead of walking ``getparent()``: an element's parent is the unit
        being read exactly when its level is the unit's level + 1. Most elements (those
        inside a ``<did>`` or a note) cost one dictionary look-up and a comparison per event;
        the unit's children are turned into fields at their end tags, as a whole. What
        happens once per unit or per child of the root is a step of its own; the loop keeps
        what every event needs in local variables (``limit`` is read back after a step that
        may move it). It is longer than 60 lines on purpose: it runs for every start and end
        tag of the file, and a call per event would cost more than the rest of its work.

        Entities are never expanded, but libxml2 still reports the elements of an internal
        entity's text (at its first use, outside the tree: they have no parent). When the
        DOCTYPE declares such an entity, those elements are skipped, ``skipping`` counting
        the open ones; otherwise nothing is checked.
        """
        source, names, stack = self._counter, self._names, self._stack
        local_names: dict[str, str] = {}  # tag -> local name, for this document
        limit = self._limit
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
                            _open_list(stack[-1], el)
                    elif (
                        stack
                        and is_component(name)
                        and "objectxmlwrap" not in names[stack[-1].level : -1]
                    ):
                        # (a component inside <objectxmlwrap> is what that element quotes, as
                        # any other XML there: kept with it, never a component of the tree)
                        yield from self._open_component(el, name, level)
                        limit = self._limit
                elif level == 1:
                    entity_markup = self._open_root(el, name)
                else:
                    self._open_top(el, name, level)
                    limit = self._limit
                continue
            level = len(names)
            name = names.pop()
            if level > 2:
                if not stack:
                    continue
                state = stack[-1]
                if el is state.element:  # (only units are on the stack)
                    yield from self._close_unit(el)
                    el.getparent().remove(el)
                    limit = self._limit
                elif level == state.level + 1:
                    if name != "dsc":
                        self._unit_child(state, el, name)
                    el.getparent().remove(el)
                elif level == state.level + 2 and names[-1] == "dsc" and not is_component(name):
                    self._list_child(state, el, name)
                    el.getparent().remove(el)
            elif level == 2:
                yield from self._close_top(el, name)
                el.getparent().remove(el)
        self._check_complete()

    def _open_root(self, el: Any, name: str) -> bool:
        """``<ead>`` opens: the version from its namespace or DOCTYPE. Returns whether the
        DOCTYPE declares an entity holding markup (see ``_read``)."""
        self._root = el
        if name != "ead":
            raise EADSyntaxError(
                f"root element is <{name}>, not <ead>",
                filename=self.filename,
                line=el.sourceline,
                column=None,
            )
        info = el.getroottree().docinfo
        self.version = version_from_namespace(etree.QName(el).namespace)
        if self.version is None:
            self.version = version_from_doctype(info.public_id, info.system_url)
        self._root_attrs = _attrs(el, {"schemaLocation"})
        return _declares_markup(info.internalDTD)

    def _open_top(self, el: Any, name: str, level: int) -> None:
        """A child of the root opens (``<archdesc>`` starts the collection's unit)."""
        if self.version is None:
            self.version = version_from_first_child(name) or "2002"
        if name == "archdesc":
            self._header_record = self._finding_aid(
                self._header_fields, self._header_extra, self._root_attrs, numbered=False
            )
            self._stack.append(_UnitState(el, level, 0, 0))
            if self.max_unit_bytes is not None:
                self._segment = self._counter.count
                self._limit = self._segment + self.max_unit_bytes

    def _open_component(self, el: Any, name: str, level: int) -> Iterator[Record]:
        """A component opens: the header and its parent unit are complete unless the
        component is quoted (see below), so they are emitted now."""
        parent = self._stack[-1]
        # a component quoted elsewhere than in the component list (a <c02> in a <did>) is
        # still a component, but it must not cut its parent short: the parent's description
        # around it is read first. (Inside a quoted component that waits for its own parent,
        # a child component waits too: emitted now, it would come before them both.)
        quoted = (parent.quoted and not parent.emitted) or not _in_component_list(
            self._names, parent.level
        )
        if self._numbered is None and not quoted:
            self._numbered = name != "c"
        if not self._header_emitted and self._header_record is not None:
            yield self._emit_header()
        held = parent.emitted or quoted  # else emitted now
        if not parent.emitted and not quoted:
            yield from self._emit(parent)
        depth = parent.depth + 1
        if self.max_depth is not None and depth > self.max_depth:
            raise EADLimitError(
                f"this component is nested {depth} levels below the "
                f"collection; at most {self.max_depth} levels can be imported",
                filename=self.filename,
                line=el.sourceline,
            )
        if name != "c" and int(name[1:]) != depth:
            self.warn(el, f"<{name}> at depth {depth}")
        self._sequence += 1
        child = _UnitState(el, level, depth, self._sequence, quoted=quoted)
        if parent.next_list is not None and not quoted:
            child.fields["new_component_list"] = parent.next_list
            parent.next_list = None
        self._stack.append(child)
        if self.max_unit_bytes is not None:
            read = self._counter.count
            parent.spent = parent.spent + read - self._segment if held else 0
            self._segment = read
            self._limit = read + self.max_unit_bytes

    def _close_unit(self, el: Any) -> Iterable[Record]:
        """A component ends: its record (unless emitted at its first child), or what came
        after its child components as a supplement. (Returns them rather than being a
        generator: one generator less between each record and the loop.)"""
        stack = self._stack
        state = stack.pop()
        if self.max_unit_bytes is not None and stack:
            self._segment = self._counter.count
            self._limit = self._segment + self.max_unit_bytes - stack[-1].spent
        if state.quoted and not state.emitted and stack and not stack[-1].emitted:
            stack[-1].pending.append(self._unit(state))  # after its parent
            stack[-1].pending.extend(state.pending)  # and its own, after it
        elif not state.emitted:
            return self._emit(state)
        elif state.late:
            if state.depth > 0:
                self.warn(el, "description after child components")
            return (self._supplement(state),)
        return ()

    def _list_child(self, state: _UnitState, el: Any, name: str) -> None:
        """An element of a component list (``<dsc>``) other than a component ends."""
        if name == "head":
            state.add("headings", ("dsc", normalise_space(plain_text(el))))
            if _attrs(el) and not state.emitted:
                state.add("heading_attributes", ("dsc", _attrs(el)))
        else:
            state.add("extra", _extra(el, "dsc", state.position, self.version or "2002"))

    def _close_top(self, el: Any, name: str) -> Iterator[Record]:
        """A child of the root ends: the header's fields, front matter kept verbatim, or the
        end of ``<archdesc>`` (the header, if no component came, and the collection)."""
        if name in ("eadheader", "control"):
            self._header_fields.update(self._header(el))
        elif name == "frontmatter":
            version = self.version or "2002"
            extra = ExtraElement(_verbatim(el), where="ead", position=1, version=version)
            self._header_extra.append(extra)
        elif name == "archdesc":
            state = self._stack.pop()
            if not self._header_emitted:
                yield self._emit_header()
            if not state.emitted:
                yield from self._emit(state)
            elif state.late:
                yield self._supplement(state)

    def _emit_header(self) -> FindingAid:
        """The finding aid, now that its components' numbering is known."""
        header = _replace(self._header_record, numbered_components=bool(self._numbered))
        self._header_record = header
        self._header_emitted = True
        return header

    def _check_complete(self) -> None:
        if self._root is None:
            raise EADSyntaxError("the file is empty", filename=self.filename, line=1, column=1)
        if not self._header_emitted:
            # (at the line of <ead>, the element that lacks it)
            raise EADSyntaxError(
                "no <archdesc> in <ead>",
                filename=self.filename,
                line=self._root.sourceline,
                column=None,
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


def _open_list(state: _UnitState, el: Any) -> None:
    """A component list (``<dsc>``) of ``state``'s unit opens: its attributes are kept."""
    if state.lists and not state.quoted:
        state.next_list = _attrs(el)  # (for its first component)
    else:
        state.fields.setdefault("component_list_attributes", []).extend(_attrs(el))
    state.lists += 1


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
