"""The life of an import job outside the import itself: where its upload waits, how large an
upload may be, the heartbeat of the process running it, and reaping jobs whose worker died.

``archive.services.imports`` stores uploads and runs jobs with these helpers; the admin, the
``import_jobs_reap`` command and the task worker call :func:`import_jobs_reap`.

Why a heartbeat, and why on its own connection: each file is imported in ONE transaction
(``archive.services.imports.ead_import``), so nothing the import writes is visible to anyone
else until the file is done, and a write of the job row inside that transaction would hold
the row until then. :class:`ImportHeartbeat` runs a small thread instead; Django gives each
thread a connection of its own, in autocommit mode, so every heartbeat is one UPDATE committed
at once, whatever the import's transaction is doing. On PostgreSQL that UPDATE does not wait
for the import (the import only holds a key-share lock on the job row, through the
collection's foreign key). SQLite has one writer at a time, and the import holds the write
lock for the whole file: there the thread also touches a ``heartbeat`` file in the job's
upload folder, which the reaper reads too, so a long file on SQLite is not taken for a dead
one. The heartbeat says the process is alive, not that the import progresses.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType

from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.db.models import Q
from django.utils import timezone

from archive import conf
from archive.models import ImportJob

logger = logging.getLogger(__name__)

HEARTBEAT_FILE = "heartbeat"
FINISHED = (ImportJob.Status.SUCCEEDED, ImportJob.Status.FAILED, ImportJob.Status.PARTIAL)


# --------------------------------------------------------------------------- settings


def max_upload_bytes() -> int:
    return int(conf.max_upload_mb() * 1024 * 1024)


# --------------------------------------------------------------------------- uploads


def import_upload_dir() -> Path:
    """Where uploaded files wait for their job: ``FONDS_IMPORT_DIR``, else
    ``MEDIA_ROOT/imports``, else ``media/imports`` next to manage.py."""
    configured = conf.import_dir()
    if configured:
        return Path(configured)
    if settings.MEDIA_ROOT:
        return Path(settings.MEDIA_ROOT) / "imports"
    return Path(settings.BASE_DIR) / "media" / "imports"


def import_job_dir(job_id: int) -> Path:
    """The folder of one job's uploads, named by the job's number (never by a file name)."""
    return import_upload_dir() / str(int(job_id))


def upload_name_clean(name: object) -> str:
    """A file name safe to show and store: its last path part, printable characters only.

    Uploaded names are untrusted (``../../x.xml``, ``C:\\x.xml``) and are never used as paths:
    stored uploads are named by their position in the job (``0000.xml``).
    """
    text = str(name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(char for char in text if char.isprintable()).strip()
    if text in {"", ".", ".."}:
        return "upload.xml"
    if len(text) > 255:
        stem, ext = os.path.splitext(text)
        ext = ext[:16]
        text = stem[: 255 - len(ext)] + ext
    return text


def size_text(size: int) -> str:
    """Bytes as MB for messages: "312 MB", "1.5 MB"."""
    mb = size / (1024 * 1024)
    return f"{mb:.0f} MB" if mb >= 10 else f"{mb:.1f} MB"


def limit_text() -> str:
    return f"{conf.max_upload_mb():g} MB"


def upload_size_problem(*, name: str, size: int | None) -> str | None:
    """The message refusing an upload larger than ``FONDS_MAX_UPLOAD_MB``, or None."""
    if size is None or size <= max_upload_bytes():
        return None
    return (
        f"file {upload_name_clean(name)} is {size_text(size)}; the limit is {limit_text()} "
        "(FONDS_MAX_UPLOAD_MB). Larger files are imported on the server with "
        "manage.py import_ead."
    )


def import_job_files_remove(*, job_id: int) -> None:
    """Remove a job's stored uploads (once it ended: its row keeps names, counts, messages)."""
    shutil.rmtree(import_job_dir(job_id), ignore_errors=True)


# --------------------------------------------------------------------------- heartbeat


