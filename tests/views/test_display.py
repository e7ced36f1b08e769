"""How units are named and identified to researchers (``archive.display``).

DACS: a unit without a title is named by its date; system keys (ArchivesSpace record URIs,
generated component ids, machine ids) are never shown as a name or an identifier, on any
public surface, while the database and the staff export keep them.
"""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.test import Client

from archive.display import is_system_identifier, shown_identifier
from archive.models import Collection, Component, UnitDate
from archive.services.exports import collection_export
from archive.services.imports import ead_import

CORPUS_FILE = "nyu-ad_mc_094.xml"  # an ArchivesSpace export: cuid unitids and aspace_uri ones
SYSTEM_TEXT = re.compile(r"cuid\d+|/repositories/\d+")


@pytest.mark.parametrize(
    ("value", "attributes", "system"),
    [
        ("MS 238", {}, False),
        ("GEN MSS 238", {"type": "call number"}, False),
        ("Series I", {}, False),
        ("ark:/13030/tf5p30086k", {}, False),
        ("2011-M-001", {}, False),
        ("cuid295", {}, True),
        ("/repositories/4/archival_objects/31193", {}, True),
        ("anything", {"type": "aspace_uri"}, True),
        ("anything", {"type": "ASPACE_URI"}, True),
        ("aspace_2e37facfcd05196cf91d45ac56602744", {}, True),
        ("", {}, True),
    ],
)
def test_system_identifiers(value: str, attributes: dict, system: bool) -> None:
    assert is_system_identifier(value, attributes) is system


def test_shown_identifier_skips_system_keys_and_internal_ones() -> None:
    others = [
        {"value": "/repositories/4/resources/172", "attributes": [["type", "aspace_uri"]]},
        {"value": "Zq secret shelf", "attributes": [], "published": False},
        {"value": "MC 94", "attributes": []},
    ]
    assert shown_identifier("cuid295", None, others) == "MC 94"
    assert shown_identifier("AD.MC.094", None, others) == "AD.MC.094"
    assert shown_identifier("x", [["type", "aspace_uri"]], others[:2]) == ""


@pytest.mark.django_db
def test_untitled_unit_is_named_by_its_date_never_its_machine_id() -> None:
    collection = make_collection()
    fields = dict(collection=collection, level="file", ref="a1", identifier="cuid77")
    fields["published"] = True
    unit = Component.objects.add_child(collection.root, fields)
    assert unit.display_title == "Untitled file"
    UnitDate.objects.create(unit=unit, expression="1936-1947", begin="1936", end="1947")
    UnitDate.objects.create(unit=unit, expression="Zq 1650", published=False, position=1)
    fresh = Component.objects.get(pk=unit.pk)
    assert fresh.display_title == "1936-1947"
    unit.identifier = "Box 3 folder 2"
    unit.save()
    UnitDate.objects.filter(unit=unit).delete()
    assert Component.objects.get(pk=unit.pk).display_title == "Box 3 folder 2"


def make_collection() -> Collection:
    from archive.models import Repository

    repository = Repository.objects.create(code="r", name="R")
    collection = Collection.objects.create(repository=repository, ead_id="c1")
    fields = dict(collection=collection, level="collection", title="Papers", published=True)
    Component.objects.add_root(fields)
    return Collection.objects.get(pk=collection.pk)


@pytest.mark.django_db
def test_public_surfaces_never_show_system_identifiers(client: Client) -> None:
    source = (settings.FONDS_CORPUS_DIR / CORPUS_FILE).read_bytes()
    assert SYSTEM_TEXT.search(source.decode())  # the file has them
    result = ead_import(source=source, filename=CORPUS_FILE)
    collection = Collection.objects.select_related("repository").get(pk=result.collection_id)
    units = Component.objects.filter(collection=collection).exclude(ref="").order_by("path")
    urls = [collection.get_absolute_url(), f"{collection.get_absolute_url()}?print=1"]
    urls += [unit.get_absolute_url() for unit in units[1:6]]
    urls += ["/", f"/repositories/{collection.repository.code}/", "/search/?q=exhibition"]
    urls += [f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={oai_id(collection)}"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        assert not SYSTEM_TEXT.search(text), f"{url}: {SYSTEM_TEXT.search(text)}"
    page = client.get(collection.get_absolute_url()).content.decode()
    assert "AD.MC.094" in page  # the call number researchers cite stays

    # The staff export keeps every identifier as the file had it.
    out = io.BytesIO()
    collection_export(collection=collection, fmt="ead2002", out=out, include_unpublished=True)
    assert b"<unitid>cuid295</unitid>" in out.getvalue()
    assert b"/repositories/4/archival_objects/31193" in out.getvalue()


def oai_id(collection: Collection) -> str:
    from archive import conf
    from archive.oai.identifiers import record_identifier

    return record_identifier(
        namespace=conf.oai_namespace(),
        repository_code=collection.repository.code,
        ead_id=collection.ead_id,
    )
