"""The demo data (``manage.py loaddata demo``) and the demo admin account.

What a newcomer browses after the README's run command: two Yale finding aids, Victor Serge
linked to both, a consistent tree, and the deliberately unpublished records kept from the
public.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from archive import tree
from archive.models import (
    Agent,
    AgentLink,
    AgentRelation,
    Collection,
    Component,
    ContainerInstance,
    Note,
    Repository,
    Subject,
)
from archive.search import index as search_index
from archive.visibility import is_public, public_units

pytestmark = pytest.mark.django_db


def load_demo() -> None:
    # The search index follows every raw save of a fixture (archive.search.signals), which
    # makes each load take seconds; these tests are about the data, so the index is paused.
    # test_loaddata_demo_as_the_readme_runs_it loads it the ordinary way.
    with search_index.paused():
        call_command("loaddata", "demo", verbosity=0)


@pytest.fixture
def demo() -> None:
    load_demo()


def root_of(ead_id: str) -> Component:
    return Component.objects.get(collection__ead_id=ead_id, depth=1)


def test_two_repositories_with_their_codes(demo: None) -> None:
    repositories = {r.code: r for r in Repository.objects.all()}
    assert set(repositories) == {"beinecke", "mssa"}
    assert repositories["beinecke"].name == "Beinecke Rare Book and Manuscript Library"
    assert repositories["beinecke"].agency_code == "US-CtY-BR"
    assert repositories["mssa"].name == "Manuscripts and Archives"
    assert all(r.country_code == "US" for r in repositories.values())


@pytest.mark.parametrize(
    ("ead_id", "repository", "call_number", "title", "inclusive", "bulk"),
    [
        (
            "beinecke.serge",
            "beinecke",
            "GEN MSS 238",
            "Victor Serge papers",
            ("1912-1994", "1912", "1994"),
            ("1936-1947", "1936", "1947"),
        ),
        (
            "mssa.ms.0730",
            "mssa",
            "MS 730",
            "Dwight Macdonald papers",
            ("1865-1984", "1865", "1984"),
            ("1920-1978", "1920", "1978"),
        ),
    ],
)
def test_collections_have_call_numbers_and_dates(
    demo: None, ead_id, repository, call_number, title, inclusive, bulk
) -> None:
    collection = Collection.objects.get(ead_id=ead_id)
    assert collection.repository.code == repository
    root = collection.root
    assert root.level == "collection"
    assert root.identifier == call_number
    assert str(collection) == title
    assert collection.published
    dates = {d.date_type: (d.expression, d.begin, d.end) for d in root.dates.all()}
    assert dates == {"inclusive": inclusive, "bulk": bulk}
    assert root.extents.exists()
    published_types = set(root.notes.filter(published=True).values_list("note_type", flat=True))
    assert {"abstract", "scopecontent", "bioghist", "accessrestrict", "prefercite"} <= (
        published_types
    )


def test_serge_collection_notes_and_languages(demo: None) -> None:
    root = root_of("beinecke.serge")
    types = set(root.notes.values_list("note_type", flat=True))
    assert {
        "abstract",
        "scopecontent",
        "bioghist",
        "arrangement",
        "accessrestrict",
        "userestrict",
        "prefercite",
        "acqinfo",
        "processinfo",
    } <= types
    assert {"fre", "rus", "spa", "eng"} <= {lang["code"] for lang in root.languages}
    bioghist = root.notes.get(note_type="bioghist").content
    for fact in ("Brussels", "30 December 1890", "Orenburg", "Mexico City", "17 November 1947"):
        assert fact in bioghist


def test_serge_series_in_order_with_three_levels(demo: None) -> None:
    root = root_of("beinecke.serge")
    series = list(tree.children(root))
    assert [(s.identifier, s.title) for s in series] == [
        ("I", "Correspondence"),
        ("II", "Writings"),
        ("III", "Immigration and Identification Documents"),
        ("IV", "Death Masks"),
        ("V", "Vlady Kibalchich Collected Material"),
    ]
    assert all(s.level == "series" for s in series)
    assert all(s.dates.exists() and s.notes.filter(note_type="scopecontent") for s in series)
    # series -> file -> item: three levels below the collection.
    assert tree.descendants(root).filter(depth=4, level="item").exists()
    masks = [c.title for c in tree.children(series[3])]
    assert any("Trotsky" in t for t in masks) and any("Victor Serge" in t for t in masks)


def test_refs_are_set_and_unique_per_collection(demo: None) -> None:
    for collection in Collection.objects.all():
        refs = list(collection.components.filter(depth__gt=1).values_list("ref", flat=True))
        assert all(refs), "every component below the root has a ref"
        assert len(refs) == len(set(refs))


def test_shared_boxes_and_folders(demo: None) -> None:
    serge = Collection.objects.get(ead_id="beinecke.serge")
    instances = ContainerInstance.objects.filter(unit__collection=serge).select_related("container")
    labels = {str(i) for i in instances}
    assert "Box 3, Folder 30" in labels
    # Several files share a box, as in a real container list.
    per_box: dict[int, int] = {}
    for instance in instances:
        per_box[instance.container_id] = per_box.get(instance.container_id, 0) + 1
    assert max(per_box.values()) > 1


def test_tree_is_consistent(demo: None) -> None:
    assert not any(Component.objects.find_problems())
    for node in Component.objects.all():
        assert node.numchild == tree.children(node).count(), node.path
        assert node.depth == len(node.path) // tree.STEPLEN
    roots = Component.objects.filter(depth=1)
    assert {r.collection.ead_id for r in roots} == {"beinecke.serge", "mssa.ms.0730"}


def test_every_row_passes_model_validation(demo: None) -> None:
    """The demo rows are what the admin's forms would accept (full_clean raises otherwise)."""
    for model in (Repository, Agent, Subject, Collection, Component, Note, AgentLink):
        rows = list(model.objects.all())
        assert rows, f"the demo data has no {model.__name__} to check"
        for obj in rows:
            obj.full_clean()