class ImportHeartbeat:
    """While open, write ``ImportJob.heartbeat`` every ``interval`` seconds from a thread.

    Each beat is one UPDATE committed on the thread's own connection (see the module
    docstring for why), and a touch of the job folder's ``heartbeat`` file. A beat that cannot
    be written (SQLite locked by the import) is skipped; the next one tries again.
    """

    def __init__(self, *, job_id: int, interval: float | None = None) -> None:
        self.job_id = job_id
        self.interval = conf.import_heartbeat_seconds() if interval is None else interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ImportHeartbeat:
        self.beat()
        self._thread = threading.Thread(
            target=self._run, name=f"import-heartbeat-{self.job_id}", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        try:
            if connection.vendor == "sqlite":
                # This thread's connection only: a beat that finds the import holding the
                # write lock gives up at once (the heartbeat file has been touched) instead of
                # waiting out the 20 s busy timeout and missing the beats in between.
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA busy_timeout = 50")
            while not self._stop.wait(self.interval):
                self.beat()
        finally:
            # This thread's connections only (Django keeps one per thread).
            connections.close_all()

    def beat(self) -> None:
        now = timezone.now()
        marker = import_job_dir(self.job_id) / HEARTBEAT_FILE
        try:
            marker.touch()
        except OSError:
            pass  # the folder is gone (the job ended): the database beat still counts
        try:
            ImportJob.objects.filter(pk=self.job_id).update(heartbeat=now)
        except DatabaseError as exc:
            logger.debug("import job %s: heartbeat not written (%s)", self.job_id, exc)


def _heartbeat_file_time(job_id: int) -> datetime | None:
    try:
        stamp = (import_job_dir(job_id) / HEARTBEAT_FILE).stat().st_mtime
    except OSError:
        return None
    return datetime.fromtimestamp(stamp, tz=timezone.get_current_timezone())


# --------------------------------------------------------------------------- reaping


@dataclass
class ReapResult:
    """What :func:`import_jobs_reap` did."""

    failed: list[int] = field(default_factory=list)  # jobs marked failed
    folders_removed: list[str] = field(default_factory=list)  # leftover upload folders


def _stale(cutoff: datetime) -> Q:
    """RUNNING jobs whose last sign of life (heartbeat, else start, else creation) is older
    than ``cutoff``."""
    return Q(status=ImportJob.Status.RUNNING) & (
        Q(heartbeat__lt=cutoff)
        | Q(heartbeat__isnull=True, started__lt=cutoff)
        | Q(heartbeat__isnull=True, started__isnull=True, created__lt=cutoff)
    )


def _clock(moment: datetime, now: datetime) -> str:
    local = timezone.localtime(moment)
    text = (
        f"{local:%H:%M}"
        if local.date() == timezone.localtime(now).date()
        else (f"{local:%Y-%m-%d %H:%M}")
    )
    return f"{text} {local.tzname()}"


def import_jobs_reap(*, now: datetime | None = None) -> ReapResult:
    """Mark failed the running jobs whose worker stopped, and remove uploads nobody needs.

    A RUNNING job with no sign of life (database heartbeat or heartbeat file) for
    ``FONDS_IMPORT_LEASE_SECONDS`` gets status FAILED and the error "the worker running this
    import stopped (no sign of life since HH:MM)"; its uploads are removed. Upload folders of
    jobs that ended, or whose job no longer exists (after the lease, so a job being created
    keeps its folder), are removed too. Cost: one indexed SELECT of running jobs, a listing of
    the upload folder, and one UPDATE per job reaped.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=conf.import_lease_seconds())
    result = ReapResult()
    for job in ImportJob.objects.filter(_stale(cutoff)).only(
        "pk", "heartbeat", "started", "created"
    ):
        seen = job.heartbeat or job.started or job.created
        on_disk = _heartbeat_file_time(job.pk)
        if on_disk is not None and on_disk > seen:
            seen = on_disk
        if seen >= cutoff:
            continue  # the heartbeat file is fresh: alive, its database beat is waiting
        message = (
            f"the worker running this import stopped (no sign of life since {_clock(seen, now)})"
        )
        # Conditional: a job that just beat, or finished, in the meantime is left alone.
        changed = ImportJob.objects.filter(_stale(cutoff), pk=job.pk).update(
            status=ImportJob.Status.FAILED, finished=now, errors=[message]
        )
        if changed:
            logger.warning("import job %s: %s", job.pk, message)
            import_job_files_remove(job_id=job.pk)
            result.failed.append(job.pk)
    result.folders_removed = _leftover_folders_remove(cutoff=cutoff)
    return result


def _leftover_folders_remove(*, cutoff: datetime) -> list[str]:
    root = import_upload_dir()
    try:
        folders = [path for path in root.iterdir() if path.is_dir() and path.name.isdigit()]
    except OSError:
        return []
    if not folders:
        return []
    statuses = dict(
        ImportJob.objects.filter(pk__in=[int(path.name) for path in folders]).values_list(
            "pk", "status"
        )
    )
    removed = []
    for path in folders:
        status = statuses.get(int(path.name))
        if status is None:
            try:
                modified = datetime.fromtimestamp(path.stat().st_mtime, tz=cutoff.tzinfo)
            except OSError:
                continue
            if modified >= cutoff:
                continue  # perhaps a job still being created in another transaction
        elif status not in FINISHED:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    return removed


def import_job_stop(*, job_id: int, message: str) -> None:
    """Mark a job that had not ended as FAILED with ``message`` (its run was interrupted)."""
    try:
        ImportJob.objects.filter(
            pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
        ).update(status=ImportJob.Status.FAILED, finished=timezone.now(), errors=[message])
    except DatabaseError:
        logger.exception("import job %s: could not record that it stopped", job_id)


__all__ = [
    "ImportHeartbeat",
    "ReapResult",
    "import_job_dir",
    "import_job_files_remove",
    "import_job_stop",
    "import_jobs_reap",
    "import_upload_dir",
    "limit_text",
    "max_upload_bytes",
    "upload_name_clean",
    "upload_size_problem",
]
