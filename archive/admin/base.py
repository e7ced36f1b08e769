"""Shared admin behaviour: repository-scoped access and refusal of stale saves.

Every ModelAdmin of the archive derives from :class:`ScopedAdmin` (or uses
:class:`ScopedInline` for inlines), so "staff see and edit only their repositories' records"
holds for change lists, change views, autocomplete results, actions, form choices and the
outline views alike. The rule itself lives in ``archive.permissions``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ForeignKey, Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern
from simple_history.admin import SimpleHistoryAdmin

from archive import permissions
from archive.admin.markup import ExportSafeForm

VERSION_FIELD = "edit_version"

#: What ``ModelAdmin.get_fieldsets`` returns: (title, options with "fields") pairs.
Fieldsets = list[tuple[str | None, dict[str, Any]]]


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


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id field whose label (title and link next to the id) is looked up in the field's
    own, scoped queryset: an id typed or passed in the URL (``?unit=<pk>``) that names a record
    the user may not see shows no label, exactly like an id that names nothing."""

    def __init__(self, *args: Any, queryset: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queryset = queryset

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        key = self.rel.get_related_field().name
        try:
            visible = self.queryset.using(self.db).filter(**{key: value}).exists()
        except (ValueError, TypeError, ValidationError):
            return "", ""
        if not visible:
            return "", ""
        return super().label_and_url_for_value(value)


def _has_history(model: type[Model]) -> bool:
    """Whether ``model`` keeps versions with django-simple-history (``HistoricalRecords``)."""
    return hasattr(model._meta, "simple_history_manager_attribute")


class ScopedAdmin(SimpleHistoryAdmin):
    """A ModelAdmin whose rows, choices and permissions follow ``archive.permissions``.

    Models that keep versions (``HistoricalRecords``) get django-simple-history's history
    page with its revert form; the others (containers, digital objects, memberships) get
    Django's own history page of admin log entries.
    """

    form = StaleEditForm
    list_per_page = 50
    # Set-based operations (moves, publishing, merges) say what they did in the reason.
    history_list_display = ["history_change_reason"]
    object_history_template: str

    def __init__(self, model: type[Model], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        if not _has_history(model) and (
            self.object_history_template == SimpleHistoryAdmin.object_history_template
        ):
            # Named in full: "admin/archive/object_history.html" is simple-history's page.
            self.object_history_template = "admin/object_history.html"

    # --- rows -------------------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
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
    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        formfield = super().formfield_for_foreignkey(
            db_field, request, **_scoped_choices(db_field, request, kwargs)
        )
        return _scoped_raw_id(formfield, db_field, self.admin_site, kwargs.get("using"))

    # --- history ------------------------------------------------------------------------------
    def get_urls(self) -> list[URLPattern]:
        if _has_history(self.model):
            return super().get_urls()
        # No versions, so no "revert to this version" page either.
        return admin.ModelAdmin.get_urls(self)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not _has_history(self.model):
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        self._viewable_version(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """An old version, and reverting to it (a POST): a revert is a change like any other."""
        old = self._viewable_version(request, object_id, version_id)
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if not (
                current is not None
                and self.has_change_permission(request, current)
                and self.has_change_permission(request, old)
            ):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _viewable_version(
        self, request: HttpRequest, object_id: str, version_id: str | None = None
    ) -> Model:
        """The record (or, once deleted, its last version) if the user may see it; else 404.

        Another repository's record answers like a record that does not exist, so the
        history pages tell nobody which ids are in use.
        """
        object_id = unquote(object_id)
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        try:
            versions = history.filter(**{self.model._meta.pk.attname: object_id})
            if version_id is not None:
                obj = versions.get(history_id=version_id).instance
            else:
                obj = (
                    self.get_object(request, object_id) or versions.latest("history_date").instance
                )
        except (history.model.DoesNotExist, ValueError, TypeError, ValidationError):
            raise Http404 from None
        if not self.has_view_permission(request, obj):
            raise Http404
        return obj

    # --- stale edits: keep the hidden version field in every layout -------------------------
    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> Fieldsets:
        fieldsets = list(super().get_fieldsets(request, obj))
        names = {f for _, opts in fieldsets for f in _flatten(opts.get("fields", ()))}
        if VERSION_FIELD not in names and fieldsets:
            title, opts = fieldsets[-1]
            fieldsets[-1] = (title, {**opts, "fields": [*opts["fields"], VERSION_FIELD]})
        return fieldsets

    def get_fields(
        self, request: HttpRequest, obj: Model | None = None
    ) -> list[str | Sequence[str]]:
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

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        # A mixin: the method and ``admin_site`` come from the inline class it is mixed into,
        # which the type checker cannot see from here.
        formfield = super().formfield_for_foreignkey(  # type: ignore[misc]
            db_field, request, **_scoped_choices(db_field, request, kwargs)
        )
        return _scoped_raw_id(formfield, db_field, self.admin_site, kwargs.get("using"))  # type: ignore[attr-defined]


def _scoped_choices(
    db_field: ForeignKey[Any, Any], request: HttpRequest, kwargs: dict[str, Any]
) -> dict[str, Any]:
    """Limit a foreign key's choices to the records the user may edit.

    Every model that belongs to a repository is scoped (repositories, collections,
    components, containers...); shared records (agents, subjects, users) are not.
    """
    model = db_field.remote_field.model
    if "queryset" not in kwargs and permissions.repository_lookup(model) is not None:
        kwargs["queryset"] = permissions.scope(
            model._default_manager.all(), request.user, roles=permissions.EDIT_ROLES
        )
    return kwargs


def _scoped_raw_id(
    formfield: forms.ModelChoiceField[Any] | None,
    db_field: ForeignKey[Any, Any],
    admin_site: admin.AdminSite,
    using: str | None,
) -> forms.ModelChoiceField[Any] | None:
    """Give a raw-id field a widget whose label comes from the field's (scoped) choices."""
    if (
        formfield is not None
        and formfield.queryset is not None
        and type(formfield.widget) is ForeignKeyRawIdWidget
    ):
        formfield.widget = ScopedRawIdWidget(
            db_field.remote_field,
            admin_site,
            attrs=formfield.widget.attrs,
            using=using,
            queryset=formfield.queryset,
        )
    return formfield


def _flatten(fields: Iterable[str | Sequence[str]]) -> list[str]:
    """Field names of a fieldset's "fields", whose entries may be rows of several names."""
    out: list[str] = []
    for f in fields:
        if isinstance(f, str):
            out.append(f)
        else:
            out.extend(f)
    return out


admin.site.site_header = "Fonds administration"
admin.site.site_title = "Fonds"
admin.site.index_title = "Cataloguing"
