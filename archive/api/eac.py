"""Agents' authority records as EAC-CPF: export one, import files.

Both call ``archive.services.eac`` as the agent page's download, the admin and
``manage.py export_eac`` / ``import_eac`` do. Who may do what is the admin's rule: the public
version of a public agent for anyone, the staff version (``internal=true``) for members, and
imports for those who may edit the shared names (``archive.permissions``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.http import content_disposition_header
from ninja import File, Schema
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from archive import permissions
from archive.admin.eac import ImportEACForm
from archive.api import access
from archive.api.auth import caller
from archive.api.authorities import authority_get, router
from archive.api.errors import ApiError, Error
from archive.api.paging import RecordId, with_etag
from archive.models import Agent
from archive.services.eac import (
    AgentNotPublic,
    EACExportError,
    eac_export,
    eac_file_name,
    eac_import,
)

logger = logging.getLogger(__name__)


class EACFileResult(Schema):
    file: str
    agent: int | None
    created: bool
    relations_linked: int
    relations_kept_as_text: int
    warnings: list[str]
    error: str | None


class EACImport(Schema):
    imported: int
    failed: int
    files: list[EACFileResult]


@router.get(
    "/agents/{agent_id}/eac",
    response={200: bytes, 400: Error, 401: Error, 404: Error, 422: Error, 503: Error},
    openapi_extra={"responses": {200: {"content": {"application/xml": {}}}}},
)
@decorate_view(with_etag)
def agent_eac(request: HttpRequest, agent_id: RecordId, internal: bool = False) -> HttpResponse:
    """The agent's authority record as EAC-CPF 2010, validated before it is sent: the public
    version (public collections only; 404 for an agent the public may not see), or with
    ``internal=true`` and a member's token the staff version (the collections they may see)."""
    user = caller(request)
    agent = authority_get(request, Agent, agent_id)
    staff = internal and access.is_staff_reader(user)
    try:
        data = eac_export(
            agent=agent,
            public=not staff,
            base_url=request.build_absolute_uri("/"),
            user=user if staff else None,
        )
    except AgentNotPublic as exc:
        raise ApiError(404, "not_found", "No such agent.") from exc
    except EACExportError as exc:
        logger.exception("EAC-CPF export of agent %s failed", agent.slug)
        raise ApiError(
            503, "export_failed", "The export failed; the archivists have been told."
        ) from exc
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, eac_file_name(agent))
    if staff:
        response["Cache-Control"] = "private, no-store"
    return response


@router.post("/eac-cpf", response={200: EACImport, 401: Error, 403: Error, 422: Error})
def agent_eac_import(request: HttpRequest, files: File[list[UploadedFile]]) -> dict[str, Any]:
    """Import EAC-CPF files: each creates or updates one agent (matched by authority id, or by
    normalised name and dates; never a duplicate), relations to agents of the batch or
    already present are linked, the others kept as text. Each file is saved or not on its
    own; ``files`` says what each did, with its warnings (file and line) or its error."""
    user = caller(request)
    if not user.is_authenticated:
        raise ApiError(401, "unauthorised", "Imports need an API token.")
    if not permissions.can_edit_shared(user):
        raise ApiError(403, "forbidden", "You may not change names.")
    form = ImportEACForm({}, MultiValueDict({"files": list(files)}))
    if not form.is_valid():
        raise ApiError(
            422,
            "invalid",
            "; ".join(f"{name}: {' '.join(map(str, msgs))}" for name, msgs in form.errors.items()),
        )
    results = eac_import(files=[(u.name, u) for u in form.cleaned_data["files"]], user=user)
    return {
        "imported": sum(1 for r in results if not r.error),
        "failed": sum(1 for r in results if r.error),
        "files": [
            {
                "file": r.name,
                "agent": r.agent.pk if r.agent is not None else None,
                "created": r.created,
                "relations_linked": r.linked,
                "relations_kept_as_text": r.kept,
                "warnings": r.warnings,
                "error": r.error,
            }
            for r in results
        ],
    }
