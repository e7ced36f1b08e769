"""Import jobs through the API: upload, poll, read; the admin's rules on who may import what."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from archive.models import Collection
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.FONDS_IMPORT_DIR = str(tmp_path / "uploads")


def upload(client, corpus_dir, token, repository, name="cul-has_bulk_range.xml"):
    data = (corpus_dir / name).read_bytes()
    files = {"files": SimpleUploadedFile(name, data, content_type="application/xml")}
    headers = bearer(token) if token else {}
    return client.post("/api/imports", {**files, "repository": repository}, **headers)


def test_upload_then_poll_the_job(client, world, corpus_dir, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, corpus_dir, world.ana, "beinecke")
    assert response.status_code == 202, response.content
    job_id = json.loads(response.content)["id"]
    job = json.loads(client.get(f"/api/imports/{job_id}", **bearer(world.ana)).content)
    assert job["status"] == "succeeded" and job["collections"] == 1
    assert job["files"] == ["cul-has_bulk_range.xml"]
    assert isinstance(job["warnings"], list)
    assert Collection.objects.filter(repository__code="beinecke").count() == 3
    # Another repository's staff do not see the job.
    assert client.get(f"/api/imports/{job_id}", **bearer(world.bob)).status_code == 404


def test_who_may_import_where(client, world, corpus_dir):
    assert upload(client, corpus_dir, None, "beinecke").status_code == 401
    assert upload(client, corpus_dir, world.vic, "beinecke").status_code == 403  # a viewer
    refused = upload(client, corpus_dir, world.ana, "mssa")  # not her repository
    assert refused.status_code == 422
    assert json.loads(refused.content)["message"].startswith("repository:")
    assert not Collection.objects.filter(repository__code="mssa", ead_id__icontains="bulk")
