"""Agents in and out as EAC-CPF 2010 authority records.

Import (``eac_import``): each file is read (``archive.eac``), matched to an existing agent or
created, in one transaction of its own, so a file that fails leaves the database as it was.
The match, in order:

1. an id of the record (``recordId``, ``otherRecordId``, ``entityId``) equal to an agent's
   ``record_id`` or ``authority_id``: the EAD import keeps ``authfilenumber`` in
   ``authority_id``, so a finding aid's creator is found by the id it cites;
2. else the same normalised authorised name (case, accents, punctuation and spacing aside)
   and agent type, with no disagreeing dates of existence ("1890" agrees with "1890-12-30").

A new agent takes the record's ``recordId`` as its ``authority_id`` too, which is what the EAD
import looks up for an ``authfilenumber``: whichever comes first, one agent.

Relations (``cpfRelation``) whose target is an agent already in Fonds, or imported in the same
batch, become :class:`AgentRelation` rows; the others are kept as the record wrote them in
``Agent.other_relations`` and written back on export. After a batch, relations kept as text
by any agent that now name an agent of the batch are linked.

Export (``eac_export``): an agent as an EAC-CPF document, validated against ``cpf.xsd``
before it is returned. A public export exists only for a public agent
(``visibility.public_authorities``) and names only the collections the public may see through
public links; the staff export names every collection the agent is linked to.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from archive import conf, permissions, visibility
from archive.eac import EACError, read_eac, write_eac
from archive.eac import records as r
from archive.ead.parsing import Source
from archive.models import Agent, AgentLink, AgentRelation, AgentVariantName, Collection
from archive.permissions import User
from archive.search import index as search_index
from archive.services.validation import DocumentInvalid, document_validate

Rel = AgentRelation.RelationType

ENTITY_TO_AGENT = {
    "person": Agent.AgentType.PERSON,
    "family": Agent.AgentType.FAMILY,
    "corporateBody": Agent.AgentType.CORPORATE,
}
AGENT_TO_ENTITY: dict[str, str] = {value: key for key, value in ENTITY_TO_AGENT.items()}
ROLE_TO_RESOURCE = {
    AgentLink.Role.CREATOR: "creatorOf",
    AgentLink.Role.SUBJECT: "subjectOf",
    AgentLink.Role.SOURCE: "other",
}


class AgentNotPublic(Exception):
    """A public export was asked for an agent the public may not see."""


class EACExportError(Exception):
    """The export does not validate against cpf.xsd (a bug: never served or written)."""


@dataclass
class FileResult:
    """What one file did: the agent it made or updated, or the error that stopped it."""

    name: str
    agent: Agent | None = None
    created: bool = False
    warnings: list[str] = field(default_factory=list)
    linked: int = 0  # relations that became AgentRelation rows
    kept: int = 0  # relations kept as text
    error: str | None = None

    def summary(self) -> str:
        if self.error:
            return f"{self.name}: FAILED: {self.error}"
        verb = "created" if self.created else "updated"
        agent_id = self.agent.pk if self.agent is not None else None
        return (
            f"{self.name}: {verb} agent “{self.agent}” (id {agent_id}); "
            f"{self.linked} relations linked, {self.kept} kept as text, "
            f"{len(self.warnings)} warnings"
        )


# --------------------------------------------------------------------------- import


def eac_import(
    *, files: Iterable[tuple[str, Source]], user: User | None = None
) -> list[FileResult]:
    """Import EAC-CPF files (``(name, path | bytes | stream)`` pairs) as agents.

    Every file is read and saved on its own; a failure is reported in its result and the
    others go on. Relations between the files of the batch are linked at the end.
    """
    results: list[FileResult] = []
    imported: set[int] = set()
    for name, source in files:
        result = FileResult(name)
        results.append(result)
        try:
            record = read_eac(source, filename=name)
        except EACError as exc:
            result.error = str(exc)
            continue
        result.warnings = [
            f"{name}, line {w.line}: {w.message}" if w.line else f"{name}: {w.message}"
            for w in record.warnings
        ]
        try:
            with transaction.atomic():
                # The search index follows the agent's names: one reindex of its units, by
                # the last save, rather than one for each variant name written.
                with search_index.paused():
                    agent, created = _agent_upsert(record, user=user)
                    linked, kept = _relations_save(agent, record)
                agent.save(update_fields=["other_relations", "updated"])
        except (DatabaseError, ValueError) as exc:
            result.error = f"{name}: not saved: {exc}"
            continue
        result.agent, result.created, result.linked, result.kept = agent, created, linked, kept
        imported.add(agent.pk)
    if imported:
        later = _link_waiting(imported)
        for result in results:
            if result.agent is not None and result.agent.pk in later:
                result.linked += later[result.agent.pk]
                result.kept -= later[result.agent.pk]
    return results


def normalised_name(text: str) -> str:
    """A name folded for matching: no accents, case, punctuation or spacing differences."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", letters.casefold()).split())


