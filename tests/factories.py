"""Test catalogues, built through the ORM: the one place tests get their data from.

- people and places: :func:`make_repository`, :func:`make_user` (staff with a role in a
  repository, or a superuser; all share :data:`PASSWORD`);
- one unit at a time: :func:`add_unit` (through treebeard, so the model signals feed the
  search index as the admin's edits do);
- shapes: :func:`make_collection` (a tree of any shape, titles are outline numbers) with
  :func:`outline` and :func:`tree_problems` to check it after an edit;
- named catalogues whose tests assert on their words: :func:`make_serge` (the export tests:
  published and unpublished units, notes, agents, subjects, containers, digital objects),
  :func:`build_pages_world` (the public pages: every visibility rule, two repositories),
  :func:`build_search_world` (the search tests: words to find and words that must stay hidden);
- sizes: :func:`sized_collection` (any number of components, 50,000 in a couple of seconds)
  with :func:`max_ids` / :func:`delete_rows_after` to remove committed rows afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import AutoField, Max, Model
from django.utils import timezone

from archive import tree
from archive.models import (
    Agent,
    AgentLink,
    AgentRelation,
    AgentVariantName,
    Collection,
    Component,
    Container,
    ContainerInstance,
    DigitalObject,
    Extent,
    Note,
    Repository,
    RepositoryMembership,
    Subject,
    SubjectLink,
    UnitDate,
)
from archive.search import index

# ----------------------------------------------------- People and places


PASSWORD = "correct horse battery staple"


def make_repository(code: str) -> Repository:
    """A repository named after its code ("Repository beinecke")."""
    return Repository.objects.create(code=code, name=f"Repository {code}")


def make_user(
    username: str,
    *,
    repository: Repository | None = None,
    role: str = "archivist",
    superuser: bool = False,
):
    """A staff user with ``role`` in ``repository`` (or a superuser); the password is PASSWORD."""
    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.org", PASSWORD)
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD, is_staff=True)
    if repository is not None:
        RepositoryMembership.objects.create(user=user, repository=repository, role=role)
    return user


# -------------------------------------------------------------- One unit


def add_unit(
    parent: Component | None,
    collection: Collection,
    *,
    title: str,
    level: str | None = None,
    ref: str = "",
    published: bool = True,
    begin: str = "",
    end: str = "",
    note: str = "",
    **extra,
) -> Component:
    """One unit added through treebeard, as the admin adds it (so the model signals run).

    Without ``level`` a root is the collection and anything else a file. ``begin``/``end``
    add a unit date and ``note`` a scope and content note, the two things most tests want.
    """
    if level is None:
        level = "collection" if parent is None else "file"
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


# ---------------------------------------------------------------- Shapes


def make_collection(
    repository: Repository, ead_id: str, shape: list[int], *, published: bool = False
) -> Collection:
    """A collection whose tree has ``shape[0]`` children of the root, ``shape[1]`` below each...

    Titles are the outline numbers ("1", "1.2", "1.2.3") so tests can check document order;
    refs are "<ead_id>-<number>".
    """
    collection = Collection.objects.create(repository=repository, ead_id=ead_id)
    tree.lock_root_allocation()
    allocator = tree.PathAllocator(tree.next_root_path())
    rows = [
        Component(
            collection=collection,
            title=ead_id,
            level="collection",
            depth=1,
            path=allocator.allocate(1),
            published=published,
        )
    ]

    def walk(prefix: str, depth: int) -> Iterator[tuple[str, int]]:
        if depth - 1 > len(shape):
            return
        for i in range(1, shape[depth - 2] + 1):
            number = f"{prefix}.{i}" if prefix else str(i)
            yield number, depth
            yield from walk(number, depth + 1)

    for number, depth in walk("", 2):
        rows.append(
            Component(
                collection=collection,
                title=number,
                ref=f"{ead_id}-{number}",
                level="series" if depth == 2 else "file",
                depth=depth,
                path=allocator.allocate(depth),
                published=published,
            )
        )
    Component.objects.bulk_create(rows, batch_size=1000)
    tree.recount_children(collection.pk)
    return collection


def outline(collection: Collection) -> list[tuple[int, str]]:
    """(depth, title) of every component below the root, in document order."""
    return list(
        collection.components.filter(depth__gt=1).order_by("path").values_list("depth", "title")
    )


def tree_problems() -> list:
    """treebeard's own consistency check plus ours (depth = path length / step, parents exist,
    children share their parent's collection)."""
    problems = [p for p in Component.objects.find_problems() if p]
    rows = {
        p: (d, c) for p, d, c in Component.objects.values_list("path", "depth", "collection_id")
    }
    for path, (depth, collection_id) in rows.items():
        if depth * tree.STEPLEN != len(path):
            problems.append(("depth", path))
        if depth > 1:
            parent = rows.get(tree.parent_path(path))
            if parent is None or parent[1] != collection_id:
                problems.append(("parent", path))
    return problems


