"""The "Import EAD" admin page and the read-only list of import jobs.

The page stores the uploaded files, records an :class:`~archive.models.ImportJob` and queues
the ``import_ead_job`` task (``archive.services.imports.import_job_submit``); the task runs
the same service as ``manage.py import_ead``. The job list shows staff what each import did:
status, files, counts, warnings, errors, duration and who ran it.

Uploads: each file may be at most ``FONDS_MAX_UPLOAD_MB``. :class:`UploadLimitHandler` counts
a file's bytes as they arrive and stops storing it past the limit, so an oversized upload
never fills the disk; the form then refuses it with a message naming file, size and limit.
Viewing the job list or a job first reaps jobs whose worker died
(``archive.services.import_jobs.import_jobs_reap``).

Who may import: superusers into any repository or into the one each file names ("detect from
file", which may create a repository); archivists and managers into their own repositories.
"""

from __future__ import annotations

import io
import logging
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db import DatabaseError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.csrf import csrf_exempt

from archive import permissions
from archive.models import ImportJob, Repository
from archive.services import import_jobs, imports
from archive.tasks import import_ead_job

logger = logging.getLogger(__name__)


class UploadLimitHandler(FileUploadHandler):
    """Stops storing an uploaded file once it passes ``FONDS_MAX_UPLOAD_MB``.

    Placed before Django's own handlers: chunks within the limit are passed on to them (a
    file over 2.5 MB streams to a temporary file on disk), chunks past it are dropped, and
    the form receives an empty placeholder that carries the real size, which it refuses.
    """

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = import_jobs.max_upload_bytes()
        self.received = 0
        self.over = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.over = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.over = True
        return None if self.over else raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.over:
            return None  # Django's handlers hold the file
        return UploadedFile(
            file=io.BytesIO(),
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field whose cleaned value is the list of every file chosen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".xml,text/xml"}))
        # An empty file goes to the importer, which refuses it naming the file ("x.xml: the
        # file is empty"); Django's own "The submitted file is empty." names none.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data]
        files = [super(MultipleFileField, self).clean(item, initial) for item in items]
        problems = [
            problem
            for upload in files
            if upload is not None
            and (problem := import_jobs.upload_size_problem(name=upload.name, size=upload.size))
        ]
        if problems:
            raise ValidationError(problems)
        return files


class ImportEADForm(forms.Form):
    # A declared field: Django's form metaclass takes it off the class, so it does not replace
    # ``BaseForm.files`` (the uploaded files), which the stubs cannot know.
    files = MultipleFileField(  # type: ignore[assignment]
        label="EAD files", help_text="One or more EAD 2002 or EAD3 XML files."
    )
    repository = forms.ModelChoiceField(
        queryset=Repository.objects.none(),
        required=False,
        empty_label="Detect from file",
        help_text="The repository to import into; by default the one each file names "
        "(found by agency code or name, or created).",
    )
    replace = forms.BooleanField(
        required=False,
        label="Replace existing finding aids",
        help_text="Swap a collection with the same EAD identifier in the repository for the "
        "imported one. Without it such files are refused.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields[
            "files"
        ].help_text = (
            f"One or more EAD 2002 or EAD3 XML files, each at most {import_jobs.limit_text()}."
        )
        field = cast(forms.ModelChoiceField[Repository], self.fields["repository"])
        if user.is_superuser:
            field.queryset = Repository.objects.order_by("name")
        else:
            # Staff import only into repositories where they may edit, and must pick one.
            field.queryset = Repository.objects.filter(
                pk__in=permissions.repository_ids(user, roles=permissions.EDIT_ROLES)
            ).order_by("name")
            field.required = True
            field.empty_label = None


