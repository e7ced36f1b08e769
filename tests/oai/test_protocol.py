"""The OAI-PMH provider at ``/oai`` through Django's test client: every verb, every error
condition the protocol names, paging with resumption tokens, selective harvesting by date and
set, deleted records, and that nothing unpublished or internal is ever said. Every response is
validated against OAI-PMH.xsd together with oai_dc, oai-identifier and the EAD schemas."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from lxml import etree

from archive import conf
from archive.models import Collection, HarvestTombstone
from archive.services.collections import delete_collection
from archive.services.harvest import harvest_rename
from archive.services.imports import ead_import
from archive.services.publishing import collection_publish, collection_unpublish, unit_unpublish
from tests.factories import make_collection, make_repository, make_serge
from tests.oai.helpers import NS, error_codes, identifiers, oai_get, parse_valid, raw

pytestmark = pytest.mark.django_db

SECURITY = Path(__file__).resolve().parent.parent / "security"
UTC = dt.UTC


def ident(code: str, ead_id: str) -> str:
    return f"oai:fonds.local:{code}/{ead_id}"


def stamp(collection: Collection, when: dt.datetime) -> None:
    """Pin a record's datestamp (the column the provider reads) to a known moment."""
    Collection.objects.filter(pk=collection.pk).update(content_changed=when)


@pytest.fixture
def staff():
    return get_user_model().objects.create_superuser("oai-admin", "a@example.org", "pw")


@pytest.fixture
def five():
    """Five public finding aids in two repositories and one unpublished, with datestamps
    one day apart from 2020-01-01 10:00:00 UTC (the unpublished one in the middle)."""
    mssa, beinecke = make_repository("mssa"), make_repository("beinecke")
    made = []
    for i, repo in enumerate([mssa, beinecke, mssa, beinecke, mssa]):
        made.append(make_collection(repo, f"fa-{i}", [2], published=True))
    hidden = make_collection(beinecke, "secret-draft", [2], published=False)
    for i, c in enumerate(made):
        stamp(c, dt.datetime(2020, 1, 1 + i, 10, 0, 0, tzinfo=UTC))
    stamp(hidden, dt.datetime(2020, 1, 3, 12, 0, 0, tzinfo=UTC))
    return made


# --------------------------------------------------------------------------- verbs


def test_identify(client: Client, five) -> None:
    root = oai_get(client, verb="Identify")
    identify = root.find("o:Identify", NS)
    assert identify.findtext("o:baseURL", namespaces=NS) == "http://testserver/oai"
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("o:earliestDatestamp", namespaces=NS) == "2020-01-01T10:00:00Z"
    assert root.find("o:request", NS).get("verb") == "Identify"
    repo_id = root.find(
        ".//{http://www.openarchives.org/OAI/2.0/oai-identifier}repositoryIdentifier"
    )
    assert repo_id.text == "fonds.local"