# --------------------- The Victor Serge papers (exports, OAI, streaming)


@dataclass
class Serge:
    """The units of :func:`make_serge` by what they are, for the tests to point at."""

    repository: Repository
    collection: Collection
    root: Component
    correspondence: Component
    letters: Component
    drafts: Component
    restricted: Component
    hidden_file: Component
    writings: Component


def make_serge(
    code: str = "beinecke", *, ead_id: str = "gen-mss-238", extra_files: int = 0
) -> Serge:
    """A small collection built the way the admin would, for the export tests::

        Victor Serge papers (root, published)
          1 Correspondence (series, published)
            1.1 Letters to Trotsky (file, published)  <- box/folder, dates, digital objects
            1.2 Draft letters (file, UNPUBLISHED)
            (``extra_files`` more published files here, to make an export long)
          2 Restricted series (series, UNPUBLISHED)
            2.1 Hidden file (file, published itself, hidden by its series)
          3 Writings (series, published)

    Unpublished notes, agents, links, subjects and digital objects carry the words of
    :data:`HIDDEN_WORDS`; agents and subjects are reused when the collection is built twice.
    """
    repository = Repository.objects.get_or_create(
        code=code,
        defaults={"name": "Beinecke Rare Book and Manuscript Library", "agency_code": "US-CtY-BR"},
    )[0]
    collection = Collection.objects.create(
        repository=repository,
        ead_id=ead_id,
        finding_aid_title="Guide to the Victor Serge Papers",
        finding_aid_author="Beinecke staff",
    )
    tree.lock_root_allocation()
    paths = tree.PathAllocator(tree.next_root_path())

    def unit(depth: int, title: str, level: str, ref: str, published: bool = True) -> Component:
        return Component.objects.create(
            collection=collection,
            path=paths.allocate(depth),
            depth=depth,
            title=title,
            level=level,
            ref=ref,
            published=published,
        )

    root = unit(1, "Victor Serge papers", "collection", "")
    root.identifier = "GEN MSS 238"
    root.save()
    correspondence = unit(2, "Correspondence", "series", "ser1")
    letters = unit(3, "Letters to Trotsky", "file", "f11")
    drafts = unit(3, "Draft letters Clandestine", "file", "f12", published=False)
    for i in range(extra_files):
        unit(3, f"Additional letters {i}", "file", f"extra{i}")
    restricted = unit(2, "Restricted series Secretive", "series", "ser2", published=False)
    hidden_file = unit(3, "Hidden file Invisible", "file", "f21")
    writings = unit(2, "Writings", "series", "ser3")
    tree.recount_children(collection.pk)

    UnitDate.objects.create(unit=root, expression="1912-1994", begin="1912", end="1994")
    UnitDate.objects.create(
        unit=root, expression="1936-1947", begin="1936", end="1947", date_type="bulk", position=1
    )
    Extent.objects.create(unit=root, number="12.5", extent_type="linear feet")
    Note.objects.create(
        unit=root,
        note_type="bioghist",
        heading="Biographical note",
        content="<p>Victor Serge was born in Brussels in 1890.</p>",
    )
    Note.objects.create(
        unit=root,
        note_type="processinfo",
        content="<p>Staff only remark Confidential</p>",
        published=False,
        position=1,
    )
    Note.objects.create(unit=letters, note_type="scopecontent", content="<p>Letters of 1936.</p>")

    serge = Agent.objects.get_or_create(
        agent_type="person",
        authorized_name="Serge, Victor, 1890-1947",
        authority_source="lcnaf",
        authority_id="http://id.loc.gov/authorities/names/n50003420",
    )[0]
    trotsky = Agent.objects.get_or_create(
        agent_type="person", authorized_name="Trotsky, Leon, 1879-1940"
    )[0]
    dealer = Agent.objects.get_or_create(
        agent_type="corporate", authorized_name="Bookseller Dealer Inc"
    )[0]
    secret = Agent.objects.get_or_create(
        agent_type="person", authorized_name="Anonymous Donor Withheld", published=False
    )[0]
    AgentLink.objects.create(unit=root, agent=serge, role="creator")
    AgentLink.objects.create(unit=root, agent=trotsky, role="subject", position=1)
    AgentLink.objects.create(unit=root, agent=dealer, role="source", relator="dnr", position=2)
    AgentLink.objects.create(unit=root, agent=secret, role="source", position=3)
    AgentLink.objects.create(unit=root, agent=trotsky, role="subject", published=False, position=4)
    revolution = Subject.objects.get_or_create(term="Revolutionaries", source="lcsh")[0]
    hidden_subject = Subject.objects.get_or_create(term="Unlisted Topic", published=False)[0]
    SubjectLink.objects.create(unit=root, subject=revolution)
    SubjectLink.objects.create(unit=root, subject=hidden_subject, position=1)

    box = Container.objects.create(collection=collection, container_type="box", indicator="3")
    ContainerInstance.objects.create(
        unit=letters, container=box, child_type="folder", child_indicator="12"
    )
    DigitalObject.objects.create(
        unit=letters, title="Scan of a letter", link="https://example.org/scan/1"
    )
    DigitalObject.objects.create(
        unit=letters,
        title="Unreleased scan Embargoed",
        link="https://example.org/scan/2",
        published=False,
        position=1,
    )
    return Serge(
        repository,
        collection,
        root,
        correspondence,
        letters,
        drafts,
        restricted,
        hidden_file,
        writings,
    )