def test_serge_agent_links_resolve_to_both_collections(demo: None) -> None:
    serge = Agent.objects.get(authorized_name="Serge, Victor, 1890-1947")
    assert serge.existence == "1890-12-30 - 1947-11-17"
    assert "Brussels" in serge.biography
    assert {v.name for v in serge.variant_names.all()} >= {
        "Kibalchich, Victor Lvovich",
        "Kibal'chich, Viktor L'vovich",
    }
    links = serge.links.select_related("unit__collection")
    by_collection = {}
    for link in links:
        by_collection.setdefault(link.unit.collection.ead_id, set()).add(link.role)
    assert set(by_collection) == {"beinecke.serge", "mssa.ms.0730"}
    assert "creator" in by_collection["beinecke.serge"]
    assert by_collection["mssa.ms.0730"] == {"subject"}
    # Creator of the Serge papers at the collection level itself.
    assert links.filter(role="creator", unit=root_of("beinecke.serge")).exists()
    macdonald = Agent.objects.get(authorized_name__startswith="Macdonald, Dwight")
    assert macdonald.links.filter(role="creator", unit=root_of("mssa.ms.0730")).exists()


def test_agents_have_accents_and_relations(demo: None) -> None:
    names = set(Agent.objects.values_list("authorized_name", flat=True))
    assert "Gide, André, 1869-1951" in names
    assert "Séjourné, Laurette, 1911-2003" in names
    assert any(n.startswith("Maîtrejean, Rirette") for n in names)
    trotsky = Agent.objects.get(authorized_name="Trotsky, Leon, 1879-1940")
    assert trotsky.variant_names.filter(name="Bronstein, Lev Davidovich").exists()
    serge = Agent.objects.get(authorized_name="Serge, Victor, 1890-1947")
    relations = {
        (r.relation_type, r.target.primary_name)
        for r in AgentRelation.objects.filter(source=serge).select_related("target")
    }
    assert ("parent", "Kibalchich") in relations
    assert ("spouse", "Roussakova") in relations
    assert ("associate", "Macdonald") in relations
    assert ("associate", "Trotsky") in relations
    # Trotsky is the subject of the death masks series.
    masks = Component.objects.get(collection__ead_id="beinecke.serge", title="Death Masks")
    assert masks.agent_links.filter(agent=trotsky, role="subject").exists()


