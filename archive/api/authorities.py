"""Agents (with their names and relations) and subjects, and the units linked to each.

Agents and subjects are shared by every repository: a member of any repository sees them all,
as in the admin; the public sees those ``archive.visibility.public_authorities`` allows, and
only their public links.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.decorators import decorate_view

from archive import permissions, selectors, visibility
from archive.api import access, schemas
from archive.api.auth import caller
from archive.api.components import unit_title
from archive.api.errors import READ_ERRORS, ApiError
from archive.api.paging import DEFAULT_LIMIT, MAX_LIMIT, RecordId, page, with_etag
from archive.models import Agent, AgentLink, AgentRelation, Subject, SubjectLink

router = Router(tags=["agents and subjects"])


def _agent_item(agent: Agent) -> dict:
    return {
        "id": agent.pk,
        "slug": agent.slug,
        "authorized_name": agent.authorized_name,
        "agent_type": agent.agent_type,
    }


def _subject_item(subject: Subject) -> dict:
    return {f: getattr(subject, f) for f in schemas.SubjectItem.model_fields}


def authority_get[M: (Agent, Subject)](request: HttpRequest, model: type[M], pk: int) -> M:
    """An agent or subject the caller may read; 404 otherwise."""
    record = access.readable_authorities(caller(request), model).filter(pk=pk).first()
    if record is None:
        raise ApiError(404, "not_found", f"No such {model._meta.verbose_name}.")
    return record


@router.get("/agents", response={200: schemas.AgentPage, **READ_ERRORS})
@decorate_view(with_etag)
def agent_list(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    rows, after = page(
        access.readable_authorities(caller(request), Agent),
        list_name="agents",
        key="id",
        cursor=cursor,
        limit=limit,
    )
    return {"items": [_agent_item(a) for a in rows], "next": after}


def _relations(agent: Agent, staff: bool) -> list[dict]:
    """Relations read from this agent's side: the public page's (``selectors.agent_relations``)
    for the public; every relation for staff."""
    if not staff:
        related = selectors.agent_relations(agent)
        return [
            {
                "id": None,
                "agent": _agent_item(r.agent),
                "relationship": r.relationship,
                "relation_type": None,
                "outgoing": None,
                "description": r.description,
                "dates": r.dates,
            }
            for r in related
        ]
    rows = AgentRelation.objects.filter(source=agent).select_related("target")
    back = AgentRelation.objects.filter(target=agent).select_related("source")
    return [
        {
            "id": r.pk,
            "agent": _agent_item(r.target),
            "relationship": selectors.INVERSE_RELATION.get(
                r.relation_type, r.get_relation_type_display()
            ),
            "relation_type": r.relation_type,
            "outgoing": True,
            "description": r.description,
            "dates": r.dates,
        }
        for r in rows
    ] + [
        {
            "id": r.pk,
            "agent": _agent_item(r.source),
            "relationship": r.get_relation_type_display(),
            "relation_type": r.relation_type,
            "outgoing": False,
            "description": r.description,
            "dates": r.dates,
        }
        for r in back
    ]


def agent_data(request: HttpRequest, agent_id: int) -> dict[str, Any]:
    """The agent as the caller may see it (also the answer to a write)."""
    user = caller(request)
    agent = authority_get(request, Agent, agent_id)
    staff = access.is_staff_reader(user)
    biography = agent.biography if staff else visibility.public_fragment(agent.biography)
    return {
        **_agent_item(agent),
        **{
            f: getattr(agent, f)
            for f in (
                "primary_name",
                "rest_of_name",
                "fuller_form",
                "name_title",
                "name_dates",
                "qualifier",
                "existence_begin",
                "existence_end",
                "authority_source",
                "authority_id",
                "published",
            )
        },
        "biography": biography,
        "variant_names": [
            {"id": v.pk, "name": v.name, "note": v.note} for v in agent.variant_names.all()
        ],
        "relations": _relations(agent, staff),
        # What a write sends back to be refused if someone changed the agent since.
        "version": agent.updated.isoformat() if staff else None,
    }


@router.get("/agents/{agent_id}", response={200: schemas.Agent, **READ_ERRORS})
@decorate_view(with_etag)
def agent_detail(request: HttpRequest, agent_id: RecordId) -> dict[str, Any]:
    """A name with its parts, dates, variant names and relations; ``version`` (staff only) is
    sent back with a change."""
    return agent_data(request, agent_id)


def _links(
    request: HttpRequest, links: QuerySet, cursor: str | None, limit: int, name: str
) -> dict[str, Any]:
    """Units linked to one agent or subject: the public links for the public; for staff, the
    links on units of collections they may see."""
    user = caller(request)
    public = visibility.public_links(links)
    if access.is_staff_reader(user):
        staff = permissions.scope(links, user)
        links = links.filter(Q(pk__in=public.values("pk")) | Q(pk__in=staff.values("pk")))
    else:
        links = public
    links = links.select_related("unit__collection")
    rows, after = page(links, list_name=name, key="id", cursor=cursor, limit=limit)
    return {
        "items": [
            {
                "component": link.unit_id,
                "collection": link.unit.collection_id,
                "title": unit_title(link.unit, access.sees_as_staff(user, link.unit.collection)),
                "role": getattr(link, "role", ""),
            }
            for link in rows
        ],
        "next": after,
    }


@router.get("/agents/{agent_id}/links", response={200: schemas.LinkPage, **READ_ERRORS})
@decorate_view(with_etag)
def agent_links(
    request: HttpRequest,
    agent_id: RecordId,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """The units this agent is linked to, with the role (creator, subject, source)."""
    agent = authority_get(request, Agent, agent_id)
    links = AgentLink.objects.filter(agent=agent)
    return _links(request, links, cursor, limit, f"agent-links:{agent.pk}")


@router.get("/subjects", response={200: schemas.SubjectPage, **READ_ERRORS})
@decorate_view(with_etag)
def subject_list(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    rows, after = page(
        access.readable_authorities(caller(request), Subject),
        list_name="subjects",
        key="id",
        cursor=cursor,
        limit=limit,
    )
    return {"items": [_subject_item(s) for s in rows], "next": after}


def subject_data(request: HttpRequest, subject_id: int) -> dict[str, Any]:
    """The subject as the caller may see it (also the answer to a write)."""
    subject = authority_get(request, Subject, subject_id)
    staff = access.is_staff_reader(caller(request))
    return {
        **_subject_item(subject),
        "published": subject.published,
        "version": subject.updated.isoformat() if staff else None,
    }


@router.get("/subjects/{subject_id}", response={200: schemas.Subject, **READ_ERRORS})
@decorate_view(with_etag)
def subject_detail(request: HttpRequest, subject_id: RecordId) -> dict[str, Any]:
    return subject_data(request, subject_id)


@router.get("/subjects/{subject_id}/links", response={200: schemas.LinkPage, **READ_ERRORS})
@decorate_view(with_etag)
def subject_links(
    request: HttpRequest,
    subject_id: RecordId,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    subject = authority_get(request, Subject, subject_id)
    links = SubjectLink.objects.filter(subject=subject)
    return _links(request, links, cursor, limit, f"subject-links:{subject.pk}")
