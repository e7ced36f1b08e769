"""Keeping the search index in step with the catalogue.

The index holds one row per *public* unit of description (``archive.visibility``): its
searchable text in five fields (title; names, with agents' variant names; subjects;
identifier, with its containers; the text of its published notes) and the facet keys it
counts under. Unpublished units, notes, links, agents and subjects never enter it, so no query
can leak them into a hit, a snippet or a facet count.

Every function here writes on the current connection and inside the caller's transaction:
an import calls :func:`reindex_collection` before it commits, and the signal handlers in
``archive.search.signals`` call :func:`reindex_units` while the edit's transaction is open. A
reader never sees a catalogue change without the matching index change, or the reverse.

Cost: a fixed number of queries per call (one per related table, plus one bulk insert per
:data:`BATCH` units), never one per unit.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q

from archive import visibility
from archive.display import is_system_identifier
from archive.exchange.bulk import BATCH_SIZE
from archive.models import (
    AgentLink,
    AgentVariantName,
    Collection,
    Component,
    ContainerInstance,
    DigitalObject,
    Note,
    Subject,
    SubjectLink,
    UnitDate,
)
from archive.search import counts
from archive.search.backends import get_backend
from archive.search.text import clean, decade_key, fit_words, fold, fragment_text, year_of

logger = logging.getLogger(__name__)

# Units per ``IN (...)`` list when reindexing arbitrary units: the exchange's batch.
BATCH = BATCH_SIZE
# Entries at most in each of the load feed's memos (``archive.search.feed``).
MEMO_SIZE = 50_000
# A unit dated 0001-2000 would otherwise count in 200 decades; beyond this span only the
# decades at both ends are kept (the year range filter still sees the whole span).
MAX_DECADES = 60

_SUBJECT_FACET: dict[str, str] = {
    Subject.SubjectType.GEOGRAPHIC: "place",
    Subject.SubjectType.GENRE_FORM: "genre",
}

_state = threading.local()


@dataclass(slots=True)
class IndexRow:
    """What the index stores for one public unit."""

    unit_id: int
    collection_id: int
    repository_id: int
    level: str
    sort_title: str
    begin_year: int | None
    end_year: int | None
    online: bool
    title: str
    names: str
    subjects: str
    identifier: str
    notes: str
    facets: list[tuple[str, str, str]] = field(default_factory=list)
    # The span covers more than MAX_DECADES decades: only its first and last are listed.
    wide_span: bool = False
    # The text was cut to fit the index (``text.fit_words``): the words kept, else -1.
    words_kept: int = -1


# ----------------------------------------------------------------------------- public API


def reindex_collection(collection_id: int) -> int:
    """Rebuild the index rows of every unit of one collection; returns the rows written.

    Call it inside the transaction that loaded or changed the collection. Costs about ten
    queries and one streamed write (``COPY`` on PostgreSQL) whatever the collection's size.
    """
    backend = get_backend()
    public = visibility.public_unit_ids(collection_id)
    rows = _build(Q(collection_id=collection_id), public=public)
    with connection.cursor() as cursor:
        backend.delete_collection(cursor, collection_id)
        written = backend.write(cursor, rows)
        counts.compact(cursor)
    return written


def reindex_units(ids: Iterable[int]) -> int:
    """Rebuild the index rows of the given units (those no longer public are removed)."""
    unit_ids = sorted({int(i) for i in ids})
    backend = get_backend()
    rows = 0
    for start in range(0, len(unit_ids), BATCH):
        chunk = unit_ids[start : start + BATCH]
        with connection.cursor() as cursor:
            backend.delete_units(cursor, chunk)
        built = _build(Q(id__in=chunk))
        with connection.cursor() as cursor:
            rows += backend.write(cursor, built)
    with connection.cursor() as cursor:
        counts.compact(cursor)
    return rows


def remove_units(ids: Iterable[int]) -> None:
    """Drop the index rows of deleted units."""
    unit_ids = sorted({int(i) for i in ids})
    backend = get_backend()
    for start in range(0, len(unit_ids), BATCH):
        with connection.cursor() as cursor:
            backend.delete_units(cursor, unit_ids[start : start + BATCH])
    with connection.cursor() as cursor:
        counts.compact(cursor)


def remove_collection(collection_id: int) -> None:
    with connection.cursor() as cursor:
        get_backend().delete_collection(cursor, collection_id)
        counts.compact(cursor)


def rebuild() -> int:
    """Empty the index and rebuild it collection by collection; returns the rows written."""
    with connection.cursor() as cursor:
        get_backend().delete_all(cursor)
    return sum(reindex_collection(cid) for cid in Collection.objects.values_list("id", flat=True))


@contextmanager
def paused() -> Iterator[None]:
    """Within this block, model signals do not touch the index.

    For bulk writers that save through the ORM one object at a time and then call
    :func:`reindex_collection` once at the end (inside the same transaction).
    """
    previous = getattr(_state, "paused", False)
    _state.paused = True
    try:
        yield
    finally:
        _state.paused = previous


def is_paused() -> bool:
    return getattr(_state, "paused", False)


# ------------------------------------------------------------------------------ building


def _related(scope: Q) -> Q:
    """The same scope, seen from a table with a ``unit`` foreign key."""
    children = []
    for child in scope.children:
        key, value = child  # type: ignore[misc]
        children.append(Q(**{f"unit__{key}": value}) if key != "id__in" else Q(unit_id__in=value))
    return Q(*children)


def _language_facets(languages: object) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if not isinstance(languages, list):
        return out
    for item in visibility.public_items(languages):
        if isinstance(item, dict):
            code = str(item.get("code") or "").strip()
            label = str(item.get("name") or item.get("label") or code).strip()
        else:
            code = label = str(item).strip()
        if code:
            out.append((code, label or code))
    return out


def _is_wide(begin: int | None, end: int | None) -> bool:
    if begin is None or end is None:
        return False
    return (end // 10 - begin // 10) + 1 > MAX_DECADES


def _decades(begin: int | None, end: int | None) -> list[int]:
    if begin is None or end is None:
        return []
    first, last = begin // 10 * 10, end // 10 * 10
    if _is_wide(begin, end):
        return [first, last]
    return list(range(first, last + 10, 10))


def _span(begin: str, end: str) -> tuple[int | None, int | None]:
    """First and last year of one date's ``begin``/``end`` columns (one stands for both)."""
    return (year_of(begin) if begin else year_of(end), year_of(end) if end else year_of(begin))


