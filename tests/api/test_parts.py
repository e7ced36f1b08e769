"""A unit's parts (notes, dates, extents, containers, digital objects, names, subjects) as
resources: read as the public page shows them, written through the admin's inline forms by a
token whose repository role allows it, in the unit's history, refused when stale."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.models import LogEntry

from archive.models import Agent, Component, Container, Note, Subject
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def call(client, method, url, token=None, data=None, **headers):
    if token:
        headers.update(bearer(token))
    payload = json.dumps(data) if data is not None else None
    return client.generic(method, url, payload or "", content_type="application/json", **headers)


def body(response):
    return json.loads(response.content)


def version(client, unit, token):
    return body(call(client, "GET", f"/api/components/{unit.pk}", token))["version"]


def test_public_read_shows_only_what_the_public_page_shows(client, world):
    url = f"/api/components/{world.root.pk}/notes"
    public = body(call(client, "GET", url))["items"]
    assert [n["note_type"] for n in public] == ["abstract", "scopecontent"]
    scope = public[1]["content"]
    assert "Letters." in scope and "discretion" not in scope
    staff = body(call(client, "GET", url, world.vic))["items"]
    assert {n["note_type"] for n in staff} == {"abstract", "processinfo", "scopecontent"}
    assert "discretion" in [n for n in staff if n["note_type"] == "scopecontent"][0]["content"]
    dates = body(call(client, "GET", f"/api/components/{world.root.pk}/dates"))["items"]
    assert [d["expression"] for d in dates] == ["1912-1994"]
    hidden = Note.objects.get(note_type="processinfo")
    assert call(client, "GET", f"{url}/{hidden.pk}").status_code == 404
    assert call(client, "GET", f"{url}/{hidden.pk}", world.vic).status_code == 200


def test_parts_of_an_unpublished_unit_are_not_found_by_the_public_or_another_repository(
    client, world
):
    url = f"/api/components/{world.hidden_file.pk}/notes"
    assert call(client, "GET", url).status_code == 404
    assert call(client, "GET", url, world.bob).status_code == 404
    assert call(client, "GET", url, world.vic).status_code == 200


def test_a_note_added_is_in_the_unit_history_and_log_as_the_token_user(client, world):
    unit = world.public_series
    url = f"/api/components/{unit.pk}/notes"
    before = version(client, unit, world.ana)
    response = call(
        client, "POST", url, world.ana, {"note_type": "scopecontent", "content": "Letters & cards"}
    )
    assert response.status_code == 201, response.content
    note = body(response)
    assert note["content"] == "Letters &amp; cards" and note["published"] is True
    assert [n["id"] for n in body(call(client, "GET", url))["items"]] == [note["id"]]
    unit.refresh_from_db()
    assert unit.history.latest().history_user.username == "ana"
    assert Note.objects.get(pk=note["id"]).history.latest().history_user.username == "ana"
    entry = LogEntry.objects.filter(object_id=str(unit.pk)).latest("action_time")
    assert entry.user.username == "ana" and "note" in entry.get_change_message()
    # The unit's version moved on: a write from the read before the note is stale.
    assert version(client, unit, world.ana) != before
    stale = call(
        client, "PATCH", f"{url}/{note['id']}", world.ana, {"version": before, "heading": "X"}
    )
    assert stale.status_code == 409 and body(stale)["code"] == "stale"


def test_if_match_with_the_etag_of_a_read_and_412_when_it_is_stale(client, world):
    note = Note.objects.get(note_type="abstract")
    url = f"/api/components/{world.root.pk}/notes/{note.pk}"
    etag = call(client, "GET", url, world.ana)["ETag"]
    changed = call(client, "PATCH", url, world.ana, {"heading": "Summary"}, HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.content
    assert body(changed)["heading"] == "Summary"
    again = call(client, "PATCH", url, world.ana, {"heading": "Abstract"}, HTTP_IF_MATCH=etag)
    assert again.status_code == 412 and body(again)["code"] == "stale"
    assert call(client, "PATCH", url, world.ana, {"heading": "Y"}).status_code == 428
    note.refresh_from_db()
    assert note.heading == "Summary"


def test_markup_dates_and_links_are_checked_as_in_the_admin(client, world):
    base = f"/api/components/{world.public_series.pk}"
    broken = call(
        client, "POST", f"{base}/notes", world.ana, {"note_type": "odd", "content": "<emph>x"}
    )
    assert broken.status_code == 422 and "content" in body(broken)["message"]
    no_type = call(client, "POST", f"{base}/notes", world.ana, {"content": "x"})
    assert no_type.status_code == 422 and "note_type" in body(no_type)["message"]
    reversed_range = call(
        client,
        "POST",
        f"{base}/dates",
        world.ana,
        {"expression": "x", "begin": "1950", "end": "1940"},
    )
    assert reversed_range.status_code == 422
    script = call(
        client,
        "POST",
        f"{base}/digital-objects",
        world.ana,
        {"title": "s", "link": "javascript:alert(1)"},
    )
    assert script.status_code == 422 and "link" in body(script)["message"]
    assert not world.public_series.notes.exists()


def test_writes_need_an_editing_role_in_the_unit_repository(client, world):
    data = {"note_type": "odd", "content": "x"}
    url = f"/api/components/{world.root.pk}/notes"
    assert call(client, "POST", url, None, data).status_code == 401
    assert call(client, "POST", url, world.vic, data).status_code == 403
    assert call(client, "POST", url, world.bob, data).status_code == 403
    draft_root = world.draft.components.get(depth=1)
    assert (
        call(client, "POST", f"/api/components/{draft_root.pk}/notes", world.bob, data).status_code
        == 404
    )
    note = Note.objects.get(note_type="processinfo")
    # Another repository's staff read the public view: the internal note is not there.
    assert call(client, "GET", f"{url}/{note.pk}", world.bob).status_code == 404
    assert (
        call(client, "DELETE", f"{url}/{note.pk}", world.bob, HTTP_IF_MATCH="*").status_code == 403
    )
    assert Note.objects.filter(pk=note.pk).exists()


def test_containers_share_the_collection_top_container(client, world):
    base = f"/api/components/{world.public_series.pk}/containers"
    first = call(
        client,
        "POST",
        base,
        world.ana,
        {"indicator": "3", "child_type": "folder", "child_indicator": "12"},
    )
    assert first.status_code == 201, first.content
    assert body(first)["container_type"] == "box" and body(first)["indicator"] == "3"
    other = Component.objects.get(ref="s1-1")
    second = call(
        client, "POST", f"/api/components/{other.pk}/containers", world.ana, {"indicator": "3"}
    )
    assert second.status_code == 201
    assert Container.objects.filter(collection=world.serge).count() == 1


def test_names_and_subjects_are_linked_and_unlinked(client, world):
    unit = world.public_series
    agent = Agent.objects.get(slug="serge-victor")
    subject = Subject.objects.create(term="Revolutionaries", slug="revolutionaries")
    linked = call(
        client,
        "POST",
        f"/api/components/{unit.pk}/agents",
        world.ana,
        {"agent": agent.pk, "role": "subject"},
    )
    assert linked.status_code == 201, linked.content
    call(client, "POST", f"/api/components/{unit.pk}/subjects", world.ana, {"subject": subject.pk})
    detail = body(call(client, "GET", f"/api/components/{unit.pk}"))
    assert [a["name"] for a in detail["agents"]] == [agent.authorized_name]
    assert [s["term"] for s in detail["subjects"]] == ["Revolutionaries"]
    missing = call(
        client, "POST", f"/api/components/{unit.pk}/agents", world.ana, {"agent": 999999}
    )
    assert missing.status_code == 422
    # The version in a query string, its "+" sent unencoded (it arrives as a space).
    current = version(client, unit, world.ana)
    link = body(linked)["id"]
    gone = call(
        client, "DELETE", f"/api/components/{unit.pk}/agents/{link}?version={current}", world.ana
    )
    assert gone.status_code == 204, gone.content
    assert body(call(client, "GET", f"/api/components/{unit.pk}"))["agents"] == []
