"""An import writes the search index rows as it loads (``archive.search.index.LoadFeed``):
they must be exactly the rows a rebuild makes from the database afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from archive import visibility
from archive.ead import read_ead
from archive.exchange.load import EADLoader
from archive.models import Agent, AgentVariantName, Repository, Subject
from archive.search import index, search
from archive.search.backends.base import FACET_TABLE, UNIT_TABLE
from archive.search.backends.sqlite import FTS_TABLE
from archive.search.feed import LoadFeed
from archive.services import imports
from tests.corpus import corpus_files
from tests.services.test_imports import ead2002, write

pytestmark = pytest.mark.django_db


def stored(collection_id: int) -> list[tuple]:
    """Every stored value of the collection's index rows, whatever the backend."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {UNIT_TABLE} WHERE collection_id = %s ORDER BY unit_id",
            [collection_id],
        )
        rows = [tuple(row) for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            ids = [row[0] for row in rows]
            marks = ", ".join(["%s"] * len(ids)) or "NULL"
            cursor.execute(
                f"SELECT rowid, * FROM {FTS_TABLE} WHERE rowid IN ({marks}) ORDER BY rowid", ids
            )
            rows += [("fts", *row) for row in cursor.fetchall()]
            cursor.execute(
                f"SELECT unit_id, kind, key, label FROM {FACET_TABLE} WHERE unit_id IN ({marks}) "
                "ORDER BY unit_id, kind, key, label",
                ids,
            )
            rows += [("facet", *row) for row in cursor.fetchall()]
        else:
            cursor.execute(
                "SELECT key, label FROM archive_search_label WHERE key IN "
                f"(SELECT unnest(facets) FROM {UNIT_TABLE} WHERE collection_id = %s) "
                "ORDER BY key",
                [collection_id],
            )
            rows += [("label", *row) for row in cursor.fetchall()]
    return rows


@pytest.mark.slow
@pytest.mark.parametrize("name", corpus_files(well_formed=True))
def test_the_rows_an_import_writes_are_the_rows_a_rebuild_makes(
    name: str, corpus_dir: Path
) -> None:
    result = imports.ead_import(source=corpus_dir / name, filename=name)
    written = stored(result.collection_id)
    units = [row for row in written if isinstance(row[0], int)]
    assert len(units) == len(visibility.public_unit_ids(result.collection_id))

    index.reindex_collection(result.collection_id)

    assert stored(result.collection_id) == written


def titles(query: str) -> set[str]:
    return {hit.unit.title for hit in search(query=query, filters={}, per_page=100).hits}


def test_what_the_public_must_not_see_stays_out_of_the_rows_written_while_loading(
    tmp_path: Path,
) -> None:
    # Shared rows that were there before the import: an agent with a variant name, an
    # unpublished agent and an unpublished subject.
    known = Agent.objects.create(
        authorized_name="Kibalchich, Victor", agent_type="person", slug="kibalchich"
    )
    AgentVariantName.objects.create(agent=known, name="Victor Serge")
    Agent.objects.create(
        authorized_name="Hidden, Person", agent_type="person", slug="hidden", published=False
    )
    Subject.objects.create(
        term="Secret topic", subject_type="topical", slug="secret", published=False
    )
    components = (
        '<c level="series"><did><unittitle>Correspondence</unittitle></did>'
        "<controlaccess><persname>Kibalchich, Victor</persname>"
        "<persname>Hidden, Person</persname><subject>Secret topic</subject></controlaccess>"
        '<c level="file" audience="internal"><did><unittitle>Staff file</unittitle></did>'
        '<c level="item"><did><unittitle>Under staff file</unittitle></did></c></c>'
        '<c level="file"><did><unittitle>Public file</unittitle></did>'
        '<scopecontent audience="internal"><p>wombat</p></scopecontent>'
        "<scopecontent><p>Letters about ibises</p></scopecontent></c>"
        "</c>"
    )
    path = write(tmp_path, "hidden.xml", ead2002(components, eadid="hidden-1"))

    result = imports.ead_import(source=path)

    assert titles("Serge") == {"Correspondence"}  # the known agent's variant name
    assert titles("ibises") == {"Public file"}
    assert titles("Hidden") == set()
    assert titles("Secret") == set()
    assert titles("wombat") == set()
    assert titles("staff") == set()
    written = stored(result.collection_id)
    index.reindex_collection(result.collection_id)
    assert stored(result.collection_id) == written


def test_description_after_the_components_is_indexed_too(tmp_path: Path) -> None:
    # <archdesc> may describe the collection after its <dsc>: the collection's row is
    # written last, with it. A lower unit described after its child components makes the
    # import rebuild the collection's rows instead. Both must be found.
    text = ead2002(
        '<c level="series"><did><unittitle>Series one</unittitle></did>'
        '<c level="file"><did><unittitle>First file</unittitle></did></c>'
        "<odd><p>Pelicans counted late</p></odd></c>"
    ).replace(
        "</dsc></archdesc>",
        "</dsc><scopecontent><p>Written about albatrosses</p></scopecontent>"
        "<controlaccess><persname>Latecomer, Ann</persname></controlaccess></archdesc>",
    )
    path = write(tmp_path, "late.xml", text)

    result = imports.ead_import(source=path)

    assert titles("albatrosses") == {"Test papers"}
    # Creators aside, an archdesc name is indexed on the collection only.
    assert titles("Latecomer") == {"Test papers"}
    assert titles("Pelicans") == {"Series one"}
    written = stored(result.collection_id)
    index.reindex_collection(result.collection_id)
    assert stored(result.collection_id) == written


def test_the_loader_says_whether_it_wrote_the_index(tmp_path: Path) -> None:
    repository = Repository.objects.create(code="t", name="T")
    plain = write(tmp_path, "plain.xml", ead2002("<c><did><unittitle>A</unittitle></did></c>"))
    # The collection described after its components: its row is written last, still while
    # loading.
    late_root = write(
        tmp_path,
        "late-root.xml",
        ead2002("<c><did><unittitle>A</unittitle></did></c>", eadid="late-root").replace(
            "</dsc></archdesc>", "</dsc><odd><p>after</p></odd></archdesc>"
        ),
    )
    # A series described after its files: rows already written would miss it.
    late_series = write(
        tmp_path,
        "late-series.xml",
        ead2002(
            "<c><did><unittitle>S</unittitle></did><c><did><unittitle>F</unittitle></did></c>"
            "<odd><p>after</p></odd></c>",
            eadid="late-series",
        ),
    )

    def indexed(path: Path, **kw: object) -> bool:
        return EADLoader(repository=repository, **kw).load(read_ead(str(path))).indexed

    assert indexed(plain, feed=LoadFeed)
    assert indexed(late_root, feed=LoadFeed)
    assert not indexed(late_series, feed=LoadFeed)
    assert not indexed(plain, ead_id="plain-again")  # no feed: the caller's job
