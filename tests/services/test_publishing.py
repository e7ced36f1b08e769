"""Publishing a unit publishes everything below it, and only that, in one operation."""

import pytest
from django.core.exceptions import PermissionDenied

from archive import visibility
from archive.models import Component
from archive.services import publishing
from tests.factories import make_collection, make_repository, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def coll():
    return make_collection(make_repository("beinecke"), "c1", [3, 2, 2])


@pytest.fixture
def user(coll):
    return make_user("ana", repository=coll.repository)


def public_titles(coll) -> set[str]:
    return set(visibility.public_units(coll.components.all()).values_list("title", flat=True))


def test_publish_a_collection_publishes_every_component(coll, user):
    count = publishing.collection_publish(collection=coll, user=user)
    assert count == 1 + 3 + 6 + 12
    assert not coll.components.filter(published=False).exists()
    assert len(public_titles(coll)) == count


def test_publish_a_series_cascades_down_but_not_up_or_sideways(coll, user):
    publishing.collection_publish(collection=coll, user=user)
    publishing.unit_unpublish(unit=coll.components.get(title="2"), user=user)
    unpublished = set(coll.components.filter(published=False).values_list("title", flat=True))
    assert unpublished == {"2", "2.1", "2.2", "2.1.1", "2.1.2", "2.2.1", "2.2.2"}
    assert not public_titles(coll) & unpublished
    publishing.unit_publish(unit=coll.components.get(title="2.1"), user=user)
    # Published, but still hidden from the public while its series is not.
    assert coll.components.get(title="2.1.2").published
    assert "2.1.2" not in public_titles(coll)
    publishing.unit_publish(unit=coll.components.get(title="2"), user=user)
    assert len(public_titles(coll)) == 22


def test_one_history_entry_per_publication(coll, user):
    before = Component.history.count()
    publishing.unit_publish(unit=coll.root, user=user)
    assert Component.history.count() == before + 1
    entry = Component.history.latest("history_date")
    assert entry.id == coll.root.pk and entry.history_user == user and entry.published
    assert "21 components below" in entry.history_change_reason


def test_other_repository_cannot_publish(coll):
    stranger = make_user("bob", repository=make_repository("mssa"))
    with pytest.raises(PermissionDenied):
        publishing.unit_publish(unit=coll.root, user=stranger)
    assert not coll.components.filter(published=True).exists()
