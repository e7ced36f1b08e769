"""Download a finding aid as EAD: the links on the public collection page.

``archive:collection-ead`` (``/collections/<repository>/<ead_id>/ead/<fmt>.xml``) serves the
validated export file (``archive.services.export_files``): it is complete and valid before
the first byte leaves, so a download is either the whole document, with ``Content-Length``,
``ETag`` and ``Last-Modified``, or an error page, never a 200 with half a finding aid. A
request whose ``If-None-Match`` names the current version gets 304 without any export work.
The public get the public version (unpublished material left out) and a 404 for a collection
that is not published. Staff who may see the collection in the admin (``archive.permissions``)
may ask for the staff version with ``?internal=1``; anyone else asking for it gets the public
answer, as if they had not asked.

``archive:agent-eac`` (``/agents/<slug>/eac.xml``) serves an agent's authority record as
EAC-CPF, the public version only.
"""

from __future__ import annotations

import logging

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.http import require_safe

from archive import permissions
from archive.models import Agent, Collection
from archive.services.eac import AgentNotPublic, EACExportError, eac_export, eac_file_name
from archive.services.export_files import (
    Audience,
    ExportBusy,
    ExportFailed,
    collection_export_file,
    export_etag,
)
from archive.services.exports import (
    FORMATS,
    ExportError,
    ExportFormat,
    collection_is_exportable,
)

logger = logging.getLogger(__name__)


def wants_internal(request: HttpRequest, collection: Collection) -> bool:
    """The staff version: asked for with ?internal=1, and given only to staff who may see
    ``collection`` in the admin (the same rule as the admin's, per repository)."""
    return request.GET.get("internal") == "1" and permissions.can_view(request.user, collection)


@require_safe
def collection_ead(
    request: HttpRequest, repository: str, ead_id: str, fmt: str
) -> HttpResponseBase:
    export_format = _export_format(fmt)
    collection = get_object_or_404(
        Collection.objects.select_related("repository"),
        repository__code=repository,
        ead_id=ead_id,
    )
    internal = wants_internal(request, collection)
    if not collection_is_exportable(collection=collection, include_unpublished=internal):
        # Same answer as for a collection that does not exist: its existence is not public.
        raise Http404("No such collection")
    audience: Audience = "staff" if internal else "public"
    response: HttpResponseBase | None = get_conditional_response(
        request,
        etag=export_etag(collection=collection, fmt=export_format, audience=audience),
        last_modified=int(collection.content_changed.timestamp()),
    )
    if response is None:
        try:
            export = collection_export_file(
                collection=collection, fmt=export_format, audience=audience
            )
        except ExportBusy as exc:
            response = _plain(503, f"{exc}.")
            response["Retry-After"] = "30"
            return _private(request, response, internal)
        except ExportFailed:
            # (logged with the collection and the reason by the service)
            response = _plain(
                500,
                "This finding aid cannot be downloaded as EAD at the moment: its export "
                "failed and the problem has been logged for the archivists. Please try "
                "again later.",
            )
            return _private(request, response, internal)
        except ExportError as exc:
            # Unpublished (or emptied) between the check above and the export.
            raise Http404("No such collection") from exc
        response = FileResponse(
            export.path.open("rb"), content_type="application/xml; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(True, export.filename)
        response["Content-Length"] = str(export.size)
        response["ETag"] = export.etag
        response["Last-Modified"] = http_date(int(export.changed.timestamp()))
    response["X-Content-Type-Options"] = "nosniff"
    return _private(request, response, internal)


def _export_format(fmt: str) -> ExportFormat:
    """The export format the URL names; 404 for any other."""
    for known in FORMATS:
        if fmt == known:
            return known
    raise Http404("Unknown EAD format")


def _plain(status: int, message: str) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _private(request: HttpRequest, response: HttpResponseBase, internal: bool) -> HttpResponseBase:
    if "internal" in request.GET:
        # The answer depends on who asks; the staff version must never reach a shared cache.
        patch_vary_headers(response, ["Cookie"])
    if internal:
        response["Cache-Control"] = "private, no-store"
    elif response.status_code in (200, 304):
        response["Cache-Control"] = "no-cache"  # may be kept, but asked again (ETag) each time
    else:
        response["Cache-Control"] = "no-store"  # an error is not kept
    return response


@require_safe
def agent_eac(request: HttpRequest, slug: str) -> HttpResponse:
    """An agent's authority record as EAC-CPF (the public version: public agents only, public
    collections only), validated before it is served; 404 for an agent the public may not
    see, as its page answers."""
    agent = get_object_or_404(Agent, slug=slug)
    try:
        data = eac_export(agent=agent, public=True, base_url=request.build_absolute_uri("/"))
    except AgentNotPublic as exc:
        raise Http404("No such agent") from exc
    except EACExportError:
        logger.exception("EAC-CPF export of agent %s failed", agent.slug)
        return _plain(
            500,
            "This authority record cannot be downloaded at the moment: its export failed and "
            "the problem has been logged for the archivists.",
        )
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, eac_file_name(agent))
    return response
