"""Shared agents and subjects for a load: matching what a file names to existing rows, and
slugs for the new ones.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.text import slugify

from archive.ead import records as r
from archive.exchange.bulk import chunks
from archive.exchange.columns import (
    AGENT_AUTHORITY_LENGTH,
    AGENT_NAME_LENGTH,
    AGENT_SOURCE_LENGTH,
    AGENT_TYPES,
    SUBJECT_AUTHORITY_LENGTH,
    SUBJECT_SOURCE_LENGTH,
    SUBJECT_TERM_LENGTH,
    SUBJECT_TYPES,
    clip,
    max_length,
)
from archive.models import Agent, Subject

# How a file's agent is matched: ("auth", source, authority id) or ("name", name, type).
AgentKey = tuple[str, str, str]
# A subject is matched by (term, type, source).
SubjectKey = tuple[str, str, str]
# Agent id -> (name, type, source, authority id, published)
AgentRow = tuple[str, str, str, str, bool]
# Subject id -> (term, source, authority id, type, published)
SubjectRow = tuple[str, str, str, str, bool]

SLUG_BASE_LENGTH = 190  # as archive.models.agents.unique_slug

# EAD3 <part localtype="..."> values, and their Agent column.
NAME_PART_COLUMNS = {
    "surname": "primary_name",
    "familyname": "primary_name",
    "family": "primary_name",
    "primary": "primary_name",
    "forename": "rest_of_name",
    "givenname": "rest_of_name",
    "given": "rest_of_name",
    "rest": "rest_of_name",
    "dates": "name_dates",
    "date": "name_dates",
    "title": "name_title",
    "fullerform": "fuller_form",
    "fuller_form": "fuller_form",
    "qualifier": "qualifier",
    "epithet": "qualifier",
}


def slug_base(text: str) -> str:
    """The slug a new agent or subject starts from (numbered when it is taken)."""
    return slugify(text)[:SLUG_BASE_LENGTH].strip("-") or "record"


class SlugAllocator:
    """Unique slugs for rows created in bulk: one query per batch, not one per row.

    ``unique_slug`` in ``archive.models.agents`` asks the database once per candidate; for
    thousands of new agents that is thousands of queries, so this asks for every base at once
    and only queries again for the (rare) bases that are already taken.
    """

    def __init__(self, model: type[Agent] | type[Subject]) -> None:
        self.model = model
        self.used: set[str] = set()

    def allocate(self, texts: list[str]) -> list[str]:
        """A unique slug for each text, in order."""
        bases = [slug_base(text) for text in texts]
        wanted = set(bases) - self.used
        taken = set(
            self.model._default_manager.filter(slug__in=wanted).values_list("slug", flat=True)
        )
        self.used |= taken
        result = []
        for base in bases:
            if base not in self.used:
                slug = base
            else:
                n = 2
                numbered = self._numbered_taken(base)
                while f"{base}-{n}" in self.used or f"{base}-{n}" in numbered:
                    n += 1
                slug = f"{base}-{n}"
            self.used.add(slug)
            result.append(slug)
        return result

    def _numbered_taken(self, base: str) -> set[str]:
        return set(
            self.model._default_manager.filter(slug__startswith=f"{base}-").values_list(
                "slug", flat=True
            )
        )


def subject_key(link: r.SubjectLink) -> SubjectKey:
    """The subject a link names: its term (whitespace normalised), type and vocabulary."""
    subject_type = link.subject_type if link.subject_type in SUBJECT_TYPES else "topical"
    return (
        clip(" ".join(link.term.split()), SUBJECT_TERM_LENGTH),
        subject_type,
        clip(link.source, SUBJECT_SOURCE_LENGTH),
    )


def agent_name_key(link: r.AgentLink) -> AgentKey:
    """The agent a link names when it has no authority id: its name and type."""
    agent_type = link.agent_type if link.agent_type in AGENT_TYPES else "person"
    return ("name", clip(" ".join(link.name.split()), AGENT_NAME_LENGTH), agent_type)


def agent_key(link: r.AgentLink) -> AgentKey:
    """The agent a link names: by authority id when it has one, else by name and type."""
    if link.authority_id:
        return ("auth", link.source or "", link.authority_id)
    return agent_name_key(link)


def best_by_id(rows: list[tuple[Any, ...]], key: AgentKey) -> tuple[Any, ...] | None:
    """The agent an authority id names (``key``: ("auth", source, id)): the one with that id
    from the same source; else one where either side gives no source; else the one whose
    authority record (EAC-CPF ``recordId``) has that id. Two different sources with the same
    id name different agents. ``rows`` are ``AGENT_ROW`` + ``record_id``, oldest first."""
    _, source, authority_id = key
    same_id = [row for row in rows if row[4] == authority_id]
    for row in same_id:
        if row[3] == source:
            return row
    for row in same_id:
        if not row[3] or not source:
            return row
    return next((row for row in rows if row[6] == authority_id), None)


class Authorities:
    """The shared agents and subjects one load links to, resolved a batch at a time.

    An agent is the existing one with the same authority id (:func:`best_by_id`), else the one with
    the same authorized name and type, else a new one; a subject is the one with the same
    term, type and vocabulary, else a new one. New rows are created in one INSERT per batch,
    with slugs from :class:`SlugAllocator`. What was resolved is remembered for the rest of
    the load, so each name costs one lookup per file.
    """

    def __init__(self) -> None:
        self.agent_ids: dict[AgentKey, int] = {}
        self.agents_by_id: dict[int, AgentRow] = {}
        self.subject_ids: dict[SubjectKey, int] = {}
        self.subjects_by_id: dict[int, SubjectRow] = {}
        self.agents_created: set[int] = set()
        self.subjects_created = 0
        self.agent_slugs = SlugAllocator(Agent)
        self.subject_slugs = SlugAllocator(Subject)

    def resolve_agents(self, wanted: list[tuple[AgentKey, r.AgentLink]]) -> None:
        """Map every key to an Agent id (see the class), creating the missing agents."""
        missing: dict[AgentKey, r.AgentLink] = {}
        for key, link in wanted:
            if key not in self.agent_ids:
                missing.setdefault(key, link)
        if not missing:
            return
        name_keys = {key: agent_name_key(link) for key, link in missing.items()}
        by_auth, by_name = self._known_agents(missing, name_keys)
        to_create: dict[AgentKey, Agent] = {}  # key -> new agent (several keys may share one)
        for key, link in missing.items():
            name_key = name_keys[key]
            row = by_auth.get(key) or by_name.get(name_key)
            if row is not None:
                self._remember_agent(key, row)
            elif name_key in self.agent_ids:
                self.agent_ids[key] = self.agent_ids[name_key]
            elif name_key in to_create:
                to_create[key] = to_create[name_key]
            else:
                to_create[key] = to_create[name_key] = new_agent(link, name_key)
        self._create_agents(to_create)

    def _known_agents(
        self, missing: dict[AgentKey, r.AgentLink], name_keys: dict[AgentKey, AgentKey]
    ) -> tuple[dict[AgentKey, tuple[Any, ...]], dict[AgentKey, tuple[Any, ...]]]:
        """Existing agents with the missing authority ids, and with the names of the rest."""
        by_auth: dict[AgentKey, tuple[Any, ...]] = {}
        authority_ids = sorted({key[2] for key in missing if key[0] == "auth"})
        candidates: dict[str, list[tuple[Any, ...]]] = {}
        for chunk in chunks(authority_ids, 500):
            rows = Agent.objects.filter(Q(authority_id__in=chunk) | Q(record_id__in=chunk))
            for row in rows.order_by("pk").values_list(*AGENT_ROW, "record_id"):
                for value in {row[4], row[6]} - {""}:
                    candidates.setdefault(value, []).append(row)
        for key in missing:
            if key[0] == "auth" and (row := best_by_id(candidates.get(key[2], []), key)):
                by_auth[key] = row[:6]
        by_name: dict[AgentKey, tuple[Any, ...]] = {}
        names = sorted({k[1] for key, k in name_keys.items() if key not in by_auth})
        for chunk in chunks(names, 500):
            for row in Agent.objects.filter(authorized_name__in=chunk).values_list(*AGENT_ROW):
                by_name.setdefault(("name", row[1], row[2]), row)
        return by_auth, by_name

    def _create_agents(self, to_create: dict[AgentKey, Agent]) -> None:
        """INSERT the new agents (one row for keys that share one) and remember their ids."""
        agents = list({id(agent): agent for agent in to_create.values()}.values())
        if not agents:
            return
        slugs = self.agent_slugs.allocate([agent.authorized_name for agent in agents])
        for agent, slug in zip(agents, slugs, strict=True):
            agent.slug = slug
        Agent.objects.bulk_create(agents)
        self.agents_created.update(agent.pk for agent in agents)
        for key, agent in to_create.items():
            self._remember_agent(
                key,
                (
                    agent.pk,
                    agent.authorized_name,
                    agent.agent_type,
                    agent.authority_source,
                    agent.authority_id,
                    agent.published,
                ),
            )

    def _remember_agent(self, key: AgentKey, row: tuple[Any, ...]) -> None:
        pk, name, agent_type, source, authority_id, published = row
        self.agent_ids[key] = pk
        self.agents_by_id[pk] = (name, agent_type, source, authority_id, published)

    def resolve_subjects(self, wanted: list[tuple[SubjectKey, r.SubjectLink]]) -> None:
        """Map every (term, type, source) to a Subject id, creating the missing ones."""
        missing: dict[SubjectKey, r.SubjectLink] = {}
        for key, link in wanted:
            if key not in self.subject_ids:
                missing.setdefault(key, link)
        if not missing:
            return
        terms = sorted({key[0] for key in missing})
        for chunk in chunks(terms, 500):
            for pk, term, subject_type, source, authority_id, published in Subject.objects.filter(
                term__in=chunk
            ).values_list("id", "term", "subject_type", "source", "authority_id", "published"):
                key = (term, subject_type, source)
                if key in missing:
                    self.subject_ids[key] = pk
                    self.subjects_by_id[pk] = (term, source, authority_id, subject_type, published)
        new = [
            Subject(
                term=key[0],
                subject_type=key[1],
                source=key[2],
                authority_id=clip(link.authority_id, SUBJECT_AUTHORITY_LENGTH),
                published=True,
            )
            for key, link in missing.items()
            if key not in self.subject_ids
        ]
        if not new:
            return
        slugs = self.subject_slugs.allocate([subject.term for subject in new])
        for subject, slug in zip(new, slugs, strict=True):
            subject.slug = slug
        Subject.objects.bulk_create(new)
        self.subjects_created += len(new)
        for subject in new:
            key = (subject.term, subject.subject_type, subject.source)
            self.subject_ids[key] = subject.pk
            self.subjects_by_id[subject.pk] = (
                subject.term,
                subject.source,
                subject.authority_id,
                subject.subject_type,
                subject.published,
            )


# The Agent columns an AgentRow is read from (with the id first).
AGENT_ROW = (
    "id",
    "authorized_name",
    "agent_type",
    "authority_source",
    "authority_id",
    "published",
)


def new_agent(link: r.AgentLink, name_key: AgentKey) -> Agent:
    """An unsaved Agent for a link, its name parts in their columns (EAD3 ``<part>``)."""
    agent = Agent(
        agent_type=name_key[2],
        authorized_name=name_key[1],
        authority_source=clip(link.source, AGENT_SOURCE_LENGTH),
        authority_id=clip(link.authority_id, AGENT_AUTHORITY_LENGTH),
        published=True,
    )
    for part_type, text in link.name_parts:
        column = NAME_PART_COLUMNS.get(part_type.lower().replace(" ", ""))
        if column and not getattr(agent, column):
            setattr(agent, column, clip(" ".join(text.split()), max_length(Agent, column)))
    return agent
