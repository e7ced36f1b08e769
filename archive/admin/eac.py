"""EAC-CPF in the admin: the "Export EAC-CPF" action on agents and the "Import EAC-CPF" page.

Both call ``archive.services.eac``, as ``manage.py export_eac`` and ``import_eac`` do. The
export is the staff version (every collection the user may see in the admin, and the public
ones); one agent downloads as one XML file, several as a zip of one file each. Importing
changes shared records (agents), so it takes the right to edit them
(``permissions.can_edit_shared``); the records are small, so the import runs in the request
and the page shows one line per file, its warnings and its errors.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.http import content_disposition_header

from archive import permissions
from archive.admin.imports import MultipleFileField, upload_page
from archive.services.eac import EACExportError, eac_export, eac_file_name, eac_import


@admin.action(description="Export EAC-CPF", permissions=["view"])
def export_eac(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> Any:
    """Download the selected agents' authority records (staff version, validated)."""
    agents = list(queryset.order_by("slug"))
    base_url = request.build_absolute_uri("/")
    try:
        files = [
            (
                eac_file_name(agent),
                eac_export(agent=agent, public=False, base_url=base_url, user=request.user),
            )
            for agent in agents
        ]
    except EACExportError as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return None
    if len(files) == 1:
        name, data = files[0]
        response = HttpResponse(data, content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, "eac-cpf.zip")
    return response


class ImportEACForm(forms.Form):
    files = MultipleFileField(  # type: ignore[assignment]  # a form field, not BaseForm.files
        label="EAC-CPF files", help_text="One or more EAC-CPF 2010 authority records (XML)."
    )


def import_eac_urls(modeladmin: admin.ModelAdmin) -> list:
    """The upload page's URL, for the agent admin's ``get_urls``."""
    view = modeladmin.admin_site.admin_view(lambda request: import_eac_view(modeladmin, request))
    return [path("import-eac/", view, name="archive_agent_import_eac")]


def import_eac_view(modeladmin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not permissions.can_edit_shared(request.user):
        raise PermissionDenied
    results = None
    if request.method == "POST":
        form = ImportEACForm(request.POST, request.FILES)
        if form.is_valid():
            uploads = form.cleaned_data["files"]
            results = eac_import(files=[(u.name, u) for u in uploads], user=request.user)
            failed = sum(1 for r in results if r.error)
            if failed:
                messages.error(request, f"{failed} file(s) could not be imported.")
            else:
                messages.success(request, f"Imported {len(results)} authority record(s).")
    else:
        form = ImportEACForm()
    template = "admin/archive/agent/import_eac.html"
    return upload_page(modeladmin, request, template, "Import EAC-CPF", form, results=results)
