"""Every well-formed corpus file, imported and exported in both formats.

One test per file does everything with one import of the original (the slow part), on the
database the suite runs on: both exports validate against the official XSD (compiled once per
session), a second round trip (import the export, export again) gives the same bytes, no
word of the original's text is lost, the export in the original's version keeps every
element and attribute value of the original (:func:`lost_markup`), and the export in the
other version keeps every word of the whole original document.

The search index is left out here, as in the loader tests: building it is most of an
import's cost and says nothing about export; ``test_import_ead`` proves imports are indexed.
"""

from __future__ import annotations

import io
from collections import Counter
from functools import cache

import pytest
from lxml import etree

from archive.ead import read_ead, write_ead3, write_ead2002
from archive.ead.conform import ContentModel, content_model
from archive.ead.parsing import EAD3_NS, EAD2002_NS, XLINK_NS, XML_NS, safe_parser
from archive.ead.words import text_words as words  # the converter's word count, shared
from archive.models import (
    AgentLink,
    Collection,
    Component,
    DigitalObject,
    Note,
    Repository,
    SubjectLink,
)
from archive.services import imports
from archive.services.exports import CollectionNotPublic, collection_export
from archive.services.imports import ead_import
from tests.corpus import CORPUS_DIR as CORPUS
from tests.corpus import SCHEMA_DIR as SCHEMAS
from tests.corpus import corpus_files

# Both tests import every well-formed corpus file.
pytestmark = pytest.mark.slow

SCHEMA_FILES = {"ead2002": "ead2002/ead.xsd", "ead3": "ead3/ead3.xsd"}


def well_formed_files() -> list[str]:
    """Corpus files the MANIFEST does not mark as not well-formed."""
    return corpus_files(well_formed=True)


@cache
def schema(fmt: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / SCHEMA_FILES[fmt])))


def import_file(source: bytes, repository: Repository, name: str) -> Collection:
    """Import through the import service, replacing an earlier import of the same EAD id."""
    result = ead_import(source=source, repository=repository, replace=True, filename=name)
    return Collection.objects.select_related("repository").get(pk=result.collection_id)


def collection_has_unpublished(collection: Collection) -> bool:
    units = Component.objects.filter(collection=collection)
    if units.filter(published=False).exists():
        return True
    related = (
        (Note, {}),
        (DigitalObject, {}),
        (AgentLink, {"agent__published": False}),
        (SubjectLink, {"subject__published": False}),
    )
    for model, hidden_parent in related:
        rows = model.objects.filter(unit__collection=collection)
        if rows.filter(published=False).exists():
            return True
        if hidden_parent and rows.filter(**hidden_parent).exists():
            return True
    return any(
        not extra.get("published", True)
        for unmapped in units.exclude(unmapped=[]).values_list("unmapped", flat=True)
        for extra in unmapped
    ) or any(
        not d.get("published", True)
        for attrs in units.values_list("attributes", flat=True)
        for d in (attrs or {}).get("dates", []) + (attrs or {}).get("extents", [])
    )


def export(collection: Collection, fmt: str, *, include_unpublished: bool) -> bytes:
    out = io.BytesIO()
    collection_export(
        collection=collection, fmt=fmt, out=out, include_unpublished=include_unpublished
    )
    return out.getvalue()


def validation_errors(data: bytes, fmt: str) -> str | None:
    doc = etree.parse(io.BytesIO(data), safe_parser())
    xsd = schema(fmt)
    if xsd.validate(doc):
        return None
    return "\n".join(str(e) for e in list(xsd.error_log)[:20])


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def described_text(data: bytes) -> list[str]:
    """Text of the collection description and of the finding aid's titles."""
    root = etree.parse(io.BytesIO(data), safe_parser()).getroot()
    texts: list[str] = []
    for el in root.iter():
        name = local(el)
        if name == "archdesc":
            texts.extend(el.itertext())
        elif name in ("titleproper", "subtitle"):
            texts.extend(el.itertext())
    return texts


def all_text(data: bytes) -> list[str]:
    return list(etree.parse(io.BytesIO(data), safe_parser()).getroot().itertext())