def _widen(
    years: dict[int, tuple[int | None, int | None]],
    unit_id: int,
    span: tuple[int | None, int | None],
) -> None:
    """Add one date's span to the unit's span in ``years`` (earliest first year, latest last)."""
    low, high = span
    old = years.get(unit_id)
    if old is not None:
        old_low, old_high = old
        if low is None or (old_low is not None and old_low < low):
            low = old_low
        if high is None or (old_high is not None and old_high > high):
            high = old_high
    years[unit_id] = (low, high)


@functools.lru_cache(maxsize=4096)
def _decade_facets(begin: int, end: int | None) -> tuple[tuple[str, str, str], ...]:
    """The decade facets of a year span (most units share a few spans)."""
    return tuple(("decade", decade_key(d), f"{d}s") for d in _decades(begin, end))


def _container_text(
    container_type: str,
    indicator: str,
    child_type: str,
    child_indicator: str,
    grandchild_type: str,
    grandchild_indicator: str,
) -> str:
    """``str(ContainerInstance)`` ("Box 3, Folder 12") from the columns, without instances."""
    parts = [f"{container_type.title()} {indicator}"]
    if child_indicator:
        parts.append(f"{(child_type or 'folder').title()} {child_indicator}")
    if grandchild_indicator:
        parts.append(f"{(grandchild_type or 'item').title()} {grandchild_indicator}")
    return ", ".join(parts)


