"""The "found in" listings of agent and subject pages: linked collections and records, paged.

Every read starts from the link table (``AgentLink`` or ``SubjectLink``) at the authority's
id, through the index that starts with it, and reaches components only by primary key. The
cost follows the number of links the agent or subject has, never the number of components in
the catalogue, and the number of queries is the same for an agent named once as for one named
a hundred thousand times (seven, or six with ``within``):

- 1: the authority's published links with their unit's collection, path and flag
- 1: the unpublished ancestors of those units (``visibility.public_paths``): what is left
  gives the total, the role facet counts, each collection's roles and linked records
- 3: the page of collections (rows, public dates, abstracts); its count is already known
- 2: the page's records (the first few of each collection, or one page of one collection)
  with their public dates

A unit reached through a public link is public, and so is its collection's root (an ancestor
of it), so the collections listed are public too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet

from archive import tree
from archive.models import AgentLink, Component
from archive.selectors.home import listed_roots
from archive.visibility import public_dates, public_paths

#: Collections per page of a "found in" listing (ArchivesSpace's public interface shows ten).
FOUND_IN_PAGE_SIZE = 10
#: Linked records shown under each collection of a "found in" page.
RECORDS_PER_COLLECTION = 3
#: Linked records per page when one collection's records are listed.
RECORDS_PAGE_SIZE = 50


@dataclass(frozen=True)
class LinkedRecord:
    """A public unit below a collection's root that the agent or subject is linked to."""

    unit: Component
    roles: list[str]  # role labels, e.g. ["Subject"]; empty for subjects


@dataclass
class FoundIn:
    """A collection an agent or subject appears in, with the roles it has there."""

    root: Component
    roles: list[str]
    records: int  # linked public units below the root (the collection itself not counted)
    linked: list[LinkedRecord] = field(default_factory=list)  # the first ones, or one page


@dataclass
class FoundInListing:
    page: Page  # object_list holds FoundIn rows; empty when ``within`` is set
    total: int  # collections
    role_counts: list[tuple[str, str, int]]  # (role value, label, collections)
    role: str | None
    within: FoundIn | None = None  # the one collection whose records are listed
    records_page: Page | None = None  # the page of ``within.linked``


class _CountedPaginator(Paginator):
    """A paginator told its count, for a listing whose size is known without a ``COUNT``."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


@dataclass
class _Links:
    """An authority's public links, grouped: what every part of the listing is built from."""

    pairs: set[tuple[int, str]]  # (collection id, role or "")
    roots: dict[int, str]  # collection id -> path of its root
    # collection id -> {unit id: role values}, units below the root in document order
    records: dict[int, dict[int, set[str]]]


def _public_links(links: QuerySet[Any], *, with_roles: bool) -> _Links:
    """The public links of ``links`` (two queries; see the module)."""
    role = ["role"] if with_roles else []
    rows = list(
        links.filter(published=True)
        .values_list("unit__path", "unit__collection_id", "unit__published", "unit_id", *role)
        .order_by("unit__path")
    )
    public = public_paths((cid, path, published) for path, cid, published, *_ in rows)
    grouped = _Links(pairs=set(), roots={}, records={})
    for path, collection_id, _, unit_id, *link_role in rows:
        if path not in public:
            continue
        value = link_role[0] if link_role else ""
        grouped.pairs.add((collection_id, value))
        grouped.roots[collection_id] = path[: tree.STEPLEN]
        if len(path) > tree.STEPLEN:  # below the root
            units = grouped.records.setdefault(collection_id, {})
            units.setdefault(unit_id, set()).add(value)
    return grouped


