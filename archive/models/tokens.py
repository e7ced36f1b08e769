"""Personal API tokens: how a script acts as a staff member in the JSON API.

Only the SHA-256 digest of a token is stored: the secret is shown once, when the token is made
(``ApiToken.issue``), and a leaked database cannot be replayed against the API. A token acts
with exactly its owner's repository roles (``archive.permissions``), so revoking a membership
narrows every token of that person at once.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

#: Every token starts with this, so a leaked one is recognisable in logs and by secret scanners.
TOKEN_PREFIX = "fonds_"


def token_digest(token: str) -> str:
    """The stored form of a token: hex SHA-256 of the whole string given by the client."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A personal token; ``revoked`` tokens are kept (with their dates) but refused."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. nightly export")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=16, editable=False, help_text="The token's first characters, to tell it apart"
    )
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["user", "-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, *, user: models.Model, name: str) -> tuple[ApiToken, str]:
        """Make a token for ``user``; returns the row and the secret, which is never stored."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, digest=token_digest(secret), hint=secret[: len(TOKEN_PREFIX) + 4]
        )
        return token, secret

    def revoke(self) -> None:
        """Refuse the token from now on (idempotent)."""
        if self.revoked is None:
            self.revoked = timezone.now()
            self.save(update_fields=["revoked"])
