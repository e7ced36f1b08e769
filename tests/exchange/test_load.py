"""The loader: neutral records -> rows, checked on hand-made record streams."""

from __future__ import annotations

import pytest

from archive import tree
from archive.ead import records as r
from archive.exchange import bulk
from archive.exchange import load as loader
from archive.models import (
    Agent,
    AgentLink,
    Collection,
    Component,
    Container,
    ContainerInstance,
    Note,
    Repository,
    Subject,
)
from archive.services import imports

pytestmark = pytest.mark.django_db


@pytest.fixture
def repository() -> Repository:
    return Repository.objects.create(
        code="beinecke", name="Beinecke Rare Book & Manuscript Library"
    )


def load(repository: Repository, units: list[r.Record], *, ead_id: str = "gen-mss-238", **kw):
    stream = [r.FindingAid(ead_id=ead_id, title_text="Victor Serge papers"), *units]
    return loader.EADLoader(repository=repository, filename="t.xml", **kw).load(stream)


def root(**kw) -> r.Unit:
    return r.Unit(
        depth=0,
        sequence=0,
        level="collection",
        title="Victor Serge papers",
        title_text="Victor Serge papers",
        **kw,
    )


def unit(depth: int, sequence: int, title: str, **kw) -> r.Unit:
    return r.Unit(depth=depth, sequence=sequence, title=title, title_text=title, **kw)


def test_refs_are_kept_generated_from_position_or_made_unique(repository: Repository) -> None:
    result = load(
        repository,
        [
            root(),
            unit(1, 1, "Series I", level="series", ref="ser1"),
            unit(2, 2, "File 1", level="file"),
            unit(2, 3, "File 2", level="file", ref="dup"),
            unit(1, 4, "Series II", level="series"),
            unit(2, 5, "File 3", ref="dup"),
        ],
    )
    rows = list(
        Component.objects.filter(depth__gt=1)
        .order_by("path")
        .values_list("title", "ref", "attributes")
    )
    refs = {title: ref for title, ref, _ in rows}
    assert refs == {
        "Series I": "ser1",
        "File 1": "1-1",
        "File 2": "dup",
        "Series II": "2",
        "File 3": "dup-2",
    }
    attributes = {title: attrs for title, _, attrs in rows}
    assert attributes["File 1"]["ref_generated"] is True
    assert "ref_generated" not in attributes["Series I"]
    assert attributes["File 3"]["source_ref"] == "dup"
    assert any("'dup'" in w for w in result.warnings)


def test_tree_paths_and_numchild_agree_with_a_full_recount(repository: Repository) -> None:
    units = [root()]
    seq = 0
    for s in range(3):
        seq += 1
        units.append(unit(1, seq, f"Series {s}"))
        for f in range(s + 1):
            seq += 1
            units.append(unit(2, seq, f"File {s}.{f}"))
            seq += 1
            units.append(unit(3, seq, f"Item {s}.{f}"))
    result = load(repository, units, batch_size=4)

    loaded = dict(Component.objects.values_list("path", "numchild"))
    tree.recount_children(result.collection_id)
    assert dict(Component.objects.values_list("path", "numchild")) == loaded
    assert result.components == len(units) - 1
    series = Component.objects.get(title="Series 2")
    assert [c.title for c in tree.children(series)] == ["File 2.0", "File 2.1", "File 2.2"]


