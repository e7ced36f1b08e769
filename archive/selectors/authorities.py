"""The agent and subject pages: "found in" listings, relations, and the A-Z browse pages.

Only public authorities are shown (``visibility.public_authorities``), and they are counted
only through public, published links.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower, Substr
from django.http import Http404

from archive.models import (
    Agent,
    AgentLink,
    AgentRelation,
    Subject,
    SubjectLink,
)
from archive.selectors.found_in import FoundInListing, found_in
from archive.visibility import (
    public_authorities,
    public_links,
)

# How a relation reads from the other side: if A is parent of B, B is child of A.
INVERSE_RELATION: dict[str, str] = {
    AgentRelation.RelationType.PARENT: "Child",
    AgentRelation.RelationType.CHILD: "Parent",
    AgentRelation.RelationType.EMPLOYEE: "Employer",
    AgentRelation.RelationType.MEMBER: "Has member",
}


def agent_get(*, slug: str) -> Agent:
    """A public agent (``visibility.public_authorities``); 404 for any other slug."""
    agent = public_authorities(Agent.objects.filter(slug=slug)).first()
    if agent is None:
        raise Http404("No such agent")
    return agent


def subject_get(*, slug: str) -> Subject:
    """A public subject (``visibility.public_authorities``); 404 for any other slug."""
    subject = public_authorities(Subject.objects.filter(slug=slug)).first()
    if subject is None:
        raise Http404("No such subject")
    return subject


def agent_found_in(
    agent: Agent,
    *,
    page: int | str | None = None,
    role: str | None = None,
    collection: int | str | None = None,
) -> FoundInListing:
    """Collections and records where the agent is linked, with creator/subject/source facet
    counts (``found_in.found_in``: a fixed number of queries, cost by the agent's links).

    ``collection`` (a collection id) lists that collection's linked records, a page at a time.
    """
    if role not in AgentLink.Role.values:
        role = None
    return found_in(
        AgentLink.objects.filter(agent=agent),
        with_roles=True,
        role=role,
        page=page,
        within=collection,
    )


def subject_found_in(
    subject: Subject, *, page: int | str | None = None, collection: int | str | None = None
) -> FoundInListing:
    """Collections and records where the subject is linked (see ``agent_found_in``)."""
    return found_in(
        SubjectLink.objects.filter(subject=subject), with_roles=False, page=page, within=collection
    )


@dataclass(frozen=True)
class Related:
    agent: Agent
    relationship: str
    description: str
    dates: str


def agent_relations(agent: Agent) -> list[Related]:
    """Relations to other public agents, read from this agent's side.

    One query for an agent without relations (most), two otherwise: the relations in both
    directions, then which agents on their other side are public. A related agent the public
    may not see (unpublished, or named only in hidden description) is left out: its name
    would lead to a page that answers 404.
    """
    relations = list(
        AgentRelation.objects.filter(Q(source=agent) | Q(target=agent)).select_related(
            "source", "target"
        )
    )
    if not relations:
        return []
    others = {r.target_id if r.source_id == agent.pk else r.source_id for r in relations}
    public = set(
        public_authorities(Agent.objects.filter(pk__in=others)).values_list("pk", flat=True)
    )
    related: list[Related] = []
    for rel in relations:
        if rel.source_id == agent.pk and rel.target_id in public:
            # "agent is parent of target": on this page the target is this agent's child.
            label = INVERSE_RELATION.get(rel.relation_type, rel.get_relation_type_display())
            related.append(Related(rel.target, label, rel.description, rel.dates))
        elif rel.target_id == agent.pk and rel.source_id in public:
            label = rel.get_relation_type_display()
            related.append(Related(rel.source, label, rel.description, rel.dates))
    return sorted(related, key=lambda r: (r.relationship, r.agent.authorized_name))


#: Entries per page on the agent and subject browse pages.
BROWSE_PAGE_SIZE = 50
#: The jump bar: one entry per letter, then "#" for names that start with anything else
#: (digits, punctuation, letters outside A-Z such as "É": the databases fold case for ASCII
#: only, so both would disagree on where they belong).
BROWSE_LETTERS: tuple[str, ...] = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + ("#",)
_ASCII_INITIAL = r"^[A-Za-z]"


@dataclass(frozen=True)
class BrowseEntry:
    record: Agent | Subject
    kind_label: str  # "Person", "Geographic"...
    collections: int  # public collections holding a public, published link to the record


@dataclass(frozen=True)
class BrowseListing:
    page: Page  # object_list holds BrowseEntry rows
    letters: list[tuple[str, bool]]  # (letter, has entries under the current type filter)
    letter: str | None
    kind: str | None
    kinds: list[tuple[str, str]]  # (value, label) of the type filter


def _browse(
    records: QuerySet,
    links: QuerySet,
    *,
    name_field: str,
    link_field: str,
    type_field: str,
    kinds: list[tuple[str, str]],
    kind: str | None,
    letter: str | None,
    page: int | str | None,
) -> BrowseListing:
    """Published records with at least one public link, A-Z, a page at a time.

    Four queries whatever the number of records: the initials for the jump bar, the
    paginator's ``COUNT``, the page itself, and the collection counts of the page's records
    only (counting every record's collections would cost a pass over all links per page).
    """
    qs = public_authorities(records)
    if kind not in {value for value, _ in kinds}:
        kind = None
    if kind:
        qs = qs.filter(**{type_field: kind})
    present = _initials(qs, name_field)
    letter = (letter or "").upper() or None
    if letter not in BROWSE_LETTERS:
        letter = None
    if letter == "#":
        qs = qs.exclude(**{f"{name_field}__regex": _ASCII_INITIAL})
    elif letter:
        qs = qs.filter(**{f"{name_field}__istartswith": letter})
    # Lower() so that "de Gaulle" files under D on both databases (SQLite compares bytes).
    qs = qs.order_by(Lower(name_field), "id")
    page_obj = Paginator(qs, BROWSE_PAGE_SIZE).get_page(page)
    rows = list(page_obj.object_list)
    counts = _collection_counts(links, link_field, [r.pk for r in rows])
    labels = dict(kinds)
    page_obj.object_list = [
        BrowseEntry(
            record=r,
            kind_label=labels.get(getattr(r, type_field), getattr(r, type_field)),
            collections=counts.get(r.pk, 0),
        )
        for r in rows
    ]
    return BrowseListing(
        page=page_obj,
        letters=[(x, x in present) for x in BROWSE_LETTERS],
        letter=letter,
        kind=kind,
        kinds=kinds,
    )


def _initials(records: QuerySet[Any], name_field: str) -> set[str]:
    """The jump bar's entries that have records: first letters A-Z, "#" for the others."""
    initials = {
        (i or "").upper()
        for i in records.annotate(initial=Substr(name_field, 1, 1))
        .values_list("initial", flat=True)
        .distinct()
        .order_by()
    }
    return {i if i in BROWSE_LETTERS[:-1] else "#" for i in initials}


def _collection_counts(links: QuerySet[Any], link_field: str, ids: list[int]) -> dict[int, int]:
    """Public collections holding a public, published link to each of the records ``ids``."""
    return dict(
        public_links(links)
        .filter(**{f"{link_field}__in": ids})
        .values_list(link_field)
        .annotate(n=Count("unit__collection_id", distinct=True))
        .order_by()
    )


def agents_browse(
    *, agent_type: str | None = None, letter: str | None = None, page: int | str | None = None
) -> BrowseListing:
    """Published agents found in at least one public unit, by authorized name.

    ``agent_type`` and ``letter`` outside their choices are ignored rather than refused, so a
    hand-edited URL shows the whole list.
    """
    return _browse(
        Agent.objects.defer("biography"),
        AgentLink.objects.all(),
        name_field="authorized_name",
        link_field="agent_id",
        type_field="agent_type",
        kinds=list(Agent.AgentType.choices),
        kind=agent_type,
        letter=letter,
        page=page,
    )


def subjects_browse(
    *, subject_type: str | None = None, letter: str | None = None, page: int | str | None = None
) -> BrowseListing:
    """Published subjects found in at least one public unit, by term (see ``agents_browse``)."""
    return _browse(
        Subject.objects.all(),
        SubjectLink.objects.all(),
        name_field="term",
        link_field="subject_id",
        type_field="subject_type",
        kinds=list(Subject.SubjectType.choices),
        kind=subject_type,
        letter=letter,
        page=page,
    )
