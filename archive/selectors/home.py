"""The home page and the repository pages: listings of public collections by their root."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Prefetch,
    Q,
    QuerySet,
)
from django.http import Http404

from archive.models import (
    Agent,
    Component,
    Note,
    NoteType,
    Repository,
)
from archive.visibility import (
    public_authorities,
    public_dates,
    public_units,
)

#: Collections per page on agent, subject and repository pages.
LISTING_PAGE_SIZE = 25


def public_roots() -> QuerySet[Component]:
    """The root components of public collections, ready for listing (title, dates, abstract)."""
    return listed_roots(public_units(Component.objects.filter(depth=1)))


def listed_roots(roots: QuerySet[Component]) -> QuerySet[Component]:
    """``roots`` (collection roots the caller knows to be public) ready for listing."""
    return roots.select_related("collection__repository").prefetch_related(
        Prefetch("dates", queryset=public_dates()),
        Prefetch(
            "notes",
            queryset=Note.objects.filter(published=True, note_type=NoteType.ABSTRACT),
            to_attr="abstracts",
        ),
    )


@dataclass(frozen=True)
class RepositoryListing:
    repository: Repository
    roots: list[Component]
    total: int


def home_repositories(*, per_repository: int = 10) -> list[RepositoryListing]:
    """Repositories holding public collections, each with its first collections by title."""
    counts = dict(
        public_units(Component.objects.filter(depth=1))
        .values_list("collection__repository_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    repositories = Repository.objects.filter(id__in=list(counts)).order_by("name")
    roots = list(public_roots().filter(collection__repository_id__in=list(counts)))
    roots.sort(key=lambda r: r.display_title.lower())
    listings = []
    for repository in repositories:
        mine = [r for r in roots if r.collection.repository_id == repository.id]
        listings.append(
            RepositoryListing(
                repository=repository, roots=mine[:per_repository], total=counts[repository.id]
            )
        )
    return listings


def recently_updated(*, limit: int = 5) -> list[Component]:
    return list(public_roots().order_by("-collection__updated", "id")[:limit])


def on_this_day(*, today: datetime.date) -> list[tuple[Agent, list[str]]]:
    """Public agents born or who died on ``today``'s month and day (any year)."""
    suffix = f"-{today.month:02d}-{today.day:02d}"
    agents = public_authorities(Agent.objects.all()).filter(
        Q(existence_begin__endswith=suffix) | Q(existence_end__endswith=suffix)
    )
    result = []
    for agent in agents.order_by("authorized_name")[:20]:
        events = []
        # A well-formed full date is YYYY-MM-DD; YYYY-MM would not end with -MM-DD.
        if agent.existence_begin.endswith(suffix) and len(agent.existence_begin) >= 10:
            events.append(f"born {agent.existence_begin}")
        if agent.existence_end.endswith(suffix) and len(agent.existence_end) >= 10:
            events.append(f"died {agent.existence_end}")
        if events:
            result.append((agent, events))
    return result


def repository_get(*, code: str) -> Repository:
    repository = Repository.objects.filter(code=code).first()
    if repository is None:
        raise Http404("No such repository")
    return repository


def repository_collections(repository: Repository, *, page: int | str | None) -> Page:
    qs = public_roots().filter(collection__repository=repository).order_by("title", "id")
    return Paginator(qs, LISTING_PAGE_SIZE).get_page(page)
