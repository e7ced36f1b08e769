"""A small published catalogue to request from: one collection with a restricted series of
40 folders in two boxes, and an unpublished series."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import caches

from archive import conf
from archive.models import (
    Collection,
    Component,
    Container,
    ContainerInstance,
    Note,
    Repository,
    RequestSettings,
)
from tests.factories import add_unit, make_repository


@dataclass
class Catalogue:
    repository: Repository
    collection: Collection
    folders: list[Component]  # 25 in Box 3, then 15 in Box 4
    hidden: Component  # a file under an unpublished series
    loose: Component  # a file in no container
    settings: RequestSettings


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    caches[conf.login_throttle_cache()].clear()
    yield
    caches[conf.login_throttle_cache()].clear()


def build_catalogue(code: str = "beinecke", ead_id: str = "serge") -> Catalogue:
    repository = make_repository(code)
    collection = Collection.objects.create(repository=repository, ead_id=ead_id)
    root = add_unit(None, collection, title="Victor Serge papers", identifier="GEN MSS 238")
    series = add_unit(root, collection, title="Correspondence", level="series", ref=f"{ead_id}-s1")
    Note.objects.create(
        unit=series,
        note_type="accessrestrict",
        content="<p>Closed until 2030 by the donor.</p>",
    )
    Note.objects.create(
        unit=series, note_type="accessrestrict", content="Staff only wording", published=False
    )
    boxes = [
        Container.objects.create(collection=collection, indicator="3", label="Vault 2, shelf 7"),
        Container.objects.create(collection=collection, indicator="4", barcode="39002"),
    ]
    folders = []
    for number in range(1, 41):
        unit = add_unit(series, collection, title=f"Letters {number}", ref=f"{ead_id}-f{number}")
        box = boxes[0] if number <= 25 else boxes[1]
        ContainerInstance.objects.create(
            unit=unit, container=box, child_type="folder", child_indicator=str(number)
        )
        folders.append(unit)
    closed = add_unit(
        root, collection, title="Private", level="series", ref=f"{ead_id}-s2", published=False
    )
    hidden = add_unit(closed, collection, title="Diaries", ref=f"{ead_id}-hidden")
    loose = add_unit(root, collection, title="Photograph of Serge", ref=f"{ead_id}-photo")
    settings = RequestSettings.objects.create(
        repository=repository,
        email_enabled=True,
        email_to="reading-room@example.edu",
        aeon_enabled=True,
        aeon_url="https://aeon.example.edu/logon/?Action=10&Form=30",
        aeon_method="POST",
        aeon_fields={
            "ItemTitle": "title",
            "CallNumber": "collection_identifier",
            "ItemVolume": "container",
            "ItemIssue": "folder",
            "Location": "location",
            "ScheduledDate": "visit_date",
            "SpecialRequest": "notes",
        },
    )
    return Catalogue(repository, collection, folders, hidden, loose, settings)


@pytest.fixture
def catalogue(db) -> Catalogue:
    return build_catalogue()
