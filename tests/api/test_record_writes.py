"""Writes of a collection's finding-aid metadata, of agents and of subjects: the admin's forms
and permissions, the history under the token's user, stale writes refused."""

from __future__ import annotations

import json

import pytest

from archive.models import Agent, AgentRelation, Collection, Subject
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def call(client, method, url, token=None, data=None, **headers):
    if token:
        headers.update(bearer(token))
    payload = json.dumps(data) if data is not None else ""
    return client.generic(method, url, payload, content_type="application/json", **headers)


def body(response):
    return json.loads(response.content)


def test_finding_aid_metadata_is_changed_by_an_archivist_of_its_repository(client, world):
    url = f"/api/collections/{world.serge.pk}"
    read = body(call(client, "GET", url, world.ana))
    assert body(call(client, "GET", url))["version"] is None  # the public gets no version
    changed = call(
        client, "PATCH", url, world.ana, {"version": read["version"], "finding_aid_author": "A. B."}
    )
    assert changed.status_code == 200, changed.content
    assert body(changed)["finding_aid_author"] == "A. B."
    world.serge.refresh_from_db()
    assert world.serge.history.latest().history_user.username == "ana"
    stale = call(client, "PATCH", url, world.ana, {"version": read["version"], "publisher": "X"})
    assert stale.status_code == 409 and body(stale)["code"] == "stale"
    broken = call(
        client, "PATCH", url, world.ana, {"finding_aid_subtitle": "<emph>x"}, HTTP_IF_MATCH="*"
    )
    assert broken.status_code == 422 and "finding_aid_subtitle" in body(broken)["message"]
    history = [
        {"date": "2026-12-05", "agent": "A. B.", "description": "Box list revised"},
        {"date": "2026-12-06", "agent": "A. B.", "description": "Donor note", "published": False},
    ]
    revised = call(client, "PATCH", url, world.ana, {"revisions": history}, HTTP_IF_MATCH="*")
    assert revised.status_code == 200, revised.content
    assert [r["description"] for r in body(revised)["revisions"]] == [
        "Box list revised",
        "Donor note",
    ]
    # The public reads the revision history without the entry kept to staff.
    public = body(call(client, "GET", url))["revisions"]
    assert [r["description"] for r in public] == ["Box list revised"]


def test_collection_writes_follow_the_repository_roles(client, world):
    data = {"publisher": "X"}
    serge, draft = f"/api/collections/{world.serge.pk}", f"/api/collections/{world.draft.pk}"
    assert call(client, "PATCH", serge, None, data, HTTP_IF_MATCH="*").status_code == 401
    assert call(client, "PATCH", serge, world.vic, data, HTTP_IF_MATCH="*").status_code == 403
    assert call(client, "PATCH", serge, world.bob, data, HTTP_IF_MATCH="*").status_code == 403
    # Another repository's unpublished finding aid does not exist for bob.
    assert call(client, "PATCH", draft, world.bob, data, HTTP_IF_MATCH="*").status_code == 404
    assert call(client, "GET", draft, world.bob).status_code == 404
    assert not Collection.objects.filter(publisher="X").exists()


def test_a_new_collection_has_an_unpublished_root_in_a_repository_the_token_may_edit(client, world):
    data = {"repository": "beinecke", "ead_id": "new-fa", "title": "New papers"}
    created = call(client, "POST", "/api/collections", world.ana, data)
    assert created.status_code == 201, created.content
    collection = body(created)
    assert collection["title"] == "New papers" and collection["published"] is False
    assert call(client, "GET", f"/api/collections/{collection['id']}").status_code == 404
    again = call(client, "POST", "/api/collections", world.ana, data)
    assert again.status_code == 422  # the EAD id is taken in this repository
    elsewhere = call(client, "POST", "/api/collections", world.ana, {**data, "repository": "mssa"})
    assert elsewhere.status_code == 403


def test_an_agent_with_variant_names_and_relations(client, world):
    serge = Agent.objects.get(slug="serge-victor")
    data = {
        "agent_type": "person",
        "authorized_name": "Kibalchich, Vlady, 1920-2005",
        "variant_names": [{"name": "Vlady", "note": "signature"}],
        "relations": [{"relation_type": "child", "target": serge.pk}],
    }
    assert call(client, "POST", "/api/agents", world.vic, data).status_code == 403
    created = call(client, "POST", "/api/agents", world.ana, data)
    assert created.status_code == 201, created.content
    agent = body(created)
    assert agent["slug"] == "kibalchich-vlady-1920-2005"
    assert [v["name"] for v in agent["variant_names"]] == ["Vlady"]
    assert [(r["agent"]["id"], r["outgoing"]) for r in agent["relations"]] == [(serge.pk, True)]
    assert Agent.objects.get(pk=agent["id"]).history.latest().history_user.username == "ana"
    # Serge's side reads the same relation backwards.
    back = body(call(client, "GET", f"/api/agents/{serge.pk}", world.ana))["relations"]
    assert [(r["agent"]["id"], r["outgoing"]) for r in back] == [(agent["id"], False)]

    url = f"/api/agents/{agent['id']}"
    changed = call(
        client,
        "PATCH",
        url,
        world.bob,  # an archivist of any repository edits the shared names
        {"version": agent["version"], "existence_begin": "1920-06-15", "relations": []},
    )
    assert changed.status_code == 200, changed.content
    assert body(changed)["existence_begin"] == "1920-06-15" and body(changed)["relations"] == []
    assert not AgentRelation.objects.filter(source_id=agent["id"]).exists()
    stale = call(client, "PATCH", url, world.ana, {"version": agent["version"], "qualifier": "x"})
    assert stale.status_code == 409
    selfish = call(
        client,
        "PATCH",
        url,
        world.ana,
        {"relations": [{"relation_type": "associate", "target": agent["id"]}]},
        HTTP_IF_MATCH="*",
    )
    assert selfish.status_code == 422


def test_subjects_are_made_and_changed_by_archivists(client, world):
    data = {"term": "Trotskyism", "subject_type": "topical", "source": "lcsh"}
    assert call(client, "POST", "/api/subjects", None, data).status_code == 401
    created = call(client, "POST", "/api/subjects", world.bob, data)
    assert created.status_code == 201, created.content
    subject = body(created)
    url = f"/api/subjects/{subject['id']}"
    etag = call(client, "GET", url, world.bob)["ETag"]
    renamed = call(client, "PATCH", url, world.bob, {"term": "Trotskyists"}, HTTP_IF_MATCH=etag)
    assert renamed.status_code == 200 and body(renamed)["term"] == "Trotskyists"
    assert Subject.objects.get(pk=subject["id"]).history.latest().history_user.username == "bob"
    stale = call(client, "PATCH", url, world.bob, {"term": "T"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