def test_identify_uses_the_settings(client: Client, settings) -> None:
    settings.FONDS_OAI_REPOSITORY_NAME = "Yale Finding Aids"
    settings.FONDS_OAI_ADMIN_EMAIL = "oai@library.example.edu"
    settings.FONDS_OAI_NAMESPACE = "archives.example.edu"
    make_serge()
    root = oai_get(client, verb="Identify")
    assert root.findtext(".//o:repositoryName", namespaces=NS) == "Yale Finding Aids"
    assert root.findtext(".//o:adminEmail", namespaces=NS) == "oai@library.example.edu"
    listed = identifiers(oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    assert listed == ["oai:archives.example.edu:beinecke/gen-mss-238"]


def test_list_metadata_formats(client: Client, five) -> None:
    root = oai_get(client, verb="ListMetadataFormats")
    prefixes = [e.text for e in root.iterfind(".//o:metadataPrefix", NS)]
    assert prefixes == ["oai_dc", "oai_ead", "ead3"]
    one = oai_get(client, verb="ListMetadataFormats", identifier=ident("mssa", "fa-0"))
    assert [e.text for e in one.iterfind(".//o:metadataPrefix", NS)] == prefixes


def test_list_sets_one_per_repository_with_public_records(client: Client, five) -> None:
    make_repository("empty")
    root = oai_get(client, verb="ListSets")
    specs = [e.text for e in root.iterfind(".//o:setSpec", NS)]
    assert specs == ["beinecke", "mssa"]
    assert root.findtext(".//o:set/o:setName", namespaces=NS) == "Repository beinecke"


def test_list_identifiers_and_records_hold_every_public_finding_aid(client: Client, five) -> None:
    expected = [ident(c.repository.code, c.ead_id) for c in five]
    for verb in ("ListIdentifiers", "ListRecords"):
        for prefix in ("oai_dc", "oai_ead", "ead3"):
            seen, _ = harvest(client, verb=verb, metadataPrefix=prefix)
            assert seen == expected, (verb, prefix)
    headers = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    first = headers.find(".//o:header", NS)
    assert first.findtext("o:datestamp", namespaces=NS) == "2020-01-01T10:00:00Z"
    assert first.findtext("o:setSpec", namespaces=NS) == "mssa"


def test_get_record_in_each_format(client: Client) -> None:
    serge = make_serge()
    identifier = ident("beinecke", "gen-mss-238")
    dc = oai_get(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    values = {}
    for el in dc.find(".//oai_dc:dc", NS):
        values.setdefault(etree.QName(el).localname, []).append(el.text)
    assert values["title"] == ["Victor Serge papers"]
    assert values["creator"] == ["Serge, Victor, 1890-1947"]
    assert values["subject"] == ["Trotsky, Leon, 1879-1940", "Revolutionaries"]
    assert values["date"] == ["1912-1994", "bulk 1936-1947"]
    assert values["format"] == ["12.5 linear feet"]
    assert values["publisher"] == ["Beinecke Rare Book and Manuscript Library"]
    assert values["identifier"] == [
        "GEN MSS 238",
        "http://testserver" + serge.collection.get_absolute_url(),
    ]
    ead = oai_get(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_ead")
    document = ead.find(".//o:metadata/ead:ead", NS)
    assert document.findtext(".//ead:eadid", namespaces=NS).strip() == "gen-mss-238"
    # The record is the public download, byte for byte apart from the XML declaration.
    download = b"".join(
        client.get(f"{serge.collection.get_absolute_url()}ead/ead2002.xml").streaming_content
    )
    response = raw(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_ead")
    embedded = response.split(b"<metadata>", 1)[1].rsplit(b"</metadata>", 1)[0]
    assert download.startswith(b"<?xml")
    assert embedded == download.split(b"?>", 1)[1].lstrip()
    ead3 = oai_get(client, verb="GetRecord", identifier=identifier, metadataPrefix="ead3")
    assert ead3.find(".//o:metadata/ead3:ead", NS) is not None


def test_post_gives_the_same_answer_as_get(client: Client, five) -> None:
    got = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="mssa")
    posted = oai_get(client, "post", verb="ListIdentifiers", metadataPrefix="oai_dc", set="mssa")
    assert (
        identifiers(posted)
        == identifiers(got)
        == [
            ident("mssa", "fa-0"),
            ident("mssa", "fa-2"),
            ident("mssa", "fa-4"),
        ]
    )


def test_other_methods_are_refused(client: Client) -> None:
    assert client.put("/oai?verb=Identify").status_code == 405


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "ListEverything"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListIdentifiers", "metadataPrefix": ["oai_dc", "oai_ead"]}, "badArgument"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-13-01"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01T10:00Z"},
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2020-01-01",
                "until": "2020-01-02T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2020-01-03",
                "until": "2020-01-02",
            },
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "marcxml"}, "cannotDisseminateFormat"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "identifier": ident("mssa", "fa-0"), "metadataPrefix": "mods"},
            "cannotDisseminateFormat",
        ),
        (
            {"verb": "GetRecord", "identifier": ident("mssa", "nope"), "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        (
            {
                "verb": "GetRecord",
                "identifier": "oai:elsewhere.org:mssa/fa-0",
                "metadataPrefix": "oai_dc",
            },
            "idDoesNotExist",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "fa-0"}, "idDoesNotExist"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "nowhere"}, "noRecordsMatch"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2031-01-01"},
            "noRecordsMatch",
        ),
        (
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "2019-12-31"},
            "noRecordsMatch",
        ),
        ({"verb": "ListRecords", "resumptionToken": "garbage"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "garbage"}, "badResumptionToken"),
    ],
)
def test_error_conditions(client: Client, five, params, code) -> None:
    for method in ("get", "post"):
        root = oai_get(client, method, **params)
        assert error_codes(root) == [code], (method, params)
        message = root.findtext("o:error", namespaces=NS)
        assert message and "Traceback" not in message and "Error(" not in message
        request = root.find("o:request", NS)
        if code in ("badVerb", "badArgument"):
            assert dict(request.attrib) == {}  # the protocol: no attributes for these two
        assert root.find("o:ListRecords", NS) is None


