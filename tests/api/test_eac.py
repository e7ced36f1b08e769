"""Agents' authority records as EAC-CPF through the API: exported valid, imported as agents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from archive.models import Agent
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "eac-cpf"
CPF = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "eac-cpf" / "cpf.xsd"


def test_a_public_agent_exports_as_valid_eac_cpf_and_a_hidden_one_is_not_found(client, world):
    serge = Agent.objects.get(slug="serge-victor")
    response = client.get(f"/api/agents/{serge.pk}/eac")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    document = etree.fromstring(response.content)
    etree.XMLSchema(etree.parse(str(CPF))).assertValid(document)
    assert b"Serge, Victor, 1890-1947" in response.content
    hidden = Agent.objects.get(slug="hidden-person")
    assert client.get(f"/api/agents/{hidden.pk}/eac").status_code == 404
    # A member asks for the staff version: the agent named only in hidden description too.
    staff = client.get(f"/api/agents/{hidden.pk}/eac?internal=true", **bearer(world.vic))
    assert staff.status_code == 200 and b"Hidden, Person" in staff.content


def test_eac_files_are_imported_by_an_archivist_each_on_its_own(client, world):
    good = sorted(CORPUS.glob("anf-*.xml"))[0]
    files = [
        SimpleUploadedFile(good.name, good.read_bytes(), "application/xml"),
        SimpleUploadedFile("broken.xml", b"<eac-cpf><control>", "application/xml"),
    ]
    assert client.post("/api/eac-cpf", {"files": files}, **bearer(world.vic)).status_code == 403
    for f in files:
        f.seek(0)
    response = client.post("/api/eac-cpf", {"files": files}, **bearer(world.ana))
    assert response.status_code == 200, response.content
    report = json.loads(response.content)
    assert (report["imported"], report["failed"]) == (1, 1)
    done, failed = report["files"]
    assert done["created"] is True and Agent.objects.filter(pk=done["agent"]).exists()
    assert failed["file"] == "broken.xml" and failed["error"] and failed["agent"] is None
    body = json.loads(client.get(f"/api/agents/{done['agent']}", **bearer(world.ana)).content)
    assert body["authorized_name"] and body["id"] == done["agent"]
