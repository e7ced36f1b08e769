"""Repositories and collections (finding-aid metadata), and a collection's EAD export."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from ninja import Query, Router
from ninja.decorators import decorate_view

from archive import visibility
from archive.api import access, schemas
from archive.api.auth import caller
from archive.api.components import unit_title
from archive.api.errors import READ_ERRORS, ApiError, Error
from archive.api.paging import DEFAULT_LIMIT, MAX_LIMIT, RecordId, page, with_etag
from archive.models import Collection, Component, Repository
from archive.services.export_files import ExportBusy, ExportFailed, collection_export_file
from archive.services.exports import ExportError, ExportFormat, collection_is_exportable

router = Router(tags=["collections"])


def _repository(repository: Repository) -> dict:
    return {f: getattr(repository, f) for f in schemas.Repository.model_fields}


@router.get("/repositories", response={200: schemas.RepositoryPage, **READ_ERRORS})
@decorate_view(with_etag)
def repository_list(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """Every repository (repositories are public), by code."""
    rows, after = page(
        Repository.objects.all(), list_name="repositories", key="code", cursor=cursor, limit=limit
    )
    return {"items": [_repository(r) for r in rows], "next": after}


@router.get("/repositories/{code}", response={200: schemas.Repository, **READ_ERRORS})
@decorate_view(with_etag)
def repository_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    repository = Repository.objects.filter(code=code).first()
    if repository is None:
        raise ApiError(404, "not_found", "No such repository.")
    return _repository(repository)


def _roots(collections: list[Collection]) -> dict[int, Component]:
    """The collection-level rows of ``collections``, in one query."""
    roots = Component.objects.filter(collection_id__in=[c.pk for c in collections], depth=1).only(
        "id", "collection_id", "title", "title_markup", "published"
    )
    return {root.collection_id: root for root in roots}


def _item(collection: Collection, root: Component | None, staff: bool) -> dict:
    title = unit_title(root, staff) if root is not None else ""
    return {
        "id": collection.pk,
        "ead_id": collection.ead_id,
        "title": title or collection.ead_id,
        "repository": collection.repository.code,
        "published": bool(root and root.published),
        "root": root.pk if root is not None else None,
        "url": collection.get_absolute_url(),
    }


@router.get("/collections", response={200: schemas.CollectionPage, **READ_ERRORS})
@decorate_view(with_etag)
def collection_list(
    request: HttpRequest,
    repository: str | None = None,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """Finding aids the caller may read (the public ones, plus their repositories' as staff),
    optionally of one repository (by code), in id order."""
    qs = access.readable_collections(caller(request)).select_related("repository")
    if repository:
        qs = qs.filter(repository__code=repository)
    rows, after = page(qs, list_name="collections", key="id", cursor=cursor, limit=limit)
    roots = _roots(rows)
    user = caller(request)
    items = [_item(c, roots.get(c.pk), access.sees_as_staff(user, c)) for c in rows]
    return {"items": items, "next": after}


@router.get("/collections/{collection_id}", response={200: schemas.Collection, **READ_ERRORS})
@decorate_view(with_etag)
def collection_detail(request: HttpRequest, collection_id: RecordId) -> dict[str, Any]:
    """A finding aid's metadata; ``root`` is the component holding its collection-level
    description (``/api/components/{root}``). ``version`` (staff only) is sent back with a
    change."""
    return collection_data(request, collection_id)


def collection_data(request: HttpRequest, collection_id: int) -> dict[str, Any]:
    """The finding aid's metadata as the caller may see it (also the answer to a write)."""
    user = caller(request)
    collection = access.collection_get(user, collection_id)
    staff = access.sees_as_staff(user, collection)
    revisions = list(collection.revisions.order_by("position", "id"))
    if not staff:
        revisions = visibility.public_items(revisions)
    data = _item(collection, _roots([collection]).get(collection.pk), staff)
    for name in schemas.Collection.model_fields:
        if name not in data and name not in ("revisions", "version"):
            data[name] = getattr(collection, name)
    data["revisions"] = [
        {
            "date": r.date,
            "agent": r.agent,
            "description": r.description,
            "published": r.published,
        }
        for r in revisions
    ]
    data["version"] = collection.updated.isoformat() if staff else None
    return data


@router.get(
    "/collections/{collection_id}/ead/{fmt}",
    response={200: bytes, 400: Error, 401: Error, 404: Error, 422: Error, 503: Error},
    openapi_extra={"responses": {200: {"content": {"application/xml": {}}}}},
)
@decorate_view(with_etag)
def collection_ead(
    request: HttpRequest, collection_id: RecordId, fmt: ExportFormat, internal: bool = False
) -> HttpResponseBase:
    """The finding aid as EAD (``fmt``: one of the export formats, e.g. ``ead2002``,
    ``ead3``), validated before it is sent. ``internal=true`` asks for the staff version,
    given only to a token whose user may see the collection; anyone else gets the public one."""
    user = caller(request)
    collection = access.collection_get(user, collection_id)
    staff = internal and access.sees_as_staff(user, collection)
    if not collection_is_exportable(collection=collection, include_unpublished=staff):
        raise ApiError(404, "not_found", "No such collection.")
    try:
        export = collection_export_file(
            collection=collection, fmt=fmt, audience="staff" if staff else "public"
        )
    except ExportBusy as exc:
        raise ApiError(503, "busy", f"{exc}; try again in a minute.") from exc
    except ExportFailed as exc:
        raise ApiError(
            503, "export_failed", "The export failed; the archivists have been told."
        ) from exc
    except ExportError as exc:
        raise ApiError(404, "not_found", "No such collection.") from exc
    response = FileResponse(export.path.open("rb"), content_type="application/xml; charset=utf-8")
    response["Content-Length"] = str(export.size)
    response["ETag"] = export.etag
    if staff:
        response["Cache-Control"] = "private, no-store"
    return response