def test_subjects(demo: None) -> None:
    terms = dict(Subject.objects.values_list("term", "subject_type"))
    assert terms["Anarchism"] == "topical"
    assert terms["Communism"] == "topical"
    assert terms["Exiles"] == "topical"
    assert terms["Soviet Union -- Politics and government"] == "geographic"
    assert terms["Mexico City (Mexico)"] == "geographic"
    assert "genre_form" in terms.values()
    assert all(s.slug for s in Subject.objects.all())


def test_unpublished_file_and_notes_are_hidden(demo: None) -> None:
    hidden = Component.objects.filter(published=False)
    assert hidden.exists()
    public = public_units()
    for unit in hidden:
        assert not public.filter(pk=unit.pk).exists()
        # Published children of an unpublished file are hidden with it.
        for child in tree.descendants(unit):
            assert child.published
            assert not public.filter(pk=child.pk).exists()
            assert not is_public(child)
    assert public.filter(collection__ead_id="beinecke.serge", title="Correspondence").exists()
    internal = Note.objects.filter(published=False, note_type="processinfo")
    assert internal.filter(unit=root_of("beinecke.serge")).exists()


def test_loaddata_demo_as_the_readme_runs_it() -> None:
    out = StringIO()
    call_command("loaddata", "demo", stdout=out)
    assert re.search(r"Installed \d+ object\(s\) from 1 fixture\(s\)", out.getvalue())
    assert Collection.objects.count() == 2
    assert Component.objects.filter(depth=1).count() == 2


def test_loading_twice_changes_nothing(demo: None) -> None:
    counts = [Component.objects.count(), Note.objects.count(), AgentLink.objects.count()]
    load_demo()
    assert [Component.objects.count(), Note.objects.count(), AgentLink.objects.count()] == (counts)


def test_new_rows_after_loading_get_fresh_keys(demo: None) -> None:
    # On PostgreSQL loaddata must reset the sequences, or the next insert collides.
    agent = Agent.objects.create(agent_type="person", authorized_name="Breton, André, 1896-1966")
    assert agent.pk > Agent.objects.exclude(pk=agent.pk).order_by("-pk").first().pk
    assert agent.slug == "breton-andre-1896-1966"


# --------------------------------------------------------------------- ensure_demo_admin


def run_ensure_demo_admin() -> str:
    out = StringIO()
    call_command("ensure_demo_admin", stdout=out)
    return out.getvalue()


def test_ensure_demo_admin_creates_once_and_prints_password_once() -> None:
    first = run_ensure_demo_admin()
    match = re.fullmatch(
        r"Admin account: admin / (\S+) \(shown once; change it in the admin\)\n", first
    )
    assert match, first
    password = match.group(1)
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff and user.is_active
    assert user.check_password(password)
    stored_hash = user.password

    second = run_ensure_demo_admin()
    assert password not in second
    assert "already exists" in second
    assert "changepassword admin" in second
    user.refresh_from_db()
    assert user.password == stored_hash
    assert get_user_model().objects.filter(username="admin").count() == 1


def test_ensure_demo_admin_never_overwrites_an_existing_account() -> None:
    get_user_model().objects.create_user(username="admin", password="chosen-by-the-archivist")
    output = run_ensure_demo_admin()
    assert "already exists" in output
    user = get_user_model().objects.get(username="admin")
    assert user.check_password("chosen-by-the-archivist")


def test_ensure_demo_admin_rejects_an_empty_username() -> None:
    with pytest.raises(CommandError):
        call_command("ensure_demo_admin", username="  ", stdout=StringIO())
    assert not get_user_model().objects.exists()
