"""Deleting a collection or a series: the confirmation states the true counts, read by COUNT
queries, and the delete is set-based, keeps the tree right, the search index clean and a
history entry."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.models import (
    Agent,
    AgentLink,
    Collection,
    Component,
    Container,
    ContainerInstance,
    Note,
    UnitDate,
)
from archive.search.index import reindex_collection
from archive.search.query import search
from tests.factories import make_collection, make_repository, make_user, tree_problems

pytestmark = pytest.mark.django_db


def _attach(collection: Collection) -> None:
    """Two notes, a date, a box holding two files and a creator link, at known places."""
    series = collection.components.get(title="1")
    first, second = collection.components.filter(title__in=["1.1", "1.2"]).order_by("path")
    Note.objects.create(unit=series, note_type="scopecontent", content="Scope.")
    Note.objects.create(unit=first, note_type="scopecontent", content="More.")
    UnitDate.objects.create(unit=first, expression="1936", begin="1936", end="1936")
    box = Container.objects.create(collection=collection, container_type="box", indicator="1")
    ContainerInstance.objects.create(unit=first, container=box, child_indicator="1")
    ContainerInstance.objects.create(unit=second, container=box, child_indicator="2")
    agent = Agent.objects.create(agent_type="person", authorized_name="Victor Serge")
    AgentLink.objects.create(unit=series, agent=agent, role="creator")


@pytest.fixture
def world():
    repository = make_repository("beinecke")
    collection = make_collection(repository, "serge", [3, 4], published=True)
    _attach(collection)
    return repository, collection


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def test_collection_confirmation_states_what_goes(client, world):
    repository, collection = world
    client.force_login(make_user("boss", repository=repository, role="manager"))
    page = _text(client.get(reverse("admin:archive_collection_delete", args=[collection.pk])))
    # root + 3 series + 12 files
    assert "Components: 16" in page  # the root, 3 series and 12 files
    assert "Notes: 2" in page
    assert "Dates: 1" in page
    assert "Container instances: 2" in page
    assert "Links to names and subjects: 1" in page
    assert "Boxes and other containers: 1" in page


def test_collection_confirmation_costs_the_same_queries_at_any_size(client, world):
    repository, small = world
    big = make_collection(repository, "macdonald", [10, 60])
    client.force_login(make_user("admin", superuser=True))
    costs = []
    for collection in (small, big):
        url = reverse("admin:archive_collection_delete", args=[collection.pk])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        costs.append(len(queries))
    assert costs[0] == costs[1]
    page = _text(client.get(reverse("admin:archive_collection_delete", args=[big.pk])))
    assert "Components: 611" in page


def test_collection_delete_leaves_nothing(client, world):
    repository, collection = world
    client.force_login(make_user("boss", repository=repository, role="manager"))
    url = reverse("admin:archive_collection_delete", args=[collection.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Collection.objects.filter(pk=collection.pk).exists()
    assert not Component.objects.filter(collection_id=collection.pk).exists()
    assert not Note.objects.exists() and not ContainerInstance.objects.exists()


def test_other_repositorys_staff_cannot_see_or_delete(client, world):
    _, collection = world
    other = make_repository("yale-mssa")
    client.force_login(make_user("stranger", repository=other, role="manager"))
    url = reverse("admin:archive_collection_delete", args=[collection.pk])
    assert client.get(url).status_code in (302, 404)
    assert client.post(url, {"post": "yes"}).status_code in (302, 404)
    series = collection.components.get(title="1")
    url = reverse("admin:archive_component_delete", args=[series.pk])
    assert client.post(url, {"post": "yes"}).status_code in (302, 404)
    assert Component.objects.filter(collection=collection).count() == 16


def test_series_confirmation_states_everything_below_it(client, world):
    repository, collection = world
    client.force_login(make_user("cataloguer", repository=repository))
    series = collection.components.get(title="1")
    page = _text(client.get(reverse("admin:archive_component_delete", args=[series.pk])))
    assert "Components: 5" in page  # the series and its four files
    assert "Notes: 2" in page
    assert "Container instances: 2" in page
    # boxes stay with the collection: a series delete names none
    assert "Boxes" not in page


def test_series_delete_is_whole_and_keeps_the_tree_index_and_history(client, world):
    repository, collection = world
    collection.components.filter(title="1.3").update(title="Bolshevik correspondence")
    reindex_collection(collection.pk)
    user = make_user("cataloguer", repository=repository)
    client.force_login(user)
    series = collection.components.get(title="1")
    assert search(query="bolshevik", filters={}).total == 1
    root = collection.components.get(depth=1)
    url = reverse("admin:archive_component_delete", args=[series.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert Component.objects.filter(collection=collection).count() == 11
    assert not Note.objects.filter(unit_id=series.pk).exists()
    assert ContainerInstance.objects.count() == 0
    assert Container.objects.filter(collection=collection).count() == 1  # the box stays
    root.refresh_from_db()
    assert root.numchild == 2
    assert tree_problems() == []
    assert search(query="bolshevik", filters={}).total == 0
    entry = Component.history.filter(id=series.pk).latest("history_id")
    assert entry.history_type == "-"
    assert entry.history_user == user
    assert "4 components below it" in entry.history_change_reason


def test_a_viewer_cannot_delete_a_series(client, world):
    repository, collection = world
    client.force_login(make_user("reader", repository=repository, role="viewer"))
    series = collection.components.get(title="1")
    url = reverse("admin:archive_component_delete", args=[series.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Component.objects.filter(collection=collection).count() == 16


def test_bulk_delete_of_nested_selection_counts_each_unit_once(client, world):
    repository, collection = world
    client.force_login(make_user("cataloguer", repository=repository))
    series = collection.components.get(title="2")
    inner = collection.components.get(title="2.1")
    other = collection.components.get(title="3.4")
    data = {"action": "delete_selected", "_selected_action": [series.pk, inner.pk, other.pk]}
    page = _text(client.post(reverse("admin:archive_component_changelist"), data))
    assert "Components: 6" in page  # series 2 (with 2.1) and 3.4
    data["post"] = "yes"
    client.post(reverse("admin:archive_component_changelist"), data)
    assert Component.objects.filter(collection=collection).count() == 10
    assert tree_problems() == []