def existence_columns(dates: tuple[r.Date, ...]) -> tuple[str, str]:
    """(begin, end) for the agent's ISO columns: the first date of existence, ISO when the
    record gives it, else its text."""
    if not dates:
        return "", ""
    first = dates[0]
    begin = (first.standard or first.text)[:32]
    end = (first.to_standard or first.to_text)[:32] if first.ranged else ""
    return begin, end


def agent_match(record: r.AuthorityRecord) -> Agent | None:
    """The agent this record describes, if Fonds has it (see the module's matching rule)."""
    ids = list(record.identifiers)
    if ids:
        found = (
            Agent.objects.filter(Q(record_id__in=ids) | Q(authority_id__in=ids))
            .order_by("pk")
            .first()
        )
        if found is not None:
            return found
    name = record.authorized_name.text
    key = normalised_name(name)
    agent_type = ENTITY_TO_AGENT[record.entity_type]
    begin, end = existence_columns(record.exist_dates)
    # (a word without accents: SQLite's icontains folds ASCII case only)
    words = sorted(re.findall(r"[A-Za-z0-9]{3,}", name), key=len, reverse=True)
    candidates = Agent.objects.filter(agent_type=agent_type)
    candidates = candidates.filter(authorized_name__icontains=words[0]) if words else candidates
    for agent in candidates.order_by("pk").iterator(chunk_size=200):
        if normalised_name(agent.authorized_name) != key:
            continue
        if _dates_agree(agent.existence_begin, begin) and _dates_agree(agent.existence_end, end):
            return agent
    return None


def _dates_agree(ours: str, theirs: str) -> bool:
    """Two dates of existence agree when either is unknown or one is the other made more
    precise ("1890" and "1890-12-30")."""
    return not ours or not theirs or ours.startswith(theirs) or theirs.startswith(ours)


def _agent_upsert(record: r.AuthorityRecord, *, user: User | None) -> tuple[Agent, bool]:
    agent = agent_match(record)
    created = agent is None
    if agent is None:
        agent = Agent(authority_id=record.record_id[:500])
    name = record.authorized_name
    agent.agent_type = ENTITY_TO_AGENT[record.entity_type]
    agent.authorized_name = name.text[:500]
    begin, end = existence_columns(record.exist_dates)
    if record.exist_dates:
        agent.existence_begin, agent.existence_end = begin, end
    if record.biography:
        agent.biography = record.biography
    if not agent.record_id or created:
        agent.record_id = record.record_id[:255]
    if not agent.authority_id:
        agent.authority_id = record.record_id[:500]
    agent.maintenance_agency = record.maintenance_agency[:255]
    agent.places = [_term_json(t) for t in record.places]
    agent.occupations = [_term_json(t) for t in record.occupations]
    agent.functions = [_term_json(t) for t in record.functions]
    agent.sources = list(record.sources)
    other_ids = list(record.other_record_ids)
    if record.record_id and agent.record_id != record.record_id:
        other_ids.append(r.Identifier(record.record_id, "recordId"))
    agent.authority_record = {
        "record_id": record.record_id,
        "other_record_ids": [asdict(i) for i in other_ids],
        "entity_ids": [asdict(i) for i in record.entity_ids],
        "agency_code": record.agency_code,
        "language": record.language,
        "script": record.script,
        "name": _name_json(name),
        "exist_dates": [asdict(d) for d in record.exist_dates],
        "existence": [begin, end],
        "exist_note": record.exist_note,
        "legal_statuses": [_term_json(t) for t in record.legal_statuses],
        "local_descriptions": [_term_json(t) for t in record.local_descriptions],
        "mandates": list(record.mandates),
        "structure": record.structure,
        "general_context": record.general_context,
        "resource_relations": [_relation_json(x) for x in record.relations if x.kind != "cpf"],
    }
    if user is not None and user.is_authenticated:
        agent._history_user = user  # type: ignore[attr-defined]  # read by simple-history
    agent.save()
    _variants_save(agent, record.variant_names)
    return agent, created


