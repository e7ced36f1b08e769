"""Import EAD finding aids: one file (``ead_import``), several (``ead_import_many``), and the
import jobs the admin queues for the background task.

Every way in (``manage.py import_ead``, the admin's "Import EAD" page through the
``import_ead_job`` task, the benchmark) calls these functions, so they behave identically:

    file --archive.ead reader--> neutral records --archive.exchange.load--> database
                                                                           --> search index

Each file is imported in ONE transaction: the collection, its components and every related
row, the shared agents and subjects it creates, and its search index rows. A failure anywhere
(malformed XML at the last line, a duplicate EAD id, a database error) rolls the whole file
back; with several files, the others still import.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from archive import conf, tree
from archive.ead import records as r
from archive.ead.parsing import EADError, EADLimitError, EADSyntaxError, location
from archive.ead.reader import EADReader, read_ead
from archive.exchange.bulk import read_ahead
from archive.exchange.columns import (
    AGENCY_CODE_LENGTH,
    REPOSITORY_CODE_LENGTH,
    REPOSITORY_NAME_LENGTH,
    clip,
)
from archive.exchange.load import EADLoader, LoadError, LoadResult, collection_ead_id
from archive.exchange.load_types import LoadCounts
from archive.models import Collection, ImportJob, Repository
from archive.permissions import User
from archive.search import index as search_index
from archive.search.feed import LoadFeed
from archive.services import import_jobs
from archive.services.changes import collection_touch
from archive.services.collections import delete_collection
from archive.services.harvest import harvest_sync
from archive.services.import_jobs import import_upload_dir
from archive.services.repositories import repository_code_for, repository_named

logger = logging.getLogger(__name__)

# Read the file in a helper thread while the loader writes (``archive.exchange.bulk.read_ahead``).
# None: on PostgreSQL only. There the loader's writes wait for the server with the GIL
# released (and its COPY writer thread's queue fills up whenever the server falls behind),
# and the reader fills that time (``bench/import_ead.py --read-ahead on|off`` measures it).
# On SQLite it gains nothing and can lose: sqlite3 drops and retakes the GIL for every row.
# True/False force it.
READ_AHEAD: bool | None = None
# A file that names no repository at all is filed under this one (see repository_from_file).
UNIDENTIFIED_REPOSITORY = "unidentified"


def _reads_ahead() -> bool:
    """Whether this import reads the file in a helper thread (see ``READ_AHEAD``)."""
    if READ_AHEAD is None:
        return connection.vendor == "postgresql"
    return READ_AHEAD


# An import job keeps at most this many warning lines (a legacy file can produce thousands;
# the count is always exact).
MAX_JOB_WARNINGS = 2000

Source = str | Path | bytes | IO[bytes]


class EADImportError(Exception):
    """A file was refused; the message names the file (and line and column for bad XML)."""


def database_reason(exc: DatabaseError) -> str:
    """The database's own words for why it refused a statement, without the row data or
    the statement that PostgreSQL's full message goes on to quote."""
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    primary = getattr(diag, "message_primary", None)
    if primary:
        return str(primary)
    text = str(cause if cause is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def failure_message(filename: str, exc: BaseException) -> str:
    """A failure no rule of the import foresaw, in words, for the command and the job page;
    the traceback goes to the log (the caller logs it)."""
    if isinstance(exc, DatabaseError):
        return f"{filename}: the database refused the data: {database_reason(exc)}"
    if isinstance(exc, RecursionError):
        return f"{filename}: the file is nested too deeply to be read"
    if isinstance(exc, MemoryError):
        return f"{filename}: the server ran out of memory importing the file"
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else "no details"
    return (
        f"{filename}: the import stopped on an unexpected problem ({detail}); "
        "the server log has the details"
    )


@dataclass
class ImportResult(LoadCounts):
    """What happened to one file (with the load's row counts)."""

    filename: str
    ok: bool = False
    dry_run: bool = False
    error: str | None = None
    collection_id: int | None = None
    ead_id: str = ""
    repository_code: str = ""
    replaced: bool = False
    source_version: str = ""
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class ImportSummary:
    """What happened to a batch of files."""

    results: list[ImportResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def succeeded(self) -> list[ImportResult]:
        return [result for result in self.results if result.ok]

    @property
    def failed(self) -> list[ImportResult]:
        return [result for result in self.results if not result.ok]

    @property
    def collections(self) -> int:
        return len(self.succeeded)

    @property
    def components(self) -> int:
        return sum(result.components for result in self.succeeded)

    @property
    def warnings(self) -> int:
        return sum(len(result.warnings) for result in self.results)


# --------------------------------------------------------------------------- one file


def repository_resolve(repository: Repository | str | None) -> Repository | None:
    """A Repository from itself, its code, or None ("detect from the file")."""
    if repository is None or isinstance(repository, Repository):
        return repository
    code = repository.strip()
    if not code:
        return None
    found = Repository.objects.filter(code=code).first()
    if found is None:
        known = ", ".join(Repository.objects.order_by("code").values_list("code", flat=True))
        raise EADImportError(
            f"no repository with code {code!r}" + (f" (known: {known})" if known else "")
        )
    return found


def ead_import(
    *,
    source: Source,
    filename: str | None = None,
    repository: Repository | str | None = None,
    replace: bool = False,
    dry_run: bool = False,
    user: User | None = None,
    job: ImportJob | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import one EAD 2002 or EAD3 finding aid in one transaction.

    ``source`` is a path, bytes or a binary file object; ``filename`` names it in messages
    (defaults to the path). ``repository`` (a Repository or its code) overrides the one the
    file names; without it the repository is found or created from the file. ``replace``
    swaps an existing collection with the same EAD id in that repository for the new one,
    in the same transaction; otherwise such a file is refused. ``dry_run`` reads and loads
    everything, reports the counts, then rolls back. ``on_progress(components)`` is called
    after each batch of components.

    Raises :class:`EADImportError` when the file is refused (malformed XML, with file, line
    and column; duplicate EAD id; no such repository): the database is then unchanged.
    """
    if filename is None:
        filename = str(source) if isinstance(source, str | Path) else "<upload>"
    started = time.perf_counter()
    forced = repository_resolve(repository)
    reader = _reader(source, filename)
    try:
        target, loaded = _import_transaction(
            # With READ_AHEAD the reader runs in a helper thread, a few batches ahead of the
            # loader; its errors are raised here all the same, inside the transaction.
            read_ahead(reader) if _reads_ahead() else (record for record in reader),
            repository=forced,
            replace=replace,
            dry_run=dry_run,
            loader=EADLoader(
                filename=filename,
                job=job,
                user=user,
                on_progress=on_progress,
                feed=None if dry_run else LoadFeed,
            ),
        )
    except (EADError, LoadError, DatabaseError) as exc:
        raise refusal(filename, exc) from exc

    return _import_result(
        filename, loaded, target, dry_run=dry_run, warnings=reader.warnings, started=started
    )


def _import_result(
    filename: str,
    loaded: LoadResult,
    target: CollectionTarget | None,
    *,
    dry_run: bool,
    warnings: Iterable[object],
    started: float,
) -> ImportResult:
    """What one imported file became: the load's result, the policy's decisions and the
    warnings of the reader, the policy and the loader, in that order."""
    result = ImportResult(
        filename=filename,
        ok=True,
        dry_run=dry_run,
        collection_id=None if dry_run else loaded.collection_id,
        ead_id=loaded.ead_id,
        repository_code=loaded.repository_code,
        replaced=target.replaced if target else False,
        source_version=loaded.source_version,
        warnings=[str(w) for w in warnings] + (target.warnings if target else []),
        seconds=time.perf_counter() - started,
    )
    result.warnings += loaded.warnings
    result.counts_take(loaded)
    return result


def _reader(source: Source, filename: str) -> EADReader:
    """The reader of one file, with the import's limits."""
    return read_ead(
        str(source) if isinstance(source, Path) else source,
        filename=filename,
        # depth 1 in the reader is a <c01>, 2 in the tree (the collection is the root)
        max_depth=tree.MAX_DEPTH - 1,
        max_unit_bytes=conf.import_max_unit_bytes(),
    )


def _import_transaction(
    stream: Generator[r.Record],
    *,
    repository: Repository | None,
    replace: bool,
    dry_run: bool,
    loader: EADLoader,
) -> tuple[CollectionTarget | None, LoadResult]:
    """The one transaction of a file's import: the policy decided on its header, the load,
    the collection's change stamps, harvest record and search index rows (or a rollback
    for ``dry_run``). The caller turns the errors into a refusal."""
    with transaction.atomic(), search_index.paused(), closing(stream) as records:
        head = header_take(records)
        target = collection_target(
            head, repository=repository, replace=replace, filename=loader.filename
        )
        if target is not None:
            loader.repository, loader.ead_id = target.repository, target.ead_id
        loaded = loader.load(itertools.chain(head, records))
        collection_id = loaded.collection_id
        assert collection_id is not None  # (the loader raises when there is no collection)
        collection_touch([collection_id])
        harvest_sync(collection_id=collection_id)
        if dry_run:
            transaction.set_rollback(True)
        elif not loaded.indexed:
            # Same transaction: search sees the collection exactly when pages do. (The
            # loader wrote the index rows as it went, unless the file made that impossible.)
            search_index.reindex_collection(collection_id)
    return target, loaded


# --------------------------------------------------------------------------- policy


@dataclass
class CollectionTarget:
    """Where a file's collection goes, decided before any of its rows is written."""

    repository: Repository
    ead_id: str
    repository_created: bool = False
    replaced: bool = False  # a collection with the same EAD id was deleted for it
    warnings: list[str] = field(default_factory=list)


def header_take(records: Iterator[r.Record]) -> list[r.Record]:
    """The records up to and including the first unit (the header, then the collection's
    own description in a well-formed stream); the rest stay in ``records``."""
    head: list[r.Record] = []
    for record in records:
        head.append(record)
        if isinstance(record, r.Unit):
            break
    return head


def collection_target(
    head: list[r.Record],
    *,
    repository: Repository | None,
    replace: bool,
    filename: str,
) -> CollectionTarget | None:
    """The import policy for one file: its repository (``repository``, else the one the file
    names, found or created), its EAD id, and a collection already there with that id
    (deleted with ``replace``, else the file is refused).

    ``head`` is what :func:`header_take` read; None when it holds no header and collection
    description (the loader then refuses the stream, saying what is missing).

    Concurrent imports queue here, before anything is looked up: the lock is held to the
    commit, so what the previous import created (a repository both files name, the
    collection a second replace of the same file replaces) is committed and seen by the
    checks below, instead of two transactions creating the same row and the second failing
    on a unique index.
    """
    fa, unit = (head[0], head[-1]) if head else (None, None)
    if not isinstance(fa, r.FindingAid) or not isinstance(unit, r.Unit) or unit.depth != 0:
        return None
    if len(head) != 2:
        return None  # two headers: the loader says so
    tree.lock_root_allocation()
    if repository is not None:
        target = CollectionTarget(repository=repository, ead_id="")
    else:
        target = repository_from_file(fa, unit, filename=filename)
    target.ead_id, warnings = collection_ead_id(fa, filename)
    target.warnings.extend(warnings)
    existing = Collection.objects.filter(repository=target.repository, ead_id=target.ead_id)
    found = existing.first()
    if found is not None:
        if not replace:
            raise EADImportError(
                f"{filename}: a finding aid with EAD id {target.ead_id!r} already exists in "
                f"repository {target.repository.code!r}; use replace (--replace) to swap it"
            )
        delete_collection(found)
        target.replaced = True
    return target


def repository_from_file(fa: r.FindingAid, unit: r.Unit, *, filename: str) -> CollectionTarget:
    """Find the repository the file names, or create it (agency code first, then name).

    A file that names no repository at all goes to one called "Unidentified repository",
    with a warning: refusing it would make a folder import stop over a missing header
    field that an archivist can fix afterwards by moving the collection.
    """
    name = " ".join((unit.repository_name or fa.repository_name or "").split())
    agency = (fa.repository_code or fa.agency_code or "").strip()
    found = repository_named(name, agency, (fa.country_code or "").strip())
    if found is not None:
        return CollectionTarget(repository=found, ead_id="")
    code = repository_code_for(agency) or repository_code_for(name)
    if not code:
        repository, created = Repository.objects.get_or_create(
            code=UNIDENTIFIED_REPOSITORY, defaults={"name": "Unidentified repository"}
        )
        warning = (
            f"{filename}: the file names no repository (no <repository>, agency code or "
            f"maintenance agency); filed under {UNIDENTIFIED_REPOSITORY!r}"
        )
        return CollectionTarget(repository, "", repository_created=created, warnings=[warning])
    if Repository.objects.filter(code=code).exists():
        # Same slug, another institution (its agency code or name differs): keep apart.
        n = 2
        stem = code[: REPOSITORY_CODE_LENGTH - 4]
        while Repository.objects.filter(code=f"{stem}-{n}").exists():
            n += 1
        code = f"{stem}-{n}"
    country = (fa.country_code or "").strip()
    repository = Repository.objects.create(
        code=code,
        name=clip(name or agency, REPOSITORY_NAME_LENGTH),
        agency_code=clip(agency, AGENCY_CODE_LENGTH),
        country_code=country.upper() if len(country) == 2 else "",
    )
    warning = f"{filename}: created repository {code!r} ({repository.name}) from the file"
    return CollectionTarget(repository, "", repository_created=True, warnings=[warning])


def refusal(filename: str, exc: EADError | LoadError | DatabaseError) -> EADImportError:
    """Why a file was refused, in words naming the file (and line and column for bad XML)."""
    if isinstance(exc, EADSyntaxError):
        where = location(filename, exc.line, exc.column)
        return EADImportError(f"{where}: not well-formed XML: {exc.reason}")
    if isinstance(exc, EADLimitError):
        return EADImportError(f"{location(filename, exc.line)}: {exc.reason}")
    if isinstance(exc, DatabaseError):
        # The operator gets the traceback in the log; the archivist gets the reason.
        logger.error("importing %s: the database refused the data", filename, exc_info=exc)
        return EADImportError(failure_message(filename, exc))
    message = str(exc)
    return EADImportError(message if message.startswith(filename) else f"{filename}: {message}")


# --------------------------------------------------------------------------- many files


def ead_paths_collect(*, paths: Iterable[str | Path]) -> list[Path]:
    """The EAD files named by ``paths``: files as given, folders searched for ``*.xml``.

    Raises :class:`EADImportError` for a path that does not exist.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".xml")
            )
        elif path.is_file():
            files.append(path)
        else:
            raise EADImportError(f"{path}: no such file or folder")
    return files


def ead_import_many(
    *,
    sources: Sequence[tuple[Source, str]],
    repository: Repository | str | None = None,
    replace: bool = False,
    dry_run: bool = False,
    user: User | None = None,
    job: ImportJob | None = None,
    on_file_start: Callable[[int, str], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    on_file_done: Callable[[ImportResult], None] | None = None,
) -> ImportSummary:
    """Import each ``(source, filename)`` in its own transaction; a failure stops only its file.

    ``job``, when given, is updated as the import runs (status, files, counts, warnings,
    errors, start, end, seconds). Callbacks: ``on_file_start(index, filename)``,
    ``on_progress(components of this file so far)``, ``on_file_done(result)``.
    """
    target = repository_resolve(repository)
    summary = ImportSummary()
    started = time.perf_counter()
    if job is not None:
        job.status = ImportJob.Status.RUNNING
        job.started = timezone.now()
        job.files = [name for _, name in sources]
        job.save(update_fields=["status", "started", "files"])
    for index, (source, filename) in enumerate(sources):
        if on_file_start is not None:
            on_file_start(index, filename)
        try:
            result = ead_import(
                source=source,
                filename=filename,
                repository=target,
                replace=replace,
                dry_run=dry_run,
                user=user,
                job=job,
                on_progress=on_progress,
            )
        except EADImportError as exc:
            result = ImportResult(filename=filename, error=str(exc))
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
            logger.exception("importing %s failed", filename)
            result = ImportResult(filename=filename, error=failure_message(filename, exc))
        summary.results.append(result)
        if on_file_done is not None:
            on_file_done(result)
    summary.seconds = time.perf_counter() - started
    if job is not None:
        import_job_record(job=job, summary=summary)
    return summary


def import_job_record(*, job: ImportJob, summary: ImportSummary) -> None:
    """Write a finished batch's outcome on its job."""
    warnings = [w for result in summary.results for w in result.warnings]
    if len(warnings) > MAX_JOB_WARNINGS:
        dropped = len(warnings) - MAX_JOB_WARNINGS
        warnings = warnings[:MAX_JOB_WARNINGS] + [f"... and {dropped} more warnings"]
    job.collections = summary.collections
    job.components = summary.components
    job.warnings = warnings
    job.errors = [result.error for result in summary.failed if result.error]
    job.seconds = round(summary.seconds, 3)
    job.finished = timezone.now()
    if not summary.failed:
        job.status = ImportJob.Status.SUCCEEDED
    elif summary.succeeded:
        job.status = ImportJob.Status.PARTIAL
    else:
        job.status = ImportJob.Status.FAILED
    # Only what this function decides: the heartbeat was written meanwhile by another thread.
    job.save(
        update_fields=[
            "collections",
            "components",
            "warnings",
            "errors",
            "seconds",
            "finished",
            "status",
        ]
    )


# --------------------------------------------------------------------------- jobs (admin)
# Upload folders, heartbeat and reaping live in archive.services.import_jobs.


def import_job_submit(
    *,
    uploads: Sequence[UploadedFile[Any]],
    repository: Repository | None = None,
    replace: bool = False,
    user: User | None = None,
    enqueue: Callable[[int], object] | None = None,
) -> ImportJob:
    """Store uploaded files, record a queued job, and have ``enqueue(job id)`` called.

    Each upload must be at most ``FONDS_MAX_UPLOAD_MB``; its name is kept for display only
    (its last path part: ``../../x.xml`` is recorded as ``x.xml``) and it is stored as
    ``<job>/<number>.xml`` under :func:`import_upload_dir`, never under a name it brought.

    ``enqueue`` (the admin passes the ``import_ead_job`` task's ``enqueue``; None: the caller
    runs :func:`import_job_run` itself) is called when the current transaction commits, so
    a worker never looks for a job row it cannot see yet. With the immediate backend the
    import has run by the time this returns (outside a transaction); with the database
    backend a worker runs it.

    Raises :class:`EADImportError` for no files or a file over the limit (nothing is stored).
    """
    if not uploads:
        raise EADImportError("choose at least one EAD file to import")
    names = [import_jobs.upload_name_clean(upload.name) for upload in uploads]
    for upload, name in zip(uploads, names, strict=True):
        problem = import_jobs.upload_size_problem(name=name, size=upload.size)
        if problem:
            raise EADImportError(problem)
    job = ImportJob.objects.create(
        repository=repository,
        replace=replace,
        files=names,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    folder = import_jobs.import_job_dir(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    for number, upload in enumerate(uploads):
        with open(folder / f"{number:04d}.xml", "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)

    if enqueue is not None:
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


def import_job_run(*, job_id: int) -> dict[str, Any]:
    """Run a queued job (the task's body); returns a short summary for the task result.

    While it runs, :class:`~archive.services.import_jobs.ImportHeartbeat` records a sign of
    life every few seconds, so a job whose worker dies is found by ``import_jobs_reap``.
    However the run ends (success, failure, an unexpected error, the worker being stopped),
    the job gets a final status and its uploaded files are removed.
    """
    job = ImportJob.objects.select_related("repository", "created_by").get(pk=job_id)
    folder = import_jobs.import_job_dir(job.pk)
    names = list(job.files)
    sources: list[tuple[Source, str]] = [
        (str(folder / f"{number:04d}.xml"), name) for number, name in enumerate(names)
    ]
    try:
        missing = [name for (path, name) in sources if not Path(str(path)).is_file()]
        if missing:
            job.status = ImportJob.Status.FAILED
            job.errors = [
                f"{name}: the uploaded file is no longer on the server" for name in missing
            ]
            job.finished = timezone.now()
            job.save(update_fields=["status", "errors", "finished"])
            return {"status": job.status, "collections": 0, "components": 0}
        with import_jobs.ImportHeartbeat(job_id=job.pk):
            summary = ead_import_many(
                sources=sources,
                repository=job.repository,
                replace=job.replace,
                user=job.created_by,
                job=job,
            )
    except Exception:
        logger.exception("import job %s stopped on an unexpected error", job.pk)
        import_jobs.import_job_stop(
            job_id=job.pk,
            message="the import stopped on an unexpected server error; the server log has "
            "the details",
        )
        raise
    except BaseException:
        import_jobs.import_job_stop(
            job_id=job.pk, message="the worker running this import was stopped"
        )
        raise
    finally:
        # The job row keeps the names, counts and messages; the files have done their work.
        import_jobs.import_job_files_remove(job_id=job.pk)
    return {
        "status": job.status,
        "collections": summary.collections,
        "components": summary.components,
    }


__all__ = [
    "EADImportError",
    "ImportResult",
    "ImportSummary",
    "ead_import",
    "ead_import_many",
    "ead_paths_collect",
    "failure_message",
    "import_job_record",
    "import_job_run",
    "import_job_submit",
    "import_upload_dir",
    "repository_resolve",
]
