"""The database half of the round trip: records -> loader -> database -> streamer -> records.

For every well-formed corpus file, what the reader yields and what the streamer gives back
after the loader stored it must be the same records, field for field. This pins down the
loader and the streamer on their own, whatever the EAD writers do with the records.

Deliberate differences, applied to the reader's records before comparing (and nothing else):

- description that came after the child components (``UnitSupplement``) is merged into its
  unit: the database keeps one unit, with the supplement's rows after the unit's own;
- the EAD id is whitespace-normalised, and a file without one gets one made from its name.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from archive.ead import records as r
from archive.ead.reader import read_ead
from archive.exchange.load import EADLoader
from archive.exchange.stream import collection_records
from archive.models import Collection, Repository

pytestmark = pytest.mark.django_db

CORPUS = Path(settings.FONDS_CORPUS_DIR)


def well_formed_files() -> list[str]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return ["MANIFEST.tsv is missing"]  # the test then fails with a clear message
    with manifest.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return sorted(
        row["file"] for row in rows if "not well-formed" not in row.get("validates_against_xsd", "")
    )


def merged(records: list[r.Record]) -> list[r.Record]:
    """The reader's stream with every supplement folded into its unit, as the loader does."""
    result: list[r.Record] = []
    by_sequence: dict[int, int] = {}
    for record in records:
        if isinstance(record, r.UnitSupplement):
            i = by_sequence[record.sequence]
            unit = result[i]
            assert isinstance(unit, r.Unit)
            result[i] = dataclasses.replace(
                unit,
                notes=unit.notes + record.notes,
                agents=unit.agents + record.agents,
                subjects=unit.subjects + record.subjects,
                digital_objects=unit.digital_objects + record.digital_objects,
                extra=unit.extra + record.extra,
                headings=unit.headings + record.headings,
            )
            continue
        if isinstance(record, r.Unit):
            by_sequence[record.sequence] = len(result)
        result.append(record)
    return result


def differences(a: Any, b: Any, where: str = "") -> list[str]:
    """Every field path where two records (or values inside them) differ."""
    if type(a) is not type(b):
        return [f"{where}: {a!r:.300} != {b!r:.300}"]
    if dataclasses.is_dataclass(a):
        found = []
        for f in dataclasses.fields(a):
            found += differences(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
        return found
    if isinstance(a, tuple):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items != {len(b)} items"]
        found = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found += differences(x, y, f"{where}[{i}]")
        return found
    return [] if a == b else [f"{where}: {a!r:.300} != {b!r:.300}"]


@pytest.mark.parametrize("name", well_formed_files())
def test_streamer_gives_back_what_the_loader_stored(name: str) -> None:
    repository = Repository.objects.create(code="corpus", name="Corpus repository")
    read = merged(list(read_ead(str(CORPUS / name), filename=name)))
    result = EADLoader(repository=repository, filename=name).load(iter(read))
    collection = Collection.objects.select_related("repository").get(pk=result.collection_id)

    expected = list(read)
    header = expected[0]
    assert isinstance(header, r.FindingAid)
    # The EAD id is the collection's key: normalised, or made up when the file has none.
    expected[0] = dataclasses.replace(header, ead_id=collection.ead_id)
    streamed = list(collection_records(collection=collection, include_unpublished=True))

    assert len(streamed) == len(expected)
    found: list[str] = []
    for want, got in zip(expected, streamed, strict=True):
        label = f"{type(want).__name__}#{getattr(want, 'sequence', '')}"
        found += differences(want, got, label)
    assert not found, f"{len(found)} differences:\n" + "\n".join(found[:30])


def test_public_stream_is_the_staff_stream_without_hidden_units() -> None:
    """Unpublished units (``audience="internal"``) are the only thing a public stream drops."""
    repository = Repository.objects.create(code="corpus", name="Corpus repository")
    fa = r.FindingAid(ead_id="x-1", title="T", title_text="T")
    units = [
        r.Unit(depth=0, sequence=0, level="collection", title="Root", title_text="Root"),
        r.Unit(depth=1, sequence=1, level="", title="Open", title_text="Open", identifier=""),
        r.Unit(depth=1, sequence=2, title="Hidden", title_text="Hidden", published=False),
        r.Unit(depth=2, sequence=3, title="Below hidden", title_text="Below hidden"),
    ]
    result = EADLoader(repository=repository, filename="t.xml").load([fa, *units])
    collection = Collection.objects.get(pk=result.collection_id)
    public = [u for u in collection_records(collection=collection) if isinstance(u, r.Unit)]
    assert [u.title_text for u in public] == ["Root", "Open"]
    # Present-but-empty values stay present: @level="" and an empty unitid.
    assert public[1].level == "" and public[1].identifier == ""
