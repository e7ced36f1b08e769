"""Exporting EAD: the service, ``manage.py export_ead``, the download view, the admin actions."""

from __future__ import annotations

import io
import threading
import zipfile
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth import get_user_model
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse
from lxml import etree

from archive.admin.exports import export_ead3, export_ead2002
from archive.ead.parsing import safe_parser
from archive.ead.reader import read_ead
from archive.exchange.load import EADLoader
from archive.models import (
    Agent,
    AgentLink,
    Collection,
    Component,
    DigitalObject,
    Note,
    Repository,
    RepositoryMembership,
    Subject,
    SubjectLink,
)
from archive.services.exports import (
    CollectionNotPublic,
    collection_export,
    collection_export_chunks,
)
from tests.factories import HIDDEN_WORDS, make_serge

pytestmark = pytest.mark.django_db

NAMESPACES = {"ead2002": "urn:isbn:1-931666-22-9", "ead3": "http://ead3.archivists.org/schema/"}
SCHEMA_FILES = {"ead2002": "ead2002/ead.xsd", "ead3": "ead3/ead3.xsd"}


@cache
def schema(fmt: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(Path(settings.FONDS_SCHEMA_DIR) / SCHEMA_FILES[fmt])))


def assert_valid(data: bytes, fmt: str) -> etree._Element:
    doc = etree.parse(io.BytesIO(data), safe_parser())
    xsd = schema(fmt)
    assert xsd.validate(doc), "\n".join(str(e) for e in xsd.error_log)
    return doc.getroot()


def export(collection: Collection, fmt: str = "ead2002", **kwargs) -> bytes:
    out = io.BytesIO()
    collection_export(collection=collection, fmt=fmt, out=out, **kwargs)
    return out.getvalue()


def internal_elements(root: etree._Element) -> list[etree._Element]:
    return [el for el in root.iter() if el.get("audience") == "internal"]


# --------------------------------------------------------------------------- the service


@pytest.mark.parametrize("fmt", ["ead2002", "ead3"])
def test_public_export_is_valid_and_leaves_out_unpublished_material(fmt):
    serge = make_serge()
    data = export(serge.collection, fmt)
    root = assert_valid(data, fmt)
    assert etree.QName(root).namespace == NAMESPACES[fmt]
    text = data.decode()
    for word in HIDDEN_WORDS:
        assert word not in text
    assert not internal_elements(root)
    for word in ("Letters to Trotsky", "Writings", "Victor Serge was born", "Bookseller Dealer"):
        assert word in text


@pytest.mark.parametrize("fmt", ["ead2002", "ead3"])
def test_staff_export_marks_unpublished_material_internal(fmt):
    serge = make_serge()
    data = export(serge.collection, fmt, include_unpublished=True)
    root = assert_valid(data, fmt)
    text = data.decode()
    for word in HIDDEN_WORDS:
        assert word in text
    marked = " ".join(" ".join(el.itertext()) for el in internal_elements(root))
    for word in ("Clandestine", "Secretive", "Confidential"):
        assert word in marked


def test_sources_are_not_turned_into_creators_on_a_round_trip(tmp_path):
    serge = make_serge()
    other = Repository.objects.create(code="elsewhere", name="Elsewhere")
    for fmt in ("ead2002", "ead3"):
        path = tmp_path / f"serge.{fmt}.xml"
        path.write_bytes(export(serge.collection, fmt))
        records = list(read_ead(path))
        collection_unit = next(rec for rec in records if getattr(rec, "depth", None) == 0)
        roles = {a.name: a.role for a in collection_unit.agents}
        assert roles["Bookseller Dealer Inc"] == "source", fmt
        assert roles["Serge, Victor, 1890-1947"] == "creator", fmt
        assert roles["Trotsky, Leon, 1879-1940"] == "subject", fmt
        EADLoader(repository=other, ead_id=fmt, filename=path.name).load(read_ead(path))


def test_export_is_deterministic_and_public_equals_staff_without_unpublished_material():
    serge = make_serge()
    for fmt in ("ead2002", "ead3"):
        assert export(serge.collection, fmt) == export(serge.collection, fmt)
    # Publish everything: then the staff version has nothing more to show.
    Component.objects.filter(collection=serge.collection).update(published=True)
    for model in (Note, Agent, AgentLink, DigitalObject, Subject, SubjectLink):
        model.objects.update(published=True)
    for fmt in ("ead2002", "ead3"):
        assert export(serge.collection, fmt) == export(
            serge.collection, fmt, include_unpublished=True
        )


@pytest.mark.parametrize("fmt", ["ead2002", "ead3"])
@pytest.mark.parametrize("staff", [True, False])
def test_streamed_download_gives_the_same_bytes_as_the_export(fmt, staff):
    # more components than the streaming path hands to its writer thread at once
    serge = make_serge(extra_files=250)
    chunks = collection_export_chunks(
        collection=serge.collection, fmt=fmt, include_unpublished=staff
    )
    assert b"".join(chunks) == export(serge.collection, fmt, include_unpublished=staff)