# Words that only unpublished material carries: none may appear in a public export.
HIDDEN_WORDS = (
    "Clandestine",
    "Secretive",
    "Invisible",
    "Confidential",
    "Withheld",
    "Unlisted",
    "Embargoed",
)


# ----------------------------------------------- The public pages' world


@dataclass
class PagesWorld:
    """Two repositories' collections that exercise every visibility rule of the public pages."""

    repository: Repository
    other_repository: Repository
    papers: Collection  # the agent's own papers (creator)
    other: Collection  # another collection naming the agent (subject)
    hidden: Collection  # an unpublished collection that also names the agent
    series1: Component
    file11: Component
    file12_hidden: Component
    series2_hidden: Component
    file21_under_hidden: Component
    agent: Agent
    spouse: Agent
    hidden_agent: Agent
    subject: Subject


def build_pages_world() -> PagesWorld:
    """The public pages' catalogue: hidden notes, units, links, agents and a whole hidden
    collection beside public ones, in two repositories, all named by one agent."""
    repo = Repository.objects.create(
        code="rbml", name="Rare Book Library", parent_institution="Example University"
    )
    repo2 = Repository.objects.create(code="mss", name="Manuscripts Department")

    papers = Collection.objects.create(repository=repo, ead_id="rbml.papers")
    root = add_unit(
        None,
        papers,
        title="Victor Example papers",
        identifier="GEN MSS 238",
        languages=[{"code": "fre"}, {"code": "rus"}],
    )
    UnitDate.objects.create(unit=root, expression="1912-1994", begin="1912", end="1994")
    UnitDate.objects.create(
        unit=root, expression="1936-1947", begin="1936", end="1947", date_type="bulk", position=1
    )
    Extent.objects.create(
        unit=root, number="12.5", extent_type="linear feet", container_summary="26 boxes"
    )
    Note.objects.create(
        unit=root,
        note_type="abstract",
        content="<p>Letters and manuscripts "
        "of a <emph render='italic'>revolutionary</emph> writer.</p>",
    )
    # Created before the scope note on purpose: the page must still show DACS order.
    Note.objects.create(unit=root, note_type="acqinfo", content="<p>Purchased from the family.</p>")
    Note.objects.create(unit=root, note_type="scopecontent", content="<p>Scope of the papers.</p>")
    Note.objects.create(
        unit=root,
        note_type="userestrict",
        content="<p>Copyright has been transferred to the library.</p>",
    )
    Note.objects.create(
        unit=root,
        note_type="processinfo",
        published=False,
        content="<p>SECRET PROCESSING REMARK</p>",
    )
    Note.objects.create(unit=root, note_type="odd", content="<p>Safe <script>alert(1)</script></p>")

    series1 = add_unit(
        root, papers, title="Correspondence", ref="ser1", level="series", identifier="I"
    )
    Note.objects.create(
        unit=series1, note_type="accessrestrict", content="<p>Closed until 2030 by the donor.</p>"
    )
    file11 = add_unit(
        series1,
        papers,
        title="Letters to Trotsky",
        ref="f11",
        level="file",
        physical_location="Vault, shelf 4",
    )
    UnitDate.objects.create(unit=file11, expression="1936-1938", begin="1936", end="1938")
    box3 = Container.objects.create(collection=papers, container_type="box", indicator="3")
    ContainerInstance.objects.create(
        unit=file11, container=box3, child_type="folder", child_indicator="12"
    )
    DigitalObject.objects.create(
        unit=file11, title="Scan of the letters", link="https://images.example.org/f11"
    )
    DigitalObject.objects.create(
        unit=file11, title="HIDDEN SCAN", published=False, link="https://images.example.org/hidden"
    )
    file12 = add_unit(
        series1, papers, title="HIDDEN FILE", ref="f12", level="file", published=False
    )
    series2 = add_unit(
        root, papers, title="HIDDEN SERIES", ref="ser2", level="series", published=False
    )
    file21 = add_unit(series2, papers, title="File under a hidden series", ref="f21", level="file")
    series3 = add_unit(root, papers, title="Writings", ref="ser3", level="series")
    add_unit(series3, papers, title="Novels", ref="f31", level="file")

    other = Collection.objects.create(repository=repo2, ead_id="mss.other")
    other_root = add_unit(None, other, title="Dwight Example papers", identifier="MS 730")
    UnitDate.objects.create(unit=other_root, expression="1865-1984", begin="1865", end="1984")
    Note.objects.create(unit=other_root, note_type="abstract", content="Editor and critic.")
    Note.objects.create(
        unit=other_root,
        note_type="prefercite",
        content="<p>Dwight Example Papers (MS 730). Manuscripts Department.</p>",
    )
    other_series = add_unit(other_root, other, title="Subject files", ref="o1", level="series")
    other_file = add_unit(other_series, other, title="Serge, Victor", ref="o11", level="file")

    hidden = Collection.objects.create(repository=repo, ead_id="rbml.hidden")
    hidden_root = add_unit(
        None, hidden, title="HIDDEN COLLECTION", identifier="GEN MSS 999", published=False
    )

    agent = Agent.objects.create(
        agent_type="person",
        authorized_name="Example, Victor, 1890-1947",
        existence_begin="1890-12-30",
        existence_end="1947-11-17",
        biography="<p>Writer and revolutionary, born in Brussels.</p>",
    )
    AgentVariantName.objects.create(
        agent=agent, name="Kibalchich, Victor Lvovich", note="birth name"
    )
    spouse = Agent.objects.create(agent_type="person", authorized_name="Roussakova, Liouba")
    hidden_agent = Agent.objects.create(
        agent_type="person", authorized_name="HIDDEN AGENT", published=False
    )
    AgentRelation.objects.create(source=agent, target=spouse, relation_type="spouse")
    AgentRelation.objects.create(source=hidden_agent, target=agent, relation_type="associate")
    AgentLink.objects.create(unit=root, agent=agent, role="creator")
    AgentLink.objects.create(unit=file11, agent=agent, role="subject")
    AgentLink.objects.create(unit=other_file, agent=agent, role="subject")
    AgentLink.objects.create(unit=hidden_root, agent=agent, role="creator")
    AgentLink.objects.create(unit=file21, agent=agent, role="source")
    AgentLink.objects.create(unit=other_root, agent=hidden_agent, role="creator")
    AgentLink.objects.create(unit=other_root, agent=spouse, role="source", published=False)

    subject = Subject.objects.create(term="Anarchism", source="lcsh")
    SubjectLink.objects.create(unit=root, subject=subject)
    SubjectLink.objects.create(unit=other_series, subject=subject)
    SubjectLink.objects.create(unit=hidden_root, subject=subject)

    return PagesWorld(
        repository=repo,
        other_repository=repo2,
        papers=papers,
        other=other,
        hidden=hidden,
        series1=series1,
        file11=file11,
        file12_hidden=file12,
        series2_hidden=series2,
        file21_under_hidden=file21,
        agent=agent,
        spouse=spouse,
        hidden_agent=hidden_agent,
        subject=subject,
    )