def test_containers_are_grouped_into_instances_and_shared(repository: Repository) -> None:
    aspace = (
        r.Container(
            ref="c1",
            container_type="Box",
            indicator="3",
            label="Mixed Materials [123456]",
            barcode="123456",
        ),
        r.Container(ref="c2", parent_ref="c1", container_type="Folder", indicator="12"),
    )
    legacy = (
        r.Container(container_type="box", indicator="3"),
        r.Container(container_type="folder", indicator="13"),
        r.Container(container_type="box", indicator="4"),
        r.Container(container_type="folder", indicator="1"),
    )
    load(
        repository, [root(), unit(1, 1, "A", containers=aspace), unit(1, 2, "B", containers=legacy)]
    )

    assert sorted(Container.objects.values_list("container_type", "indicator")) == [
        ("box", "3"),
        ("box", "4"),
    ]
    a = ContainerInstance.objects.get(unit__title="A")
    assert (a.container.indicator, a.child_type, a.child_indicator) == ("3", "Folder", "12")
    assert a.container.barcode == "123456"
    written = a.attributes["containers"]
    assert [c["id"] for c in written] == ["c1", "c2"] and written[1]["parent"] == "c1"
    assert written[0]["label"] == "Mixed Materials [123456]"
    b = list(ContainerInstance.objects.filter(unit__title="B").order_by("position"))
    assert [(i.container.indicator, i.child_indicator) for i in b] == [("3", "13"), ("4", "1")]


def test_agents_and_subjects_are_shared_between_collections(repository: Repository) -> None:
    serge = r.AgentLink(
        name="Serge, Victor, 1890-1947",
        role="creator",
        source="lcnaf",
        authority_id="http://id.loc.gov/authorities/names/n50003420",
    )
    topic = r.SubjectLink(term="Exiles", subject_type="topical", source="lcsh")
    load(repository, [root(agents=(serge,), subjects=(topic,))], ead_id="gen-mss-238")
    load(
        repository,
        [
            root(
                agents=(
                    r.AgentLink(
                        name="Serge, Victor, 1890-1947",
                        role="subject",
                        source="lcnaf",
                        authority_id="http://id.loc.gov/authorities/names/n50003420",
                    ),
                    # Same slug base as an existing agent, different name: a new agent.
                    r.AgentLink(name="Serge Victor 1890 1947", agent_type="corporate"),
                ),
                subjects=(topic, r.SubjectLink(term="Exiles", subject_type="geographic")),
            )
        ],
        ead_id="ms-730",
    )

    assert Agent.objects.filter(authorized_name="Serge, Victor, 1890-1947").count() == 1
    agent = Agent.objects.get(authorized_name="Serge, Victor, 1890-1947")
    assert agent.slug == "serge-victor-1890-1947"
    assert Agent.objects.get(agent_type="corporate").slug == "serge-victor-1890-1947-2"
    assert sorted(AgentLink.objects.filter(agent=agent).values_list("role", flat=True)) == [
        "creator",
        "subject",
    ]
    assert Subject.objects.filter(term="Exiles").count() == 2  # topical/lcsh and geographic
    assert len(set(Subject.objects.values_list("slug", flat=True))) == 2


def test_agent_matched_by_name_keeps_what_the_file_said(repository: Repository) -> None:
    Agent.objects.create(authorized_name="Macdonald, Dwight", agent_type="person")
    load(
        repository,
        [
            root(
                agents=(
                    r.AgentLink(name="Macdonald,  Dwight", source="local", authority_id="dm-1"),
                )
            )
        ],
    )

    link = AgentLink.objects.get()
    assert link.agent.authorized_name == "Macdonald, Dwight"
    assert link.attributes["source"] == "local" and link.attributes["authority_id"] == "dm-1"
    assert Agent.objects.count() == 1


def test_supplement_notes_continue_after_the_units_own(repository: Repository) -> None:
    load(
        repository,
        [
            root(notes=(r.Note(note_type="abstract", content="Short."),)),
            unit(1, 1, "Series I"),
            r.UnitSupplement(
                sequence=0,
                notes=(r.Note(note_type="note", content="<p>After the list.</p>"),),
                headings=(("unit", "More"),),
            ),
        ],
    )
    top = Component.objects.get(depth=1)
    notes = list(Note.objects.filter(unit=top).order_by("position"))
    assert [(n.note_type, n.position) for n in notes] == [("abstract", 0), ("odd", 1)]
    assert notes[1].attributes["element"] == "note"
    assert top.attributes["headings"] == [["unit", "More"]]


