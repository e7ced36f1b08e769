"""The ways in and out: manage.py import_eac / export_eac, the public download on the agent
page, the admin action "Export EAC-CPF" and the admin page "Import EAC-CPF"; what the public
version shows and hides."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from archive.eac import read_eac
from archive.models import Agent, AgentLink
from tests.factories import PASSWORD, build_pages_world, make_user

from .builders import record_bytes
from .conftest import schema_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_pages_world()


def names_in(data: bytes) -> set[str]:
    record = read_eac(data)
    return {x.entry for x in record.relations}


# --------------------------------------------------------------------------- commands


def test_import_eac_reports_each_file_and_fails_without_changing_anything(tmp_path, capsys):
    (tmp_path / "a.xml").write_bytes(record_bytes("Doe, Jane", record_id="d1"))
    (tmp_path / "b.xml").write_bytes(
        record_bytes("Roe, Richard", record_id="r1").replace(b"</identity>", b"</identiti>")
    )
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "c.xml").write_bytes(record_bytes("Poe, Edgar", record_id="p1"))
    with pytest.raises(CommandError, match="1 of 3 files failed"):
        call_command("import_eac", str(tmp_path), str(extra / "c.xml"))
    out, err = capsys.readouterr()
    assert "a.xml: created agent “Doe, Jane”" in out
    assert "c.xml: created agent “Poe, Edgar”" in out
    assert f"{tmp_path / 'b.xml'}: FAILED: {tmp_path / 'b.xml'}, line " in err
    assert "Traceback" not in out + err
    assert sorted(Agent.objects.values_list("authorized_name", flat=True)) == [
        "Doe, Jane",
        "Poe, Edgar",
    ]


def test_import_eac_refuses_a_missing_path(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("import_eac", str(tmp_path / "nothing.xml"))


def test_export_eac_public_by_default_and_staff_with_include_unpublished(world, tmp_path):
    out = io.StringIO()
    call_command("export_eac", world.agent.slug, stdout=out)
    data = out.getvalue().encode()
    assert schema_errors(data) == []
    assert "HIDDEN COLLECTION" not in names_in(data)
    with pytest.raises(CommandError, match="the public may not see it"):
        call_command("export_eac", world.hidden_agent.slug)

    call_command("export_eac", "--all", str(tmp_path))
    public = sorted(p.name for p in tmp_path.iterdir())
    assert f"{world.agent.slug}.xml" in public
    assert f"{world.hidden_agent.slug}.xml" not in public

    staff = tmp_path / "staff"
    staff.mkdir()
    call_command("export_eac", "--all", str(staff), "--include-unpublished")
    assert sorted(p.name for p in staff.iterdir()) == sorted(
        f"{slug}.xml" for slug in Agent.objects.values_list("slug", flat=True)
    )
    assert "HIDDEN COLLECTION" in names_in((staff / f"{world.agent.slug}.xml").read_bytes())


# --------------------------------------------------------------------------- public download


def test_the_agent_page_offers_the_download_and_it_is_valid(client, world):
    page = client.get(world.agent.get_absolute_url())
    url = reverse("archive:agent-eac", kwargs={"slug": world.agent.slug})
    assert f'href="{url}"' in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert f'filename="{world.agent.slug}.xml"' in response["Content-Disposition"]
    assert schema_errors(response.content) == []


def test_the_public_download_names_only_public_collections_and_agents(client, world):
    data = client.get(reverse("archive:agent-eac", kwargs={"slug": world.agent.slug})).content
    record = read_eac(data)
    resources = {(x.entry, x.relation_type) for x in record.relations if x.kind == "resource"}
    assert resources == {
        ("Victor Example papers", "creatorOf"),
        ("Victor Example papers", "subjectOf"),
        ("Dwight Example papers", "subjectOf"),
    }
    hrefs = {x.href for x in record.relations if x.kind == "resource"}
    assert f"http://testserver{world.papers.get_absolute_url()}" in hrefs
    text = data.decode()
    for hidden in ("HIDDEN COLLECTION", "HIDDEN AGENT", "Roussakova"):
        assert hidden not in text
    assert world.hidden.get_absolute_url() not in text


def test_an_agent_linked_only_from_unpublished_units_is_not_found(client, world):
    only_hidden = Agent.objects.create(agent_type="person", authorized_name="Only Hidden")
    AgentLink.objects.create(unit=world.series2_hidden, agent=only_hidden, role="subject")
    AgentLink.objects.create(unit=world.series1, agent=only_hidden, role="source", published=False)
    for agent in (only_hidden, world.hidden_agent):
        response = client.get(reverse("archive:agent-eac", kwargs={"slug": agent.slug}))
        assert response.status_code == 404
    assert client.get("/agents/no-such-agent/eac.xml").status_code == 404


# --------------------------------------------------------------------------- admin


def test_admin_export_action_gives_the_staff_version(client, world):
    make_user("root", superuser=True)
    client.login(username="root", password=PASSWORD)
    url = reverse("admin:archive_agent_changelist")
    one = client.post(url, {"action": "export_eac", "_selected_action": [world.agent.pk]})
    assert one["Content-Type"] == "application/xml; charset=utf-8"
    assert schema_errors(one.content) == []
    assert "HIDDEN COLLECTION" in names_in(one.content)
    two = client.post(
        url, {"action": "export_eac", "_selected_action": [world.agent.pk, world.spouse.pk]}
    )
    assert two["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(two.content)).namelist()
    assert sorted(names) == sorted([f"{world.agent.slug}.xml", f"{world.spouse.slug}.xml"])


def test_admin_export_names_only_collections_the_staff_user_may_see(client, world):
    make_user("mia", repository=world.other.repository, role="viewer")
    client.login(username="mia", password=PASSWORD)
    url = reverse("admin:archive_agent_changelist")
    data = client.post(url, {"action": "export_eac", "_selected_action": [world.agent.pk]})
    # The hidden collection belongs to another repository than mia's: never named to her.
    assert "HIDDEN COLLECTION" not in names_in(data.content)


def test_admin_import_page_imports_and_shows_each_file(client, world):
    make_user("ana", repository=world.papers.repository)
    client.login(username="ana", password=PASSWORD)
    changelist = client.get(reverse("admin:archive_agent_changelist")).content.decode()
    url = reverse("admin:archive_agent_import_eac")
    assert url in changelist
    upload = io.BytesIO(record_bytes("Doe, Jane", record_id="d1"))
    upload.name = "doe.xml"
    broken = io.BytesIO(b"<eac-cpf xmlns='urn:isbn:1-931666-33-4'><control>")
    broken.name = "broken.xml"
    page = client.post(url, {"files": [upload, broken]})
    text = page.content.decode()
    assert page.status_code == 200
    assert "doe.xml: created agent “Doe, Jane”" in text
    assert "broken.xml: FAILED: broken.xml, line 1" in text
    assert Agent.objects.filter(authorized_name="Doe, Jane").exists()


def test_admin_import_page_is_closed_to_viewers(client, world):
    make_user("vic", repository=world.papers.repository, role="viewer")
    client.login(username="vic", password=PASSWORD)
    assert client.get(reverse("admin:archive_agent_import_eac")).status_code == 403
    changelist = client.get(reverse("admin:archive_agent_changelist")).content.decode()
    assert "Import EAC-CPF" not in changelist


def test_import_eac_refuses_a_folder_without_records():
    folder = Path(__file__).parent  # (no .xml files here: refused with a clear message)
    with pytest.raises(CommandError, match="holds no .xml file"):
        call_command("import_eac", str(folder))
