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


def make_finding_aid(repository: Repository, ead_id: str, *refs: str) -> Collection:
    collection = Collection.objects.create(repository=repository, ead_id=ead_id)
    paths = tree.PathAllocator(tree.next_root_path())
    Component.objects.create(
        collection=collection,
        depth=1,
        path=paths.allocate(1),
        numchild=len(refs),
        published=True,
        level="collection",
        title=f"Finding aid {ead_id}",
    )
    for ref in refs:
        Component.objects.create(
            collection=collection,
            depth=2,
            path=paths.allocate(2),
            published=True,
            level="file",
            ref=ref,
            title=f"File {ref}",
        )
    return collection


def test_handles_and_arks_get_clean_urls(client):
    repository = Repository.objects.create(code="r", name="R")
    ark = make_finding_aid(repository, "ark:/13030/tf5p30086k", "ref/12")
    url = ark.get_absolute_url()
    assert url == "/collections/r/ark:/13030/tf5p30086k/"
    component = Component.objects.get(collection=ark, ref="ref/12")
    assert component.get_absolute_url() == "/collections/r/ark:/13030/tf5p30086k/ref/12/"
    assert "File ref/12" in client.get(component.get_absolute_url()).content.decode()
    assert "Finding aid ark:/13030/tf5p30086k" in client.get(url).content.decode()
    download = client.get(f"{url}ead/ead2002.xml")
    assert download.status_code == 200
    assert b"ark:/13030/tf5p30086k" in b"".join(download.streaming_content)


def test_the_single_encoded_form_works_and_old_links_redirect(client):
    repository = Repository.objects.create(code="r", name="R")
    make_finding_aid(repository, "ark:/13030/tf5p30086k", "c 1")
    single = client.get("/collections/r/ark%3A%2F13030%2Ftf5p30086k/")
    assert single.status_code == 200
    assert "Finding aid ark:/13030/tf5p30086k" in single.content.decode()
    # Links written when identifiers were encoded whole, then encoded again by the URL.
    old = client.get("/collections/r/ark%253A%252F13030%252Ftf5p30086k/c%25201/")
    assert old.status_code == 301
    assert old["Location"] == "/collections/r/ark:/13030/tf5p30086k/c%201/"
    assert client.get(old["Location"]).status_code == 200
    # Without the final slash: redirected to the page's URL.
    bare = client.get("/collections/r/ark:/13030/tf5p30086k?print=1")
    assert bare.status_code == 301
    assert bare["Location"] == "/collections/r/ark:/13030/tf5p30086k/?print=1"


def test_the_longest_ead_id_names_the_finding_aid(client):
    repository = Repository.objects.create(code="r", name="R")
    make_finding_aid(repository, "a", "b", "c")
    make_finding_aid(repository, "a/b")
    assert "Finding aid a/b" in client.get("/collections/r/a/b/").content.decode()
    assert "File c" in client.get("/collections/r/a/c/").content.decode()
    assert client.get("/collections/r/a/zzz/").status_code == 404
    assert client.get("/collections/r/nothing/").status_code == 404
    assert client.get("/collections/other/a/").status_code == 404
    assert client.get("/collections/r/a/ead/ead9.xml").status_code == 404


def test_a_redirect_never_tells_an_unpublished_finding_aid_exists(client):
    repository = Repository.objects.create(code="r", name="R")
    hidden = make_finding_aid(repository, "ark:/1/secret", "f1")
    Component.objects.filter(collection=hidden).update(published=False)
    make_finding_aid(repository, "ark:/1/open", "f1")
    # Without the final slash, or encoded twice: the public one is redirected ...
    assert client.get("/collections/r/ark:/1/open").status_code == 301
    assert client.get("/collections/r/ark%253A%252F1%252Fopen/f1/").status_code == 301
    # ... the unpublished one answers as one that does not exist.
    for url in (
        "/collections/r/ark:/1/secret",
        "/collections/r/ark%253A%252F1%252Fsecret/",
        "/collections/r/ark%253A%252F1%252Fsecret/f1/",
        "/collections/r/ark:/1/nothing",
    ):
        assert client.get(url).status_code == 404, url
