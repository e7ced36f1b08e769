"""Errors as JSON ``{"code": ..., "message": ...}``, with the HTTP status a client expects.

Every exception the API lets out is mapped here, so a script can branch on ``code`` and a
person can read ``message``; an unexpected one still answers JSON rather than an HTML page.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError


class Error(Schema):
    """The body of every error response."""

    code: str
    message: str


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