def _build(scope: Q, *, public: set[int] | None = None) -> Iterator[IndexRow]:
    """Index rows for the public units within ``scope`` (a Q on Component).

    One query per related table for the whole scope, so the cost does not grow with the
    number of units beyond the rows themselves. ``public``, when given, is the set of public
    unit ids already worked out for the scope (see ``visibility.public_unit_ids``).

    Every query runs before this returns; the rows are then built as they are consumed, with
    no further query, so a backend can stream them into a ``COPY`` as they come.
    """
    candidates = Component.objects.filter(scope)
    if public is None:
        candidates = visibility.public_units(candidates)
    else:
        candidates = candidates.filter(published=True)
    units = [
        row
        for row in candidates.order_by().values_list(
            "id", "collection_id", "level", "identifier", "title", "languages"
        )
        if public is None or row[0] in public
    ]
    if not units:
        return iter(())
    ids = {u[0] for u in units}
    # The unit id range as well as the scope: PostgreSQL then reads the related tables
    # through their unit index, where the scope alone (a join on the collection) led it to
    # scan each of them whole for every collection (slow on a large database).
    # SQLite plans the same either way.
    related = _related(scope) & Q(unit_id__gte=min(ids), unit_id__lte=max(ids))
    return _rows(units, _load(related, ids, {u[1] for u in units}))


@dataclass(slots=True)
class _Loaded:
    """What :func:`_build` reads for a set of units, by unit id (collection id for roots)."""

    collections: dict[int, tuple[int, str, object]]  # repository id, root title, languages
    root_creators: dict[int, list[tuple[int, str]]]
    notes: dict[int, list[str]]
    links: dict[int, list[tuple[int, str, str]]]  # agent id, role, name
    variants: dict[int, list[str]]  # by agent id
    subjects: dict[int, list[tuple[int, str, str]]]  # subject id, term, type
    years: dict[int, tuple[int | None, int | None]]
    containers: dict[int, list[str]]
    online: set[int]


def _load(related: Q, ids: set[int], collection_ids: set[int]) -> _Loaded:
    """One query per related table (a few per agent batch for variant names)."""
    collections = {
        cid: (repo_id, root_title, root_languages)
        for cid, repo_id, root_title, root_languages in Component.objects.filter(
            collection_id__in=collection_ids, depth=1
        ).values_list("collection_id", "collection__repository_id", "title", "languages")
    }
    root_creators = _root_creators(collection_ids)
    notes = _notes(related, ids)
    links, agent_ids = _agent_links(related)
    return _Loaded(
        collections=collections,
        root_creators=root_creators,
        notes=notes,
        links=links,
        variants=_variants(agent_ids),
        subjects=_subjects(related),
        years=_years(related),
        containers=_containers(related),
        online=set(
            DigitalObject.objects.filter(related, published=True)
            .order_by()
            .values_list("unit_id", flat=True)
            .distinct()
        ),
    )


