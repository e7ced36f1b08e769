"""Writing rows in bulk: tables of plain tuples, ids drawn beforehand, a ``COPY`` writer
thread on PostgreSQL, the read-ahead thread, and planner statistics after a large load.

Nothing here knows EAD: ``archive.exchange.load`` decides what the rows are.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterable, Sequence
from typing import Any

import orjson
from django.db import connection, models
from django.utils import timezone

from archive.ead import records as r

BATCH_SIZE = 2000
# One row for a table: values in the order of its BulkTable's fields.
Row = Sequence[Any]


# JSON text the way ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` writes
# it (compact: the SQLite column keeps the text as written), by orjson: the standard encoder
# was a sizeable share of a large load's time (a small dict per component and container
# instance); orjson costs a small fraction of it.
_encode = orjson.dumps


def dumps(value: Any) -> str:
    """``value`` as JSON text; empty values (most columns of most rows) skip the encoder."""
    if not value:
        return "[]" if value.__class__ is list else "{}"
    return _encode(value).decode()


# A load adding at least this many rows, and at least this share of the rows a table held,
# refreshes the table's planner statistics (see ``BulkLoad.refresh_statistics``).
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
            str(f.column)
            for f in meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        columns = [_column(model, name) for name in fields] + self.stamps
        now: Any = connection.ops.adapt_datetimefield_value(timezone.now())
        if not isinstance(now, str):
            # (PostgreSQL: as text, formatted once rather than by COPY for every row)
            now = now.isoformat()
        self.stamp_values: tuple[Any, ...] = (now,) * len(self.stamps)
        self.table = meta.db_table
        quote = connection.ops.quote_name
        self.column_sql = ", ".join(str(quote(c)) for c in columns)
        self.rows: list[Row] = []
        self.written = 0

    def __len__(self) -> int:
        """Rows waiting for the next :meth:`write`."""
        return len(self.rows)

    def add(self, *values: Any) -> None:
        """Queue one row, values in ``fields`` order (JSON columns as Python values)."""
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
        """Write the queued rows (through the writer thread when there is one)."""
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


def _column(model: type[models.Model], name: str) -> str:
    """The database column of a model field."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.column)


def copy_rows(cursor: Any, sql: str, rows: list[Row]) -> None:
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

    def submit(self, sql: str, rows: list[Row]) -> None:
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


def chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    """``items`` in lists of at most ``size`` (for ``IN (...)`` lists and inline UPDATEs)."""
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


def _handoff_put(handoff: queue.Queue[Any], stop: threading.Event, item: Any) -> bool:
    """Put ``item`` in the queue, waiting while it is full; False when told to stop first."""
    while not stop.is_set():
        try:
            handoff.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _read_ahead_produce(
    records: Iterable[r.Record], size: int, handoff: queue.Queue[Any], stop: threading.Event
) -> None:
    """The reader thread of :func:`read_ahead`: lists of ``size`` records, then ``_END``,
    or the reader's error after what was read before it."""
    pending: list[r.Record] = []
    try:
        for record in records:
            pending.append(record)
            if len(pending) >= size:
                if not _handoff_put(handoff, stop, pending):
                    return
                pending = []
    except BaseException as exc:  # noqa: BLE001 - raised again in the consuming thread
        # What was read before the error first, as a plain loop would have given it.
        if not pending or _handoff_put(handoff, stop, pending):
            _handoff_put(handoff, stop, _ReaderFailed(exc))
        return
    if not pending or _handoff_put(handoff, stop, pending):
        _handoff_put(handoff, stop, _END)


def read_ahead(
    records: Iterable[r.Record],
    *,
    batch: int | None = None,
    batches: int | None = None,
) -> Generator[r.Record]:
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

    thread = threading.Thread(
        target=_read_ahead_produce,
        args=(records, size, handoff, stop),
        name="ead-read-ahead",
        daemon=True,
    )
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


class BulkLoad:
    """The tables of one load and, on PostgreSQL, the writer thread they share.

    ``tables`` are given in the order a batch must be written: rows that others refer to
    (components, containers) first.
    """

    def __init__(self, tables: list[BulkTable], *, write_behind: bool | None = None) -> None:
        self.tables = tables
        # COPY in a helper thread: None means on PostgreSQL (see start).
        self.write_behind = write_behind
        self.writer: BackgroundWriter | None = None

    def start(self) -> None:
        """On PostgreSQL (unless ``write_behind`` is False), start the :class:`BackgroundWriter`
        and check foreign keys as each batch is written instead of at the commit.

        Checked at the commit, the foreign keys of a large file kept the server busy after
        the last row, with the import waiting; checked per batch in the writer thread, they
        overlap the reading of the next records. It needs a row to be written after the rows
        it refers to, which the loader does (components before their dates and notes, shared
        rows before their links).
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
        for table in self.tables:
            table.writer = self.writer

    def stop(self, *, cancel: bool) -> BackgroundWriter | None:
        """Wait for the writer's last batch and defer foreign keys again; or, with
        ``cancel`` (loading failed, the transaction will roll back), skip what is left. The
        thread is stopped either way; returns the writer, if there was one."""
        writer = self.writer
        if writer is None:
            return None
        self.writer = None
        for table in self.tables:
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

    def drain(self) -> None:
        """Wait until every batch given so far is in the database (before reading it back)."""
        if self.writer is not None:
            self.writer.drain()

    def submit(self, job: Callable[[Any], object]) -> None:
        """Run ``job(cursor)`` after the batches given so far: in the writer thread when
        there is one (with psycopg's cursor), else at once (with Django's)."""
        if self.writer is not None:
            self.writer.submit_call(job)
        else:
            with connection.cursor() as cursor:
                job(cursor)

    def refresh_statistics(self) -> None:
        """``ANALYZE`` on PostgreSQL each table this load made grow by a large share.

        What runs next in the same transaction (the search index build, a replace's
        deletion) is planned from the tables' statistics; rows just copied into a new or
        small table are not in them, and the planner then chose nested loops that scan the
        whole table per row (an index build of a 100,000-component file ran for minutes).
        Autovacuum would analyze only after the commit. ``ANALYZE`` reads a sample of at most
        a few tens of thousands of rows per table, so it costs little next to the load.
        """
        if connection.vendor != "postgresql":
            return
        grown = [t for t in self.tables if t.written >= ANALYZE_MIN_ROWS]
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


def child_counts_write(
    model: type[models.Model], collection_id: int, counts: dict[str, int]
) -> None:
    """Set treebeard's ``numchild`` of a collection's nodes from counts kept while loading.

    ``tree.recount_children`` recomputes them with a correlated subquery per node, which is
    right after arbitrary edits but needless after a load: the loader saw every child
    arrive. One UPDATE per 500 parents, with the counts inline.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    items = sorted(counts.items())
    with connection.cursor() as cursor:
        for chunk in chunks(items, 500):
            cases = " ".join(["WHEN %s THEN %s"] * len(chunk))
            marks = ", ".join(["%s"] * len(chunk))
            params: list[Any] = [value for item in chunk for value in item]
            params += [collection_id] + [path for path, _ in chunk]
            cursor.execute(
                f"UPDATE {table} SET numchild = CASE path {cases} END "
                f"WHERE collection_id = %s AND path IN ({marks})",
                params,
            )