def test_several_argument_problems_each_get_an_error(client: Client, five) -> None:
    root = oai_get(
        client, verb="GetRecord", identifier=ident("mssa", "nope"), metadataPrefix="mods"
    )
    assert sorted(error_codes(root)) == ["cannotDisseminateFormat", "idDoesNotExist"]


def test_list_sets_without_public_records_has_no_set_hierarchy(client: Client) -> None:
    repo = make_repository("mssa")
    make_collection(repo, "draft", [1], published=False)
    assert error_codes(oai_get(client, verb="ListSets")) == ["noSetHierarchy"]


# --------------------------------------------------------------------------- paging


def harvest(client: Client, **params: str) -> tuple[list[str], list[etree._Element]]:
    """Follow resumption tokens to the end: (identifiers, the resumptionToken elements)."""
    seen: list[str] = []
    tokens: list[etree._Element] = []
    verb = params["verb"]
    root = oai_get(client, **params)
    while True:
        seen += identifiers(root)
        token = root.find(f"o:{verb}/o:resumptionToken", NS)
        if token is None or not token.text:
            if token is not None:
                tokens.append(token)
            return seen, tokens
        tokens.append(token)
        root = oai_get(client, verb=verb, resumptionToken=token.text)


def harvest_bytes(client: Client, **params: str) -> bytes:
    """Every response of a list, each checked against the schemas, joined."""
    pages = [raw(client, **params)]
    while True:
        root = parse_valid(pages[-1])
        token = root.find(f"o:{params['verb']}/o:resumptionToken", NS)
        if token is None or not token.text:
            return b"".join(pages)
        pages.append(raw(client, verb=params["verb"], resumptionToken=token.text))


@pytest.mark.parametrize(
    ("verb", "prefix"), [("ListIdentifiers", "oai_ead"), ("ListRecords", "oai_dc")]
)
def test_paging_with_resumption_tokens(client: Client, five, settings, verb, prefix) -> None:
    settings.FONDS_OAI_PAGE_SIZE = 2
    seen, tokens = harvest(client, verb=verb, metadataPrefix=prefix)
    assert seen == [ident(c.repository.code, c.ead_id) for c in five]
    assert [(t.get("cursor"), t.get("completeListSize")) for t in tokens] == [
        ("0", "5"),
        ("2", "5"),
        ("4", "5"),
    ]
    assert tokens[-1].text is None  # the last page closes the list with an empty token
    assert tokens[0].get("expirationDate").endswith("Z")


@pytest.mark.parametrize("prefix", ["oai_ead", "ead3"])
def test_ead_records_come_one_per_response(client: Client, five, prefix) -> None:
    # Two copies of the Serge papers share their component ids ("ser1", "f11"): one record
    # per response keeps every response a valid XML document (xs:ID values are unique per
    # document); harvest() validates each.
    make_serge()
    make_serge("mssa", ead_id="gen-mss-238-copy")
    seen, tokens = harvest(client, verb="ListRecords", metadataPrefix=prefix)
    assert len(seen) == 7
    assert [t.get("cursor") for t in tokens] == [str(i) for i in range(7)]
    assert {t.get("completeListSize") for t in tokens} == {"7"}


def test_paging_is_stable_while_records_change(client: Client, five, settings, staff) -> None:
    settings.FONDS_OAI_PAGE_SIZE = 2
    root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    first = identifiers(root)
    token = root.find(".//o:resumptionToken", NS).text
    # Underneath the harvest: a record already sent changes, one not yet sent is unpublished,
    # and a new one is published.
    Collection.objects.get(ead_id="fa-0").save()
    collection_unpublish(collection=Collection.objects.get(ead_id="fa-3"), user=staff)
    make_collection(Collection.objects.get(ead_id="fa-0").repository, "fa-new", [1], published=True)
    seen = list(first)
    while token:
        root = oai_get(client, verb="ListIdentifiers", resumptionToken=token)
        seen += identifiers(root)
        token = root.find(".//o:resumptionToken", NS).text
    # Every record that stayed as it was comes exactly once, none is skipped; the changed
    # ones come again at the end with their new datestamps (fa-3 as deleted).
    for ead_id in ("fa-1", "fa-2", "fa-4"):
        assert seen.count(ident(Collection.objects.get(ead_id=ead_id).repository.code, ead_id)) == 1
    assert seen.count(ident("mssa", "fa-0")) == 2
    assert ident("beinecke", "fa-3") in seen
    assert ident("mssa", "fa-new") in seen


