"""Page-sized reads for the public pages: each function costs a fixed number of queries.

Every read goes through ``archive.visibility`` so that nothing unpublished reaches a page, and
every tree read is bounded: children are paged by a path range with ``LIMIT`` (a node with
13,000 children costs the same as a node with 3), breadcrumbs are one query over the ancestor
paths, and "has children" comes from treebeard's stored ``numchild`` rather than a ``COUNT``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.db.models.functions import Lower, Substr
from django.http import Http404

from archive import tree
from archive.ead.markup import fragment_plain_text
from archive.models import (
    Agent,
    AgentLink,
    AgentRelation,
    Collection,
    Component,
    DigitalObject,
    Note,
    NoteType,
    Repository,
    Subject,
    SubjectLink,
)
from archive.visibility import (
    count_public,
    is_public,
    public_authorities,
    public_container_instances,
    public_dates,
    public_extents,
    public_fragment,
    public_items,
    public_links,
    public_units,
)

#: Children per outline batch ("show more" fetches the next batch).
OUTLINE_PAGE_SIZE = 50
#: Siblings shown on each side of the open node when an outline opens at a component.
OUTLINE_WINDOW = 10
#: Collections per page on agent, subject and repository pages.
LISTING_PAGE_SIZE = 25

# Notes in the order DACS presents the elements (identity, content and structure, conditions
# of access and use, acquisition, related materials, notes, description control). The abstract
# goes in the summary and the preferred citation in the citation box, so both are left out.
NOTE_ORDER: tuple[str, ...] = (
    NoteType.SCOPE_CONTENT,
    NoteType.BIOGRAPHY_HISTORY,
    NoteType.ARRANGEMENT,
    NoteType.ACCESS_RESTRICT,
    NoteType.PHYSICAL_TECHNICAL,
    NoteType.USE_RESTRICT,
    NoteType.LANGUAGE_MATERIAL,
    NoteType.OTHER_FINDING_AID,
    NoteType.CUSTODIAL_HISTORY,
    NoteType.ACQUISITION,
    NoteType.APPRAISAL,
    NoteType.ACCRUALS,
    NoteType.ORIGINALS_LOCATION,
    NoteType.ALTERNATIVE_FORM,
    NoteType.RELATED_MATERIAL,
    NoteType.SEPARATED_MATERIAL,
    NoteType.BIBLIOGRAPHY,
    NoteType.PHYSICAL_LOCATION,
    NoteType.PHYSICAL_FACET,
    NoteType.DIMENSIONS,
    NoteType.MATERIAL_SPECIFIC,
    NoteType.FILE_PLAN,
    NoteType.INDEX,
    NoteType.LEGAL_STATUS,
    NoteType.GENERAL,
    NoteType.DESCRIPTION_NOTE,
    NoteType.PROCESSING,
)
SUMMARY_NOTES = frozenset({NoteType.ABSTRACT, NoteType.PREFERRED_CITATION})
RESTRICTION_NOTES = (NoteType.ACCESS_RESTRICT, NoteType.USE_RESTRICT)

# How a relation reads from the other side: if A is parent of B, B is child of A.
INVERSE_RELATION = {
    AgentRelation.RelationType.PARENT: "Child",
    AgentRelation.RelationType.CHILD: "Parent",
    AgentRelation.RelationType.EMPLOYEE: "Employer",
    AgentRelation.RelationType.MEMBER: "Has member",
}

# ISO 639-2 names of the languages most finding aids carry; other codes are shown as given.
LANGUAGE_NAMES = {
    "eng": "English",
    "fre": "French",
    "fra": "French",
    "ger": "German",
    "deu": "German",
    "rus": "Russian",
    "spa": "Spanish",
    "ita": "Italian",
    "por": "Portuguese",
    "dut": "Dutch",
    "nld": "Dutch",
    "pol": "Polish",
    "yid": "Yiddish",
    "heb": "Hebrew",
    "lat": "Latin",
    "chi": "Chinese",
    "zho": "Chinese",
    "jpn": "Japanese",
    "ara": "Arabic",
    "cze": "Czech",
    "ces": "Czech",
    "hun": "Hungarian",
    "swe": "Swedish",
    "dan": "Danish",
    "nor": "Norwegian",
    "gre": "Greek",
    "ell": "Greek",
    "ukr": "Ukrainian",
    "mul": "Multiple languages",
    "zxx": "No linguistic content",
    "und": "Undetermined",
}


# --------------------------------------------------------------------------- look-ups


def unit_queryset() -> QuerySet[Component]:
    """Components with everything a page shows about them, in a fixed number of queries.

    Only published notes, links and digital objects are fetched; agents and subjects must be
    published too. The unit itself must already be known to be public.
    """
    return Component.objects.select_related("collection__repository").prefetch_related(
        Prefetch("dates", queryset=public_dates()),
        Prefetch("extents", queryset=public_extents()),
        Prefetch("notes", queryset=Note.objects.filter(published=True).order_by("position", "id")),
        Prefetch(
            "agent_links",
            queryset=AgentLink.objects.filter(published=True, agent__published=True)
            .select_related("agent")
            .order_by("position", "id"),
        ),
        Prefetch(
            "subject_links",
            queryset=SubjectLink.objects.filter(published=True, subject__published=True)
            .select_related("subject")
            .order_by("position", "id"),
        ),
        Prefetch(
            "container_instances",
            queryset=public_container_instances().select_related("container"),
        ),
        Prefetch(
            "digital_objects",
            queryset=DigitalObject.objects.filter(published=True).order_by("position", "id"),
        ),
    )


def _public_collection(
    units: QuerySet[Component], *, repository_code: str, ead_id: str
) -> Collection:
    """The public collection whose root is found in ``units``; 404 otherwise.

    The root row found is seeded into the collection's cached ``root`` property, so templates
    never query for it again.
    """
    root = units.filter(
        depth=1,
        published=True,
        collection__ead_id=ead_id,
        collection__repository__code=repository_code,
    ).first()
    if root is None:
        raise Http404("No such collection")
    collection = root.collection
    collection.__dict__["root"] = root
    return collection


def collection_get(*, repository_code: str, ead_id: str) -> Collection:
    """The public collection, with its root component fully loaded; 404 otherwise."""
    return _public_collection(unit_queryset(), repository_code=repository_code, ead_id=ead_id)


def collection_head(*, repository_code: str, ead_id: str) -> Collection:
    """The public collection with only its root row (for outline batches): one query."""
    return _public_collection(
        Component.objects.select_related("collection__repository"),
        repository_code=repository_code,
        ead_id=ead_id,
    )


def unit_get(*, repository_code: str, ead_id: str, ref: str) -> Component:
    """A public component by its stable address; 404 when absent or hidden.

    The collection root is one of the unit's ancestors, so "the collection is published" is
    part of ``is_public`` and needs no query of its own.
    """
    unit = (
        unit_queryset()
        .filter(
            collection__repository__code=repository_code,
            collection__ead_id=ead_id,
            ref=ref,
            depth__gt=1,
        )
        .first()
    )
    if unit is None or not is_public(unit):
        raise Http404("No such component")
    return unit


def repository_get(*, code: str) -> Repository:
    repository = Repository.objects.filter(code=code).first()
    if repository is None:
        raise Http404("No such repository")
    return repository


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


# --------------------------------------------------------------------------- unit parts


@dataclass(frozen=True)
class Restriction:
    """An access or use note shown on a unit, possibly inherited from an ancestor."""

    note: Note
    source: Component
    inherited: bool


def ordered_notes(unit: Component) -> list[Note]:
    """The unit's published notes in DACS order (uses the prefetched notes)."""
    rank = {note_type: i for i, note_type in enumerate(NOTE_ORDER)}
    notes = [n for n in unit.notes.all() if n.note_type not in SUMMARY_NOTES]
    return sorted(notes, key=lambda n: (rank.get(n.note_type, len(rank)), n.position, n.id))


