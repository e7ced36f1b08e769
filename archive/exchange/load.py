"""Neutral EAD records -> database rows, in bulk.

The reader (``archive.ead``) turns a file into a stream of :mod:`archive.ead.records`; this
module writes that stream to the database without a query per component: components, dates,
extents, notes, agent and subject links, containers, container instances and digital objects
are buffered and written in batches (COPY on PostgreSQL, from a helper thread: see
:class:`BackgroundWriter`), with ids drawn beforehand so that a component's related rows go
into the same batch; paths come from :class:`archive.tree.PathAllocator` and shared agents
and subjects are looked up a batch at a time. With ``index=True`` the search index rows of
each batch are built from the same values (``archive.search.index.LoadFeed``) and written
after it.

The caller owns the transaction (``archive.services.imports.ead_import`` wraps the whole load
in one ``transaction.atomic``); nothing here commits.

Where things go (the export streamer reads them back the same way)
-----------------------------------------------------------------

Every ``attributes`` value of the records (unmapped XML attributes, in document order) is
stored as a JSON list of ``[name, value]`` pairs, because PostgreSQL ``jsonb`` does not keep
the key order of objects. Extra elements are stored as ``{"xml", "where", "position",
"version", "published"}`` objects.

``Collection``
    columns for what the model names (plain title text in ``finding_aid_title``; the other text
    columns hold the reader's fragments as they came). ``ead_id_attributes`` is a dict (its
    document order is in ``unmapped["ead_id_attributes"]``).
    ``unmapped`` holds the rest of the header: ``title`` (the title fragment, when it has
    markup), ``filing_title``, ``publication_date_normal``, ``publication_address``,
    ``publisher_markup``, ``publication_address_markup`` (fragments, when they had markup),
    ``language_of_description`` (the prose statement, when it is more than the language name),
    ``script_of_description_code``, ``script_of_description``, ``creation_date``,
    ``repository_name``, ``repository_code``, ``country_code``, ``agency_code``, ``status``,
    ``root_attributes``, ``header_attributes``, ``element_attributes``, ``extra`` and
    ``revisions`` (``[{"event_type", "normal"}]`` in the
    order of the ``Revision`` rows) -- each key only when the file had a value.

``Component`` (``<archdesc>`` is the root at depth 1, ``<c>`` below)
    ``attributes`` is a dict with, when present: ``attributes`` (unmapped attributes of the
    unit), ``ref_generated`` (True: the file had no @id and ``ref`` was made up from the
    unit's position, so an export may leave it out), ``source_ref`` (the @id as written, when
    it had to be changed to keep refs unique or short enough), ``level_absent`` (True: the
    file gave no @level), ``level`` (the @level as written when it is not an EAD value),
    ``other_level`` and ``identifier`` (when longer than their columns),
    ``identifier_attributes``, ``identifier_fragments`` (every unitid as a fragment, when
    one has inline markup), ``group_attributes`` (of nested access-point groups),
    ``heading_attributes`` (of the headings, by their keys),
    ``title_attributes``, ``title`` (the title fragment when it has no markup but differs
    from the escaped text, e.g. by whitespace),
    ``repository_name``, ``headings``, ``did_attributes``, ``controlaccess_attributes``,
    ``component_list_attributes``, ``dates`` and ``extents``. The last two are lists
    parallel to the ``UnitDate`` / ``Extent`` rows by ``position``, of
    ``{"normal", "characteristic", "attributes"}`` (and ``expression`` when too long) and of
    ``{"content", "attributes"}``; whether a date or extent is public is the rows'
    ``published`` column. ``unmapped`` is the list of extra elements. ``other_identifiers``
    is ``[{"value", "attributes"}]``; ``languages`` is ``[{"code", "script", "name"}]`` (and
    ``script_name``, the EAD3 ``<script>`` text, when there is one); an item of either marked
    ``audience="internal"`` has ``"published": false``.

``Note``
    ``position`` counts the unit's notes in the order read; ``attributes`` holds
    ``source_position`` (the record's element index), ``element`` (``"note"`` for an EAD 2002
    ``<note>``, stored as note type ``odd``), ``attributes`` and ``heading`` (the whole heading
    when it is longer than the column).

``AgentLink`` / ``SubjectLink``
    ``attributes`` holds what the file said that differs from the shared ``Agent`` /
    ``Subject`` row (``name`` or ``term``, ``source``, ``authority_id``, ``agent_type``), plus
    ``normal``, ``name_parts``, ``group``, ``label``, ``attributes``.

``ContainerInstance``
    ``attributes["containers"]`` lists every container of the instance as written, top first:
    ``{"id", "parent", "type", "indicator", "label", "barcode", "attributes"}`` (and
    ``"published": false`` for one marked internal). An instance is published when all of
    its containers are.

``DigitalObject``
    ``attributes`` holds ``show``, ``actuate``, ``group``, ``group_description``,
    ``group_attributes``,
    ``object_type``, ``attributes`` (unmapped) and ``href``/``title`` when too long.

Imported units are published unless the file marks them ``audience="internal"``: an archivist
who imports a finding aid expects to see it on the public site.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import connection, models
from django.utils import timezone
from django.utils.text import slugify

from archive import tree
from archive.ead import records as r
from archive.models import (
    Agent,
    AgentLink,
    Collection,
    Component,
    Container,
    ContainerInstance,
    DigitalObject,
    Extent,
    ImportJob,
    Level,
    Note,
    NoteType,
    Repository,
    Revision,
    Subject,
    SubjectLink,
    UnitDate,
)
from archive.search import index as search_index
from archive.search.backends import get_backend as search_backend
from archive.services.harvest import harvest_withdraw

BATCH_SIZE = 2000
# A batch is written early once its notes hold this many characters, so that a file of
# long descriptions does not keep BATCH_SIZE of them in memory at once.
BATCH_TEXT = 8_000_000
UNIDENTIFIED_REPOSITORY = "unidentified"
SLUG_BASE_LENGTH = 190  # as archive.models.agents.unique_slug

LEVELS = frozenset(Level.values)
NOTE_TYPES = frozenset(NoteType.values)
AGENT_TYPES = frozenset(Agent.AgentType.values)
AGENT_ROLES = frozenset(AgentLink.Role.values)
SUBJECT_TYPES = frozenset(Subject.SubjectType.values)
DATE_TYPES = frozenset(UnitDate.DateType.values)
CERTAINTIES = frozenset(UnitDate.Certainty.values)

# EAD3 <part localtype="..."> values, and their Agent column.
NAME_PART_COLUMNS = {
    "surname": "primary_name",
    "familyname": "primary_name",
    "family": "primary_name",
    "primary": "primary_name",
    "forename": "rest_of_name",
    "givenname": "rest_of_name",
    "given": "rest_of_name",
    "rest": "rest_of_name",
    "dates": "name_dates",
    "date": "name_dates",
    "title": "name_title",
    "fullerform": "fuller_form",
    "fuller_form": "fuller_form",
    "qualifier": "qualifier",
    "epithet": "qualifier",
}


# Collection column -> FindingAid field, for header values the columns cannot give back.
HEADER_FIELDS = {
    "finding_aid_subtitle": "subtitle",
    "finding_aid_author": "author",
    "finding_aid_sponsor": "sponsor",
    "finding_aid_edition": "edition",
    "publisher": "publisher",
    "publication_date": "publication_date",
    "description_language": "language_of_description",
    "description_language_code": "language_of_description_code",
    "description_rules": "rules",
    "creation_note": "creation",
}


class LoadError(Exception):
    """The records cannot be loaded (duplicate finding aid, no repository...)."""


@dataclass
class LoadResult:
    """What one finding aid became in the database."""

    collection_id: int | None = None
    ead_id: str = ""
    repository_id: int | None = None
    repository_code: str = ""
    repository_created: bool = False
    replaced: bool = False
    source_version: str = ""
    components: int = 0  # below the collection level (<c> elements)
    notes: int = 0
    dates: int = 0
    extents: int = 0
    agent_links: int = 0
    subject_links: int = 0
    container_instances: int = 0
    containers: int = 0
    digital_objects: int = 0
    agents_created: int = 0
    subjects_created: int = 0
    # The search index rows were written during the load (see EADLoader ``index``).
    indexed: bool = False
    warnings: list[str] = field(default_factory=list)


# JSON text the way ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` writes
# it (compact: the SQLite column keeps the text as written), by orjson: the standard encoder
# took 3-4 microseconds for the small dict of a component or container instance, a tenth of
# the loader's time for a 100,000-component finding aid; orjson takes a tenth of that.
_encode = orjson.dumps


def dumps(value: Any) -> str:
    """``value`` as JSON text; empty values (most columns of most rows) skip the encoder."""
    if not value:
        return "[]" if value.__class__ is list else "{}"
    return _encode(value).decode()


def _escape(text: str) -> str:
    """``xml.sax.saxutils.escape`` (``&``, ``<``, ``>``), for the markup-or-not tests."""
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def pairs(attributes: r.Attributes) -> list[list[str]]:
    """Record attributes as JSON: a list of pairs keeps their order on every database."""
    return [[name, value] for name, value in attributes]


def extra_json(extra: r.ExtraElement) -> dict[str, Any]:
    return {
        "xml": extra.xml,
        "where": extra.where,
        "position": extra.position,
        "version": extra.version,
        "published": extra.published,
    }


def container_json(c: r.Container) -> dict[str, Any]:
    """A container as written, for export; absent values are left out (read back as None)."""
    written: dict[str, Any] = {"indicator": c.indicator}
    if c.ref is not None:
        written["id"] = c.ref
    if c.parent_ref is not None:
        written["parent"] = c.parent_ref
    if c.container_type is not None:
        written["type"] = c.container_type
    if c.label is not None:
        written["label"] = c.label
    if c.barcode is not None:
        written["barcode"] = c.barcode
    if c.attributes:
        written["attributes"] = pairs(c.attributes)
    if not c.published:
        written["published"] = False
    if c.content:
        written["content"] = c.content
    return written


def other_identifier_json(value: str, attributes: r.Attributes) -> dict[str, Any]:
    """A further identifier; ``audience="internal"`` becomes ``"published": false``."""
    if ("audience", "internal") in attributes:
        kept = [[k, v] for k, v in attributes if k != "audience"]
        return {"value": value, "attributes": kept, "published": False}
    return {"value": value, "attributes": pairs(attributes)}


def language_json(lang: r.Language) -> dict[str, Any]:
    written: dict[str, Any] = {"code": lang.code, "script": lang.script, "name": lang.name}
    if lang.script_name:  # EAD3 <script> text; absent for nearly every language
        written["script_name"] = lang.script_name
    if not lang.published:
        written["published"] = False
    if lang.attributes:
        written["attributes"] = pairs(lang.attributes)
    if lang.statement is not None:
        written["statement"] = lang.statement
    return written


def slug_base(text: str) -> str:
    return slugify(text)[:SLUG_BASE_LENGTH].strip("-") or "record"


def repository_code_for(text: str) -> str:
    """Our repository code (a slug, at most 64 characters) for an agency code or a name."""
    return slugify(text)[:64].strip("-")


class SlugAllocator:
    """Unique slugs for rows created in bulk: one query per batch, not one per row.

    ``unique_slug`` in ``archive.models.agents`` asks the database once per candidate; for
    thousands of new agents that is thousands of queries, so this asks for every base at once
    and only queries again for the (rare) bases that are already taken.
    """

    def __init__(self, model: type[Agent] | type[Subject]) -> None:
        self.model = model
        self.used: set[str] = set()

    def allocate(self, texts: list[str]) -> list[str]:
        bases = [slug_base(text) for text in texts]
        wanted = set(bases) - self.used
        taken = set(
            self.model._default_manager.filter(slug__in=wanted).values_list("slug", flat=True)
        )
        self.used |= taken
        result = []
        for base in bases:
            if base not in self.used:
                slug = base
            else:
                n = 2
                numbered = self._numbered_taken(base)
                while f"{base}-{n}" in self.used or f"{base}-{n}" in numbered:
                    n += 1
                slug = f"{base}-{n}"
            self.used.add(slug)
            result.append(slug)
        return result

    def _numbered_taken(self, base: str) -> set[str]:
        return set(
            self.model._default_manager.filter(slug__startswith=f"{base}-").values_list(
                "slug", flat=True
            )
        )


def clip(value: str | None, length: int) -> str:
    value = value or ""
    return value if len(value) <= length else value[:length]


def keep(side: dict[str, Any], key: str, value: Any, column: Any) -> None:
    """Record ``value`` in ``side`` when the column cannot give it back exactly.

    Columns hold ``""`` for "absent", are clipped to their length and some only take an
    enumeration; the streamer reads ``column or None``. Whatever that reading would lose
    (a present-but-empty value, the tail of a long one, a word outside the enumeration, an
    absent portion that the column stores as "whole") is kept under ``key`` and restored by
    :func:`archive.exchange.stream.restored` as long as the column still says what the import put
    there (an edit in the admin since then wins).
    """
    if value != (column if column not in ("", None) else None):
        side[key] = value


def date_type_column(value: str | None) -> str:
    return value if value in DATE_TYPES else "inclusive"


def certainty_column(value: str | None) -> str:
    return value if value in CERTAINTIES else ""


def portion_column(value: str | None) -> str:
    return value if value in ("whole", "part") else "whole"


def _column_length(model: type, name: str) -> int:
    return model._meta.get_field(name).max_length


# A load adding at least this many rows, and at least this share of the rows a table held,
# refreshes the table's planner statistics (see ``EADLoader.refresh_statistics``).
ANALYZE_MIN_ROWS = 5_000
ANALYZE_SHARE = 0.2


class BulkTable:
    """Rows for one table, written with one statement per batch and no model instances.

    ``bulk_create`` builds a model instance and compiles every value of every row through
    the ORM, which costs more than the database does for narrow rows; here rows are plain
    tuples in ``fields`` order, JSON is encoded once, ``auto_now`` columns get one timestamp
    (the table's creation: a load is one transaction), and the batch goes out as ``COPY`` on
    PostgreSQL and ``executemany`` elsewhere.
    """

    def __init__(self, model: type[models.Model], fields: list[str]) -> None:
        self.model = model
        self.fields = fields
        # PostgreSQL: COPY in a helper thread (EADLoader.start_writer sets it for a load).
        self.writer: BackgroundWriter | None = None
        meta = model._meta
        self.json_positions = [
            i for i, name in enumerate(fields) if isinstance(meta.get_field(name), models.JSONField)
        ]
        self.stamps = [
            f.column
            for f in meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        columns = [meta.get_field(name).column for name in fields] + self.stamps
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        if not isinstance(now, str):
            # (PostgreSQL: as text, formatted once rather than by COPY for every row)
            now = now.isoformat()
        self.stamp_values = (now,) * len(self.stamps)
        self.table = meta.db_table
        quote = connection.ops.quote_name
        self.column_sql = ", ".join(quote(c) for c in columns)
        self.rows: list[tuple] = []
        self.written = 0

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, *values: Any) -> None:
        if self.json_positions:
            row = list(values)
            for i in self.json_positions:
                row[i] = dumps(row[i])
            if self.stamp_values:
                row.extend(self.stamp_values)
            self.rows.append(row)
        else:
            self.rows.append(values + self.stamp_values if self.stamp_values else values)

    def write(self) -> int:
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        quote = connection.ops.quote_name
        if connection.vendor == "postgresql":
            sql = f"COPY {quote(self.table)} ({self.column_sql}) FROM STDIN"
            if self.writer is not None:
                self.writer.submit(sql, rows)
            else:
                with connection.cursor() as cursor:
                    copy_rows(cursor.cursor, sql, rows)
        else:
            marks = ", ".join(["%s"] * len(rows[0]))
            sql = f"INSERT INTO {quote(self.table)} ({self.column_sql}) VALUES ({marks})"
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
        self.written += len(rows)
        return len(rows)


def copy_rows(cursor: Any, sql: str, rows: list) -> None:
    """``COPY ... FROM STDIN`` of ``rows`` on a psycopg cursor."""
    with cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


# Batches waiting for the writer thread at most (each up to BATCH_SIZE rows of one table).
WRITE_AHEAD_BATCHES = 8


class BackgroundWriter:
    """The loader's ``COPY`` statements, run by a helper thread on the import's connection.

    Without it the loader waits for each batch: the server stores the rows, updates the
    indexes and checks the foreign keys while this process sits idle, and the loader's own
    work (building the next rows from the records) then waits in turn. With it, both go on
    at once, on the two sides of the connection.

    The thread uses the same psycopg connection, hence the same transaction: psycopg holds
    the connection's lock for a whole ``COPY``, so a query of the loading thread (ids,
    agents) waits for the batch in progress and never interleaves with it. Batches run in
    the order given, so rows still reach the server after the rows they refer to. The first
    error stops the thread from running anything more; it is raised in the loading thread at
    its next call (``submit``, ``drain``), as Django's exception, and the caller's
    transaction rolls back as it would without the thread. ``close`` always joins it.
    """

    def __init__(self, raw_connection: Any, *, batches: int | None = None) -> None:
        self.raw = raw_connection
        self.jobs: queue.Queue[Callable[[Any], object] | None] = queue.Queue(
            maxsize=batches or WRITE_AHEAD_BATCHES
        )
        self.error: BaseException | None = None
        self.cancelled = False
        self.thread = threading.Thread(target=self.run, name="ead-copy", daemon=True)
        self.thread.start()

    def run(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is None:
                    return
                if self.error is None and not self.cancelled:
                    with self.raw.cursor() as cursor:
                        job(cursor)
            except BaseException as exc:  # noqa: BLE001 - raised again in the loading thread
                self.error = exc
            finally:
                self.jobs.task_done()

    def submit(self, sql: str, rows: list) -> None:
        """``COPY`` ``rows`` with ``sql``."""
        self.submit_call(lambda cursor: copy_rows(cursor, sql, rows))

    def submit_call(self, job: Callable[[Any], object]) -> None:
        """Run ``job(cursor)`` with a psycopg cursor of the connection."""
        self.raise_error()
        self.jobs.put(job)

    def drain(self) -> None:
        """Wait until every batch given so far is written; raise the first error."""
        self.jobs.join()
        self.raise_error()

    def raise_error(self) -> None:
        if self.error is not None:
            with connection.wrap_database_errors:  # psycopg's error as Django's, as usual
                raise self.error

    def close(self, *, cancel: bool = False) -> None:
        """Stop the thread after the batches given so far (skipped when ``cancel``)."""
        self.cancelled = cancel
        self.jobs.put(None)
        self.thread.join()


class IdAllocator:
    """Primary keys for rows written in bulk, handed out before the rows are written.

    Knowing a component's id when it is read lets its dates, notes... be built at once and
    written in the same batch, with no query per batch to learn the ids. PostgreSQL draws
    them from the table's own sequence (as a default would); SQLite, whose write
    transactions are serialised (IMMEDIATE), continues after the highest id ever used.
    """

    MAX_BLOCK = 32_768

    def __init__(self, model: type[models.Model], block: int) -> None:
        self.table = model._meta.db_table
        self.block = block
        self.free: list[int] = []
        self.next_sqlite: int | None = None
        self.sequence: str | None = None  # PostgreSQL: the id column's sequence

    def take(self) -> int:
        """One id; asks the database for a block when none is left. Blocks double up to
        ``MAX_BLOCK``: a small file wastes few ids, a large one asks seldom."""
        if not self.free:
            self.free = self.allocate(self.block)
            self.free.reverse()
            self.block = min(self.block * 2, self.MAX_BLOCK)
        return self.free.pop()

    def allocate(self, count: int) -> list[int]:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                if self.sequence is None:
                    # Looked up once: as an argument of nextval() in the query below, the
                    # catalog lookup would run for every row (8 times the cost of the rest).
                    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [self.table])
                    self.sequence = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                    [self.sequence, count],
                )
                return [row[0] for row in cursor.fetchall()]
            if self.next_sqlite is None:
                quote = connection.ops.quote_name
                cursor.execute(f"SELECT MAX(id) FROM {quote(self.table)}")
                highest = cursor.fetchone()[0] or 0
                # AUTOINCREMENT: never reuse the id of a deleted row either
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
                row = cursor.fetchone()
                self.next_sqlite = max(highest, row[0] if row else 0) + 1
        start = self.next_sqlite
        self.next_sqlite += count
        return list(range(start, start + count))


COMPONENT_FIELDS = [
    "id",
    "path",
    "depth",
    "numchild",
    "collection",
    "level",
    "other_level",
    "identifier",
    "other_identifiers",
    "ref",
    "title",
    "title_markup",
    "languages",
    "physical_location",
    "published",
    "attributes",
    "unmapped",
]
DATE_FIELDS = [
    "unit",
    "expression",
    "begin",
    "end",
    "date_type",
    "certainty",
    "calendar",
    "era",
    "published",
    "position",
]
EXTENT_FIELDS = [
    "unit",
    "number",
    "extent_type",
    "portion",
    "container_summary",
    "physical_details",
    "dimensions",
    "published",
    "position",
]
NOTE_FIELDS = [
    "unit",
    "note_type",
    "heading",
    "content",
    "ref",
    "published",
    "position",
    "attributes",
]
DIGITAL_OBJECT_FIELDS = [
    "unit",
    "title",
    "link",
    "role",
    "description",
    "published",
    "position",
    "attributes",
]
CONTAINER_FIELDS = ["id", "collection", "container_type", "indicator", "barcode", "label"]
INSTANCE_FIELDS = [
    "unit",
    "container",
    "child_type",
    "child_indicator",
    "grandchild_type",
    "grandchild_indicator",
    "instance_type",
    "published",
    "position",
    "attributes",
]
AGENT_LINK_FIELDS = ["unit", "agent", "role", "relator", "published", "position", "attributes"]
SUBJECT_LINK_FIELDS = ["unit", "subject", "published", "position", "attributes"]


def _clipper(length: int) -> Callable[[str | None], str]:
    return lambda value: clip(value, length)


def _text(value: str | None) -> str:
    return value or ""


# Record field -> its column value, in DATE_FIELDS / EXTENT_FIELDS order (after "unit").
# The streamer applies the same rules to tell a kept value from an edited column.
DATE_COLUMNS: list[tuple[str, Callable[[str | None], str]]] = [
    ("expression", _clipper(255)),
    ("begin", _clipper(32)),
    ("end", _clipper(32)),
    ("date_type", date_type_column),
    ("certainty", certainty_column),
    ("calendar", _clipper(32)),
    ("era", _clipper(32)),
]
EXTENT_COLUMNS: list[tuple[str, Callable[[str | None], str]]] = [
    ("number", _clipper(32)),
    ("extent_type", _clipper(128)),
    ("portion", portion_column),
    ("container_summary", _clipper(255)),
    ("physical_details", _text),
    ("dimensions", _clipper(255)),
]


def date_side(d: r.Date, columns: list[str]) -> dict[str, Any]:
    """What a date keeps beside its ``UnitDate`` row (``columns``, in ``DATE_COLUMNS``
    order; see the module docstring). Keys whose value is the streamer's default (None,
    published, no attributes) are left out: most dates keep nothing."""
    side: dict[str, Any] = {}
    if d.normal is not None:
        side["normal"] = d.normal
    if d.characteristic is not None:
        side["characteristic"] = d.characteristic
    if d.attributes:
        side["attributes"] = pairs(d.attributes)
    if d.structured:
        # with the values it gave: the streamer drops it once the date has been edited
        side["structured"] = [d.structured, d.expression, d.begin, d.end]
    if d.markup:
        side["markup"] = [d.markup, d.expression]  # (as structured)
    expression, begin, end, date_type, certainty, calendar, era = columns
    # keep(side, name, value, column), inlined (a date per component): the columns are
    # strings, "" standing for None
    if d.expression != (expression or None):
        side["expression"] = d.expression
    if d.begin != (begin or None):
        side["begin"] = d.begin
    if d.end != (end or None):
        side["end"] = d.end
    if d.date_type != date_type:
        side["date_type"] = d.date_type
    if d.certainty != (certainty or None):
        side["certainty"] = d.certainty
    if d.calendar != (calendar or None):
        side["calendar"] = d.calendar
    if d.era != (era or None):
        side["era"] = d.era
    return side


def extent_side(e: r.Extent, columns: list[str]) -> dict[str, Any]:
    """What an extent keeps beside its ``Extent`` row (``columns``, in ``EXTENT_COLUMNS``
    order; see the module docstring), defaults left out as for dates."""
    side: dict[str, Any] = {}
    if e.content:
        side["content"] = e.content
    if e.attributes:
        side["attributes"] = pairs(e.attributes)
    if e.structured:
        # with the values it gave: the streamer drops it once the extent has been edited
        side["structured"] = [e.structured, e.number, e.extent_type]
    if e.set_attributes:
        side["set_attributes"] = pairs(e.set_attributes)
    for (name, _), column in zip(EXTENT_COLUMNS, columns, strict=True):
        keep(side, name, getattr(e, name), column)
    return side


def date_columns(d: r.Date) -> list[str]:
    """The ``UnitDate`` column values of a date, in ``DATE_COLUMNS`` order (inlined: this
    runs for nearly every component)."""
    expression, begin, end = d.expression or "", d.begin or "", d.end or ""
    calendar, era = d.calendar or "", d.era or ""
    return [
        expression if len(expression) <= 255 else expression[:255],
        begin if len(begin) <= 32 else begin[:32],
        end if len(end) <= 32 else end[:32],
        d.date_type if d.date_type in DATE_TYPES else "inclusive",
        d.certainty if d.certainty in CERTAINTIES else "",
        calendar if len(calendar) <= 32 else calendar[:32],
        era if len(era) <= 32 else era[:32],
    ]


def extent_columns(e: r.Extent) -> list[str]:
    return [rule(getattr(e, name)) for name, rule in EXTENT_COLUMNS]


# A unit's date and extent column values (``date_columns`` / ``extent_columns``).
UnitColumns = tuple[list[list[str]], list[list[str]]]


class EADLoader:
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
        replace: bool = False,
        filename: str | None = None,
        job: ImportJob | None = None,
        user: Any = None,
        on_progress: Callable[[int], None] | None = None,
        batch_size: int | None = None,
        write_behind: bool | None = None,
        index: bool = False,
    ) -> None:
        self.user = user
        self.repository = repository
        self.replace = replace
        self.filename = filename or "<input>"
        self.job = job
        self.on_progress = on_progress
        self.batch_size = batch_size or BATCH_SIZE
        # COPY in a helper thread: None means on PostgreSQL (see start_writer).
        self.write_behind = write_behind
        self.writer: BackgroundWriter | None = None
        # Write the search index rows batch by batch (search_index.LoadFeed).
        self.index = index
        self.feed: search_index.LoadFeed | None = None
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
        self.dates = BulkTable(UnitDate, DATE_FIELDS)
        self.extents = BulkTable(Extent, EXTENT_FIELDS)
        self.notes = BulkTable(Note, NOTE_FIELDS)
        self.digital_objects = BulkTable(DigitalObject, DIGITAL_OBJECT_FIELDS)
        self.container_ids_drawn = IdAllocator(Container, 64)
        self.containers = BulkTable(Container, CONTAINER_FIELDS)
        self.instances = BulkTable(ContainerInstance, INSTANCE_FIELDS)
        self.agent_links = BulkTable(AgentLink, AGENT_LINK_FIELDS)
        self.subject_links = BulkTable(SubjectLink, SUBJECT_LINK_FIELDS)
        # Rows that wait for the id of a shared or new row: (values, key, record).
        self.waiting_agents: list[tuple[list, tuple, r.AgentLink]] = []
        self.waiting_subjects: list[tuple[list, tuple, r.SubjectLink]] = []
        # Rows already given to a unit, for supplements to continue the numbering.
        self.counts: dict[tuple[str, int], int] = {}
        # Characters of note text queued since the last full batch (see BATCH_TEXT).
        self.batch_text = 0

        # Shared rows resolved so far: key -> id.
        self.agent_ids: dict[tuple, int] = {}
        # id -> (name, type, source, authority id, published)
        self.agents_by_id: dict[int, tuple[str, str, str, str, bool]] = {}
        self.subject_ids: dict[tuple, int] = {}
        # id -> (term, source, authority id, type, published)
        self.subjects_by_id: dict[int, tuple[str, str, str, str, bool]] = {}
        self.agents_created: set[int] = set()
        self.container_ids: dict[tuple[str, str], int] = {}
        self.agent_slugs = SlugAllocator(Agent)
        self.subject_slugs = SlugAllocator(Subject)

    # ------------------------------------------------------------------ entry point

    def load(self, records: Iterable[r.Record]) -> LoadResult:
        self.start_writer()
        try:
            self.read(records)
        except BaseException:
            writer = self.stop_writer(cancel=True)
            if writer is not None:
                # A batch the server refused aborts the transaction, and this thread's next
                # statement fails only for that: the refused batch's error is the one to
                # report.
                writer.raise_error()
            raise
        self.stop_writer(cancel=False)
        self.write_child_counts()
        if not self.result.indexed:
            # (an index build would read the rows back; with the index written during the
            # load nothing more reads them in this transaction, and autovacuum analyzes
            # the tables after the commit)
            self.refresh_statistics()
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

    def start_writer(self) -> None:
        """On PostgreSQL (unless ``write_behind`` is False), start the :class:`BackgroundWriter`
        and check foreign keys as each batch is written instead of at the commit.

        Checked at the commit, the foreign keys of a 100,000-component file (400,000 checks)
        kept the server busy for 2 s after the last row, with the import waiting; checked
        per batch in the writer thread, they overlap the reading of the next records. It
        needs a row to be written after the rows it refers to, which the loader does
        (components before their dates and notes, shared rows before their links).
        """
        wanted = self.write_behind
        if wanted is None:
            wanted = connection.vendor == "postgresql"
        if not wanted or connection.vendor != "postgresql":
            return
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.writer = BackgroundWriter(connection.connection)
        for table in self.tables():
            table.writer = self.writer

    def stop_writer(self, *, cancel: bool) -> BackgroundWriter | None:
        """Wait for the writer's last batch and defer foreign keys again; or, with
        ``cancel`` (loading failed, the transaction will roll back), skip what is left. The
        thread is stopped either way; returns the writer, if there was one."""
        writer = self.writer
        if writer is None:
            return None
        self.writer = None
        for table in self.tables():
            table.writer = None
        try:
            if not cancel:
                writer.drain()
        finally:
            writer.close(cancel=True)
        if not cancel:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return writer

    def refresh_statistics(self) -> None:
        """``ANALYZE`` on PostgreSQL each table this load made grow by a large share.

        What runs next in the same transaction (the search index build, a ``--replace``
        deletion) is planned from the tables' statistics; rows just copied into a new or
        small table are not in them, and the planner then chose nested loops that scan the
        whole table per row (an index build of a 100,000-component file ran for minutes).
        Autovacuum would analyze only after the commit. ``ANALYZE`` reads a sample of at most
        a few tens of thousands of rows per table, so it costs little next to the load.
        """
        if connection.vendor != "postgresql":
            return
        grown = [t for t in self.tables() if t.written >= ANALYZE_MIN_ROWS]
        if not grown:
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)",
                [[t.table for t in grown]],
            )
            # reltuples: the row count the statistics last saw (-1: never analyzed).
            known = dict(cursor.fetchall())
            for table in grown:
                if table.written >= ANALYZE_SHARE * max(known.get(table.table, 0), 0):
                    cursor.execute(f"ANALYZE {quote(table.table)}")

    def tables(self) -> list[BulkTable]:
        """Every table written in bulk, components and containers first (the others
        refer to them)."""
        return [
            self.components,
            self.containers,
            self.dates,
            self.extents,
            self.notes,
            self.digital_objects,
            self.instances,
            self.agent_links,
            self.subject_links,
        ]

    def warn(self, message: str) -> None:
        self.result.warnings.append(f"{self.filename}: {message}")

    def report_progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.result.components)

    # ------------------------------------------------------------------ collection

    def start_collection(self, unit: r.Unit) -> None:
        if self.finding_aid is None:
            raise LoadError(f"{self.filename}: the description came before the header")
        if self.collection is not None:
            raise LoadError(f"{self.filename}: more than one collection-level description")
        fa = self.finding_aid
        # Concurrent imports queue here, before anything is looked up: the lock is held to
        # the commit, so what the previous import created (a repository both files name,
        # the collection a second --replace of the same file replaces) is committed and
        # seen by the checks below, instead of two transactions creating the same row and
        # the second failing on a unique index. (Imports were serialised from the
        # allocation of the root path onwards already; SQLite's writers always are.)
        tree.lock_root_allocation()
        repository = self.repository or self.repository_from_file(fa, unit)
        ead_id = " ".join(fa.ead_id.split())
        if not ead_id:
            stem = re.sub(r"\.xml$", "", self.filename.replace("\\", "/").rsplit("/", 1)[-1])
            ead_id = stem or "finding-aid"
            self.warn(f"the finding aid has no EAD identifier; using {ead_id!r}")
        length = _column_length(Collection, "ead_id")
        if len(ead_id) > length:
            raise LoadError(f"{self.filename}: the EAD id is longer than {length} characters")

        existing = Collection.objects.filter(repository=repository, ead_id=ead_id).first()
        if existing is not None:
            if not self.replace:
                raise LoadError(
                    f"{self.filename}: a finding aid with EAD id {ead_id!r} already exists in "
                    f"repository {repository.code!r}; use replace (--replace) to swap it"
                )
            delete_collection(existing)
            self.result.replaced = True

        self.collection = Collection(
            repository=repository,
            ead_id=ead_id,
            import_job=self.job,
            **self.collection_fields(fa),
        )
        # The collection's one history entry says who imported it and from where; the
        # components are bulk-inserted and get none of their own.
        if self.user is not None and getattr(self.user, "is_authenticated", False):
            self.collection._history_user = self.user
        self.collection._change_reason = clip(f"Imported from {self.filename}", 100)
        self.collection.save()
        Revision.objects.bulk_create(
            Revision(
                collection=self.collection,
                date=clip(rev.date, 64),
                agent=clip(rev.agent, 255),
                description=rev.description,
                published=rev.published,
                position=i,
            )
            for i, rev in enumerate(fa.revisions)
        )
        self.result.collection_id = self.collection.pk
        self.result.ead_id = ead_id
        self.result.repository_id = repository.pk
        self.result.repository_code = repository.code
        self.result.source_version = fa.source_version

        if self.index:
            self.feed = search_index.LoadFeed(self.collection.pk, repository.pk)
        self.paths = tree.PathAllocator(tree.next_root_path())
        self.root_id = self.add_component_row(unit, depth=1)

    def repository_from_file(self, fa: r.FindingAid, unit: r.Unit) -> Repository:
        """Find the repository the file names, or create it (agency code first, then name).

        A file that names no repository at all goes to one called "Unidentified repository",
        with a warning: refusing it would make a folder import stop over a missing header
        field that an archivist can fix afterwards by moving the collection.
        """
        name = " ".join((unit.repository_name or fa.repository_name or "").split())
        agency = (fa.repository_code or fa.agency_code or "").strip()
        if agency:
            found = Repository.objects.filter(agency_code__iexact=agency).first()
            if found is None:
                found = Repository.objects.filter(code=repository_code_for(agency)).first()
            if found is not None:
                return found
        if name:
            found = Repository.objects.filter(name__iexact=clip(name, 255)).first()
            if found is not None:
                return found
        code = repository_code_for(agency) or repository_code_for(name)
        if not code:
            self.warn(
                "the file names no repository (no <repository>, agency code or maintenance "
                f"agency); filed under {UNIDENTIFIED_REPOSITORY!r}"
            )
            repository, created = Repository.objects.get_or_create(
                code=UNIDENTIFIED_REPOSITORY, defaults={"name": "Unidentified repository"}
            )
            self.result.repository_created = created
            return repository
        if Repository.objects.filter(code=code).exists():
            # Same slug, another institution (its agency code or name differs): keep apart.
            n = 2
            while Repository.objects.filter(code=f"{code[:60]}-{n}").exists():
                n += 1
            code = f"{code[:60]}-{n}"
        country = (fa.country_code or "").strip()
        repository = Repository.objects.create(
            code=code,
            name=clip(name or agency, 255),
            agency_code=clip(agency, 64),
            country_code=country.upper() if len(country) == 2 else "",
        )
        self.result.repository_created = True
        self.warn(f"created repository {code!r} ({repository.name}) from the file")
        return repository

    def collection_fields(self, fa: r.FindingAid) -> dict[str, Any]:
        unmapped: dict[str, Any] = {}
        if fa.title != _escape(fa.title_text):
            # Markup, or whitespace the plain text normalised away.
            unmapped["title"] = fa.title
        optional = {
            "filing_title": fa.filing_title,
            "publication_date_normal": fa.publication_date_normal,
            "publisher_markup": fa.publisher_markup,
            "script_of_description_code": fa.script_of_description_code,
            "script_of_description": fa.script_of_description,
            "creation_date": fa.creation_date,
            "repository_name": fa.repository_name,
            "repository_code": fa.repository_code,
            "country_code": fa.country_code,
            "agency_code": fa.agency_code,
            "status": fa.status,
            "maintenance_status_text": fa.maintenance_status_text or None,
        }
        unmapped.update({key: value for key, value in optional.items() if value is not None})
        if fa.publication_address:
            unmapped["publication_address"] = list(fa.publication_address)
        if fa.publication_address_markup:
            unmapped["publication_address_markup"] = list(fa.publication_address_markup)
        if len(fa.ead_id_attributes) > 1:
            # The column is a dict, and jsonb does not keep key order: keep the order here.
            unmapped["ead_id_attributes"] = pairs(fa.ead_id_attributes)
        if fa.root_attributes:
            unmapped["root_attributes"] = pairs(fa.root_attributes)
        if fa.header_attributes:
            unmapped["header_attributes"] = pairs(fa.header_attributes)
        if fa.element_attributes:
            unmapped["element_attributes"] = [[p, pairs(a)] for p, a in fa.element_attributes]
        if fa.declarations:
            unmapped["declarations"] = [list(d) for d in fa.declarations]
        if fa.extra:
            unmapped["extra"] = [extra_json(e) for e in fa.extra]
        if any(
            rev.event_type or rev.normal or rev.agent_type or rev.event_text for rev in fa.revisions
        ):
            unmapped["revisions"] = [
                {"event_type": rev.event_type, "normal": rev.normal}
                | ({"agent_type": rev.agent_type} if rev.agent_type else {})
                | ({"event_text": rev.event_text} if rev.event_text else {})
                for rev in fa.revisions
            ]
        columns = {
            "finding_aid_subtitle": fa.subtitle,
            "finding_aid_author": fa.author,
            "finding_aid_sponsor": fa.sponsor,
            "finding_aid_edition": fa.edition,
            "publisher": fa.publisher,
            "publication_date": fa.publication_date,
            "description_language": fa.language_of_description,
            "description_language_code": fa.language_of_description_code,
            "description_rules": fa.rules,
            "creation_note": fa.creation,
        }
        fields: dict[str, Any] = {}
        for column, value in columns.items():
            length = _column_length(Collection, column)
            fields[column] = clip(value, length) if length else (value or "")
            # Present but empty, or longer than the column: kept under the record's name.
            keep(unmapped, HEADER_FIELDS[column], value, fields[column])
        return {
            "ead_id_attributes": dict(fa.ead_id_attributes),
            "finding_aid_title": fa.title_text or "",
            **fields,
            "source_version": clip(fa.source_version, 8),
            "numbered_components": fa.numbered_components,
            "unmapped": unmapped,
        }

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
        """Queue the unit's row and its related rows; return its id."""
        assert self.paths is not None and self.collection is not None
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
        attributes: dict[str, Any] = {}

        level = unit.level or ""
        other_level = unit.other_level or ""
        if unit.level is None:
            attributes["level_absent"] = True
            level = Level.COLLECTION if depth == 1 else Level.FILE
        elif not level:
            attributes["level"] = ""  # @level="" (present, empty)
            level = Level.COLLECTION if depth == 1 else Level.FILE
        elif level not in LEVELS:
            attributes["level"] = level
            other_level = other_level or level
            level = Level.OTHER
        if len(other_level) > 64 or unit.other_level == "":
            attributes["other_level"] = unit.other_level if unit.other_level == "" else other_level
            other_level = other_level[:64]

        ref = self.unit_ref(unit, depth, attributes)

        if unit.attributes:
            attributes["attributes"] = pairs(unit.attributes)
        if unit.identifier_attributes:
            attributes["identifier_attributes"] = pairs(unit.identifier_attributes)
        if unit.title_attributes:
            attributes["title_attributes"] = pairs(unit.title_attributes)
        if unit.heading_attributes:
            attributes["heading_attributes"] = [[k, pairs(a)] for k, a in unit.heading_attributes]
        if unit.group_attributes:
            attributes["group_attributes"] = [[g, pairs(a)] for g, a in unit.group_attributes]
        if unit.identifier_fragments:
            attributes["identifier_fragments"] = list(unit.identifier_fragments)
        if unit.did_attributes:
            attributes["did_attributes"] = pairs(unit.did_attributes)
        if unit.controlaccess_attributes:
            attributes["controlaccess_attributes"] = pairs(unit.controlaccess_attributes)
        if unit.component_list_attributes:
            attributes["component_list_attributes"] = pairs(unit.component_list_attributes)
        if unit.new_component_list is not None:
            attributes["new_component_list"] = pairs(unit.new_component_list)
        if unit.repository_name is not None:
            attributes["repository_name"] = unit.repository_name
        if unit.headings:
            attributes["headings"] = [list(h) for h in unit.headings]
        # The columns of the unit's dates and extents, for add_unit_rows (computed once).
        date_rows = [date_columns(d) for d in unit.dates]
        extent_rows = [extent_columns(e) for e in unit.extents]
        if date_rows:
            sides = [date_side(d, row) for d, row in zip(unit.dates, date_rows, strict=True)]
            if any(sides):  # parallel to the rows by position; absent when all are empty
                attributes["dates"] = sides
        if extent_rows:
            sides = [extent_side(e, row) for e, row in zip(unit.extents, extent_rows, strict=True)]
            if any(sides):
                attributes["extents"] = sides
        title = unit.title
        title_markup = title if "<" in title else ""
        if not title_markup and title != _escape(unit.title_text):
            attributes["title"] = title  # no markup, but whitespace the text lost
        identifier = unit.identifier
        if identifier is None:
            identifier = ""
        elif len(identifier) > 255:
            attributes["identifier"] = identifier
            identifier = identifier[:255]
        elif not identifier:
            attributes["identifier"] = identifier  # present but empty
        physical_location = unit.physical_location
        if physical_location == "":
            attributes["physical_location"] = ""
        languages = [language_json(lang) for lang in unit.languages] if unit.languages else []
        if self.feed is not None:
            self.feed.unit(
                unit_id, depth, unit.published, level, identifier, unit.title_text, languages
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
            physical_location or "",
            unit.published,
            attributes,
            [extra_json(e) for e in unit.extra] if unit.extra else [],
        )
        self.add_unit_rows(unit_id, unit, (date_rows, extent_rows))
        return unit_id

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
        if len(ref) > 255:
            ref = ref[:240]
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

    def numbering(self, kind: str, unit_id: int, count: int, *, supplement: bool) -> int:
        """First position for ``count`` more rows of ``kind`` on a unit.

        Only units that have child components can get a supplement, but which those are is
        only known later, so counts are kept for every unit that has rows of these kinds.
        """
        key = (kind, unit_id)
        start = self.counts.get(key, 0) if supplement else 0
        self.counts[key] = start + count
        return start

    def add_unit_rows(self, unit_id: int, unit: r.Unit, columns: UnitColumns) -> None:
        date_rows, extent_rows = columns
        add = self.dates.rows.append  # no JSON columns: rows go straight into the batch
        dates, extents = unit.dates, unit.extents
        for i, row in enumerate(date_rows):
            add((unit_id, *row, dates[i].published, i))
        if date_rows and self.feed is not None:
            for i, row in enumerate(date_rows):
                if dates[i].published:
                    self.feed.date(unit_id, row[1], row[2])
        add = self.extents.rows.append
        for i, row in enumerate(extent_rows):
            add((unit_id, *row, extents[i].published, i))
        self.add_containers(unit_id, unit.containers)
        self.add_described(
            unit_id, unit.notes, unit.agents, unit.subjects, unit.digital_objects, supplement=False
        )

    def add_described(
        self,
        unit_id: int,
        notes: tuple[r.Note, ...],
        agents: tuple[r.AgentLink, ...],
        subjects: tuple[r.SubjectLink, ...],
        digital_objects: tuple[r.DigitalObject, ...],
        *,
        supplement: bool,
    ) -> None:
        """Rows a unit and its supplement both carry."""
        if notes:
            start = self.numbering("note", unit_id, len(notes), supplement=supplement)
            for i, note in enumerate(notes, start):
                self.add_note(unit_id, note, i)
        if agents:
            start = self.numbering("agent", unit_id, len(agents), supplement=supplement)
            for i, link in enumerate(agents, start):
                self.add_agent_link(unit_id, link, i)
        if subjects:
            start = self.numbering("subject", unit_id, len(subjects), supplement=supplement)
            for i, link in enumerate(subjects, start):
                self.add_subject_link(unit_id, link, i)
        if digital_objects:
            start = self.numbering("dao", unit_id, len(digital_objects), supplement=supplement)
            for i, dao in enumerate(digital_objects, start):
                self.add_digital_object(unit_id, dao, i)

    def add_note(self, unit_id: int, note: r.Note, position: int) -> None:
        attributes: dict[str, Any] = {"source_position": note.position}
        note_type = note.note_type
        if note_type not in NOTE_TYPES:
            # EAD 2002 <note> directly in a unit has no type of its own: "General" (odd).
            attributes["element"] = note_type
            note_type = NoteType.GENERAL
        if note.attributes:
            attributes["attributes"] = pairs(note.attributes)
        if note.heading_attributes:
            attributes["heading_attributes"] = pairs(note.heading_attributes)
        heading = clip(note.heading, 255)
        keep(attributes, "heading", note.heading, heading)
        ref = clip(note.ref, 255)
        keep(attributes, "ref", note.ref, ref)
        if self.feed is not None:
            self.feed.note(unit_id, note.content, note.published)
        self.batch_text += len(note.content)
        self.notes.add(
            unit_id,
            note_type,
            heading,
            note.content,
            ref,
            note.published,
            position,
            attributes,
        )

    def add_digital_object(self, unit_id: int, dao: r.DigitalObject, position: int) -> None:
        attributes: dict[str, Any] = {}
        for key in ("show", "actuate", "group", "group_description", "object_type"):
            value = getattr(dao, key)
            if value is not None:
                attributes[key] = value
        if dao.extra:
            attributes["attributes"] = pairs(dao.extra)
        if dao.group_attributes:
            attributes["group_attributes"] = pairs(dao.group_attributes)
        if dao.group_links:
            attributes["group_links"] = list(dao.group_links)
        href, title, role = clip(dao.href, 2000), clip(dao.title, 500), clip(dao.role, 64)
        keep(attributes, "href", dao.href, href)
        keep(attributes, "title", dao.title, title)
        keep(attributes, "role", dao.role, role)
        keep(attributes, "description", dao.description, dao.description)
        if self.feed is not None:
            self.feed.digital_object(unit_id, dao.published)
        self.digital_objects.add(
            unit_id,
            title,
            href,
            role,
            dao.description or "",
            dao.published,
            position,
            attributes,
        )

    def add_containers(self, unit_id: int, containers: tuple[r.Container, ...]) -> None:
        """Group a unit's containers into instances: a top container and its children.

        A container with @parent belongs to the instance whose container has that @id. One
        without @parent starts a new instance when it has an @id, when it is the first, or
        when it repeats the type of the current top container (box 1, box 2); otherwise it is
        the next level of the current instance (legacy "box 1, folder 3" without ids).
        """
        if not containers:
            return
        groups: list[list[r.Container]] = []
        by_id: dict[str, list[r.Container]] = {}
        if len(containers) == 1:  # the common case: one instance of one container
            c = containers[0]
            if c.parent_ref:
                self.warn(f"container parent {c.parent_ref!r} is not a container of its unit")
            groups.append([c])
            containers = ()
        for c in containers:
            group = by_id.get(c.parent_ref) if c.parent_ref else None
            if group is None and not c.parent_ref and groups and not c.ref:
                current = groups[-1]
                top = current[0]
                same_type = (c.container_type or "").lower() == (top.container_type or "").lower()
                if not same_type and len(current) < 3 and not top.ref:
                    group = current
            if group is None:
                if c.parent_ref:
                    self.warn(f"container parent {c.parent_ref!r} is not a container of its unit")
                group = []
                groups.append(group)
            group.append(c)
            if c.ref:
                by_id[c.ref] = group
        for i, group in enumerate(groups):
            top = group[0]
            ctype = clip((top.container_type or "box").strip().lower(), 64) or "box"
            key = (ctype, clip(top.indicator.strip(), 64))
            container_id = self.container_ids.get(key)
            if container_id is None:
                container_id = self.container_ids[key] = self.container_ids_drawn.take()
                self.containers.add(
                    container_id,
                    self.collection.pk,
                    key[0],
                    key[1],
                    clip(top.barcode, 64),
                    clip(top.label, 255),
                )
            child = group[1] if len(group) > 1 else None
            grandchild = group[2] if len(group) > 2 else None
            if len(group) > 3:
                self.warn(
                    f"a container instance has {len(group)} levels; the model keeps three, the "
                    f"others are kept for export"
                )
            child_type = clip(child.container_type, 64) if child else ""
            child_indicator = clip(child.indicator, 64) if child else ""
            grandchild_type = clip(grandchild.container_type, 64) if grandchild else ""
            grandchild_indicator = clip(grandchild.indicator, 64) if grandchild else ""
            published = all(c.published for c in group)
            self.instances.add(
                unit_id,
                container_id,
                child_type,
                child_indicator,
                grandchild_type,
                grandchild_indicator,
                clip(top.label, 64),
                published,
                i,
                {"containers": [container_json(c) for c in group]},
            )
            if published and self.feed is not None:
                self.feed.container(
                    unit_id,
                    *key,
                    child_type,
                    child_indicator,
                    grandchild_type,
                    grandchild_indicator,
                )

    def add_agent_link(self, unit_id: int, link: r.AgentLink, position: int) -> None:
        key = (
            ("auth", link.source or "", link.authority_id)
            if link.authority_id
            else agent_name_key(link)
        )
        attributes: dict[str, Any] = {}
        for attr in ("normal", "group", "label"):
            value = getattr(link, attr)
            if value is not None:
                attributes[attr] = value
        if link.name_parts:
            attributes["name_parts"] = [list(p) for p in link.name_parts]
        if link.name_markup:
            attributes["name_markup"] = link.name_markup
        if link.origination_attributes:
            attributes["origination_attributes"] = pairs(link.origination_attributes)
        if link.attributes:
            attributes["attributes"] = pairs(link.attributes)
        role = link.role if link.role in AGENT_ROLES else AgentLink.Role.SUBJECT
        if role != link.role:
            attributes["role"] = link.role
        relator = clip(link.relator, 64)
        keep(attributes, "relator", link.relator, relator)
        values = [
            unit_id,
            None,  # the agent's id, once resolved
            role,
            relator,
            link.published,
            position,
            attributes,
        ]
        self.waiting_agents.append((values, key, link))

    def add_subject_link(self, unit_id: int, link: r.SubjectLink, position: int) -> None:
        attributes: dict[str, Any] = {}
        for attr in ("group", "normal"):
            value = getattr(link, attr)
            if value is not None:
                attributes[attr] = value
        if link.attributes:
            attributes["attributes"] = pairs(link.attributes)
        if link.term_parts:
            attributes["term_parts"] = [list(p) for p in link.term_parts]
        if link.term_markup:
            attributes["term_markup"] = link.term_markup
        if link.subject_type not in SUBJECT_TYPES:
            attributes["subject_type"] = link.subject_type
        values = [unit_id, None, link.published, position, attributes]
        self.waiting_subjects.append((values, subject_key(link), link))

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
            if self.writer is not None:
                self.writer.drain()
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
        due = [table for table in self.tables() if len(table) >= size]
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
        rows = self.feed.rows(final=final)
        if not rows:
            return
        for row in rows:
            if row.words_kept >= 0:
                self.warn_index_cut(row)
        backend = search_backend()
        if self.writer is not None:
            self.writer.submit_call(lambda cursor: backend.write(cursor, rows))
        else:
            with connection.cursor() as cursor:
                backend.write(cursor, rows)

    def warn_index_cut(self, row: search_index.IndexRow) -> None:
        """The unit's text was cut to fit the search index (see ``text.fit_words``)."""
        title = row.title if len(row.title) <= 80 else row.title[:77] + "..."
        what = "the collection" if row.unit_id == self.root_id else f"component {title!r}"
        if row.identifier and row.unit_id != self.root_id:
            what += f" ({row.identifier[:40]})"
        self.warn(
            f"{what} has more distinct words than the search index takes; only its first "
            f"{row.words_kept:,} words can be found by search (the description itself is "
            "imported whole)"
        )

    def write_child_counts(self) -> None:
        """Set treebeard's ``numchild`` from the counts kept while loading.

        ``tree.recount_children`` recomputes them with a correlated subquery per node, which
        is right after arbitrary edits but needless here: the loader saw every child arrive.
        One UPDATE per 500 parents, with the counts inline.
        """
        assert self.collection is not None
        table = connection.ops.quote_name(Component._meta.db_table)
        items = sorted(self.child_counts.items())
        with connection.cursor() as cursor:
            for chunk in chunks(items, 500):
                cases = " ".join(["WHEN %s THEN %s"] * len(chunk))
                marks = ", ".join(["%s"] * len(chunk))
                params: list[Any] = [value for item in chunk for value in item]
                params += [self.collection.pk] + [path for path, _ in chunk]
                cursor.execute(
                    f"UPDATE {table} SET numchild = CASE path {cases} END "
                    f"WHERE collection_id = %s AND path IN ({marks})",
                    params,
                )

    def write_agent_links(self) -> None:
        waiting, self.waiting_agents = self.waiting_agents, []
        self.resolve_agents([(key, link) for _, key, link in waiting])
        for values, key, link in waiting:
            agent_id = self.agent_ids[key]
            values[1] = agent_id
            name, agent_type, source, authority_id, published = self.agents_by_id[agent_id]
            if self.feed is not None:
                self.feed.agent(
                    values[0],
                    agent_id,
                    values[2],
                    name,
                    published and link.published,
                    new=agent_id in self.agents_created,
                )
            attributes = values[-1]
            # What the file said that the shared agent does not say, for a faithful export.
            # Exactly as written: the shared agent's name is whitespace-normalised.
            if link.name != name:
                attributes["name"] = link.name
            if link.agent_type != agent_type:
                attributes["agent_type"] = link.agent_type
            keep(attributes, "source", link.source, source)
            keep(attributes, "authority_id", link.authority_id, authority_id)
            self.agent_links.add(*values)

    def write_subject_links(self) -> None:
        waiting, self.waiting_subjects = self.waiting_subjects, []
        self.resolve_subjects([(key, link) for _, key, link in waiting])
        for values, key, link in waiting:
            subject_id = self.subject_ids[key]
            values[1] = subject_id
            term, source, authority_id, subject_type, published = self.subjects_by_id[subject_id]
            if self.feed is not None:
                self.feed.subject(
                    values[0], subject_id, term, subject_type, published and link.published
                )
            attributes = values[-1]
            if link.term != term:
                attributes["term"] = link.term
            keep(attributes, "source", link.source, source)
            keep(attributes, "authority_id", link.authority_id, authority_id)
            self.subject_links.add(*values)

    def resolve_agents(self, wanted: list[tuple[tuple, r.AgentLink]]) -> None:
        """Map every key to an Agent id: an existing agent with the same authority id (and
        source), else one with the same authorized name and type, else a new agent; new ones
        are created in one INSERT per batch."""
        missing: dict[tuple, r.AgentLink] = {}
        for key, link in wanted:
            if key not in self.agent_ids:
                missing.setdefault(key, link)
        if not missing:
            return
        fields = (
            "id",
            "authorized_name",
            "agent_type",
            "authority_source",
            "authority_id",
            "published",
        )
        by_auth: dict[tuple, tuple] = {}
        authority_ids = sorted({key[2] for key in missing if key[0] == "auth"})
        for chunk in chunks(authority_ids, 500):
            for row in Agent.objects.filter(authority_id__in=chunk).values_list(*fields):
                by_auth.setdefault(("auth", row[3], row[4]), row)
        name_keys = {key: agent_name_key(link) for key, link in missing.items()}
        by_name: dict[tuple, tuple] = {}
        names = sorted({k[1] for key, k in name_keys.items() if key not in by_auth})
        for chunk in chunks(names, 500):
            for row in Agent.objects.filter(authorized_name__in=chunk).values_list(*fields):
                by_name.setdefault(("name", row[1], row[2]), row)

        to_create: dict[tuple, Agent] = {}  # key -> new agent (several keys may share one)
        for key, link in missing.items():
            name_key = name_keys[key]
            row = by_auth.get(key) or by_name.get(name_key)
            if row is not None:
                self.remember_agent(key, row)
            elif name_key in self.agent_ids:
                self.agent_ids[key] = self.agent_ids[name_key]
            elif name_key in to_create:
                to_create[key] = to_create[name_key]
            else:
                to_create[key] = to_create[name_key] = self.new_agent(link, name_key)
        agents = list({id(agent): agent for agent in to_create.values()}.values())
        if not agents:
            return
        slugs = self.agent_slugs.allocate([agent.authorized_name for agent in agents])
        for agent, slug in zip(agents, slugs, strict=True):
            agent.slug = slug
        Agent.objects.bulk_create(agents)
        self.result.agents_created += len(agents)
        self.agents_created.update(agent.pk for agent in agents)
        for key, agent in to_create.items():
            self.remember_agent(
                key,
                (
                    agent.pk,
                    agent.authorized_name,
                    agent.agent_type,
                    agent.authority_source,
                    agent.authority_id,
                    agent.published,
                ),
            )

    def remember_agent(self, key: tuple, row: tuple) -> None:
        pk, name, agent_type, source, authority_id, published = row
        self.agent_ids[key] = pk
        self.agents_by_id[pk] = (name, agent_type, source, authority_id, published)

    def new_agent(self, link: r.AgentLink, name_key: tuple) -> Agent:
        agent = Agent(
            agent_type=name_key[2],
            authorized_name=name_key[1],
            authority_source=clip(link.source, 64),
            authority_id=clip(link.authority_id, 500),
            published=True,
        )
        for part_type, text in link.name_parts:
            column = NAME_PART_COLUMNS.get(part_type.lower().replace(" ", ""))
            if column and not getattr(agent, column):
                length = 64 if column == "name_dates" else 255
                setattr(agent, column, clip(" ".join(text.split()), length))
        return agent

    def resolve_subjects(self, wanted: list[tuple[tuple, r.SubjectLink]]) -> None:
        """Map every (term, type, source) to a Subject id, creating the missing ones."""
        missing: dict[tuple, r.SubjectLink] = {}
        for key, link in wanted:
            if key not in self.subject_ids:
                missing.setdefault(key, link)
        if not missing:
            return
        terms = sorted({key[0] for key in missing})
        for chunk in chunks(terms, 500):
            for pk, term, subject_type, source, authority_id, published in Subject.objects.filter(
                term__in=chunk
            ).values_list("id", "term", "subject_type", "source", "authority_id", "published"):
                key = (term, subject_type, source)
                if key in missing:
                    self.subject_ids[key] = pk
                    self.subjects_by_id[pk] = (term, source, authority_id, subject_type, published)
        new = [
            Subject(
                term=key[0],
                subject_type=key[1],
                source=key[2],
                authority_id=clip(link.authority_id, 500),
                published=True,
            )
            for key, link in missing.items()
            if key not in self.subject_ids
        ]
        if not new:
            return
        slugs = self.subject_slugs.allocate([subject.term for subject in new])
        for subject, slug in zip(new, slugs, strict=True):
            subject.slug = slug
        Subject.objects.bulk_create(new)
        self.result.subjects_created += len(new)
        for subject in new:
            key = (subject.term, subject.subject_type, subject.source)
            self.subject_ids[key] = subject.pk
            self.subjects_by_id[subject.pk] = (
                subject.term,
                subject.source,
                subject.authority_id,
                subject.subject_type,
                subject.published,
            )


