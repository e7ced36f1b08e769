"""Background tasks (Django's tasks framework).

The backend comes from ``settings.TASKS``: ``django-tasks-db`` with a ``manage.py db_worker``
process in production (the default with DEBUG off), the immediate backend (run at once, in
the caller) in development and tests. Task bodies only call services, so a task behaves like
the command that does the same.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError
from django.tasks import task
from django.tasks.backends.immediate import ImmediateBackend

from archive.services import import_jobs, imports

logger = logging.getLogger(__name__)


@task()
def import_ead_job(job_id: int) -> dict[str, Any]:
    """Run the EAD import recorded as ``ImportJob`` ``job_id`` (queued by the admin)."""
    return imports.import_job_run(job_id=job_id)


def import_jobs_reap_on_task_start(sender: Any, **kwargs: Any) -> None:
    """``task_started`` receiver: a worker about to run a task first fails the import jobs
    whose worker died (one indexed SELECT when there are none).

    Skipped for the immediate backend, whose tasks run inside the request that queued them;
    there the job list does it when viewed.
    """
    # Backends send their class; django-tasks-db's db_worker sends the backend itself.
    backend = sender if isinstance(sender, type) else type(sender)
    if issubclass(backend, ImmediateBackend):
        return
    try:
        import_jobs.import_jobs_reap()
    except DatabaseError:
        logger.warning("could not check import jobs for stopped workers", exc_info=True)


@task()
def collection_pdf_job(collection_id: int, base_url: str) -> str:
    """Build the PDF finding aid of collection ``collection_id`` (queued by its download link)."""
    from archive.services import pdfs

    return pdfs.collection_pdf_job_run(collection_id=collection_id, base_url=base_url)