# ----------------------------------------------- The search tests' world


@dataclass
class SearchWorld:
    """Units, agents and subjects by name, for the search tests to look up."""

    units: dict[str, Component] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)
    subjects: dict[str, Subject] = field(default_factory=dict)
    collections: dict[str, Collection] = field(default_factory=dict)
    repositories: dict[str, Repository] = field(default_factory=dict)


def build_search_world() -> SearchWorld:
    """The search tests' catalogue: words with accents, phrases, dates and facets to find, and
    hidden units, notes and links whose odd words (Quokka, Wombat, numbat) must never match."""
    w = SearchWorld()
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


# ----------------------------------------------------------------- Sizes


def sized_collection(
    repository: Repository, ead_id: str, *, series: int, files_per_series: list[int]
) -> Collection:
    """A published collection: a root, ``series`` series, ``files_per_series[i]`` files each.

    Every unit has a date, the root has an abstract, a scope note and a creator, and file 1
    of series 1 sits in Box 1, Folder 1, so that a small and a huge collection render the same
    kinds of rows. ``numchild`` is computed here rather than by a recount over 50,000 rows.
    """
    # The pages read no search index: leave it out of the way (reindexing 50,000 rows for the
    # creator link would take longer than building them).
    with index.paused():
        return _sized_collection(
            repository, ead_id, series=series, files_per_series=files_per_series
        )


