"""The one schema loader (``archive.ead.schemas``): found files, per-thread copies, and the
streamed pass that keeps memory flat."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from lxml import etree

from archive.ead.parsing import EAD3_NS
from archive.ead.schemas import SchemaNotFound, compiled, ended_elements, load, thread_schema

VALID = f"""<ead xmlns="{EAD3_NS}"><control><recordid>x</recordid>
<filedesc><titlestmt><titleproper>T</titleproper></titlestmt></filedesc>
<maintenancestatus value="new"/><maintenanceagency><agencyname>A</agencyname>
</maintenanceagency><maintenancehistory><maintenanceevent><eventtype value="created"/>
<eventdatetime>2026</eventdatetime><agenttype value="human"/><agent>me</agent>
</maintenanceevent></maintenancehistory></control>
<archdesc level="collection"><did><unittitle>Papers</unittitle></did></archdesc></ead>"""
INVALID = VALID.replace("<unittitle>Papers</unittitle>", "<bogus/>")


def test_a_missing_schema_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "ead3" / "ead3.xsd"
    with pytest.raises(SchemaNotFound, match="schema file not found: .*ead3.xsd"):
        load(missing)


def test_a_file_that_is_no_schema_is_refused_as_not_compiling(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xsd"
    broken.write_text("<notaschema/>")
    with pytest.raises(SchemaNotFound, match="does not compile: .*broken.xsd"):
        load(broken)


def test_each_thread_gets_its_own_copy_and_keeps_its_own_errors(schema_dir: Path) -> None:
    """Validators keep their last errors on themselves: two threads validating at the same
    moment with per-thread copies each see only their own document's errors."""
    path = schema_dir / "ead3" / "ead3.xsd"
    assert thread_schema(path) is thread_schema(path)  # compiled once for this thread
    both_compiled = threading.Barrier(2)
    results: dict[str, tuple[int, bool, list[str]]] = {}

    def check(name: str, text: str) -> None:
        schema = thread_schema(path)
        both_compiled.wait(timeout=120)  # both copies exist before either validates
        ok = schema.validate(etree.fromstring(text.encode()))
        results[name] = (id(schema), ok, [e.message for e in schema.error_log])

    threads = [
        threading.Thread(target=check, args=("valid", VALID)),
        threading.Thread(target=check, args=("invalid", INVALID)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results["valid"][0] != results["invalid"][0]
    assert results["valid"][1:] == (True, [])
    assert results["invalid"][1] is False
    assert any("bogus" in message for message in results["invalid"][2])
    # the process-wide compiled schema (used under its lock) is the same file, loaded apart
    assert compiled(path).validator is not thread_schema(path)


def test_ended_elements_hold_no_finished_sibling(tmp_path: Path) -> None:
    """A long list of components read through ``ended_elements`` never piles up: when an
    element ends, the root holds at most the element before it, emptied."""
    doc = tmp_path / "long.xml"
    doc.write_text(
        "<list>" + "".join(f"<c id='c{i}'><p>{i}</p></c>" for i in range(2000)) + "</list>"
    )
    before_count = []
    seen = []
    for el in ended_elements(etree.iterparse(str(doc), events=("end",))):
        if el.tag == "c":
            seen.append(el.get("id"))
            before_count.append(el.getparent().index(el))  # (the parser reads ahead)
            before = el.getprevious()
            assert before is None or (len(before) == 0 and before.text is None)
    assert seen == [f"c{i}" for i in range(2000)]
    assert max(before_count) == 1
