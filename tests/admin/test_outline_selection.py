"""The outline editor's selection: tick many rows and move, publish, unpublish or delete
them in one action, through the services (all or nothing, permissions, history)."""

import pytest
from django.urls import reverse

from archive.models import Component
from tests.factories import make_collection, make_repository, make_user, outline, tree_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    repository = make_repository("beinecke")
    collection = make_collection(repository, "serge", [3, 2])
    return repository, collection


def unit(collection, title):
    return collection.components.get(title=title)


def act(client, collection, node, action, ids, **extra):
    url = reverse("admin:archive_collection_outline_selection", args=[collection.pk, node.pk])
    return client.post(url, {"action": action, "selected": ids, **extra})


def test_the_outline_page_offers_checkboxes_and_a_plain_form(client, world):
    repository, collection = world
    client.force_login(make_user("cataloguer", repository=repository))
    page = client.get(reverse("admin:archive_collection_outline", args=[collection.pk]))
    html = page.content.decode()
    series = unit(collection, "2")
    assert f'name="selected" value="{series.pk}" form="outline-selection"' in html
    assert 'id="outline-selection"' in html
    assert '<option value="delete">' in html


def test_move_a_selection_in_one_action(client, world):
    repository, collection = world
    client.force_login(make_user("cataloguer", repository=repository))
    root = collection.components.get(depth=1)
    ids = [unit(collection, t).pk for t in ("2.2", "3.1", "2.1")]
    target = unit(collection, "1")
    response = act(client, collection, root, "move", ids, target=target.pk)
    assert response.status_code == 302
    # Moved last under series 1, in document order, whatever order they were ticked in.
    assert outline(collection) == [
        (2, "1"), (3, "1.1"), (3, "1.2"), (3, "2.1"), (3, "2.2"), (3, "3.1"),
        (2, "2"), (2, "3"), (3, "3.2"),
    ]  # fmt: skip
    assert tree_problems() == []
    assert Component.objects.get(pk=target.pk).numchild == 5
    assert Component.history.filter(id=ids[1], history_change_reason__startswith="Moved").exists()


def test_a_refused_move_leaves_everything_as_it_was(client, world):
    repository, collection = world
    client.force_login(make_user("cataloguer", repository=repository))
    root = collection.components.get(depth=1)
    before = outline(collection)
    # 1.1 moves under 2.1 first (document order), then series 2 cannot move below itself:
    # the whole action is undone.
    ids = [unit(collection, "1.1").pk, unit(collection, "2").pk]
    response = act(client, collection, root, "move", ids, target=unit(collection, "2.1").pk)
    assert outline(collection) == before
    messages = " ".join(client.get(response.url).content.decode().split())
    assert "cannot be moved into itself or below itself" in messages
    assert tree_problems() == []


def test_publish_and_unpublish_a_selection(client, world):
    repository, collection = world
    client.force_login(make_user("cataloguer", repository=repository))
    root = collection.components.get(depth=1)
    ids = [unit(collection, "1").pk, unit(collection, "3.2").pk, unit(collection, "1.2").pk]
    act(client, collection, root, "publish", ids)
    published = set(collection.components.filter(published=True).values_list("title", flat=True))
    assert published == {"1", "1.1", "1.2", "3.2"}
    act(client, collection, root, "unpublish", [unit(collection, "1").pk])
    assert set(collection.components.filter(published=True).values_list("title", flat=True)) == {
        "3.2"
    }


def test_delete_asks_with_the_true_count_then_deletes(client, world):
    repository, collection = world
    client.force_login(make_user("cataloguer", repository=repository))
    root = collection.components.get(depth=1)
    ids = [unit(collection, "2").pk, unit(collection, "2.1").pk, unit(collection, "3.2").pk]
    page = " ".join(act(client, collection, root, "delete", ids).content.decode().split())
    assert "Components: 4" in page  # series 2 with its two files, and 3.2
    assert collection.components.count() == 10  # nothing deleted yet
    act(client, collection, root, "delete", ids, confirm="yes")
    assert outline(collection) == [(2, "1"), (3, "1.1"), (3, "1.2"), (2, "3"), (3, "3.1")]
    assert tree_problems() == []
    assert Component.objects.get(pk=root.pk).numchild == 2


def test_a_viewer_cannot_act_on_a_selection(client, world):
    repository, collection = world
    client.force_login(make_user("reader", repository=repository, role="viewer"))
    root = collection.components.get(depth=1)
    response = act(client, collection, root, "delete", [unit(collection, "2").pk], confirm="yes")
    assert response.status_code == 403
    assert collection.components.count() == 10


def test_other_repositorys_staff_are_refused(client, world):
    _, collection = world
    client.force_login(make_user("stranger", repository=make_repository("mssa"), role="manager"))
    root = collection.components.get(depth=1)
    response = act(client, collection, root, "delete", [unit(collection, "2").pk], confirm="yes")
    assert response.status_code == 404
    assert collection.components.count() == 10


def test_units_of_another_collection_cannot_be_slipped_in(client, world):
    repository, collection = world
    other = make_collection(repository, "macdonald", [2])
    client.force_login(make_user("cataloguer", repository=repository))
    root = collection.components.get(depth=1)
    foreign = other.components.get(title="1").pk
    response = act(client, collection, root, "delete", [foreign], confirm="yes")
    assert response.status_code == 404
    assert other.components.count() == 3
