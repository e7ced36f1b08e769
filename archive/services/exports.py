"""Export a collection as EAD 2002 or EAD3.

Every way out of Fonds (the download link, the admin action, ``manage.py export_ead``, the
benchmark) calls these functions, so they all produce the same bytes for the same data:

    database --archive.exchange.stream--> neutral records --archive.ead writer--> XML

Public exports (``include_unpublished=False``) contain only what ``archive.visibility`` lets
the public see; staff exports contain everything, with unpublished material marked
``audience="internal"`` by the writers. Memory stays flat: the streamer reads one chunk of
components at a time and the writers serialise each record as it arrives.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Literal

from archive.exchange.stream import DEFAULT_CHUNK_SIZE, collection_records
from archive.models import Collection

ExportFormat = Literal["ead2002", "ead3"]
FORMATS: tuple[ExportFormat, ...] = ("ead2002", "ead3")


class ExportError(Exception):
    """A collection cannot be exported as asked (a user mistake, not a bug)."""


class CollectionNotPublic(ExportError):
    """A public export of a collection whose description is unpublished."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    collection_id: int
    fmt: ExportFormat
    components: int  # component units written, the collection level not counted


def _writer(fmt: str) -> Callable[..., object]:
    # Imported here so that importing the services does not load the EAD writers.
    if fmt == "ead2002":
        from archive.ead.writer2002 import write_ead2002

        return write_ead2002
    if fmt == "ead3":
        from archive.ead.writer3 import write_ead3

        return write_ead3
    raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def export_filename(collection: Collection, fmt: str) -> str:
    """``<ead_id>.<fmt>.xml``: what a browser saves the download as (made file-system safe)."""
    return f"{export_file_stem(collection.ead_id)}.{fmt}.xml"


_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def export_file_stem(text: str) -> str:
    """A file-system-safe name part for an EAD id (ids may hold spaces, slashes, colons)."""
    return _UNSAFE_FILENAME.sub("_", text).strip("._") or "finding-aid"


def export_file_names(collections: list[Collection], fmt: str) -> list[str]:
    """One safe file name per collection, for a directory or a zip of several exports.

    Two repositories may use the same EAD id: those files get the repository code in front.
    """
    counts: dict[str, int] = {}
    for c in collections:
        counts[c.ead_id] = counts.get(c.ead_id, 0) + 1
    names = []
    for c in collections:
        stem = export_file_stem(c.ead_id)
        if counts[c.ead_id] > 1:
            stem = f"{export_file_stem(c.repository.code)}__{stem}"
        names.append(f"{stem}.{fmt}.xml")
    return names


def collection_is_exportable(*, collection: Collection, include_unpublished: bool) -> bool:
    """Whether an export of this kind has anything to show (the collection level must be)."""
    root = collection.root
    if root is None:
        return False
    return include_unpublished or root.published


def _check(collection: Collection, fmt: str, include_unpublished: bool) -> None:
    _writer(fmt)  # validates the format before any query
    root = collection.root
    if root is None:
        raise ExportError(f"collection {collection.ead_id!r} has no description to export")
    if not include_unpublished and not root.published:
        raise CollectionNotPublic(
            f"collection {collection.ead_id!r} is not published; a public export would be empty"
        )


class _Counter:
    """Counts component units as they pass from the streamer to the writer."""

    def __init__(self, records: Iterable[object]) -> None:
        self._records = records
        self.components = -1  # the collection-level unit is not a component

    def __iter__(self) -> Iterator[object]:
        from archive.ead.records import Unit

        for record in self._records:
            if type(record) is Unit:
                self.components += 1
            yield record


