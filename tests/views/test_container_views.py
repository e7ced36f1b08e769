"""The container view: every box of a collection with what it holds, in document order;
the public page shows only what researchers may see, the staff page only to its staff."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.models import Container, ContainerInstance
from tests.factories import make_collection, make_repository, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    repository = make_repository("beinecke")
    collection = make_collection(repository, "serge", [3, 2], published=True)
    units = {u.title: u for u in collection.components.all()}
    collection.components.filter(pk=units["2"].pk).update(published=False)
    # Box 2 holds files of series 1 (first in the outline); Box 1 holds series 3; Box 3
    # holds only an unpublished series' file; Box 4 only an internal instance; Box 5 nothing.
    boxes = {
        n: Container.objects.create(collection=collection, indicator=str(n)) for n in range(1, 6)
    }
    ContainerInstance.objects.create(unit=units["1.2"], container=boxes[2], child_indicator="2")
    ContainerInstance.objects.create(unit=units["1.1"], container=boxes[2], child_indicator="1")
    ContainerInstance.objects.create(unit=units["3.1"], container=boxes[1], child_indicator="1")
    ContainerInstance.objects.create(unit=units["2.1"], container=boxes[3], child_indicator="1")
    ContainerInstance.objects.create(
        unit=units["3.2"], container=boxes[4], child_indicator="9", published=False
    )
    return repository, collection


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def test_public_page_lists_boxes_in_document_order_without_hidden_material(client, world):
    _, collection = world
    url = reverse("archive:collection-containers", args=["beinecke", "serge"])
    page = _text(client.get(url))
    assert page.index("Box 2") < page.index("Folder 1") < page.index("Box 1")
    assert page.index("Folder 1</span>") < page.index("Folder 2</span>")  # 1.1 before 1.2 in box 2
    assert "Box 3" not in page  # only an unpublished series' file
    assert "Box 4" not in page  # only an internal instance
    assert "Box 5" not in page  # empty
    assert "2.1" not in page and "(internal)" not in page


def test_collection_page_links_to_its_boxes(client, world):
    html = client.get(reverse("archive:collection", args=["beinecke", "serge"])).content.decode()
    assert reverse("archive:collection-containers", args=["beinecke", "serge"]) in html


def test_an_unpublished_collection_has_no_public_box_list(client, world):
    _, collection = world
    collection.components.filter(depth=1).update(published=False)
    url = reverse("archive:collection-containers", args=["beinecke", "serge"])
    assert client.get(url).status_code == 404


def test_staff_see_every_box_internal_material_included(client, world):
    repository, collection = world
    client.force_login(make_user("viewer", repository=repository, role="viewer"))
    page = _text(client.get(reverse("admin:archive_collection_containers", args=[collection.pk])))
    for n in (2, 1, 3, 4):
        assert f"Box {n}" in page
    # by the first unit each holds: 1.1, 2.1, 3.1, 3.2
    assert page.index("Box 2") < page.index("Box 3") < page.index("Box 1") < page.index("Box 4")
    assert page.index("Box 4") < page.index("Box 5")  # the empty box comes last
    assert "(internal)" in page


def test_other_repositorys_staff_get_no_box_list(client, world):
    _, collection = world
    client.force_login(make_user("stranger", repository=make_repository("mssa"), role="manager"))
    url = reverse("admin:archive_collection_containers", args=[collection.pk])
    assert client.get(url).status_code == 404


def test_big_collections_are_paged(client, world):
    _, collection = world
    for n in range(6, 40):
        Container.objects.create(collection=collection, indicator=str(n))
    client.force_login(make_user("admin", superuser=True))
    url = reverse("admin:archive_collection_containers", args=[collection.pk])
    assert "Page 1 of 2" in _text(client.get(url))
    assert "Page 2 of 2" in _text(client.get(url + "?page=2"))


def test_public_page_costs_the_same_queries_at_any_size(client, world):
    repository, _ = world
    big = make_collection(repository, "macdonald", [40, 5], published=True)
    for n, series in enumerate(big.components.filter(depth=2).order_by("path"), start=1):
        box = Container.objects.create(collection=big, indicator=str(n))
        for file in big.components.filter(path__startswith=series.path, depth=3):
            ContainerInstance.objects.create(unit=file, container=box)
    costs = []
    for ead_id in ("serge", "macdonald"):
        url = reverse("archive:collection-containers", args=["beinecke", ead_id])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        costs.append(len(queries))
    assert costs[0] == costs[1]