def subject_key(link: r.SubjectLink) -> tuple[str, str, str]:
    subject_type = link.subject_type if link.subject_type in SUBJECT_TYPES else "topical"
    return (clip(" ".join(link.term.split()), 500), subject_type, clip(link.source, 64))


def agent_name_key(link: r.AgentLink) -> tuple[str, str, str]:
    agent_type = link.agent_type if link.agent_type in AGENT_TYPES else "person"
    return ("name", clip(" ".join(link.name.split()), 500), agent_type)


def chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --------------------------------------------------------------------------- reading ahead

READ_AHEAD_BATCH = 256  # records handed over at once (one queue operation per batch)
READ_AHEAD_BATCHES = 8  # batches waiting at most: memory stays a few thousand records


class _ReaderFailed:
    """The reader thread's exception, carried to the consuming thread and raised there."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


def read_ahead(
    records: Iterable[r.Record],
    *,
    batch: int | None = None,
    batches: int | None = None,
) -> Iterator[r.Record]:
    """``records``, produced by a helper thread while the caller consumes them.

    The reader spends much of its time in libxml2, which runs without the GIL, and the
    loader much of its time waiting for the database (a COPY or an INSERT batch, also
    without the GIL, the server working in its own process): run one behind the other, each
    waits for the other; run side by side, a second core parses the next records while the
    database writes the last batch.

    The queue between them is bounded (``batches`` lists of ``batch`` records), so memory
    does not grow with the file. An exception in the reader (malformed XML at the last line)
    is raised here, in the consuming thread, inside the caller's transaction, which then
    rolls back as it would without the thread. Close the generator when the consumer stops
    early (``contextlib.closing``): that stops the reader at its next batch and joins it.
    The reader must not touch the database: Django connections belong to one thread.
    """
    size = batch or READ_AHEAD_BATCH
    handoff: queue.Queue[Any] = queue.Queue(maxsize=batches or READ_AHEAD_BATCHES)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        pending: list[r.Record] = []
        try:
            for record in records:
                pending.append(record)
                if len(pending) >= size:
                    if not put(pending):
                        return
                    pending = []
        except BaseException as exc:  # noqa: BLE001 - raised again in the consuming thread
            # What was read before the error first, as a plain loop would have given it.
            if not pending or put(pending):
                put(_ReaderFailed(exc))
            return
        if not pending or put(pending):
            put(_END)

    thread = threading.Thread(target=produce, name="ead-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = handoff.get()
            if item is _END:
                return
            if item.__class__ is _ReaderFailed:
                raise item.error
            yield from item
    finally:
        stop.set()
        thread.join()


def delete_collection(collection: Collection) -> None:
    """Delete a collection and everything in it with one DELETE per table.

    ``collection.delete()`` alone would load every component and note to send the
    per-row signals simple_history listens to (one history row each); a replace of a
    100,000-component finding aid must not cost that. One history row for the collection
    itself is still written.
    """
    harvest_withdraw(collection=collection)  # harvesters hear that the record went away
    search_index.remove_collection(collection.pk)
    units = Component.objects.filter(collection=collection).values("pk")
    for model in (UnitDate, Extent, Note, AgentLink, SubjectLink, ContainerInstance, DigitalObject):
        model.objects.filter(unit__in=units)._raw_delete(model.objects.db)
    Container.objects.filter(collection=collection)._raw_delete(Container.objects.db)
    Revision.objects.filter(collection=collection)._raw_delete(Revision.objects.db)
    Component.objects.filter(collection=collection)._raw_delete(Component.objects.db)
    collection.delete()


__all__ = [
    "BATCH_SIZE",
    "EADLoader",
    "LoadError",
    "LoadResult",
    "delete_collection",
    "read_ahead",
]