def test_garbled_and_expired_tokens(client: Client, five, settings) -> None:
    settings.FONDS_OAI_PAGE_SIZE = 2
    root = oai_get(client, verb="ListRecords", metadataPrefix="oai_dc")
    token = root.find(".//o:resumptionToken", NS).text
    garbled = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    bad = oai_get(client, verb="ListRecords", resumptionToken=garbled)
    assert error_codes(bad) == ["badResumptionToken"]
    wrong_verb = oai_get(client, verb="ListIdentifiers", resumptionToken=token)
    assert error_codes(wrong_verb) == ["badResumptionToken"]
    later = time.time() + conf.oai_token_seconds() + 60
    with mock.patch("django.core.signing.time.time", return_value=later):
        expired = oai_get(client, verb="ListRecords", resumptionToken=token)
    assert error_codes(expired) == ["badResumptionToken"]
    assert "expired" in expired.findtext("o:error", namespaces=NS)
    # Before it expires the same token works.
    assert error_codes(oai_get(client, verb="ListRecords", resumptionToken=token)) == []


def test_token_lifetime_is_a_setting(client: Client, five, settings) -> None:
    settings.FONDS_OAI_PAGE_SIZE = 2
    settings.FONDS_OAI_TOKEN_SECONDS = 60
    root = oai_get(client, verb="ListRecords", metadataPrefix="oai_dc")
    token = root.find(".//o:resumptionToken", NS)
    response_date = dt.datetime.fromisoformat(root.findtext("o:responseDate", namespaces=NS))
    expires = dt.datetime.fromisoformat(token.get("expirationDate"))
    assert dt.timedelta(seconds=59) <= expires - response_date <= dt.timedelta(seconds=61)
    with mock.patch("django.core.signing.time.time", return_value=time.time() + 120):
        assert error_codes(oai_get(client, verb="ListRecords", resumptionToken=token.text)) == [
            "badResumptionToken"
        ]


# --------------------------------------------------------------------------- selective


def listed(client: Client, **params: str) -> list[str]:
    root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **params)
    if error_codes(root) == ["noRecordsMatch"]:
        return []
    return [i.rsplit("/", 1)[1] for i in identifiers(root)]


def test_from_and_until_at_day_granularity(client: Client, five) -> None:
    assert listed(client, **{"from": "2020-01-02"}) == ["fa-1", "fa-2", "fa-3", "fa-4"]
    assert listed(client, until="2020-01-02") == ["fa-0", "fa-1"]
    assert listed(client, **{"from": "2020-01-02", "until": "2020-01-03"}) == ["fa-1", "fa-2"]
    assert listed(client, **{"from": "2020-01-03", "until": "2020-01-03"}) == ["fa-2"]
    assert listed(client, **{"from": "2020-01-06"}) == []


def test_from_and_until_at_second_granularity(client: Client, five) -> None:
    fa2 = Collection.objects.get(ead_id="fa-2")
    stamp(fa2, dt.datetime(2020, 1, 3, 10, 0, 0, 500000, tzinfo=UTC))  # half past a second
    second = {"from": "2020-01-03T10:00:00Z", "until": "2020-01-03T10:00:00Z"}
    assert listed(client, **second) == ["fa-2"]
    assert listed(client, **{"from": "2020-01-03T10:00:01Z"}) == ["fa-3", "fa-4"]
    assert listed(client, until="2020-01-03T09:59:59Z") == ["fa-0", "fa-1"]
    assert listed(client, **{"from": "2020-01-02T10:00:00Z", "until": "2020-01-04T09:59:59Z"}) == [
        "fa-1",
        "fa-2",
    ]


def test_set_and_dates_together(client: Client, five) -> None:
    assert listed(client, set="beinecke") == ["fa-1", "fa-3"]
    assert listed(client, set="mssa", **{"from": "2020-01-02"}) == ["fa-2", "fa-4"]


# --------------------------------------------------------------------------- deleted


