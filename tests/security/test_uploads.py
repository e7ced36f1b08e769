"""Uploads on the admin's "Import EAD" page: a size limit with a clear message, and uploaded
file names that never choose where anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from archive.admin.imports import UploadLimitHandler
from archive.models import ImportJob
from archive.services import import_jobs, imports

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
EAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><ead xmlns="urn:isbn:1-931666-22-9">'
    b'<eadheader><eadid mainagencycode="US-XX-T">upload-1</eadid><filedesc><titlestmt>'
    b"<titleproper>Upload papers</titleproper></titlestmt></filedesc></eadheader>"
    b'<archdesc level="collection"><did><unittitle>Upload papers</unittitle>'
    b"<unitid>U 1</unitid></did></archdesc></ead>"
)


@pytest.fixture
def upload_dir(tmp_path: Path, settings) -> Path:  # noqa: ANN001 - pytest-django fixture
    settings.FONDS_IMPORT_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def padded(size: int) -> bytes:
    """A well-formed EAD file of exactly ``size`` bytes (a comment fills it up)."""
    filler = size - len(EAD) - len("<!---->")
    return EAD + b"<!--" + b"x" * filler + b"-->"


# ------------------------------------------------------------------ the size limit


@override_settings(FONDS_MAX_UPLOAD_MB=1)
def test_admin_refuses_a_file_over_the_limit_naming_file_size_and_setting(
    admin_client, upload_dir: Path
) -> None:
    big = SimpleUploadedFile("big.xml", padded(3 * MB // 2), "text/xml")
    small = SimpleUploadedFile("small.xml", EAD, "text/xml")

    response = admin_client.post(reverse("admin:archive_importjob_import"), {"files": [small, big]})

    assert response.status_code == 200  # the form again, not a redirect to a job
    text = response.content.decode()
    assert "file big.xml is 1.5 MB; the limit is 1 MB (FONDS_MAX_UPLOAD_MB)" in text
    assert "small.xml is" not in text
    assert ImportJob.objects.count() == 0
    assert not upload_dir.exists() or not any(upload_dir.rglob("*"))


@override_settings(FONDS_MAX_UPLOAD_MB=1)
def test_the_import_page_states_the_limit(admin_client) -> None:
    page = admin_client.get(reverse("admin:archive_importjob_import"))
    assert "One or more EAD 2002 or EAD3 XML files, each at most 1 MB." in page.content.decode()


@override_settings(FONDS_MAX_UPLOAD_MB=1)
def test_a_file_within_the_limit_is_accepted(
    admin_client, upload_dir: Path, django_capture_on_commit_callbacks
) -> None:
    upload = SimpleUploadedFile("fits.xml", padded(MB - 10), "text/xml")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:archive_importjob_import"), {"files": [upload]})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors


def test_the_upload_handler_stops_storing_a_file_past_the_limit(settings) -> None:  # noqa: ANN001
    settings.FONDS_MAX_UPLOAD_MB = 1
    handler = UploadLimitHandler()
    handler.new_file("files", "huge.xml", "text/xml", None)
    chunk = b"x" * (256 * 1024)
    passed_on = [handler.receive_data_chunk(chunk, n * len(chunk)) for n in range(12)]

    # The first megabyte goes on to Django's handlers; nothing after it does.
    assert [part is not None for part in passed_on] == [True] * 4 + [False] * 8
    placeholder = handler.file_complete(12 * len(chunk))
    assert placeholder is not None and placeholder.size == 3 * MB
    assert placeholder.read() == b""
    assert import_jobs.upload_size_problem(name=placeholder.name, size=placeholder.size) == (
        "file huge.xml is 3.0 MB; the limit is 1 MB (FONDS_MAX_UPLOAD_MB). Larger files are "
        "imported on the server with manage.py import_ead."
    )

    # The next file of the same request starts counting from zero.
    handler.new_file("files", "next.xml", "text/xml", None)
    assert handler.receive_data_chunk(chunk, 0) == chunk
    assert handler.file_complete(len(chunk)) is None


@override_settings(FONDS_MAX_UPLOAD_MB=1)
def test_the_service_refuses_an_oversized_upload_whoever_calls_it(upload_dir: Path) -> None:
    big = SimpleUploadedFile("big.xml", padded(2 * MB), "text/xml")
    with pytest.raises(imports.EADImportError, match=r"file big\.xml is 2\.0 MB; the limit"):
        imports.import_job_submit(uploads=[big])
    assert ImportJob.objects.count() == 0


# ------------------------------------------------------------------ names are not paths


class NamedUpload:
    """An upload object as another caller (an API, a script) might pass it: the name is
    whatever the client sent, unsanitised."""

    def __init__(self, name: str, content: bytes) -> None:
        self.name = name
        self.size = len(content)
        self.content = content

    def chunks(self):  # noqa: ANN201
        yield self.content


@pytest.mark.parametrize(
    ("sent", "recorded"),
    [
        ("../../evil.xml", "evil.xml"),
        ("..\\..\\windows.xml", "windows.xml"),
        ("/etc/passwd", "passwd"),
        ("..", "upload.xml"),
        ("sub/../../../../tmp/x.xml", "x.xml"),
        ("bell\x07.xml", "bell.xml"),
    ],
)
def test_uploaded_names_are_recorded_as_their_last_part_and_never_used_as_paths(
    upload_dir: Path, tmp_path: Path, sent: str, recorded: str
) -> None:
    job = imports.import_job_submit(uploads=[NamedUpload(sent, EAD)])  # type: ignore[list-item]

    assert job.files == [recorded]
    stored = sorted(p.relative_to(upload_dir) for p in upload_dir.rglob("*") if p.is_file())
    assert stored == [Path(str(job.pk)) / "0000.xml"]
    written_elsewhere = [
        p for p in tmp_path.rglob("*") if p.is_file() and upload_dir not in p.parents
    ]
    assert written_elsewhere == []


def test_a_traversal_name_in_a_raw_multipart_request_stays_in_the_upload_folder(
    admin_client, upload_dir: Path, tmp_path: Path
) -> None:
    boundary = "fonds-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="files"; filename="../../../escape.xml"\r\n'
            "Content-Type: text/xml\r\n\r\n"
        ).encode()
        + EAD
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = admin_client.generic(
        "POST",
        reverse("admin:archive_importjob_import"),
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.files == ["escape.xml"]
    assert not list(tmp_path.rglob("escape.xml"))
    assert all(upload_dir in p.parents for p in tmp_path.rglob("*") if p.is_file())
