"""What a harvester sees of a finding aid: its header (identifier, datestamp, set, status) and
its metadata in each format. Public material only, decided by :mod:`archive.visibility`.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from archive import conf, selectors, visibility
from archive.ead.markup import fragment_plain_text
from archive.models import (
    AgentLink,
    Collection,
    Component,
    HarvestTombstone,
    Note,
    NoteType,
    Repository,
    SubjectLink,
)
from archive.oai.identifiers import identifier_parse, record_identifier
from archive.services import exports

MetadataPrefix = Literal["oai_dc", "oai_ead", "ead3"]


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str
    export: exports.ExportFormat | None  # the EAD export that is the record, None for DC


FORMATS: dict[str, MetadataFormat] = {
    f.prefix: f
    for f in (
        MetadataFormat(
            "oai_dc",
            "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
            "http://www.openarchives.org/OAI/2.0/oai_dc/",
            None,
        ),
        MetadataFormat(
            "oai_ead",
            "https://www.loc.gov/ead/ead.xsd",
            "urn:isbn:1-931666-22-9",
            "ead2002",
        ),
        MetadataFormat(
            "ead3",
            "https://www.loc.gov/ead/ead3.xsd",
            "http://ead3.archivists.org/schema/",
            "ead3",
        ),
    )
}


# --------------------------------------------------------------------------- datestamps

#: The column :func:`oai_datestamp` reads, for filtering and ordering in the database.
DATESTAMP_FIELD = "content_changed"


def oai_datestamp(collection: Collection) -> dt.datetime:
    """When anything public in the finding aid last changed: the record's datestamp.

    ``Collection.content_changed``, the collection's content stamp
    (:mod:`archive.services.changes`): moved in the same transaction by every edit of the
    collection or anything in it, publishing, outline moves, imports and replaces, and renames
    of the names and subjects it uses.
    """
    return getattr(collection, DATESTAMP_FIELD)


def datestamp_text(value: dt.datetime) -> str:
    """``YYYY-MM-DDThh:mm:ssZ`` in UTC (the repository's granularity is seconds)."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def earliest_datestamp() -> dt.datetime:
    """The oldest datestamp of any record, live or deleted (now when there is none)."""
    candidates = [
        visibility.public_collections()
        .order_by(DATESTAMP_FIELD)
        .values_list(DATESTAMP_FIELD, flat=True)
        .first(),
        HarvestTombstone.objects.order_by("deleted_at")
        .values_list("deleted_at", flat=True)
        .first(),
    ]
    present = [c for c in candidates if c is not None]
    return min(present) if present else timezone.now()


# --------------------------------------------------------------------------- headers

Key = tuple[str, str, str]  # (datestamp in ISO 8601 UTC with microseconds, code, EAD id)


@dataclass(frozen=True, slots=True)
class Header:
    identifier: str
    datestamp: dt.datetime
    set_spec: str  # the repository code
    ead_id: str
    deleted: bool
    collection: Collection | None  # None for a deleted record

    @property
    def key(self) -> Key:
        """The record's place in every list: (datestamp, repository code, EAD id)."""
        return (self.datestamp.astimezone(dt.UTC).isoformat(), self.set_spec, self.ead_id)


@dataclass(frozen=True, slots=True)
class Window:
    """The selective-harvesting arguments: a set, and a datestamp range [start, end)."""

    set_spec: str | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None  # exclusive


def _live(window: Window) -> QuerySet[Collection]:
    qs = visibility.public_collections().select_related("repository")
    if window.set_spec is not None:
        qs = qs.filter(repository__code=window.set_spec)
    if window.start is not None:
        qs = qs.filter(**{f"{DATESTAMP_FIELD}__gte": window.start})
    if window.end is not None:
        qs = qs.filter(**{f"{DATESTAMP_FIELD}__lt": window.end})
    return qs


def _deleted(window: Window) -> QuerySet[HarvestTombstone]:
    qs = HarvestTombstone.objects.all()
    if window.set_spec is not None:
        qs = qs.filter(repository_code=window.set_spec)
    if window.start is not None:
        qs = qs.filter(deleted_at__gte=window.start)
    if window.end is not None:
        qs = qs.filter(deleted_at__lt=window.end)
    return qs


def _after(key: Key | None, stamp: str, code: str, ead_id: str) -> Q:
    if key is None:
        return Q()
    when = dt.datetime.fromisoformat(key[0])
    return (
        Q(**{f"{stamp}__gt": when})
        | Q(**{stamp: when, f"{code}__gt": key[1]})
        | Q(**{stamp: when, code: key[1], f"{ead_id}__gt": key[2]})
    )


def _live_header(collection: Collection, namespace: str) -> Header:
    code = collection.repository.code
    return Header(
        identifier=record_identifier(
            namespace=namespace, repository_code=code, ead_id=collection.ead_id
        ),
        datestamp=oai_datestamp(collection),
        set_spec=code,
        ead_id=collection.ead_id,
        deleted=False,
        collection=collection,
    )


def _deleted_header(tombstone: HarvestTombstone, namespace: str) -> Header:
    return Header(
        identifier=record_identifier(
            namespace=namespace, repository_code=tombstone.repository_code, ead_id=tombstone.ead_id
        ),
        datestamp=tombstone.deleted_at,
        set_spec=tombstone.repository_code,
        ead_id=tombstone.ead_id,
        deleted=True,
        collection=None,
    )


def headers_count(window: Window) -> int:
    """completeListSize: every record, live or deleted, in the window."""
    return _live(window).count() + _deleted(window).count()


def headers_page(window: Window, *, after: Key | None, limit: int) -> tuple[list[Header], bool]:
    """Up to ``limit`` headers in (datestamp, code, EAD id) order after ``after``, and whether
    more follow. Two queries of at most ``limit + 1`` rows each."""
    namespace = conf.oai_namespace()
    live = (
        _live(window)
        .filter(_after(after, DATESTAMP_FIELD, "repository__code", "ead_id"))
        .order_by(DATESTAMP_FIELD, "repository__code", "ead_id")[: limit + 1]
    )
    gone = (
        _deleted(window)
        .filter(_after(after, "deleted_at", "repository_code", "ead_id"))
        .order_by("deleted_at", "repository_code", "ead_id")[: limit + 1]
    )
    merged = list(
        heapq.merge(
            (_live_header(c, namespace) for c in live),
            (_deleted_header(t, namespace) for t in gone),
            key=lambda h: (h.datestamp, h.set_spec, h.ead_id),
        )
    )
    return merged[:limit], len(merged) > limit


def header_get(identifier: str) -> Header | None:
    """The record with this identifier, live or deleted; None if there is none."""
    namespace = conf.oai_namespace()
    parsed = identifier_parse(namespace=namespace, identifier=identifier)
    if parsed is None:
        return None
    code, ead_id = parsed
    collection = (
        visibility.public_collections()
        .select_related("repository")
        .filter(repository__code=code, ead_id=ead_id)
        .first()
    )
    if collection is not None:
        return _live_header(collection, namespace)
    tombstone = HarvestTombstone.objects.filter(repository_code=code, ead_id=ead_id).first()
    return _deleted_header(tombstone, namespace) if tombstone is not None else None


# --------------------------------------------------------------------------- sets


def sets_list() -> list[tuple[str, str]]:
    """``(setSpec, setName)``: one set per repository holding a public finding aid."""
    public = visibility.public_collections().values("repository_id")
    return list(
        Repository.objects.filter(pk__in=public).order_by("code").values_list("code", "name")
    )


# --------------------------------------------------------------------------- metadata


def dublin_core(collections: list[Collection], *, origin: str) -> dict[int, list[tuple[str, str]]]:
    """Collection-level Dublin Core of each collection as ``(element, text)`` pairs, by
    collection id; public material only. ``origin`` (``https://host``) makes the page URL.

    Six queries for a whole page of records (the root descriptions with their dates,
    extents, abstracts, agent and subject links), whatever the size of the finding aids.
    """
    by_id = {c.pk: c for c in collections}
    roots = visibility.public_units(
        Component.objects.filter(collection_id__in=by_id, depth=1)
    ).prefetch_related(
        Prefetch("dates", queryset=visibility.public_dates()),
        Prefetch("extents", queryset=visibility.public_extents()),
        Prefetch(
            "notes",
            queryset=Note.objects.filter(published=True, note_type=NoteType.ABSTRACT).order_by(
                "position", "id"
            ),
        ),
        Prefetch(
            "agent_links",
            queryset=visibility.public_links(AgentLink.objects.all())
            .filter(agent__published=True)
            .select_related("agent"),
        ),
        Prefetch(
            "subject_links",
            queryset=visibility.public_links(SubjectLink.objects.all())
            .filter(subject__published=True)
            .select_related("subject"),
        ),
    )
    return {
        root.collection_id: _dc_elements(
            root,
            by_id[root.collection_id],
            origin + by_id[root.collection_id].get_absolute_url(),
        )
        for root in roots
    }


def _dc_elements(root: Component, collection: Collection, url: str) -> list[tuple[str, str]]:
    elements: list[tuple[str, str]] = []
    title = (
        fragment_plain_text(visibility.public_fragment(root.title_markup))
        if root.title_markup
        else root.title
    )
    elements.append(("title", _clean(title) or collection.ead_id))
    for link in root.agent_links.all():
        if link.role == AgentLink.Role.CREATOR:
            elements.append(("creator", link.agent.authorized_name))
    for link in root.agent_links.all():
        if link.role == AgentLink.Role.SUBJECT:
            elements.append(("subject", link.agent.authorized_name))
    for link in root.subject_links.all():
        elements.append(("subject", link.subject.term))
    for note in root.notes.all():
        text = _clean(fragment_plain_text(visibility.public_fragment(note.content), separate=True))
        if text:
            elements.append(("description", text))
    elements.append(("publisher", collection.repository.name))
    for date in root.dates.all():
        if date.display:
            elements.append(("date", date.display))
    elements.append(("type", "Collection"))
    for extent in root.extents.all():
        if str(extent):
            elements.append(("format", str(extent)))
    if root.shown_identifier:
        elements.append(("identifier", root.shown_identifier))
    elements.append(("identifier", url))
    for language in selectors.languages(root):
        elements.append(("language", language))
    return [(name, text) for name, text in elements if text]


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>\s*")


def ead_chunks(collection: Collection, fmt: exports.ExportFormat) -> Iterator[bytes]:
    """The public EAD export of ``collection`` without its XML declaration, in pieces.

    The one place the provider reads an export: the same document as the public download,
    streamed (memory does not grow with the finding aid). To serve it from the validated
    export cache instead, change this function only.
    """
    chunks = exports.collection_export_chunks(collection=collection, fmt=fmt)
    head: bytes | None = b""
    for chunk in chunks:
        if head is not None:
            head += chunk
            if b"?>" not in head and len(head) < 256:
                continue
            yield _DECLARATION.sub(b"", head, count=1)
            head = None
            continue
        yield chunk
    if head:
        yield _DECLARATION.sub(b"", head, count=1)
