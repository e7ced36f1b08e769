"""Admin for components and notes: a component's page, its place in the tree, its inlines.

The inlines and the publishing actions are shared with the collection's admin in ``units``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from archive import permissions, tree
from archive.admin.base import Fieldsets, ScopedAdmin, StaleEditForm
from archive.admin.units import (
    AgentLinkInline,
    ContainerInstanceInline,
    DigitalObjectInline,
    ExtentInline,
    NoteInline,
    SubjectLinkInline,
    UnitDateInline,
    _import_context,
    _redirect,
    publish_components,
    unpublish_components,
)
from archive.models import (
    Component,
    Note,
)
from archive.services import outline as outline_service

# --- Component --------------------------------------------------------------------------------


TREE_FIELDS = ("path", "depth", "numchild", "collection_id")


class ComponentForm(StaleEditForm):
    class Meta:
        model = Component
        exclude = ["path", "depth", "numchild", "collection"]


class ComponentAddForm(ComponentForm):
    # Replaced per request by ComponentAdmin.get_form with the user's editable components.
    parent = forms.ModelChoiceField(queryset=Component.objects.none())
    position = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class PublishedFilter(admin.SimpleListFilter):
    title = "published"
    parameter_name = "published"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [("1", "Published"), ("0", "Not published")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Component]) -> QuerySet[Component]:
        if self.value() in {"0", "1"}:
            return queryset.filter(published=self.value() == "1")
        return queryset


@admin.register(Component)
class ComponentAdmin(ScopedAdmin):
    form = ComponentForm
    object_history_template = "admin/archive/object_history.html"
    list_display = [
        "display_title",
        "level",
        "identifier",
        "collection_column",
        "depth",
        "published",
    ]
    list_filter = ["level", PublishedFilter, "collection__repository"]
    list_select_related = ["collection__repository"]
    search_fields = ["title", "identifier", "ref"]
    ordering = ["collection", "path"]
    show_full_result_count = False
    actions = [publish_components, unpublish_components]
    readonly_fields = ["place"]
    inlines = [
        UnitDateInline,
        ExtentInline,
        NoteInline,
        AgentLinkInline,
        SubjectLinkInline,
        ContainerInstanceInline,
        DigitalObjectInline,
    ]
    fieldsets = [
        (None, {"fields": ["place", ("level", "other_level"), "title", "title_markup"]}),
        (
            "Identification",
            {"fields": [("identifier", "ref"), "languages", "physical_location", "published"]},
        ),
        ("Kept for export", {"classes": ["collapse"], "fields": ["attributes", "unmapped"]}),
    ]

    @admin.display(description="Collection", ordering="collection")
    def collection_column(self, obj: Component) -> str:
        return obj.collection.ead_id

    @admin.display(description="Place in the outline")
    def place(self, obj: Component | None) -> str:
        if obj is None or obj.pk is None:
            return "Chosen from the outline (add a child or a sibling there)."
        crumbs = list(tree.ancestors(obj)) + [obj]
        trail = format_html_join(" › ", "{}", ((c.display_title,) for c in crumbs))
        return format_html(
            '{} · <a href="{}?node={}">Open in the outline</a>',
            trail,
            reverse("admin:archive_collection_outline", args=[obj.collection_id]),
            obj.pk,
        )

    def _parent_from(self, request: HttpRequest) -> Component | None:
        raw = request.GET.get("parent") or request.POST.get("parent")
        if not raw or not str(raw).isdigit():
            return None
        return self.get_queryset(request).filter(pk=raw).first()

    def get_form(
        self,
        request: HttpRequest,
        obj: Component | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm]:
        if obj is None:
            kwargs["form"] = ComponentAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            # New field objects (never mutate the shared declared ones: they outlive the request).
            form.base_fields["parent"] = forms.ModelChoiceField(
                queryset=permissions.scope(
                    Component.objects.all(), request.user, roles=permissions.EDIT_ROLES
                ),
                widget=forms.HiddenInput if self._parent_from(request) else forms.NumberInput,
                initial=getattr(self._parent_from(request), "pk", None),
                help_text="Id of the parent component; use “Add child” in a collection's outline.",
            )
            form.base_fields["position"] = forms.IntegerField(
                required=False,
                min_value=1,
                widget=forms.HiddenInput,
                initial=request.GET.get("position"),
            )
        return form

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> Fieldsets:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            first_title, first = fieldsets[0]
            fields = ["parent", "position", *first["fields"]]
            fieldsets = [(first_title, {**first, "fields": fields}), *fieldsets[1:]]
        return fieldsets

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.pop("parent", None)
        return initial

    def save_model(
        self, request: HttpRequest, obj: Component, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            # The place in the tree is changed only by the outline services. An edit form, or
            # a revert to an old version from the history, must not write back a stale place.
            place = Component.objects.filter(pk=obj.pk).values(*TREE_FIELDS).first()
            if place:
                for field, value in place.items():
                    setattr(obj, field, value)
            super().save_model(request, obj, form, change)
            return
        outline_service.component_add(
            parent=form.cleaned_data["parent"],
            user=request.user,
            position=form.cleaned_data.get("position"),
            unit=obj,
        )

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # A root description is removed with its collection, never on its own.
        if isinstance(obj, Component) and obj.depth == 1:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: Component) -> None:
        # One DELETE per table over the subtree, the search rows gone, one history entry.
        outline_service.component_delete(unit=obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Component]) -> None:
        with transaction.atomic():
            for unit in outline_service.units_topmost(queryset):
                outline_service.component_delete(unit=unit, user=request.user)

    def get_deleted_objects(
        self, objs: Sequence[Component] | QuerySet[Component], request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        """The confirmation's true counts, by COUNT queries (Django's default would load
        every unit below and every row attached to them)."""
        units = outline_service.units_topmost(objs)
        counts = [outline_service.subtree_contents_count(unit=u) for u in units]
        allowed = all(self.has_delete_permission(request, u) for u in units)
        return deletion_summary(units, counts, allowed=allowed, name="component")

    def response_add(
        self, request: HttpRequest, obj: Component, post_url_continue: str | None = None
    ) -> HttpResponse:
        if "_continue" in request.POST or "_addanother" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(request, f"Added “{obj.display_title}”.", messages.SUCCESS)
        return _redirect(
            reverse("admin:archive_collection_outline", args=[obj.collection_id])
            + f"?node={_parent_id(obj)}"
        )

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # 404 unless the user may see it; this admin's versions are components
        unit = cast(Component, self._viewable_version(request, object_id))
        context = _import_context(unit.collection_id)
        return super().history_view(request, object_id, {**(extra_context or {}), **context})


def deletion_summary(
    objs: Sequence[Model], counts: Sequence[dict[str, int]], *, allowed: bool, name: str
) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
    """What Django's delete confirmation shows, from counts rather than loaded rows.

    Returns ``(objects, summary, missing permissions, protected)`` as ``get_deleted_objects``
    does: each record with the counts of what goes with it, then the totals.
    """
    listed: list[Any] = []
    totals: dict[str, int] = {}
    for obj, count in zip(objs, counts, strict=True):
        listed.append(str(obj))
        listed.append([f"{label.capitalize()}: {n:,}" for label, n in count.items() if n])
        for label, n in count.items():
            totals[label] = totals.get(label, 0) + n
    summary = {label: n for label, n in totals.items() if n}
    return listed, summary, set() if allowed else {name}, []


def _parent_id(unit: Component) -> int:
    return Component.objects.get(
        collection_id=unit.collection_id, path=tree.parent_path(unit.path)
    ).pk


# --- Note ----------------------------------------------------------------------------------------


class NoteForm(StaleEditForm):
    class Meta:
        model = Note
        fields = "__all__"


@admin.register(Note)
class NoteAdmin(ScopedAdmin):
    """Notes are edited inline on their unit; registered here for their own change history."""

    form = NoteForm
    list_display = ["display_heading", "note_type", "unit", "published"]
    list_filter = ["note_type", "published"]
    list_select_related = ["unit"]
    search_fields = ["heading", "content", "unit__title"]
    raw_id_fields = ["unit"]
    show_full_result_count = False
