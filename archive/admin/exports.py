"""Admin actions on the Collection change list: download the selection as EAD.

One collection gives its XML file; several give a zip with one file each. Archivists get the
staff version: unpublished material is included and marked ``audience="internal"``, so an
export can be re-imported into another system without losing work in progress. Only the
collections the user may see (``archive.permissions``, the rule of the change list itself) are
exported: ids of other repositories' collections posted with the action are left out. Each
file is the validated, cached staff export (``archive.services.export_files``): an export
that fails or is invalid is reported as a message, never sent half-written.

``CollectionAdmin.actions`` lists ``export_ead2002`` and ``export_ead3``.
"""

from __future__ import annotations

import tempfile
import zipfile

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase

from archive import permissions
from archive.models import Collection
from archive.services.export_files import collection_export_file
from archive.services.exports import ExportError, ExportFormat, export_file_names

# Zips smaller than this stay in memory; larger ones spill to a temporary file.
ZIP_SPOOL_BYTES = 16 * 1024 * 1024


def _export(
    request: HttpRequest, queryset: QuerySet[Collection], fmt: ExportFormat
) -> HttpResponseBase | None:
    visible = permissions.scope(queryset, request.user)
    collections = list(visible.select_related("repository").order_by("repository__code", "ead_id"))
    if not collections:
        return None
    if len(collections) == 1:
        collection = collections[0]
        try:
            # The validated staff file: complete before the first byte is sent.
            export = collection_export_file(collection=collection, fmt=fmt, audience="staff")
        except ExportError as exc:
            messages.error(request, str(exc))
            return None
        response = FileResponse(
            export.path.open("rb"),
            as_attachment=True,
            filename=export.filename,
            content_type="application/xml; charset=utf-8",
        )
        response["Cache-Control"] = "private, no-store"
        return response

    spool = tempfile.SpooledTemporaryFile(max_size=ZIP_SPOOL_BYTES)
    names = export_file_names(collections, fmt)
    problems = []
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for collection, name in zip(collections, names, strict=True):
            try:
                export = collection_export_file(collection=collection, fmt=fmt, audience="staff")
            except ExportError as exc:
                problems.append(
                    str(exc) if collection.ead_id in str(exc) else f"{collection.ead_id}: {exc}"
                )
                continue
            # A fixed timestamp (the collection's last change) keeps the zip deterministic.
            info = zipfile.ZipInfo(name, date_time=_zip_time(collection))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as out, export.path.open("rb") as source:
                while chunk := source.read(1024 * 1024):
                    out.write(chunk)
    if problems:
        messages.warning(request, "Not exported: " + "; ".join(problems))
    spool.seek(0)
    response = FileResponse(
        spool,
        as_attachment=True,
        filename=f"finding-aids.{fmt}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _zip_time(collection: Collection) -> tuple[int, int, int, int, int, int]:
    t = collection.content_changed
    if t is None or t.year < 1980:  # zip dates start in 1980
        return (1980, 1, 1, 0, 0, 0)
    return (t.year, t.month, t.day, t.hour, t.minute, t.second)


@admin.action(description="Export selected collections as EAD 2002 (staff version)")
def export_ead2002(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Collection]
) -> HttpResponseBase | None:
    return _export(request, queryset, "ead2002")


@admin.action(description="Export selected collections as EAD3 (staff version)")
def export_ead3(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Collection]
) -> HttpResponseBase | None:
    return _export(request, queryset, "ead3")


__all__ = ["export_ead2002", "export_ead3"]