def notes_of_type(unit: Component, note_type: str) -> list[Note]:
    return [n for n in unit.notes.all() if n.note_type == note_type]


def languages(unit: Component) -> list[str]:
    """Names of the languages of the material (``languages`` holds ``{"code": ...}`` items)."""
    names: list[str] = []
    for item in public_items(unit.languages or []):
        if isinstance(item, dict):
            name = item.get("name") or item.get("label") or ""
            code = item.get("code") or ""
            names.append(name or LANGUAGE_NAMES.get(code.lower(), code))
        elif item:
            names.append(LANGUAGE_NAMES.get(str(item).lower(), str(item)))
    return [n for n in names if n]


def ancestors(unit: Component) -> list[Component]:
    """Ancestors from the collection root down, in one query (all public if the unit is)."""
    if unit.depth == 1:
        return []
    rows = list(tree.ancestors(unit).only(*OUTLINE_FIELDS))
    collection = unit.collection
    for row in rows:
        row.collection = collection  # already loaded: links cost no query per crumb
    if rows:
        # The root is the first ancestor: seed ``Collection.root`` so it is not fetched again.
        collection.__dict__["root"] = rows[0]
    return rows


def inherited_restrictions(unit: Component, ancestry: Sequence[Component]) -> list[Restriction]:
    """Access and use notes: the unit's own, else the nearest ancestor's (one query at most).

    ArcLight and ArchivesSpace both show a file under a restricted series as restricted, so a
    unit with no restriction note of its own takes the one of the closest ancestor that has it.
    """
    own = {t: notes_of_type(unit, t) for t in RESTRICTION_NOTES}
    missing = [t for t in RESTRICTION_NOTES if not own[t]]
    result: list[Restriction] = []
    for note_type in RESTRICTION_NOTES:
        result.extend(Restriction(note=n, source=unit, inherited=False) for n in own[note_type])
    if missing and ancestry:
        by_id = {a.id: a for a in ancestry}
        candidates = Note.objects.filter(
            unit_id__in=list(by_id), note_type__in=missing, published=True
        ).order_by("position", "id")
        nearest: dict[str, tuple[int, list[Note]]] = {}
        for note in candidates:
            depth = by_id[note.unit_id].depth
            best = nearest.get(note.note_type)
            if best is None or depth > best[0]:
                nearest[note.note_type] = (depth, [note])
            elif depth == best[0]:
                best[1].append(note)
        for note_type in missing:
            if note_type in nearest:
                for note in nearest[note_type][1]:
                    result.append(
                        Restriction(note=note, source=by_id[note.unit_id], inherited=True)
                    )
    order = {t: i for i, t in enumerate(RESTRICTION_NOTES)}
    return sorted(result, key=lambda r: order[r.note.note_type])


