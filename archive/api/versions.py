"""The optimistic lock of writes: ``If-Match`` (the HTTP way) or the record's ``version``.

A staff read of a record gives two ways to say "I am changing what I read":

- the response's ``ETag``, sent back as ``If-Match: "<etag>"``: the write goes ahead only if
  the record's representation at that address is still the one read; otherwise
  ``412 Precondition Failed`` (RFC 9110, section 13.1.1). ``If-Match: *`` means "whatever it
  is now". The quoted ``version`` is accepted as an entity tag too;
- the ``version`` field of the record (its last-change timestamp, the admin form's
  ``edit_version``), in the body or, for a DELETE, the query string; an older one gives
  ``409 Conflict``, exactly as the admin refuses a save over a colleague's newer change.
  A ``+`` of the timestamp that reached us as a space (an unencoded query string) is read
  back as the ``+`` it was: a timestamp never holds a space.

A write that sends neither is refused with ``428 Precondition Required`` (RFC 6585), so that no
script overwrites a change it never saw by forgetting the check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Annotated, Any

from ninja import Header, Schema
from ninja.renderers import JSONRenderer
from pydantic import Field

from archive.api.errors import ApiError

IF_MATCH_DOC = (
    "Send `If-Match` with the ETag of your last read of this address (or the quoted "
    "`version`), or the `version` itself, so that a change made since is not overwritten: a "
    "stale `If-Match` gets 412, a stale `version` 409, neither 428."
)

#: The ``If-Match`` request header, declared on every write so the OpenAPI document shows it.
IfMatch = Annotated[str | None, Header(alias="If-Match", description=IF_MATCH_DOC)]

#: The ``version`` a write may send instead of ``If-Match``, as documented in the OpenAPI.
Version = Annotated[
    str | None,
    Field(
        description="The record's `version` as your read gave it (an ISO timestamp), if you "
        "do not send If-Match: refused with 409 when someone changed the record since."
    ),
]


def body_etag(content: bytes) -> str:
    """The strong ETag of a response body (what every read answers with)."""
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def representation_etag(schema: type[Schema], data: dict[str, Any]) -> str:
    """The ETag a read of ``data`` shaped by ``schema`` would carry: the body django-ninja
    writes for it (validated by the schema, rendered by the API's JSON renderer)."""
    dumped = schema.model_validate(data).model_dump()
    body = JSONRenderer().render(None, dumped, response_status=200)  # type: ignore[arg-type]
    return body_etag(body.encode() if isinstance(body, str) else body)


def normalise(version: str | None) -> str | None:
    """A ``version`` as sent; a space (a ``+`` that went through a query string unencoded)
    becomes ``+`` again."""
    if version is None:
        return None
    version = version.strip().replace(" ", "+")
    return version or None


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def checked_version(
    *,
    if_match: str | None,
    version: str | None,
    current: str,
    etag: Callable[[], str] | None = None,
    required: bool = True,
) -> str | None:
    """The version a write goes ahead with, or the refusal.

    ``current`` is the record's version now (read under the write's lock); ``etag`` computes
    its representation's ETag now, for ``If-Match``. Returns ``current`` when ``If-Match``
    holds (the admin form then finds nothing stale), else the ``version`` sent, for the
    caller's stale check (the admin form's). With neither, ``None`` when not ``required``.
    """
    if if_match is not None:
        tags = _tags(if_match)
        if "*" in tags:
            return current
        allowed = {f'"{current}"'}
        if etag is not None:
            allowed.add(etag())
        if not allowed.intersection(tags):
            raise ApiError(
                412,
                "stale",
                "If-Match does not match: the record was changed after you read it. Read it "
                "again, then redo your change.",
            )
        return current
    version = normalise(version)
    if version is None and required:
        raise ApiError(
            428,
            "version_required",
            "Say which version you are changing: an If-Match header with the ETag of your "
            "read, or the record's version.",
        )
    return version


def refuse_stale(version: str | None, current: str) -> None:
    """409 when ``version`` (from :func:`checked_version`) is not the record's ``current``
    one; for records whose stale check is not done by an admin form."""
    if version is not None and version != current:
        raise ApiError(
            409,
            "stale",
            "This record was changed after you read it. Your change was not saved: read it "
            "again to see the newer version, then redo your change.",
        )
