"""EAD import jobs: upload files, poll the job, read its warnings and errors.

The upload is checked by the admin's own import form (the repositories the caller may import
into, the size limit) and handed to the same service as the admin page
(``archive.services.imports.import_job_submit``), which queues the same task; which jobs a
caller may read is the admin job list's rule (its ``get_queryset``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from archive.admin.imports import ImportEADForm, can_import
from archive.api.auth import caller
from archive.api.errors import ApiError, Error
from archive.api.paging import RecordId
from archive.models import ImportJob, Repository
from archive.services import imports
from archive.tasks import import_ead_job

router = Router(tags=["imports"])
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}


class Job(Schema):
    id: int
    status: str
    repository: str | None
    replace: bool
    files: list[str]
    collections: int
    components: int
    warnings: list[str]
    errors: list[str]
    seconds: float | None
    created: str
    finished: str | None


def _job(job: ImportJob) -> dict:
    return {
        "id": job.pk,
        "status": job.status,
        "repository": job.repository.code if job.repository is not None else None,
        "replace": job.replace,
        "files": [str(name) for name in job.files],
        "collections": job.collections,
        "components": job.components,
        "warnings": [str(w) for w in job.warnings],
        "errors": [str(e) for e in job.errors],
        "seconds": job.seconds,
        "created": job.created.isoformat(),
        "finished": job.finished.isoformat() if job.finished else None,
    }


def _staff(request: HttpRequest) -> None:
    user = caller(request)
    if not user.is_authenticated:
        raise ApiError(401, "unauthorised", "Imports need an API token.")
    if not can_import(user):
        raise ApiError(403, "forbidden", "You may not import into any repository.")


@router.post("/imports", response={202: Job, **ERRORS})
def import_submit(
    request: HttpRequest,
    files: File[list[UploadedFile]],
    repository: Form[str] = "",
    replace: Form[bool] = False,
) -> Status[dict[str, Any]]:
    """Queue an import of one or more EAD 2002 or EAD3 files into ``repository`` (its code;
    superusers may leave it empty to use the one each file names). Answers 202 with the job;
    poll ``/api/imports/{id}`` until ``status`` is succeeded, partial or failed."""
    _staff(request)
    user = caller(request)
    chosen = Repository.objects.filter(code=repository).first() if repository else None
    if repository and chosen is None:
        raise ApiError(422, "invalid", f"repository: no repository has the code {repository!r}.")
    form = ImportEADForm(
        {"repository": chosen.pk if chosen else "", "replace": replace},
        MultiValueDict({"files": list(files)}),
        user=user,
    )
    if not form.is_valid():
        raise ApiError(
            422,
            "invalid",
            "; ".join(f"{name}: {' '.join(map(str, msgs))}" for name, msgs in form.errors.items()),
        )
    try:
        job = imports.import_job_submit(
            uploads=form.cleaned_data["files"],
            repository=form.cleaned_data["repository"],
            replace=form.cleaned_data["replace"],
            user=user,
            enqueue=import_ead_job.enqueue,
        )
    except imports.EADImportError as exc:
        raise ApiError(422, "invalid", str(exc)) from exc
    job.refresh_from_db()
    return Status(202, _job(job))


@router.get("/imports/{job_id}", response={200: Job, **ERRORS})
def import_detail(request: HttpRequest, job_id: RecordId) -> dict[str, Any]:
    """One import job: its status, counts, and the warnings and errors naming file and line."""
    _staff(request)
    jobs = admin.site._registry[ImportJob].get_queryset(request)
    job = jobs.select_related("repository").filter(pk=job_id).first()
    if job is None:
        raise ApiError(404, "not_found", "No such import job.")
    return _job(job)
