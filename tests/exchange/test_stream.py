"""archive.exchange.stream: rows -> neutral records, in document order, public or staff."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.ead import records as r
from archive.ead.reader import read_ead
from archive.exchange.load import EADLoader
from archive.exchange.stream import collection_records
from archive.models import Collection, Repository
from tests.factories import make_serge

pytestmark = pytest.mark.django_db


def units(records: list) -> list[r.Unit]:
    return [rec for rec in records if isinstance(rec, r.Unit)]


def titles(records: list) -> list[tuple[int, str]]:
    return [(u.depth, u.title_text) for u in units(records)]


def test_stream_is_header_then_collection_then_components_in_document_order():
    serge = make_serge()
    records = list(collection_records(collection=serge.collection, include_unpublished=True))
    assert isinstance(records[0], r.FindingAid)
    assert records[0].ead_id == "gen-mss-238"
    assert records[0].title_text == "Guide to the Victor Serge Papers"
    assert titles(records) == [
        (0, "Victor Serge papers"),
        (1, "Correspondence"),
        (2, "Letters to Trotsky"),
        (2, "Draft letters Clandestine"),
        (1, "Restricted series Secretive"),
        (2, "Hidden file Invisible"),
        (1, "Writings"),
    ]
    assert [u.sequence for u in units(records)] == list(range(7))
    assert units(records)[0].level == "collection"
    assert units(records)[0].identifier == "GEN MSS 238"


def test_public_stream_leaves_out_unpublished_units_with_everything_below():
    serge = make_serge()
    records = list(collection_records(collection=serge.collection))
    assert titles(records) == [
        (0, "Victor Serge papers"),
        (1, "Correspondence"),
        (2, "Letters to Trotsky"),
        (1, "Writings"),
    ]
    assert all(u.published for u in units(records))


def test_staff_stream_marks_only_what_is_unpublished():
    serge = make_serge()
    published = {
        u.title_text: u.published
        for u in units(collection_records(collection=serge.collection, include_unpublished=True))
    }
    assert published["Draft letters Clandestine"] is False
    assert published["Restricted series Secretive"] is False
    # Hidden by its series, not unpublished itself: a re-import must keep its own flag.
    assert published["Hidden file Invisible"] is True


def test_public_stream_leaves_out_unpublished_notes_links_and_digital_objects():
    serge = make_serge()
    public = units(collection_records(collection=serge.collection))
    root, letters = public[0], public[2]
    assert [n.note_type for n in root.notes] == ["bioghist"]
    assert [(a.name, a.role) for a in root.agents] == [
        ("Serge, Victor, 1890-1947", "creator"),
        ("Trotsky, Leon, 1879-1940", "subject"),
        ("Bookseller Dealer Inc", "source"),
    ]
    assert [s.term for s in root.subjects] == ["Revolutionaries"]
    assert [d.title for d in letters.digital_objects] == ["Scan of a letter"]

    staff = units(collection_records(collection=serge.collection, include_unpublished=True))
    assert [(n.note_type, n.published) for n in staff[0].notes] == [
        ("bioghist", True),
        ("processinfo", False),
    ]
    assert [a.published for a in staff[0].agents] == [True, True, True, False, False]
    assert [s.published for s in staff[0].subjects] == [True, False]
    assert [d.published for d in staff[2].digital_objects] == [True, False]


def test_sources_stay_sources_with_their_relator():
    serge = make_serge()
    root = units(collection_records(collection=serge.collection))[0]
    dealer = next(a for a in root.agents if a.name == "Bookseller Dealer Inc")
    assert (dealer.role, dealer.relator, dealer.agent_type) == ("source", "dnr", "corporate")
    creator = next(a for a in root.agents if a.role == "creator")
    assert creator.source == "lcnaf"
    assert creator.authority_id == "http://id.loc.gov/authorities/names/n50003420"


def test_admin_made_containers_get_stable_linked_ids():
    serge = make_serge()
    first = units(collection_records(collection=serge.collection))[2].containers
    again = units(collection_records(collection=serge.collection))[2].containers
    assert first == again
    box, folder = first
    assert (box.container_type, box.indicator, folder.container_type, folder.indicator) == (
        "box",
        "3",
        "folder",
        "12",
    )
    assert box.ref and folder.parent_ref == box.ref and folder.ref != box.ref


def test_chunks_change_nothing_but_the_number_of_queries():
    serge = make_serge(extra_files=7)
    whole = list(collection_records(collection=serge.collection, include_unpublished=True))
    for size in (1, 2, 3, 5):
        assert (
            list(
                collection_records(
                    collection=serge.collection, include_unpublished=True, chunk_size=size
                )
            )
            == whole
        )
        assert list(collection_records(collection=serge.collection, chunk_size=size)) == list(
            collection_records(collection=serge.collection)
        )


def count_queries(collection: Collection) -> int:
    collection = Collection.objects.select_related("repository").get(pk=collection.pk)
    with CaptureQueriesContext(connection) as ctx:
        for _ in collection_records(collection=collection, include_unpublished=True):
            pass
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_number_of_components():
    small = make_serge("small")
    large = make_serge("large", ead_id="other", extra_files=25)
    assert count_queries(small.collection) == count_queries(large.collection)


def test_records_survive_the_database(tmp_path):
    """File -> records -> loader -> streamer gives the records back (what the loader keeps)."""
    source = tmp_path / "sample.xml"
    source.write_text(SAMPLE, encoding="utf-8")
    repository = Repository.objects.create(code="sample", name="Sample")
    read = [rec for rec in read_ead(source) if not isinstance(rec, r.UnitSupplement)]
    result = EADLoader(repository=repository, filename="sample.xml").load(read_ead(source))
    collection = Collection.objects.get(pk=result.collection_id)
    streamed = list(collection_records(collection=collection, include_unpublished=True))

    assert streamed[0].ead_id == read[0].ead_id
    assert streamed[0].title == read[0].title
    for before, after in zip(units(read), units(streamed), strict=True):
        assert after.title == before.title
        assert after.ref == before.ref
        assert after.level == before.level
        assert after.identifier == before.identifier
        assert after.attributes == before.attributes
        assert [(d.expression, d.date_type, d.normal) for d in after.dates] == [
            (d.expression, d.date_type, d.normal) for d in before.dates
        ]
        assert after.notes == before.notes
        assert after.agents == before.agents
        assert after.subjects == before.subjects
        assert after.containers == before.containers
        assert after.digital_objects == before.digital_objects
        assert after.extra == before.extra
        assert after.published == before.published


SAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<ead xmlns="urn:isbn:1-931666-22-9" xmlns:xlink="http://www.w3.org/1999/xlink">
  <eadheader>
    <eadid countrycode="US">sample-001</eadid>
    <filedesc><titlestmt><titleproper>Guide to the <emph render="italic">Sample</emph>
      papers</titleproper></titlestmt></filedesc>
  </eadheader>
  <archdesc level="collection" altrender="full">
    <did>
      <unittitle>Sample papers</unittitle>
      <unitid>MS 1</unitid>
      <unitdate type="inclusive" normal="1900/1950">1900-1950</unitdate>
      <origination label="Creator"><persname source="lcnaf">Doe, Jane</persname></origination>
    </did>
    <scopecontent id="sc1"><head>Scope</head><p>Letters and <emph>diaries</emph>.</p></scopecontent>
    <controlaccess>
      <persname role="fmo" source="local">Smith, John</persname>
      <subject source="lcsh">Diaries</subject>
    </controlaccess>
    <dsc>
      <c level="series" id="s1">
        <did><unittitle>Series one</unittitle></did>
        <c level="file" id="f1">
          <did>
            <unittitle>File one</unittitle>
            <container id="b1" type="box">1</container>
            <container parent="b1" type="folder">2</container>
            <dao xlink:href="https://example.org/1" xlink:title="Image"/>
          </did>
          <odd audience="internal"><p>Internal remark</p></odd>
        </c>
        <c level="file" id="f2" audience="internal">
          <did><unittitle>Internal file</unittitle></did>
        </c>
      </c>
    </dsc>
  </archdesc>
</ead>
"""


