"""Every corpus record imported, every imported agent exported valid, nothing lost.

The proof of "in and out" on the database the suite runs on: each record becomes an agent
(two records of one botanist become one agent, as the matching rule requires), each agent's
export validates against cpf.xsd, every name, date, relation and word of what the model
carries survives the export, and importing the exports finds the same agents again.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from archive.eac import read_eac
from archive.eac.records import AuthorityRecord
from archive.ead.parsing import safe_parser
from archive.ead.words import text_words
from archive.models import Agent
from archive.services.eac import eac_export, eac_import, normalised_name

from .conftest import schema_errors

pytestmark = pytest.mark.django_db

# What the model carries of a record's description: its words must all survive.
CARRIED = (
    "identity/nameEntry/part",
    "identity/nameEntryParallel/nameEntry/part",
    "identity/entityId",
    "description/existDates",
    "description/biogHist",
    "description/structureOrGenealogy",
    "description/generalContext",
    "description//placeEntry",
    "description//placeRole",
    "description//term",  # (places, occupations, functions, legal statuses, local ones)
    "description//mandate",
    "relations//relationEntry",
    "relations//dateRange",
    "relations//date",
    "relations//descriptiveNote",
)


def carried_words(path: Path) -> Counter:
    root = etree.parse(str(path), safe_parser()).getroot()
    description = next(el for el in root.iter() if etree.QName(el).localname == "cpfDescription")
    texts = []
    for xpath in CARRIED:
        steps = "/".join(f"*[local-name()='{s}']" if s else "" for s in xpath.split("/"))
        texts.extend(" ".join(el.itertext()) for el in description.xpath(steps))
    return text_words(texts)


def import_corpus(files: list[Path]) -> list:
    results = eac_import(files=[(p.name, p) for p in files])
    assert [r.summary() for r in results if r.error] == []
    return results


def last_record_per_agent(results: list) -> dict[int, tuple[Path, AuthorityRecord]]:
    """Each agent's record: the last file of the batch that updated it."""
    return {r.agent.pk: r.name for r in results}


def relation_keys(record: AuthorityRecord, kind: str) -> Counter:
    return Counter(
        (x.entry, x.href, x.relation_type, tuple(d.label() for d in x.dates))
        for x in record.relations
        if x.kind == kind
    )


def test_every_record_imports_as_one_agent_per_entity(eac_files):
    results = import_corpus(eac_files)
    created = [r for r in results if r.created]
    assert Agent.objects.count() == len(created)
    for result in results:
        if not result.created:  # a later record of an agent already in the batch
            record = read_eac(eac_files[[p.name for p in eac_files].index(result.name)])
            assert normalised_name(record.authorized_name.text) == normalised_name(
                result.agent.authorized_name
            )
    assert sum(r.linked for r in results) > 50  # the records name one another


def test_every_agent_exports_valid_with_every_name_date_relation_and_word(eac_files):
    results = import_corpus(eac_files)
    by_name = {p.name: p for p in eac_files}
    problems = {}
    for agent_id, name in last_record_per_agent(results).items():
        agent = Agent.objects.get(pk=agent_id)
        data = eac_export(agent=agent, public=False)  # (validates, else raises)
        assert schema_errors(data) == []
        original = read_eac(by_name[name])
        exported = read_eac(data, filename=f"{agent.slug}.xml")
        lost = []
        names = {n.text for n in exported.names}
        lost += [f"name {n.text!r}" for n in original.names if n.text not in names]
        if [d.label() for d in original.exist_dates] != [d.label() for d in exported.exist_dates]:
            lost.append("dates of existence")
        for kind in ("cpf", "resource", "function"):
            missing = relation_keys(original, kind) - relation_keys(exported, kind)
            lost += [f"{kind} relation {m}" for m in missing]
        words = carried_words(by_name[name]) - text_words(
            [" ".join(etree.fromstring(data).itertext())]
        )
        if words:
            lost.append(f"words {sorted(words)[:10]}")
        if lost:
            problems[name] = lost
    assert problems == {}


def test_importing_the_exports_finds_the_same_agents(eac_files):
    import_corpus(eac_files)
    agents = list(Agent.objects.order_by("pk"))
    exports = [(f"{a.slug}.xml", eac_export(agent=a, public=False)) for a in agents]
    results = eac_import(files=exports)
    assert [r.summary() for r in results if r.error] == []
    assert [r.agent.pk for r in results] == [a.pk for a in agents]
    assert not any(r.created for r in results)
    assert Agent.objects.count() == len(agents)
