"""Staff edits can never break an export, and an export never answers 200 with half a document.

Downloads serve a validated, cached file (``archive.services.export_files``), keyed by the
collection's content stamp (``archive.services.changes``).
"""

from __future__ import annotations

import io
import logging
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from lxml import etree

from archive.ead.conform import ContentModel
from archive.ead.records import ExtraElement, Unit
from archive.models import Agent, Collection, Note
from archive.services import export_files, exports
from archive.services.changes import collection_touch
from archive.services.export_files import cached_build, collection_export_file
from archive.services.outline import component_move
from archive.services.publishing import unit_publish
from archive.services.validation import DocumentInvalid, export_validate
from tests.admin_forms import add_inline, change_form_data
from tests.factories import HIDDEN_WORDS, PASSWORD, make_collection, make_serge, make_user
from tests.services.test_exports import assert_valid

pytestmark = pytest.mark.django_db


def url(fmt: str = "ead2002", ead_id: str = "gen-mss-238") -> str:
    return reverse(
        "archive:collection-ead",
        kwargs={"repository": "beinecke", "ead_id": ead_id, "fmt": fmt},
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def cached_files() -> list[Path]:
    root = Path(settings.FONDS_EXPORT_CACHE_DIR)
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".lock"))


def stamp(collection: Collection):
    return Collection.objects.get(pk=collection.pk).content_changed


@pytest.fixture
def counted_builds(monkeypatch):
    """Counts the exports actually written (cache misses)."""
    calls: list[str] = []
    original = export_files.collection_export

    def counting(**kwargs):
        calls.append(kwargs["fmt"])
        return original(**kwargs)

    monkeypatch.setattr(export_files, "collection_export", counting)
    return calls


# ------------------------------------------------------------- staff edits, then the download


def test_a_note_with_an_ampersand_saved_in_the_admin_keeps_both_downloads_valid(client):
    serge = make_serge()
    make_user("ana", repository=serge.repository)
    client.login(username="ana", password=PASSWORD)
    change = reverse("admin:archive_component_change", args=[serge.letters.pk])
    data = add_inline(
        change_form_data(client, change),
        "notes",
        {
            "note_type": "scopecontent",
            "content": "Letters & diaries, pages 3 < 5",
            "published": "on",
            "position": "5",
        },
    )
    assert client.post(change, data).status_code == 302
    client.logout()
    for fmt in ("ead2002", "ead3"):
        response = client.get(url(fmt))
        assert response.status_code == 200
        root = assert_valid(body(response), fmt)
        assert "Letters & diaries, pages 3 < 5" in "".join(root.itertext())


# ------------------------------------------------------------------------ failures


def _fail_after(monkeypatch, records: int) -> None:
    """Make the EAD writer die after ``records`` records, in the middle of the document."""
    original = exports._writer

    def failing_writer(fmt):
        write = original(fmt)

        def write_then_fail(stream, out, **kwargs):
            def stream_then_fail():
                for n, record in enumerate(stream):
                    if n == records:
                        raise RuntimeError("disk on fire")
                    yield record

            return write(stream_then_fail(), out, **kwargs)

        return write_then_fail

    monkeypatch.setattr(exports, "_writer", failing_writer)


@pytest.mark.parametrize("fmt", ["ead2002", "ead3"])
def test_a_failure_in_the_middle_of_a_large_export_never_gives_a_200(
    client, monkeypatch, caplog, fmt
):
    make_serge(extra_files=800)
    _fail_after(monkeypatch, 600)
    with caplog.at_level(logging.ERROR, logger="archive.exports"):
        response = client.get(url(fmt))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/plain")
    assert b"<?xml" not in body(response) and b"<ead" not in body(response)
    assert "cannot be downloaded" in body(response).decode()
    assert cached_files() == []  # nothing partial kept (no .partial either)
    [record] = [r for r in caplog.records if r.name == "archive.exports"]
    assert record.levelno == logging.ERROR
    message = record.getMessage()
    assert "gen-mss-238" in message and "disk on fire" in message and fmt in message


def test_an_invalid_document_is_not_served(client, monkeypatch, caplog):
    serge = make_serge()
    # A writer bug: an element the schema does not allow gets through unrepaired.
    original = exports.collection_records

    def with_a_bogus_element(**kwargs):
        for record in original(**kwargs):
            if type(record) is Unit and record.depth == 1:
                bogus = ExtraElement(xml="<bogus>x</bogus>", where="unit", position=0)
                record = Unit(**{**_fields(record), "extra": (bogus,)})
            yield record

    monkeypatch.setattr(exports, "collection_records", with_a_bogus_element)
    monkeypatch.setattr(ContentModel, "conform", lambda self, el, spec=None: el)
    with caplog.at_level(logging.ERROR, logger="archive.exports"):
        response = client.get(url("ead2002"))
    assert response.status_code == 500
    assert b"<ead" not in body(response)
    assert cached_files() == []
    [record] = [r for r in caplog.records if r.name == "archive.exports"]
    assert "not valid ead2002" in record.getMessage()
    assert "'bogus': This element is not expected" in record.getMessage()
    assert serge.collection.ead_id in record.getMessage()


