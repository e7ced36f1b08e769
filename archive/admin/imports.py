"""The "Import EAD" admin page and the read-only list of import jobs.

The page stores the uploaded files, records an :class:`~archive.models.ImportJob` and queues
the ``import_ead_job`` task (``archive.services.imports.import_job_submit``); the task runs
the same service as ``manage.py import_ead``. The job list shows staff what each import did:
status, files, counts, warnings, errors, duration and who ran it.

Who may import: superusers into any repository or into the one each file names ("detect from
file", which may create a repository); archivists and managers into their own repositories.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from archive import permissions
from archive.models import ImportJob, Repository
from archive.services import imports


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field whose cleaned value is the list of every file chosen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".xml,text/xml"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class ImportEADForm(forms.Form):
    files = MultipleFileField(
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
        field = self.fields["repository"]
        if user.is_superuser:
            field.queryset = Repository.objects.order_by("name")
        else:
            # Staff import only into repositories where they may edit, and must pick one.
            field.queryset = Repository.objects.filter(
                pk__in=permissions.repository_ids(user, roles=permissions.EDIT_ROLES)
            ).order_by("name")
            field.required = True
            field.empty_label = None


def can_import(user: Any) -> bool:
    return bool(
        user.is_active
        and user.is_staff
        and (user.is_superuser or permissions.repository_ids(user, roles=permissions.EDIT_ROLES))
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
    fields = [
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
        "finished",
        "error_list",
        "warning_list",
    ]
    readonly_fields = fields

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

    # --- the Import EAD page --------------------------------------------------------------------
    def get_urls(self) -> list:
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="archive_importjob_import"), *super().get_urls()]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None):
        return HttpResponseRedirect(reverse("admin:archive_importjob_import"))

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not can_import(request.user):
            raise PermissionDenied
        if request.method == "POST":
            form = ImportEADForm(request.POST, request.FILES, user=request.user)
            if form.is_valid():
                job = imports.import_job_submit(
                    uploads=form.cleaned_data["files"],
                    repository=form.cleaned_data["repository"],
                    replace=form.cleaned_data["replace"],
                    user=request.user,
                )
                job.refresh_from_db()
                self._report(request, job)
                return HttpResponseRedirect(
                    reverse("admin:archive_importjob_change", args=[job.pk])
                )
        else:
            form = ImportEADForm(user=request.user)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import EAD",
            "form": form,
            "opts": self.model._meta,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/archive/import_ead.html", context)

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
            messages.info(request, "The import is queued; this page shows its progress.")


def _lines(items: list) -> str:
    if not items:
        return ""
    return format_html(
        '<ul class="import-lines">{}</ul>',
        format_html_join("", "<li>{}</li>", ((str(item),) for item in items)),
    )
