"""Who may reach which repository's records, through every staff door of the admin and the
public site (issue 11, items 2, 4, 5, 12, 13).

Two repositories, A and B, each with a collection holding unpublished description, a note, a
digital object, a container and a staff membership. Six kinds of visitor: a superuser, the
manager, archivist and viewer of A, a staff user with no role, and an anonymous visitor. Every
record of B carries the word ``BSECRET`` in what a page would show, so "nothing of B leaked"
is one substring test; the superuser rows prove each probe does reach B's records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from archive.models import (
    Agent,
    AgentLink,
    Collection,
    Component,
    Container,
    DigitalObject,
    Note,
    Repository,
    RepositoryMembership,
)
from archive.search import index
from tests.factories import build_pages_world, make_collection, make_repository, make_user

pytestmark = pytest.mark.django_db

SECRET = "BSECRET"
OWN = "AOWN"
USERS = ("superuser", "manager", "archivist", "viewer", "norole", "anonymous")
MEMBERS = ("manager", "archivist", "viewer")
# Models of the archive admin with one record of each repository in the world below.
MODELS = ("collection", "component", "note", "digitalobject", "container", "repositorymembership")


@dataclass
class Side:
    """One repository's records."""

    repository: Repository
    collection: Collection  # published root, unpublished series with a file
    hidden_collection: Collection  # nothing published
    series: Component  # unpublished, marked
    file: Component
    note: Note
    digital_object: DigitalObject
    container: Container
    membership: RepositoryMembership

    def record(self, model: str):
        return {
            "collection": self.collection,
            "component": self.series,
            "note": self.note,
            "digitalobject": self.digital_object,
            "container": self.container,
            "repositorymembership": self.membership,
        }[model]


@dataclass
class World:
    a: Side
    b: Side


def _side(code: str, marker: str, member: str) -> Side:
    repository = make_repository(code)
    collection = make_collection(repository, f"{code}-papers", [2, 1])
    root = collection.root
    root.title = f"{marker} papers"
    root.published = True
    root.save()  # .save() writes a first history entry (bulk-created rows have none)
    series = collection.components.get(title="1")
    series.title = f"{marker} series"
    series.save()
    unit_file = collection.components.get(title="1.1")
    unit_file.title = f"{marker} file"
    unit_file.save()
    Component.objects.filter(collection=collection, depth__gt=1).exclude(pk=series.pk).update(
        published=True
    )
    hidden = make_collection(repository, f"{code}-hidden", [1])
    hidden_root = hidden.root
    hidden_root.title = f"{marker} hidden collection"
    hidden_root.save()
    note = Note.objects.create(
        unit=series, note_type="odd", heading=f"{marker} note", content="<p>Draft.</p>"
    )
    digital_object = DigitalObject.objects.create(
        unit=series, title=f"{marker} scan", link="https://images.example.org/scan"
    )
    container = Container.objects.create(collection=collection, indicator=f"{marker}-7")
    membership = RepositoryMembership.objects.get(
        user=make_user(f"{member}", repository=repository), repository=repository
    )
    return Side(
        repository=repository,
        collection=collection,
        hidden_collection=hidden,
        series=series,
        file=unit_file,
        note=note,
        digital_object=digital_object,
        container=container,
        membership=membership,
    )


@pytest.fixture
def world() -> World:
    with index.paused():
        a = _side("repa", OWN, "amember")
        b = _side("repb", SECRET, "bsecretmember")
    repo_a = a.repository
    make_user("superuser", superuser=True)
    make_user("manager", repository=repo_a, role="manager")
    make_user("archivist", repository=repo_a, role="archivist")
    make_user("viewer", repository=repo_a, role="viewer")
    make_user("norole")  # staff, but no role anywhere
    return World(a=a, b=b)


