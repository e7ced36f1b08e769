"""Repository staff see and change only their repositories' records, through every door."""

import pytest
from django.urls import reverse

from archive import permissions
from archive.models import Agent, Collection, Component, Container, Note
from tests.factories import PASSWORD, make_collection, make_repository, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    beinecke, mssa = make_repository("beinecke"), make_repository("mssa")
    serge = make_collection(beinecke, "serge", [2, 2])
    macdonald = make_collection(mssa, "macdonald", [2])
    root = serge.root
    root.title = "Victor Serge papers"
    root.save()
    Note.objects.create(unit=root, note_type="abstract", content="Secret draft")
    Container.objects.create(collection=serge, indicator="1")
    Container.objects.create(collection=macdonald, indicator="99")
    Agent.objects.create(agent_type="person", authorized_name="Serge, Victor, 1890-1947")
    return {
        "serge": serge,
        "macdonald": macdonald,
        "ana": make_user("ana", repository=beinecke),
        "bob": make_user("bob", repository=mssa),
        "vic": make_user("vic", repository=beinecke, role="viewer"),
    }


def login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def test_changelists_show_only_own_repository(client, world):
    login(client, "bob")
    html = client.get(reverse("admin:archive_collection_changelist")).content.decode()
    assert "macdonald" in html and "serge" not in html
    html = client.get(reverse("admin:archive_component_changelist")).content.decode()
    assert "Victor Serge papers" not in html
    html = client.get(reverse("admin:archive_note_changelist")).content.decode()
    assert "Secret draft" not in html
    # Agents are shared.
    html = client.get(reverse("admin:archive_agent_changelist")).content.decode()
    assert "Serge, Victor" in html


def test_change_view_of_another_repository_is_closed(client, world):
    login(client, "bob")
    root = world["serge"].root
    for name, pk in [
        ("archive_component_change", root.pk),
        ("archive_collection_change", world["serge"].pk),
        ("archive_component_history", root.pk),
    ]:
        response = client.get(reverse(f"admin:{name}", args=[pk]))
        assert response.status_code in (302, 403, 404)
        assert "Victor Serge papers" not in response.content.decode()
    response = client.post(
        reverse("admin:archive_component_change", args=[root.pk]), {"title": "Hijacked"}
    )
    assert response.status_code in (302, 403, 404)
    root.refresh_from_db()
    assert root.title == "Victor Serge papers"


def test_autocomplete_offers_only_own_containers(client, world):
    login(client, "bob")
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "archive", "model_name": "containerinstance", "field_name": "container"},
    )
    assert response.status_code == 200
    texts = [r["text"] for r in response.json()["results"]]
    assert texts == ["Box 99"]
    agents = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "archive", "model_name": "agentlink", "field_name": "agent", "term": "Serge"},
    ).json()["results"]
    assert [a["text"] for a in agents] == ["Serge, Victor, 1890-1947"]


def test_actions_ignore_another_repositorys_records(client, world):
    login(client, "bob")
    ids = list(world["serge"].components.values_list("pk", flat=True))
    client.post(
        reverse("admin:archive_component_changelist"),
        {"action": "publish_components", "_selected_action": ids},
    )
    client.post(
        reverse("admin:archive_collection_changelist"),
        {"action": "publish_collections", "_selected_action": [world["serge"].pk]},
    )
    assert not world["serge"].components.filter(published=True).exists()


def test_outline_of_another_repository_is_not_found(client, world):
    login(client, "bob")
    serge = world["serge"]
    first = serge.components.get(title="1")
    assert (
        client.get(reverse("admin:archive_collection_outline", args=[serge.pk])).status_code == 404
    )
    for name, data in [
        ("archive_collection_outline_shift", {"offset": "1"}),
        ("archive_collection_outline_publish", {"publish": "1"}),
        ("archive_collection_outline_move", {"target": world["macdonald"].root.pk}),
    ]:
        response = client.post(reverse(f"admin:{name}", args=[serge.pk, first.pk]), data)
        assert response.status_code == 404
    assert Component.objects.get(pk=first.pk).collection_id == serge.pk


def test_cannot_move_own_component_into_another_repository(client, world):
    login(client, "bob")
    mac = world["macdonald"]
    unit = mac.components.get(title="1")
    url = reverse("admin:archive_collection_outline_move", args=[mac.pk, unit.pk])
    assert client.post(url, {"target": world["serge"].root.pk}).status_code == 404
    assert Component.objects.get(pk=unit.pk).collection_id == mac.pk


def test_viewer_sees_but_cannot_change(client, world):
    login(client, "vic")
    serge = world["serge"]
    root = serge.root
    assert client.get(reverse("admin:archive_component_change", args=[root.pk])).status_code == 200
    assert (
        client.get(reverse("admin:archive_collection_outline", args=[serge.pk])).status_code == 200
    )
    first = serge.components.get(title="1")
    shift = reverse("admin:archive_collection_outline_shift", args=[serge.pk, first.pk])
    assert client.post(shift, {"offset": "1"}).status_code == 403
    assert client.get(reverse("admin:archive_component_add")).status_code == 403
    response = client.post(
        reverse("admin:archive_component_change", args=[root.pk]), {"title": "x"}
    )
    assert response.status_code == 403


def test_archivist_changes_own_records(client, world):
    login(client, "ana")
    html = client.get(reverse("admin:archive_collection_changelist")).content.decode()
    assert "Victor Serge papers" in html and "macdonald" not in html


def test_scope_and_can_edit_rules(world):
    ana, bob = world["ana"], world["bob"]
    assert set(permissions.scope(Collection.objects.all(), ana)) == {world["serge"]}
    assert permissions.can_edit(ana, world["serge"].root)
    assert not permissions.can_edit(bob, world["serge"].root)
    assert not permissions.can_edit(world["vic"], world["serge"].root)
    assert permissions.can_view(world["vic"], world["serge"].root)
    superuser = make_user("root", superuser=True)
    assert set(permissions.scope(Collection.objects.all(), superuser)) == {
        world["serge"],
        world["macdonald"],
    }
    notes = permissions.scope(Note.objects.all(), bob)
    assert not notes.exists()


def test_a_record_whose_repository_is_gone_is_nobodys_but_the_superusers(world):
    """The last version of a deleted collection's component belongs to no repository any
    more; it is not a shared record (like an agent) that every member may see."""
    unit = world["serge"].components.get(title="1")
    unit.save()  # a first history entry
    pk = unit.pk
    world["serge"].delete()
    old = Component.history.filter(id=pk).latest("history_date").instance
    assert permissions.repository_of(old) is None
    for name in ("ana", "bob", "vic"):
        assert not permissions.can_view(world[name], old)
        assert not permissions.can_edit(world[name], old)
    assert permissions.can_view(make_user("root", superuser=True), old)
    # Shared records stay shared.
    agent = Agent.objects.get()
    assert permissions.can_view(world["bob"], agent) and permissions.can_edit(world["bob"], agent)
    assert permissions.can_view(world["vic"], agent) and not permissions.can_edit(
        world["vic"], agent
    )


def test_history_of_a_deleted_record_of_another_repository_is_not_found(client, world):
    unit = world["serge"].components.get(title="1")
    unit.title = "Serge correspondence"
    unit.save()
    pk = unit.pk
    world["serge"].delete()
    login(client, "bob")
    response = client.get(reverse("admin:archive_component_history", args=[pk]))
    assert response.status_code == 404
    assert "Serge correspondence" not in response.content.decode()
