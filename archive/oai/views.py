"""``/oai``: the OAI-PMH 2.0 endpoint (GET and POST, as the protocol requires)."""

from __future__ import annotations

from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from archive.oai.protocol import oai_respond


@csrf_exempt  # harvesters POST without a session; the endpoint changes nothing
@require_http_methods(["GET", "POST"])
def oai(request: HttpRequest) -> StreamingHttpResponse:
    query = request.POST if request.method == "POST" else request.GET
    params = {name: query.getlist(name) for name in query}
    body = oai_respond(params=params, base_url=request.build_absolute_uri(reverse("archive:oai")))
    return StreamingHttpResponse(body, content_type="text/xml; charset=utf-8")