def header_of(client: Client, identifier: str) -> etree._Element:
    root = oai_get(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    assert error_codes(root) == [], identifier
    return root.find(".//o:record", NS)


def test_unpublish_then_publish_again(client: Client, staff) -> None:
    serge = make_serge()
    identifier = ident("beinecke", "gen-mss-238")
    stamp(serge.collection, dt.datetime(2020, 1, 1, tzinfo=UTC))
    collection_unpublish(collection=serge.collection, user=staff)
    record = header_of(client, identifier)
    assert record.find("o:header", NS).get("status") == "deleted"
    assert record.find("o:metadata", NS) is None
    changed = oai_get(
        client, verb="ListRecords", metadataPrefix="oai_ead", **{"from": "2021-01-01"}
    )
    assert [h.get("status") for h in changed.iterfind(".//o:header", NS)] == ["deleted"]
    assert b"Victor Serge" not in raw(client, verb="ListRecords", metadataPrefix="oai_ead")
    collection_publish(collection=serge.collection, user=staff)
    record = header_of(client, identifier)
    assert record.find("o:header", NS).get("status") is None
    assert record.find("o:metadata", NS) is not None
    assert not HarvestTombstone.objects.exists()
    # Republishing moved the datestamp on: an incremental harvest sees it.
    assert listed(client, **{"from": "2021-01-01"}) == ["gen-mss-238"]


def test_unpublishing_a_series_changes_the_datestamp_but_keeps_the_record(
    client: Client, staff
) -> None:
    serge = make_serge()
    stamp(serge.collection, dt.datetime(2020, 1, 1, tzinfo=UTC))
    unit_unpublish(unit=serge.writings, user=staff)
    assert listed(client, **{"from": "2021-01-01"}) == ["gen-mss-238"]
    assert not HarvestTombstone.objects.exists()
    assert b"Writings" not in raw(client, verb="ListRecords", metadataPrefix="oai_ead")


def test_deleting_a_public_finding_aid_leaves_a_deleted_record(client: Client, staff) -> None:
    serge = make_serge()
    delete_collection(serge.collection)
    record = header_of(client, ident("beinecke", "gen-mss-238"))
    assert record.find("o:header", NS).get("status") == "deleted"
    assert record.findtext(".//o:setSpec", namespaces=NS) == "beinecke"
    listing = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_ead")
    assert [h.get("status") for h in listing.iterfind(".//o:header", NS)] == ["deleted"]


def test_the_admin_delete_leaves_a_deleted_record(client: Client, staff) -> None:
    serge = make_serge()
    client.force_login(staff)
    response = client.post(
        f"/admin/archive/collection/{serge.collection.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Collection.objects.filter(pk=serge.collection.pk).exists()
    client.logout()
    record = header_of(client, ident("beinecke", "gen-mss-238"))
    assert record.find("o:header", NS).get("status") == "deleted"


def test_a_never_public_finding_aid_leaves_no_trace(client: Client, staff) -> None:
    repo = make_repository("mssa")
    draft = make_collection(repo, "draft-secret", [2], published=False)
    for prefix in ("oai_dc", "oai_ead", "ead3"):
        assert b"draft-secret" not in harvest_bytes(
            client, verb="ListRecords", metadataPrefix=prefix
        )
    root = oai_get(
        client, verb="GetRecord", identifier=ident("mssa", "draft-secret"), metadataPrefix="oai_dc"
    )
    assert error_codes(root) == ["idDoesNotExist"]
    delete_collection(draft)
    assert not HarvestTombstone.objects.exists()
    assert error_codes(oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")) == [
        "noRecordsMatch"
    ]


def test_renaming_the_ead_id_reports_the_old_record_deleted(client: Client) -> None:
    # What the collection admin's save does when the EAD id field changed.
    serge = make_serge()
    collection = serge.collection
    collection.ead_id = "gen-mss-238-v2"
    collection.save()
    harvest_rename(
        collection=collection, old_repository_id=collection.repository_id, old_ead_id="gen-mss-238"
    )
    old = header_of(client, ident("beinecke", "gen-mss-238"))
    assert old.find("o:header", NS).get("status") == "deleted"
    new = header_of(client, ident("beinecke", "gen-mss-238-v2"))
    assert new.find("o:header", NS).get("status") is None


def test_replacing_keeps_the_identifier_and_moves_the_datestamp(client: Client) -> None:
    source = (SECURITY / "internal_2002.xml").read_bytes()
    first = ead_import(source=source, filename="internal_2002.xml")
    collection = Collection.objects.select_related("repository").get(pk=first.collection_id)
    identifier = ident(collection.repository.code, collection.ead_id)
    stamp(collection, dt.datetime(2020, 1, 1, tzinfo=UTC))
    ead_import(source=source, filename="internal_2002.xml", replace=True)
    root = oai_get(
        client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2021-01-01"}
    )
    headers = root.findall(".//o:header", NS)
    assert [h.findtext("o:identifier", namespaces=NS) for h in headers] == [identifier]
    assert headers[0].get("status") is None  # replaced under the same id: not deleted
    assert not HarvestTombstone.objects.exists()


# --------------------------------------------------------------------------- public only


@pytest.mark.parametrize("name", ["internal_2002.xml", "internal_ead3.xml"])
def test_no_internal_or_unpublished_material_in_any_format(client: Client, name: str) -> None:
    import re

    ead_import(source=(SECURITY / name).read_bytes(), filename=name)
    serge = make_serge()
    leak = re.compile(rb"zq\w*|Tibetan|Yiddish|1650s|1660s", re.IGNORECASE)
    hidden = [
        b"Clandestine",
        b"Secretive",
        b"Invisible",
        b"Confidential",
        b"Anonymous Donor",
        b"Unlisted Topic",
    ]
    for prefix in ("oai_dc", "oai_ead", "ead3"):
        data = harvest_bytes(client, verb="ListRecords", metadataPrefix=prefix)
        # Resumption tokens are random-looking base64 that may hold any letters: not content.
        data = re.sub(rb"<resumptionToken[^>]*>[^<]*</resumptionToken>", b"", data)
        # ... and the <request> element of each later page repeats the token it was given.
        data = re.sub(rb'resumptionToken="[^"]*"', b"", data)
        assert not leak.findall(data), (prefix, leak.findall(data)[:5])
        assert [w for w in hidden if w in data] == [], prefix
        assert b"Victor Serge" in data
    assert serge


def test_renaming_in_the_admin_reports_the_old_record_deleted(client: Client, staff) -> None:
    serge = make_serge()
    client.force_login(staff)
    url = f"/admin/archive/collection/{serge.collection.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update({"ead_id": "gen-mss-238-v2", "revisions-TOTAL_FORMS": "0"})
    data["revisions-INITIAL_FORMS"] = "0"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    client.logout()
    old = header_of(client, ident("beinecke", "gen-mss-238"))
    assert old.find("o:header", NS).get("status") == "deleted"
    assert (
        header_of(client, ident("beinecke", "gen-mss-238-v2")).find("o:header", NS).get("status")
        is None
    )


def test_moving_to_another_repository_in_the_admin(client: Client, staff) -> None:
    serge = make_serge()
    other = make_repository("mssa")
    client.force_login(staff)
    url = f"/admin/archive/collection/{serge.collection.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update({"repository": other.pk, "revisions-TOTAL_FORMS": "0"})
    data["revisions-INITIAL_FORMS"] = "0"
    assert client.post(url, data).status_code == 302
    client.logout()
    old = header_of(client, ident("beinecke", "gen-mss-238"))
    assert old.find("o:header", NS).get("status") == "deleted"
    assert (
        header_of(client, ident("mssa", "gen-mss-238")).find("o:header", NS).get("status") is None
    )


def test_identifiers_escape_what_the_scheme_does_not_allow(client: Client) -> None:
    make_serge(ead_id="MS 730/part 2")
    listed_ids = identifiers(oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    assert listed_ids == ["oai:fonds.local:beinecke/MS%20730/part%202"]
    root = oai_get(client, verb="GetRecord", identifier=listed_ids[0], metadataPrefix="oai_ead")
    assert root.findtext(".//ead:eadid", namespaces=NS).strip() == "MS 730/part 2"


@pytest.mark.parametrize(
    ("verb", "prefix"), [("ListRecords", "oai_dc"), ("ListIdentifiers", "oai_dc")]
)
def test_a_page_costs_the_same_queries_however_many_records(
    client: Client, django_assert_max_num_queries, verb, prefix
) -> None:
    repo = make_repository("mssa")
    make_serge()
    counts = []
    for size in (2, 12):
        while Collection.objects.count() < size:
            make_collection(repo, f"fa-{Collection.objects.count()}", [1], published=True)
        with django_assert_max_num_queries(12) as captured:
            root = oai_get(client, verb=verb, metadataPrefix=prefix)
        assert len(identifiers(root)) == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"verb": "ListRecords", "metadataPrefix": "oai dc"}, "cannotDisseminateFormat"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "no such set"},
            "noRecordsMatch",
        ),
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "not a uri"},
            "idDoesNotExist",
        ),
        ({"verb": "x" * 5000}, "badVerb"),
    ],
)
def test_odd_values_still_get_a_valid_response(client: Client, five, params, code) -> None:
    root = oai_get(client, **params)  # schema-valid, although the request repeats no odd value
    assert error_codes(root) == [code]
    assert len(root.findtext("o:error", namespaces=NS)) < 300
