"""Writes of whole records: a collection's finding-aid metadata, agents (names, dates, variant
names, relations) and subjects.

As for components (``archive.api.writes``), nothing here decides a rule: the admin's own forms
validate (``CollectionForm``, ``AgentForm``, ``SubjectForm`` and the agent's inline forms,
with the markup check of ``ExportSafeForm`` and the stale-edit refusal of ``StaleEditForm``),
``archive.permissions`` decides who may write (a collection: an editing role in its
repository; agents and subjects, shared by every repository: an editing role in any), the
history records each save under the token's user, and ``archive.api.versions`` holds the
optimistic lock (``If-Match`` or ``version``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field

from archive import permissions
from archive.admin.authorities import (
    AgentForm,
    AgentRelationInline,
    SubjectForm,
)
from archive.admin.markup import ExportSafeForm
from archive.admin.units import CollectionForm, RevisionInline
from archive.api import access, authorities, collections, schemas
from archive.api.auth import caller, writer
from archive.api.errors import WRITE_ERRORS, ApiError
from archive.api.forms import bound_form, field_names, valid
from archive.api.paging import RecordId
from archive.api.versions import IfMatch, Version, checked_version, representation_etag
from archive.models import (
    Agent,
    AgentRelation,
    AgentVariantName,
    Collection,
    Level,
    Repository,
    Revision,
    Subject,
)
from archive.models.agents import unique_slug
from archive.permissions import User
from archive.services import harvest
from archive.services import outline as outline_service

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _save[M: Model](
    request: HttpRequest,
    form_class: type[forms.ModelForm],
    record: M,
    changes: dict[str, Any],
    *,
    version: str | None,
    if_match: str | None,
    etag: Callable[[], str],
) -> M:
    """Lock ``record``, check the version, bind the admin form with ``changes``, save as the
    token's user. Call inside a transaction."""
    locked = type(record)._default_manager.select_for_update().get(pk=record.pk)
    current = locked.updated.isoformat()  # type: ignore[attr-defined]
    seen = checked_version(if_match=if_match, version=version, current=current, etag=etag)
    saved = valid(bound_form(form_class, locked, changes, seen)).save(commit=False)
    saved._history_user = caller(request)  # read by simple-history
    saved.save()
    return saved


def _create[M: Agent | Subject](
    form_class: type[forms.ModelForm], model: type[M], changes: dict[str, Any], *, user: User
) -> M:
    """A new agent or subject from ``changes``, validated by the admin form and saved as
    ``user``; its slug is made from its name when not given. Call inside a transaction."""
    name = changes.get(model.name_field)
    if not changes.get("slug") and name:
        changes["slug"] = unique_slug(model, name)
    record: M = valid(bound_form(form_class, model(), changes)).save(commit=False)
    record._history_user = user  # type: ignore[union-attr]
    record.save()
    return record


# --- collections --------------------------------------------------------------------------------


class CollectionFields(Schema):
    """A finding aid's own metadata (its title, dates and notes are its root component's)."""

    ead_id: str | None = None
    finding_aid_title: str | None = None
    finding_aid_subtitle: str | None = None
    finding_aid_author: str | None = None
    finding_aid_sponsor: str | None = None
    finding_aid_edition: str | None = None
    publisher: str | None = None
    publication_date: str | None = None
    description_language: str | None = None
    description_language_code: str | None = None
    description_rules: str | None = None
    creation_note: str | None = None


class RevisionIn(Schema):
    date: str = ""
    agent: str = ""
    description: str = ""
    published: bool = True


class CollectionUpdate(CollectionFields):
    version: Version = None
    revisions: list[RevisionIn] | None = Field(
        None, description="Replaces the finding aid's revision history (in this order)."
    )


_REVISION_FORM = forms.modelform_factory(
    Revision, form=ExportSafeForm, fields=field_names(RevisionInline.fields)
)


def _revisions_replace(collection: Collection, revisions: list[RevisionIn] | None) -> None:
    """Replace the revision history when given, each entry checked by the admin's inline."""
    if revisions is None:
        return
    rows = [
        valid(bound_form(_REVISION_FORM, Revision(collection=collection), r.dict())).save(
            commit=False
        )
        for r in revisions
    ]
    collection.revisions.all().delete()
    for position, row in enumerate(rows):
        row.collection, row.position = collection, position
        row.save()


