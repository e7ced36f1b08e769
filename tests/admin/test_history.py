"""Who changed what and when; reverting; imports as one entry; stale saves refused."""

import re

import pytest
from django.urls import reverse

from archive import tree
from archive.models import Component, ImportJob, Note
from archive.services import outline
from tests.factories import (
    PASSWORD,
    make_collection,
    make_repository,
    make_user,
    tree_problems,
)

pytestmark = pytest.mark.django_db

INLINES = (
    "dates",
    "extents",
    "notes",
    "agent_links",
    "subject_links",
    "container_instances",
    "digital_objects",
)


@pytest.fixture
def coll():
    return make_collection(make_repository("beinecke"), "c1", [2, 2])


@pytest.fixture
def ana(coll):
    return make_user("ana", repository=coll.repository)


def form_data(unit: Component, version: str, **changes) -> dict:
    data = {
        "level": unit.level,
        "other_level": unit.other_level,
        "title": unit.title,
        "title_markup": unit.title_markup,
        "identifier": unit.identifier,
        "ref": unit.ref,
        "languages": "[]",
        "physical_location": "",
        "attributes": "{}",
        "unmapped": "[]",
        "edit_version": version,
    }
    if unit.published:
        data["published"] = "on"
    for prefix in INLINES:
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data.update(changes)
    return data


def opened_version(client, unit) -> str:
    html = client.get(reverse("admin:archive_component_change", args=[unit.pk])).content.decode()
    return re.search(r'name="edit_version" value="([^"]+)"', html).group(1)


def test_admin_edit_records_who_and_what(client, coll, ana):
    client.login(username="ana", password=PASSWORD)
    unit = coll.components.get(title="1")
    version = opened_version(client, unit)
    url = reverse("admin:archive_component_change", args=[unit.pk])
    response = client.post(url, form_data(unit, version, title="Correspondence"))
    assert response.status_code == 302
    entry = Component.history.filter(id=unit.pk).latest("history_date")
    assert entry.title == "Correspondence" and entry.history_user == ana
    page = client.get(reverse("admin:archive_component_history", args=[unit.pk])).content.decode()
    assert "ana" in page and "Correspondence" in page


def test_note_changes_are_recorded(coll, ana):
    note = Note.objects.create(unit=coll.root, note_type="abstract", content="First")
    note.content = "Second"
    note.save()
    assert [h.content for h in note.history.order_by("history_date")] == ["First", "Second"]


def test_stale_save_is_refused_with_a_clear_message(client, coll, ana):
    make_user("bea", repository=coll.repository)
    unit = coll.components.get(title="1")
    client.login(username="ana", password=PASSWORD)
    version = opened_version(client, unit)
    # Meanwhile a colleague saves the same record.
    other = client.__class__()
    other.login(username="bea", password=PASSWORD)
    bea_version = opened_version(other, unit)
    url = reverse("admin:archive_component_change", args=[unit.pk])
    assert other.post(url, form_data(unit, bea_version, title="Bea's title")).status_code == 302
    response = client.post(url, form_data(unit, version, title="Ana's title"))
    assert response.status_code == 200
    assert "changed by bea" in response.content.decode()
    assert "after you opened it" in response.content.decode()
    unit.refresh_from_db()
    assert unit.title == "Bea's title"


def test_revert_from_history_keeps_the_place_in_the_tree(client, coll, ana):
    unit = coll.components.get(title="1.1")
    old = Component.history.filter(id=unit.pk).order_by("history_date").last()
    if old is None:  # bulk-created rows have no history yet: record the first version.
        unit.save()
        old = Component.history.filter(id=unit.pk).latest("history_date")
    unit.title = "Renamed"
    unit.save()
    outline.component_move(unit=unit, parent=coll.components.get(title="2"), user=ana)
    client.login(username="ana", password=PASSWORD)
    url = reverse("admin:archive_component_simple_history", args=[unit.pk, old.history_id])
    page = client.get(url)
    assert page.status_code == 200
    version = re.search(r'name="edit_version" value="([^"]+)"', page.content.decode()).group(1)
    unit.refresh_from_db()
    data = form_data(unit, version, title="1.1")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    unit.refresh_from_db()
    assert unit.title == "1.1"
    assert unit.depth == 3 and tree.parent_path(unit.path) == coll.components.get(title="2").path
    assert tree_problems() == []


def test_an_import_is_one_visible_entry(client, coll, ana):
    """Bulk-loaded rows write no per-row history; the collection's history shows the job."""
    job = ImportJob.objects.create(
        status="succeeded",
        repository=coll.repository,
        components=7,
        created_by=ana,
        files=["c1.xml"],
    )
    coll.import_job = job
    coll.save()
    assert not Component.history.filter(id__in=coll.components.values("pk")).exists()
    client.login(username="ana", password=PASSWORD)
    page = client.get(reverse("admin:archive_collection_history", args=[coll.pk])).content.decode()
    assert str(job) in page and "7 components in one import" in page
    unit = coll.components.get(title="1.1")
    page = client.get(reverse("admin:archive_component_history", args=[unit.pk])).content.decode()
    assert str(job) in page