def _root_creators(collection_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    """Creators of the collection count as creators of everything in it (as in ArcLight)."""
    root_creators: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for cid, agent_id, name in AgentLink.objects.filter(
        unit__collection_id__in=collection_ids,
        unit__depth=1,
        unit__published=True,
        role=AgentLink.Role.CREATOR,
        published=True,
        agent__published=True,
    ).values_list("unit__collection_id", "agent_id", "agent__authorized_name"):
        root_creators[cid].append((agent_id, name))
    return root_creators


def _notes(related: Q, ids: set[int]) -> dict[int, list[str]]:
    """The plain text of the units' published notes, in their order."""
    notes: dict[int, list[str]] = defaultdict(list)
    for unit_id, content in (
        Note.objects.filter(related, published=True)
        .order_by("unit_id", "position", "id")
        .values_list("unit_id", "content")
        .iterator(chunk_size=5000)
    ):
        if unit_id in ids:
            text = fragment_text(content)
            if text:
                notes[unit_id].append(text)
    return notes


def _agent_links(related: Q) -> tuple[dict[int, list[tuple[int, str, str]]], set[int]]:
    """The units' published links to published agents, and the agents' ids."""
    links: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    agent_ids: set[int] = set()
    for unit_id, agent_id, role, name in (
        AgentLink.objects.filter(related, published=True, agent__published=True)
        .order_by("unit_id", "position", "id")
        .values_list("unit_id", "agent_id", "role", "agent__authorized_name")
        .iterator(chunk_size=5000)
    ):
        links[unit_id].append((agent_id, role, name))
        agent_ids.add(agent_id)
    return links, agent_ids


def _variants(agent_ids: set[int]) -> dict[int, list[str]]:
    """The agents' variant names, read in batches of ids."""
    variants: dict[int, list[str]] = defaultdict(list)
    agent_list = sorted(agent_ids)
    for start in range(0, len(agent_list), BATCH):
        for agent_id, name in AgentVariantName.objects.filter(
            agent_id__in=agent_list[start : start + BATCH]
        ).values_list("agent_id", "name"):
            variants[agent_id].append(name)
    return variants


def _subjects(related: Q) -> dict[int, list[tuple[int, str, str]]]:
    """The units' published links to published subjects."""
    subjects: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for unit_id, subject_id, term, subject_type in (
        SubjectLink.objects.filter(related, published=True, subject__published=True)
        .order_by("unit_id", "position", "id")
        .values_list("unit_id", "subject_id", "subject__term", "subject__subject_type")
        .iterator(chunk_size=5000)
    ):
        subjects[unit_id].append((subject_id, term, subject_type))
    return subjects


def _years(related: Q) -> dict[int, tuple[int | None, int | None]]:
    """Each unit's first and last year over its published dates."""
    years: dict[int, tuple[int | None, int | None]] = {}
    for unit_id, begin, end in (
        UnitDate.objects.filter(related, published=True)
        .order_by()
        .values_list("unit_id", "begin", "end")
        .iterator(chunk_size=5000)
    ):
        _widen(years, unit_id, _span(begin, end))
    return years


def _containers(related: Q) -> dict[int, list[str]]:
    """The units' published containers as text ("Box 3, Folder 12").

    Tuples rather than model instances: building 100,000 ContainerInstance and Container
    objects cost more than the rest of the index build together.
    """
    containers: dict[int, list[str]] = defaultdict(list)
    for unit_id, *parts in (
        ContainerInstance.objects.filter(related, published=True)
        .order_by("unit_id", "position", "id")
        .values_list(
            "unit_id",
            "container__container_type",
            "container__indicator",
            "child_type",
            "child_indicator",
            "grandchild_type",
            "grandchild_indicator",
        )
        .iterator(chunk_size=5000)
    ):
        containers[unit_id].append(_container_text(*parts))
    return containers


def _rows(units: list[tuple], loaded: _Loaded) -> Iterator[IndexRow]:
    """The second half of :func:`_build` (and of the load-time feed): one row per unit of
    ``units`` (id, collection id, level, identifier, title, languages) from what was loaded."""
    # A unit without languages of its own counts under its collection's: read those once.
    root_languages: dict[int, Sequence[tuple[str, str]]] = {
        cid: _language_facets(languages) for cid, (_, _, languages) in loaded.collections.items()
    }
    for unit in units:
        yield _row(unit, loaded, root_languages)


def _row(
    unit: tuple, loaded: _Loaded, root_languages: dict[int, Sequence[tuple[str, str]]]
) -> IndexRow:
    """One unit's index row: its facets, then its texts."""
    unit_id, cid, level, identifier, title, languages = unit
    # A system's own key (``archive.display``) is no word a researcher searches for, and
    # would show as the hit's snippet: it is left out of the index by its value.
    if is_system_identifier(identifier):
        identifier = ""
    # Repository, collection and level are columns of the index row: they are counted from
    # there (``query._facet_rows``), so no facet row repeats them for every unit.
    facets: list[tuple[str, str, str]] = []
    name_parts = _name_facets(
        loaded.links, loaded.variants, loaded.root_creators, unit_id, cid, facets
    )
    subject_parts = _subject_facets(loaded.subjects.get(unit_id, ()), facets)
    own_languages = _language_facets(languages) if languages else []
    for code, label in own_languages or root_languages.get(cid, ()):
        facets.append(("language", code, label))
    low, high = _year_facets(loaded.years.get(unit_id, (None, None)), facets)
    online = unit_id in loaded.online
    if online:
        facets.append(("online", "1", "Online content"))
    texts, kept = _texts(
        unit_id,
        title,
        name_parts,
        subject_parts,
        identifier,
        loaded.containers.get(unit_id),
        loaded.notes.get(unit_id, ()),
    )
    return IndexRow(
        unit_id=unit_id,
        collection_id=cid,
        repository_id=loaded.collections[cid][0] if cid in loaded.collections else 0,
        level=level,
        sort_title=fold(title or identifier or "")[:500],
        begin_year=low,
        end_year=high,
        online=online,
        title=texts[0],
        names=texts[1],
        subjects=texts[2],
        identifier=texts[3],
        notes=texts[4],
        facets=facets,
        wide_span=_is_wide(low, high),
        words_kept=kept,
    )


def _texts(
    unit_id: int,
    title: str,
    name_parts: list[str],
    subject_parts: list[str],
    identifier: str,
    boxes: list[str] | None,
    notes: Iterable[str],
) -> tuple[list[str], int]:
    """The unit's searchable texts (title, names, subjects, identifiers, notes), cut to fit
    the index, and the words kept (-1 when nothing was cut: see ``text.fit_words``)."""
    identifiers = " ".join([p for p in (identifier, *boxes) if p]) if boxes else identifier
    texts, kept = fit_words(
        [
            clean(title),
            clean("; ".join(name_parts)),
            clean("; ".join(subject_parts)),
            clean(identifiers),
            clean(" ".join(notes)),
        ]
    )
    if kept >= 0:
        logger.warning("unit %s: only its first %s words fit the search index", unit_id, kept)
    return texts, kept


def _subject_facets(
    links: Iterable[tuple[int, str, str]], facets: list[tuple[str, str, str]]
) -> list[str]:
    """The unit's subjects as searchable terms, and as facets (place, genre or subject)."""
    subject_parts: list[str] = []
    for subject_id, term, subject_type in links:
        subject_parts.append(term)
        kind = _SUBJECT_FACET.get(subject_type, "subject")
        facets.append((kind, str(subject_id), term))
    return subject_parts


def _year_facets(
    span: tuple[int | None, int | None], facets: list[tuple[str, str, str]]
) -> tuple[int | None, int | None]:
    """The unit's first and last year (one standing for both when the other is unknown),
    with its decades added to ``facets``."""
    low, high = span
    if low is None:
        low = high
    if high is None:
        high = low
    if low is not None:
        facets.extend(_decade_facets(low, high))
    return low, high


def _name_facets(
    links: dict[int, list[tuple[int, str, str]]],
    variants: dict[int, list[str]],
    root_creators: dict[int, list[tuple[int, str]]],
    unit_id: int,
    cid: int,
    facets: list[tuple[str, str, str]],
) -> list[str]:
    """The unit's agents as searchable names (with their variants), and as name and creator
    facets in ``facets``; the collection's creators are creators of the unit too."""
    name_parts: list[str] = []
    creator_ids: set[int] = set()
    seen_names: set[int] = set()
    for agent_id, role, name in links.get(unit_id, ()):
        if agent_id not in seen_names:
            seen_names.add(agent_id)
            name_parts.append(name)
            name_parts.extend(variants.get(agent_id, ()))
            facets.append(("name", str(agent_id), name))
        if role == AgentLink.Role.CREATOR and agent_id not in creator_ids:
            creator_ids.add(agent_id)
            facets.append(("creator", str(agent_id), name))
    for agent_id, name in root_creators.get(cid, ()):
        if agent_id not in creator_ids:
            creator_ids.add(agent_id)
            facets.append(("creator", str(agent_id), name))
    return name_parts
