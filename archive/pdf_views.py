"""The "Download PDF" link of a public collection page.

``archive:collection-pdf`` answers with the finished PDF of the finding aid's current version
(``archive.services.pdfs``), with ``Content-Length`` and ``ETag``, or with a page that says
the PDF is being prepared (202, ``Retry-After``, reloading itself), never with a partial file.
Small finding aids are built inside the request; larger ones by a background task queued by
the first request. An unpublished or unknown collection is a 404, as its page is.
"""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.http import require_safe

from archive import selectors
from archive.services import pdfs
from archive.services.export_files import ExportBusy

#: Seconds the "being prepared" page asks the browser to wait before asking again.
RETRY_SECONDS = 15


@require_safe
def collection_pdf(request: HttpRequest, repository: str, ead_id: str) -> HttpResponseBase:
    collection = selectors.collection_head(repository_code=repository, ead_id=ead_id)
    base_url = request.build_absolute_uri("/")
    pdf = pdfs.collection_pdf_cached(collection=collection, base_url=base_url)
    if pdf is None and pdfs.collection_pdf_failed(collection=collection, base_url=base_url):
        return _failed(request, collection)
    if pdf is None and pdfs.collection_pdf_is_small(collection):
        try:
            pdf = pdfs.collection_pdf_build(collection=collection, base_url=base_url)
        except ExportBusy:
            return _preparing(request, collection)
        except pdfs.PdfFailed:
            return _failed(request, collection)
    if pdf is None:
        pdfs.collection_pdf_queue(collection=collection, base_url=base_url)
        # (With tasks run at once, the queued build has finished by now.)
        pdf = pdfs.collection_pdf_cached(collection=collection, base_url=base_url)
        if pdf is None:
            if pdfs.collection_pdf_failed(collection=collection, base_url=base_url):
                return _failed(request, collection)
            return _preparing(request, collection)
    response: HttpResponseBase | None = get_conditional_response(
        request, etag=pdf.etag, last_modified=int(pdf.changed.timestamp())
    )
    if response is None:
        response = FileResponse(pdf.path.open("rb"), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(False, pdf.filename) or ""
        response["Content-Length"] = str(pdf.size)
        response["ETag"] = pdf.etag
        response["Last-Modified"] = http_date(int(pdf.changed.timestamp()))
    response["Cache-Control"] = "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _preparing(request: HttpRequest, collection: object) -> HttpResponse:
    response = render(
        request,
        "archive/pdf/preparing.html",
        {"collection": collection, "retry": RETRY_SECONDS},
        status=202,
    )
    response["Retry-After"] = str(RETRY_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _failed(request: HttpRequest, collection: object) -> HttpResponse:
    response = render(request, "archive/pdf/failed.html", {"collection": collection}, status=500)
    response["Cache-Control"] = "no-store"
    return response
