"""Relations of EAC-CPF records: linked when the target is in Fonds (already, or in the same
batch, or later), kept as written otherwise, and written back on export."""

from __future__ import annotations

import pytest

from archive.eac import read_eac
from archive.models import Agent, AgentRelation
from archive.services import eac as service
from archive.services.eac import eac_export, eac_import

from .builders import cpf, record_bytes

pytestmark = pytest.mark.django_db


def rows() -> set[tuple[str, str, str]]:
    return set(
        AgentRelation.objects.values_list(
            "source__authorized_name", "relation_type", "target__authorized_name"
        )
    )


def test_relations_within_one_batch_are_linked_whatever_the_order():
    office = record_bytes(
        "Office",
        record_id="o1",
        entity_type="corporateBody",
        relations=(cpf("Bureau", "b1", "hierarchical-child"),),
    )
    bureau = record_bytes(
        "Bureau",
        record_id="b1",
        entity_type="corporateBody",
        relations=(cpf("Office", "o1", "hierarchical-parent"),),
    )
    results = eac_import(files=[("office.xml", office), ("bureau.xml", bureau)])
    assert [r.error for r in results] == [None, None]
    assert rows() == {("Office", "parent", "Bureau"), ("Bureau", "child", "Office")}
    assert [r.linked for r in results] == [1, 1]
    assert Agent.objects.get(record_id="o1").other_relations == []


def test_a_relation_to_an_agent_already_present_is_linked_with_its_wording_kept():
    spouse = Agent.objects.create(agent_type="person", authorized_name="Roussakova, Liouba")
    data = record_bytes(
        "Serge, Victor",
        record_id="s1",
        relations=(cpf("Roussakova, Liouba", "", "family", "épouse de Victor Serge"),),
    )
    [result] = eac_import(files=[("serge.xml", data)])
    relation = AgentRelation.objects.get(target=spouse)
    assert relation.relation_type == "spouse"
    assert relation.description == "épouse de Victor Serge"
    assert relation.attributes["relation_type"] == "family"
    exported = read_eac(eac_export(agent=result.agent, public=False))
    [written] = exported.relations
    assert (written.entry, written.relation_type, written.note) == (
        "Roussakova, Liouba",
        "family",
        "épouse de Victor Serge",
    )


def test_an_unknown_target_is_kept_as_text_exported_and_linked_once_it_arrives():
    data = record_bytes(
        "Serge, Victor",
        record_id="s1",
        relations=(cpf("Trotsky, Leon", "http://example.org/trotsky", "associative", "friend"),),
    )
    [first] = eac_import(files=[("serge.xml", data)])
    assert (first.linked, first.kept) == (0, 1)
    serge = first.agent
    serge.refresh_from_db()
    assert serge.other_relations[0]["entry"] == "Trotsky, Leon"
    [written] = read_eac(eac_export(agent=serge, public=False)).relations
    assert (written.entry, written.href, written.note) == (
        "Trotsky, Leon",
        "http://example.org/trotsky",
        "friend",
    )
    # Trotsky's own record arrives later: Serge's relation to him becomes a row.
    eac_import(
        files=[
            ("trotsky.xml", record_bytes("Trotsky, Leon", record_id="http://example.org/trotsky"))
        ]
    )
    serge.refresh_from_db()
    assert serge.other_relations == []
    assert rows() == {("Serge, Victor", "associate", "Trotsky, Leon")}


def test_two_relations_of_one_kind_to_one_agent_keep_the_second_as_text():
    Agent.objects.create(agent_type="person", authorized_name="Favier, Jean", record_id="f1")
    data = record_bytes(
        "Archives",
        record_id="a1",
        entity_type="corporateBody",
        relations=(
            cpf("Favier, Jean", "f1", note="director"),
            cpf("Favier, Jean", "f1", note="employee"),
        ),
    )
    [result] = eac_import(files=[("a.xml", data)])
    assert (result.linked, result.kept) == (1, 1)
    notes = {x.note for x in read_eac(eac_export(agent=result.agent, public=False)).relations}
    assert notes == {"director", "employee"}


def test_a_file_that_fails_while_saving_leaves_the_database_as_it_was(monkeypatch):
    def fail(*args, **kwargs):
        raise ValueError("the disk is full")

    monkeypatch.setattr(service, "_relations_save", fail)
    good_before = Agent.objects.count()
    [result] = eac_import(files=[("doe.xml", record_bytes("Doe, Jane", record_id="d1"))])
    assert result.error == "doe.xml: not saved: the disk is full"
    assert Agent.objects.count() == good_before
    assert not Agent.history.exists()


def test_a_broken_file_in_a_batch_changes_nothing_and_the_others_import():
    broken = record_bytes("Doe, Jane", record_id="d1").replace(b"</identity>", b"</identiti>")
    results = eac_import(
        files=[("broken.xml", broken), ("ok.xml", record_bytes("Roe, Richard", record_id="r1"))]
    )
    assert results[0].error.startswith("broken.xml, line ")
    assert "not well-formed" in results[0].error
    assert results[1].error is None
    assert list(Agent.objects.values_list("authorized_name", flat=True)) == ["Roe, Richard"]


def test_an_import_keeps_the_names_and_relations_typed_in_the_admin():
    serge = Agent.objects.create(agent_type="person", authorized_name="Serge", record_id="s1")
    serge.variant_names.create(name="Kibalchich, Victor Lvovich", note="birth name")
    spouse = Agent.objects.create(agent_type="person", authorized_name="Roussakova, Liouba")
    AgentRelation.objects.create(source=serge, target=spouse, relation_type="spouse")
    data = record_bytes("Serge, Victor", record_id="s1", variants=("V. Serge",))
    for _ in range(2):  # (and a second import changes nothing more)
        [result] = eac_import(files=[("serge.xml", data)])
        assert result.agent.pk == serge.pk
    serge.refresh_from_db()
    assert sorted(serge.variant_names.values_list("name", flat=True)) == [
        "Kibalchich, Victor Lvovich",
        "V. Serge",
    ]
    assert rows() == {("Serge, Victor", "spouse", "Roussakova, Liouba")}
    exported = read_eac(eac_export(agent=serge, public=False))
    assert {n.text for n in exported.names} == {
        "Serge, Victor",
        "Kibalchich, Victor Lvovich",
        "V. Serge",
    }
    [relation] = exported.relations
    assert (relation.entry, relation.relation_type) == ("Roussakova, Liouba", "family")
    assert relation.note == "Serge, Victor is spouse of Roussakova, Liouba"


def test_an_imported_relation_edited_in_the_admin_is_exported_as_edited():
    target = Agent.objects.create(agent_type="corporate", authorized_name="Bureau", record_id="b1")
    data = record_bytes(
        "Office",
        record_id="o1",
        entity_type="corporateBody",
        relations=(cpf("Bureau", "b1", "associative", "works with"),),
    )
    [result] = eac_import(files=[("office.xml", data)])
    row = AgentRelation.objects.get(source=result.agent, target=target)
    [written] = read_eac(eac_export(agent=result.agent, public=False)).relations
    assert (written.relation_type, written.note) == ("associative", "works with")
    row.relation_type = "parent"
    row.save()
    [written] = read_eac(eac_export(agent=result.agent, public=False)).relations
    assert (written.entry, written.relation_type) == ("Bureau", "hierarchical-child")
    assert written.note == "Office is parent of Bureau: works with"
