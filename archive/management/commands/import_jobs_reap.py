"""``manage.py import_jobs_reap``: fail import jobs whose worker died; remove stale uploads.

Meant for cron (every few minutes) beside ``manage.py db_worker``; the admin's job list and
a worker starting a task do the same check.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from archive.services import import_jobs


class Command(BaseCommand):
    help = (
        "Mark failed the running import jobs with no sign of life for "
        "FONDS_IMPORT_LEASE_SECONDS (their worker stopped) and remove their uploads, and the "
        "leftover uploads of jobs that ended."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = import_jobs.import_jobs_reap()
        for job_id in result.failed:
            self.stdout.write(f"Import job {job_id}: its worker stopped; marked failed.")
        if result.folders_removed:
            self.stdout.write(
                f"Removed {len(result.folders_removed)} leftover upload folder(s) of ended jobs."
            )
        if not result.failed and not result.folders_removed and options["verbosity"] >= 2:
            self.stdout.write("No stopped import jobs.")
