"""The search tests' catalogue (``tests.factories.build_search_world``), built once per module.

It is built through the ORM, so the index is fed by the model signals."""

from __future__ import annotations

import pytest
from django.db import transaction

from archive.models import (
    Agent,
    Collection,
    Component,
    Repository,
)
from tests.factories import SearchWorld, build_search_world


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    """Built once per test module inside a transaction that is rolled back at the end; each
    test runs in a savepoint inside it (pytest-django's ``db``), so edits never leak."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_search_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(_world: SearchWorld, db) -> SearchWorld:
    """The shared catalogue, with fresh instances (a test may have edited the old ones)."""
    fresh = SearchWorld(
        repositories={n: Repository.objects.get(pk=r.pk) for n, r in _world.repositories.items()},
        collections={n: Collection.objects.get(pk=c.pk) for n, c in _world.collections.items()},
    )
    pks = {name: unit.pk for name, unit in _world.units.items()}
    by_pk = Component.objects.in_bulk(pks.values())
    fresh.units = {name: by_pk[pk] for name, pk in pks.items()}
    fresh.agents = {n: Agent.objects.get(pk=a.pk) for n, a in _world.agents.items()}
    fresh.subjects = _world.subjects
    return fresh
