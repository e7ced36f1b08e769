"""Writes: through the admin's validation and outline services, in the history as the token's
user, refused when stale, and only where the token's repository roles allow."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from archive.models import Component
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def call(client, method, url, token=None, data=None):
    headers = bearer(token) if token else {}
    payload = json.dumps(data) if data is not None else None
    return getattr(client, method)(url, payload, content_type="application/json", **headers)


def read(client, unit, token):
    return json.loads(call(client, "get", f"/api/components/{unit.pk}", token).content)


def test_create_under_a_parent_at_a_position(client, world):
    url = f"/api/components/{world.public_series.pk}/children"
    response = call(client, "post", url, world.ana, {"title": "Letter 0", "position": 1})
    assert response.status_code == 201
    created = json.loads(response.content)
    assert created["published"] is False and created["parent"] == world.public_series.pk
    children = json.loads(call(client, "get", url, world.ana).content)["items"]
    assert [c["title"] for c in children][:2] == ["Letter 0", "Letter 1"]
    unit = Component.objects.get(pk=created["id"])
    assert unit.history.latest().history_user.username == "ana"


def test_update_is_recorded_with_the_token_user_and_refused_when_stale(client, world):
    unit = world.public_series
    version = read(client, unit, world.ana)["version"]
    url = f"/api/components/{unit.pk}"
    response = call(client, "patch", url, world.ana, {"version": version, "title": "Letters"})
    assert response.status_code == 200 and json.loads(response.content)["title"] == "Letters"
    assert unit.history.latest().history_user.username == "ana"
    # A second write with the version read before the first is stale.
    stale = call(client, "patch", url, world.ana, {"version": version, "title": "Post"})
    assert stale.status_code == 409 and json.loads(stale.content)["code"] == "stale"
    unit.refresh_from_db()
    assert unit.title == "Letters"


def test_markup_is_checked_like_the_admin_form(client, world):
    unit = world.public_series
    version = read(client, unit, world.ana)["version"]
    response = call(
        client,
        "patch",
        f"/api/components/{unit.pk}",
        world.ana,
        {"version": version, "title_markup": "<emph>unclosed"},
    )
    assert response.status_code == 422
    assert json.loads(response.content)["code"] == "invalid"


def test_delete_and_move(client, world):
    target = Component.objects.get(ref="s1-7")
    version = read(client, target, world.ana)["version"]
    moved = call(
        client,
        "post",
        f"/api/components/{target.pk}/move",
        world.ana,
        {"version": version, "parent": world.hidden_series.pk, "position": 1},
    )
    assert (
        moved.status_code == 200 and json.loads(moved.content)["parent"] == world.hidden_series.pk
    )
    # Now below an unpublished series: gone from the public view.
    assert call(client, "get", f"/api/components/{target.pk}").status_code == 404
    version = read(client, target, world.ana)["version"]
    url = f"/api/components/{target.pk}?{urlencode({'version': version})}"
    assert call(client, "delete", url, world.ana).status_code == 204
    assert not Component.objects.filter(pk=target.pk).exists()
    root_version = read(client, world.root, world.ana)["version"]
    response = call(
        client,
        "delete",
        f"/api/components/{world.root.pk}?{urlencode({'version': root_version})}",
        world.ana,
    )
    assert response.status_code == 409


def test_roles_decide_who_may_write(client, world):
    unit = world.public_series
    version = read(client, unit, world.ana)["version"]
    body = {"version": version, "title": "Taken over"}
    url = f"/api/components/{unit.pk}"
    assert call(client, "patch", url, None, body).status_code == 401
    assert call(client, "patch", url, world.vic, body).status_code == 403  # a viewer
    assert call(client, "patch", url, world.bob, body).status_code == 403  # another repository
    # Another repository's unpublished record does not exist for this token.
    hidden = f"/api/components/{world.hidden_file.pk}"
    assert call(client, "patch", hidden, world.bob, body).status_code == 404
    new = {"title": "Planted"}
    assert call(client, "post", f"{hidden}/children", world.bob, new).status_code == 404
    unit.refresh_from_db()
    assert unit.title == "Correspondence"


def test_reorder_among_siblings(client, world):
    last = Component.objects.get(ref="s1-7")
    version = read(client, last, world.ana)["version"]
    moved = call(
        client,
        "post",
        f"/api/components/{last.pk}/move",
        world.ana,
        {"version": version, "position": 1},
    )
    assert moved.status_code == 200
    page = json.loads(
        call(client, "get", f"/api/components/{world.public_series.pk}/children").content
    )
    assert [c["title"] for c in page["items"]][:3] == ["Letter 7", "Letter 1", "Letter 2"]
    assert last.history.latest().history_user.username == "ana"


def test_if_match_with_the_etag_of_a_read_changes_and_then_is_stale(client, world):
    unit = world.public_series
    url = f"/api/components/{unit.pk}"
    etag = client.get(url, **bearer(world.ana))["ETag"]
    headers = {**bearer(world.ana), "HTTP_IF_MATCH": etag}
    changed = client.patch(url, json.dumps({"title": "Letters"}), "application/json", **headers)
    assert changed.status_code == 200 and json.loads(changed.content)["title"] == "Letters"
    assert unit.history.latest().history_user.username == "ana"
    stale = client.patch(url, json.dumps({"title": "Post"}), "application/json", **headers)
    assert stale.status_code == 412 and json.loads(stale.content)["code"] == "stale"
    # The quoted version is an entity tag too.
    version = read(client, unit, world.ana)["version"]
    quoted = {**bearer(world.ana), "HTTP_IF_MATCH": f'"{version}"'}
    again = client.patch(url, json.dumps({"title": "Post"}), "application/json", **quoted)
    assert again.status_code == 200
    unit.refresh_from_db()
    assert unit.title == "Post"


def test_delete_takes_the_version_unencoded_in_the_query_string(client, world):
    unit = Component.objects.get(ref="s1-7")
    version = read(client, unit, world.ana)["version"]
    assert "+" in version
    no_version = client.delete(f"/api/components/{unit.pk}", **bearer(world.ana))
    assert no_version.status_code == 428
    response = client.delete(f"/api/components/{unit.pk}?version={version}", **bearer(world.ana))
    assert response.status_code == 204, response.content
    assert not Component.objects.filter(pk=unit.pk).exists()
