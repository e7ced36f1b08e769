"""Spreadsheets through the API: import a sheet into a collection, export one.

The same service as the admin page and the commands (``archive.services.spreadsheets``):
the whole sheet is checked before anything is saved, then written in one transaction with one
history entry under the token's user. Its operations join the collections router.
"""

from __future__ import annotations

import io
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Form, Schema, Status
from ninja.files import UploadedFile

from archive import permissions, visibility
from archive.api import access
from archive.api.auth import caller, writer
from archive.api.collections import router
from archive.api.errors import ApiError, Error
from archive.api.paging import RecordId
from archive.models import Collection, Component
from archive.services.exports import collection_is_exportable
from archive.services.spreadsheets import (
    SpreadsheetError,
    SpreadsheetResult,
    spreadsheet_export,
    spreadsheet_import,
)

SheetFormat = Literal["xlsx", "csv"]
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class SheetProblem(Schema):
    sheet: str
    row: int
    column: str
    message: str


class SheetRefused(Schema):
    """A refusal: ``code`` and ``message`` as every API error, and for a sheet with problems
    each problem (``code`` ``sheet_problems``)."""

    code: str
    message: str
    problems: list[SheetProblem] = []


class SheetResult(Schema):
    filename: str
    dry_run: bool
    ok: bool
    summary: str
    created: int
    updated: int
    unchanged: int
    problems: list[SheetProblem]
    warnings: list[str]


def _result(result: SpreadsheetResult) -> dict[str, Any]:
    return {
        "filename": result.filename,
        "dry_run": result.dry_run,
        "ok": result.ok,
        "summary": result.summary(),
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "problems": [vars(p) for p in result.problems],
        "warnings": [str(w) for w in result.warnings],
    }


def _under(collection: Collection, under: int | None) -> Component | None:
    if under is None:
        return None
    found = Component.objects.filter(pk=under, collection=collection).first()
    if found is None:
        raise ApiError(422, "invalid", f"under: component {under} is not in this collection.")
    return found


@router.post(
    "/collections/{collection_id}/spreadsheet",
    response={200: SheetResult, 422: SheetRefused, 400: Error, 401: Error, 403: Error, 404: Error},
)
def collection_spreadsheet_import(
    request: HttpRequest,
    collection_id: RecordId,
    file: File[UploadedFile],
    under: Form[int | None] = None,
    dry_run: Form[bool] = False,
) -> Status[dict[str, Any]]:
    """Import an XLSX or CSV sheet (the template's columns) into the collection, under the
    component ``under`` (default: its top). Every row is checked first: a sheet with problems
    answers 422 (``sheet_problems``) with each problem (sheet, row, column, message) and saves
    nothing; a clean one is saved in one transaction (200). ``dry_run`` reports what would be
    added and changed."""
    user = writer(request)
    collection = access.collection_get(user, collection_id)
    if not permissions.can_edit(user, collection):
        raise ApiError(403, "forbidden", "Your roles do not allow changing this collection.")
    try:
        result = spreadsheet_import(
            collection=collection,
            source=file,
            filename=file.name or "sheet",
            user=user,
            under=_under(collection, under),
            dry_run=dry_run,
        )
    except SpreadsheetError as exc:
        raise ApiError(422, "invalid_sheet", str(exc)) from exc
    except PermissionDenied as exc:
        raise ApiError(403, "forbidden", str(exc)) from exc
    if not result.ok:
        problems = len(result.problems)
        return Status(
            422,
            {
                "code": "sheet_problems",
                "message": f"{result.filename}: {problems:,} problem(s); nothing was saved.",
                "problems": [vars(p) for p in result.problems],
            },
        )
    return Status(200, _result(result))


@router.get(
    "/collections/{collection_id}/spreadsheet.{fmt}",
    response={200: bytes, 401: Error, 404: Error, 422: Error},
    openapi_extra={
        "responses": {200: {"content": {t.split(";")[0]: {} for t in CONTENT_TYPES.values()}}}
    },
)
def collection_spreadsheet_export(
    request: HttpRequest,
    collection_id: RecordId,
    fmt: SheetFormat,
    under: int | None = None,
    internal: bool = False,
) -> HttpResponse:
    """The collection's components (or ``under``'s subtree) as XLSX or CSV, with the
    template's columns and each row's Machine id. ``internal=true`` asks for the staff view,
    given only to a token whose user may see the collection; anyone else gets the public one."""
    user = caller(request)
    collection = access.collection_get(user, collection_id)
    staff = internal and access.sees_as_staff(user, collection)
    if not collection_is_exportable(collection=collection, include_unpublished=staff):
        raise ApiError(404, "not_found", "No such collection.")
    top = _under(collection, under)
    if top is not None and not staff and not visibility.is_public(top):
        raise ApiError(422, "invalid", f"under: component {under} is not in this collection.")
    out = io.BytesIO()
    spreadsheet_export(
        collection=collection,
        out=out,
        file_format=fmt,
        under=top,
        user=user if staff else None,
        public=not staff,
    )
    response = HttpResponse(out.getvalue(), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"collection-{collection.pk}.{fmt}"
    )
    if staff:
        response["Cache-Control"] = "private, no-store"
    return response
