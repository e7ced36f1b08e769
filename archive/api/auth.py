"""Who is calling: the owner of a personal API token, or the public.

A request without ``Authorization`` is anonymous and reads as the public site does. A request
with a bearer token that is unknown, revoked, or whose owner is no longer active staff is
refused with 401 rather than silently treated as anonymous: a script with a broken token
should fail loudly, not read less than it expects.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from archive.api.errors import ApiError, BadToken
from archive.models import ApiToken
from archive.models.tokens import token_digest
from archive.permissions import User

# Refresh ``last_used`` at most this often, so reads do not each cost a write.
_LAST_USED_GRACE_SECONDS = 60


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: the token's user, or 401."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = (
            ApiToken.objects.select_related("user")
            .filter(digest=token_digest(token), revoked__isnull=True)
            .first()
        )
        if row is None or not (row.user.is_active and row.user.is_staff):
            raise BadToken()
        now = timezone.now()
        if (
            row.last_used is None
            or (now - row.last_used).total_seconds() > _LAST_USED_GRACE_SECONDS
        ):
            ApiToken.objects.filter(pk=row.pk).update(last_used=now)
        request.user = row.user
        return row.user


def anonymous(request: HttpRequest) -> Any:
    """No ``Authorization`` header: the public. A malformed header is a bad token."""
    if request.headers.get("Authorization"):
        raise BadToken()
    request.user = AnonymousUser()
    return True


def caller(request: HttpRequest) -> User:
    """The user the request acts as (set by the authentication above)."""
    return getattr(request, "user", None) or AnonymousUser()


def writer(request: HttpRequest) -> User:
    """The caller of a write: a token's user, or 401 (what they may change is
    ``archive.permissions``'s to say)."""
    user = caller(request)
    if not user.is_authenticated:
        raise ApiError(401, "unauthorised", "Changes need an API token.")
    return user