def collection_export(
    *,
    collection: Collection,
    fmt: ExportFormat,
    out: BinaryIO,
    include_unpublished: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> ExportResult:
    """Write the collection as ``fmt`` ("ead2002" or "ead3") to the binary file-like ``out``.

    Raises :class:`CollectionNotPublic` for a public export of an unpublished collection and
    :class:`ExportError` for an unknown format or a collection without description. Costs one
    query for the components per ``chunk_size`` components plus one query per related table
    per chunk; memory does not grow with the collection.
    """
    _check(collection, fmt, include_unpublished)
    records = _Counter(
        collection_records(
            collection=collection,
            include_unpublished=include_unpublished,
            chunk_size=chunk_size,
        )
    )
    _writer(fmt)(records, out, include_unpublished=include_unpublished)
    return ExportResult(collection_id=collection.pk, fmt=fmt, components=max(records.components, 0))


# --------------------------------------------------------------------------- streaming

_DONE = object()
_HANDOFF = 200  # records handed to the writer thread at once
_HANDOFFS_QUEUED = 4  # lists of records waiting for it, at most


class _QueueWriter:
    """A binary file-like whose writes are handed to another thread through a queue."""

    def __init__(self, chunks: queue.Queue, flush_at: int) -> None:
        self._chunks = chunks
        self._buffer = bytearray()
        self._flush_at = flush_at

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= self._flush_at:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            self._chunks.put(bytes(self._buffer))
            self._buffer.clear()


class _Aborted(Exception):
    """Raised inside the writer thread when the consumer went away (client disconnected)."""


def collection_export_chunks(
    *,
    collection: Collection,
    fmt: ExportFormat,
    include_unpublished: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    buffer_size: int = 64 * 1024,
) -> Iterator[bytes]:
    """The same bytes as :func:`collection_export`, as an iterator of ~``buffer_size`` pieces.

    The first bytes leave before the last component is read. No HTTP answer uses it any more:
    a failure after the first bytes could only cut the document short under a 200 already
    sent, so downloads serve the validated file of ``archive.services.export_files``. It is
    kept for callers that consume the bytes themselves and see the exception at the end.

    The writers push bytes into a file object, while a response pulls them; to join the two
    the writer runs in a helper thread fed through bounded queues, and every database query
    stays in the calling thread (Django connections, and test transactions, are per thread).
    """
    _check(collection, fmt, include_unpublished)
    write = _writer(fmt)
    return _stream(collection, write, include_unpublished, chunk_size, buffer_size)


def _stream(
    collection: Collection,
    write: Callable[..., object],
    include_unpublished: bool,
    chunk_size: int,
    buffer_size: int,
) -> Iterator[bytes]:
    # records: caller thread -> writer thread, in lists of _HANDOFF records (one hand-over
    # per record costs more than writing it); bounded, so the database never runs far ahead.
    # chunks: writer thread -> caller thread. Bytes per record are bounded, so with the caller
    # draining `chunks` after every hand-over neither queue grows with the collection.
    records_q: queue.Queue = queue.Queue(maxsize=_HANDOFFS_QUEUED)
    chunks_q: queue.Queue = queue.Queue()
    failure: list[BaseException] = []

    def feed() -> Iterator[object]:
        while True:
            item = records_q.get()
            if item is _DONE:
                return
            if isinstance(item, _Aborted):
                raise item
            yield from item

    def batches() -> Iterator[list[object]]:
        batch: list[object] = []
        for record in collection_records(
            collection=collection, include_unpublished=include_unpublished, chunk_size=chunk_size
        ):
            batch.append(record)
            if len(batch) >= _HANDOFF:
                yield batch
                batch = []
        if batch:
            yield batch

    def work() -> None:
        out = _QueueWriter(chunks_q, buffer_size)
        try:
            write(feed(), out, include_unpublished=include_unpublished)
            out.flush()
        except _Aborted:
            pass
        except BaseException as exc:  # handed to the caller thread and raised there
            failure.append(exc)
        finally:
            chunks_q.put(_DONE)

    thread = threading.Thread(target=work, name="ead-export-writer", daemon=True)
    thread.start()
    finished = False
    try:
        for batch in batches():
            while True:
                try:
                    records_q.put(batch, timeout=0.05)
                    break
                except queue.Full:
                    # The writer may be waiting for us to drain its output; it cannot be, since
                    # `chunks` is unbounded, but it may have died: stop feeding a dead thread.
                    if not thread.is_alive():
                        break
                    yield from _drain(chunks_q, failure)
            yield from _drain(chunks_q, failure)
            if not thread.is_alive():
                break
        while thread.is_alive():
            try:
                records_q.put(_DONE, timeout=0.05)
                break
            except queue.Full:
                yield from _drain(chunks_q, failure)
        while True:
            item = chunks_q.get()
            if item is _DONE:
                break
            yield item
        finished = True
        thread.join()
        if failure:
            raise failure[0]
    finally:
        if not finished:
            # The consumer stopped early (client gone) or the database failed: stop the writer.
            _abort(records_q, thread)


def _drain(chunks_q: queue.Queue, failure: list[BaseException]) -> Iterator[bytes]:
    while True:
        try:
            item = chunks_q.get_nowait()
        except queue.Empty:
            return
        if item is _DONE:
            chunks_q.put(_DONE)  # keep the end marker for the final loop
            if failure:
                raise failure[0]
            return
        yield item


def _abort(records_q: queue.Queue, thread: threading.Thread) -> None:
    while thread.is_alive():
        try:
            records_q.put(_Aborted(), timeout=0.05)
            break
        except queue.Full:
            try:
                records_q.get_nowait()
            except queue.Empty:
                pass
    thread.join(timeout=5)
