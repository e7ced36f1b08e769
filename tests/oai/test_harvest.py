"""A real harvester against the running site: Sickle (a maintained Python OAI-PMH client)
harvests every record over several pages, then incrementally after an edit, a publish and an
unpublish, the way an aggregator's nightly run would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from lxml import etree
from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch

from archive.models import Collection
from archive.services.publishing import collection_publish, collection_unpublish
from tests.factories import make_collection, make_repository, make_serge
from tests.oai.helpers import NS, parse_valid

pytestmark = pytest.mark.django_db(transaction=True)

PAST = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def site(live_server, settings):
    """Seven public finding aids (with two Serge copies sharing component ids) and an
    unpublished one, all last changed in 2020; pages of three identifiers."""
    settings.FONDS_OAI_PAGE_SIZE = 3
    mssa, beinecke = make_repository("mssa"), make_repository("beinecke2")
    for i in range(5):
        make_collection(mssa if i % 2 else beinecke, f"fa-{i}", [3, 2], published=True)
    make_serge()
    make_serge("mssa-copy", ead_id="gen-mss-238-copy")
    make_collection(mssa, "draft", [2], published=False)
    Collection.objects.update(content_changed=PAST)
    return Sickle(f"{live_server.url}/oai", max_retries=0)


def records(sickle: Sickle, **params) -> list:
    try:
        return list(sickle.ListRecords(**params))
    except NoRecordsMatch:
        return []


def test_full_then_incremental_harvest(site: Sickle) -> None:
    identify = site.Identify()
    assert identify.deletedRecord == "persistent"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"

    full = records(site, metadataPrefix="oai_ead")
    ids = [r.header.identifier for r in full]
    assert len(ids) == len(set(ids)) == 7
    assert not any(r.deleted for r in full)
    for record in full:
        parse_valid(_envelope(record.raw))
        assert record.xml.find(".//o:metadata/ead:ead", NS) is not None
    assert "oai:fonds.local:mssa/draft" not in ids
    headers = list(site.ListIdentifiers(metadataPrefix="oai_dc"))
    assert [h.identifier for h in headers] == ids  # three pages of identifiers, same order
    assert sorted(s.setSpec for s in site.ListSets()) == [
        "beinecke",
        "beinecke2",
        "mssa",
        "mssa-copy",
    ]

    # Changes after the first harvest: an edit, an unpublish, a publish of the draft.
    since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    staff = get_user_model().objects.create_superuser("oai-harvest", "h@example.org", "pw")
    # The edit is of a file deep in the finding aid, not of the collection record: the
    # datestamp is the whole finding aid's content stamp.
    edited = Collection.objects.get(ead_id="fa-1").components.filter(depth__gt=2).first()
    edited.title = "Revised folder"
    edited.save()
    collection_unpublish(collection=Collection.objects.get(ead_id="fa-2"), user=staff)
    collection_publish(collection=Collection.objects.get(ead_id="draft"), user=staff)

    changed = records(site, metadataPrefix="oai_dc", **{"from": since})
    status = {r.header.identifier: r.deleted for r in changed}
    assert status == {
        "oai:fonds.local:mssa/fa-1": False,
        "oai:fonds.local:beinecke2/fa-2": True,
        "oai:fonds.local:mssa/draft": False,
    }
    # A record harvested before and not changed since is not sent again.
    assert records(site, metadataPrefix="oai_dc", until="2019-12-31") == []


def test_post_harvest_of_a_set(site: Sickle, live_server) -> None:
    posting = Sickle(f"{live_server.url}/oai", http_method="POST")
    got = [r.header.identifier for r in records(posting, metadataPrefix="ead3", set="mssa")]
    assert got == ["oai:fonds.local:mssa/fa-1", "oai:fonds.local:mssa/fa-3"]
    dc = posting.GetRecord(
        identifier="oai:fonds.local:beinecke/gen-mss-238", metadataPrefix="oai_dc"
    )
    assert dc.metadata["title"] == ["Victor Serge papers"]
    assert "Anonymous Donor Withheld" not in etree.tostring(dc.xml).decode()


def _envelope(record_xml: str) -> bytes:
    """A record as Sickle hands it over, put back in a minimal GetRecord response so the
    official schemas can check it on its own."""
    return (
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<responseDate>2026-01-01T00:00:00Z</responseDate>"
        '<request verb="GetRecord">http://example.org/oai</request>'
        f"<GetRecord>{record_xml}</GetRecord></OAI-PMH>"
    ).encode()