def upload_page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    template: str,
    title: str,
    form: forms.Form,
    **extra: Any,
) -> TemplateResponse:
    """An upload page in the admin's frame, under ``model_admin``'s breadcrumbs (Import EAD,
    Import EAC-CPF: ``template`` extends ``admin/archive/upload.html``)."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "opts": model_admin.model._meta,
        "has_view_permission": True,
        **extra,
    }
    return TemplateResponse(request, template, context)


def can_import(user: Any) -> bool:
    return bool(
        user.is_active
        and user.is_staff
        and (user.is_superuser or permissions.repository_ids(user, roles=permissions.EDIT_ROLES))
    )


#: An import job's page shows these, all read-only: a job is changed only by running it.
JOB_FIELDS: tuple[str, ...] = (
    "status",
    "repository",
    "replace",
    "file_list",
    "collections",
    "components",
    "duration",
    "created_by",
    "created",
    "started",
    "heartbeat",
    "finished",
    "error_list",
    "warning_list",
)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Import jobs, read-only: they are written by the importer, never edited by hand."""

    list_display = [
        "__str__",
        "status",
        "file_names",
        "repository",
        "collections",
        "components",
        "warning_count",
        "error_count",
        "duration",
        "created_by",
        "created",
    ]
    list_filter = ["status", "repository"]
    date_hierarchy = "created"
    list_select_related = ["repository", "created_by"]
    fields = JOB_FIELDS
    readonly_fields = JOB_FIELDS

    class Media:
        # The file, error and warning lists; a stylesheet, not style attributes, which the
        # Content-Security-Policy refuses.
        css = {"all": ["archive/admin_import.css"]}

    # --- access: staff see the jobs of their repositories and their own ------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportJob]:
        qs = super().get_queryset(request)
        user = request.user
        if user.is_superuser:
            return qs
        return qs.filter(Q(created_by=user) | Q(repository_id__in=permissions.repository_ids(user)))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # "Add" leads to the Import EAD page (see add_view).
        return can_import(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    # --- columns --------------------------------------------------------------------------------
    @admin.display(description="Files")
    def file_names(self, obj: ImportJob) -> str:
        names = [str(name) for name in obj.files]
        if len(names) > 3:
            return ", ".join(names[:3]) + f" and {len(names) - 3} more"
        return ", ".join(names)

    @admin.display(description="Warnings")
    def warning_count(self, obj: ImportJob) -> int:
        return len(obj.warnings)

    @admin.display(description="Errors")
    def error_count(self, obj: ImportJob) -> int:
        return len(obj.errors)

    @admin.display(description="Duration")
    def duration(self, obj: ImportJob) -> str:
        return "—" if obj.seconds is None else f"{obj.seconds:.2f} s"

    @admin.display(description="Files")
    def file_list(self, obj: ImportJob) -> str:
        return _lines(obj.files)

    @admin.display(description="Errors")
    def error_list(self, obj: ImportJob) -> str:
        return _lines(obj.errors) or "—"

    @admin.display(description="Warnings")
    def warning_list(self, obj: ImportJob) -> str:
        return _lines(obj.warnings) or "—"

    # --- jobs whose worker died are failed before anyone looks -----------------------------------
    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        _reap()
        return super().changelist_view(request, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        _reap()
        return super().change_view(request, object_id, form_url, extra_context)

    # --- the Import EAD page --------------------------------------------------------------------
    def get_urls(self) -> list:
        protected = self.admin_site.admin_view(self.import_view)  # login, then CSRF check

        # The size limit must see the upload as it is read, before the CSRF check reads the
        # body; Django's recipe: exempt the outer view, add the handler, protect the inner one.
        @csrf_exempt
        def view(request: HttpRequest) -> HttpResponse:
            request.upload_handlers.insert(0, UploadLimitHandler(request))
            return protected(request)

        return [path("import/", view, name="archive_importjob_import"), *super().get_urls()]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:archive_importjob_import"))

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not can_import(request.user):
            raise PermissionDenied
        if request.method == "POST":
            form = ImportEADForm(request.POST, request.FILES, user=request.user)
            if form.is_valid():
                try:
                    job = imports.import_job_submit(
                        uploads=form.cleaned_data["files"],
                        repository=form.cleaned_data["repository"],
                        replace=form.cleaned_data["replace"],
                        user=request.user,
                        enqueue=import_ead_job.enqueue,
                    )
                except imports.EADImportError as exc:
                    form.add_error("files", str(exc))
                else:
                    job.refresh_from_db()
                    self._report(request, job)
                    return HttpResponseRedirect(
                        reverse("admin:archive_importjob_change", args=[job.pk])
                    )
        else:
            form = ImportEADForm(user=request.user)
        return upload_page(self, request, "admin/archive/import_ead.html", "Import EAD", form)

    def _report(self, request: HttpRequest, job: ImportJob) -> None:
        status = ImportJob.Status
        if job.status == status.SUCCEEDED:
            messages.success(
                request,
                f"Imported {job.collections} finding aid(s), {job.components:,} components.",
            )
        elif job.status in (status.FAILED, status.PARTIAL):
            messages.error(request, f"{len(job.errors)} file(s) could not be imported.")
        else:
            messages.info(
                request,
                "The import is queued; a task worker (manage.py db_worker) runs it, and this "
                "page shows its progress.",
            )


def _reap() -> None:
    """Fail jobs whose worker died; a database that is busy (SQLite during an import) only
    postpones it to the next view or to ``manage.py import_jobs_reap``."""
    try:
        import_jobs.import_jobs_reap()
    except DatabaseError:
        logger.warning("could not check import jobs for stopped workers", exc_info=True)


def _lines(items: list) -> str:
    if not items:
        return ""
    return format_html(
        '<ul class="import-lines">{}</ul>',
        format_html_join("", "<li>{}</li>", ((str(item),) for item in items)),
    )
