"""Every error of the API is JSON with a code and a message, with the status HTTP means."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_a_method_a_path_does_not_serve_is_a_json_405_naming_the_allowed_ones(client, world):
    response = client.generic("PUT", f"/api/components/{world.root.pk}", "{}", **bearer(world.ana))
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response["Allow"] == "DELETE, GET, PATCH"
    error = json.loads(response.content)
    assert error["code"] == "method_not_allowed" and "PUT" in error["message"]
    listing = client.post("/api/repositories")
    assert listing.status_code == 405 and listing["Allow"] == "GET"
    assert json.loads(listing.content)["code"] == "method_not_allowed"


def test_an_unknown_address_is_a_json_404(client, world):
    for method in ("GET", "POST", "DELETE"):
        response = client.generic(method, "/api/no/such/thing")
        assert response.status_code == 404
        assert json.loads(response.content)["code"] == "not_found"


@pytest.mark.parametrize(
    "method, url, data, status, code",
    [
        ("GET", "/api/components/abc", None, 422, "invalid"),
        ("GET", "/api/collections?cursor=forged", None, 400, "bad_cursor"),
        ("POST", "/api/components/{root}/children", "{not json", 400, "bad_request"),
        ("PATCH", "/api/components/{root}", '{"title": 5}', 422, "invalid"),
        ("PATCH", "/api/components/{root}", '{"title": "x"}', 428, "version_required"),
        ("GET", "/api/components/999999", None, 404, "not_found"),
    ],
)
def test_bad_requests_answer_json_with_a_code_and_a_message(
    client, world, method, url, data, status, code
):
    response = client.generic(
        method,
        url.format(root=world.root.pk),
        data or "",
        content_type="application/json",
        **bearer(world.ana),
    )
    assert response.status_code == status
    error = json.loads(response.content)
    assert error["code"] == code and error["message"]


def test_a_bad_token_is_a_json_401_with_the_bearer_challenge(client, world):
    response = client.get("/api/collections", HTTP_AUTHORIZATION="Bearer fonds_nope")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert json.loads(response.content)["code"] == "invalid_token"


def test_head_answers_wherever_get_does_with_the_same_etag(client, world):
    url = f"/api/components/{world.root.pk}"
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == client.get(url)["ETag"]
    assert client.head("/api/no/such/thing").status_code == 404