def date_text(unit: Component) -> str:
    """ "1912-1994, bulk 1936-1947": every date of the unit, from the prefetched rows."""
    return ", ".join(d.display for d in public_items(unit.dates.all()) if d.display)


def citation(unit: Component, *, url: str) -> str:
    """The preferred citation of the unit (plain text), or one built from its parts.

    Built form, as ArchivesSpace prints it: title, dates. containers. collection (call number),
    repository. URL.
    """
    cites = notes_of_type(unit, NoteType.PREFERRED_CITATION)
    if cites:
        return " ".join(fragment_plain_text(public_fragment(n.content)).strip() for n in cites)
    collection = unit.collection
    root = collection.root
    parts: list[str] = []
    head = unit.display_title
    dates = date_text(unit)
    if dates and dates not in head:
        head = f"{head}, {dates}"
    parts.append(head)
    if unit.depth > 1:
        boxes = "; ".join(str(c) for c in public_items(unit.container_instances.all()))
        if boxes:
            parts.append(boxes)
        if root is not None:
            coll = root.display_title
            if root.identifier:
                coll = f"{coll} ({root.identifier})"
            parts.append(coll)
    elif unit.identifier:
        parts[-1] = f"{parts[-1]} ({unit.identifier})"
    parts.append(collection.repository.name)
    parts.append(url)
    return ". ".join(p.rstrip(".") for p in parts if p) + "."


def online_item_count(collection: Collection) -> int:
    """Published digital objects attached to public units of the collection (two queries)."""
    objects = DigitalObject.objects.filter(published=True, unit__collection=collection)
    return count_public(objects, collection.pk, unit="unit")


def previous_next(unit: Component) -> tuple[Component | None, Component | None]:
    """The public units just before and after ``unit`` in document order (two queries)."""
    base = public_units(Component.objects.filter(collection_id=unit.collection_id)).only(
        "id", "path", "depth", "title", "ref", "level", "identifier"
    )
    previous = base.filter(path__lt=unit.path).order_by("-path").first()
    following = base.filter(path__gt=unit.path).order_by("path").first()
    return previous, following


# --------------------------------------------------------------------------- the outline


@dataclass
class OutlineNode:
    """One line of the outline; ``window`` holds its children when it is shown open."""

    unit: Component
    window: OutlineWindow | None = None
    current: bool = False

    @property
    def has_children(self) -> bool:
        # numchild counts unpublished children too: the worst case is an expander that opens
        # on "no public components", never a leak of what they are.
        return self.unit.numchild > 0

    @property
    def expanded(self) -> bool:
        return self.window is not None


