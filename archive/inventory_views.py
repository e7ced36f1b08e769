"""The public "Download inventory (CSV)" of a collection page.

``archive:collection-inventory`` (``/inventory/<repository>/<ead_id>/``) answers a CSV of
the collection's public components, in document order, with the spreadsheet template's
columns and machine ids (``archive.services.spreadsheets``): what a researcher may see on
the collection's pages and nothing more (``archive.visibility``), the same for everyone,
staff included. A collection that is not public answers 404, as its page does. The file is
built whole before the response starts, so it is never a 200 with half an inventory.
"""

from __future__ import annotations

import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.http import require_safe

from archive.models import Collection
from archive.services.exports import collection_is_exportable
from archive.services.spreadsheets import spreadsheet_export
from archive.sheets.writing import CSV_TYPE


@require_safe
def collection_inventory(request: HttpRequest, repository: str, ead_id: str) -> HttpResponse:
    collection = get_object_or_404(
        Collection.objects.select_related("repository"),
        repository__code=repository,
        ead_id=ead_id,
    )
    if not collection_is_exportable(collection=collection, include_unpublished=False):
        raise Http404("No such collection")
    out = io.BytesIO()
    spreadsheet_export(collection=collection, out=out, file_format="csv", public=True)
    response = HttpResponse(out.getvalue(), content_type=CSV_TYPE)
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in ead_id) or "inventory"
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{name}-inventory.csv"
    )
    response["Last-Modified"] = http_date(collection.content_changed.timestamp())
    return response
