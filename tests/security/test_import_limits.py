"""The importer never crashes: limits it enforces with a message, and what it does at them.

Nesting depth (the path column holds 63 levels: the collection and 62 below it), huge
descriptions (refused by size before they are held in memory), units with more distinct
words than PostgreSQL's ``tsvector`` takes (indexed as far as they fit, with a warning),
failures reported in words (never a traceback or an exception's repr), and concurrent
imports (they queue; none fails on a unique index).
"""

from __future__ import annotations

import io
import random
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from archive import tree, visibility
from archive.models import Collection, Component, Repository
from archive.search import search
from archive.services import imports, outline
from tests.services.test_imports import ead2002, row_counts, write

pytestmark = pytest.mark.django_db

# The deepest component (below the collection, which is depth 1 of the tree).
LEVELS = tree.MAX_DEPTH - 1


def nested(
    levels: int, *, hidden: tuple[int, ...] = (), eadid: str = "deep", prefix: str = "c"
) -> str:
    """A finding aid with ``levels`` components nested one in another, each on its own line,
    with @id "cN" (``prefix`` N) for the component at level N; those in ``hidden`` are
    internal."""
    opening = "".join(
        f'\n<c level="file" id="{prefix}{n}"{" audience='internal'" if n in hidden else ""}>'
        f"<did><unittitle>Level {n}</unittitle></did>"
        for n in range(1, levels + 1)
    )
    return ead2002(opening + "</c>" * levels, eadid=eadid)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def run_command(*paths: Path, **options: object) -> tuple[str, str, bool]:
    """``import_ead`` as an operator runs it: (stdout, stderr, whether it failed)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_ead", *map(str, paths), stdout=out, stderr=err, **options)
    except CommandError:
        return out.getvalue(), err.getvalue(), True
    return out.getvalue(), err.getvalue(), False


def assert_plain(message: str) -> None:
    """What an archivist reads: no traceback, no exception repr, no position that is none."""
    assert "Traceback" not in message
    assert not re.search(r"\w(Error|Exception)\('", message), message
    assert "line None" not in message and "column None" not in message
    assert "line 0" not in message and "column 0" not in message


# --------------------------------------------------------------------------- depth


def test_the_deepest_allowed_nesting_imports(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.xml", nested(LEVELS))

    result = imports.ead_import(source=path)

    assert result.components == LEVELS
    deepest = Component.objects.get(ref=f"c{LEVELS}")
    assert deepest.depth == tree.MAX_DEPTH
    assert len(deepest.path) <= Component._meta.get_field("path").max_length


def test_one_level_deeper_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    text = nested(LEVELS + 3)
    path = write(tmp_path, "too-deep.xml", text)
    before = row_counts()

    out, err, failed = run_command(path)

    assert failed
    line = line_of(text, f'id="c{LEVELS + 1}"')
    assert f"too-deep.xml, line {line}:" in err
    assert f"at most {LEVELS} levels" in err
    assert_plain(err)
    assert row_counts() == before


def test_visibility_rules_agree_at_the_deepest_levels(tmp_path: Path) -> None:
    # Unpublished nodes at the deepest level and just above it, and one higher up whose
    # subtree reaches the bottom: the query rule and the per-unit rule must agree everywhere.
    imports.ead_import(
        source=write(tmp_path, "a.xml", nested(LEVELS, hidden=(LEVELS - 1,), eadid="a"))
    )
    imports.ead_import(source=write(tmp_path, "b.xml", nested(LEVELS, hidden=(LEVELS,), eadid="b")))
    imports.ead_import(source=write(tmp_path, "c.xml", nested(LEVELS, hidden=(40,), eadid="c")))

    public = set(visibility.public_units().values_list("id", flat=True))
    for unit in Component.objects.all():
        assert (unit.id in public) == visibility.is_public(unit), (unit.depth, unit.ref)
    by_collection = {c.ead_id: c for c in Collection.objects.all()}
    assert Component.objects.get(collection=by_collection["a"], ref=f"c{LEVELS}").id not in public
    assert Component.objects.get(collection=by_collection["a"], ref=f"c{LEVELS - 2}").id in public
    assert Component.objects.get(collection=by_collection["b"], ref=f"c{LEVELS - 1}").id in public
    assert Component.objects.get(collection=by_collection["b"], ref=f"c{LEVELS}").id not in public
    assert Component.objects.get(collection=by_collection["c"], ref=f"c{LEVELS}").id not in public


@pytest.fixture
def editor(django_user_model):  # noqa: ANN001, ANN201 - pytest-django fixture
    return django_user_model.objects.create_superuser("editor", "e@example.org", "pw")


def test_a_move_that_would_go_too_deep_is_refused(tmp_path: Path, editor) -> None:  # noqa: ANN001
    imports.ead_import(source=write(tmp_path, "deep.xml", nested(LEVELS - 1, eadid="deep")))
    imports.ead_import(source=write(tmp_path, "two.xml", nested(2, eadid="two", prefix="t")))
    deep = Collection.objects.get(ead_id="deep")
    bottom = Component.objects.get(collection=deep, ref=f"c{LEVELS - 1}")
    pair = Component.objects.get(collection__ead_id="two", ref="t1")  # has one child

    with pytest.raises(outline.OutlineError, match=f"deeper than {tree.MAX_DEPTH} levels"):
        outline.component_move(unit=pair, parent=bottom, user=editor)

    leaf = Component.objects.get(collection__ead_id="two", ref="t2")
    moved = outline.component_move(unit=leaf, parent=bottom, user=editor)  # just fits
    assert moved.depth == tree.MAX_DEPTH
    with pytest.raises(outline.OutlineError, match=f"deeper than {tree.MAX_DEPTH} levels"):
        outline.component_add(parent=moved, user=editor, title="One too many", level="item")
    assert not Component.objects.filter(depth__gt=tree.MAX_DEPTH).exists()


def test_pages_at_the_deepest_levels_render(tmp_path: Path) -> None:
    imports.ead_import(source=write(tmp_path, "deep.xml", nested(LEVELS)))
    collection = Collection.objects.get()
    client = Client()

    for n in (LEVELS - 1, LEVELS):  # the last node with children, and the deepest node
        url = reverse(
            "archive:component",
            kwargs={
                "repository": collection.repository.code,
                "ead_id": collection.ead_id,
                "ref": f"c{n}",
            },
        )
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        # the outline is open down to the page's component, every level of it
        assert page.count('class="outline__node') >= n
        assert page.count("<ul") == page.count("</ul>")
        assert f"Level {n}</a>" in page


# --------------------------------------------------------------------------- size


@pytest.fixture
def small_units(settings):  # noqa: ANN001, ANN201 - pytest-django fixture
    settings.FONDS_IMPORT_MAX_UNIT_BYTES = 200_000
    return 200_000


def test_a_huge_description_is_refused_naming_file_and_line(
    tmp_path: Path, small_units: int
) -> None:
    # Many paragraphs, each well under libxml2's own cap on one text: only the importer's
    # limit stops the note from being held whole.
    paragraphs = "".join(f"<p>{'word ' * 1000}</p>" for _ in range(small_units // 2000))
    text = ead2002(
        '<c level="file"><did><unittitle>Small</unittitle></did></c>\n'
        f'<c level="file" id="big"><did><unittitle>Big</unittitle></did>'
        f"<scopecontent>{paragraphs}</scopecontent></c>"
    )
    path = write(tmp_path, "huge.xml", text)
    before = row_counts()

    out, err, failed = run_command(path)

    assert failed
    assert f"huge.xml, line {line_of(text, 'id="big"')}:" in err
    assert f"more than {small_units:,} bytes" in err
    assert_plain(err)
    assert row_counts() == before


def test_description_between_child_components_counts_as_one(
    tmp_path: Path, small_units: int
) -> None:
    # Notes after a unit's first child are held until the unit ends: in pieces between
    # small children, each under the limit, together over it.
    piece = "".join(f"<p>{'word ' * 1000}</p>" for _ in range(small_units // 15_000))
    children = "".join(
        f'<c level="item"><did><unittitle>Item {i}</unittitle></did></c><odd>{piece}</odd>'
        for i in range(5)
    )
    text = ead2002(
        '\n<c level="file" id="late"><did><unittitle>Late</unittitle></did>' + children + "</c>"
    )
    out, err, failed = run_command(write(tmp_path, "late.xml", text))
    assert failed
    assert f"late.xml, line {line_of(text, 'id="late"')}:" in err
    assert_plain(err)


def test_descriptions_under_the_limit_import(tmp_path: Path, small_units: int) -> None:
    paragraphs = "".join(f"<p>{'word ' * 1000}</p>" for _ in range(small_units // 10_000))
    units = "".join(
        f'<c level="file"><did><unittitle>File {i}</unittitle></did>'
        f"<scopecontent>{paragraphs}</scopecontent></c>"
        for i in range(8)  # together far more than the limit, each under it
    )
    result = imports.ead_import(source=write(tmp_path, "many.xml", ead2002(units)))
    assert result.components == 8


def test_one_text_past_the_parser_cap_is_refused_in_words(tmp_path: Path) -> None:
    text = ead2002(f"<c><did><unittitle>{'x' * 10_000_100}</unittitle></did></c>")
    out, err, failed = run_command(write(tmp_path, "one-text.xml", text))
    assert failed
    assert "one-text.xml, line 1" in err and "10,000,000 characters" in err
    assert "XML_PARSE_HUGE" not in err
    assert_plain(err)


def _distinct_words(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(10)) + str(i) for i in range(count)]


def test_a_unit_with_more_words_than_the_index_takes_imports_with_a_warning(
    tmp_path: Path,
) -> None:
    words = _distinct_words(150_000)  # about 2 MB of distinct words
    paragraphs = "".join(
        f"<p>{' '.join(words[i : i + 1000])}</p>" for i in range(0, len(words), 1000)
    )
    text = ead2002(
        '<c level="file" id="wordy"><did><unittitle>Wordy file</unittitle></did>'
        f"<scopecontent>{paragraphs}</scopecontent></c>"
        '<c level="file"><did><unittitle>Quiet file</unittitle></did></c>'
    )
    path = write(tmp_path, "wordy.xml", text)

    result = imports.ead_import(source=path)

    assert result.components == 2
    warned = [w for w in result.warnings if "search index" in w]
    assert len(warned) == 1
    assert "wordy.xml" in warned[0] and "Wordy file" in warned[0]
    # the unit itself keeps every word; the index has the first ones, not the last
    assert words[-1] in Component.objects.get(ref="wordy").notes.get().content
    assert {h.unit.title for h in search(query=words[0], filters={}).hits} == {"Wordy file"}
    assert {h.unit.title for h in search(query="quiet", filters={}).hits} == {"Quiet file"}
    assert not search(query=words[-1], filters={}).hits


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize(
    "content",
    [
        "",
        "   ",
        '<ead xmlns="urn:isbn:1-931666-22-9"><eadheader/></ead>',
        "<not-ead/>",
        "<ead><eadheader>",
    ],
    ids=["empty", "blank", "no-archdesc", "not-ead", "truncated"],
)
def test_refusals_name_the_file_and_never_a_missing_line(tmp_path: Path, content: str) -> None:
    out, err, failed = run_command(write(tmp_path, "bad.xml", content))
    assert failed
    assert err.startswith("FAILED ") and "bad.xml" in err
    assert_plain(err)


def test_a_database_refusal_is_reported_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from archive.exchange import load as loader

    original = loader.EADLoader.numbering

    def numbering(self: loader.EADLoader, kind: str, *args: object, **kw: object) -> int:
        start = original(self, kind, *args, **kw)
        return -1 if kind == "note" else start  # the database's CHECK (position >= 0) refuses

    monkeypatch.setattr(loader.EADLoader, "numbering", numbering)
    text = ead2002(
        '<c level="file"><did><unittitle>A</unittitle></did><scopecontent><p>x</p>'
        "</scopecontent></c>"
    )
    before = row_counts()

    path = write(tmp_path, "refused.xml", text)

    with caplog.at_level("ERROR", logger="archive"):
        out, err, failed = run_command(path)

    assert failed
    assert f"FAILED {path}: the database refused the data: " in err
    assert_plain(err)
    assert row_counts() == before
    # the operator has the traceback in the log
    assert any(record.exc_info for record in caplog.records)


def test_an_unexpected_failure_is_reported_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive.exchange import load as loader

    def broken(self: loader.EADLoader, unit: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(loader.EADLoader, "add_unit", broken)
    text = ead2002('<c level="file"><did><unittitle>A</unittitle></did></c>')

    path = write(tmp_path, "odd.xml", text)

    out, err, failed = run_command(path)

    assert failed
    assert f"FAILED {path}: " in err and "boom" in err
    assert_plain(err)


# --------------------------------------------------------------------------- concurrency


# A migrated SQLite file, made by the first test that needs one and copied by the others.
_MIGRATED: list[Path] = []


@pytest.fixture
def concurrent_database(tmp_path: Path) -> Iterator[None]:
    """Connections that behave as in production while threads import at once.

    PostgreSQL: the test database as it is. SQLite: the test database is in memory with a
    shared cache, where a second writer fails at once ("database table is locked") instead
    of waiting for the first as it does on a file (SQLite's busy timeout covers file locks
    only); so for this test every connection, the threads' included, opens a migrated file.
    """
    if connection.vendor != "sqlite":
        yield
        return
    settings_dict = connection.settings_dict  # shared by the connections of every thread
    memory_name, memory_connection = settings_dict["NAME"], connection.connection
    connection.connection = None  # (kept alive here: closing it would drop the database)
    path = tmp_path / "concurrent.sqlite3"
    settings_dict["NAME"] = str(path)
    try:
        if _MIGRATED:
            shutil.copyfile(_MIGRATED[0], path)
        else:
            call_command("migrate", verbosity=0)
            connection.close()
            _MIGRATED.append(shutil.copyfile(path, tmp_path / "migrated.sqlite3"))
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = memory_name
        connection.connection = memory_connection


def _in_threads(*jobs: dict) -> list[imports.ImportResult | Exception]:
    """Run ``ead_import(**job)`` for each job at once, each in a thread of its own (with its
    own database connection); the results in job order."""
    results: list[imports.ImportResult | Exception] = [RuntimeError("did not run")] * len(jobs)
    start = threading.Barrier(len(jobs))

    def run(i: int, job: dict) -> None:
        try:
            start.wait()
            results[i] = imports.ead_import(**job)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _new_repository_file(eadid: str, components: int = 300) -> str:
    units = "".join(
        f'<c level="file"><did><unittitle>File {i}</unittitle></did>'
        f"<scopecontent><p>Letters {i}</p></scopecontent></c>"
        for i in range(components)
    )
    return ead2002(units, eadid=eadid).replace("Test Library", "New Concurrent Library")


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_creating_the_same_repository_both_succeed(
    tmp_path: Path, concurrent_database: None
) -> None:
    first = write(tmp_path, "first.xml", _new_repository_file("first"))
    second = write(tmp_path, "second.xml", _new_repository_file("second"))

    results = _in_threads({"source": first}, {"source": second})

    assert all(isinstance(r, imports.ImportResult) and r.ok for r in results), results
    assert Repository.objects.count() == 1
    repository = Repository.objects.get()
    assert set(repository.collections.values_list("ead_id", flat=True)) == {"first", "second"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_replace_of_one_file_both_succeed(
    tmp_path: Path, concurrent_database: None
) -> None:
    path = write(tmp_path, "same.xml", _new_repository_file("same"))
    imports.ead_import(source=path)

    results = _in_threads({"source": path, "replace": True}, {"source": path, "replace": True})

    assert all(isinstance(r, imports.ImportResult) and r.ok and r.replaced for r in results)
    assert Collection.objects.filter(ead_id="same").count() == 1
    assert Component.objects.filter(depth__gt=1).count() == 300


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_one_new_file_one_refused_cleanly(
    tmp_path: Path, concurrent_database: None
) -> None:
    path = write(tmp_path, "twice.xml", _new_repository_file("twice"))

    results = _in_threads({"source": path}, {"source": path})

    succeeded = [r for r in results if isinstance(r, imports.ImportResult)]
    refused = [r for r in results if isinstance(r, imports.EADImportError)]
    assert len(succeeded) == 1 and len(refused) == 1, results
    assert "already exists" in str(refused[0])
    assert Collection.objects.filter(ead_id="twice").count() == 1
