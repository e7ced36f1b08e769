"""What a PDF finding aid shows, read from the database, and the HTML that lays it out.

The PDF shows what the public collection page and its print view show, nothing else: the
collection-level description through the same selectors (``archive.selectors``), and the
contents list walked in document order with the visibility rule's own walker
(``archive.visibility.PublicWalk``), so that an unpublished unit hides its whole subtree here
as everywhere. Dates and containers come through ``visibility``'s public querysets; titles and
identifiers are those of ``archive.display`` (``Component.display_title`` and
``shown_identifier``).

The contents list is read in slices of :data:`SLICE` units by path (keyset paging), so the
database side never holds more than a slice of model rows; what the PDF then lays out is the
cost that grows (see ``bench/pdf.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone

from archive import conf, selectors
from archive.models import Collection, Component
from archive.visibility import PublicWalk, public_container_instances, public_dates, public_items

#: Units read per query while walking the contents list.
SLICE = 2000

# What a contents row needs: the outline's columns plus what ``shown_identifier`` reads.
_ROW_FIELDS = (
    "id",
    "path",
    "depth",
    "title",
    "ref",
    "level",
    "other_level",
    "identifier",
    "other_identifiers",
    "attributes",
    "published",
    "collection_id",
)

# ISO 639-2 (bibliographic and terminology) codes of a finding aid's language of description,
# as BCP 47 tags for the PDF's /Lang; a code not listed is used as given when it is a
# two-letter code, else the site's language.
_BCP47 = {
    "eng": "en",
    "fre": "fr",
    "fra": "fr",
    "spa": "es",
    "ger": "de",
    "deu": "de",
    "ita": "it",
    "por": "pt",
    "dut": "nl",
    "nld": "nl",
    "rus": "ru",
    "pol": "pl",
    "cze": "cs",
    "ces": "cs",
    "gre": "el",
    "ell": "el",
    "swe": "sv",
    "dan": "da",
    "nor": "no",
    "fin": "fi",
    "hun": "hu",
    "ukr": "uk",
    "heb": "he",
    "yid": "yi",
    "ara": "ar",
    "chi": "zh",
    "zho": "zh",
    "jpn": "ja",
    "cat": "ca",
    "lat": "la",
}


def document_language(collection: Collection) -> str:
    """The finding aid's language of description as a BCP 47 tag, else the site's language."""
    code = (collection.description_language_code or "").strip().lower()
    if code in _BCP47:
        return _BCP47[code]
    if len(code) == 2 and code.isalpha():
        return code
    return (settings.LANGUAGE_CODE or "en").split("-")[0]


@dataclass(frozen=True, slots=True)
class Row:
    """One public unit of the contents list, as the PDF prints it."""

    anchor: str
    depth: int  # 1 for a child of the collection, 2 below it...
    title: str
    identifier: str
    level: str
    dates: str
    containers: str


@dataclass(slots=True)
class Section:
    """A series (a unit directly below the collection) and everything below it."""

    head: Row
    rows: list[Row] = field(default_factory=list)


@dataclass(slots=True)
class FindingAid:
    """Everything the PDF of one collection shows."""

    collection: Collection
    root: Component
    language: str
    page_url: str
    sections: list[Section]
    units: int  # public units in the contents list
    public_units: int  # public units below the collection in all
    deepest_level: int | None  # the contents list stops at this depth (None: all of it)


def _depth_counts(collection: Collection) -> dict[int, int]:
    """Public units below the root per tree depth: one pass over (depth, published)."""
    walk = PublicWalk()
    counts: dict[int, int] = {}
    rows = (
        Component.objects.filter(collection=collection)
        .order_by("path")
        .values_list("depth", "published")
    )
    for depth, published in rows.iterator(chunk_size=5000):
        if walk.public(depth, published) and depth > 1:
            counts[depth] = counts.get(depth, 0) + 1
    return counts


def contents_depth(counts: dict[int, int], limit: int) -> int | None:
    """The deepest tree depth whose units, with all shallower ones, number at most ``limit``;
    None when every unit fits. The series level (depth 2) is always kept."""
    total = 0
    for depth in sorted(counts):
        total += counts[depth]
        if total > limit:
            return max(depth - 1, 2)
    return None


def public_rows(collection: Collection, *, max_depth: int | None = None) -> Iterator[Row]:
    """The collection's public units below the root, in document order, as contents rows.

    Reads :data:`SLICE` units per query (with their public dates and container instances in
    two more), keeping only what :class:`PublicWalk` lets through.
    """
    walk = PublicWalk()
    units = Component.objects.filter(collection=collection, depth__gt=1)
    if max_depth is not None:
        # An unpublished unit deeper than this hides only deeper ones: left out all the same.
        units = units.filter(depth__lte=max_depth)
    units = units.order_by("path").only(*_ROW_FIELDS)
    after = ""
    while True:
        batch = list(units.filter(path__gt=after)[:SLICE])
        if not batch:
            return
        after = batch[-1].path
        shown = [u for u in batch if walk.public(u.depth, u.published)]
        prefetch_related_objects(
            shown,
            Prefetch("dates", queryset=public_dates()),
            Prefetch(
                "container_instances",
                queryset=public_container_instances().select_related("container"),
            ),
        )
        for unit in shown:
            yield Row(
                anchor=f"u{unit.pk}",
                depth=unit.depth - 1,
                title=unit.display_title,
                identifier=unit.shown_identifier,
                level=unit.level_label,
                dates=", ".join(d.display for d in public_items(unit.dates.all()) if d.display),
                containers="; ".join(str(i) for i in unit.container_instances.all()),
            )


def _sections(rows: Iterator[Row]) -> list[Section]:
    sections: list[Section] = []
    for row in rows:
        if row.depth == 1 or not sections:
            sections.append(Section(head=row))
        else:
            sections[-1].rows.append(row)
    return sections


def finding_aid_read(
    *, repository_code: str, ead_id: str, base_url: str, limit: int | None = None
) -> FindingAid:
    """Read the public finding aid for its PDF; ``Http404`` when it is not public.

    ``base_url`` (``https://host/``) makes the permanent URL absolute. ``limit`` (default
    ``FONDS_PDF_MAX_COMPONENTS``) caps the contents list: above it, the list keeps the
    deepest levels that fit, and the PDF says so.
    """
    collection = selectors.collection_get(repository_code=repository_code, ead_id=ead_id)
    root = collection.root
    assert root is not None  # collection_get found it
    cap = conf.pdf_max_components() if limit is None else limit
    counts = _depth_counts(collection)
    deepest = contents_depth(counts, cap)
    sections = _sections(public_rows(collection, max_depth=deepest))
    return FindingAid(
        collection=collection,
        root=root,
        language=document_language(collection),
        page_url=base_url.rstrip("/") + collection.get_absolute_url(),
        sections=sections,
        units=sum(1 + len(s.rows) for s in sections),
        public_units=sum(counts.values()),
        deepest_level=None if deepest is None else deepest - 1,
    )


def finding_aid_stylesheet() -> str:
    """The print stylesheet of the PDF (``templates/archive/pdf/finding_aid.css``)."""
    return render_to_string("archive/pdf/finding_aid.css")


def finding_aid_html(aid: FindingAid) -> str:
    """The finding aid as one HTML document, laid out for print (``templates/archive/pdf``)."""
    root, collection = aid.root, aid.collection
    context = {
        "aid": aid,
        "unit": root,
        "collection": collection,
        "repository": collection.repository,
        "notes": selectors.ordered_notes(root),
        "abstracts": selectors.notes_of_type(root, "abstract"),
        "restrictions": selectors.inherited_restrictions(root, []),
        "languages": selectors.languages(root),
        "creators": selectors.creators(root),
        "other_agents": selectors.other_agents(root),
        "subject_groups": selectors.subjects_by_type(root),
        "citation": selectors.citation(root, url=aid.page_url),
        "page_url": aid.page_url,
        "dates": selectors.date_text(root),
        "generated": timezone.now(),
    }
    return render_to_string("archive/pdf/finding_aid.html", context)
