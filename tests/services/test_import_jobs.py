"""Import jobs never die silently: heartbeat, reaping of jobs whose worker stopped, uploads
removed once a job ends, and the checks that keep imports out of web requests."""

from __future__ import annotations

import io
import json
import os
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.tasks.backends.immediate import ImmediateBackend
from django.tasks.signals import task_started
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from archive import checks
from archive.models import ImportJob
from archive.services import import_jobs, imports

pytestmark = pytest.mark.django_db

EAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><ead xmlns="urn:isbn:1-931666-22-9">'
    b'<eadheader><eadid mainagencycode="US-XX-T">job-1</eadid><filedesc><titlestmt>'
    b"<titleproper>Job papers</titleproper></titlestmt></filedesc></eadheader>"
    b'<archdesc level="collection"><did><unittitle>Job papers</unittitle>'
    b"<unitid>J 1</unitid></did></archdesc></ead>"
)
LONG_AGO = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


@pytest.fixture
def upload_dir(tmp_path: Path, settings) -> Path:  # noqa: ANN001 - pytest-django fixture
    settings.FONDS_IMPORT_DIR = str(tmp_path / "uploads")
    settings.FONDS_IMPORT_LEASE_SECONDS = 300
    return tmp_path / "uploads"


def running_job(*, heartbeat: datetime | None, started: datetime | None = None) -> ImportJob:
    """A RUNNING job as a worker leaves it, with its upload and heartbeat file on disk."""
    job = ImportJob.objects.create(files=["a.xml"], status=ImportJob.Status.RUNNING)
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat=heartbeat, started=started or heartbeat, created=started or heartbeat
    )
    folder = import_jobs.import_job_dir(job.pk)
    folder.mkdir(parents=True)
    (folder / "0000.xml").write_bytes(EAD)
    marker = folder / import_jobs.HEARTBEAT_FILE
    marker.touch()
    stamp = (heartbeat or started or LONG_AGO).timestamp()
    os.utime(marker, (stamp, stamp))
    job.refresh_from_db()
    return job


# ------------------------------------------------------------------ reaping


def test_a_running_job_silent_past_the_lease_is_failed_and_its_upload_removed(
    upload_dir: Path,
) -> None:
    job = running_job(heartbeat=LONG_AGO)
    out = io.StringIO()

    call_command("import_jobs_reap", stdout=out)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors == [
        "the worker running this import stopped (no sign of life since 2026-01-02 03:04 UTC)"
    ]
    assert job.finished is not None
    assert not import_jobs.import_job_dir(job.pk).exists()
    assert f"Import job {job.pk}: its worker stopped; marked failed." in out.getvalue()


def test_the_message_gives_the_time_alone_on_the_same_day(upload_dir: Path) -> None:
    job = running_job(heartbeat=LONG_AGO)
    result = import_jobs.import_jobs_reap(now=LONG_AGO + timedelta(minutes=6))

    job.refresh_from_db()
    assert result.failed == [job.pk]
    assert job.errors == [
        "the worker running this import stopped (no sign of life since 03:04 UTC)"
    ]


def test_a_live_job_is_left_alone(upload_dir: Path) -> None:
    job = running_job(heartbeat=timezone.now() - timedelta(seconds=30))

    call_command("import_jobs_reap", stdout=io.StringIO())

    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING and job.errors == []
    assert (import_jobs.import_job_dir(job.pk) / "0000.xml").is_file()


def test_a_job_just_within_the_lease_is_left_alone(upload_dir: Path) -> None:
    job = running_job(heartbeat=LONG_AGO)
    result = import_jobs.import_jobs_reap(now=LONG_AGO + timedelta(seconds=299))

    job.refresh_from_db()
    assert result.failed == [] and job.status == ImportJob.Status.RUNNING


def test_a_fresh_heartbeat_file_keeps_a_job_alive_when_its_database_beat_is_late(
    upload_dir: Path,
) -> None:
    # On SQLite the import holds the only write lock for a whole file: the database beat
    # waits, the heartbeat file does not.
    job = running_job(heartbeat=LONG_AGO)
    (import_jobs.import_job_dir(job.pk) / import_jobs.HEARTBEAT_FILE).touch()

    call_command("import_jobs_reap", stdout=io.StringIO())

    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING


def test_a_job_that_never_beat_counts_from_its_start(upload_dir: Path) -> None:
    job = running_job(heartbeat=None, started=LONG_AGO)

    call_command("import_jobs_reap", stdout=io.StringIO())

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "no sign of life since 2026-01-02 03:04 UTC" in job.errors[0]


def test_queued_and_finished_jobs_are_not_reaped(upload_dir: Path) -> None:
    queued = ImportJob.objects.create(files=["q.xml"])
    done = ImportJob.objects.create(files=["d.xml"], status=ImportJob.Status.SUCCEEDED)
    ImportJob.objects.update(created=LONG_AGO, started=LONG_AGO)

    assert import_jobs.import_jobs_reap().failed == []
    assert ImportJob.objects.get(pk=queued.pk).status == ImportJob.Status.QUEUED
    assert ImportJob.objects.get(pk=done.pk).status == ImportJob.Status.SUCCEEDED


def test_viewing_the_job_list_reaps_and_the_job_page_shows_why(
    admin_client, upload_dir: Path
) -> None:
    job = running_job(heartbeat=LONG_AGO)

    listing = admin_client.get(reverse("admin:archive_importjob_changelist"))
    assert listing.status_code == 200
    detail = admin_client.get(reverse("admin:archive_importjob_change", args=[job.pk]))

    text = detail.content.decode()
    assert "Failed" in text
    assert "the worker running this import stopped (no sign of life since" in text
    assert not import_jobs.import_job_dir(job.pk).exists()


def test_a_task_worker_starting_a_task_reaps_first(upload_dir: Path) -> None:
    job = running_job(heartbeat=LONG_AGO)
    started = SimpleNamespace(
        id="t1", task=SimpleNamespace(module_path="archive.tasks.import_ead_job"), status="RUNNING"
    )

    # With the immediate backend the task runs inside a request: nothing to reap there.
    task_started.send(sender=ImmediateBackend, task_result=started)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING

    # django-tasks-db's db_worker sends the backend itself.
    task_started.send(sender=DatabaseBackend("default", {}), task_result=started)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED


def test_leftover_upload_folders_of_ended_or_vanished_jobs_are_removed(upload_dir: Path) -> None:
    queued = ImportJob.objects.create(files=["q.xml"])
    failed = ImportJob.objects.create(files=["f.xml"], status=ImportJob.Status.FAILED)
    for job in (queued, failed):
        import_jobs.import_job_dir(job.pk).mkdir(parents=True)
    vanished_old = upload_dir / "999001"
    vanished_new = upload_dir / "999002"
    vanished_old.mkdir()
    vanished_new.mkdir()
    stamp = LONG_AGO.timestamp()
    os.utime(vanished_old, (stamp, stamp))

    result = import_jobs.import_jobs_reap()

    assert sorted(result.folders_removed) == sorted([str(failed.pk), "999001"])
    assert import_jobs.import_job_dir(queued.pk).is_dir()  # its worker has yet to run it
    assert vanished_new.is_dir()  # perhaps a job still being created


# ------------------------------------------------------------------ the run itself


def submit(name: str, content: bytes) -> ImportJob:
    return imports.import_job_submit(uploads=[SimpleUploadedFile(name, content, "text/xml")])


def test_a_finished_job_leaves_no_upload_behind_whether_it_succeeded_or_failed(
    upload_dir: Path,
) -> None:
    good = submit("good.xml", EAD)
    bad = submit("bad.xml", b"<ead><eadheader></ead>")

    imports.import_job_run(job_id=good.pk)
    imports.import_job_run(job_id=bad.pk)

    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == ImportJob.Status.SUCCEEDED, good.errors
    assert bad.status == ImportJob.Status.FAILED
    assert good.heartbeat is not None
    assert not any(upload_dir.rglob("*.xml"))


