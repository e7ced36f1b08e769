"""Public URLs are built from identifiers, and real identifiers hold slashes and spaces."""

import pytest

from archive import tree
from archive.models import Collection, Component, Repository

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("ead_id", "ref"),
    [
        ("01/CollectionMgr.CollectionID-Archon", "aspace_ref/12"),
        ("http://hdl.loc.gov/loc.music/eadmus.mu012007", "d1e5"),
        ("Université de Toulouse", "c 1"),
        ("hua88888:HOLLISnumber|||", "ref%20x"),
    ],
)
def test_collection_and_component_pages_answer_at_their_identifier_urls(client, ead_id, ref):
    repository = Repository.objects.create(code="r", name="R")
    collection = Collection.objects.create(repository=repository, ead_id=ead_id)
    paths = tree.PathAllocator(tree.next_root_path())
    root = Component.objects.create(
        collection=collection,
        depth=1,
        path=paths.allocate(1),
        numchild=1,
        published=True,
        level="collection",
        title="The papers",
    )
    unit = Component.objects.create(
        collection=collection,
        depth=2,
        path=paths.allocate(2),
        published=True,
        level="file",
        ref=ref,
        title="A file",
    )
    page = client.get(collection.get_absolute_url())
    assert page.status_code == 200 and "The papers" in page.content.decode()
    assert unit.get_absolute_url() in page.content.decode()  # the outline links to it
    page = client.get(unit.get_absolute_url())
    assert page.status_code == 200 and "A file" in page.content.decode()
    assert root.get_absolute_url() == collection.get_absolute_url()
    download = client.get(collection.get_absolute_url() + "ead/ead3.xml")
    assert download.status_code == 200
    assert "/" not in download["Content-Disposition"].split("filename", 1)[1]