@dataclass
class OutlineWindow:
    """A run of consecutive public children of ``parent``, with cursors to extend it."""

    parent: Component
    nodes: list[OutlineNode] = field(default_factory=list)
    before: str | None = None  # path to page backwards from, when earlier children exist
    after: str | None = None  # path to page forwards from, when later children exist

    @property
    def lines(self) -> list[OutlineLine]:
        """The window and every window open inside it, flattened in document order.

        The template renders this list in one loop instead of including itself once per
        level: a page opened at a component 60 levels down nested 120 includes, and
        Django's template rendering ran out of Python stack (a RecursionError) at about 50.
        """
        out: list[OutlineLine] = []
        # (window, index of its next node); a node whose window is open pushes that window
        stack: list[tuple[OutlineWindow, int]] = [(self, 0)]
        while stack:
            window, at = stack.pop()
            if at == 0:
                if window.before:
                    out.append(OutlineLine("before", window))
                if not window.nodes:
                    out.append(OutlineLine("empty", window))
            if at < len(window.nodes):
                node = window.nodes[at]
                stack.append((window, at + 1))
                if node.window is not None and node.has_children and node.unit.ref:
                    out.append(OutlineLine("open", window, node))
                    stack.append((node.window, 0))
                else:
                    out.append(OutlineLine("node", window, node))
                continue
            if window.after:
                out.append(OutlineLine("after", window))
            if stack:  # the end of an open node's window closes that node
                out.append(OutlineLine("close", window))
        return out


@dataclass
class OutlineLine:
    """One step of :attr:`OutlineWindow.lines`: ``before``/``after`` (a "show more" link of
    ``window``), ``empty`` (the window has no public node), ``node`` (a whole line: leaf or
    closed), ``open`` (a line whose children follow, up to the matching ``close``)."""

    kind: str
    window: OutlineWindow
    node: OutlineNode | None = None


OUTLINE_FIELDS = (
    "id",
    "path",
    "depth",
    "numchild",
    "title",
    "ref",
    "level",
    "other_level",
    "identifier",
    "collection_id",
)


def _child_range(parent: Component) -> QuerySet[Component]:
    """Public children of the public unit ``parent``, bounded by its path range.

    ``parent`` must be public; every caller has established it (a collection page's root is
    published, ``outline_parent`` and ``unit_get`` check ``is_public``, and
    ``outline_around`` walks the ancestors of a public unit). Then a child is public exactly
    when its own flag is set, and no per-row ancestor test is needed: that test made the
    planner compute the visibility of all 13,000 children of a large series before taking
    the first 50 (150 ms at 1,000,000 components).

    The upper bound matters: with only ``LIKE 'path%'`` a query for "children after X" under
    the last child would walk the rest of the collection before giving up.
    """
    return Component.objects.filter(
        collection_id=parent.collection_id,
        depth=parent.depth + 1,
        path__gt=parent.path,
        path__lte=tree.subtree_upper_bound(parent.path),
        published=True,
    ).only(*OUTLINE_FIELDS)


def _attach(units: list[Component], parent: Component) -> None:
    """Give outline rows their collection (already loaded) so URLs cost no query per row."""
    collection = parent.collection
    for unit in units:
        unit.collection = collection


def _with_dates(units: list[Component]) -> list[Component]:
    """Attach each unit's dates in one query (``prefetch_related_objects`` on a plain list)."""
    prefetch_related_objects(units, Prefetch("dates", queryset=public_dates()))
    return units


def outline_children(
    parent: Component,
    *,
    after: str | None = None,
    before: str | None = None,
    limit: int = OUTLINE_PAGE_SIZE,
) -> OutlineWindow:
    """A batch of ``parent``'s public children: the first, those after or before a path.

    Two queries (children, their dates) whatever the number of children: ``LIMIT limit + 1``
    tells whether another batch exists without counting.
    """
    qs = _child_range(parent)
    window = OutlineWindow(parent=parent)
    if before:
        rows = list(qs.filter(path__lt=before).order_by("-path")[: limit + 1])
        if len(rows) > limit:
            rows = rows[:limit]
            window.before = rows[-1].path
        rows.reverse()
        if rows:
            window.after = rows[-1].path  # ``before`` itself and what follows it exist
    else:
        if after:
            qs = qs.filter(path__gt=after)
        rows = list(qs.order_by("path")[: limit + 1])
        if len(rows) > limit:
            rows = rows[:limit]
            window.after = rows[-1].path
        if after and rows:
            window.before = rows[0].path  # ``after`` itself and what precedes it exist
    _attach(rows, parent)
    window.nodes = [OutlineNode(unit=u) for u in _with_dates(rows)]
    return window


