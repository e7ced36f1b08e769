"""EAC-CPF import matches the agent Fonds already has, never making a duplicate: by an id of
the record, else by normalised authorised name and dates; and agents made by the EAD import
and by the EAC-CPF import, in either order, end up as one agent."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from archive.models import Agent, AgentLink
from archive.search import search
from archive.services.eac import eac_import
from archive.services.imports import ead_import

from .builders import record_bytes

pytestmark = pytest.mark.django_db

# A French finding aid whose creator cites an Archives nationales authority record.
FINDING_AID = Path(settings.FONDS_CORPUS_DIR) / "anf-FRAN_IR_050629.xml"
CREATOR = "Jeanneney, Jean-Noël (1942-....)"
CREATOR_ID = "FRAN_NP_050789"


def one(name: str, data: bytes):
    [result] = eac_import(files=[(name, data)])
    assert result.error is None, result.error
    return result


def test_an_agent_with_the_records_id_is_updated_not_duplicated():
    agent = Agent.objects.create(
        agent_type="person", authorized_name="Serge, V.", authority_id="FRAN_NP_1"
    )
    result = one("serge.xml", record_bytes("Serge, Victor", record_id="FRAN_NP_1"))
    assert (result.agent.pk, result.created) == (agent.pk, False)
    agent.refresh_from_db()
    assert agent.authorized_name == "Serge, Victor"
    assert agent.record_id == "FRAN_NP_1"
    assert Agent.objects.count() == 1


@pytest.mark.parametrize("where", ["other_ids", "entity_ids"])
def test_other_record_ids_and_entity_ids_match_too(where):
    lc = "http://id.loc.gov/authorities/names/n50003420"
    agent = Agent.objects.create(agent_type="person", authorized_name="X", authority_id=lc)
    result = one("x.xml", record_bytes("Serge, Victor", record_id="local-7", **{where: (lc,)}))
    assert result.agent.pk == agent.pk
    assert Agent.objects.count() == 1


def test_the_same_name_and_dates_match_whatever_the_case_accents_and_punctuation():
    agent = Agent.objects.create(
        agent_type="person",
        authorized_name="Serge, Victor, 1890-1947",
        existence_begin="1890-12-30",
        existence_end="1947-11-17",
    )
    result = one(
        "serge.xml",
        record_bytes("SERGÉ Victor 1890-1947", record_id="s1", dates=("1890-12-30", "1947-11-17")),
    )
    assert result.agent.pk == agent.pk and not result.created


@pytest.mark.parametrize(
    "kind, dates",
    [("person", ("1891", "1947")), ("corporateBody", None)],
    ids=["other dates", "other entity type"],
)
def test_a_namesake_with_other_dates_or_of_another_kind_is_another_agent(kind, dates):
    Agent.objects.create(
        agent_type="person", authorized_name="Serge, Victor", existence_begin="1890"
    )
    result = one(
        "x.xml", record_bytes("Serge, Victor", record_id="s2", entity_type=kind, dates=dates)
    )
    assert result.created
    assert Agent.objects.count() == 2


def test_importing_the_same_record_twice_keeps_one_agent():
    data = record_bytes("Doe, Jane", record_id="doe", variants=("Jane Doe",))
    first, second = eac_import(files=[("a.xml", data), ("b.xml", data)])
    assert first.created and not second.created and first.agent.pk == second.agent.pk
    assert Agent.objects.count() == 1
    assert list(first.agent.variant_names.values_list("name", flat=True)) == ["Jane Doe"]


def creator_links() -> list[AgentLink]:
    return list(AgentLink.objects.filter(agent__authorized_name=CREATOR, role="creator"))


def test_ead_then_eac_the_finding_aids_creator_is_updated():
    ead_import(source=FINDING_AID)
    [link] = creator_links()
    result = one("jeanneney.xml", record_bytes(CREATOR, record_id=CREATOR_ID, dates=("1942", "")))
    assert (result.agent.pk, result.created) == (link.agent_id, False)
    assert Agent.objects.filter(authorized_name=CREATOR).count() == 1
    assert Agent.objects.get(pk=link.agent_id).record_id == CREATOR_ID


def test_eac_then_ead_the_finding_aid_links_the_imported_agent():
    result = one("jeanneney.xml", record_bytes(CREATOR, record_id=CREATOR_ID))
    ead_import(source=FINDING_AID)
    [link] = creator_links()
    assert link.agent_id == result.agent.pk
    assert Agent.objects.filter(authorized_name=CREATOR).count() == 1


def test_eac_without_the_cited_id_then_ead_still_one_agent_by_name():
    """The record's id is not the one the finding aid cites: the EAD import matches by name."""
    result = one("jeanneney.xml", record_bytes(CREATOR, record_id="elsewhere-42"))
    ead_import(source=FINDING_AID)
    [link] = creator_links()
    assert link.agent_id == result.agent.pk