def test_a_download_stopped_early_stops_its_writer():
    serge = make_serge(extra_files=250)
    chunks = collection_export_chunks(
        collection=serge.collection, fmt="ead2002", include_unpublished=True, buffer_size=1024
    )
    assert next(chunks).startswith(b"<?xml")
    chunks.close()  # the client went away
    assert not [t for t in threading.enumerate() if t.name == "ead-export-writer"]


def test_container_ids_are_stable_across_exports_and_round_trips(tmp_path):
    serge = make_serge()
    first = export(serge.collection, "ead2002")
    ns = {"e": NAMESPACES["ead2002"]}
    ids = etree.fromstring(first).xpath("//e:container/@id", namespaces=ns)
    assert len(ids) == 2 and len(set(ids)) == 2
    path = tmp_path / "first.xml"
    path.write_bytes(first)
    other = Repository.objects.create(code="elsewhere", name="Elsewhere")
    result = EADLoader(repository=other, filename="first.xml").load(read_ead(path))
    again = export(Collection.objects.get(pk=result.collection_id), "ead2002")
    assert etree.fromstring(again).xpath("//e:container/@id", namespaces=ns) == ids


def test_internal_input_stays_out_of_public_exports(tmp_path):
    path = tmp_path / "internal.xml"
    path.write_text(INTERNAL_EAD, encoding="utf-8")
    repository = Repository.objects.create(code="r", name="R")
    result = EADLoader(repository=repository, filename=path.name).load(read_ead(path))
    collection = Collection.objects.get(pk=result.collection_id)
    for fmt in ("ead2002", "ead3"):
        public = export(collection, fmt)
        assert_valid(public, fmt)
        assert b"Public file" in public
        for word in (b"Secret series", b"Nested secret", b"Staff remark"):
            assert word not in public
        staff = export(collection, fmt, include_unpublished=True)
        marked = " ".join(
            " ".join(el.itertext()) for el in internal_elements(assert_valid(staff, fmt))
        )
        assert "Secret series" in marked and "Staff remark" in marked


def test_unpublished_collection_has_no_public_export():
    serge = make_serge()
    serge.root.published = False
    serge.root.save()
    collection = Collection.objects.get(pk=serge.collection.pk)
    with pytest.raises(CollectionNotPublic):
        export(collection)
    assert b"Victor Serge papers" in export(collection, include_unpublished=True)


# --------------------------------------------------------------------------- the command


def test_command_writes_ead2002_by_default_and_ead3_on_request(tmp_path):
    make_serge()
    out = tmp_path / "serge.xml"
    call_command("export_ead", "gen-mss-238", "--output", str(out), stderr=io.StringIO())
    assert_valid(out.read_bytes(), "ead2002")
    call_command(
        "export_ead", "gen-mss-238", "--format", "ead3", "-o", str(out), stderr=io.StringIO()
    )
    root = assert_valid(out.read_bytes(), "ead3")
    assert b"Clandestine" not in out.read_bytes()
    call_command(
        "export_ead", "gen-mss-238", "--include-unpublished", "-o", str(out), stderr=io.StringIO()
    )
    assert b"Clandestine" in out.read_bytes()
    assert root is not None


def test_command_errors_are_clear(tmp_path):
    serge = make_serge()
    with pytest.raises(CommandError, match="no collection with EAD id 'nope'"):
        call_command("export_ead", "nope", "-o", str(tmp_path / "x.xml"))
    with pytest.raises(CommandError, match="EADID"):
        call_command("export_ead")
    with pytest.raises(CommandError):
        call_command("export_ead", "gen-mss-238", "--format", "ead4")
    make_serge("sterling", ead_id="gen-mss-238")
    with pytest.raises(CommandError, match="--repository"):
        call_command("export_ead", "gen-mss-238", "-o", str(tmp_path / "x.xml"))
    call_command(
        "export_ead",
        "gen-mss-238",
        "--repository",
        "sterling",
        "-o",
        str(tmp_path / "x.xml"),
        stderr=io.StringIO(),
    )
    assert (tmp_path / "x.xml").is_file()
    serge.root.published = False
    serge.root.save()
    with pytest.raises(CommandError, match="--include-unpublished"):
        call_command("export_ead", "gen-mss-238", "--repository", serge.repository.code)