def _variants_save(agent: Agent, variants: tuple[r.Name, ...]) -> None:
    """The record's variant names, each updating a variant of the same name (one for one:
    a record may give a name twice, with other dates) or added. Variants of an earlier
    record that this one drops go; variants typed in the admin stay (an import never loses
    a name someone typed)."""
    pool: dict[str, list[AgentVariantName]] = {}
    for row in agent.variant_names.order_by("pk"):
        pool.setdefault(row.name, []).append(row)
    for variant in variants:
        text = variant.text[:500]
        rows = pool.get(text)
        row = rows.pop(0) if rows else AgentVariantName(agent=agent, name=text)
        row.note = row.note or ", ".join(variant.forms)[:255]
        row.details = _name_json(variant)
        row.save()
    stale = [row.pk for rows in pool.values() for row in rows if row.details]
    AgentVariantName.objects.filter(pk__in=stale).delete()


def _term_json(term: r.Term) -> dict[str, Any]:
    data = asdict(term)
    return {key: value for key, value in data.items() if value}


def _name_json(name: r.Name) -> dict[str, Any]:
    return {
        "text": name.text,
        "parts": [asdict(p) for p in name.parts],
        "dates": [asdict(d) for d in name.dates],
        "forms": list(name.forms),
        "authorized": name.authorized,
        "local_type": name.local_type,
        "lang": name.lang,
        "script": name.script,
        "parallel": name.parallel,
    }


def _relation_json(relation: r.Relation) -> dict[str, Any]:
    data = asdict(relation)
    data.pop("line")
    return {key: value for key, value in data.items() if value}


def relation_type_for(relation: r.Relation) -> str:
    """The model's relation type for an EAC ``cpfRelation``, read "source is … of target".

    EAC types name the target's place: ``hierarchical-child`` means the target is below the
    record's entity, so the entity is its parent. Only symmetric family words (spouse,
    sibling) are read from the arcrole or note; employee or member are not guessed, since
    real records word their direction either way. The original wording is kept with the row.
    """
    words = normalised_name(f"{relation.arcrole} {relation.note}")
    if re.search(r"spouse|epou|conjoint|married|wife|husband", words):
        return Rel.SPOUSE
    if re.search(r"sibling|brother|sister|frere|soeur", words):
        return Rel.SIBLING
    if relation.relation_type == "hierarchical-child":
        return Rel.PARENT
    if relation.relation_type == "hierarchical-parent":
        return Rel.CHILD
    return Rel.ASSOCIATE


def _dates_label(dates: Iterable[dict[str, Any] | r.Date]) -> str:
    labels = [(d if isinstance(d, r.Date) else r.Date(**d)).label() for d in dates]
    return ", ".join(label for label in labels if label)


class _Targets:
    """The agents some relations name, looked up in two queries: by id (their hrefs, against
    ``record_id`` and ``authority_id``), else by authorised name when only one agent has it."""

    def __init__(self, relations: Iterable[dict[str, Any]]) -> None:
        relations = list(relations)
        hrefs = {d["href"] for d in relations if d.get("href")}
        entries = {d["entry"] for d in relations if d.get("entry")}
        self.by_id: dict[str, Agent] = {}
        self.by_name: dict[str, list[Agent]] = {}
        if hrefs:
            found = Agent.objects.filter(Q(record_id__in=hrefs) | Q(authority_id__in=hrefs))
            for agent in found.order_by("pk"):
                for value in (agent.record_id, agent.authority_id):
                    if value in hrefs:
                        self.by_id.setdefault(value, agent)
        if entries:
            for agent in Agent.objects.filter(authorized_name__in=entries).order_by("pk"):
                self.by_name.setdefault(agent.authorized_name, []).append(agent)

    def find(self, data: dict[str, Any], *, source: Agent) -> Agent | None:
        """The target of one relation of ``source`` (never ``source`` itself)."""
        found = self.by_id.get(data.get("href", ""))
        if found is not None and found.pk != source.pk:
            return found
        named = [a for a in self.by_name.get(data.get("entry", ""), []) if a.pk != source.pk]
        return named[0] if len(named) == 1 else None


