"""EAD import end to end: the service, the command, the task and the admin page.

Counts are checked against counts made here, independently, from the XML with lxml (element
counts by the rules the issue states), never against numbers written into the test.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from lxml import etree

from archive.models import (
    AgentLink,
    Collection,
    Component,
    ContainerInstance,
    DigitalObject,
    Extent,
    ImportJob,
    Note,
    Repository,
    SubjectLink,
    UnitDate,
)
from archive.services import imports
from tests.corpus import corpus_files

pytestmark = pytest.mark.django_db

# ------------------------------------------------------------------ independent XML counts

UNIT_NOTES = set(
    "scopecontent bioghist arrangement accessrestrict userestrict prefercite acqinfo custodhist "
    "processinfo appraisal accruals relatedmaterial separatedmaterial otherfindaid originalsloc "
    "altformavail phystech fileplan odd bibliography index legalstatus note".split()
)
DID_NOTES = {"abstract", "physloc", "materialspec", "langmaterial", "note", "didnote"}
NAMES = {"persname", "famname", "corpname", "name"}
TERMS = {"subject", "geogname", "genreform", "occupation", "function", "title"}


def _name(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _children(el: etree._Element) -> list[etree._Element]:
    return [child for child in el if isinstance(child.tag, str)]


def _is_component(name: str) -> bool:
    return name == "c" or (len(name) == 3 and name[0] == "c" and name[1:].isdigit())


def xml_counts(path: Path) -> dict[str, int]:
    """Components, notes, agent links, subject links and digital objects, from the XML."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(path), parser).getroot()
    counts = dict.fromkeys(
        ["components", "notes", "agent_links", "subject_links", "digital_objects"], 0
    )

    def digital(el: etree._Element) -> int:
        name = _name(el)
        if name == "dao":
            return 1
        if name in ("daogrp", "daoset"):
            members = [c for c in _children(el) if _name(c) in ("daoloc", "dao")]
            described = any(_name(c) in ("daodesc", "descriptivenote") for c in _children(el))
            return len(members) or int(described)
        return 0

    def controlaccess(el: etree._Element) -> None:
        for child in _children(el):
            name = _name(child)
            if name == "controlaccess":
                controlaccess(child)
            elif name in NAMES:
                counts["agent_links"] += 1
            elif name in TERMS:
                counts["subject_links"] += 1

    def origination(el: etree._Element) -> None:
        children = _children(el)
        loose_text = (el.text or "").strip() or any((c.tail or "").strip() for c in el)
        if children and all(_name(c) in NAMES for c in children) and not loose_text:
            counts["agent_links"] += len(children)

    for unit in root.iter():
        name = _name(unit)
        if name != "archdesc" and not _is_component(name):
            continue
        if any(_name(a) == "objectxmlwrap" for a in unit.iterancestors()):
            continue  # quoted in a wrapper for other vocabularies: no unit of the tree
        if name != "archdesc":
            counts["components"] += 1
        seen_did = False
        for child in _children(unit):
            child_name = _name(child)
            if child_name == "did" and not seen_did:
                seen_did = True
                for item in _children(child):
                    item_name = _name(item)
                    if item_name in DID_NOTES:
                        counts["notes"] += 1
                    elif item_name == "origination":
                        origination(item)
                    counts["digital_objects"] += digital(item)
            elif child_name in UNIT_NOTES:
                counts["notes"] += 1
            elif child_name == "controlaccess":
                controlaccess(child)
            else:
                counts["digital_objects"] += digital(child)
    return counts


def db_counts(collection: Collection) -> dict[str, int]:
    units = Component.objects.filter(collection=collection)
    return {
        "components": units.filter(depth__gt=1).count(),
        "notes": Note.objects.filter(unit__in=units).count(),
        "agent_links": AgentLink.objects.filter(unit__in=units).count(),
        "subject_links": SubjectLink.objects.filter(unit__in=units).count(),
        "digital_objects": DigitalObject.objects.filter(unit__in=units).count(),
    }


