"""Admin of researchers' requests and of where each repository's requests go.

Staff see the requests of their repositories only (``archive.permissions``, through
:class:`~archive.admin.base.ScopedAdmin`); archivists and managers change their status;
any of them downloads the pull list (CSV, by box and location). A repository's request
settings (reading-room address, Aeon address, method and field mapping) are chosen by its
managers.
"""

from __future__ import annotations

import io
import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest, HttpResponse

from archive import permissions
from archive.admin.base import ScopedAdmin, StaleEditForm
from archive.links import LINK_RULE_MESSAGE, safe_link
from archive.models import MaterialRequest, MaterialRequestItem, Repository, RequestSettings
from archive.models.requests import ITEM_VALUES, REQUEST_VALUES
from archive.requests.pull_list import pull_list_rows, pull_list_write
from archive.requests.status import requests_set_status


class RepositoryFilter(admin.SimpleListFilter):
    """Repository, offering only the user's repositories."""

    title = "repository"
    parameter_name = "repository"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        repositories = permissions.scope(Repository.objects.all(), request.user)
        return [(str(r.pk), r.name) for r in repositories]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(repository_id=value) if value and value.isdigit() else queryset


class ItemInline(admin.TabularInline):
    model = MaterialRequestItem
    extra = 0
    can_delete = False
    fields = ("container_text", "folder", "title", "collection_identifier", "location", "access")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return obj is None or permissions.can_view(request.user, obj)


@admin.register(MaterialRequest)
class MaterialRequestAdmin(ScopedAdmin):
    list_display = ["__str__", "repository", "visit_date", "status", "item_count", "created"]
    list_filter = ["status", RepositoryFilter, "visit_date"]
    search_fields = ["name", "email"]
    date_hierarchy = "visit_date"
    fields = [
        "repository",
        "status",
        "name",
        "email",
        "visit_date",
        "notes",
        "delivered",
        "created",
    ]
    readonly_fields = ["repository", "name", "email", "visit_date", "notes", "delivered", "created"]
    inlines = [ItemInline]
    actions = ["mark_retrieved", "mark_returned", "mark_cancelled", "download_pull_list"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .select_related("repository")
            .annotate(item_total=Count("items"))
        )

    @admin.display(description="items", ordering="item_total")
    def item_count(self, obj: MaterialRequest) -> int:
        return int(getattr(obj, "item_total", 0))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # researchers make requests, on the public site

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None:  # the list's status actions: archivists and managers somewhere
            user = request.user
            return user.is_superuser or bool(
                permissions.repository_ids(user, roles=permissions.EDIT_ROLES)
            )
        return permissions.can_edit(request.user, obj)

    def _set(self, request: HttpRequest, queryset: QuerySet[Any], status: str) -> None:
        changed = requests_set_status(requests=queryset, status=status, user=request.user)
        label = MaterialRequest.Status(status).label.lower()
        self.message_user(request, f"{changed} request(s) marked {label}.", messages.SUCCESS)

    @admin.action(description="Mark as retrieved", permissions=["change"])
    def mark_retrieved(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set(request, queryset, MaterialRequest.Status.RETRIEVED)

    @admin.action(description="Mark as returned", permissions=["change"])
    def mark_returned(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set(request, queryset, MaterialRequest.Status.RETURNED)

    @admin.action(description="Mark as cancelled", permissions=["change"])
    def mark_cancelled(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set(request, queryset, MaterialRequest.Status.CANCELLED)

    @admin.action(description="Download pull list (CSV, by box and location)")
    def download_pull_list(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse:
        out = io.StringIO()
        pull_list_write(pull_list_rows(queryset), out)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="pull-list.csv"'
        return response


class RequestSettingsForm(StaleEditForm):
    class Meta:
        model = RequestSettings
        fields = [
            "repository",
            "email_enabled",
            "email_to",
            "aeon_enabled",
            "aeon_url",
            "aeon_method",
            "aeon_fields",
        ]

    def clean_aeon_url(self) -> str:
        url: str = self.cleaned_data.get("aeon_url") or ""
        if url and safe_link(url) is None:
            raise forms.ValidationError(LINK_RULE_MESSAGE)
        return url

    def clean_aeon_fields(self) -> dict[str, str]:
        mapping = self.cleaned_data.get("aeon_fields") or {}
        if not isinstance(mapping, dict):
            raise forms.ValidationError(
                'Give an object of Aeon field names and Fonds values, e.g. {"ItemTitle": "title"}.'
            )
        known = {**ITEM_VALUES, **REQUEST_VALUES}
        for name, key in mapping.items():
            if not isinstance(key, str) or key not in known:
                raise forms.ValidationError(
                    f"{name}: {json.dumps(key)} is not a Fonds value; use one of "
                    + ", ".join(known)
                    + "."
                )
            if not str(name).strip() or name == "Request":
                raise forms.ValidationError(
                    f"{json.dumps(name)} cannot be an Aeon field name here."
                )
        return mapping

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("email_enabled") and not cleaned.get("email_to"):
            self.add_error("email_to", "Give the reading room's address to send requests by email.")
        if cleaned.get("aeon_enabled") and not cleaned.get("aeon_url"):
            self.add_error("aeon_url", "Give the Aeon address to send requests to Aeon.")
        return cleaned


@admin.register(RequestSettings)
class RequestSettingsAdmin(ScopedAdmin):
    """Managers of a repository choose where its requests go."""

    form = RequestSettingsForm
    list_display = ["repository", "email_enabled", "email_to", "aeon_enabled", "aeon_url"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_superuser or bool(
            permissions.repository_ids(user, roles=permissions.MANAGE_ROLES)
        )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None or not isinstance(obj, RequestSettings):
            return self.has_add_permission(request)
        return permissions.can_edit(request.user, obj.repository)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "repository":
            kwargs["queryset"] = permissions.scope(
                Repository.objects.all(), request.user, roles=permissions.MANAGE_ROLES
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
