"""Personal API tokens: made in the admin, shown once, stored hashed, revoked in the admin."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.urls import reverse

from archive.models import ApiToken
from tests.factories import PASSWORD, make_repository, make_user

pytestmark = pytest.mark.django_db


def test_a_token_made_in_the_admin_is_shown_once_and_stored_hashed(client):
    make_user("ana", repository=make_repository("beinecke"))
    assert client.login(username="ana", password=PASSWORD)
    response = client.post(
        reverse("admin:archive_apitoken_add"), {"name": "nightly export"}, follow=True
    )
    page = response.content.decode()
    secret = re.search(r"(fonds_[A-Za-z0-9_-]{40,})", page).group(1)
    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.digest, token.hint, token.name}
    # Never again: not on the list, not on the token's own page.
    for url in (
        reverse("admin:archive_apitoken_changelist"),
        reverse("admin:archive_apitoken_change", args=[token.pk]),
    ):
        assert secret not in client.get(url).content.decode()
    api = client.get("/api/collections", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.status_code == 200

    client.post(
        reverse("admin:archive_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert client.get("/api/collections", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_staff_see_only_their_own_tokens(client):
    repository = make_repository("beinecke")
    ana = make_user("ana", repository=repository)
    bob = make_user("bob", repository=repository)
    ApiToken.issue(user=ana, name="ana's script")
    theirs, _ = ApiToken.issue(user=bob, name="bob's script")
    assert client.login(username="ana", password=PASSWORD)
    listing = client.get(reverse("admin:archive_apitoken_changelist")).content.decode()
    assert "ana&#x27;s script" in listing and "bob&#x27;s script" not in listing
    response = client.get(reverse("admin:archive_apitoken_change", args=[theirs.pk]))
    assert response.status_code in (302, 403, 404)
