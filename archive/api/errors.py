"""Errors as JSON ``{"code": ..., "message": ...}``, with the HTTP status a client expects.

Every exception the API lets out is mapped here, so a script can branch on ``code`` and a
person can read ``message``; an unexpected one still answers JSON rather than an HTML page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger("django.request")


class Error(Schema):
    """The body of every error response."""

    code: str
    message: str


#: The statuses a read may answer with besides success (the OpenAPI ``response`` map).
READ_ERRORS: dict[int, type[Error]] = {400: Error, 401: Error, 404: Error, 422: Error}

#: The statuses a write may answer with: no token (401), no right (403), a stale version (409,
#: 412), a write without one where it is required (428).
WRITE_ERRORS: dict[int, type[Error]] = {
    400: Error,
    401: Error,
    403: Error,
    404: Error,
    409: Error,
    412: Error,
    422: Error,
    428: Error,
}


class ApiError(Exception):
    """An error a handler raises on purpose: a status, a stable code and a readable message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class BadToken(ApiError):
    def __init__(self) -> None:
        super().__init__(401, "invalid_token", "The API token is unknown or has been revoked.")


def _reply(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str
) -> HttpResponse:
    response = api.create_response(request, {"code": code, "message": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="fonds"'
    return response


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api`` (one place for every status the API answers)."""

    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return _reply(api, request, exc.status, exc.code, exc.message)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _reply(api, request, 404, "not_found", str(exc) or "Not found.")

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _reply(api, request, 403, "forbidden", str(exc) or "You may not do this.")

    @api.exception_handler(AuthenticationError)
    def _unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _reply(api, request, 401, "unauthorised", "This needs an API token.")

    @api.exception_handler(NinjaValidationError)
    def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors
        )
        return _reply(api, request, 422, "invalid", problems or "Invalid request.")

    @api.exception_handler(ValidationError)
    def _refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        # A model or service rule (an outline move that would break the tree, say).
        return _reply(api, request, 422, "invalid", " ".join(exc.messages))

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = "bad_request" if exc.status_code == 400 else f"http_{exc.status_code}"
        return _reply(api, request, exc.status_code, code, str(exc))

    @api.exception_handler(SuspiciousOperation)
    def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        # Django's own answer would be an HTML page; a body over the size limit is a 413.
        if isinstance(exc, RequestDataTooBig):
            return _reply(api, request, 413, "too_large", "The request body is too large.")
        return _reply(api, request, 400, "bad_request", "The request was refused as malformed.")

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A bug: logged (and mailed to the admins) as Django logs a server error, but the
        # client still gets the JSON shape it can parse, never a traceback page.
        logger.error(
            "Internal Server Error: %s", request.path, exc_info=exc, extra={"request": request}
        )
        return _reply(api, request, 500, "internal", "Something went wrong on our side.")


def method_not_allowed(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap one of the API's URL views so that a method the path does not answer gets the
    API's JSON error (405, with the ``Allow`` header naming the methods it does answer)
    instead of django-ninja's plain-text page, and ``HEAD`` is answered wherever ``GET`` is."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        allowed = ", ".join(sorted(m.strip() for m in response.get("Allow", "").split(",") if m))
        if request.method == "HEAD" and "GET" in allowed.split(", "):
            # HEAD is GET without the body (RFC 9110, 9.3.2): the same headers, ETag
            # included; the server leaves the body out.
            request.method = "GET"
            try:
                return view(request, *args, **kwargs)
            finally:
                request.method = "HEAD"
        reply = JsonResponse(
            {
                "code": "method_not_allowed",
                "message": f"{request.method} is not allowed here; allowed: {allowed}.",
            },
            status=405,
        )
        reply["Allow"] = allowed
        return reply

    return wrapper