def row_counts() -> dict[str, int]:
    """Rows of every table of the archive app (history tables included)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_app_config("archive").get_models()
    }


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def ead2002(body: str = "", *, eadid: str = "test-1", ns: bool = True, head: str = "") -> str:
    xmlns = ' xmlns="urn:isbn:1-931666-22-9"' if ns else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{head}<ead{xmlns}>'
        f'<eadheader><eadid mainagencycode="US-XX-T">{eadid}</eadid><filedesc><titlestmt>'
        "<titleproper>Test papers</titleproper></titlestmt></filedesc></eadheader>"
        '<archdesc level="collection"><did><repository><corpname>Test Library</corpname>'
        "</repository><unittitle>Test papers</unittitle><unitid>T 1</unitid></did>"
        f"<dsc>{body}</dsc></archdesc></ead>"
    )


# ------------------------------------------------------------------ the corpus


@pytest.fixture
def no_search_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """Importing every corpus file is about the import's counts; the (separately tested)
    search index would only make this test slow (tests/search/test_import_index.py imports
    every corpus file with it)."""
    from archive.exchange.load import EADLoader

    monkeypatch.setattr(imports.search_index, "reindex_collection", lambda collection_id: 0)
    monkeypatch.setattr(EADLoader, "write_index_rows", lambda self, **kw: None)


@pytest.mark.slow
@pytest.mark.parametrize("name", corpus_files(well_formed=True))
def test_every_well_formed_corpus_file_imports_with_the_counts_of_the_file(
    name: str, corpus_dir: Path, no_search_index: None
) -> None:
    path = corpus_dir / name
    result = imports.ead_import(source=path, filename=name)

    assert result.ok and result.error is None
    collection = Collection.objects.get(pk=result.collection_id)
    expected = xml_counts(path)
    assert db_counts(collection) == expected
    assert result.components == expected["components"]
    # The tree is complete: one root, and numchild agrees with the rows below each node.
    assert collection.components.filter(depth=1).count() == 1
    for node in collection.components.filter(numchild__gt=0)[:50]:
        assert (
            node.numchild
            == collection.components.filter(
                depth=node.depth + 1, path__startswith=node.path
            ).count()
        )


@pytest.mark.parametrize("name", corpus_files(well_formed=False))
def test_malformed_corpus_files_are_refused_with_file_line_and_column(
    name: str, corpus_dir: Path
) -> None:
    path = corpus_dir / name
    with pytest.raises(etree.XMLSyntaxError) as parsed:
        etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    line, column = parsed.value.position
    before = row_counts()

    with pytest.raises(imports.EADImportError) as refused:
        imports.ead_import(source=path, filename=name)

    message = str(refused.value)
    assert name in message
    assert f"line {line}" in message and f"column {column}" in message
    assert row_counts() == before


# ------------------------------------------------------------------ versions and content

VARIANTS = {
    "2002 with namespace": (
        ead2002("<c01 level='file'><did><unittitle>A</unittitle></did></c01>"),
        "2002",
    ),
    "2002 without namespace": (
        ead2002("<c01 level='file'><did><unittitle>A</unittitle></did></c01>", ns=False),
        "2002",
    ),
    "2002 with a DOCTYPE": (
        ead2002(
            "<c level='file'><did><unittitle>A&eacute;</unittitle></did></c>",
            ns=False,
            head='<!DOCTYPE ead PUBLIC "+//ISBN 1-931666-00-8//DTD ead.dtd (Encoded Archival '
            'Description (EAD) Version 2002)//EN" "http://example.invalid/ead.dtd">',
        ),
        "2002",
    ),
    "EAD3": (
        '<?xml version="1.0"?><ead xmlns="http://ead3.archivists.org/schema/"><control>'
        "<recordid>test-1</recordid><filedesc><titlestmt><titleproper>Test papers"
        '</titleproper></titlestmt></filedesc><maintenancestatus value="new"/>'
        "<maintenanceagency><agencycode>US-XX-T</agencycode><agencyname>Test Library"
        "</agencyname></maintenanceagency><maintenancehistory><maintenanceevent><eventtype "
        'value="created"/><eventdatetime>2024</eventdatetime><agenttype value="human"/>'
        "<agent>me</agent></maintenanceevent></maintenancehistory></control><archdesc "
        'level="collection"><did><unittitle>Test papers</unittitle></did><dsc><c '
        'level="file"><did><unittitle>A</unittitle></did></c></dsc></archdesc></ead>',
        "3",
    ),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_each_version_and_variant_imports(variant: str, tmp_path: Path) -> None:
    text, version = VARIANTS[variant]
    path = write(tmp_path, "variant.xml", text)

    result = imports.ead_import(source=path)

    collection = Collection.objects.get(pk=result.collection_id)
    assert collection.source_version == version
    assert collection.ead_id == "test-1"
    assert collection.repository.agency_code == "US-XX-T"
    titles = list(collection.components.filter(depth=2).values_list("title", flat=True))
    assert len(titles) == 1 and titles[0].startswith("A")


def test_mixed_content_is_stored_exactly(tmp_path: Path) -> None:
    body = (
        '<c01 level="file"><did><unittitle>Letters from <emph render="italic">Victor'
        "</emph> <emph>Serge</emph></unittitle></did><scopecontent><p>By <emph>Victor</emph> "
        "<emph>Serge</emph>,\n  in exile.</p></scopecontent></c01>"
    )
    result = imports.ead_import(source=write(tmp_path, "mixed.xml", ead2002(body)))

    unit = Component.objects.get(collection_id=result.collection_id, depth=2)
    assert unit.title == "Letters from Victor Serge"
    assert '<emph render="italic">Victor</emph> <emph>Serge</emph>' in unit.title_markup
    note = unit.notes.get()
    assert "<emph>Victor</emph> <emph>Serge</emph>,\n  in exile." in note.content


def test_internal_audience_is_unpublished_and_the_rest_published(tmp_path: Path) -> None:
    body = (
        '<c01 level="series"><did><unittitle>Open</unittitle></did></c01>'
        '<c01 level="series" audience="internal"><did><unittitle>Closed</unittitle></did>'
        "</c01>"
    )
    result = imports.ead_import(source=write(tmp_path, "aud.xml", ead2002(body)))

    flags = dict(
        Component.objects.filter(collection_id=result.collection_id).values_list(
            "title", "published"
        )
    )
    assert flags == {"Test papers": True, "Open": True, "Closed": False}


def test_the_result_counts_every_kind_of_row_the_file_became(tmp_path: Path) -> None:
    body = (
        '<c01 level="series"><did><unittitle>Letters</unittitle>'
        '<unitdate normal="1936/1947">1936-1947</unitdate><unitdate type="bulk">1940</unitdate>'
        "<physdesc><extent>2 boxes</extent></physdesc>"
        '<container type="box">1</container><container type="folder">3</container>'
        '<container type="box">2</container>'
        '<dao href="https://example.org/scan/1"/></did>'
        "<scopecontent><p>Letters.</p></scopecontent><odd><p>More.</p></odd>"
        "<controlaccess><persname>Serge, Victor</persname><subject>Exile</subject>"
        "<geogname>Mexico</geogname></controlaccess>"
        '<c02 level="file"><did><unittitle>Draft</unittitle></did></c02></c01>'
    )
    result = imports.ead_import(source=write(tmp_path, "counts.xml", ead2002(body)))

    units = Component.objects.filter(collection_id=result.collection_id)
    in_file = {"unit__collection_id": result.collection_id}
    written = {
        "components": units.count() - 1,  # below the collection level
        "notes": Note.objects.filter(**in_file).count(),
        "dates": UnitDate.objects.filter(**in_file).count(),
        "extents": Extent.objects.filter(**in_file).count(),
        "agent_links": AgentLink.objects.filter(**in_file).count(),
        "subject_links": SubjectLink.objects.filter(**in_file).count(),
        "container_instances": ContainerInstance.objects.filter(**in_file).count(),
        "digital_objects": DigitalObject.objects.filter(**in_file).count(),
    }
    assert {name: getattr(result, name) for name in written} == written
    # what the file holds, counted by hand: every kind is there, none counted twice
    assert written["components"] == 2 and written["subject_links"] == 2
    assert written["dates"] == 2 and written["container_instances"] == 2
    assert min(written.values()) >= 1


# ------------------------------------------------------------------ atomicity and repeats


def test_a_failure_late_in_a_file_leaves_nothing_behind(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive.exchange import load as loader

    # Small batches so that earlier batches are already written when the failure comes.
    monkeypatch.setattr(loader, "BATCH_SIZE", 10)
    name = "ncsu-mc00042.xml"
    total = xml_counts(corpus_dir / name)["components"]
    original = loader.EADLoader.add_unit
    seen = {"n": 0}

    def failing(self: loader.EADLoader, unit: object) -> None:
        seen["n"] += 1
        if seen["n"] == total:  # the very last component
            raise RuntimeError("disk full")
        original(self, unit)

    monkeypatch.setattr(loader.EADLoader, "add_unit", failing)
    before = row_counts()

    with pytest.raises(RuntimeError):
        imports.ead_import(source=corpus_dir / name)

    assert seen["n"] == total
    assert row_counts() == before


def test_a_database_error_in_a_written_batch_rolls_the_whole_file_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows of a batch go out with the batch's components (ids are drawn beforehand): a row
    # the database refuses after earlier batches were written fails the whole file.
    from archive.exchange import load as loader

    monkeypatch.setattr(loader, "BATCH_SIZE", 5)
    original = loader.EADLoader.numbering

    def numbering(self: loader.EADLoader, kind: str, *args: object, **kw: object) -> int:
        start = original(self, kind, *args, **kw)
        return -1 if kind == "note" and self.result.components > 20 else start  # CHECK >= 0

    monkeypatch.setattr(loader.EADLoader, "numbering", numbering)
    components = "".join(
        f'<c level="file"><did><unittitle>File {i}</unittitle></did>'
        f"<scopecontent><p>Letters {i}</p></scopecontent></c>"
        for i in range(40)
    )
    path = write(tmp_path, "bad-row.xml", ead2002(components, eadid="bad-row"))
    before = row_counts()

    with pytest.raises(Exception, match="position"):
        imports.ead_import(source=path)

    assert row_counts() == before


def test_duplicate_ead_id_is_refused_naming_file_and_id(tmp_path: Path) -> None:
    path = write(tmp_path, "first.xml", ead2002(eadid="dup-1"))
    imports.ead_import(source=path)
    again = write(tmp_path, "again.xml", ead2002(eadid="dup-1"))
    before = row_counts()

    with pytest.raises(imports.EADImportError) as refused:
        imports.ead_import(source=again)

    assert "again.xml" in str(refused.value) and "dup-1" in str(refused.value)
    assert row_counts() == before


def test_replace_swaps_the_collection_in_one_go(tmp_path: Path) -> None:
    old_body = "<c01><did><unittitle>Old</unittitle></did></c01>"
    new_body = (
        "<c01><did><unittitle>New one</unittitle></did></c01>"
        "<c01><did><unittitle>New two</unittitle></did></c01>"
    )
    first = imports.ead_import(source=write(tmp_path, "a.xml", ead2002(old_body)))

    second = imports.ead_import(source=write(tmp_path, "b.xml", ead2002(new_body)), replace=True)

    assert second.replaced
    assert list(Collection.objects.values_list("pk", flat=True)) == [second.collection_id]
    assert not Component.objects.filter(collection_id=first.collection_id).exists()
    titles = Component.objects.filter(depth=2).order_by("path").values_list("title", flat=True)
    assert list(titles) == ["New one", "New two"]


def test_dry_run_reports_counts_and_writes_nothing(corpus_dir: Path) -> None:
    name = "umn-uarc01180.xml"
    before = row_counts()

    result = imports.ead_import(source=corpus_dir / name, dry_run=True)

    assert result.ok and result.dry_run and result.collection_id is None
    assert result.components == xml_counts(corpus_dir / name)["components"]
    assert row_counts() == before


def test_imported_collection_is_searchable_at_once(tmp_path: Path) -> None:
    from archive.search.index import reindex_collection  # noqa: F401 - must exist

    body = "<c01><did><unittitle>Correspondence with Natalia Sedova</unittitle></did></c01>"
    result = imports.ead_import(source=write(tmp_path, "s.xml", ead2002(body)))

    from django.db import connection

    table = "archive_search_unit"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE collection_id = %s", [result.collection_id]
        )
        (indexed,) = cursor.fetchone()
    assert indexed == 2  # the collection and its one component, both public


# ------------------------------------------------------------------ hostile XML


HOSTILE = {
    "external entity": (
        '<?xml version="1.0"?><!DOCTYPE ead [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + ead2002("<c01><did><unittitle>A &xxe; B</unittitle></did></c01>", ns=False).split(
            "?>", 1
        )[1]
    ),
    "entity bomb": (
        '<?xml version="1.0"?><!DOCTYPE ead [<!ENTITY a0 "lol">'
        + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
        + "]>"
        + ead2002("<c01><did><unittitle>&a9;</unittitle></did></c01>", ns=False).split("?>", 1)[1]
    ),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_xml_through_the_command_leaves_no_trace(kind: str, tmp_path: Path) -> None:
    path = write(tmp_path, "hostile.xml", HOSTILE[kind])
    out, err = io.StringIO(), io.StringIO()

    try:
        call_command("import_ead", str(path), stdout=out, stderr=err)
    except CommandError:
        assert "hostile.xml" in err.getvalue()

    texts = " ".join(Component.objects.values_list("title", flat=True))
    texts += " ".join(Note.objects.values_list("content", flat=True))
    assert "root:" not in texts  # nothing of /etc/passwd
    assert "lollol" not in texts  # no expansion
    assert len(texts) < 10_000


# ------------------------------------------------------------------ the command


def test_command_imports_a_folder_reports_a_summary_and_fails_if_one_file_fails(
    tmp_path: Path, corpus_dir: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "good.xml", ead2002("<c01><did><unittitle>A</unittitle></did></c01>"))
    write(folder, "bad.xml", ead2002(eadid="other").replace("</dsc>", "</dcs>"))
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("import_ead", str(folder), stdout=out, stderr=err)

    assert "1 of 2 files failed" in str(failed.value)
    assert Collection.objects.filter(ead_id="test-1").exists()
    assert not Collection.objects.filter(ead_id="other").exists()
    assert "bad.xml" in err.getvalue() and "line 1" in err.getvalue()
    summary = out.getvalue().strip().splitlines()[-1]
    assert summary.startswith("1 collections, 1 components, ")
    assert "1 failed" in summary and "seconds" in summary


def test_command_exit_status_is_zero_when_all_import(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.xml", ead2002())
    call_command("import_ead", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert Collection.objects.count() == 1


def test_command_repository_option_and_dry_run(tmp_path: Path) -> None:
    Repository.objects.create(code="beinecke", name="Beinecke Rare Book and Manuscript Library")
    path = write(tmp_path, "ok.xml", ead2002())
    out = io.StringIO()

    call_command("import_ead", str(path), "--repository", "beinecke", "--dry-run", stdout=out)
    assert Collection.objects.count() == 0
    assert "dry run" in out.getvalue()

    call_command("import_ead", str(path), "--repository", "beinecke", stdout=io.StringIO())
    assert Collection.objects.get().repository.code == "beinecke"

    with pytest.raises(CommandError, match="no repository with code 'nope'"):
        call_command("import_ead", str(path), "--repository", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_ead", str(tmp_path / "missing.xml"), stdout=io.StringIO())


def test_command_replace(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.xml", ead2002())
    call_command("import_ead", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import_ead", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("import_ead", str(path), "--replace", stdout=out)
    assert "replaced" in out.getvalue()
    assert Collection.objects.count() == 1


# ------------------------------------------------------------------ the admin and the task


@pytest.fixture
def upload_dir(tmp_path: Path, settings) -> Path:  # noqa: ANN001 - pytest-django fixture
    settings.FONDS_IMPORT_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def test_admin_import_page_runs_the_job(
    admin_client,
    admin_user,
    corpus_dir: Path,
    upload_dir: Path,
    django_capture_on_commit_callbacks,
    no_search_index: None,
) -> None:
    name = "arclight-pc0170.xml"
    page = admin_client.get(reverse("admin:archive_importjob_import"))
    assert page.status_code == 200 and b"Detect from file" in page.content

    upload = SimpleUploadedFile(name, (corpus_dir / name).read_bytes(), "text/xml")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:archive_importjob_import"), {"files": [upload], "replace": ""}
        )

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:archive_importjob_change", args=[job.pk])
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.files == [name] and job.created_by == admin_user
    assert job.collections == 1
    assert job.components == xml_counts(corpus_dir / name)["components"]
    collection = Collection.objects.get()
    assert collection.import_job == job
    assert not any(upload_dir.rglob("*.xml"))  # the stored upload is gone once imported
    listing = admin_client.get(reverse("admin:archive_importjob_changelist"))
    assert name.encode() in listing.content
    detail = admin_client.get(reverse("admin:archive_importjob_change", args=[job.pk]))
    assert detail.status_code == 200 and b"Succeeded" in detail.content


def test_admin_import_page_records_failures(
    admin_client, upload_dir: Path, django_capture_on_commit_callbacks
) -> None:
    upload = SimpleUploadedFile("broken.xml", b"<ead><eadheader></ead>", "text/xml")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:archive_importjob_import"), {"files": [upload]})

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert "broken.xml" in job.errors[0] and "line 1" in job.errors[0]
    assert Collection.objects.count() == 0


def test_admin_import_page_needs_login(client) -> None:
    url = reverse("admin:archive_importjob_import")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_reader_failure_after_written_batches_rolls_the_whole_file_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With the reader running ahead in its own thread, its error must still reach the import,
    # inside the transaction, after earlier batches were written.
    from archive.exchange import bulk
    from archive.exchange import load as loader

    monkeypatch.setattr(loader, "BATCH_SIZE", 5)
    monkeypatch.setattr(bulk, "READ_AHEAD_BATCH", 3)
    monkeypatch.setattr(imports, "READ_AHEAD", True)
    components = "".join(
        f'<c level="file"><did><unittitle>File {i}</unittitle></did></c>' for i in range(40)
    )
    # Well-formed up to the last line: the reader fails only once everything was read.
    text = ead2002(components, eadid="late-error").replace("</archdesc>", "<broken></archdesc>")
    path = write(tmp_path, "late.xml", text)
    before = row_counts()

    with pytest.raises(imports.EADImportError, match="late.xml, line"):
        imports.ead_import(source=path)

    assert row_counts() == before
    assert not any(t.name == "ead-read-ahead" for t in threading.enumerate())


# ------------------------------------------------------------------ repositories from files


def _with_agency(
    code: str, eadid: str, repository: str = "<corpname>Test Library</corpname>"
) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><ead xmlns="urn:isbn:1-931666-22-9">'
        f'<eadheader><eadid mainagencycode="{code}">{eadid}</eadid><filedesc><titlestmt>'
        "<titleproper>Test papers</titleproper></titlestmt></filedesc></eadheader>"
        f'<archdesc level="collection"><did><repository>{repository}</repository>'
        "<unittitle>Test papers</unittitle><unitid>T 1</unitid></did></archdesc></ead>"
    )


def test_an_agency_code_with_and_without_its_country_is_one_repository(tmp_path: Path) -> None:
    first = imports.ead_import(source=write(tmp_path, "a.xml", _with_agency("249", "a-1")))
    # The same institution, named otherwise in each file: only the code can tell.
    second = imports.ead_import(
        source=write(tmp_path, "b.xml", _with_agency("GB-249", "b-1", "<corpname>TL</corpname>"))
    )
    third = imports.ead_import(
        source=write(tmp_path, "c.xml", _with_agency("gb-249", "c-1", "Test Library, Leeds"))
    )

    repositories = {
        Collection.objects.get(pk=r.collection_id).repository_id for r in (first, second, third)
    }
    assert len(repositories) == 1
    assert Repository.objects.count() == 1


def test_the_same_local_code_in_another_country_is_another_repository(tmp_path: Path) -> None:
    imports.ead_import(source=write(tmp_path, "a.xml", _with_agency("GB-249", "a-1")))
    other = imports.ead_import(
        source=write(
            tmp_path, "b.xml", _with_agency("FR-249", "b-1", "<corpname>Archives X</corpname>")
        )
    )

    assert Repository.objects.count() == 2
    assert Collection.objects.get(pk=other.collection_id).repository.agency_code == "FR-249"


def test_a_repository_created_from_a_file_is_named_without_its_address(tmp_path: Path) -> None:
    repository = (
        "<corpname>Beinecke Rare Book and Manuscript Library</corpname>"
        "<address><addressline>P. O. Box 208330</addressline>"
        "<addressline>New Haven, CT 06520-8330</addressline></address>"
    )
    text = _with_agency("", "a-1", repository).replace(' mainagencycode=""', "")

    result = imports.ead_import(source=write(tmp_path, "a.xml", text))

    created = Collection.objects.get(pk=result.collection_id).repository
    assert created.name == "Beinecke Rare Book and Manuscript Library"
