"""PDF finding aids on disk: built once per version of the finding aid, never served half-made.

A collection's PDF is kept beside its EAD exports (``FONDS_EXPORT_CACHE_DIR/<collection id>/``)
as ``pdf-<version>.pdf``, where the version digests the collection's content stamp
(``Collection.content_changed``, moved by every change a public surface could show; see
``archive.services.changes``), the code and templates that lay the PDF out, and the site
address the permanent URL is written with. Any edit, publishing or move gives a new version:
the next request finds no file for it and a new one is built; the older file is removed then.

A build writes to a temporary file and renames it into place (atomic on one file system),
holding the same kind of lock file as the export cache (``export_files.cached_build``), so two
requests never build the same PDF twice and nobody is handed a partial file. Small finding
aids (``FONDS_PDF_DIRECT_COMPONENTS``) are built inside the request; larger ones by the task
``archive.tasks.collection_pdf_job``, queued once per version (a ``.queued`` marker, given up
after :data:`QUEUED_STALE_SECONDS` if its worker died).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.http import Http404
from django.utils.text import slugify

from archive import conf
from archive.models import Collection, Component
from archive.pdf import finding_aid_html, finding_aid_read, finding_aid_stylesheet, html_to_pdf
from archive.services.export_files import cached_build

logger = logging.getLogger("archive.exports")

#: A queued build not finished after this long is queued again (its worker stopped).
QUEUED_STALE_SECONDS = 3600


class PdfFailed(Exception):
    """The PDF could not be written (logged with the collection and the reason)."""


@dataclass(frozen=True, slots=True)
class PdfFile:
    """A finished PDF on disk, with what an HTTP answer needs."""

    path: Path
    filename: str
    etag: str
    changed: datetime
    size: int


def _code_token() -> str:
    """A digest of the code and templates that decide a PDF's content."""
    global _CODE_TOKEN
    if _CODE_TOKEN is None:
        digest = hashlib.blake2b(digest_size=6)
        app = Path(__file__).resolve().parents[1]
        templates = app.parent / "templates" / "archive"
        files = [
            *sorted((app / "pdf").glob("*.py")),
            *sorted((templates / "pdf").glob("*")),
            templates / "includes" / "unit_summary.html",
            templates / "includes" / "unit_body.html",
        ]
        for path in files:
            if path.is_file():
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
        _CODE_TOKEN = digest.hexdigest()
    return _CODE_TOKEN


_CODE_TOKEN: str | None = None


def _fresh_stamp(collection: Collection) -> datetime:
    stamp = (
        Collection.objects.filter(pk=collection.pk)
        .values_list("content_changed", flat=True)
        .first()
    )
    if stamp is None:
        raise Http404("No such collection")
    collection.content_changed = stamp
    return stamp


def pdf_version(*, collection: Collection, base_url: str) -> str:
    """The version of the collection's PDF as its content stamp now makes it."""
    digest = hashlib.blake2b(digest_size=5)
    digest.update(base_url.encode())
    stamp = f"{int(collection.content_changed.timestamp() * 1_000_000):x}"
    return f"{stamp}-{_code_token()}-{digest.hexdigest()}"


def _paths(collection: Collection, base_url: str) -> tuple[Path, Path, Path]:
    directory = conf.export_cache_dir() / str(collection.pk)
    version = pdf_version(collection=collection, base_url=base_url)
    return (
        directory / f"pdf-{version}.pdf",
        directory / "pdf.lock",
        directory / f".pdf-{version}.queued",
    )


def _failed_marker(queued: Path) -> Path:
    return queued.with_suffix(".failed")


def pdf_filename(collection: Collection) -> str:
    """What a browser saves the PDF as: the EAD id made safe for a file name."""
    return f"{slugify(collection.ead_id) or 'finding-aid'}.pdf"


def _file(collection: Collection, path: Path) -> PdfFile:
    return PdfFile(
        path=path,
        filename=pdf_filename(collection),
        etag=f'"{path.stem}"',
        changed=collection.content_changed,
        size=path.stat().st_size,
    )


def collection_pdf_cached(*, collection: Collection, base_url: str) -> PdfFile | None:
    """The finished PDF of the collection's current version, or None (one query)."""
    _fresh_stamp(collection)
    path, _, _ = _paths(collection, base_url)
    return _file(collection, path) if path.is_file() else None


