"""What the caller may read: the public rule, widened by the caller's repository roles.

Not a rule of its own: a record is readable when ``archive.visibility`` makes it public or
``archive.permissions`` lets the caller see it in the admin. Where the caller may see a
collection as staff, its records are shown whole (internal notes and dates included, as in the
admin); everywhere else they are shown as the public site shows them.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from archive import permissions, visibility
from archive.models import Agent, Collection, Component, Subject
from archive.permissions import User


def is_staff_reader(user: User) -> bool:
    """Whether ``user`` reads anything beyond the public view."""
    return permissions.is_member(user)


def sees_as_staff(user: User, collection: Collection) -> bool:
    """Whether ``collection`` is shown to ``user`` whole (the admin's view of it)."""
    return permissions.can_view(user, collection)


def readable_collections(user: User) -> QuerySet[Collection]:
    """Finding aids the public may see, plus those of the caller's repositories."""
    public = visibility.public_collections(Collection.objects.all())
    if not is_staff_reader(user):
        return public
    staff = permissions.scope(Collection.objects.all(), user)
    return Collection.objects.filter(Q(pk__in=public.values("pk")) | Q(pk__in=staff.values("pk")))


def collection_get(user: User, pk: int) -> Collection:
    """A readable collection by id; 404 otherwise (an unpublished one does not exist)."""
    collection = readable_collections(user).select_related("repository").filter(pk=pk).first()
    if collection is None:
        raise Http404("No such collection.")
    return collection


def component_get(user: User, pk: int) -> tuple[Component, bool]:
    """A readable component by id and whether the caller sees it as staff; 404 otherwise."""
    unit = Component.objects.select_related("collection__repository").filter(pk=pk).first()
    if unit is None:
        raise Http404("No such component.")
    if sees_as_staff(user, unit.collection):
        return unit, True
    if not visibility.is_public(unit):
        raise Http404("No such component.")
    return unit, False


def readable_authorities[M: (Agent, Subject)](user: User, model: type[M]) -> QuerySet[M]:
    """Agents or subjects: shared records, so any member sees them all; others the public."""
    if is_staff_reader(user):
        return model.objects.all()
    return visibility.public_authorities(model.objects.all())