def found_in(
    links: QuerySet[Any],
    *,
    with_roles: bool,
    role: str | None = None,
    page: int | str | None = None,
    within: int | str | None = None,
) -> FoundInListing:
    """Collections holding public links of ``links`` (one authority's links), by title, a
    page at a time, each with its first linked records; or, with ``within`` (a collection id
    among them), that collection's linked records a page at a time.

    ``role`` keeps only the links with that role (agents; ``with_roles``). A ``within`` or
    ``page`` that is not one of the listing's is ignored or clamped, never an error.
    """
    grouped = _public_links(links, with_roles=with_roles)
    # Subjects' links have no role: no labels, so their records carry none either.
    labels = dict(AgentLink.Role.choices) if with_roles else {}
    role_counts = _role_counts(grouped.pairs, labels)
    roles_by_collection, records = _with_role(grouped, labels, role)
    listing = FoundInListing(
        page=Paginator([], FOUND_IN_PAGE_SIZE).get_page(1),
        total=len(roles_by_collection),
        role_counts=role_counts,
        role=role,
    )

    def entry(root: Component) -> FoundIn:
        mine = records.get(root.collection_id, {})
        shown = sorted(labels[r] for r in roles_by_collection[root.collection_id] if r in labels)
        return FoundIn(root=root, roles=shown, records=len(mine))

    # Each root is public: it is a linked public unit or an ancestor of one.
    roots = listed_roots(
        Component.objects.filter(path__in=[grouped.roots[c] for c in roles_by_collection])
    )
    within_id = _collection_id(within, roles_by_collection)
    root = roots.filter(collection_id=within_id).first() if within_id is not None else None
    if root is not None:
        listing.within = entry(root)
        listing.records_page = _records_page(listing.within, records, labels, page=page)
        return listing
    paginator = _CountedPaginator(
        roots.order_by("title", "id"), FOUND_IN_PAGE_SIZE, count=listing.total
    )
    listing.page = paginator.get_page(page)
    listing.page.object_list = _with_first_records(
        [entry(root) for root in listing.page.object_list], records, labels
    )
    return listing


def _records_page(
    entry: FoundIn,
    records: dict[int, dict[int, set[str]]],
    labels: dict[str, str],
    *,
    page: int | str | None,
) -> Page[Any]:
    """One page of the linked records of ``entry``'s collection, also set as its ``linked``."""
    mine = records.get(entry.root.collection_id, {})
    records_page: Page[Any] = Paginator(list(mine), RECORDS_PAGE_SIZE).get_page(page)
    entry.linked = _records(list(records_page.object_list), mine, labels)
    records_page.object_list = entry.linked
    return records_page


def _with_first_records(
    entries: list[FoundIn], records: dict[int, dict[int, set[str]]], labels: dict[str, str]
) -> list[FoundIn]:
    """``entries`` with the first linked records of each (two queries for all of them)."""
    first: dict[int, set[str]] = {}
    for item in entries:
        mine = records.get(item.root.collection_id, {})
        first.update({i: mine[i] for i in list(mine)[:RECORDS_PER_COLLECTION]})
    shown = {r.unit.pk: r for r in _records(list(first), first, labels)}
    for item in entries:
        mine = records.get(item.root.collection_id, {})
        item.linked = [shown[i] for i in list(mine)[:RECORDS_PER_COLLECTION] if i in shown]
    return entries


def _with_role(
    grouped: _Links, labels: dict[str, str], role: str | None
) -> tuple[dict[int, set[str]], dict[int, dict[int, set[str]]]]:
    """The roles per collection, and the linked records per collection with their role
    labels, of the links with ``role`` (of every link without one)."""
    roles_by_collection: dict[int, set[str]] = {}
    for collection_id, link_role in grouped.pairs:
        if not role or link_role == role:
            roles_by_collection.setdefault(collection_id, set()).add(link_role)
    records = grouped.records
    if role:
        records = {
            collection_id: {u: values for u, values in units.items() if role in values}
            for collection_id, units in grouped.records.items()
        }
    return roles_by_collection, records


def _role_counts(pairs: set[tuple[int, str]], labels: dict[str, str]) -> list[tuple[str, str, int]]:
    """Collections per role, in the order of the role choices."""
    per_role: dict[str, int] = {}
    for _, link_role in pairs:
        per_role[link_role] = per_role.get(link_role, 0) + 1
    return [(value, label, per_role[value]) for value, label in labels.items() if value in per_role]


def _collection_id(value: int | str | None, known: dict[int, set[str]]) -> int | None:
    """``value`` as one of the listing's collection ids, else None."""
    try:
        collection_id = int(str(value))
    except ValueError:
        return None
    return collection_id if collection_id in known else None


def _records(
    ids: Sequence[int], roles: dict[int, set[str]], labels: dict[str, str]
) -> list[LinkedRecord]:
    """The units ``ids`` ready to list (title by ``archive.display``, link), in that order:
    two queries, the rows with their collection and repository, and their public dates."""
    if not ids:
        return []
    units = Component.objects.filter(pk__in=ids).select_related("collection__repository")
    by_id = {u.pk: u for u in units.prefetch_related(Prefetch("dates", queryset=public_dates()))}
    return [
        LinkedRecord(unit=by_id[i], roles=sorted(labels[r] for r in roles[i] if r in labels))
        for i in ids
        if i in by_id
    ]