def _fields(record) -> dict:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def test_the_command_refuses_to_write_an_export_that_fails(tmp_path, monkeypatch):
    make_serge(extra_files=300)
    target = tmp_path / "serge.xml"
    target.write_bytes(b"the previous good file")
    _fail_after(monkeypatch, 200)
    with pytest.raises(CommandError, match="gen-mss-238: the ead2002 export failed"):
        call_command("export_ead", "gen-mss-238", "-o", str(target), stderr=io.StringIO())
    assert target.read_bytes() == b"the previous good file"
    assert [p.name for p in tmp_path.iterdir()] == ["serge.xml"]
    stdout = io.BytesIO()
    with pytest.raises(CommandError, match="disk on fire"):
        call_command("export_ead", "gen-mss-238", stdout=io.TextIOWrapper(stdout))
    assert stdout.getvalue() == b""


def test_the_command_writes_a_validated_export_to_standard_output(capfdbinary):
    make_serge()
    call_command("export_ead", "gen-mss-238", "--format", "ead3")
    assert_valid(capfdbinary.readouterr().out, "ead3")


def test_validation_really_validates_and_reads_the_file_as_a_stream(tmp_path):
    good = tmp_path / "good.xml"
    serge = make_serge(extra_files=50)
    with good.open("wb") as out:
        exports.collection_export(collection=serge.collection, fmt="ead2002", out=out)
    assert export_validate(good, "ead2002") > 50
    bad = tmp_path / "bad.xml"
    bad.write_bytes(good.read_bytes().replace(b"<dsc>", b"<dsc><bogus/>", 1))
    with pytest.raises(DocumentInvalid, match="'bogus': This element is not expected"):
        export_validate(bad, "ead2002")
    twice = tmp_path / "twice.xml"
    twice.write_bytes(good.read_bytes().replace(b"<dsc>", b'<odd id="x"><p/></odd><dsc>', 1))
    twice.write_bytes(twice.read_bytes().replace(b"<dsc>", b'<odd id="x"><p/></odd><dsc>', 1))
    with pytest.raises(DocumentInvalid, match="the id 'x' is used twice"):
        export_validate(twice, "ead2002")  # (libxml2 checks this only when given a tree)
    truncated = tmp_path / "truncated.xml"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(DocumentInvalid):
        export_validate(truncated, "ead2002")
    with pytest.raises(DocumentInvalid):
        export_validate(good, "ead3")  # an EAD 2002 document is no EAD3


# ----------------------------------------------------------------- HTTP: lengths, ETags, 304


def test_a_download_has_length_etag_and_last_modified_and_answers_304(client, counted_builds):
    make_serge()
    response = client.get(url())
    data = body(response)
    assert response.status_code == 200
    assert int(response["Content-Length"]) == len(data)
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert response["Last-Modified"].endswith("GMT")
    assert response["Content-Disposition"] == 'attachment; filename="gen-mss-238.ead2002.xml"'
    assert_valid(data, "ead2002")
    again = client.get(url(), headers={"if-none-match": etag})
    assert again.status_code == 304
    assert body(again) == b""
    # A plain request again: the same file from the cache, no second export.
    assert body(client.get(url())) == data
    assert counted_builds == ["ead2002"]
    other = client.get(url("ead3"))
    assert other["ETag"] != etag