def _relations_save(agent: Agent, record: r.AuthorityRecord) -> tuple[int, int]:
    """Replace the agent's relations that came from an authority record with this record's
    (those made in the admin, without imported wording, stay); returns (linked, kept)."""
    agent.relations.exclude(attributes={}).delete()
    relations = [_relation_json(x) for x in record.relations if x.kind == "cpf"]
    targets = _Targets(relations)
    kept: list[dict[str, Any]] = []
    for data in relations:
        target = targets.find(data, source=agent)
        if target is None or not _relation_add(agent, target, data):
            kept.append(data)
    agent.other_relations = kept  # (saved by the caller)
    return len(relations) - len(kept), len(kept)


def _relation_add(agent: Agent, target: Agent, data: dict[str, Any]) -> bool:
    """One AgentRelation row for an EAC relation; False when the same kind of relation to
    the same agent is already there (the unique rule): the caller keeps it as text."""
    relation = r.Relation(
        kind="cpf", **{k: v for k, v in data.items() if k not in ("kind", "dates")}
    )
    relation_type = relation_type_for(relation)
    if AgentRelation.objects.filter(
        source=agent, target=target, relation_type=relation_type
    ).exists():
        return False
    AgentRelation.objects.create(
        source=agent,
        target=target,
        relation_type=relation_type,
        description=relation.note[:255],
        dates=_dates_label(data.get("dates", ()))[:64],
        attributes=data,
    )
    return True


def _link_waiting(batch: set[int]) -> dict[int, int]:
    """Turn relations kept as text into rows where they now name an agent of the batch.

    Returns how many were linked per source agent. Each agent is saved in a transaction of
    its own.
    """
    keys: set[str] = set()
    for values in Agent.objects.filter(pk__in=batch).values_list(
        "record_id", "authority_id", "authorized_name"
    ):
        keys.update(v for v in values if v)
    waiting = [
        agent
        for agent in Agent.objects.exclude(other_relations=[]).order_by("pk").iterator(2000)
        if any(d.get("href") in keys or d.get("entry") in keys for d in agent.other_relations)
    ]
    targets = _Targets(d for agent in waiting for d in agent.other_relations)
    counts: dict[int, int] = {}
    for agent in waiting:
        kept = []
        with transaction.atomic():
            for data in agent.other_relations:
                target = targets.find(data, source=agent)
                if target is not None and target.pk in batch and _relation_add(agent, target, data):
                    counts[agent.pk] = counts.get(agent.pk, 0) + 1
                else:
                    kept.append(data)
            if len(kept) != len(agent.other_relations):
                agent.other_relations = kept
                agent.save(update_fields=["other_relations", "updated"])
    return counts


# --------------------------------------------------------------------------- export


def eac_export(
    *,
    agent: Agent,
    public: bool = True,
    base_url: str = "",
    user: User | None = None,
) -> bytes:
    """The agent as a valid EAC-CPF document.

    ``public``: refuse an agent the public may not see (:class:`AgentNotPublic`) and name
    only public collections. ``base_url`` ("https://archives.example.org") makes the
    collections' links absolute; without it they are site paths. ``user``: a staff export
    names the collections this user may see in the admin (all, without a user).
    """
    if public and not visibility.public_authorities(Agent.objects.filter(pk=agent.pk)).exists():
        raise AgentNotPublic(f"agent {agent.slug!r} is not public")
    record = agent_record(agent, public=public, base_url=base_url, user=user)
    data = write_eac(record, revised=agent.updated or timezone.now())
    try:
        document_validate(data, "eac-cpf")
    except DocumentInvalid as exc:
        raise EACExportError(
            f"the EAC-CPF export of agent {agent.slug!r} is invalid: {exc}"
        ) from exc
    return data


