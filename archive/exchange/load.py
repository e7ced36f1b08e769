"""Neutral EAD records -> database rows, in bulk.

The reader (``archive.ead``) turns a file into a stream of :mod:`archive.ead.records`; this
module writes that stream to the database without a query per component: components, dates,
extents, notes, agent and subject links, containers, container instances and digital objects
are buffered and written in batches (COPY on PostgreSQL, from a helper thread: see
:class:`archive.exchange.bulk.BackgroundWriter`), with ids drawn beforehand so that a
component's related rows go into the same batch; paths come from
:class:`archive.tree.PathAllocator` and shared agents and subjects are looked up a batch at a
time (:mod:`archive.exchange.authorities`). With a ``feed`` the search index rows of each
batch are built from the same values (the caller passes ``archive.search.feed.LoadFeed``)
and written after it.

The caller owns the transaction (``archive.services.imports.ead_import`` wraps the whole load
in one ``transaction.atomic``); nothing here commits.

Where each value goes is described in :mod:`archive.exchange.columns`, the rule for each
column in :mod:`archive.exchange.rows`. This module writes the collection and component rows
and decides when batches go out; the rows of a unit's parts are queued by
:class:`archive.exchange.part_rows.PartRows`, and what a load takes and gives (the index feed,
the result, the error) is in :mod:`archive.exchange.load_types`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from archive import tree
from archive.ead import records as r
from archive.exchange.bulk import (
    BATCH_SIZE,
    BulkLoad,
    BulkTable,
    IdAllocator,
    child_counts_write,
)
from archive.exchange.columns import (
    COMPONENT_FIELDS,
    EAD_ID_LENGTH,
    REF_LENGTH,
    REVISION_AGENT_LENGTH,
    REVISION_DATE_LENGTH,
    clip,
    max_length,
)
from archive.exchange.load_types import (  # re-exported: callers import them from here
    FeedFactory,
    IndexFeed,
    LoadError,
    LoadResult,
)
from archive.exchange.part_rows import PartRows
from archive.exchange.rows import (
    collection_fields,
    extra_json,
    language_json,
    other_identifier_json,
    pairs,
    unit_attributes,
    unit_level,
    unit_part_columns,
    unit_texts,
)
from archive.models import (
    Collection,
    Component,
    ImportJob,
    Repository,
    Revision,
)

# A batch is written early once its notes hold this many characters, so that a file of
# long descriptions does not keep BATCH_SIZE of them in memory at once.
BATCH_TEXT = 8_000_000
# The history entry's "change reason" column (django-simple-history).
CHANGE_REASON_LENGTH = max_length(Collection.history.model, "history_change_reason")
# A ref cut to its column leaves room for the "-n" that makes it unique.
REF_CUT = REF_LENGTH - 15


def collection_ead_id(fa: r.FindingAid, filename: str) -> tuple[str, list[str]]:
    """The EAD id a finding aid is stored under (whitespace normalised), with a warning
    when the file gives none and its file name stands in.

    Raises :class:`LoadError` when the id is longer than the column.
    """
    ead_id = " ".join(fa.ead_id.split())
    warnings = []
    if not ead_id:
        stem = re.sub(r"\.xml$", "", filename.replace("\\", "/").rsplit("/", 1)[-1])
        ead_id = stem or "finding-aid"
        warnings.append(f"{filename}: the finding aid has no EAD identifier; using {ead_id!r}")
    if len(ead_id) > EAD_ID_LENGTH:
        raise LoadError(f"{filename}: the EAD id is longer than {EAD_ID_LENGTH} characters")
    return ead_id, warnings


class EADLoader(PartRows):
    """Writes one finding aid's records. Use once: ``EADLoader(...).load(records)``.

    Parameters: ``repository`` forces the repository (else it is found or created from the
    file); ``replace`` deletes a collection with the same EAD id in that repository first;
    ``filename`` names the file in messages; ``job`` is recorded on the collection;
    ``on_progress(components_so_far)`` is called after each batch; ``write_behind`` (None:
    on PostgreSQL) writes through a :class:`BackgroundWriter`; ``index`` writes the search
    index rows as it goes (``LoadResult.indexed`` says whether it could: otherwise the caller
    reindexes the collection).

    Cost: one INSERT (or COPY) per batch of ``batch_size`` rows per table, one or two SELECTs
    per batch for shared agents and subjects, one per block of ids (blocks double up to
    32,768; SQLite needs one in all), plus a constant number of queries per finding aid.
    Memory: a few batches of rows, plus a few small values per component (its id and ref;
    with ``index``, whether it is public).
    """

    def __init__(
        self,
        *,
        repository: Repository | None = None,
        ead_id: str | None = None,
        filename: str | None = None,
        job: ImportJob | None = None,
        user: AbstractBaseUser | AnonymousUser | None = None,
        on_progress: Callable[[int], None] | None = None,
        batch_size: int | None = None,
        write_behind: bool | None = None,
        feed: FeedFactory | None = None,
    ) -> None:
        """See the class docstring for the parameters; the rows of a unit's parts are
        :class:`PartRows`'."""
        self.user = user
        self.repository = repository
        self.ead_id = ead_id
        self.filename = filename or "<input>"
        self.job = job
        self.on_progress = on_progress
        self.batch_size = batch_size or BATCH_SIZE
        # Search index rows batch by batch (archive.search.feed.LoadFeed, given by the caller).
        self.feed_factory = feed
        self.feed: IndexFeed | None = None
        self.result = LoadResult()

        self.finding_aid: r.FindingAid | None = None
        self.collection: Collection | None = None
        self.paths: tree.PathAllocator | None = None
        self.root_id: int | None = None
        # sequence -> component id, for supplements (description after child components).
        self.unit_ids: dict[int, int] = {}
        self.refs: set[str] = set()
        # positions[i]: sibling index of the open unit at depth i + 2 (for generated refs).
        self.positions: list[int] = []
        # path -> number of children, for treebeard's numchild (parents only).
        self.child_counts: dict[str, int] = {}

        self.component_ids = IdAllocator(Component, self.batch_size)
        self.components = BulkTable(Component, COMPONENT_FIELDS)
        self.parts_start()
        # Components and containers first: the other tables refer to them.
        self.bulk = BulkLoad([self.components, *self.part_tables()], write_behind=write_behind)

    # ------------------------------------------------------------------ entry point

    def load(self, records: Iterable[r.Record]) -> LoadResult:
        """Write every record; the caller's transaction holds the whole load."""
        self.bulk.start()
        try:
            self.read(records)
        except BaseException:
            writer = self.bulk.stop(cancel=True)
            if writer is not None:
                # A batch the server refused aborts the transaction, and this thread's next
                # statement fails only for that: the refused batch's error is the one to
                # report.
                writer.raise_error()
            raise
        self.bulk.stop(cancel=False)
        assert self.collection is not None
        child_counts_write(Component, self.collection.pk, self.child_counts)
        if not self.result.indexed:
            # (an index build would read the rows back; with the index written during the
            # load nothing more reads them in this transaction, and autovacuum analyzes
            # the tables after the commit)
            self.bulk.refresh_statistics()
        self.result.agents_created = len(self.authorities.agents_created)
        self.result.subjects_created = self.authorities.subjects_created
        self.report_progress()
        return self.result

    def read(self, records: Iterable[r.Record]) -> None:
        """Turn every record into rows, then write the last batch."""
        for record in records:
            if isinstance(record, r.Unit):
                if record.depth == 0:
                    self.start_collection(record)
                else:
                    self.add_unit(record)
            elif isinstance(record, r.UnitSupplement):
                self.add_supplement(record)
            elif isinstance(record, r.FindingAid):
                if self.finding_aid is not None:
                    raise LoadError(f"{self.filename}: more than one finding aid in the stream")
                self.finding_aid = record
            else:  # pragma: no cover - the reader yields only the three kinds
                raise LoadError(f"{self.filename}: unexpected record {type(record).__name__}")
        if self.collection is None:
            raise LoadError(f"{self.filename}: no collection-level description (<archdesc>)")
        self.flush_rows(final=True)

    def warn(self, message: str) -> None:
        self.result.warnings.append(f"{self.filename}: {message}")

    def report_progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.result.components)

    # ------------------------------------------------------------------ collection

    def start_collection(self, unit: r.Unit) -> None:
        """Write the collection row, its revisions and its root component.

        Which repository and EAD id the collection gets, and what happens to a collection
        already there, the caller decided (``archive.services.imports``); without an EAD id
        given, the file's is used (:func:`collection_ead_id`).
        """
        if self.finding_aid is None:
            raise LoadError(f"{self.filename}: the description came before the header")
        if self.collection is not None:
            raise LoadError(f"{self.filename}: more than one collection-level description")
        if self.repository is None:
            raise LoadError(f"{self.filename}: no repository to file the collection under")
        fa, repository = self.finding_aid, self.repository
        ead_id = self.ead_id
        if ead_id is None:
            ead_id, warnings = collection_ead_id(fa, self.filename)
            self.result.warnings.extend(warnings)
        # (Imports are serialised from the allocation of the root path onwards: the lock is
        # held to the commit.)
        tree.lock_root_allocation()
        self.collection = self.collection_create(fa, repository, ead_id)
        self.result.collection_id = self.collection.pk
        self.result.ead_id = ead_id
        self.result.repository_id = repository.pk
        self.result.repository_code = repository.code
        self.result.source_version = fa.source_version
        if self.feed_factory is not None:
            self.feed = self.feed_factory(self.collection.pk, repository.pk)
        self.paths = tree.PathAllocator(tree.next_root_path())
        self.root_id = self.add_component_row(unit, depth=1)

    def collection_create(
        self, fa: r.FindingAid, repository: Repository, ead_id: str
    ) -> Collection:
        """The collection row and its revisions.

        The collection's one history entry says who imported it and from where; the
        components are bulk-inserted and get none of their own.
        """
        collection = Collection(
            repository=repository,
            ead_id=ead_id,
            import_job=self.job,
            **collection_fields(fa),
        )
        if self.user is not None and self.user.is_authenticated:
            collection._history_user = self.user  # type: ignore[attr-defined]
        collection._change_reason = clip(  # type: ignore[attr-defined]
            f"Imported from {self.filename}", CHANGE_REASON_LENGTH
        )
        collection.save()
        Revision.objects.bulk_create(
            Revision(
                collection=collection,
                date=clip(rev.date, REVISION_DATE_LENGTH),
                agent=clip(rev.agent, REVISION_AGENT_LENGTH),
                description=rev.description,
                published=rev.published,
                position=i,
            )
            for i, rev in enumerate(fa.revisions)
        )
        return collection

    # ------------------------------------------------------------------ components

    def add_unit(self, unit: r.Unit) -> None:
        if self.collection is None:
            raise LoadError(f"{self.filename}: a component came before the collection")
        self.add_component_row(unit, depth=unit.depth + 1)
        self.result.components += 1
        if len(self.components) >= self.batch_size or self.batch_text >= BATCH_TEXT:
            self.flush_rows(full=True)
            self.report_progress()

    def add_component_row(self, unit: r.Unit, *, depth: int) -> int:
        """Queue the unit's row and its related rows; return its id.

        Runs once per component: the row is built in the order of ``COMPONENT_FIELDS``, each
        column's rule in :mod:`archive.exchange.rows`, what a column cannot hold kept in
        ``attributes``.
        """
        assert self.collection is not None
        unit_id, path = self.unit_place(unit, depth)
        attributes: dict[str, Any] = {}
        level, other_level = unit_level(unit, depth, attributes)
        ref = self.unit_ref(unit, depth, attributes)
        unit_attributes(unit, attributes)
        part_columns = unit_part_columns(unit, attributes)
        title_markup, identifier, physical_location = unit_texts(unit, attributes)
        languages = [language_json(lang) for lang in unit.languages] if unit.languages else []
        if self.feed is not None:
            self.feed.unit(
                depth, unit.published, (unit_id, level, identifier, unit.title_text, languages)
            )
        self.components.add(
            unit_id,
            path,
            depth,
            0,
            self.collection.pk,
            level,
            other_level,
            identifier,
            [other_identifier_json(value, attrs) for value, attrs in unit.other_identifiers]
            if unit.other_identifiers
            else [],
            ref,
            unit.title_text,
            title_markup,
            languages,
            physical_location,
            unit.published,
            attributes,
            [extra_json(e) for e in unit.extra] if unit.extra else [],
        )
        self.add_unit_rows(unit_id, unit, part_columns)
        return unit_id

    def unit_place(self, unit: r.Unit, depth: int) -> tuple[int, str]:
        """A new unit's id and tree path at ``depth`` (its parent counts one more child).

        Raises :class:`LoadError` when the tree cannot take it (too deep, too many siblings).
        """
        assert self.paths is not None
        if depth > tree.MAX_DEPTH:
            raise LoadError(
                f"{self.filename}: a component is nested {depth - 1} levels below the "
                f"collection; at most {tree.MAX_DEPTH - 1} levels can be imported"
            )
        unit_id = self.component_ids.take()
        self.unit_ids[unit.sequence] = unit_id
        try:
            path = self.paths.allocate(depth)
        except OverflowError:
            raise LoadError(
                f"{self.filename}: a component has more than {tree.MAX_SIBLINGS:,} child "
                "components; no more can be imported under one parent"
            ) from None
        if depth > 1:
            parent = tree.parent_path(path)
            self.child_counts[parent] = self.child_counts.get(parent, 0) + 1
        return unit_id, path

    def unit_ref(self, unit: r.Unit, depth: int, attributes: dict[str, Any]) -> str:
        """The unit's ref: its @id, made unique; or one made from its position.

        Generated refs are the 1-based sibling positions joined by "-" ("3-12-1"): they start
        with a digit, which an XML ID never does, so they cannot clash with the @id of a later
        component of a valid file (clashes in invalid files are handled like duplicate ids).
        """
        if depth > 1:
            index = depth - 2
            if len(self.positions) > index:
                self.positions[index] += 1
                del self.positions[index + 1 :]
            else:
                self.positions.append(1)
        source = (unit.ref or "").strip()
        if not source and depth == 1:
            return ""  # the collection is addressed by its EAD id
        ref = source or "-".join(map(str, self.positions))
        if not source:
            attributes["ref_generated"] = True
        if len(ref) > REF_LENGTH:
            ref = ref[:REF_CUT]
            attributes["source_ref"] = source
        if ref in self.refs:
            base, n = ref, 2
            while f"{base}-{n}" in self.refs:
                n += 1
            ref = f"{base}-{n}"
            if source:
                attributes["source_ref"] = source
                self.warn(f"id {source!r} is used by more than one component; stored as {ref!r}")
        self.refs.add(ref)
        return ref

    # ------------------------------------------------------------------ related rows

    # ------------------------------------------------------------------ supplements

    def add_supplement(self, supplement: r.UnitSupplement) -> None:
        """Description of a unit found after its child components (EAD allows it for
        <archdesc>): its rows join the unit's, its headings and extra elements its columns."""
        unit_id = self.unit_ids.get(supplement.sequence)
        if unit_id is None:
            raise LoadError(f"{self.filename}: description for an unknown unit")
        if self.feed is not None:
            self.feed.supplement(unit_id)
        self.add_described(
            unit_id,
            supplement.notes,
            supplement.agents,
            supplement.subjects,
            supplement.digital_objects,
            supplement=True,
        )
        if supplement.extra or supplement.headings or supplement.heading_attributes:
            self.components.write()  # the unit's row may still be waiting in the batch
            self.bulk.drain()
            attributes, unmapped = Component.objects.values_list("attributes", "unmapped").get(
                pk=unit_id
            )
            unmapped = list(unmapped) + [extra_json(e) for e in supplement.extra]
            if supplement.headings:
                attributes["headings"] = attributes.get("headings", []) + [
                    list(h) for h in supplement.headings
                ]
            if supplement.heading_attributes:
                attributes["heading_attributes"] = attributes.get("heading_attributes", []) + [
                    [k, pairs(a)] for k, a in supplement.heading_attributes
                ]
            Component.objects.filter(pk=unit_id).update(unmapped=unmapped, attributes=attributes)

    # ------------------------------------------------------------------ writing

    def flush_rows(self, *, final: bool = False, full: bool = False) -> None:
        """Write buffered rows: everything when ``full`` (the components' batch is full, or
        its notes hold BATCH_TEXT characters) or ``final``, else only the tables that
        reached the batch size on their own (a unit with many notes), after the components'
        rows they refer to."""
        full = full or final or len(self.components) >= self.batch_size
        size = 1 if full else self.batch_size
        if full:
            self.batch_text = 0
        # Rows that wait for shared rows (agents, subjects) get their ids first.
        if len(self.waiting_agents) >= size:
            self.write_agent_links()
        if len(self.waiting_subjects) >= size:
            self.write_subject_links()
        due = [table for table in self.bulk.tables if len(table) >= size]
        if due:
            # Rows refer to components and containers: those go first (foreign keys may be
            # checked per batch, see start_writer).
            for referred in (self.containers, self.components):
                if referred.rows and referred not in due:
                    due.insert(0, referred)
        for table in due:
            table.write()
        if size == 1 and self.feed is not None and self.feed.complete:
            self.write_index_rows(final=final)
        if final:
            self.count_written()

    def count_written(self) -> None:
        """The result's row counts, once the last rows are written."""
        result = self.result
        result.indexed = self.feed is not None and self.feed.complete
        result.dates = self.dates.written
        result.extents = self.extents.written
        result.notes = self.notes.written
        result.digital_objects = self.digital_objects.written
        result.container_instances = self.instances.written
        result.containers = self.containers.written
        result.agent_links = self.agent_links.written
        result.subject_links = self.subject_links.written

    def write_index_rows(self, *, final: bool = False) -> None:
        """The search index rows of the units queued since the last batch, after them."""
        assert self.feed is not None
        for warning in self.feed.write(self.bulk.submit, final=final):
            self.warn(warning)


__all__ = ["EADLoader", "LoadError", "LoadResult"]