class CollectionCreate(CollectionFields):
    repository: str = Field(description="The repository's code.")
    ead_id: str
    title: str = Field(description="The title of its root description.")
    identifier: str = ""
    level: Level = Level.COLLECTION


def _collection_data(request: HttpRequest, pk: int) -> dict[str, Any]:
    return collections.collection_data(request, pk)


@collections.router.post("/collections", response={201: schemas.Collection, **WRITE_ERRORS})
def collection_create(request: HttpRequest, payload: CollectionCreate) -> Status[dict[str, Any]]:
    """A new finding aid in a repository where the token's user may edit, with its root
    description (unpublished), as the admin's "Add collection" makes it."""
    user = writer(request)
    repository = permissions.scope(
        Repository.objects.filter(code=payload.repository), user, roles=permissions.EDIT_ROLES
    ).first()
    if repository is None:
        raise ApiError(403, "forbidden", "You may not add collections to that repository.")
    changes = payload.dict(exclude={"repository"})
    changes["repository"] = repository.pk
    with transaction.atomic():
        form = valid(bound_form(CollectionForm, Collection(), changes))
        collection = form.save(commit=False)
        collection._history_user = user
        collection.save()
        outline_service.root_create(
            collection=collection,
            title=form.cleaned_data["title"],
            identifier=form.cleaned_data.get("identifier", ""),
            level=form.cleaned_data.get("level") or Level.COLLECTION,
            user=user,
        )
    return Status(201, _collection_data(request, collection.pk))