def test_an_edit_makes_the_old_etag_stale_and_the_file_is_rebuilt(client, counted_builds):
    serge = make_serge()
    first = client.get(url())
    etag = first["ETag"]
    body(first)
    note = Note.objects.get(unit=serge.letters)
    note.content = "<p>Letters of 1936 and 1937.</p>"
    note.save()
    response = client.get(url(), headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert b"Letters of 1936 and 1937." in body(response)
    assert counted_builds == ["ead2002", "ead2002"]
    assert len(cached_files()) == 1  # the file of the old stamp is gone


# ----------------------------------------------------------------------- the content stamp


def _public(client) -> bytes:
    return body(client.get(url()))


def test_the_stamp_moves_on_a_note_edit(client):
    serge = make_serge()
    before = stamp(serge.collection)
    assert b"Letters of 1936." in _public(client)
    Note.objects.filter(unit=serge.letters).get().delete()
    assert stamp(serge.collection) > before
    assert b"Letters of 1936." not in _public(client)


def test_the_stamp_moves_on_publishing(client):
    serge = make_serge()
    boss = make_user("boss", superuser=True)
    before = stamp(serge.collection)
    assert b"Draft letters" not in _public(client)
    unit_publish(unit=serge.drafts, user=boss)
    assert stamp(serge.collection) > before
    assert b"Draft letters" in _public(client)


def test_the_stamp_moves_on_an_outline_move_of_both_collections(client):
    serge = make_serge()
    other = make_collection(serge.repository, "ms-730", [1], published=True)
    boss = make_user("boss", superuser=True)
    before, before_other = stamp(serge.collection), stamp(other)
    first = _public(client)
    assert first.index(b"Correspondence") < first.index(b"Writings")
    component_move(unit=serge.writings, parent=serge.root, user=boss, position=1)
    assert stamp(serge.collection) > before
    moved = _public(client)
    assert moved.index(b"Writings") < moved.index(b"Correspondence")
    component_move(unit=serge.writings, parent=other.root, user=boss)
    assert stamp(other) > before_other
    assert b"Writings" not in _public(client)
    assert b"Writings" in body(client.get(url(ead_id="ms-730")))


def test_the_stamp_moves_when_a_name_the_collection_uses_is_renamed(client):
    serge = make_serge()
    before = stamp(serge.collection)
    assert b"Trotsky, Leon, 1879-1940" in _public(client)
    agent = Agent.objects.get(authorized_name="Bookseller Dealer Inc")
    agent.authorized_name = "Bookseller and Dealer Incorporated"
    agent.save()
    assert stamp(serge.collection) > before
    assert b"Bookseller and Dealer Incorporated" in _public(client)


def test_a_name_used_elsewhere_only_leaves_the_stamp_alone():
    serge = make_serge()
    before = stamp(serge.collection)
    Agent.objects.create(agent_type="person", authorized_name="Nobody, Used").save()
    assert stamp(serge.collection) == before


def test_the_stamp_moves_on_a_header_edit_and_an_explicit_touch():
    serge = make_serge()
    before = stamp(serge.collection)
    collection = Collection.objects.get(pk=serge.collection.pk)
    collection.finding_aid_author = "Someone else"
    collection.save()
    after_edit = stamp(serge.collection)
    assert after_edit > before
    time.sleep(0.001)
    assert collection_touch([serge.collection.pk]) == 1
    assert stamp(serge.collection) > after_edit


# --------------------------------------------------------------------- staff and public apart


def test_staff_and_public_exports_are_cached_apart(client):
    make_serge()
    make_user("ana", superuser=True)
    client.login(username="ana", password=PASSWORD)
    staff = client.get(url() + "?internal=1")
    staff_data = body(staff)
    assert all(word.encode() in staff_data for word in HIDDEN_WORDS)
    assert staff["Cache-Control"] == "private, no-store"
    client.logout()
    # The public asking for the same collection (even with ?internal=1) never gets it.
    for public in (client.get(url()), client.get(url() + "?internal=1")):
        data = body(public)
        assert not any(word.encode() in data for word in HIDDEN_WORDS)
        assert public["ETag"] != staff["ETag"]
    assert client.get(url(), headers={"if-none-match": staff["ETag"]}).status_code == 200
    names = sorted(p.name for p in cached_files())
    assert len(names) == 2
    assert names[0].startswith("ead2002-public-") and names[1].startswith("ead2002-staff-")


def test_the_admin_action_exports_the_validated_staff_file(client):
    serge = make_serge()
    make_user("ana", superuser=True)
    client.login(username="ana", password=PASSWORD)
    response = client.post(
        reverse("admin:archive_collection_changelist"),
        {"action": "export_ead3", "_selected_action": [serge.collection.pk]},
    )
    assert response.status_code == 200
    data = body(response)
    assert int(response["Content-Length"]) == len(data)
    root = assert_valid(data, "ead3")
    assert [el for el in root.iter() if el.get("audience") == "internal"]


def test_the_admin_action_reports_a_failed_export_as_a_message(client, monkeypatch):
    serge = make_serge(extra_files=300)
    make_user("ana", superuser=True)
    client.login(username="ana", password=PASSWORD)
    _fail_after(monkeypatch, 200)
    response = client.post(
        reverse("admin:archive_collection_changelist"),
        {"action": "export_ead2002", "_selected_action": [serge.collection.pk]},
        follow=True,
    )
    assert response.status_code == 200
    # (the admin capitalises messages)
    assert "Gen-mss-238: the ead2002 export failed: RuntimeError: disk on fire" in (
        response.content.decode()
    )


# ------------------------------------------------------------------------ one build at once


def test_concurrent_requests_for_one_export_build_it_once(tmp_path):
    target = tmp_path / "ead2002-public-x.xml"
    builds: list[int] = []
    started = threading.Barrier(4)

    def build() -> None:
        builds.append(1)
        time.sleep(0.2)  # long enough for every other caller to reach the lock
        target.write_bytes(b"<ead/>")

    results: list[bool] = []

    def request() -> None:
        started.wait()
        results.append(cached_build(target, lock=tmp_path / "x.lock", build=build, kind="k"))

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert builds == [1]
    assert sorted(results) == [False, False, False, True]


def test_a_cached_file_is_reused_and_old_stamps_are_removed():
    serge = make_serge()
    first = collection_export_file(collection=serge.collection, fmt="ead3", audience="public")
    again = collection_export_file(collection=serge.collection, fmt="ead3", audience="public")
    assert again.path == first.path and again.etag == first.etag
    collection_touch([serge.collection.pk])
    newer = collection_export_file(collection=serge.collection, fmt="ead3", audience="public")
    assert newer.path != first.path and not first.path.exists()
    assert etree.parse(str(newer.path)).getroot() is not None