def test_containers_edited_in_the_admin_are_exported_as_the_columns_say(tmp_path):
    """The file's own containers (ids, labels) come back while the instance still says what
    the file said; once a folder number is changed in the admin, the instance is written from
    its columns with ids made from the unit's place, and the other instances keep the file's."""
    from archive.models import ContainerInstance

    source = tmp_path / "sample.xml"
    source.write_text(SAMPLE, encoding="utf-8")
    repository = Repository.objects.create(code="sample", name="Sample")
    result = EADLoader(repository=repository, filename="sample.xml").load(read_ead(source))
    collection = Collection.objects.get(pk=result.collection_id)

    def containers() -> list[tuple[str | None, str | None, str | None, str]]:
        streamed = units(collection_records(collection=collection, include_unpublished=True))
        found = [u.containers for u in streamed if u.containers]
        assert len(found) == 1
        return [(c.ref, c.parent_ref, c.container_type, c.indicator) for c in found[0]]

    assert containers() == [("b1", None, "box", "1"), (None, "b1", "folder", "2")]

    ContainerInstance.objects.filter(unit__collection=collection).update(child_indicator="7")
    (box_ref, box_parent, box_type, box), (folder_ref, folder_parent, folder_type, folder) = (
        containers()
    )
    assert (box_type, box, folder_type, folder) == ("box", "1", "folder", "7")
    assert box_ref and box_ref.startswith("ctr-") and box_parent is None
    assert folder_parent == box_ref and folder_ref != box_ref
