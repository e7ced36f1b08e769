"""schema.org descriptions of public pages, as JSON-LD for search engines.

Built only from what the page itself shows, which the selectors have already reduced to what
the public may see (``archive.visibility``): a unit's public dates, extents, abstracts,
creators and subjects; a repository's contact details; an agent's dates. Nothing here reads
the database on its own account.

Types, after schema.org's archive vocabulary: a collection or component is a
``CreativeWork`` that is also an ``ArchiveComponent`` (schema.org's archive types are meant to
be paired with what the thing is), held by an ``ArchiveOrganization`` (``holdingArchive``); a
component names the collection it belongs to (``isPartOf``). Agents are a ``Person`` with birth
and death dates, or an ``Organization`` with founding and dissolution dates; schema.org has no
type for a family, so a family is an ``Organization`` too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from archive import links
from archive.ead.markup import fragment_plain_text
from archive.models import Agent, Component, Repository, Subject
from archive.visibility import public_fragment, public_items

CONTEXT = "https://schema.org"

# Characters that would end the <script> element or start markup inside it, as JSON escapes
# (the JSON value is the same; the HTML parser never sees "</script>").
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def script_tag(data: dict[str, Any]) -> SafeString:
    """``data`` as a ``<script type="application/ld+json">`` element, safe in any page.

    The one place JSON-LD is marked safe: HTML escaping would change the JSON, so the rule here
    is JSON's own (as Django's ``json_script``): ``<``, ``>`` and ``&`` become ``\\u`` escapes,
    so no value can end the element or start markup (``tests/security/test_xss.py`` parses
    every page's data blocks). No URL in it becomes a link on the page."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty values: an absent property says less than an empty one, and is true."""
    return {key: value for key, value in data.items() if value not in ("", None, [], {})}


def repository_data(repository: Repository, url: str) -> dict[str, Any]:
    """An ``ArchiveOrganization``: the repository's name, address and contact details."""
    address = ", ".join(line.strip() for line in repository.address.splitlines() if line.strip())
    return _compact(
        {
            "@type": "ArchiveOrganization",
            "@id": url,
            "name": repository.name,
            "url": url,
            "sameAs": links.safe_link(repository.url) or "",
            "email": repository.email,
            "telephone": repository.phone,
            "address": address,
            "parentOrganization": _compact(
                {"@type": "Organization", "name": repository.parent_institution}
            )
            if repository.parent_institution
            else None,
            "identifier": repository.agency_code,
        }
    )


def _temporal_coverage(unit: Component) -> list[str]:
    """The unit's public dates, as ISO 8601 intervals where normalised, else as written."""
    values = []
    for date in public_items(unit.dates.all()):
        if date.begin and date.end and date.begin != date.end:
            values.append(f"{date.begin}/{date.end}")
        elif date.begin or date.end:
            values.append(date.begin or date.end)
        elif date.expression:
            values.append(date.expression)
    return values


def _agent_ref(agent: Agent, absolute: Any) -> dict[str, Any]:
    return {
        "@type": agent_type(agent),
        "@id": absolute(agent.get_absolute_url()),
        "name": agent.authorized_name,
    }


def unit_data(
    *,
    unit: Component,
    page_url: str,
    repository: Repository,
    collection_url: str,
    collection_title: str,
    abstracts: Iterable[Any],
    creators: Iterable[Any],
    subjects: Iterable[Subject],
    languages: Iterable[str],
    absolute: Any,
) -> dict[str, Any]:
    """A collection or component page as ``CreativeWork`` + ``ArchiveComponent``.

    ``absolute`` turns a site path into an absolute URL (``request.build_absolute_uri``).
    """
    abstract = " ".join(
        text
        for note in abstracts
        if (text := fragment_plain_text(public_fragment(note.content), separate=True).strip())
    )
    data = {
        "@context": CONTEXT,
        "@type": ["CreativeWork", "ArchiveComponent"],
        "@id": page_url,
        "url": page_url,
        "name": unit.display_title,
        "identifier": unit.shown_identifier,
        "genre": unit.level_label,
        "temporalCoverage": _temporal_coverage(unit),
        "materialExtent": [str(extent) for extent in public_items(unit.extents.all())],
        "description": abstract,
        "inLanguage": list(languages),
        "creator": [_agent_ref(link.agent, absolute) for link in creators],
        "about": [
            {"@type": "Thing", "@id": absolute(term.get_absolute_url()), "name": str(term)}
            for term in subjects
        ],
        "holdingArchive": repository_data(repository, absolute(repository.get_absolute_url())),
    }
    if unit.depth > 1:
        data["isPartOf"] = {
            "@type": ["CreativeWork", "ArchiveComponent"],
            "@id": collection_url,
            "name": collection_title,
        }
    return _compact(data)


def agent_type(agent: Agent) -> str:
    return "Person" if agent.agent_type == Agent.AgentType.PERSON else "Organization"


def agent_data(agent: Agent, page_url: str, variants: Iterable[str]) -> dict[str, Any]:
    """An agent page as a ``Person`` or ``Organization`` with its dates of existence."""
    person = agent.agent_type == Agent.AgentType.PERSON
    begin, end = ("birthDate", "deathDate") if person else ("foundingDate", "dissolutionDate")
    return _compact(
        {
            "@context": CONTEXT,
            "@type": agent_type(agent),
            "@id": page_url,
            "url": page_url,
            "name": agent.authorized_name,
            "alternateName": [name for name in variants if name],
            begin: agent.existence_begin,
            end: agent.existence_end,
            "sameAs": links.safe_link(agent.authority_id) or "",
        }
    )
