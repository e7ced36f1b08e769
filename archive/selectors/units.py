"""The collection and component pages: the unit itself, its notes, restrictions, citation.

A unit is fetched with everything its page shows in a fixed number of queries
(``unit_queryset``); the helpers below then read the prefetched rows, not the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import (
    Prefetch,
    QuerySet,
)
from django.http import Http404

from archive import tree
from archive.ead.markup import fragment_plain_text
from archive.models import (
    AgentLink,
    Collection,
    Component,
    DigitalObject,
    Note,
    NoteType,
    Subject,
    SubjectLink,
)
from archive.selectors.outline import OUTLINE_FIELDS
from archive.visibility import (
    count_public,
    is_public,
    public_container_instances,
    public_dates,
    public_extents,
    public_fragment,
    public_items,
    public_units,
)

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
RESTRICTION_NOTES: tuple[str, ...] = (NoteType.ACCESS_RESTRICT, NoteType.USE_RESTRICT)

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
            if root.shown_identifier:
                coll = f"{coll} ({root.shown_identifier})"
            parts.append(coll)
    elif unit.shown_identifier:
        parts[-1] = f"{parts[-1]} ({unit.shown_identifier})"
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


def creators(unit: Component) -> list[AgentLink]:
    return [link for link in unit.agent_links.all() if link.role == AgentLink.Role.CREATOR]


def other_agents(unit: Component) -> list[AgentLink]:
    return [link for link in unit.agent_links.all() if link.role != AgentLink.Role.CREATOR]


def subjects_by_type(unit: Component) -> list[tuple[str, list[Subject]]]:
    groups: dict[str, list[Subject]] = {}
    for link in unit.subject_links.all():
        groups.setdefault(link.subject.get_subject_type_display(), []).append(link.subject)
    return list(groups.items())
