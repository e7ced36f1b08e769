"""The search index rows of a collection being loaded, built from what the loader writes.

``archive.services.imports`` hands :class:`LoadFeed` to the loader (``archive.exchange.load``
knows nothing of search): the loader gives each value as it queues its row, and after each
batch asks for the batch's index rows, written after the batch by the same writer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import connection

from archive.exchange.load_types import UnitIndexColumns
from archive.models import AgentLink, AgentVariantName
from archive.search import counts
from archive.search.backends import get_backend
from archive.search.index import (
    BATCH,
    MEMO_SIZE,
    IndexRow,
    _container_text,
    _Loaded,
    _rows,
    _span,
    _widen,
)
from archive.search.text import fragment_text
from archive.visibility import PublicWalk


class LoadFeed:
    """Index rows for a collection being loaded, from what the loader writes.

    :func:`~archive.search.index.reindex_collection` after a load reads every row back: the
    units, their dates, containers, notes and links, plus the ``ANALYZE`` its plans need (a
    fifth of a large import's time). The loader holds all of it already, so it hands each
    value here as it queues the row (the column values, after the same clipping), and takes the
    index rows of each batch of units with :meth:`rows` once the batch's agents and
    subjects have their ids. The rows are built by the same code as a reindex
    (``_rows``), and a test compares the two for every corpus file.

    Units come in document order, so a unit is public when it is published and no open
    unit above it is unpublished. The collection's own row waits for the last batch: EAD
    lets ``<archdesc>`` go on describing the collection after its ``<dsc>``. What a stream
    cannot give (description of a lower unit after its child components, or creators of
    the collection named after rows that count them were written) makes the feed
    :attr:`complete` False, and the caller reindexes the collection instead.
    """

    def __init__(self, collection_id: int, repository_id: int) -> None:
        self.collection_id = collection_id
        self.repository_id = repository_id
        self.complete = True
        self.units: list[tuple[Any, ...]] = []
        self.root_unit: tuple[Any, ...] | None = None  # the collection's row, built last
        self.built = False  # rows were built for units other than the root
        self.walk = PublicWalk()  # which units given so far are public
        self.public: set[int] = set()
        self.root_languages: object = None
        self.root_id: int | None = None
        self.root_creators: list[tuple[int, str]] = []
        self.notes: dict[int, list[str]] = defaultdict(list)
        self.links: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        self.variants: dict[int, list[str]] = {}
        self.new_agents: set[int] = set()
        self.subjects: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        self.years: dict[int, tuple[int | None, int | None]] = {}
        self.containers: dict[int, list[str]] = defaultdict(list)
        self.online: set[int] = set()
        # Most units share their box and their dates with many others: each text and year
        # pair is worked out once (bounded: a pathological file cannot grow them forever).
        self.container_texts: dict[tuple[str, ...], str] = {}
        self.year_pairs: dict[tuple[str, str], tuple[int | None, int | None]] = {}

    def unit(self, depth: int, published: bool, columns: UnitIndexColumns) -> None:
        """A component row (``depth`` 1: the collection's root, which comes first)."""
        if not self.walk.public(depth, published):
            return
        unit_id, level, identifier, title, languages = columns
        self.public.add(unit_id)
        row = (unit_id, self.collection_id, level, identifier, title, languages)
        if depth == 1:
            self.root_id = unit_id
            self.root_languages = languages
            self.root_unit = row
        else:
            self.units.append(row)

    def supplement(self, unit_id: int) -> None:
        """Description of a unit that came after its child components (notes, links,
        digital objects are then given as usual)."""
        if unit_id in self.public and unit_id != self.root_id:
            self.complete = False  # its row may be written already

    def date(self, unit_id: int, begin: str, end: str) -> None:
        if unit_id not in self.public:
            return
        span = self.year_pairs.get((begin, end))
        if span is None:
            span = _span(begin, end)
            if len(self.year_pairs) < MEMO_SIZE:
                self.year_pairs[begin, end] = span
        _widen(self.years, unit_id, span)

    def container(self, unit_id: int, *columns: str) -> None:
        """An instance: its container's type and indicator, then the instance's child and
        grandchild type and indicator."""
        if unit_id in self.public:
            text = self.container_texts.get(columns)
            if text is None:
                text = _container_text(*columns)
                if len(self.container_texts) < MEMO_SIZE:
                    self.container_texts[columns] = text
            self.containers[unit_id].append(text)

    def note(self, unit_id: int, content: str, published: bool) -> None:
        if published and unit_id in self.public:
            text = fragment_text(content)
            if text:
                self.notes[unit_id].append(text)

    def agent(
        self, unit_id: int, agent_id: int, role: str, name: str, published: bool, *, new: bool
    ) -> None:
        """An agent link, once its agent is known (``published``: the link's and the
        agent's flags; ``new``: the agent was created by this load, so has no variants)."""
        if new:
            self.new_agents.add(agent_id)
        if not published or unit_id not in self.public:
            return
        self.links[unit_id].append((agent_id, role, name))
        if unit_id == self.root_id and role == AgentLink.Role.CREATOR:
            self.root_creators.append((agent_id, name))
            if self.built:
                self.complete = False  # rows that count the collection's creators are out

    def subject(
        self, unit_id: int, subject_id: int, term: str, subject_type: str, published: bool
    ) -> None:
        if published and unit_id in self.public:
            self.subjects[unit_id].append((subject_id, term, subject_type))

    def digital_object(self, unit_id: int, published: bool) -> None:
        if published and unit_id in self.public:
            self.online.add(unit_id)

    def rows(self, *, final: bool = False) -> list[IndexRow]:
        """The index rows of the units given since the last call (whose agents and subjects
        must have been given too); with ``final``, the collection's row as well."""
        units, self.units = self.units, []
        if units:
            self.built = True
        if final and self.root_unit is not None:
            units.append(self.root_unit)
            self.root_unit = None
        if not units:
            return []
        wanted = {
            agent_id
            for unit_id, *_ in units
            for agent_id, _, _ in self.links.get(unit_id, ())
            if agent_id not in self.variants and agent_id not in self.new_agents
        }
        for agent_id in wanted:
            self.variants[agent_id] = []
        ordered = sorted(wanted)
        for start in range(0, len(ordered), BATCH):
            for agent_id, name in AgentVariantName.objects.filter(
                agent_id__in=ordered[start : start + BATCH]
            ).values_list("agent_id", "name"):
                self.variants[agent_id].append(name)
        collections = {self.collection_id: (self.repository_id, "", self.root_languages)}
        loaded = _Loaded(
            collections=collections,
            root_creators={self.collection_id: self.root_creators},
            notes=self.notes,
            links=self.links,
            variants=self.variants,
            subjects=self.subjects,
            years=self.years,
            containers=self.containers,
            online=self.online,
        )
        built = list(_rows(units, loaded))
        for unit_id, *_ in units:  # what the rows were made of is no longer needed
            for kept in (self.notes, self.links, self.subjects, self.years, self.containers):
                kept.pop(unit_id, None)
        return built

    def write(
        self, submit: Callable[[Callable[[Any], object]], None], *, final: bool = False
    ) -> list[str]:
        """Write the rows of the units given since the last call with ``submit(job)``, where
        ``job(cursor)`` runs on the load's connection after the batch it indexes; returns a
        warning for each unit whose text was cut to fit the index."""
        rows = self.rows(final=final)
        if not rows:
            return []
        warnings = [self.cut_warning(row) for row in rows if row.words_kept >= 0]
        backend = get_backend()
        vendor = connection.vendor

        def job(cursor: Any) -> None:
            backend.write(cursor, rows)
            if final:  # the collection is complete: fold the counts it added
                counts.compact(cursor, vendor)

        submit(job)
        return warnings

    def cut_warning(self, row: IndexRow) -> str:
        """The unit's text was cut to fit the search index (see ``text.fit_words``)."""
        title = row.title if len(row.title) <= 80 else row.title[:77] + "..."
        what = "the collection" if row.unit_id == self.root_id else f"component {title!r}"
        if row.identifier and row.unit_id != self.root_id:
            what += f" ({row.identifier[:40]})"
        return (
            f"{what} has more distinct words than the search index takes; only its first "
            f"{row.words_kept:,} words can be found by search (the description itself is "
            "imported whole)"
        )


__all__ = ["LoadFeed"]
