"""Admin for the shared authorities: agents and subjects, with merging of duplicates."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern

from archive import permissions
from archive.admin.base import ScopedAdmin, ScopedInline, StaleEditForm
from archive.admin.eac import export_eac, import_eac_urls
from archive.models import Agent, AgentRelation, AgentVariantName, Subject
from archive.services.merge import agent_merge, subject_merge

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _LinkCount(TypedDict):
    """What ``get_queryset`` of the authority admins annotates each row with."""

    num_links: int


class AgentVariantNameInline(ScopedInline, admin.TabularInline):
    model = AgentVariantName
    extra = 0
    verbose_name = "variant name"


class AgentRelationInline(ScopedInline, admin.TabularInline):
    model = AgentRelation
    fk_name = "source"
    extra = 0
    autocomplete_fields = ["target"]
    fields = ["relation_type", "target", "description", "dates"]
    verbose_name = "relation"
    verbose_name_plural = "relations (this agent is … of)"


class AgentForm(StaleEditForm):
    class Meta:
        model = Agent
        fields = "__all__"


class SubjectForm(StaleEditForm):
    class Meta:
        model = Subject
        fields = "__all__"


def _merge_view(
    modeladmin: ScopedAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    label: str,
    merge: Callable[..., Model],
) -> TemplateResponse | None:
    """Intermediate page: choose the survivor among the selected records, then merge."""
    if not permissions.can_edit_shared(request.user):
        raise PermissionDenied
    records = list(queryset.annotate(link_count=Count("links")))
    if len(records) < 2:
        modeladmin.message_user(request, "Select at least two records to merge.", messages.WARNING)
        return None
    choices = [(r.pk, f"{r} ({r.link_count} links)") for r in records]

    class SurvivorForm(forms.Form):
        survivor = forms.TypedChoiceField(
            choices=choices, coerce=int, widget=forms.RadioSelect, label="Keep"
        )

    if request.POST.get("confirm") == "yes":
        form = SurvivorForm(request.POST)
        if form.is_valid():
            by_pk = {r.pk: r for r in records}
            survivor = by_pk[form.cleaned_data["survivor"]]
            duplicates = [r for r in records if r.pk != survivor.pk]
            try:
                merge(survivor=survivor, duplicates=duplicates, user=request.user)
            except ValidationError as exc:
                modeladmin.message_user(request, " ".join(exc.messages), messages.ERROR)
                return None
            modeladmin.message_user(
                request,
                f"Merged {len(duplicates)} {label} into “{survivor}”.",
                messages.SUCCESS,
            )
            return None
    else:
        form = SurvivorForm(initial={"survivor": max(records, key=lambda r: r.link_count).pk})
    return TemplateResponse(
        request,
        "admin/archive/merge.html",
        {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.model._meta,
            "title": f"Merge {label}",
            "form": form,
            "records": records,
            "selected": [r.pk for r in records],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": request.POST.get("action"),
        },
    )


@admin.action(description="Merge the selected agents into one", permissions=["change"])
def merge_agents(
    modeladmin: ScopedAdmin, request: HttpRequest, queryset: QuerySet[Agent]
) -> TemplateResponse | None:
    return _merge_view(modeladmin, request, queryset, label="agents", merge=agent_merge)


@admin.action(description="Merge the selected subjects into one", permissions=["change"])
def merge_subjects(
    modeladmin: ScopedAdmin, request: HttpRequest, queryset: QuerySet[Subject]
) -> TemplateResponse | None:
    return _merge_view(modeladmin, request, queryset, label="subjects", merge=subject_merge)


@admin.register(Agent)
class AgentAdmin(ScopedAdmin):
    form = AgentForm
    list_display = [
        "authorized_name",
        "agent_type",
        "existence",
        "authority_source",
        "link_count",
        "published",
    ]
    list_filter = ["agent_type", "published", "authority_source"]
    search_fields = ["authorized_name", "variant_names__name", "authority_id"]
    prepopulated_fields = {"slug": ["authorized_name"]}
    inlines = [AgentVariantNameInline, AgentRelationInline]
    actions = [merge_agents, export_eac]
    fieldsets = [
        (None, {"fields": ["agent_type", "authorized_name", "slug", "published"]}),
        (
            "Name parts",
            {
                "fields": [
                    ("primary_name", "rest_of_name"),
                    ("fuller_form", "name_title"),
                    ("name_dates", "qualifier"),
                ]
            },
        ),
        ("Existence", {"fields": [("existence_begin", "existence_end"), "biography"]}),
        ("Authority", {"fields": [("authority_source", "authority_id")]}),
        (
            "Authority record (EAC-CPF)",
            {
                "classes": ["collapse"],
                "fields": [
                    ("record_id", "maintenance_agency"),
                    "places",
                    "occupations",
                    "functions",
                    "sources",
                    "other_relations",
                ],
            },
        ),
    ]

    def get_urls(self) -> list[URLPattern]:
        return [*import_eac_urls(self), *super().get_urls()]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = {"can_import_eac": permissions.can_edit_shared(request.user)}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agent]:
        qs = super().get_queryset(request).annotate(num_links=Count("links", distinct=True))
        return qs.order_by("authorized_name", "pk")

    @admin.display(description="Links", ordering="num_links")
    def link_count(self, obj: WithAnnotations[Agent, _LinkCount]) -> int:
        return obj.num_links

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Agent], search_term: str
    ) -> tuple[QuerySet[Agent], bool]:
        queryset, _ = super().get_search_results(request, queryset, search_term)
        # Searching variant names joins a to-many table; distinct() instead of duplicates.
        return queryset.distinct(), False


@admin.register(Subject)
class SubjectAdmin(ScopedAdmin):
    form = SubjectForm
    list_display = ["term", "subject_type", "source", "link_count", "published"]
    list_filter = ["subject_type", "source", "published"]
    search_fields = ["term", "authority_id"]
    prepopulated_fields = {"slug": ["term"]}
    actions = [merge_subjects]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Subject]:
        qs = super().get_queryset(request).annotate(num_links=Count("links", distinct=True))
        return qs.order_by("term", "pk")

    @admin.display(description="Links", ordering="num_links")
    def link_count(self, obj: WithAnnotations[Subject, _LinkCount]) -> int:
        return obj.num_links