@collections.router.patch(
    "/collections/{collection_id}", response={200: schemas.Collection, **WRITE_ERRORS}
)
def collection_update(
    request: HttpRequest,
    collection_id: RecordId,
    payload: CollectionUpdate,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Change the finding aid's metadata given (``If-Match``, or its ``version``);
    ``revisions``, when given, replace its revision history. A new ``ead_id`` moves its
    public address; harvesters are told the old record is gone."""
    user = writer(request)
    collection = access.collection_get(user, collection_id)
    permissions.require_edit(user, collection)
    old_repository, old_ead_id = collection.repository_id, collection.ead_id
    with transaction.atomic():
        collection = _save(
            request,
            CollectionForm,
            collection,
            payload.dict(exclude_unset=True, exclude={"version", "revisions"}),
            version=payload.version,
            if_match=if_match,
            etag=lambda: representation_etag(
                schemas.Collection, _collection_data(request, collection_id)
            ),
        )
        _revisions_replace(collection, payload.revisions)
        harvest.harvest_rename(
            collection=collection, old_repository_id=old_repository, old_ead_id=old_ead_id
        )
    return _collection_data(request, collection.pk)


# --- agents ---------------------------------------------------------------------------------------


class VariantNameIn(Schema):
    name: str
    note: str = ""


class RelationIn(Schema):
    relation_type: AgentRelation.RelationType = Field(
        description="This agent is <relation_type> of the target."
    )
    target: Id
    description: str = ""
    dates: str = ""


class AgentFields(Schema):
    agent_type: Agent.AgentType | None = None
    authorized_name: str | None = None
    slug: str | None = None
    published: bool | None = None
    primary_name: str | None = None
    rest_of_name: str | None = None
    fuller_form: str | None = None
    name_title: str | None = None
    name_dates: str | None = None
    qualifier: str | None = None
    existence_begin: str | None = None
    existence_end: str | None = None
    biography: str | None = None
    authority_source: str | None = None
    authority_id: str | None = None
    variant_names: list[VariantNameIn] | None = Field(
        None, description="Replaces every variant name of the agent."
    )
    relations: list[RelationIn] | None = Field(
        None, description="Replaces the relations stated from this agent (`outgoing` ones)."
    )


class AgentUpdate(AgentFields):
    version: Version = None


_VARIANT_FORM = forms.modelform_factory(
    AgentVariantName, form=ExportSafeForm, fields=["name", "note"]
)
_RELATION_FORM = forms.modelform_factory(
    AgentRelation, form=ExportSafeForm, fields=field_names(AgentRelationInline.fields)
)


def _shared_editor(request: HttpRequest) -> User:
    """Agents and subjects are shared: an editing role in any repository (the admin's rule)."""
    user = writer(request)
    if not permissions.can_edit_shared(user):
        raise PermissionDenied("You may not change names or subjects.")
    return user


def _agent_parts(agent: Agent, payload: AgentFields) -> None:
    """Replace the agent's variant names and outgoing relations when the payload gives them,
    each row checked by the admin's inline form."""
    if payload.variant_names is not None:
        rows = [
            valid(bound_form(_VARIANT_FORM, AgentVariantName(agent=agent), v.dict())).save(
                commit=False
            )
            for v in payload.variant_names
        ]
        agent.variant_names.all().delete()
        for position, row in enumerate(rows):
            row.agent, row.position = agent, position
            row.save()
    if payload.relations is not None:
        relations = []
        for r in payload.relations:
            if r.target == agent.pk:
                raise ApiError(422, "invalid", "relations: an agent is not related to itself.")
            relations.append(
                valid(bound_form(_RELATION_FORM, AgentRelation(source=agent), r.dict())).save(
                    commit=False
                )
            )
        AgentRelation.objects.filter(source=agent).delete()
        for relation in relations:
            relation.source = agent
            relation.save()


@authorities.router.post("/agents", response={201: schemas.Agent, **WRITE_ERRORS})
def agent_create(request: HttpRequest, payload: AgentFields) -> Status[dict[str, Any]]:
    """A new name (person, family, corporate body); ``slug`` is made from the authorised name
    when not given."""
    user = _shared_editor(request)
    changes = payload.dict(exclude_unset=True, exclude={"variant_names", "relations"})
    with transaction.atomic():
        agent = _create(AgentForm, Agent, changes, user=user)
        _agent_parts(agent, payload)
    return Status(201, authorities.agent_data(request, agent.pk))


@authorities.router.patch("/agents/{agent_id}", response={200: schemas.Agent, **WRITE_ERRORS})
def agent_update(
    request: HttpRequest, agent_id: RecordId, payload: AgentUpdate, if_match: IfMatch = None
) -> dict[str, Any]:
    """Change the fields given (``If-Match``, or the agent's ``version``); ``variant_names`` and
    ``relations``, when given, replace the agent's."""
    _shared_editor(request)
    agent = authorities.authority_get(request, Agent, agent_id)
    changes = payload.dict(exclude_unset=True, exclude={"version", "variant_names", "relations"})
    with transaction.atomic():
        agent = _save(
            request,
            AgentForm,
            agent,
            changes,
            version=payload.version,
            if_match=if_match,
            etag=lambda: representation_etag(
                schemas.Agent, authorities.agent_data(request, agent_id)
            ),
        )
        _agent_parts(agent, payload)
    return authorities.agent_data(request, agent.pk)


# --- subjects -----------------------------------------------------------------------------------


class SubjectFields(Schema):
    term: str | None = None
    subject_type: Subject.SubjectType | None = None
    source: str | None = None
    authority_id: str | None = None
    slug: str | None = None
    published: bool | None = None


class SubjectUpdate(SubjectFields):
    version: Version = None


@authorities.router.post("/subjects", response={201: schemas.Subject, **WRITE_ERRORS})
def subject_create(request: HttpRequest, payload: SubjectFields) -> Status[dict[str, Any]]:
    """A new subject term; ``slug`` is made from the term when not given."""
    user = _shared_editor(request)
    changes = payload.dict(exclude_unset=True)
    with transaction.atomic():
        subject = _create(SubjectForm, Subject, changes, user=user)
    return Status(201, authorities.subject_data(request, subject.pk))


@authorities.router.patch("/subjects/{subject_id}", response={200: schemas.Subject, **WRITE_ERRORS})
def subject_update(
    request: HttpRequest, subject_id: RecordId, payload: SubjectUpdate, if_match: IfMatch = None
) -> dict[str, Any]:
    """Change the fields given (``If-Match``, or the subject's ``version``)."""
    _shared_editor(request)
    subject = authorities.authority_get(request, Subject, subject_id)
    with transaction.atomic():
        subject = _save(
            request,
            SubjectForm,
            subject,
            payload.dict(exclude_unset=True, exclude={"version"}),
            version=payload.version,
            if_match=if_match,
            etag=lambda: representation_etag(
                schemas.Subject, authorities.subject_data(request, subject_id)
            ),
        )
    return authorities.subject_data(request, subject.pk)
