"""Admin for repositories and their staff, containers and digital objects."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey, Model
from django.forms import ModelChoiceField
from django.http import HttpRequest

from archive import permissions
from archive.admin.base import ScopedAdmin, ScopedInline, StaleEditForm
from archive.admin.units import DigitalObjectForm
from archive.models import Container, DigitalObject, Repository, RepositoryMembership


class RepositoryForm(StaleEditForm):
    class Meta:
        model = Repository
        fields = "__all__"


class MembershipInline(ScopedInline, admin.TabularInline):
    model = RepositoryMembership
    extra = 0
    raw_id_fields = ["user"]
    verbose_name = "staff member"


@admin.register(Repository)
class RepositoryAdmin(ScopedAdmin):
    form = RepositoryForm
    list_display = ["name", "code", "agency_code", "country_code", "parent_institution"]
    search_fields = ["name", "code", "agency_code"]
    inlines = [MembershipInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A new repository has no manager yet: only superusers create them.
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None:
            return request.user.is_superuser or bool(
                permissions.repository_ids(request.user, roles=permissions.MANAGE_ROLES)
            )
        return permissions.can_edit(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser


@admin.register(RepositoryMembership)
class RepositoryMembershipAdmin(ScopedAdmin):
    list_display = ["user", "repository", "role"]
    list_filter = ["role", "repository"]
    search_fields = ["user__username", "user__email", "repository__name"]
    raw_id_fields = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or bool(
            permissions.repository_ids(request.user, roles=permissions.MANAGE_ROLES)
        )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return permissions.can_edit(request.user, obj)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "repository" and not request.user.is_superuser:
            kwargs["queryset"] = Repository.objects.filter(
                pk__in=permissions.repository_ids(request.user, roles=permissions.MANAGE_ROLES)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Container)
class ContainerAdmin(ScopedAdmin):
    list_display = ["__str__", "container_type", "indicator", "barcode", "collection"]
    list_filter = ["container_type", "collection__repository"]
    list_select_related = ["collection"]
    search_fields = ["indicator", "barcode", "label", "collection__ead_id"]
    show_full_result_count = False


@admin.register(DigitalObject)
class DigitalObjectAdmin(ScopedAdmin):
    form = DigitalObjectForm
    list_display = ["__str__", "role", "unit", "published"]
    list_filter = ["published", "role"]
    list_select_related = ["unit"]
    search_fields = ["title", "link"]
    raw_id_fields = ["unit"]
    show_full_result_count = False
