"""Small catalogues built through the ORM, so the index is fed by the model signals."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.db import transaction

from archive.models import (
    Agent,
    AgentLink,
    AgentVariantName,
    Collection,
    Component,
    Container,
    ContainerInstance,
    DigitalObject,
    Note,
    Repository,
    Subject,
    SubjectLink,
    UnitDate,
)


def add_unit(
    parent: Component | None,
    collection: Collection,
    *,
    title: str,
    level: str = "file",
    ref: str = "",
    published: bool = True,
    begin: str = "",
    end: str = "",
    note: str = "",
    **extra,
) -> Component:
    fields = dict(
        collection=collection, title=title, level=level, ref=ref, published=published, **extra
    )
    if parent is None:
        unit = Component.objects.add_root(create_kwargs=fields)
    else:
        unit = Component.objects.add_child(parent, create_kwargs=fields)
    if begin or end:
        UnitDate.objects.create(unit=unit, begin=begin, end=end, expression=f"{begin}-{end}")
    if note:
        Note.objects.create(unit=unit, note_type="scopecontent", content=note)
    return unit


@dataclass
class World:
    units: dict[str, Component] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)
    subjects: dict[str, Subject] = field(default_factory=dict)
    collections: dict[str, Collection] = field(default_factory=dict)
    repositories: dict[str, Repository] = field(default_factory=dict)


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    """Built once per test module inside a transaction that is rolled back at the end; each
    test runs in a savepoint inside it (pytest-django's ``db``), so edits never leak."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(_world: World, db) -> World:
    """The shared catalogue, with fresh instances (a test may have edited the old ones)."""
    fresh = World(
        repositories={n: Repository.objects.get(pk=r.pk) for n, r in _world.repositories.items()},
        collections={n: Collection.objects.get(pk=c.pk) for n, c in _world.collections.items()},
    )
    pks = {name: unit.pk for name, unit in _world.units.items()}
    by_pk = Component.objects.in_bulk(pks.values())
    fresh.units = {name: by_pk[pk] for name, pk in pks.items()}
    fresh.agents = {n: Agent.objects.get(pk=a.pk) for n, a in _world.agents.items()}
    fresh.subjects = _world.subjects
    return fresh


def build_world() -> World:
    w = World()
    beinecke = Repository.objects.create(code="beinecke", name="Beinecke Library")
    mssa = Repository.objects.create(code="mssa", name="Manuscripts and Archives")
    w.repositories = {"beinecke": beinecke, "mssa": mssa}

    serge = Collection.objects.create(repository=beinecke, ead_id="serge")
    macdonald = Collection.objects.create(repository=mssa, ead_id="macdonald")
    w.collections = {"serge": serge, "macdonald": macdonald}

    u = w.units
    u["serge"] = add_unit(
        None,
        serge,
        title="Victor Serge papers",
        level="collection",
        identifier="GEN MSS 238",
        begin="1912",
        end="1994",
        languages=[{"code": "fre", "name": "French"}],
        note="<p>Papers of a revolutionary writer.</p>",
    )
    u["correspondence"] = add_unit(
        u["serge"],
        serge,
        title="Correspondence",
        level="series",
        ref="s1",
        begin="1920",
        end="1947",
    )
    u["lenine"] = add_unit(
        u["correspondence"],
        serge,
        title="Letters concerning Lénine",
        ref="f1",
        begin="1936-03-01",
        end="1936-04-30",
    )
    u["sejourne"] = add_unit(
        u["correspondence"],
        serge,
        title="Family letters",
        ref="f2",
        begin="1938",
        end="1938",
        note="<p>Letters from Laurette <emph render='italic'>Séjourné</emph> about the move "
        "to Mexico.</p>",
    )
    u["breton"] = add_unit(
        u["correspondence"],
        serge,
        title="Andre Breton letters",
        ref="f3",
        begin="1941",
        end="1942",
    )
    u["revolution_title"] = add_unit(
        u["serge"],
        serge,
        title="Revolution pamphlets",
        ref="f4",
        begin="1917",
        end="1921",
    )
    u["revolution_note"] = add_unit(
        u["serge"],
        serge,
        title="Manuscript drafts",
        ref="f5",
        begin="1930",
        end="1945",
        note="<p>Drafts of novels about the revolution, the revolution betrayed and the "
        "revolution in exile.</p>",
    )
    u["phrase_apart"] = add_unit(
        u["serge"],
        serge,
        title="Novels notes",
        ref="f6",
        note="<p>Drafts written in exile; several novels.</p>",
    )
    # Hidden material.
    u["hidden_series"] = add_unit(
        u["serge"],
        serge,
        title="Restricted series",
        level="series",
        ref="s2",
        published=False,
    )
    u["under_hidden"] = add_unit(
        u["hidden_series"],
        serge,
        title="Zanzibar payroll",
        ref="f7",
        published=True,
        begin="1950",
        end="1950",
    )
    u["hidden_file"] = add_unit(
        u["serge"],
        serge,
        title="Quokka file",
        ref="f8",
        published=False,
    )
    u["hidden_note_unit"] = add_unit(u["serge"], serge, title="Tax records", ref="f9")
    Note.objects.create(
        unit=u["hidden_note_unit"],
        note_type="odd",
        content="<p>Wombat secret</p>",
        published=False,
    )
    Note.objects.create(
        unit=u["hidden_note_unit"],
        note_type="scopecontent",
        content="<p>Receipts <emph audience='internal'>numbat internal</emph> kept.</p>",
    )

    agent_serge = Agent.objects.create(
        agent_type="person",
        authorized_name="Serge, Victor, 1890-1947",
        primary_name="Serge",
        rest_of_name="Victor",
    )
    AgentVariantName.objects.create(agent=agent_serge, name="Kibalchich, Viktor Lvovich")
    hidden_agent = Agent.objects.create(
        agent_type="person", authorized_name="Platypus, Hidden", published=True
    )
    w.agents = {"serge": agent_serge, "platypus": hidden_agent}
    AgentLink.objects.create(unit=u["serge"], agent=agent_serge, role="creator")
    AgentLink.objects.create(unit=u["lenine"], agent=agent_serge, role="subject")
    AgentLink.objects.create(unit=u["breton"], agent=hidden_agent, role="subject", published=False)

    box = Container.objects.create(collection=serge, container_type="box", indicator="3")
    ContainerInstance.objects.create(
        unit=u["lenine"], container=box, child_type="folder", child_indicator="12"
    )

    u["macdonald"] = add_unit(
        None,
        macdonald,
        title="Dwight Macdonald papers",
        level="collection",
        identifier="MS 730",
        begin="1865",
        end="1984",
        languages=[{"code": "eng", "name": "English"}],
    )
    u["photos"] = add_unit(
        u["macdonald"],
        macdonald,
        title="Photographs of Mexico",
        ref="m1",
        begin="1940",
        end="1940",
    )
    u["anarchism"] = add_unit(
        u["macdonald"],
        macdonald,
        title="Politics magazine",
        ref="m2",
        begin="1944",
        end="1949",
        note="<p>Essays on anarchism and the war.</p>",
    )
    anarchism = Subject.objects.create(term="Anarchism", subject_type="topical")
    mexico = Subject.objects.create(term="Mexico City (Mexico)", subject_type="geographic")
    photographs = Subject.objects.create(term="Photographs", subject_type="genre_form")
    w.subjects = {"anarchism": anarchism, "mexico": mexico, "photographs": photographs}
    SubjectLink.objects.create(unit=u["anarchism"], subject=anarchism)
    SubjectLink.objects.create(unit=u["photos"], subject=mexico)
    SubjectLink.objects.create(unit=u["photos"], subject=photographs)
    DigitalObject.objects.create(unit=u["photos"], title="Scans", link="https://example.org/scans")
    AgentLink.objects.create(unit=u["anarchism"], agent=agent_serge, role="subject")
    return w
