"""The API object: routers, authentication, error handlers; mounted at ``/api/``."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI

from archive.api import (
    authorities,
    collections,
    components,
    eac,  # noqa: F401  (its operations join authorities.router)
    errors,
    imports,
    part_routes,  # noqa: F401  (its operations join components.router)
    record_writes,  # noqa: F401  (its operations join the collection and authority routers)
    search,
    spreadsheets,  # noqa: F401  (its operations join collections.router)
    writes,  # noqa: F401  (its operations join components.router)
)
from archive.api.auth import TokenAuth, anonymous


class FondsAPI(NinjaAPI):
    """django-ninja's API whose every URL answers a method it does not serve with the API's
    JSON error (``errors.method_not_allowed``) rather than a plain-text page."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = errors.method_not_allowed(pattern.callback)
        return patterns


api = FondsAPI(
    title="Fonds API",
    version="1",
    description=(
        "Finding aids, their components, agents and subjects, search and EAD export. Without "
        "a token you read what the public site shows; with a personal token "
        "(`Authorization: Bearer ...`, made in the admin) you read and change what your "
        "repository roles allow. A change names what it changes: `If-Match` with the ETag of "
        "your read (412 when stale), or the record's `version` (409 when stale); 428 with "
        "neither."
    ),
    auth=[TokenAuth(), anonymous],
    urls_namespace="api",
)
errors.install(api)
api.add_router("", collections.router)
api.add_router("", components.router)
api.add_router("", authorities.router)
api.add_router("", search.router)
api.add_router("", imports.router)


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other address under ``/api/``: a JSON 404, like every other error of the API."""
    return JsonResponse({"code": "not_found", "message": "No such API address."}, status=404)
