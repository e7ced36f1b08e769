"""Shared admin behaviour: repository-scoped access and refusal of stale saves.

Every ModelAdmin of the archive derives from :class:`ScopedAdmin` (or uses
:class:`ScopedInline` for inlines), so "staff see and edit only their repositories' records"
holds for change lists, change views, autocomplete results, actions, form choices and the
outline views alike. The rule itself lives in ``archive.permissions``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import ForeignKey, Model, QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from archive import permissions
from archive.admin.markup import ExportSafeForm
from archive.models import Collection, Component, Container, Repository

VERSION_FIELD = "edit_version"


class StaleEditForm(ExportSafeForm):
    """Refuses to save over a change someone else saved after this form was opened.

    The form carries the record's ``updated`` timestamp as it was when the page was rendered;
    if the record in the database is newer at save time, the save is refused and the user is
    told who changed it and when, so nobody silently overwrites a colleague's work.
    """

    edit_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and getattr(self.instance, "updated", None):
            self.fields[VERSION_FIELD].initial = self.instance.updated.isoformat()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        instance = self.instance
        seen = self.data.get(self.add_prefix(VERSION_FIELD), "")
        current = getattr(instance, "updated", None)
        if instance.pk and current is not None and seen and seen != current.isoformat():
            who = ""
            history = getattr(instance, "history", None)
            if history is not None:
                latest = history.order_by("-history_date").select_related("history_user").first()
                if latest is not None and latest.history_user is not None:
                    who = f" by {latest.history_user.get_username()}"
            raise forms.ValidationError(
                "This record was changed%(who)s at %(when)s, after you opened it. Your changes "
                "were not saved: open the record again to see the newer version, then redo "
                "your changes.",
                code="stale",
                params={"who": who, "when": current.strftime("%Y-%m-%d %H:%M:%S UTC")},
            )
        return cleaned


class ScopedAdmin(SimpleHistoryAdmin):
    """A ModelAdmin whose rows, choices and permissions follow ``archive.permissions``."""

    form = StaleEditForm
    list_per_page = 50
    # Set-based operations (moves, publishing, merges) say what they did in the reason.
    history_list_display = ["history_change_reason"]

    # --- rows -------------------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return permissions.scope(super().get_queryset(request), request.user)

    # --- permissions -------------------------------------------------------------------------
    def _shared(self) -> bool:
        return permissions.repository_lookup(self.model) is None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.is_member(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None:
            return permissions.is_member(request.user)
        return permissions.can_view(request.user, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if self._shared():
            return permissions.can_edit_shared(user)
        return user.is_superuser or bool(
            permissions.repository_ids(user, roles=permissions.EDIT_ROLES)
        )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return permissions.can_edit(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_change_permission(request, obj)

    # --- choices in forms -----------------------------------------------------------------
    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs):
        return super().formfield_for_foreignkey(
            db_field, request, **_scoped_choices(db_field, request, kwargs)
        )

    # --- stale edits: keep the hidden version field in every layout -------------------------
    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None):
        fieldsets = list(super().get_fieldsets(request, obj))
        names = {f for _, opts in fieldsets for f in _flatten(opts.get("fields", ()))}
        if VERSION_FIELD not in names and fieldsets:
            title, opts = fieldsets[-1]
            fieldsets[-1] = (title, {**opts, "fields": [*opts["fields"], VERSION_FIELD]})
        return fieldsets

    def get_fields(self, request: HttpRequest, obj: Model | None = None):
        fields = [f for f in super().get_fields(request, obj) if f != VERSION_FIELD]
        return [*fields, VERSION_FIELD]


class ScopedInline:
    """Mixin for inlines: the parent's permission decides, and choices are scoped."""

    form: type[forms.ModelForm] = ExportSafeForm  # no text that would break an export

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return obj is None or permissions.can_edit(request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return obj is None or permissions.can_edit(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return obj is None or permissions.can_edit(request.user, obj)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return obj is None or permissions.can_view(request.user, obj)

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs):
        return super().formfield_for_foreignkey(  # type: ignore[misc]
            db_field, request, **_scoped_choices(db_field, request, kwargs)
        )


def _scoped_choices(db_field: ForeignKey, request: HttpRequest, kwargs: dict) -> dict:
    """Limit a foreign key's choices to the records the user may edit."""
    model = db_field.remote_field.model
    if model in (Repository, Collection, Component, Container) and "queryset" not in kwargs:
        roles = permissions.EDIT_ROLES
        kwargs["queryset"] = permissions.scope(
            model._default_manager.all(), request.user, roles=roles
        )
        if model is Repository and not request.user.is_superuser:
            kwargs["queryset"] = Repository.objects.filter(
                pk__in=permissions.repository_ids(request.user, roles=roles)
            )
    return kwargs


def _flatten(fields) -> list[str]:
    out: list[str] = []
    for f in fields:
        if isinstance(f, list | tuple):
            out.extend(f)
        else:
            out.append(f)
    return out


admin.site.site_header = "Fonds administration"
admin.site.site_title = "Fonds"
admin.site.index_title = "Cataloguing"