def outline_top(collection: Collection) -> OutlineWindow:
    """The first batch of the collection's top level."""
    return outline_children(collection.root)


def outline_around(
    unit: Component, ancestry: Sequence[Component], *, open_current: bool = True
) -> OutlineWindow:
    """The outline opened at ``unit``: each ancestor open, with a window of siblings round it.

    Costs three queries per level (siblings before, from, and their dates) whatever the number
    of siblings; the depth of a finding aid is small and bounded by the unit's own depth.
    """
    chain = [*ancestry, unit]
    top: OutlineWindow | None = None
    holder: OutlineNode | None = None
    for parent, focus in zip(chain, chain[1:], strict=False):
        qs = _child_range(parent)
        earlier = list(qs.filter(path__lt=focus.path).order_by("-path")[: OUTLINE_WINDOW + 1])
        later = list(qs.filter(path__gte=focus.path).order_by("path")[: OUTLINE_WINDOW + 2])
        window = OutlineWindow(parent=parent)
        if len(earlier) > OUTLINE_WINDOW:
            earlier = earlier[:OUTLINE_WINDOW]
            window.before = earlier[-1].path
        if len(later) > OUTLINE_WINDOW + 1:
            later = later[: OUTLINE_WINDOW + 1]
            window.after = later[-1].path
        rows = _with_dates([*reversed(earlier), *later])
        _attach(rows, parent)
        window.nodes = [OutlineNode(unit=u, current=u.path == unit.path) for u in rows]
        if holder is None:
            top = window
        else:
            holder.window = window
        holder = next((n for n in window.nodes if n.unit.path == focus.path), None)
        if holder is None:  # the focus is not public: stop opening further down
            break
    assert top is not None
    if open_current and holder is not None and holder.current and unit.numchild:
        # The current node opens too, so a reader without JavaScript can go down a level.
        holder.window = outline_children(unit)
    return top


def outline_parent(*, collection: Collection, ref: str | None) -> Component:
    """The node whose children an outline fragment lists: the root, or a public component."""
    if not ref:
        return collection.root
    unit = Component.objects.filter(collection=collection, ref=ref).only(*OUTLINE_FIELDS).first()
    if unit is None or not is_public(unit):
        raise Http404("No such component")
    unit.collection = collection
    return unit


def collection_contents(collection: Collection, *, limit: int) -> tuple[list[Component], bool]:
    """Every public unit below the root in document order, for the print view (capped)."""
    qs = (
        public_units(Component.objects.filter(collection=collection, depth__gt=1))
        .only(*OUTLINE_FIELDS)
        .order_by("path")
    )
    rows = list(qs[: limit + 1])
    truncated = len(rows) > limit
    rows = rows[:limit]
    prefetch_related_objects(
        rows,
        Prefetch("dates", queryset=public_dates()),
        Prefetch(
            "container_instances",
            queryset=public_container_instances().select_related("container"),
        ),
    )
    return rows, truncated


# --------------------------------------------------------------------------- collections


