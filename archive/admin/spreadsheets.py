"""A collection's spreadsheet page in the admin: template, export, upload -> preview -> import.

URLs (under ``admin/archive/collection/<collection_id>/spreadsheet/``):

- ``""``: GET the page (template and export downloads, the upload form); POST an upload,
  which is checked as a dry run (``archive.services.spreadsheets``) and shown as a preview:
  every problem with row, column and a fix, or what would be added and changed (field, old,
  new). The upload waits in the import folder under a random name until it is imported or
  another preview replaces it.
- ``import/`` (POST): import the previewed file in one transaction, then go to the outline.
- ``template.<xlsx|csv>``, ``export.<xlsx|csv>`` (``?under=<id>`` for a subtree).

Every view checks the collection is in the user's repositories (``archive.permissions``); the
import service checks the right to change it.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from archive import permissions
from archive.models import Collection, Component
from archive.services import import_jobs
from archive.services.spreadsheets import (
    SpreadsheetError,
    SpreadsheetResult,
    spreadsheet_export,
    spreadsheet_import,
    spreadsheet_template,
)
from archive.sheets.writing import CSV_TYPE, XLSX_TYPE

SpreadsheetView = Callable[..., HttpResponse]
SUFFIXES = (".xlsx", ".xlsm", ".csv")


def urls(model_admin: ModelAdmin[Collection]) -> list[URLPattern]:
    """The spreadsheet URL patterns, each view wrapped by the admin site (sign-in, CSRF)."""
    wrap = model_admin.admin_site.admin_view

    def view(func: SpreadsheetView) -> Callable[..., HttpResponse]:
        def bound(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return func(model_admin, request, *args, **kwargs)

        return wrap(bound)

    return [
        path(
            "<int:collection_id>/spreadsheet/",
            view(spreadsheet_page),
            name="archive_collection_spreadsheet",
        ),
        path(
            "<int:collection_id>/spreadsheet/import/",
            view(spreadsheet_commit),
            name="archive_collection_spreadsheet_import",
        ),
        path(
            "<int:collection_id>/spreadsheet/template.<str:file_format>",
            view(template_download),
            name="archive_collection_spreadsheet_template",
        ),
        path(
            "<int:collection_id>/spreadsheet/export.<str:file_format>",
            view(export_download),
            name="archive_collection_spreadsheet_export",
        ),
    ]


class UploadForm(forms.Form):
    sheet = forms.FileField(label="Spreadsheet", help_text="An .xlsx or .csv file.")
    under = forms.CharField(
        label="Add under",
        required=False,
        help_text="Machine id or identifier of the component the rows go under (empty: the "
        "top of the collection).",
    )


def _collection(request: HttpRequest, collection_id: int) -> Collection:
    """The collection, if the user may see it (404 otherwise: no hint that it exists)."""
    qs = permissions.scope(Collection.objects.select_related("repository"), request.user)
    return get_object_or_404(qs, pk=collection_id)


def _under(collection: Collection, value: str) -> Component | None:
    value = value.strip()
    if not value:
        return None
    for lookup in ({"ref": value}, {"identifier": value}):
        found = list(collection.components.filter(**lookup)[:2])
        if len(found) == 1:
            return found[0]
    raise SpreadsheetError(
        f"no single component of this collection has the machine id or identifier {value!r}"
    )


def _waiting_dir() -> Path:
    return import_jobs.import_upload_dir() / "sheets"


def _waiting_file(token: str) -> Path:
    """The stored upload of a preview (tokens are ours: letters, digits, '-', '_', '.')."""
    name = Path(token).name
    if name != token or not token or Path(token).suffix not in SUFFIXES:
        raise Http404("No such upload.")
    return _waiting_dir() / name


def _context(
    model_admin: ModelAdmin[Collection], request: HttpRequest, collection: Collection, **extra: Any
) -> dict[str, Any]:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Collection._meta,
        "collection": collection,
        "can_edit": permissions.can_edit(request.user, collection),
        "title": f"Spreadsheet: {collection}",
        **extra,
    }


def spreadsheet_page(
    model_admin: ModelAdmin[Collection], request: HttpRequest, collection_id: int
) -> HttpResponse:
    collection = _collection(request, collection_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not permissions.can_edit(request.user, collection):
            raise PermissionDenied
        if form.is_valid():
            response = _preview(model_admin, request, collection, form)
            if response is not None:
                return response
    context = _context(model_admin, request, collection, form=form)
    return TemplateResponse(request, "admin/archive/spreadsheets/page.html", context)


def _preview(
    model_admin: ModelAdmin[Collection],
    request: HttpRequest,
    collection: Collection,
    form: UploadForm,
) -> HttpResponse | None:
    """Store the upload and show what importing it would do (None: the form shows an error)."""
    upload = form.cleaned_data["sheet"]
    name = import_jobs.upload_name_clean(upload.name)
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        form.add_error("sheet", f"{name} is not an .xlsx or .csv file")
        return None
    problem = import_jobs.upload_size_problem(name=name, size=upload.size)
    if problem:
        form.add_error("sheet", problem)
        return None
    token = secrets.token_urlsafe(16) + suffix
    stored = _waiting_file(token)
    stored.parent.mkdir(parents=True, exist_ok=True)
    with stored.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    under_text = form.cleaned_data["under"]
    try:
        under = _under(collection, under_text)
        result = spreadsheet_import(
            collection=collection,
            source=stored,
            filename=name,
            user=request.user,
            under=under,
            dry_run=True,
        )
    except SpreadsheetError as exc:
        stored.unlink(missing_ok=True)
        form.add_error(None, str(exc))
        return None
    if not result.ok:
        stored.unlink(missing_ok=True)
    return _preview_response(model_admin, request, collection, result, token, name, under_text)


def _preview_response(
    model_admin: ModelAdmin[Collection],
    request: HttpRequest,
    collection: Collection,
    result: SpreadsheetResult,
    token: str,
    name: str,
    under: str,
) -> HttpResponse:
    context = _context(
        model_admin,
        request,
        collection,
        result=result,
        token=token,
        name=name,
        under=under,
        more_units=max(result.created - len(result.units), 0),
        more_updates=max(result.updated - len(result.updates), 0),
        title=f"Preview of {name}",
    )
    return TemplateResponse(request, "admin/archive/spreadsheets/preview.html", context)


def spreadsheet_commit(
    model_admin: ModelAdmin[Collection], request: HttpRequest, collection_id: int
) -> HttpResponse:
    collection = _collection(request, collection_id)
    page = reverse("admin:archive_collection_spreadsheet", args=[collection.pk])
    if request.method != "POST":
        return HttpResponseRedirect(page)
    if not permissions.can_edit(request.user, collection):
        raise PermissionDenied
    stored = _waiting_file(request.POST.get("token", ""))
    name = import_jobs.upload_name_clean(request.POST.get("name", "")) or stored.name
    if not stored.is_file():
        messages.error(request, "That upload is gone (imported already?); upload it again.")
        return HttpResponseRedirect(page)
    try:
        under = _under(collection, request.POST.get("under", ""))
        result = spreadsheet_import(
            collection=collection, source=stored, filename=name, user=request.user, under=under
        )
    except SpreadsheetError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(page)
    finally:
        stored.unlink(missing_ok=True)
    if not result.ok:
        # (the collection changed since the preview)
        for problem in result.problems[:20]:
            messages.error(request, str(problem))
        return HttpResponseRedirect(page)
    messages.success(request, result.summary())
    return HttpResponseRedirect(reverse("admin:archive_collection_outline", args=[collection.pk]))


def _check_format(file_format: str) -> None:
    if file_format not in ("xlsx", "csv"):
        raise Http404("No such format.")


def _download(content: bytes, file_format: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE if file_format == "xlsx" else CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response


def template_download(
    model_admin: ModelAdmin[Collection], request: HttpRequest, collection_id: int, file_format: str
) -> HttpResponse:
    _collection(request, collection_id)
    _check_format(file_format)
    out = io.BytesIO()
    spreadsheet_template(out=out, file_format=file_format)
    return _download(out.getvalue(), file_format, "fonds-template")


def export_download(
    model_admin: ModelAdmin[Collection], request: HttpRequest, collection_id: int, file_format: str
) -> HttpResponse:
    collection = _collection(request, collection_id)
    under = None
    if request.GET.get("under"):
        under = collection.components.filter(pk=request.GET["under"]).first()
        if under is None:
            raise Http404("No such component in this collection.")
    _check_format(file_format)
    out = io.BytesIO()
    spreadsheet_export(
        collection=collection, out=out, file_format=file_format, under=under, user=request.user
    )
    return _download(out.getvalue(), file_format, download_name(collection.ead_id))


def download_name(ead_id: str) -> str:
    """A file name made of the EAD id's safe characters."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in ead_id) or "collection"
