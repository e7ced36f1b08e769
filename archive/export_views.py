"""Download a finding aid as EAD: the links on the public collection page.

``archive:collection-ead`` (``/collections/<repository>/<ead_id>/ead/<fmt>.xml``) streams the
export, so a 100,000-component finding aid starts downloading at once and never sits in memory.
The public get the public version (unpublished material left out) and a 404 for a collection
that is not published. Staff who may see the collection in the admin (``archive.permissions``)
may ask for the staff version with ``?internal=1``; anyone else asking for it gets the public
answer, as if they had not asked.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from archive import permissions
from archive.models import Collection
from archive.services.exports import (
    FORMATS,
    collection_export_chunks,
    collection_is_exportable,
    export_filename,
)


def wants_internal(request: HttpRequest, collection: Collection) -> bool:
    """The staff version: asked for with ?internal=1, and given only to staff who may see
    ``collection`` in the admin (the same rule as the admin's, per repository)."""
    return request.GET.get("internal") == "1" and permissions.can_view(request.user, collection)


@require_safe
def collection_ead(
    request: HttpRequest, repository: str, ead_id: str, fmt: str
) -> StreamingHttpResponse:
    if fmt not in FORMATS:
        raise Http404("Unknown EAD format")
    collection = get_object_or_404(
        Collection.objects.select_related("repository"),
        repository__code=repository,
        ead_id=ead_id,
    )
    internal = wants_internal(request, collection)
    if not collection_is_exportable(collection=collection, include_unpublished=internal):
        # Same answer as for a collection that does not exist: its existence is not public.
        raise Http404("No such collection")
    chunks = collection_export_chunks(collection=collection, fmt=fmt, include_unpublished=internal)
    response = StreamingHttpResponse(chunks, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, export_filename(collection, fmt)
    )
    response["X-Content-Type-Options"] = "nosniff"
    if "internal" in request.GET:
        # The answer depends on who asks; the staff version must never reach a shared cache.
        patch_vary_headers(response, ["Cookie"])
    if internal:
        response["Cache-Control"] = "private, no-store"
    return response