def _sized_collection(
    repository: Repository, ead_id: str, *, series: int, files_per_series: list[int]
) -> Collection:
    collection = Collection.objects.create(repository=repository, ead_id=ead_id)
    allocator = tree.PathAllocator(tree.next_root_path())
    c = collection.pk
    rows = [
        dict(
            collection_id=c,
            title=f"{ead_id} papers",
            identifier=f"MS {ead_id}",
            level="collection",
            depth=1,
            path=allocator.allocate(1),
            numchild=series,
        )
    ]
    for s in range(series):
        rows.append(
            dict(
                collection_id=c,
                title=f"Series {s + 1}",
                ref=f"s{s + 1}",
                level="series",
                depth=2,
                path=allocator.allocate(2),
                numchild=files_per_series[s],
            )
        )
        for f in range(files_per_series[s]):
            rows.append(
                dict(
                    collection_id=c,
                    title=f"File {s + 1}.{f + 1}",
                    ref=f"s{s + 1}f{f + 1}",
                    level="file",
                    depth=3,
                    path=allocator.allocate(3),
                    numchild=0,
                )
            )
    insert_components(rows)
    root = Component.objects.get(collection=collection, depth=1)
    UnitDate.objects.create(unit=root, expression="1900-1950", begin="1900", end="1950")
    Note.objects.create(unit=root, note_type="abstract", content="<p>An abstract.</p>")
    Note.objects.create(unit=root, note_type="scopecontent", content="<p>Scope.</p>")
    agent = Agent.objects.create(agent_type="person", authorized_name=f"Creator of {ead_id}")
    AgentLink.objects.create(unit=root, agent=agent, role="creator")
    first_file = Component.objects.get(collection=collection, ref="s1f1")
    box = Container.objects.create(collection=collection, container_type="box", indicator="1")
    ContainerInstance.objects.create(
        unit=first_file, container=box, child_type="folder", child_indicator="1"
    )
    # Dates on a few units at the spots the pages show (the rest have none, at any size).
    middle = Component.objects.get(collection=collection, ref=f"s1f{files_per_series[0] // 2}")
    UnitDate.objects.create(unit=middle, expression="1920", begin="1920", end="1920")
    return collection


