"""What a search returns: hits ready to display, facet counts, pagination, collection groups."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.utils.safestring import SafeString

from archive.models import Component

# Facet kinds in the order the sidebar shows them, with their headings.
FACETS: dict[str, str] = {
    "repository": "Repository",
    "collection": "Collection",
    "creator": "Creator",
    "name": "Names",
    "subject": "Subjects",
    "place": "Places",
    "genre": "Genre / form",
    "level": "Level",
    "language": "Language",
    "decade": "Date",
    "online": "Online content",
}

SORTS: dict[str, str] = {
    "relevance": "Relevance",
    "title": "Title (A–Z)",
    "title_desc": "Title (Z–A)",
    "date": "Date (oldest first)",
    "date_desc": "Date (newest first)",
}

FIELD_LABELS: dict[str, str] = {
    "all": "All fields",
    "title": "Title",
    "names": "Names",
    "subjects": "Subjects",
    "identifier": "Identifier",
    "notes": "Notes",
}


class PageNumbers:
    """Previous/next and the first item's number, for a page of ``per_page`` items out of
    ``total``; the class gives ``page``, ``per_page``, ``total`` and ``num_pages``."""

    page: int
    per_page: int
    total: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0


@dataclass
class Crumb:
    title: str
    url: str


@dataclass
class Hit:
    """One public unit that matched, with what the result list shows about it."""

    unit: Component
    score: float
    title_html: SafeString
    snippet: SafeString
    breadcrumb: list[Crumb]
    dates: list[str]
    containers: list[str]

    @property
    def level(self) -> str:
        return self.unit.level_label

    @property
    def url(self) -> str:
        return self.unit.get_absolute_url()


@dataclass
class FacetValue:
    key: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    kind: str
    label: str
    values: list[FacetValue]
    # Counted over the first ``query.COUNT_LIMIT`` matches only: each count is at least that.
    sampled: bool = False


@dataclass
class Chip:
    """A filter in force, shown so that it can be removed."""

    kind: str
    key: str
    label: str


@dataclass
class Group:
    """The hits of one collection, in group-by-collection mode."""

    collection_id: int
    title: str
    url: str
    count: int
    hits: list[Hit]


@dataclass
class SearchResults(PageNumbers):
    query: str
    field: str
    sort: str
    page: int
    per_page: int
    total: int
    hits: list[Hit] = dataclasses.field(default_factory=list)
    facets: list[Facet] = dataclasses.field(default_factory=list)
    chips: list[Chip] = dataclasses.field(default_factory=list)
    grouped: bool = False
    groups: list[Group] = dataclasses.field(default_factory=list)
    group_total: int = 0
    # More matches than ``query.COUNT_LIMIT``: ``total``, the ranking and the counts of
    # repositories, collections and levels still take in every match, but the other facets
    # are counted over the first ``sample`` matches (``Facet.sampled``).
    more: bool = False
    sample: int = 0

    @property
    def total_display(self) -> str:
        """ "1,234" (always exact)."""
        return f"{self.total:,}"

    @property
    def num_pages(self) -> int:
        count = self.group_total if self.grouped else self.total
        return max(1, -(-count // self.per_page))

    @property
    def last_index(self) -> int:
        return min(self.page * self.per_page, self.total)