def test_an_unexpected_error_fails_the_job_with_a_plain_message_and_removes_the_upload(
    upload_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = submit("a.xml", EAD)

    def explode(**kwargs: object) -> None:
        raise RuntimeError("connection to server lost")

    monkeypatch.setattr(imports, "ead_import_many", explode)
    with pytest.raises(RuntimeError):
        imports.import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors == [
        "the import stopped on an unexpected server error; the server log has the details"
    ]
    assert not import_jobs.import_job_dir(job.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_is_committed_from_its_own_thread_while_the_import_runs(
    upload_dir: Path,
) -> None:
    job = ImportJob.objects.create(files=["a.xml"], status=ImportJob.Status.RUNNING)
    import_jobs.import_job_dir(job.pk).mkdir(parents=True)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat=LONG_AGO)

    with import_jobs.ImportHeartbeat(job_id=job.pk, interval=0.01) as beating:
        first = ImportJob.objects.get(pk=job.pk).heartbeat
        # Wait (without a time limit on the outcome) for a beat from the thread.
        seen = first
        for _ in range(1000):
            seen = ImportJob.objects.get(pk=job.pk).heartbeat
            if seen != first:
                break
            time.sleep(0.01)
        threads = [t.name for t in threading.enumerate()]

    assert first > LONG_AGO  # the beat on entering
    assert seen > first  # a later beat, written and committed by the thread
    assert f"import-heartbeat-{job.pk}" in threads
    assert beating._thread is not None and not beating._thread.is_alive()
    assert (import_jobs.import_job_dir(job.pk) / import_jobs.HEARTBEAT_FILE).is_file()


# ------------------------------------------------------------------ checks


def test_check_warns_when_tasks_run_inside_requests_with_debug_off() -> None:
    immediate = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    database = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    with override_settings(DEBUG=False, TASKS=immediate):
        warnings = checks.tasks_outside_requests_check()
    assert [w.id for w in warnings] == ["fonds.W001"]
    assert "db_worker" in warnings[0].hint

    with override_settings(DEBUG=True, TASKS=immediate):
        assert checks.tasks_outside_requests_check() == []
    with override_settings(DEBUG=False, TASKS=database):
        assert checks.tasks_outside_requests_check() == []


def test_check_warns_when_the_lease_is_too_short_for_the_heartbeat() -> None:
    with override_settings(FONDS_IMPORT_HEARTBEAT_SECONDS=10, FONDS_IMPORT_LEASE_SECONDS=20):
        assert [w.id for w in checks.import_lease_check()] == ["fonds.W002"]
    with override_settings(FONDS_IMPORT_HEARTBEAT_SECONDS=10, FONDS_IMPORT_LEASE_SECONDS=300):
        assert checks.import_lease_check() == []


# ------------------------------------------------------------------ settings from the environment


def test_upload_and_lease_settings_come_from_the_environment_with_defaults() -> None:
    from tests.test_settings_env import run_settings

    code = (
        "import json; from archive import conf; "
        "print(json.dumps([conf.max_upload_mb(), conf.import_heartbeat_seconds(), "
        "conf.import_lease_seconds()]))"
    )
    defaults = run_settings(code, DJANGO_SECRET_KEY="k")
    assert defaults.returncode == 0, defaults.stderr
    assert json.loads(defaults.stdout) == [200, 10, 300]
    given = run_settings(
        code,
        DJANGO_SECRET_KEY="k",
        FONDS_MAX_UPLOAD_MB="50",
        FONDS_IMPORT_HEARTBEAT_SECONDS="5",
        FONDS_IMPORT_LEASE_SECONDS="120",
    )
    assert given.returncode == 0, given.stderr
    assert json.loads(given.stdout) == [50, 5, 120]
    wrong = run_settings(code, DJANGO_SECRET_KEY="k", FONDS_MAX_UPLOAD_MB="lots")
    assert wrong.returncode != 0
    assert "FONDS_MAX_UPLOAD_MB is 'lots'; give a positive number." in wrong.stderr
