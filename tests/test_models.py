"""The data model's rules: constraints in the database, labels as an archivist reads them,
the tree helpers of ``archive.tree`` and the visibility rule of ``archive.visibility``."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from archive import tree
from archive.models import (
    Agent,
    AgentRelation,
    Collection,
    Component,
    Container,
    ContainerInstance,
    Extent,
    Level,
    Note,
    Repository,
    Subject,
    UnitDate,
)
from archive.visibility import is_public, public_units

pytestmark = pytest.mark.django_db


# ----------------------------------------------------------------------------- helpers


@pytest.fixture
def repository() -> Repository:
    return Repository.objects.create(code="beinecke", name="Beinecke Library")


def make_collection(
    repository: Repository, ead_id: str, outline: list[tuple[int, str, bool]]
) -> tuple[Collection, list[Component]]:
    """A collection whose units are given in document order as (depth, title, published).

    Depth 1 is the collection root. Paths come from ``PathAllocator`` and ``numchild`` from
    ``recount_children``, as a bulk loader would set them.
    """
    collection = Collection.objects.create(repository=repository, ead_id=ead_id)
    allocator = tree.PathAllocator(tree.next_root_path())
    nodes = []
    for n, (depth, title, published) in enumerate(outline):
        nodes.append(
            Component.objects.create(
                collection=collection,
                path=allocator.allocate(depth),
                depth=depth,
                numchild=0,
                level=Level.COLLECTION if depth == 1 else Level.FILE,
                ref="" if depth == 1 else f"{ead_id}_{n}",
                title=title,
                published=published,
            )
        )
    tree.recount_children(collection.pk)
    for node in nodes:
        node.refresh_from_db()
    return collection, nodes


OUTLINE = [
    (1, "Papers", True),
    (2, "Series 1", True),
    (3, "File 1.1", True),
    (4, "Item 1.1.1", True),
    (3, "File 1.2", True),
    (2, "Series 2", False),  # unpublished series
    (3, "File 2.1", True),  # published, but under an unpublished series
    (4, "Item 2.1.1", True),
    (2, "Series 3", True),
]


@pytest.fixture
def papers(repository: Repository) -> dict[str, Component]:
    _, nodes = make_collection(repository, "papers", OUTLINE)
    return {node.title: node for node in nodes}


# ----------------------------------------------------------------------- constraints


def test_ead_id_is_unique_per_repository(repository: Repository) -> None:
    Collection.objects.create(repository=repository, ead_id="beinecke.serge")
    with pytest.raises(IntegrityError), transaction.atomic():
        Collection.objects.create(repository=repository, ead_id="beinecke.serge")


def test_same_ead_id_allowed_in_another_repository(repository: Repository) -> None:
    other = Repository.objects.create(code="mssa", name="Manuscripts and Archives")
    Collection.objects.create(repository=repository, ead_id="ms.1")
    Collection.objects.create(repository=other, ead_id="ms.1")
    assert Collection.objects.filter(ead_id="ms.1").count() == 2


def test_component_ref_is_unique_per_collection(papers: dict[str, Component]) -> None:
    series = papers["Series 1"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Component.objects.create(
            collection=series.collection,
            path=series.path + tree.encode_step(series.numchild + 1),
            depth=series.depth + 1,
            ref=series.ref,
            title="Duplicate",
        )


def test_blank_ref_allowed_more_than_once(repository: Repository) -> None:
    collection, nodes = make_collection(
        repository, "blank", [(1, "Root", True), (2, "A", True), (2, "B", True)]
    )
    Component.objects.filter(pk__in=[nodes[1].pk, nodes[2].pk]).update(ref="")
    assert collection.components.filter(ref="").count() == 3


def test_same_ref_allowed_in_two_collections(repository: Repository) -> None:
    _, first = make_collection(repository, "one", [(1, "Root", True), (2, "A", True)])
    _, second = make_collection(repository, "two", [(1, "Root", True), (2, "A", True)])
    Component.objects.filter(pk=second[1].pk).update(ref=first[1].ref)
    assert Component.objects.filter(ref=first[1].ref).count() == 2


def test_agent_cannot_be_related_to_itself() -> None:
    serge = Agent.objects.create(agent_type="person", authorized_name="Serge, Victor, 1890-1947")
    relation = AgentRelation(source=serge, target=serge, relation_type="associate")
    with pytest.raises(ValidationError):
        relation.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        relation.save()


def test_agent_relation_is_unique_per_type() -> None:
    serge = Agent.objects.create(agent_type="person", authorized_name="Serge, Victor")
    vlady = Agent.objects.create(agent_type="person", authorized_name="Vlady")
    AgentRelation.objects.create(source=serge, target=vlady, relation_type="parent")
    AgentRelation.objects.create(source=serge, target=vlady, relation_type="associate")
    with pytest.raises(IntegrityError), transaction.atomic():
        AgentRelation.objects.create(source=serge, target=vlady, relation_type="parent")


def test_agent_slug_generated_and_unique() -> None:
    first = Agent.objects.create(agent_type="person", authorized_name="Gide, André, 1869-1951")
    second = Agent.objects.create(agent_type="person", authorized_name="Gide, André, 1869-1951")
    assert first.slug == "gide-andre-1869-1951"
    assert second.slug == "gide-andre-1869-1951-2"
    # A slug once given is kept when the name changes: URLs stay stable.
    first.authorized_name = "Gide, André Paul Guillaume, 1869-1951"
    first.save()
    first.refresh_from_db()
    assert first.slug == "gide-andre-1869-1951"


def test_agent_slug_never_empty() -> None:
    agent = Agent.objects.create(agent_type="person", authorized_name="Троцкий")
    assert agent.slug


def test_subject_slug_generated_and_unique() -> None:
    topical = Subject.objects.create(term="Exiles", subject_type="topical", source="lcsh")
    genre = Subject.objects.create(term="Exiles", subject_type="genre_form", source="aat")
    assert topical.slug == "exiles"
    assert genre.slug == "exiles-2"


def test_subject_term_unique_per_type_and_source() -> None:
    Subject.objects.create(term="Anarchism", subject_type="topical", source="lcsh")
    with pytest.raises(IntegrityError), transaction.atomic():
        Subject.objects.create(term="Anarchism", subject_type="topical", source="lcsh", slug="x")


def test_container_indicator_unique_per_collection(papers: dict[str, Component]) -> None:
    collection = papers["Papers"].collection
    Container.objects.create(collection=collection, container_type="box", indicator="3")
    with pytest.raises(IntegrityError), transaction.atomic():
        Container.objects.create(collection=collection, container_type="box", indicator="3")


# ------------------------------------------------------------------------ labels


@pytest.mark.parametrize(
    ("begin", "end", "expected"),
    [
        ("1890-12-30", "1947-11-17", "1890-12-30 - 1947-11-17"),
        ("1920", "", "1920"),
        ("", "1947", "1947"),
        ("", "", ""),
    ],
)
def test_agent_existence(begin: str, end: str, expected: str) -> None:
    agent = Agent(authorized_name="x", existence_begin=begin, existence_end=end)
    assert agent.existence == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            dict(number="3", extent_type="linear feet", container_summary="7 boxes"),
            "3 linear feet (7 boxes)",
        ),
        (dict(number="27", extent_type="boxes"), "27 boxes"),
        (dict(container_summary="1 folder"), "1 folder"),
    ],
)
def test_extent_str(fields: dict[str, str], expected: str) -> None:
    assert str(Extent(**fields)) == expected


@pytest.mark.parametrize(
    ("fields", "text", "display"),
    [
        (dict(expression="1936-1947", begin="1936", end="1947"), "1936-1947", "1936-1947"),
        (dict(begin="1936", end="1947", date_type="bulk"), "1936-1947", "bulk 1936-1947"),
        (dict(begin="1947", end="1947"), "1947", "1947"),
        (dict(begin="1947-11-17"), "1947-11-17", "1947-11-17"),
    ],
)
def test_unit_date_str(fields: dict[str, str], text: str, display: str) -> None:
    date = UnitDate(**fields)
    assert str(date) == text
    assert date.display == display


def test_container_instance_str(papers: dict[str, Component]) -> None:
    collection = papers["Papers"].collection
    box = Container.objects.create(collection=collection, container_type="box", indicator="3")
    unit = papers["File 1.1"]
    folder = ContainerInstance(unit=unit, container=box, child_type="folder", child_indicator="12")
    assert str(folder) == "Box 3, Folder 12"
    assert str(ContainerInstance(unit=unit, container=box)) == "Box 3"
    # A folder number with no type is a folder, as in most container lists.
    assert (
        str(ContainerInstance(unit=unit, container=box, child_indicator="4")) == "Box 3, Folder 4"
    )
    nested = ContainerInstance(
        unit=unit,
        container=box,
        child_type="folder",
        child_indicator="12",
        grandchild_type="item",
        grandchild_indicator="b",
    )
    assert str(nested) == "Box 3, Folder 12, Item b"


@pytest.mark.parametrize(
    ("level", "other_level", "label"),
    [
        ("series", "", "Series"),
        ("subseries", "", "Subseries"),
        ("recordgrp", "", "Record group"),
        ("subfonds", "", "Sub-fonds"),
        ("otherlevel", "Accession", "Accession"),
        ("otherlevel", "", "Other level"),
        # other_level only names an "otherlevel" unit; it never relabels a standard level.
        ("file", "Dossier", "File"),
    ],
)
def test_level_label(level: str, other_level: str, label: str) -> None:
    assert Component(level=level, other_level=other_level).level_label == label


def test_every_ead_level_is_offered() -> None:
    ead_levels = {
        "collection",
        "fonds",
        "class",
        "recordgrp",
        "series",
        "subfonds",
        "subgrp",
        "subseries",
        "file",
        "item",
        "otherlevel",
    }
    assert set(Level.values) == ead_levels


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (dict(title="Correspondence", identifier="I", ref="r1"), "Correspondence"),
        (dict(identifier="Box 1", ref="r1"), "Box 1"),
        (dict(ref="ref_serge_7"), "Untitled file"),  # never the machine id
        (dict(level="item"), "Untitled item"),
    ],
)
def test_display_title_fallback(fields: dict[str, str], expected: str) -> None:
    unit = Component(**fields)
    assert unit.display_title == expected
    assert str(unit) == expected


def test_note_heading_falls_back_to_type_label() -> None:
    assert Note(note_type="accessrestrict").display_heading == "Conditions Governing Access"
    assert Note(note_type="bioghist", heading="Life").display_heading == "Life"


def test_collection_root_title_and_published(papers: dict[str, Component]) -> None:
    collection = papers["Papers"].collection
    assert collection.root == papers["Papers"]
    assert str(collection) == "Papers"
    assert collection.published
    empty = Collection.objects.create(repository=collection.repository, ead_id="empty.1")
    assert empty.root is None
    assert str(empty) == "empty.1"
    assert not empty.published


# -------------------------------------------------------------------------- tree


def test_path_allocator_hands_out_paths_in_document_order() -> None:
    allocator = tree.PathAllocator("0001")
    depths = [1, 2, 3, 3, 2, 3, 4, 4, 2]
    paths = [allocator.allocate(d) for d in depths]
    assert paths == [
        "0001",
        "00010001",
        "000100010001",
        "000100010002",
        "00010002",
        "000100020001",
        "0001000200010001",
        "0001000200010002",
        "00010003",
    ]
    assert sorted(paths) == paths
    assert [len(p) // tree.STEPLEN for p in paths] == depths


def test_path_allocator_sorts_beyond_ten_and_thirty_six_siblings() -> None:
    allocator = tree.PathAllocator("0001")
    allocator.allocate(1)
    paths = [allocator.allocate(2) for _ in range(40)]
    # String order of the paths is sibling order, past 9 -> A and Z -> 10 in base 36.
    assert sorted(paths) == paths
    assert len(set(paths)) == 40
    assert tree.decode_step(paths[-1][tree.STEPLEN :]) == 40


def test_path_allocator_rejects_broken_sequences() -> None:
    allocator = tree.PathAllocator("0001")
    with pytest.raises(ValueError):
        allocator.allocate(2)  # no root yet
    allocator.allocate(1)
    with pytest.raises(ValueError):
        allocator.allocate(3)  # skips a level
    with pytest.raises(ValueError):
        allocator.allocate(1)  # a second root


def test_encode_and_decode_step() -> None:
    assert tree.encode_step(1) == "0001"
    assert tree.encode_step(10) == "000A"
    assert tree.encode_step(36) == "0010"
    for n in (1, 9, 10, 35, 36, 1295, 1296):
        assert tree.decode_step(tree.encode_step(n)) == n
    with pytest.raises(ValueError):
        tree.encode_step(0)


def test_next_root_path_follows_the_last_root(repository: Repository) -> None:
    make_collection(repository, "a", [(1, "A", True)])
    make_collection(repository, "b", [(1, "B", True)])
    roots = list(Component.objects.filter(depth=1).order_by("path").values_list("path", flat=True))
    assert roots[-1] < tree.next_root_path()
    assert len(tree.next_root_path()) == tree.STEPLEN


def test_children_descendants_ancestors(papers: dict[str, Component]) -> None:
    root = papers["Papers"]
    assert [c.title for c in tree.children(root)] == ["Series 1", "Series 2", "Series 3"]
    assert [c.title for c in tree.children(papers["Series 1"])] == ["File 1.1", "File 1.2"]
    assert [c.title for c in tree.descendants(papers["Series 2"])] == ["File 2.1", "Item 2.1.1"]
    assert [c.title for c in tree.descendants(papers["Series 3"], include_self=True)] == [
        "Series 3"
    ]
    assert [c.title for c in tree.descendants(root)] == [title for _, title, _ in OUTLINE[1:]]
    assert [a.title for a in tree.ancestors(papers["Item 1.1.1"])] == [
        "Papers",
        "Series 1",
        "File 1.1",
    ]
    assert list(tree.ancestors(root)) == []


def test_tree_helpers_stay_within_one_collection(
    repository: Repository, papers: dict[str, Component]
) -> None:
    make_collection(repository, "other", [(1, "Other", True), (2, "Other series", True)])
    assert [c.title for c in tree.children(papers["Papers"])] == [
        "Series 1",
        "Series 2",
        "Series 3",
    ]
    assert "Other series" not in [c.title for c in tree.descendants(papers["Papers"])]


def test_recount_children(papers: dict[str, Component]) -> None:
    root = papers["Papers"]
    expected = {node.pk: tree.children(node).count() for node in papers.values()}
    assert {node.pk: node.numchild for node in papers.values()} == expected
    assert papers["Papers"].numchild == 3
    assert papers["Item 1.1.1"].numchild == 0
    Component.objects.filter(collection=root.collection).update(numchild=99)
    tree.recount_children(root.collection_id)
    for node in Component.objects.filter(collection=root.collection):
        assert node.numchild == expected[node.pk]
    assert not any(Component.objects.find_problems())


def test_ordering_by_path_is_document_order(papers: dict[str, Component]) -> None:
    collection = papers["Papers"].collection
    titles = list(collection.components.values_list("title", flat=True))
    assert titles == [title for _, title, _ in OUTLINE]


# -------------------------------------------------------------------- visibility


def test_unit_under_unpublished_series_is_hidden(papers: dict[str, Component]) -> None:
    public = set(public_units().values_list("title", flat=True))
    assert "Series 2" not in public
    assert "File 2.1" not in public
    assert "Item 2.1.1" not in public
    assert {"Papers", "Series 1", "File 1.1", "Item 1.1.1", "File 1.2", "Series 3"} == public
    assert not is_public(papers["File 2.1"])
    assert not is_public(papers["Item 2.1.1"])
    assert is_public(papers["Item 1.1.1"])
    assert is_public(papers["Papers"])


def test_unpublished_collection_hides_everything(repository: Repository) -> None:
    collection, nodes = make_collection(
        repository, "draft", [(1, "Draft", False), (2, "S", True), (3, "F", True)]
    )
    assert not public_units().filter(collection=collection).exists()
    assert not any(is_public(node) for node in nodes)


def test_public_units_narrows_a_given_queryset(papers: dict[str, Component]) -> None:
    files = Component.objects.filter(collection=papers["Papers"].collection, depth=3)
    assert list(public_units(files).values_list("title", flat=True)) == ["File 1.1", "File 1.2"]


def test_unpublished_sibling_does_not_hide_its_neighbours(repository: Repository) -> None:
    # Path prefixes must not leak: "Series 1" (…0001) is not an ancestor of "Series 10".
    outline = [(1, "Root", True)] + [(2, f"Series {n}", n != 1) for n in range(1, 12)]
    collection, _ = make_collection(repository, "wide", outline)
    public = set(public_units().filter(collection=collection).values_list("title", flat=True))
    assert "Series 1" not in public
    assert {f"Series {n}" for n in range(2, 12)} <= public