def agent_record(
    agent: Agent, *, public: bool, base_url: str = "", user: User | None = None
) -> r.AuthorityRecord:
    """The neutral record of an agent: its columns, what its import kept, its relations and
    the collections it is linked to."""
    kept = agent.authority_record or {}
    name_data = kept.get("name") or {}
    if name_data.get("text") == agent.authorized_name:
        name = _name_from(name_data)
    else:
        name = r.Name(parts=(r.NamePart(agent.authorized_name),), authorized=True)
    variants = []
    for variant in agent.variant_names.all():
        if variant.details.get("text") == variant.name:
            variants.append(_name_from(variant.details))
        else:
            variants.append(r.Name(parts=(r.NamePart(variant.name),)))
    exist_note = ""
    if kept.get("existence") == [agent.existence_begin, agent.existence_end]:
        exist = tuple(r.Date(**d) for d in kept.get("exist_dates", ()))
        exist_note = kept.get("exist_note", "")
    else:
        exist = _existence(agent)
    record_id = agent.record_id or kept.get("record_id") or f"fonds-agent-{agent.pk}"
    return r.AuthorityRecord(
        entity_type=AGENT_TO_ENTITY.get(agent.agent_type, "person"),
        names=(name, *variants),
        record_id=record_id,
        other_record_ids=_identifiers(kept.get("other_record_ids", ()), agent, record_id),
        entity_ids=tuple(r.Identifier(**i) for i in kept.get("entity_ids", ())),
        # (an agent made here is maintained by the institution running Fonds)
        maintenance_agency=agent.maintenance_agency or conf.oai_repository_name(),
        agency_code=kept.get("agency_code", ""),
        language=kept.get("language", ""),
        script=kept.get("script", ""),
        exist_dates=exist,
        exist_note=exist_note,
        biography=agent.biography,
        structure=kept.get("structure", ""),
        general_context=kept.get("general_context", ""),
        places=_terms(agent.places),
        occupations=_terms(agent.occupations),
        functions=_terms(agent.functions),
        legal_statuses=_terms(kept.get("legal_statuses", ())),
        local_descriptions=_terms(kept.get("local_descriptions", ())),
        mandates=tuple(kept.get("mandates", ())),
        sources=tuple(agent.sources),
        relations=(
            *_agent_relations(agent, public=public),
            *(_relation_from(d) for d in agent.other_relations),
            *_resource_relations(agent, public=public, base_url=base_url, user=user),
            *(_relation_from(d) for d in kept.get("resource_relations", ())),
        ),
    )


def _identifiers(items: Iterable[dict[str, Any]], agent: Agent, record_id: str) -> tuple:
    found = [r.Identifier(**i) for i in items]
    values = {i.value for i in found} | {record_id}
    if agent.authority_id and agent.authority_id not in values:
        found.append(r.Identifier(agent.authority_id, agent.authority_source))
    return tuple(found)


def _name_from(data: dict[str, Any]) -> r.Name:
    return r.Name(
        parts=tuple(r.NamePart(**p) for p in data.get("parts", ())),
        dates=tuple(r.Date(**d) for d in data.get("dates", ())),
        authorized=bool(data.get("authorized")),
        forms=tuple(data.get("forms", ())),
        local_type=data.get("local_type", ""),
        lang=data.get("lang", ""),
        script=data.get("script", ""),
        parallel=bool(data.get("parallel")),
    )


def _existence(agent: Agent) -> tuple[r.Date, ...]:
    if agent.existence_begin and agent.existence_end:
        return (
            r.Date(
                agent.existence_begin,
                agent.existence_begin,
                ranged=True,
                to_text=agent.existence_end,
                to_standard=agent.existence_end,
            ),
        )
    if agent.existence_begin or agent.existence_end:
        value = agent.existence_begin or agent.existence_end
        return (r.Date(value, value),)
    return ()


def _terms(items: Iterable[dict[str, Any]]) -> tuple[r.Term, ...]:
    terms = []
    for item in items:
        data = dict(item)
        data["dates"] = tuple(r.Date(**d) for d in data.get("dates", ()))
        terms.append(r.Term(**data))
    return tuple(terms)


def _relation_from(data: dict[str, Any]) -> r.Relation:
    values = dict(data)
    values["dates"] = tuple(r.Date(**d) for d in values.get("dates", ()))
    return r.Relation(**values)


