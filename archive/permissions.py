"""Who may see and change what: repository-scoped access for staff.

A staff member belongs to repositories through :class:`~archive.models.RepositoryMembership`
with one role per repository:

- **viewer**: sees the repository's records in the admin;
- **archivist**: also adds, changes, moves, publishes and deletes descriptions (collections,
  components and everything attached to them) and edits the shared agents and subjects;
- **manager**: also edits the repository record itself and its staff memberships.

Superusers see and change everything. Agents and subjects are shared by every repository:
any member may see them, archivists and managers may change them.

Every admin class, view and action asks this module; none re-implements the rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as Account
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from archive.models import (
    Collection,
    Component,
    Repository,
    RepositoryMembership,
)

Role = RepositoryMembership.Role
#: Who asks: a signed-in account (Django's user model, the project's AUTH_USER_MODEL) or nobody.
User = Account | AnonymousUser

# Roles allowed each kind of access, most powerful first.
VIEW_ROLES: tuple[str, ...] = (Role.MANAGER, Role.ARCHIVIST, Role.VIEWER)
EDIT_ROLES: tuple[str, ...] = (Role.MANAGER, Role.ARCHIVIST)
MANAGE_ROLES: tuple[str, ...] = (Role.MANAGER,)


def _is_active_staff(user: User) -> TypeGuard[Account]:
    """Whether ``user`` is a signed-in, active staff account (the only kind with access)."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def repository_ids(user: User, *, roles: Iterable[str] = VIEW_ROLES) -> set[int]:
    """Ids of the repositories where ``user`` holds one of ``roles``.

    Cached on the user object for the request, since every admin call asks it.
    """
    if not _is_active_staff(user):
        return set()
    roles = tuple(roles)
    cache: dict[tuple[str, ...], set[int]] = user.__dict__.setdefault("_fonds_repo_ids", {})
    if roles not in cache:
        cache[roles] = set(
            RepositoryMembership.objects.filter(user=user, role__in=roles).values_list(
                "repository_id", flat=True
            )
        )
    return cache[roles]


def is_member(user: User) -> bool:
    """Whether ``user`` may use the archive admin at all."""
    return _is_active_staff(user) and (user.is_superuser or bool(repository_ids(user)))


def can_edit_shared(user: User) -> bool:
    """Agents and subjects: editable by superusers and by archivists of any repository."""
    return _is_active_staff(user) and (
        user.is_superuser or bool(repository_ids(user, roles=EDIT_ROLES))
    )


def repository_of(obj: Model) -> int | None:
    """The repository id a record belongs to, or ``None`` for shared records."""
    if isinstance(obj, Repository):
        return obj.pk
    if isinstance(obj, Collection):
        return obj.repository_id
    if isinstance(obj, Component):
        return (
            Collection.objects.filter(pk=obj.collection_id)
            .values_list("repository_id", flat=True)
            .first()
        )
    if isinstance(obj, RepositoryMembership):
        return obj.repository_id
    for attr in ("repository", "collection", "unit"):
        if hasattr(obj, f"{attr}_id"):
            related = getattr(obj, attr, None)
            return repository_of(related) if related is not None else None
    return None


def _is_shared(obj: Model) -> bool:
    """Agents, subjects and their parts belong to no repository."""
    return repository_lookup(type(obj)) is None


def can_view(user: User, obj: Model) -> bool:
    """Whether ``user`` may see ``obj`` in the admin, exports and every staff surface.

    A record of a repository whose repository cannot be found (an old version of a deleted
    component, say) is treated as belonging to none of the user's: only superusers see it.
    """
    if not _is_active_staff(user):
        return False
    if user.is_superuser:
        return True
    if _is_shared(obj):
        return is_member(user)
    return repository_of(obj) in repository_ids(user)


def can_edit(user: User, obj: Model) -> bool:
    if not _is_active_staff(user):
        return False
    if user.is_superuser:
        return True
    if isinstance(obj, Repository | RepositoryMembership):
        return repository_of(obj) in repository_ids(user, roles=MANAGE_ROLES)
    if _is_shared(obj):
        return can_edit_shared(user)
    return repository_of(obj) in repository_ids(user, roles=EDIT_ROLES)


def can_delete_collection(user: User, collection: Model | None = None) -> bool:
    """Whether ``user`` may delete ``collection`` (or, without one, any collection at all).

    Deleting a whole finding aid is a manager's decision: archivists change and delete
    components, but only a manager of the collection's repository, or a superuser, removes
    the collection itself.
    """
    if not _is_active_staff(user):
        return False
    if user.is_superuser:
        return True
    managed = repository_ids(user, roles=MANAGE_ROLES)
    if collection is None:
        return bool(managed)
    return repository_of(collection) in managed


def require_edit(user: User, obj: Model) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may change ``obj`` (used by services)."""
    if not can_edit(user, obj):
        raise PermissionDenied(f"You may not change {obj}.")


def scope(queryset: QuerySet, user: User, *, roles: Iterable[str] = VIEW_ROLES) -> QuerySet:
    """Restrict ``queryset`` to the records ``user`` may reach with one of ``roles``.

    Works for every model of the archive: the lookup to the repository is derived from the
    model (a component reaches it through its collection, a note through its unit...).
    """
    if not _is_active_staff(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    lookup = repository_lookup(queryset.model)
    if lookup is None:
        # Shared records (agents, subjects): any member sees them all.
        return queryset if is_member(user) else queryset.none()
    return queryset.filter(Q(**{f"{lookup}__in": repository_ids(user, roles=roles)}))


def repository_lookup(model: type[Model]) -> str | None:
    """The ORM lookup from ``model`` to its repository id, or ``None`` for shared models."""
    if model is Repository:
        return "pk"
    if model is Collection or model is RepositoryMembership:
        return "repository_id"
    names = {f.name for f in model._meta.get_fields()}
    if "repository" in names:  # request settings, researchers' requests
        return "repository_id"
    if "collection" in names:  # Component, Container, Revision
        return "collection__repository_id"
    if "unit" in names:  # notes, dates, extents, links, container instances, digital objects
        return "unit__collection__repository_id"
    return None