def public_roots() -> QuerySet[Component]:
    """The root components of public collections, ready for listing (title, dates, abstract)."""
    return (
        public_units(Component.objects.filter(depth=1))
        .select_related("collection__repository")
        .prefetch_related(
            Prefetch("dates", queryset=public_dates()),
            Prefetch(
                "notes",
                queryset=Note.objects.filter(published=True, note_type=NoteType.ABSTRACT),
                to_attr="abstracts",
            ),
        )
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


def repository_collections(repository: Repository, *, page: int | str | None) -> Page:
    qs = public_roots().filter(collection__repository=repository).order_by("title", "id")
    return Paginator(qs, LISTING_PAGE_SIZE).get_page(page)


# --------------------------------------------------------------------------- found in


@dataclass
class FoundIn:
    """A collection an agent or subject appears in, with the roles it has there."""

    root: Component
    roles: list[str]
    records: int  # linked public units in this collection (the collection itself included)


@dataclass
class FoundInListing:
    page: Page
    total: int
    role_counts: list[tuple[str, str, int]]  # (role value, label, collections)
    role: str | None


def _found_in(
    links: QuerySet, *, page: int | str | None, role: str | None, with_roles: bool
) -> FoundInListing:
    """Group public, published links by collection; page through the collections.

    Listings only count public units: a link to a hidden file neither lists its collection
    nor counts in the facets.
    """
    links = links.filter(published=True, unit__in=public_units().values("id"))
    role_counts: list[tuple[str, str, int]] = []
    if with_roles:
        per_role = dict(
            links.values_list("role")
            .annotate(n=Count("unit__collection_id", distinct=True))
            .order_by()
        )
        role_counts = [
            (value, label, per_role[value])
            for value, label in AgentLink.Role.choices
            if per_role.get(value)
        ]
        if role:
            links = links.filter(role=role)
    if with_roles:
        rows = list(links.values_list("unit__collection_id", "role").order_by())
    else:
        rows = [(cid, "") for cid in links.values_list("unit__collection_id", flat=True)]
    roles_by_collection: dict[int, set[str]] = {}
    records: dict[int, int] = {}
    for collection_id, link_role in rows:
        roles_by_collection.setdefault(collection_id, set()).add(link_role)
        records[collection_id] = records.get(collection_id, 0) + 1
    roots = (
        public_roots().filter(collection_id__in=list(roles_by_collection)).order_by("title", "id")
    )
    paginator = Paginator(roots, LISTING_PAGE_SIZE)
    page_obj = paginator.get_page(page)
    label = dict(AgentLink.Role.choices)
    page_obj.object_list = [
        FoundIn(
            root=r,
            roles=sorted(label.get(x, x) for x in roles_by_collection[r.collection_id] if x),
            records=records[r.collection_id],
        )
        for r in page_obj.object_list
    ]
    return FoundInListing(
        page=page_obj, total=len(roles_by_collection), role_counts=role_counts, role=role
    )


def agent_found_in(
    agent: Agent, *, page: int | str | None = None, role: str | None = None
) -> FoundInListing:
    """Collections where the agent is linked, with creator/subject/source facet counts."""
    if role not in AgentLink.Role.values:
        role = None
    return _found_in(AgentLink.objects.filter(agent=agent), page=page, role=role, with_roles=True)


def subject_found_in(subject: Subject, *, page: int | str | None = None) -> FoundInListing:
    return _found_in(
        SubjectLink.objects.filter(subject=subject), page=page, role=None, with_roles=False
    )


@dataclass(frozen=True)
class Related:
    agent: Agent
    relationship: str
    description: str
    dates: str


def agent_relations(agent: Agent) -> list[Related]:
    """Relations to other public agents, read from this agent's side (two queries).

    A related agent the public may not see (unpublished, or named only in hidden description)
    is left out: its name would lead to a page that answers 404.
    """
    related: list[Related] = []
    public = public_authorities(Agent.objects.all()).values("pk")
    forward = AgentRelation.objects.filter(source=agent, target__in=public).select_related("target")
    for rel in forward:
        # "agent is parent of target": on this page the target is this agent's child.
        label = INVERSE_RELATION.get(rel.relation_type, rel.get_relation_type_display())
        related.append(Related(rel.target, label, rel.description, rel.dates))
    backward = AgentRelation.objects.filter(target=agent, source__in=public).select_related(
        "source"
    )
    for rel in backward:
        related.append(
            Related(rel.source, rel.get_relation_type_display(), rel.description, rel.dates)
        )
    return sorted(related, key=lambda r: (r.relationship, r.agent.authorized_name))


def creators(unit: Component) -> list[AgentLink]:
    return [link for link in unit.agent_links.all() if link.role == AgentLink.Role.CREATOR]


def other_agents(unit: Component) -> list[AgentLink]:
    return [link for link in unit.agent_links.all() if link.role != AgentLink.Role.CREATOR]


def subjects_by_type(unit: Component) -> list[tuple[str, list[Subject]]]:
    groups: dict[str, list[Subject]] = {}
    for link in unit.subject_links.all():
        groups.setdefault(link.subject.get_subject_type_display(), []).append(link.subject)
    return list(groups.items())


# --------------------------------------------------------------------------- browse

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
    initials = {
        (i or "").upper()
        for i in qs.annotate(initial=Substr(name_field, 1, 1))
        .values_list("initial", flat=True)
        .distinct()
        .order_by()
    }
    present = {i if i in BROWSE_LETTERS[:-1] else "#" for i in initials}
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
    counts = dict(
        public_links(links)
        .filter(**{f"{link_field}__in": [r.pk for r in rows]})
        .values_list(link_field)
        .annotate(n=Count("unit__collection_id", distinct=True))
        .order_by()
    )
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
