"""Validated export files: never a half-written or invalid finding aid handed out.

Every export that leaves Fonds as a file (the download link, the admin action,
``manage.py export_ead``) is first written in full to a temporary file, checked against the
official XSD of its version (``archive.services.validation``) and only then renamed into
place. A writer failure or an invalid document is logged at ERROR with the collection and the
reason and raised as :class:`ExportFailed`; nothing of it is kept or served.

Downloads are cached: :func:`collection_export_file` keeps one validated file per collection,
format and audience ("public" or "staff", in separate files) under
``settings.FONDS_EXPORT_CACHE_DIR``, named after the collection's content stamp
(``Collection.content_changed``, see ``archive.services.changes``) and the code that writes
exports. Any change to what the export writes moves the stamp, so the next request builds a
new file and removes the old one. Concurrent requests for the same export build it once:
the builder holds a lock file (``fcntl.flock``) that the others wait on, then they find the
file made. (Several machines need a cache directory on storage whose locks they share.)
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from archive import conf
from archive.models import Collection
from archive.services.exports import (
    FORMATS,
    ExportError,
    ExportFormat,
    ExportResult,
    collection_export,
    export_filename,
)
from archive.services.validation import DocumentInvalid, export_validate

logger = logging.getLogger("archive.exports")

Audience = Literal["public", "staff"]
AUDIENCES: tuple[Audience, ...] = ("public", "staff")

# A ".partial" file older than this belongs to a build that died; it is removed.
_STALE_PARTIAL_SECONDS = 3600


class ExportFailed(ExportError):
    """The export could not be written or is not valid; logged, nothing kept."""

    def __init__(self, collection: Collection, fmt: str, reason: str) -> None:
        self.collection = collection
        self.fmt = fmt
        self.reason = reason
        super().__init__(f"{collection.ead_id}: the {fmt} export failed: {reason}")


class ExportBusy(ExportError):
    """Another process has been building this export for longer than the lock timeout."""


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A validated export on disk, with what an HTTP answer needs."""

    path: Path
    filename: str  # what a browser saves it as
    etag: str  # quoted, for the ETag header
    changed: datetime  # the content stamp: Last-Modified
    size: int


# --------------------------------------------------------------------------- one file


def collection_export_validated(
    *,
    collection: Collection,
    fmt: ExportFormat,
    path: Path,
    include_unpublished: bool = False,
) -> ExportResult:
    """Write the export to ``path`` only if it is complete and valid.

    The document goes to a temporary file beside ``path``, is validated against the XSD of
    ``fmt`` and renamed over ``path`` (atomic on one file system): a failure leaves ``path``
    as it was. Raises :class:`ExportFailed` (logged) for a writer error or an invalid
    document, and the :class:`ExportError` of :func:`collection_export` for a user mistake.
    """
    audience = "staff" if include_unpublished else "public"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".partial"
    )
    partial = Path(partial_name)
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                result = collection_export(
                    collection=collection,
                    fmt=fmt,
                    out=out,
                    include_unpublished=include_unpublished,
                )
            except ExportError:
                raise
            except Exception as exc:
                _log_failure(collection, fmt, audience, f"{type(exc).__name__}: {exc}", exc)
                raise ExportFailed(collection, fmt, _reason(exc)) from exc
        try:
            export_validate(partial, fmt)
        except DocumentInvalid as exc:
            _log_failure(collection, fmt, audience, f"not valid {fmt}: {exc}")
            raise ExportFailed(collection, fmt, f"the document is not valid {fmt}: {exc}") from exc
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return result


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _log_failure(
    collection: Collection,
    fmt: str,
    audience: str,
    reason: str,
    exc: BaseException | None = None,
) -> None:
    logger.error(
        "Export of collection %s (id %s, repository %s) as %s for the %s failed: %s",
        collection.ead_id,
        collection.pk,
        getattr(collection.repository, "code", "?"),
        fmt,
        audience,
        reason,
        exc_info=exc,
    )


# --------------------------------------------------------------------------- the cache


def _code_token() -> str:
    """A digest of the code that decides an export's bytes: new code, new cached files."""
    global _CODE_TOKEN
    if _CODE_TOKEN is None:
        digest = hashlib.blake2b(digest_size=6)
        root = Path(__file__).resolve().parents[1]
        files = sorted((root / "ead").glob("*.py")) + sorted((root / "ead").glob("*.json"))
        for path in [*files, root / "exchange" / "stream.py"]:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        _CODE_TOKEN = digest.hexdigest()
    return _CODE_TOKEN