def test_command_all_writes_one_file_per_collection_with_a_summary(tmp_path):
    make_serge()
    make_serge("sterling")  # the same EAD id in another repository
    hidden = make_serge("yale", ead_id="draft")
    hidden.root.published = False
    hidden.root.save()
    stdout = io.StringIO()
    call_command(
        "export_ead",
        "--all",
        str(tmp_path),
        "--format",
        "ead3",
        stdout=stdout,
        stderr=io.StringIO(),
    )
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["beinecke__gen-mss-238.ead3.xml", "sterling__gen-mss-238.ead3.xml"]
    for name in files:
        assert_valid((tmp_path / name).read_bytes(), "ead3")
    summary = stdout.getvalue()
    assert "Exported 2 of 3 collections" in summary
    assert "skipped 1 unpublished" in summary

    staff_dir = tmp_path / "staff"
    call_command(
        "export_ead",
        "--all",
        str(staff_dir),
        "--include-unpublished",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert len(list(staff_dir.iterdir())) == 3


# --------------------------------------------------------------------------- the view


def test_download_gives_the_public_version_as_an_attachment(client):
    serge = make_serge()
    url = reverse(
        "archive:collection-ead",
        kwargs={"repository": "beinecke", "ead_id": "gen-mss-238", "fmt": "ead3"},
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert response["Content-Disposition"] == 'attachment; filename="gen-mss-238.ead3.xml"'
    data = b"".join(response.streaming_content)
    assert_valid(data, "ead3")
    assert b"Clandestine" not in data
    # Anonymous users asking for the staff version still get the public one.
    data = b"".join(client.get(url + "?internal=1").streaming_content)
    assert b"Clandestine" not in data
    assert serge.collection.pk


def test_staff_may_download_the_internal_version(client):
    serge = make_serge()
    user = get_user_model().objects.create_user("archivist", password="pw", is_staff=True)
    RepositoryMembership.objects.create(
        user=user, repository=serge.collection.repository, role="viewer"
    )
    client.login(username="archivist", password="pw")
    url = reverse(
        "archive:collection-ead",
        kwargs={"repository": "beinecke", "ead_id": "gen-mss-238", "fmt": "ead2002"},
    )
    assert b"Clandestine" not in b"".join(client.get(url).streaming_content)
    response = client.get(url + "?internal=1")
    data = b"".join(response.streaming_content)
    assert b"Clandestine" in data
    assert "no-store" in response["Cache-Control"]
    assert_valid(data, "ead2002")


def test_download_404s(client):
    serge = make_serge()
    kwargs = {"repository": "beinecke", "ead_id": "gen-mss-238"}
    bad_format = reverse("archive:collection-ead", kwargs={**kwargs, "fmt": "ead4"})
    assert client.get(bad_format).status_code == 404
    missing = reverse(
        "archive:collection-ead", kwargs={**kwargs, "ead_id": "nope", "fmt": "ead2002"}
    )
    assert client.get(missing).status_code == 404
    serge.root.published = False
    serge.root.save()
    url = reverse("archive:collection-ead", kwargs={**kwargs, "fmt": "ead2002"})
    assert client.get(url).status_code == 404
    assert client.get(url + "?internal=1").status_code == 404


# --------------------------------------------------------------------------- admin actions


def admin_request():
    request = RequestFactory().post("/admin/archive/collection/")
    request.user = get_user_model().objects.create_superuser("boss", "b@example.org", "pw")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_admin_action_exports_one_collection_as_its_staff_xml():
    serge = make_serge()
    modeladmin = admin_site._registry.get(Collection)
    response = export_ead2002(
        modeladmin, admin_request(), Collection.objects.filter(pk=serge.collection.pk)
    )
    assert response["Content-Disposition"] == 'attachment; filename="gen-mss-238.ead2002.xml"'
    data = b"".join(response.streaming_content)
    root = assert_valid(data, "ead2002")
    assert internal_elements(root)


def test_admin_action_zips_several_collections():
    make_serge()
    make_serge("sterling", ead_id="ms-730")
    modeladmin = admin_site._registry.get(Collection)
    response = export_ead3(modeladmin, admin_request(), Collection.objects.all())
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == ["gen-mss-238.ead3.xml", "ms-730.ead3.xml"]
    for name in archive.namelist():
        root = assert_valid(archive.read(name), "ead3")
        assert internal_elements(root)


INTERNAL_EAD = """<?xml version="1.0" encoding="UTF-8"?>
<ead xmlns="urn:isbn:1-931666-22-9">
  <eadheader><eadid>internal-test</eadid>
    <filedesc><titlestmt><titleproper>Internal test</titleproper></titlestmt></filedesc>
  </eadheader>
  <archdesc level="collection">
    <did><unittitle>Internal test papers</unittitle><unitid>IT 1</unitid>
      <repository><corpname>Test repository</corpname></repository></did>
    <processinfo audience="internal"><p>Staff remark</p></processinfo>
    <dsc>
      <c level="series" audience="internal">
        <did><unittitle>Secret series</unittitle></did>
        <c level="file"><did><unittitle>Nested secret</unittitle></did></c>
      </c>
      <c level="file"><did><unittitle>Public file</unittitle></did></c>
    </dsc>
  </archdesc>
</ead>
"""