# (source is <type> of target) -> the cpfRelationType that says it from the source's record.
_HIERARCHY: dict[str, str] = {
    Rel.PARENT: "hierarchical-child",
    Rel.CHILD: "hierarchical-parent",
    Rel.EMPLOYEE: "hierarchical-parent",
    Rel.MEMBER: "hierarchical-parent",
}
_TURNED = {"hierarchical-child": "hierarchical-parent", "hierarchical-parent": "hierarchical-child"}


def _agent_relations(agent: Agent, *, public: bool) -> list[r.Relation]:
    """The agent's relations as ``cpfRelation``: its own rows with their imported wording,
    then relations other agents hold to it that it does not state itself, turned round.
    A public export leaves out agents the public may not see, as the agent page does."""
    forward = agent.relations.select_related("source", "target").order_by("pk")
    reverse = agent.reverse_relations.select_related("source", "target").order_by("pk")
    if public:
        visible = visibility.public_authorities(Agent.objects.all()).values("pk")
        forward = forward.filter(target__in=visible)
        reverse = reverse.filter(source__in=visible)
    found = []
    forward_targets = set()
    for row in forward:
        forward_targets.add(row.target_id)
        found.append(_relation_of(row, reverse=False))
    for row in reverse:
        if row.source_id not in forward_targets:
            found.append(_relation_of(row, reverse=True))
    return found


def _relation_of(row: AgentRelation, *, reverse: bool) -> r.Relation:
    """A relation row as written in the record of its source (or, ``reverse``, of its
    target): the imported wording when the row came from a record and still says what the
    row says (same type, same agent: an edit in the admin wins), else built from the row.
    """
    other = row.source if reverse else row.target
    if row.attributes and not reverse:
        relation = _relation_from(row.attributes)
        names_other = relation.entry == other.authorized_name or (
            relation.href and relation.href in (other.record_id, other.authority_id)
        )
        if names_other and relation_type_for(relation) == row.relation_type:
            return relation
    both_people = {row.source.agent_type, row.target.agent_type} <= {"person", "family"}
    kind = row.relation_type
    if kind in (Rel.SPOUSE, Rel.SIBLING) or (both_people and kind in (Rel.PARENT, Rel.CHILD)):
        eac_type = "family"
    else:
        eac_type = _HIERARCHY.get(kind, "associative")
        if reverse:
            eac_type = _TURNED.get(eac_type, eac_type)
    label = AgentRelation.RelationType(kind).label.lower()
    note = f"{row.source} is {label} of {row.target}"
    return r.Relation(
        kind="cpf",
        entry=other.authorized_name,
        relation_type=eac_type,
        href=other.record_id or other.authority_id,
        dates=(r.Date(row.dates),) if row.dates else (),
        note=f"{note}: {row.description}" if row.description else note,
    )


def _resource_relations(
    agent: Agent, *, public: bool, base_url: str, user: User | None
) -> list[r.Relation]:
    """One ``resourceRelation`` per collection, role and relator the agent is linked with.

    Public: public links, in collections the public may see. Staff: those, and every link
    in the collections ``user`` may see in the admin (all of them when no user is given:
    a management command).
    """
    links = AgentLink.objects.filter(agent=agent)
    public_ids = visibility.public_collections().values("pk")
    seen = visibility.public_links(links).filter(unit__collection_id__in=public_ids)
    if not public:
        staff = links if user is None else permissions.scope(links, user)
        seen = seen | staff
    pairs = sorted(set(seen.values_list("unit__collection_id", "role", "relator")))
    by_pk = Collection.objects.in_bulk({c for c, _, _ in pairs})
    found = []
    for collection_id, role, relator in pairs:
        collection = by_pk[collection_id]
        found.append(
            r.Relation(
                kind="resource",
                entry=str(collection),
                relation_type=ROLE_TO_RESOURCE.get(role, "other"),
                href=f"{base_url.rstrip('/')}{collection.get_absolute_url()}",
                note=f"{AgentLink.Role(role).label}{f' ({relator})' if relator else ''}",
            )
        )
    return found


def eac_file_name(agent: Agent) -> str:
    return f"{agent.slug}.xml"


__all__ = [
    "AgentNotPublic",
    "EACExportError",
    "FileResult",
    "agent_match",
    "agent_record",
    "eac_export",
    "eac_file_name",
    "eac_import",
    "normalised_name",
    "relation_type_for",
]
