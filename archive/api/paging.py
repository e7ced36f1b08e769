"""Cursor pagination and ETags for reads.

A cursor is the sort key of the last item returned, signed (``django.core.signing``) so that
clients treat it as opaque and cannot forge one; a page after it is one indexed range query
(``key > last``, ``LIMIT limit + 1``), whatever the depth into the list, unlike an offset.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any

from django.core import signing
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from ninja import Path

from archive.api.errors import ApiError
from archive.api.versions import body_etag

_SALT = "fonds.api.cursor"
DEFAULT_LIMIT = 50
MAX_LIMIT = 100

#: A record id in a path: a positive 64-bit integer (anything else cannot name a row; a larger
#: number would overflow the database's integer before it could be answered 404).
RecordId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def make_cursor(list_name: str, key: Any) -> str:
    """An opaque cursor for the item after ``key`` in the list ``list_name``."""
    return signing.dumps([list_name, key], salt=_SALT, compress=True)


def read_cursor(list_name: str, cursor: str | None) -> Any:
    """The sort key a cursor carries; 400 when it is forged, damaged or from another list."""
    if not cursor:
        return None
    try:
        name, key = signing.loads(cursor, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise ApiError(400, "bad_cursor", "The cursor is not one this API gave out.") from exc
    if name != list_name:
        raise ApiError(400, "bad_cursor", "The cursor belongs to another list.")
    return key


def page(
    queryset: QuerySet, *, list_name: str, key: str, cursor: str | None, limit: int
) -> tuple[list, str | None]:
    """One page of ``queryset`` ordered by the unique column ``key``, and the next cursor."""
    after = read_cursor(list_name, cursor)
    if after is not None:
        queryset = queryset.filter(**{f"{key}__gt": after})
    rows = list(queryset.order_by(key)[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, make_cursor(list_name, getattr(rows[-1], key))


def with_etag(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Give a successful read a strong ETag (a digest of its body) and answer 304 when the
    client's ``If-None-Match`` names it. The body depends on who asks, so caches are told to
    key on ``Authorization``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        patch_vary_headers(response, ["Authorization"])
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if getattr(response, "streaming", False) or response.has_header("ETag"):
            etag = response.get("ETag")
        else:
            etag = body_etag(response.content)
            response["ETag"] = etag
        if etag:
            conditional = get_conditional_response(request, etag=etag)
            if conditional is not None:
                conditional["ETag"] = etag
                patch_vary_headers(conditional, ["Authorization"])
                return conditional
        return response

    return wrapper
