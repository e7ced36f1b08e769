"""The two ways of asking what the public may see agree: per row (EXISTS) and per collection."""

import pytest

from archive import tree, visibility
from archive.models import Collection, Component, DigitalObject, Repository
from archive.visibility import count_public, is_public, public_unit_ids, public_units

pytestmark = pytest.mark.django_db

# (depth, published) in document order: hidden series with a published file under it, a
# hidden file between published siblings, a deep chain under a hidden subseries, and a
# sibling series after a hidden subtree that must be visible again.
SHAPE = [
    (1, True),
    (2, True),
    (3, True),
    (3, False),
    (3, True),
    (2, False),
    (3, True),
    (4, True),
    (2, True),
    (3, False),
    (4, True),
    (5, True),
    (3, True),
    (2, True),
]


def build(ead_id: str, shape: list[tuple[int, bool]]) -> tuple[Collection, list[Component]]:
    repository, _ = Repository.objects.get_or_create(code="r", defaults={"name": "R"})
    collection = Collection.objects.create(repository=repository, ead_id=ead_id)
    paths = tree.PathAllocator(tree.next_root_path())
    units = Component.objects.bulk_create(
        Component(
            collection=collection,
            depth=depth,
            path=paths.allocate(depth),
            published=published,
            ref=f"u{i}",
            title=f"unit {i}",
        )
        for i, (depth, published) in enumerate(shape)
    )
    return collection, units


def test_one_pass_and_per_row_rules_agree():
    collection, units = build("a", SHAPE)
    build("b", [(1, False), (2, True)])  # another collection's hidden root changes nothing here
    by_row = set(
        public_units(Component.objects.filter(collection=collection)).values_list("id", flat=True)
    )
    assert public_unit_ids(collection.pk) == by_row
    assert by_row == {u.pk for u in units if is_public(u)}
    visible = [u.title for u in units if u.pk in by_row]
    assert visible == ["unit 0", "unit 1", "unit 2", "unit 4", "unit 8", "unit 12", "unit 13"]


def test_a_hidden_root_hides_the_whole_collection():
    collection, _ = build("c", [(1, False), (2, True), (3, True)])
    assert public_unit_ids(collection.pk) == set()


@pytest.mark.parametrize("ranges", [True, False], ids=["range tests", "sorted paths"])
def test_collection_counts_agree_with_the_per_row_rule(monkeypatch, ranges):
    """count_public: hidden subtrees as SQL ranges (few) or checked on sorted paths (many)."""
    if not ranges:
        monkeypatch.setattr(visibility, "MAX_HIDDEN_RANGES", 0)
    collection, units = build("a", SHAPE)
    other, other_units = build("b", [(1, True), (2, True)])
    # One digital object on every unit, one more (unpublished) on the root.
    DigitalObject.objects.bulk_create(
        [DigitalObject(unit=u, title=u.title) for u in units + other_units]
        + [DigitalObject(unit=units[0], title="draft", published=False)]
    )
    objects = DigitalObject.objects.filter(unit__collection=collection, published=True)
    expected = {u.title for u in units if is_public(u)}
    assert count_public(objects, collection.pk, unit="unit") == len(expected) == 7
    units_only = Component.objects.filter(collection=collection)
    assert count_public(units_only, collection.pk) == 7
    assert count_public(DigitalObject.objects.filter(unit__collection=other), other.pk, "unit") == 2
