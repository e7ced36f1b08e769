"""Data for the public-page tests, built through the ORM (fixtures imported by the page tests).

``small_world`` is a hand-made pair of collections that exercises every visibility rule;
``sized_collection`` builds a collection of any size with multi-row ``INSERT`` (``COPY`` on
PostgreSQL) and ``archive.tree.PathAllocator`` (50,000 rows take a couple of seconds), shaped
the same way at every size so that query counts can be compared between a small and a huge
finding aid.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
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
    Subject,
    SubjectLink,
    UnitDate,
)
from archive.search import index


@dataclass
class World:
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


def add_unit(parent: Component | None, collection: Collection, **fields) -> Component:
    fields.setdefault("published", True)
    if parent is None:
        return Component.objects.add_root(dict(collection=collection, level="collection", **fields))
    return Component.objects.add_child(parent, dict(collection=collection, **fields))


def build_world() -> World:
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

    return World(
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