# -- markup kept ---------------------------------------------------------------------------
#
# The same-version export must hold every element (by local name) and every attribute value
# (element, attribute, value) of the original, as multisets: order within a block may change
# where the schema allows. The exceptions are things no schema allows, decided by the target
# schema's content model, never by file:
#
# 1. an attribute the schema does not define on that element (processing attributes such as
#    ``C-ORDER`` or ``score``, ``xpointer``);
# 2. an attribute value the schema refuses; a value it takes in another spelling counts in
#    that spelling (``countrycode="us"`` is kept as ``"US"``);
# 3. ``xsi:schemaLocation``, which names the schema the writer validates against;
# DTD-style attribute names count under the schema's spelling (``linktype`` is ``xlink:type``,
# ``href`` is ``xlink:href`` in EAD 2002).

FORMAT_VERSIONS = {"ead2002": "2002", "ead3": "3"}
NAMESPACES = {"2002": EAD2002_NS, "3": EAD3_NS}


def model_of(version: str) -> ContentModel:
    return content_model(version, NAMESPACES[version])


def spelled(model: ContentModel, element: str, key: str) -> str | None:
    """An attribute's name as the schema spells it on ``element``, or None (no such one)."""
    spec = model.type_of(element)
    if spec is None:
        return None
    allowed = spec["attrs"]
    if key.startswith(f"{{{XLINK_NS}}}"):
        name = "xlink:" + key.split("}", 1)[1]
    elif key.startswith(f"{{{XML_NS}}}"):
        name = "xml:" + key.split("}", 1)[1]
    elif key.startswith("{"):
        return None  # xsi:schemaLocation
    else:
        name = key
    if name in allowed:
        return name
    for other in (name.removeprefix("xlink:"), "xlink:type" if name == "linktype" else None):
        if other and other in allowed:
            return other
    if f"xlink:{name}" in allowed:
        return f"xlink:{name}"
    return None


def markup(data: bytes, version: str) -> Counter:
    """Multiset of the elements and (element, attribute, value) triples the schema allows."""
    model = model_of(version)
    counter: Counter = Counter()
    for el in etree.parse(io.BytesIO(data), safe_parser()).getroot().iter():
        name = local(el)
        if not name:
            continue
        counter[name] += 1
        for key, value in el.attrib.items():
            attribute = spelled(model, name, key)
            if attribute is None:
                continue  # exception 1 (or 3)
            spec = model.type_of(name)["attrs"][attribute]
            fixed = model.fix_value(spec, value)
            if fixed is not None:  # else exception 2
                counter[(name, attribute, fixed)] += 1
    return counter


def lost_markup(original: bytes, exported: bytes, version: str) -> Counter:
    """What of the original's markup the export lacks (see the exceptions above)."""
    return markup(original, version) - markup(exported, version)


@pytest.fixture
def no_search_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports.search_index, "reindex_collection", lambda collection_id: 0)


