"""Shared agents and subjects for a load: matching what a file names to existing rows, and
slugs for the new ones.
"""

from __future__ import annotations

from django.utils.text import slugify

from archive.ead import records as r
from archive.exchange.columns import AGENT_TYPES, SUBJECT_TYPES, clip
from archive.models import Agent, Subject

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


def subject_key(link: r.SubjectLink) -> tuple[str, str, str]:
    subject_type = link.subject_type if link.subject_type in SUBJECT_TYPES else "topical"
    return (clip(" ".join(link.term.split()), 500), subject_type, clip(link.source, 64))


def agent_name_key(link: r.AgentLink) -> tuple[str, str, str]:
    agent_type = link.agent_type if link.agent_type in AGENT_TYPES else "person"
    return ("name", clip(" ".join(link.name.split()), 500), agent_type)