def collection_pdf_is_small(collection: Collection) -> bool:
    """Whether the PDF may be built inside a request (one count over the collection)."""
    limit = conf.pdf_direct_components()
    return Component.objects.filter(collection=collection)[: limit + 1].count() <= limit


def collection_pdf_build(*, collection: Collection, base_url: str) -> PdfFile:
    """The PDF of the collection's current version, built now when missing.

    Raises ``Http404`` when the collection is not public (any more), ``ExportBusy`` when
    another build holds the lock past ``FONDS_EXPORT_LOCK_TIMEOUT``, :class:`PdfFailed`
    (logged) when WeasyPrint fails.
    """
    _fresh_stamp(collection)
    path, lock, queued = _paths(collection, base_url)

    def build() -> None:
        aid = finding_aid_read(
            repository_code=collection.repository.code,
            ead_id=collection.ead_id,
            base_url=base_url,
        )
        _write(collection, aid_html=finding_aid_html(aid), path=path, base_url=base_url)

    try:
        if cached_build(path, lock=lock, build=build, kind="pdf"):
            _remove_older(path)
    finally:
        queued.unlink(missing_ok=True)
    return _file(collection, path)


def _write(collection: Collection, *, aid_html: str, path: Path, base_url: str) -> None:
    handle, partial_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".partial"
    )
    partial = Path(partial_name)
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                html_to_pdf(aid_html, out, base_url=base_url, stylesheet=finding_aid_stylesheet())
            except Exception as exc:  # WeasyPrint raises many kinds; the reader gets one
                logger.error(
                    "PDF of collection %s (id %s, repository %s) failed: %s: %s",
                    collection.ead_id,
                    collection.pk,
                    collection.repository.code,
                    type(exc).__name__,
                    exc,
                    exc_info=exc,
                )
                raise PdfFailed(f"{collection.ead_id}: the PDF could not be written") from exc
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _remove_older(current: Path) -> None:
    for other in [*current.parent.glob("pdf-*.pdf"), *current.parent.glob(".pdf-*.failed")]:
        if other != current:
            other.unlink(missing_ok=True)


def collection_pdf_queue(*, collection: Collection, base_url: str) -> bool:
    """Queue the background build of the collection's current PDF, once per version.

    Returns True when this call queued it. A marker file records the queued build; the task
    removes it when it ends, and a marker older than :data:`QUEUED_STALE_SECONDS` (a worker
    that died) is replaced.
    """
    from archive.tasks import collection_pdf_job  # (tasks import the services)

    _fresh_stamp(collection)
    path, _, queued = _paths(collection, base_url)
    if path.is_file():
        return False
    queued.parent.mkdir(parents=True, exist_ok=True)
    try:
        if time.time() - queued.stat().st_mtime < QUEUED_STALE_SECONDS:
            return False
        queued.unlink(missing_ok=True)
    except FileNotFoundError:
        pass
    try:
        os.close(os.open(queued, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False  # another request queued it just now
    try:
        collection_pdf_job.enqueue(collection.pk, base_url)
    except Exception:  # not queued after all: let the next request try again
        queued.unlink(missing_ok=True)
        raise
    return True


def collection_pdf_job_run(*, collection_id: int, base_url: str) -> str:
    """The background build (``archive.tasks.collection_pdf_job``): the file's name, or a
    message saying why there is none."""
    collection = Collection.objects.select_related("repository").filter(pk=collection_id).first()
    if collection is None:
        return "the collection no longer exists"
    try:
        return collection_pdf_build(collection=collection, base_url=base_url).path.name
    except Http404:
        return "the collection is not public"
    except PdfFailed as exc:
        # Recorded for this version, so the link's page says so instead of queuing it again.
        _, _, queued = _paths(collection, base_url)
        _failed_marker(queued).touch()
        return str(exc)


def collection_pdf_failed(*, collection: Collection, base_url: str) -> bool:
    """Whether the background build of the current version failed (it is not retried until
    the finding aid changes)."""
    _, _, queued = _paths(collection, base_url)
    return _failed_marker(queued).is_file()


__all__ = [
    "PdfFailed",
    "PdfFile",
    "collection_pdf_build",
    "collection_pdf_cached",
    "collection_pdf_failed",
    "collection_pdf_is_small",
    "collection_pdf_job_run",
    "collection_pdf_queue",
    "pdf_filename",
    "pdf_version",
]
