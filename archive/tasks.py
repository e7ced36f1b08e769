"""Background tasks (Django's tasks framework).

The backend comes from ``settings.TASKS``: ``django-tasks-db`` with a ``manage.py db_worker``
process in production, the immediate backend (run at once, in the caller) in development and
tests. Task bodies only call services, so a task behaves like the command that does the same.
"""

from __future__ import annotations

from typing import Any

from django.tasks import task

from archive.services import imports


@task()
def import_ead_job(job_id: int) -> dict[str, Any]:
    """Run the EAD import recorded as ``ImportJob`` ``job_id`` (queued by the admin)."""
    return imports.import_job_run(job_id=job_id)