_CODE_TOKEN: str | None = None


def _stamp_token(stamp: datetime) -> str:
    return f"{int(stamp.timestamp() * 1_000_000):x}"


def export_etag(*, collection: Collection, fmt: str, audience: Audience) -> str:
    """The (quoted) ETag of the export as the collection's current stamp makes it."""
    return f'"{_stamp_token(collection.content_changed)}-{fmt}-{audience}-{_code_token()}"'


def collection_export_file(
    *, collection: Collection, fmt: ExportFormat, audience: Audience
) -> ExportFile:
    """The validated export of ``collection`` for ``audience``, built when missing.

    Reads the content stamp afresh (one query); returns the cached file when one exists for
    it, else builds, validates and stores it (and removes the files of older stamps). The
    "public" file leaves out unpublished material; "staff" marks it ``audience="internal"``
    and must only be handed to staff. Raises :class:`ExportFailed` (logged) when the export
    fails or is invalid (nothing is cached then), :class:`ExportBusy` when another build holds
    the lock past ``FONDS_EXPORT_LOCK_TIMEOUT`` seconds, and the ``ExportError`` of a user
    mistake (unknown format, unpublished collection for the public).
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if audience not in AUDIENCES:
        raise ExportError(f"unknown audience {audience!r}")
    stamp = (
        Collection.objects.filter(pk=collection.pk)
        .values_list("content_changed", flat=True)
        .first()
    )
    if stamp is None:
        raise ExportError(f"collection {collection.ead_id!r} no longer exists")
    collection.content_changed = stamp
    etag = export_etag(collection=collection, fmt=fmt, audience=audience)
    directory = conf.export_cache_dir() / str(collection.pk)
    kind = f"{fmt}-{audience}"
    path = directory / f"{kind}-{etag.strip(chr(34))}.xml"

    def build() -> None:
        collection_export_validated(
            collection=collection,
            fmt=fmt,
            path=path,
            include_unpublished=audience == "staff",
        )

    cached_build(path, lock=directory / f"{kind}.lock", build=build, kind=kind)
    return ExportFile(
        path=path,
        filename=export_filename(collection, fmt),
        etag=etag,
        changed=stamp,
        size=path.stat().st_size,
    )


def cached_build(path: Path, *, lock: Path, build: Callable[[], None], kind: str) -> bool:
    """Make sure ``path`` exists, running ``build`` (which writes it) at most once at a time.

    Returns True when this call built it. Holds ``lock`` while building; a caller that finds
    it held waits, then uses the file the other one made. After a build the other files of
    ``kind`` in the directory (older stamps) and dead ``.partial`` files are removed.
    """
    if path.is_file():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(lock):
        if path.is_file():  # built while we waited
            return False
        build()
        _remove_older(path, kind)
    return True


@contextmanager
def _locked(lock: Path) -> Iterator[None]:
    timeout = conf.export_lock_timeout()
    deadline = time.monotonic() + timeout
    with open(lock, "a+b") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ExportBusy(
                        "this export is being prepared by another request; try again shortly"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _remove_older(current: Path, kind: str) -> None:
    now = time.time()
    for other in current.parent.glob(f"{kind}-*.xml"):
        if other != current:
            other.unlink(missing_ok=True)  # (a reader still holding it open keeps its copy)
    for partial in current.parent.glob(".*.partial"):
        try:
            if now - partial.stat().st_mtime > _STALE_PARTIAL_SECONDS:
                partial.unlink(missing_ok=True)
        except FileNotFoundError:
            pass


def collection_exports_forget(collection_id: int) -> None:
    """Remove every cached export of a collection (it was deleted)."""
    directory = conf.export_cache_dir() / str(collection_id)
    if not directory.is_dir():
        return
    for child in directory.iterdir():
        child.unlink(missing_ok=True)
    try:
        directory.rmdir()
    except OSError:
        pass  # a build started meanwhile


__all__ = [
    "AUDIENCES",
    "Audience",
    "ExportBusy",
    "ExportFailed",
    "ExportFile",
    "cached_build",
    "collection_export_file",
    "collection_export_validated",
    "collection_exports_forget",
    "export_etag",
]
