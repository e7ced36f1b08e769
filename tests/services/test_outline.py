"""Moves and reorders on a deep tree: document order, parents, depths and counts stay right."""

import pytest
from django.core.exceptions import PermissionDenied

from archive import tree
from archive.models import Component, Container, ContainerInstance
from archive.services import outline
from tests.factories import make_collection, make_repository, make_user, tree_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def repo():
    return make_repository("beinecke")


@pytest.fixture
def user(repo):
    return make_user("ana", repository=repo)


@pytest.fixture
def coll(repo):
    # 3 series x 3 subseries x 2 files x 2 items: depth 5 below the root.
    return make_collection(repo, "c1", [3, 3, 2, 2])


def node(coll, title: str) -> Component:
    return coll.components.get(title=title)


def titles_under(parent: Component) -> list[str]:
    return list(tree.children(parent).values_list("title", flat=True))


def subtree_titles(unit: Component) -> list[str]:
    unit.refresh_from_db()
    return list(tree.descendants(unit, include_self=True).values_list("title", flat=True))


def test_move_subtree_into_another_series_keeps_order_and_parents(coll, user):
    moving = node(coll, "1.2")
    before = subtree_titles(moving)
    target = node(coll, "3")
    outline.component_move(unit=moving, parent=target, user=user)
    assert titles_under(node(coll, "1")) == ["1.1", "1.3"]
    assert titles_under(target) == ["3.1", "3.2", "3.3", "1.2"]
    assert subtree_titles(node(coll, "1.2")) == before
    moved = node(coll, "1.2.1.1")
    assert [a.title for a in tree.ancestors(moved)] == ["c1", "3", "1.2", "1.2.1"]
    assert moved.depth == 5
    assert node(coll, "1").numchild == 2 and node(coll, "3").numchild == 4
    assert tree_problems() == []


def test_move_to_a_position_and_deeper(coll, user):
    outline.component_move(unit=node(coll, "2"), parent=node(coll, "1.1.1"), position=1, user=user)
    assert titles_under(node(coll, "1.1.1")) == ["2", "1.1.1.1", "1.1.1.2"]
    assert node(coll, "2.3.2.2").depth == 8
    assert titles_under(coll.root) == ["1", "3"]
    assert tree_problems() == []


def test_move_into_own_subtree_is_refused(coll, user):
    with pytest.raises(outline.OutlineError):
        outline.component_move(unit=node(coll, "1"), parent=node(coll, "1.2.1"), user=user)
    assert tree_problems() == []


def test_reorder_many_siblings_in_one_request(coll, user):
    root = coll.root
    wide = outline.component_add(parent=root, user=user, title="wide", level="series")
    for i in range(1, 121):
        outline.component_add(parent=wide, user=user, title=f"w{i}")
    ids = list(tree.children(wide).values_list("pk", flat=True))
    new_order = list(reversed(ids))
    changed = outline.children_reorder(parent=wide, order=new_order, user=user)
    assert changed == 120
    assert titles_under(wide) == [f"w{i}" for i in range(120, 0, -1)]
    assert tree_problems() == []


def test_reorder_carries_subtrees(coll, user):
    root = coll.root
    order = list(tree.children(root).values_list("pk", flat=True))
    outline.children_reorder(parent=root, order=[order[2], order[0], order[1]], user=user)
    titles = list(coll.components.order_by("path").values_list("title", flat=True))
    assert titles[1] == "3" and titles[2] == "3.1" and titles[3] == "3.1.1"
    # Every series' descendants stay directly after it, in their own order.
    i3, i1 = titles.index("3"), titles.index("1")
    assert titles[i3:i1] == ["3"] + sorted(
        titles[i3 + 1 : i1], key=lambda t: [int(x) for x in t.split(".")]
    )
    assert tree_problems() == []


def test_reorder_must_list_every_child(coll, user):
    ids = list(tree.children(coll.root).values_list("pk", flat=True))
    with pytest.raises(outline.OutlineError):
        outline.children_reorder(parent=coll.root, order=ids[:2], user=user)


def test_shift_up_and_down(coll, user):
    outline.component_shift(unit=node(coll, "1.3"), offset=-1, user=user)
    assert titles_under(node(coll, "1")) == ["1.1", "1.3", "1.2"]
    outline.component_shift(unit=node(coll, "1.1"), offset=1, user=user)
    assert titles_under(node(coll, "1")) == ["1.3", "1.1", "1.2"]
    assert tree_problems() == []


def test_move_to_another_collection_updates_collection_and_containers(repo, coll, user):
    other = make_collection(repo, "c2", [2])
    box = Container.objects.create(collection=coll, container_type="box", indicator="7")
    leaf = node(coll, "2.1.1.1")
    ContainerInstance.objects.create(unit=leaf, container=box, child_indicator="3")
    outline.component_move(unit=node(coll, "2"), parent=other.root, user=user)
    moved = Component.objects.filter(collection=other, ref__startswith="c1-2")
    assert moved.count() == 1 + 3 + 3 * 2 + 3 * 2 * 2
    assert not coll.components.filter(ref__startswith="c1-2").exists()
    instance = ContainerInstance.objects.get(unit=leaf)
    assert instance.container.collection_id == other.pk
    assert str(instance) == "Box 7, Folder 3"
    assert tree_problems() == []


def test_move_refused_when_machine_ids_clash(repo, coll, user):
    other = make_collection(repo, "c2", [1])
    clash = other.components.get(title="1")
    clash.ref = "c1-1.1"
    clash.save()
    with pytest.raises(outline.OutlineError, match="c1-1.1"):
        outline.component_move(unit=node(coll, "1"), parent=other.root, user=user)
    assert tree_problems() == []


def test_add_child_and_sibling(coll, user):
    series = node(coll, "1")
    added = outline.component_add(parent=series, user=user, title="new", position=2)
    assert titles_under(series) == ["1.1", "new", "1.2", "1.3"]
    assert added.published is False
    assert added.depth == 3
    assert tree_problems() == []


def test_one_history_entry_per_move(coll, user):
    moving = node(coll, "1.2")
    before = Component.history.count()
    outline.component_move(unit=moving, parent=node(coll, "2"), user=user)
    assert Component.history.count() == before + 1
    entry = Component.history.latest("history_date")
    assert entry.id == moving.pk and entry.history_user == user
    assert "Moved" in entry.history_change_reason


def test_other_repository_staff_cannot_move(coll):
    stranger = make_user("bob", repository=make_repository("mssa"))
    with pytest.raises(PermissionDenied):
        outline.component_move(unit=node(coll, "1.2"), parent=node(coll, "2"), user=stranger)
    viewer = make_user("vic", repository=coll.repository, role="viewer")
    with pytest.raises(PermissionDenied):
        outline.children_reorder(parent=coll.root, order=[], user=viewer)