def test_unknown_level_and_long_values_are_kept(repository: Repository) -> None:
    long_title = "x" * 300
    load(repository, [root(), unit(1, 1, "Box list", level="box-group", identifier=long_title)])
    c = Component.objects.get(depth=2)
    assert (c.level, c.other_level) == ("otherlevel", "box-group")
    assert c.attributes["level"] == "box-group"
    assert c.attributes["identifier"] == long_title and len(c.identifier) == 255


def test_text_with_tabs_newlines_and_backslashes_is_stored_exactly(
    repository: Repository,
) -> None:
    # (PostgreSQL's COPY text format gives these characters a meaning of their own)
    title = "Letters\tto\\from\r\nSerge \\N"
    content = "<p>line one\nline\ttwo \\ three</p>"
    load(
        repository,
        [root(), unit(1, 1, title, notes=(r.Note(note_type="scopecontent", content=content),))],
        batch_size=1,
    )
    component = Component.objects.get(depth=2)
    assert component.title == title
    assert Note.objects.get(unit=component).content == content


def test_without_repository_the_file_names_it(db) -> None:
    stream = [
        r.FindingAid(ead_id="x-1", agency_code="US-CtY-BR", country_code="US"),
        root(repository_name="Beinecke Rare Book and Manuscript Library"),
    ]
    first = imports.collection_target(stream, repository=None, replace=False, filename="a.xml")
    assert first is not None
    loader.EADLoader(repository=first.repository, filename="a.xml").load(stream)
    stream[0] = r.FindingAid(ead_id="x-2", agency_code="US-CtY-BR")
    second = imports.collection_target(stream, repository=None, replace=False, filename="b.xml")
    assert second is not None
    loader.EADLoader(repository=second.repository, filename="b.xml").load(stream)

    repository = Repository.objects.get()
    assert (repository.code, repository.agency_code, repository.country_code) == (
        "us-cty-br",
        "US-CtY-BR",
        "US",
    )
    assert repository.name == "Beinecke Rare Book and Manuscript Library"
    assert first.repository_created and not second.repository_created
    assert Collection.objects.filter(repository=repository).count() == 2


def test_read_ahead_gives_every_record_in_order_and_raises_the_readers_error() -> None:
    def reader(n: int, fail: bool):
        yield from range(n)
        if fail:
            raise ValueError("line 9: broken")

    assert list(bulk.read_ahead(reader(1000, False), batch=7, batches=2)) == list(range(1000))
    seen = []
    with pytest.raises(ValueError, match="line 9"):
        for record in bulk.read_ahead(reader(50, True), batch=7, batches=2):
            seen.append(record)
    assert seen == list(range(50))


def test_read_ahead_stops_its_thread_when_the_consumer_stops_early() -> None:
    import threading
    from contextlib import closing

    def endless():
        i = 0
        while True:
            yield i
            i += 1

    with closing(bulk.read_ahead(endless(), batch=5, batches=2)) as records:
        assert next(records) == 0
    assert not any(t.name == "ead-read-ahead" for t in threading.enumerate())


def test_foreign_keys_are_deferred_again_after_a_load(repository: Repository) -> None:
    # On PostgreSQL a load checks foreign keys batch by batch (its rows go out in order);
    # what the caller does next in the same transaction gets Django's deferred checks back.
    from django.db import connection, transaction

    from archive.models import UnitDate

    with transaction.atomic():
        load(repository, [root(), unit(1, 1, "Letters")], batch_size=1)
        missing = Component.objects.order_by("-id").values_list("id", flat=True)[0] + 1000
        with connection.cursor() as cursor:
            # a row whose unit does not exist yet: refused at once if checks were immediate
            cursor.execute(
                'INSERT INTO archive_unitdate (unit_id, expression, begin, "end", date_type, '
                "certainty, calendar, era, position) VALUES (%s, '', '', '', 'inclusive', "
                "'', '', '', 0)",
                [missing],
            )
        UnitDate.objects.filter(unit_id=missing).delete()
    assert not UnitDate.objects.filter(unit_id=missing).exists()
