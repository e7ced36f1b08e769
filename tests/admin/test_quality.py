"""Dates checked and completed; the DACS checklist shows what a collection lacks."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from archive.admin.quality import (
    dacs_checklist,
    iso_bounds,
    suggested_expression,
    validate_date_range,
)
from archive.admin.units import UnitDateForm
from archive.models import Agent, AgentLink, Extent, Note, UnitDate
from tests.factories import PASSWORD, make_collection, make_repository, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "first", "last"),
    [
        ("1936", "1936-01-01", "1936-12-31"),
        ("1936-05", "1936-05-01", "1936-05-31"),
        ("1947-11-17", "1947-11-17", "1947-11-17"),
        ("2000-02-29", "2000-02-29", "2000-02-29"),
    ],
)
def test_iso_dates_accepted_with_the_days_they_cover(value, first, last):
    assert [day.isoformat() for day in iso_bounds(value)] == [first, last]


@pytest.mark.parametrize(
    "value", ["36", "1936/1947", "1947-13", "1947-02-30", "1900-02-29", "May 1936", "1936-5"]
)
def test_bad_dates_refused(value):
    with pytest.raises(ValidationError):
        iso_bounds(value)


def test_end_before_begin_refused():
    assert "end" in validate_date_range("1947", "1936")
    assert validate_date_range("1936-05-01", "1936") == {}
    assert validate_date_range("1936", "1936-05") == {}
    assert "end" in validate_date_range("1936-05-02", "1936-05-01")
    assert "begin" in validate_date_range("", "1947")


def test_expression_suggested():
    assert suggested_expression("1936", "1947") == "1936-1947"
    assert suggested_expression("1947-11-17", "1947-11-17") == "1947-11-17"
    assert suggested_expression("1936", "") == "1936"
    assert suggested_expression("1936", "1947", bulk=True) == "bulk 1936-1947"


def test_date_form_fills_the_expression_and_rejects_bad_ranges():
    form = UnitDateForm({"begin": "1936", "end": "1947", "date_type": "bulk", "position": 0})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["expression"] == "1936-1947"
    bad = UnitDateForm({"begin": "1947", "end": "1936", "date_type": "inclusive", "position": 0})
    assert not bad.is_valid() and "before the beginning" in str(bad.errors["end"])


def test_dacs_checklist_reports_missing_elements():
    coll = make_collection(make_repository("beinecke"), "c1", [1])
    root = coll.root
    missing = {i.element for i in dacs_checklist(root) if not i.present}
    assert missing == {
        "Identifier",
        "Date",
        "Extent",
        "Name of creator",
        "Scope and content",
        "Conditions governing access",
        "Language of the material",
    }
    root.identifier = "GEN MSS 238"
    root.languages = [{"code": "fre"}]
    root.save()
    UnitDate.objects.create(unit=root, expression="1912-1994", begin="1912", end="1994")
    Extent.objects.create(unit=root, number="37.5", extent_type="linear feet")
    agent = Agent.objects.create(agent_type="person", authorized_name="Serge, Victor, 1890-1947")
    AgentLink.objects.create(unit=root, agent=agent, role="creator")
    Note.objects.create(unit=root, note_type="scopecontent", content="Letters")
    missing = {i.element for i in dacs_checklist(root) if not i.present}
    assert missing == {"Conditions governing access"}
    Note.objects.create(unit=root, note_type="accessrestrict", content="Open")
    assert all(i.present for i in dacs_checklist(root))


def test_checklist_on_the_collection_page(client):
    coll = make_collection(make_repository("beinecke"), "c1", [1])
    make_user("ana", repository=coll.repository)
    client.login(username="ana", password=PASSWORD)
    html = client.get(reverse("admin:archive_collection_change", args=[coll.pk])).content.decode()
    assert "Missing 7 of 8" in html and "Conditions governing access" in html
