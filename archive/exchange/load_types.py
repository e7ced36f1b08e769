"""What a load takes and gives: the search index feed it tells, its result, its error.

Kept apart from :mod:`archive.exchange.load` so that the row builders it uses
(:mod:`archive.exchange.part_rows`) and the import service share them without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, Protocol


class LoadError(Exception):
    """The records cannot be loaded (no header, EAD id too long, nesting too deep...)."""


# What the index takes of a component row: (id, level, identifier, title text, languages).
UnitIndexColumns = tuple[int, str, str, str, object]


class IndexFeed(Protocol):
    """What the loader tells the search index as it queues rows (``archive.search.feed``)."""

    complete: bool

    def unit(self, depth: int, published: bool, columns: UnitIndexColumns) -> None: ...
    def supplement(self, unit_id: int) -> None: ...
    def date(self, unit_id: int, begin: str, end: str) -> None: ...
    def container(self, unit_id: int, *columns: str) -> None: ...
    def note(self, unit_id: int, content: str, published: bool) -> None: ...
    def agent(
        self, unit_id: int, agent_id: int, role: str, name: str, published: bool, *, new: bool
    ) -> None: ...
    def subject(
        self, unit_id: int, subject_id: int, term: str, subject_type: str, published: bool
    ) -> None: ...
    def digital_object(self, unit_id: int, published: bool) -> None: ...
    def write(
        self, submit: Callable[[Callable[[Any], object]], None], *, final: bool = False
    ) -> list[str]: ...


# (collection id, repository id) -> the feed for that collection.
FeedFactory = Callable[[int, int], IndexFeed]


@dataclass(kw_only=True)
class LoadCounts:
    """How many rows of each kind a finding aid's load wrote (an import reports these)."""

    components: int = 0  # below the collection level (<c> elements)
    notes: int = 0
    dates: int = 0
    extents: int = 0
    agent_links: int = 0
    subject_links: int = 0
    container_instances: int = 0
    digital_objects: int = 0

    def counts_take(self, other: LoadCounts) -> None:
        """Take ``other``'s counts as this one's (an import reports its load's)."""
        counts_copy(other, self, LoadCounts)


@dataclass(kw_only=True)
class AuthorityCounts:
    """The names, subjects and boxes a load found or made (a spreadsheet import reports these;
    an EAD import reports what it made in ``LoadResult``)."""

    containers_created: int = 0
    agents_matched: int = 0
    agents_created: int = 0
    subjects_matched: int = 0
    subjects_created: int = 0


def counts_copy(source: object, target: object, kind: type) -> None:
    """Set on ``target`` every count ``kind`` (a counts dataclass both are) declares, from
    ``source``."""
    for count in fields(kind):
        setattr(target, count.name, getattr(source, count.name))


@dataclass(kw_only=True)
class LoadResult(LoadCounts):
    """What one finding aid became in the database."""

    collection_id: int | None = None
    ead_id: str = ""
    repository_id: int | None = None
    repository_code: str = ""
    source_version: str = ""
    containers: int = 0
    agents_created: int = 0
    subjects_created: int = 0
    # The search index rows were written during the load (see EADLoader ``feed``).
    indexed: bool = False
    warnings: list[str] = field(default_factory=list)


__all__ = [
    "AuthorityCounts",
    "FeedFactory",
    "IndexFeed",
    "UnitIndexColumns",
    "LoadCounts",
    "LoadError",
    "LoadResult",
    "counts_copy",
]