@pytest.mark.django_db
@pytest.mark.parametrize("name", well_formed_files())
def test_corpus_file_exports_valid_lossless_stable(name: str, no_search_index: None) -> None:
    path = CORPUS / name
    original = path.read_bytes()
    repository = Repository.objects.create(code="corpus", name="Corpus repository")
    # Re-imports go to another repository, so they never replace the original.
    elsewhere = Repository.objects.create(code="round-trip", name="Round trip repository")
    collection = import_file(original, repository, name)
    original_words = words(described_text(original))
    version = collection.source_version

    # Without unpublished material the public export is the staff export (test_export_ead
    # checks that byte for byte), so it is only made again where it can differ: the slow part
    # of this test is writing the largest files.
    has_unpublished = collection_has_unpublished(collection)
    failures = []
    for fmt in ("ead2002", "ead3"):
        staff = export(collection, fmt, include_unpublished=True)
        exports = [("staff", staff)]
        if not collection.root.published:
            # The whole finding aid is internal (audience="internal" on archdesc): the public
            # may not have it at all.
            with pytest.raises(CollectionNotPublic):
                export(collection, fmt, include_unpublished=False)
        elif has_unpublished:
            exports.append(("public", export(collection, fmt, include_unpublished=False)))
        for kind, data in exports:
            errors = validation_errors(data, fmt)
            if errors:
                failures.append(f"{fmt} {kind} export does not validate:\n{errors}")
        # EAD3 has no front matter, so a title page's words land elsewhere in the export:
        # compare against all of the export's text, word for word (a multiset).
        missing = original_words - words(all_text(staff))
        if missing:
            shown = ", ".join(f"{w!r}×{n}" for w, n in missing.most_common(25))
            failures.append(f"{fmt} export lost {sum(missing.values())} words: {shown}")
        if FORMAT_VERSIONS[fmt] == version:
            lost = lost_markup(original, staff, version)
            print(f"{name}: {fmt} export lost {sum(lost.values())} elements and attributes")
            # The database keeps everything the records carry: whatever the export lacks, the
            # same version written straight from the reader's records lacks too. (That the
            # records carry everything is test_same_version_exports_lose_no_markup.)
            beyond = lost - lost_markup(original, converted(original, fmt), version)
            if beyond:
                shown = ", ".join(f"{k!r}×{n}" for k, n in beyond.most_common(25))
                failures.append(
                    f"{fmt} export through the database lost {sum(beyond.values())} markup "
                    f"items that the records carry: {shown}"
                )
        else:
            gone = words(all_text(original)) - words(all_text(staff))
            print(f"{name}: {fmt} export lost {sum(gone.values())} words of the whole document")
            if gone:
                shown = ", ".join(f"{w!r}×{n}" for w, n in gone.most_common(25))
                failures.append(
                    f"{fmt} export lost {sum(gone.values())} words of the document: {shown}"
                )

        again = import_file(staff, elsewhere, f"{name}.{fmt}.xml")
        second = export(again, fmt, include_unpublished=True)
        if second != staff:
            failures.append(f"{fmt}: second round trip differs:\n{first_difference(staff, second)}")
    assert not failures, "\n\n".join(failures)


def converted(original: bytes, fmt: str) -> bytes:
    """``original`` read into records and written as ``fmt`` directly (no database), with
    everything marked internal (as the staff export)."""
    out = io.BytesIO()
    writer = write_ead2002 if fmt == "ead2002" else write_ead3
    writer(read_ead(original), out, include_unpublished=True)
    return out.getvalue()


# Every corpus file, written straight from the reader's records in its own version, keeps
# every element and attribute value of the original (with the exceptions above): extended
# links (<arc>, <resource>, locator labels), link attributes on notes and locators, markup
# inside names, containers, dates and did phrases, EAD3 @lang, structured dates and extents,
# a second <dsc>, an empty <edition>, EAD elements quoted in <objectxmlwrap> included. The
# specification's "kitchen sink" and tracer files hold most of these.


def test_same_version_exports_lose_no_markup() -> None:
    per_file: dict[str, int] = {}
    kinds: Counter = Counter()
    for name in well_formed_files():
        original = (CORPUS / name).read_bytes()
        version = next(iter(read_ead(original))).source_version  # the FindingAid record
        fmt = next(f for f, v in FORMAT_VERSIONS.items() if v == version)
        lost = lost_markup(original, converted(original, fmt), version)
        if lost:
            per_file[name] = sum(lost.values())
            kinds.update(lost)
    total = sum(per_file.values())
    print(f"same-version markup lost over the corpus: {total} items in {len(per_file)} files")
    for name, count in sorted(per_file.items()):
        print(f"  {name}: {count}")
    assert total == 0, (
        f"same-version exports lose {total} markup items; "
        f"most lost: {kinds.most_common(15)}; per file: {per_file}"
    )


def first_difference(a: bytes, b: bytes) -> str:
    """Where two exports first differ, with some context on both sides."""
    n = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
    if n is None:
        return f"one export is a prefix of the other ({len(a)} vs {len(b)} bytes)"
    line = a.count(b"\n", 0, n) + 1
    start = max(0, n - 150)
    first = a[start : n + 150].decode("utf-8", "replace")
    second = b[start : n + 150].decode("utf-8", "replace")
    return f"byte {n} (line {line}):\n- ...{first}...\n+ ...{second}..."