def insert_components(rows: list[dict], *, batch: int = 1000) -> None:
    """Insert published components with multi-row ``INSERT`` statements.

    ``bulk_create`` spends most of its time preparing twenty values per row in Python, which
    made a 50,000-row fixture take 20 s; here every column not given in a row takes the model
    field's default, prepared once. 1,000 rows x ~20 columns stays under SQLite's limit of
    32,766 parameters per statement.
    """
    fields = [f for f in Component._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    constants: dict[str, object] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.has_default():
            value = f.get_default()
        else:
            value = "" if f.empty_strings_allowed and not f.null else None
        constants[f.attname] = f.get_db_prep_save(value, connection)
    constants["published"] = Component._meta.get_field("published").get_db_prep_save(
        True, connection
    )
    varying = ["collection_id", "title", "identifier", "ref", "level", "depth", "path", "numchild"]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    template = [constants[f.attname] for f in fields]
    positions = {f.attname: i for i, f in enumerate(fields)}
    if connection.vendor == "postgresql":
        # psycopg binds parameters on the client, re-scanning a 20,000-placeholder statement
        # for each batch (8 of the 10 s for 50,000 rows); COPY streams the rows instead.
        with connection.cursor() as cursor:
            copy_sql = f"COPY {Component._meta.db_table} ({columns}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    values = list(template)
                    for name in varying:
                        if name in row:
                            values[positions[name]] = row[name]
                    copy.write_row(values)
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params: list[object] = []
            for row in chunk:
                values = list(template)
                for name in varying:
                    if name in row:
                        values[positions[name]] = row[name]
                params.extend(values)
            sql = f"INSERT INTO {Component._meta.db_table} ({columns}) VALUES " + ", ".join(
                [one_row] * len(chunk)
            )
            cursor.execute(sql, params)


def max_ids() -> dict[type[Model], int]:
    """The highest primary key of every model table with an integer key (0 when empty).

    Taken before a module-scoped fixture writes committed rows, so that its teardown can
    remove exactly what it added (see :func:`delete_rows_after`).
    """
    snapshot: dict[type[Model], int] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        if not isinstance(model._meta.pk, AutoField):
            continue
        top = model._base_manager.aggregate(top=Max("pk"))["top"]
        snapshot[model] = top or 0
    return snapshot


def delete_rows_after(snapshot: dict[type[Model], int]) -> None:
    """Delete every row added since ``snapshot`` (plain ``DELETE``s, in one transaction).

    The ORM's ``delete()`` would collect 50,000 components and their history in Python to
    cascade; here every table loses its new rows, so no cascade is needed, and the foreign
    keys (deferred on both SQLite and PostgreSQL) are checked at commit.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        for model, top in snapshot.items():
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(f"DELETE FROM {table} WHERE {column} > %s", [top])