def client_for(who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(get_user_model().objects.get(username=who))
    return client


def text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def assert_closed(response, who: str) -> None:
    """B's record answered like a record that does not exist, and nothing of it shown."""
    assert response.status_code in (302, 403, 404), (who, response.status_code)
    if response.status_code == 302:
        # Django's "does not exist" answer (back to the index), or the login page.
        location = response["Location"]
        if who == "anonymous":
            assert location.startswith(reverse("admin:login")), location
        else:
            assert location == reverse("admin:index"), location
    assert SECRET not in text(response)


# --------------------------------------------------------------------------- B's records


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("model", MODELS)
def test_changelists_list_another_repositorys_records_to_nobody_but_superusers(world, model, who):
    response = client_for(who).get(reverse(f"admin:archive_{model}_changelist"))
    if who == "superuser":
        assert response.status_code == 200 and SECRET.lower() in text(response).lower()
    elif who in MEMBERS:
        assert response.status_code == 200
        assert SECRET.lower() not in text(response).lower()
    else:
        assert response.status_code in (302, 403)
        assert SECRET.lower() not in text(response).lower()


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("view", ["change", "delete", "history"])
@pytest.mark.parametrize("model", MODELS)
def test_record_pages_of_another_repository_are_closed(world, model, view, who):
    record = world.b.record(model)
    response = client_for(who).get(reverse(f"admin:archive_{model}_{view}", args=[record.pk]))
    if who == "superuser":
        assert response.status_code == 200
        # Membership pages name the user and the repository, not a title.
        marker = "bsecretmember" if model == "repositorymembership" else SECRET
        assert marker in text(response)
    else:
        assert_closed(response, who)
        # Exactly the answer for an id that names nothing.
        missing = client_for(who).get(reverse(f"admin:archive_{model}_{view}", args=[999_999]))
        location = response.get("Location", "").replace(f"/{record.pk}/", "/999999/")
        assert (response.status_code, location) == (
            missing.status_code,
            missing.get("Location", ""),
        )


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("model", ["component", "note"])
def test_reverting_another_repositorys_record_is_refused(world, model, who):
    record = world.b.record(model)
    history = type(record).history.filter(id=record.pk).latest("history_date")
    url = reverse(f"admin:archive_{model}_simple_history", args=[record.pk, history.history_id])
    client = client_for(who)
    page = client.get(url)
    if who == "superuser":
        assert page.status_code == 200 and SECRET in text(page)
        return
    assert_closed(page, who)
    response = client.post(url, revert_data(record, title="Hijacked", heading="Hijacked"))
    assert_closed(response, who)
    record.refresh_from_db()
    assert "Hijacked" not in (getattr(record, "title", "") + getattr(record, "heading", ""))


def revert_data(record, **changes) -> dict:
    """The fields of the old-version form (no inlines: the revert form has none)."""
    if isinstance(record, Note):
        data = {
            "unit": record.unit_id,
            "note_type": record.note_type,
            "heading": changes.get("heading", record.heading),
            "content": record.content,
            "ref": record.ref,
            "position": record.position,
            "attributes": "{}",
        }
        if record.published:
            data["published"] = "on"
        return data
    data = {
        "level": record.level,
        "other_level": record.other_level,
        "title": changes.get("title", record.title),
        "title_markup": record.title_markup,
        "identifier": record.identifier,
        "ref": record.ref,
        "languages": "[]",
        "physical_location": "",
        "attributes": "{}",
        "unmapped": "[]",
    }
    if record.published:
        data["published"] = "on"
    return data


@pytest.mark.parametrize("who", USERS)
def test_outline_editor_of_another_repository_is_not_found(world, who):
    b = world.b
    client = client_for(who)
    collection, node, parent = b.collection, b.series, b.collection.root
    before = list(collection.components.order_by("path").values_list("pk", "path", "published"))
    gets = [
        reverse("admin:archive_collection_outline", args=[collection.pk]),
        reverse("admin:archive_collection_outline_children", args=[collection.pk, parent.pk]),
        reverse("admin:archive_collection_outline_move", args=[collection.pk, node.pk]),
    ]
    posts = [
        ("archive_collection_outline_shift", node, {"offset": "1"}),
        ("archive_collection_outline_publish", node, {"publish": "1"}),
        ("archive_collection_outline_reorder", parent, {f"pos-{node.pk}": "2"}),
        ("archive_collection_outline_move", node, {"target": world.a.collection.root.pk}),
    ]
    if who == "superuser":
        assert all(client.get(url).status_code == 200 for url in gets)
        return
    for url in gets:
        response = client.get(url)
        assert_closed(response, who)
    for name, unit, data in posts:
        response = client.post(reverse(f"admin:{name}", args=[collection.pk, unit.pk]), data)
        assert_closed(response, who)
    # A's own node moved under B's root: the target is out of reach too.
    a = world.a
    move = reverse("admin:archive_collection_outline_move", args=[a.collection.pk, a.file.pk])
    assert_closed(client.post(move, {"target": b.collection.root.pk}), who)
    after = list(collection.components.order_by("path").values_list("pk", "path", "published"))
    assert after == before
    assert Component.objects.get(pk=a.file.pk).collection_id == a.collection.pk


AUTOCOMPLETES = [
    ("containerinstance", "container"),  # containers
    ("note", "unit"),  # components
    ("digitalobject", "unit"),  # components
    ("container", "collection"),  # collections
]


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize(("model", "field"), AUTOCOMPLETES)
def test_autocomplete_offers_only_records_of_ones_repositories(world, model, field, who):
    response = client_for(who).get(
        reverse("admin:autocomplete"),
        {"app_label": "archive", "model_name": model, "field_name": field, "term": "SECRET"},
    )
    if who == "superuser":
        assert SECRET in text(response)
    elif who in MEMBERS:
        assert response.status_code == 200
        assert response.json()["results"] == []
        own = client_for(who).get(
            reverse("admin:autocomplete"),
            {"app_label": "archive", "model_name": model, "field_name": field, "term": OWN},
        )
        assert OWN in text(own)
    else:
        assert response.status_code in (302, 403)
        assert SECRET not in text(response)


RAW_ID_PAGES = [
    ("note", "unit"),
    ("digitalobject", "unit"),
    ("container", "collection"),
    ("component", "parent"),
]


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize(("model", "param"), RAW_ID_PAGES)
def test_add_forms_name_no_record_of_another_repository_from_the_url(world, model, param, who):
    b = world.b
    pk = b.collection.pk if param == "collection" else b.series.pk
    url = reverse(f"admin:archive_{model}_add") + f"?{param}={pk}"
    response = client_for(who).get(url)
    if who == "superuser":
        assert response.status_code == 200
        if model in ("note", "digitalobject"):  # raw-id fields show the record's title
            assert SECRET in text(response)
    elif who in ("manager", "archivist"):
        assert response.status_code == 200
        assert SECRET not in text(response)
        # The same form does name one of the user's own records.
        a = world.a
        own_pk = a.collection.pk if param == "collection" else a.series.pk
        own = client_for(who).get(reverse(f"admin:archive_{model}_add") + f"?{param}={own_pk}")
        if model in ("note", "digitalobject"):
            assert OWN in text(own)
    else:
        assert_closed(response, who)


@pytest.mark.parametrize("who", ["manager", "archivist", "viewer", "norole"])
@pytest.mark.parametrize("model", ["note", "digitalobject"])
def test_saving_a_record_onto_another_repositorys_unit_is_refused(world, model, who):
    data = {"unit": world.b.series.pk, "position": "0", "attributes": "{}"}
    if model == "note":
        data.update(note_type="odd", heading="Planted", content="x", published="on")
    else:
        data.update(title="Planted", link="https://example.org/x", role="", published="on")
    response = client_for(who).post(reverse(f"admin:archive_{model}_add"), data)
    assert response.status_code in (200, 403)  # the form again with an error, or refused
    assert SECRET not in text(response)
    assert not Note.objects.filter(heading="Planted").exists()
    assert not DigitalObject.objects.filter(title="Planted").exists()


# Bulk actions POSTed with B's ids.
ACTIONS = [
    ("component", "publish_components"),
    ("component", "unpublish_components"),
    ("component", "delete_selected"),
    ("collection", "publish_collections"),
    ("collection", "unpublish_collections"),
    ("collection", "delete_selected"),
    ("collection", "export_ead2002"),
    ("collection", "export_ead3"),
    ("note", "delete_selected"),
    ("digitalobject", "delete_selected"),
    ("container", "delete_selected"),
    ("repositorymembership", "delete_selected"),
]


def state_of(side: Side) -> dict[str, list]:
    """Every row of one repository that an action could change or delete."""
    components = Component.objects.filter(collection__repository=side.repository)
    return {
        "collections": sorted(
            Collection.objects.filter(repository=side.repository).values_list("pk", flat=True)
        ),
        "components": sorted(components.values_list("pk", "path", "published", "title")),
        "notes": sorted(Note.objects.filter(unit__in=components).values_list("pk", "published")),
        "digital": sorted(DigitalObject.objects.filter(unit__in=components).values_list("pk")),
        "containers": sorted(
            Container.objects.filter(collection__repository=side.repository).values_list("pk")
        ),
        "members": sorted(
            RepositoryMembership.objects.filter(repository=side.repository).values_list(
                "pk", "role"
            )
        ),
    }


def _selected(b: Side, model: str) -> list[int]:
    if model == "component":  # a root goes only with its collection
        return list(b.collection.components.filter(depth__gt=1).values_list("pk", flat=True))
    if model == "collection":
        return [b.collection.pk, b.hidden_collection.pk]
    return [b.record(model).pk]


@pytest.mark.parametrize("who", ["manager", "archivist", "viewer", "norole", "anonymous"])
@pytest.mark.parametrize(("model", "action"), ACTIONS)
def test_bulk_actions_ignore_another_repositorys_ids(world, model, action, who):
    b = world.b
    before = state_of(b)
    data = {"action": action, "_selected_action": _selected(b, model), "post": "yes"}
    response = client_for(who).post(reverse(f"admin:archive_{model}_changelist"), data)
    assert response.status_code in (200, 302, 403)
    assert SECRET not in text(response)
    assert state_of(b) == before


@pytest.mark.parametrize(("model", "action"), ACTIONS)
def test_bulk_actions_of_a_superuser_reach_every_repository(world, model, action):
    b = world.b
    before = state_of(b)
    selected = [b.collection.pk] if action.startswith("export") else _selected(b, model)
    data = {"action": action, "_selected_action": selected, "post": "yes"}
    response = client_for("superuser").post(reverse(f"admin:archive_{model}_changelist"), data)
    if action.startswith("export"):
        assert response.status_code == 200 and f"{SECRET} series" in text(response)
    else:
        assert state_of(b) != before


def _ead_url(collection: Collection, fmt: str = "ead2002") -> str:
    return reverse(
        "archive:collection-ead",
        kwargs={"repository": collection.repository.code, "ead_id": collection.ead_id, "fmt": fmt},
    )


@pytest.mark.parametrize("who", USERS)
def test_staff_ead_export_of_another_repository(world, who):
    b = world.b
    client = client_for(who)
    published = client.get(_ead_url(b.collection) + "?internal=1")
    hidden = client.get(_ead_url(b.hidden_collection) + "?internal=1")
    if who == "superuser":
        assert f"{SECRET} series" in text(published)
        assert hidden.status_code == 200 and f"{SECRET} hidden collection" in text(hidden)
        return
    # The public version, as if ?internal=1 had not been asked for.
    assert published.status_code == 200
    body = text(published)
    assert f"{SECRET} papers" in body  # the published root
    assert f"{SECRET} series" not in body and f"{SECRET} file" not in body
    assert f"{SECRET} note" not in body and f"{SECRET} scan" not in body
    assert "private" not in published.get("Cache-Control", "")
    assert hidden.status_code == 404
    assert SECRET not in text(hidden)


# --------------------------------------------------------------------------- A's records


@pytest.mark.parametrize("who", ["superuser", "manager", "archivist", "viewer"])
def test_every_role_of_a_reads_its_records_and_staff_export(world, who):
    a = world.a
    client = client_for(who)
    for model in MODELS:
        record = a.record(model)
        for view in ("changelist", "change", "history"):
            args = [] if view == "changelist" else [record.pk]
            response = client.get(reverse(f"admin:archive_{model}_{view}", args=args))
            assert response.status_code == 200, (model, view, response.status_code)
    assert (
        client.get(reverse("admin:archive_collection_outline", args=[a.collection.pk])).status_code
        == 200
    )
    export = client.get(_ead_url(a.collection) + "?internal=1")
    assert f"{OWN} series" in text(export) and "no-store" in export["Cache-Control"]
    hidden = client.get(_ead_url(a.hidden_collection) + "?internal=1")
    assert hidden.status_code == 200 and f"{OWN} hidden collection" in text(hidden)


@pytest.mark.parametrize(
    ("who", "may_edit"),
    [("superuser", True), ("manager", True), ("archivist", True), ("viewer", False)],
)
def test_only_editors_of_a_change_its_description(world, who, may_edit):
    a = world.a
    client = client_for(who)
    expected = 302 if may_edit else 403
    # The outline: reorder the root's children.
    root = a.collection.root
    first, second = list(
        Component.objects.filter(collection=a.collection, depth=2).order_by("path")
    )
    reorder = reverse("admin:archive_collection_outline_reorder", args=[a.collection.pk, root.pk])
    assert client.post(reorder, {f"pos-{second.pk}": "1"}).status_code == expected
    order = list(Component.objects.filter(collection=a.collection, depth=2).order_by("path"))
    assert (order[0].pk == second.pk) is may_edit
    # A bulk action on its own components.
    client.post(
        reverse("admin:archive_component_changelist"),
        {"action": "publish_components", "_selected_action": [a.series.pk]},
    )
    assert Component.objects.get(pk=a.series.pk).published is may_edit
    # Reverting the series to its first recorded version.
    first_version = Component.history.filter(id=a.series.pk).earliest("history_date")
    url = reverse(
        "admin:archive_component_simple_history", args=[a.series.pk, first_version.history_id]
    )
    series = Component.objects.get(pk=a.series.pk)
    response = client.post(url, revert_data(series, title="Reverted title"))
    assert response.status_code == expected
    assert (Component.objects.get(pk=a.series.pk).title == "Reverted title") is may_edit
    # Deleting a file with the bulk action, and a whole collection from its delete page.
    client.post(
        reverse("admin:archive_component_changelist"),
        {"action": "delete_selected", "_selected_action": [a.file.pk], "post": "yes"},
    )
    assert Component.objects.filter(pk=a.file.pk).exists() is not may_edit
    # A whole collection: managers and superusers only (archivists are refused).
    may_delete = may_edit and who != "archivist"
    delete = reverse("admin:archive_collection_delete", args=[a.hidden_collection.pk])
    assert client.post(delete, {"post": "yes"}).status_code == (302 if may_delete else 403)
    assert Collection.objects.filter(pk=a.hidden_collection.pk).exists() is not may_delete


@pytest.mark.parametrize(
    ("who", "may_manage"),
    [("superuser", True), ("manager", True), ("archivist", False), ("viewer", False)],
)
def test_only_managers_of_a_manage_its_memberships(world, who, may_manage):
    a = world.a
    newcomer = make_user("newcomer")
    client = client_for(who)
    response = client.post(
        reverse("admin:archive_repositorymembership_add"),
        {"user": newcomer.pk, "repository": a.repository.pk, "role": "viewer"},
    )
    assert response.status_code == (302 if may_manage else 403)
    assert RepositoryMembership.objects.filter(user=newcomer).exists() is may_manage
    # Nobody but a superuser hands out a role in B.
    response = client.post(
        reverse("admin:archive_repositorymembership_add"),
        {"user": newcomer.pk, "repository": world.b.repository.pk, "role": "manager"},
    )
    assert RepositoryMembership.objects.filter(
        user=newcomer, repository=world.b.repository
    ).exists() is (who == "superuser")


# --------------------------------------------------------------------------- history pages


@pytest.mark.parametrize("model", ["container", "digitalobject", "repositorymembership"])
def test_history_of_records_without_versions_shows_the_admin_log(world, model):
    """These models keep no versions: their History page lists the admin's own log."""
    client = client_for("archivist" if model != "repositorymembership" else "manager")
    record = world.a.record(model)
    change = reverse(f"admin:archive_{model}_change", args=[record.pk])
    form = client.get(change)
    assert form.status_code == 200
    response = client.get(reverse(f"admin:archive_{model}_history", args=[record.pk]))
    assert response.status_code == 200
    assert "Change history" in text(response)


# --------------------------------------------------------------------------- public probing


def test_search_within_a_hidden_collection_names_it_like_an_unknown_id(client, world):
    hidden = world.b.hidden_collection
    response = client.get(reverse("archive:search"), {"within": hidden.pk})
    assert response.status_code == 200
    assert SECRET not in text(response)
    unknown = client.get(reverse("archive:search"), {"within": 999_999})
    # The chip names the bare id, as it does for an id that names nothing.
    assert f'Remove filter Within: {hidden.pk}"' in text(response)
    assert 'Remove filter Within: 999999"' in text(unknown)
    # The collection facet names no hidden collection either.
    response = client.get(reverse("archive:search"), {"collection": hidden.pk})
    assert SECRET not in text(response)
    assert f'Remove filter Collection: {hidden.pk}"' in text(response)
    # A public collection is named.
    public = client.get(reverse("archive:search"), {"within": world.b.collection.pk})
    assert f"{SECRET} papers" in text(public)


@pytest.fixture
def pages():
    return build_pages_world()


def test_agent_named_only_in_unpublished_description_is_not_found(client, pages):
    agent = Agent.objects.create(agent_type="person", authorized_name="Only Hidden, Person")
    AgentLink.objects.create(unit=pages.series2_hidden, agent=agent, role="subject")
    AgentLink.objects.create(unit=pages.series1, agent=agent, role="source", published=False)
    response = client.get(agent.get_absolute_url())
    assert response.status_code == 404
    assert "Only Hidden" not in text(response)
    assert "Only Hidden" not in text(client.get(reverse("archive:agents")))
    # Once a public unit names the agent through a public link, the page answers.
    AgentLink.objects.create(unit=pages.series1, agent=agent, role="subject")
    response = client.get(agent.get_absolute_url())
    assert response.status_code == 200 and "Only Hidden, Person" in text(response)
    assert "Only Hidden, Person" in text(client.get(reverse("archive:agents")))


def test_subject_used_only_by_a_hidden_collection_is_not_found(client, pages):
    from archive.models import Subject, SubjectLink

    subject = Subject.objects.create(term="Only Hidden Topic")
    SubjectLink.objects.create(unit=pages.hidden.root, subject=subject)
    assert client.get(subject.get_absolute_url()).status_code == 404
    assert "Only Hidden Topic" not in text(client.get(reverse("archive:subjects")))
    # The subject a public unit uses still has its page.
    public = client.get(pages.subject.get_absolute_url())
    assert public.status_code == 200 and pages.subject.term in text(public)


def test_agent_named_only_through_a_relation_is_not_found(client, pages):
    # The spouse is related to a public agent but named by no public link.
    assert client.get(pages.spouse.get_absolute_url()).status_code == 404
    page = text(client.get(pages.agent.get_absolute_url()))
    assert not re.search(r"Roussakova", page)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("path", ["{}/history/", "{}/change/", "{}/delete/", "{}/history/x/"])
def test_record_pages_answer_a_malformed_id_like_an_unknown_one(world, model, path):
    client = client_for("superuser")
    url = reverse(f"admin:archive_{model}_changelist") + path.format("abc")
    response = client.get(url)
    assert response.status_code in (302, 404), (url, response.status_code)


# --------------------------------------------------------------------------- view on site


@pytest.mark.parametrize("who", USERS)
def test_view_on_site_redirect_names_no_record_of_another_repository(world, who):
    """The admin's /r/<type>/<id>/ redirect would give away B's public address (repository
    code, EAD id, component id) of an unpublished series; it answers as for a missing id."""
    from django.contrib.contenttypes.models import ContentType

    series = world.b.series
    content_type = ContentType.objects.get_for_model(Component)
    url = reverse("view-on-site", args=[content_type.pk, series.pk])
    response = client_for(who).get(url)
    if who == "superuser":
        assert response.status_code == 302
        assert response["Location"].endswith(series.get_absolute_url())
    elif who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == 404
        assert world.b.collection.ead_id not in text(response)
    own = world.a.series
    response = client_for(who).get(reverse("view-on-site", args=[content_type.pk, own.pk]))
    if who in ("superuser", *MEMBERS):
        assert response.status_code == 302
        assert response["Location"].endswith(own.get_absolute_url())