def test_ead_then_eac_without_the_cited_id_still_one_agent_by_name():
    ead_import(source=FINDING_AID)
    [link] = creator_links()
    result = one("jeanneney.xml", record_bytes(CREATOR, record_id="elsewhere-42"))
    assert result.agent.pk == link.agent_id


def test_the_records_variant_names_reach_the_search_of_the_finding_aid():
    ead_import(source=FINDING_AID)
    assert search(query="Brissac", filters={}).total == 0
    one(
        "jeanneney.xml",
        record_bytes(CREATOR, record_id=CREATOR_ID, variants=("Brissac, Noël (pseudonyme)",)),
    )
    assert search(query="Brissac", filters={}).total > 0


def test_a_later_record_replaces_the_variants_of_the_earlier_one_but_not_typed_ones():
    agent = Agent.objects.create(agent_type="person", authorized_name="Doe, J.", record_id="d1")
    agent.variant_names.create(name="Jane D.", note="typed by hand")
    one("1.xml", record_bytes("Doe, Jane", record_id="d1", variants=("Doe, J.", "Doe, J.")))
    assert sorted(agent.variant_names.values_list("name", "note")) == [
        ("Doe, J.", ""),
        ("Doe, J.", ""),
        ("Jane D.", "typed by hand"),
    ]
    one("2.xml", record_bytes("Doe, Jane", record_id="d1", variants=("Jane D.",)))
    assert sorted(agent.variant_names.values_list("name", "note")) == [
        ("Jane D.", "typed by hand"),
    ]


def test_a_year_agrees_with_a_full_date_and_a_record_without_dates_keeps_the_agents():
    agent = Agent.objects.create(
        agent_type="person",
        authorized_name="Serge, Victor",
        existence_begin="1890-12-30",
        existence_end="1947-11-17",
    )
    result = one("a.xml", record_bytes("Serge, Victor", record_id="s1", dates=("1890", "1947")))
    assert result.agent.pk == agent.pk
    agent.refresh_from_db()
    assert agent.existence == "1890 - 1947"
    one("b.xml", record_bytes("Serge, Victor", record_id="s1"))
    agent.refresh_from_db()
    assert agent.existence == "1890 - 1947"


def minimal_ead(name: str, source: str, authority_id: str) -> bytes:
    return f"""<ead xmlns="urn:isbn:1-931666-22-9">
<eadheader><eadid>cites-{authority_id}</eadid><filedesc><titlestmt>
<titleproper>Papers</titleproper></titlestmt></filedesc></eadheader>
<archdesc level="collection"><did><unittitle>Papers</unittitle>
<origination><persname source="{source}" authfilenumber="{authority_id}">{name}</persname>
</origination></did></archdesc></ead>""".encode()


def test_eac_then_ead_citing_the_records_id_from_another_source_links_the_same_agent():
    """A finding aid cites the authority record's id with a vocabulary (``source``) and spells
    the name its own way: still the agent the record made."""
    result = one("gorman.xml", record_bytes("Gorman, Martin W.", record_id="nyc-331"))
    ead_import(source=minimal_ead("Gorman, M. W.", "local", "nyc-331"), filename="a.xml")
    link = AgentLink.objects.get(unit__collection__ead_id="cites-nyc-331")
    assert link.agent_id == result.agent.pk
    assert Agent.objects.count() == 1


def test_the_same_id_from_two_named_sources_is_two_agents():
    ead_import(source=minimal_ead("Smith, Ann", "lcnaf", "n123"), filename="a.xml")
    other = minimal_ead("Smith, Bob", "viaf", "n123").replace(b"cites-n123", b"cites-n123-b")
    ead_import(source=other, filename="b.xml")
    assert Agent.objects.filter(authority_id="n123").count() == 2
