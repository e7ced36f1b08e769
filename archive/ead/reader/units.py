"""Units (the collection's description and each component): their own attributes, the
children read into fields, and the records they become."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .. import mapping
from ..markup import local_name, normalise_space, plain_text
from ..records import Unit, UnitSupplement
from .base import _NO_ATTRIBUTES, _elements, _extra, _replace, _UnitState, _unmapped
from .did import DidReading
from .notes import _legalstatus_wrapper


class UnitReading(DidReading):
    """A unit's children as they end, and its records once it is complete."""

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
        state.add("extra", _extra(el, "unit", position, v))
