"""Admin for collections, their components and notes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, URLPattern, reverse
from django.utils.html import format_html, format_html_join

from archive import links, permissions
from archive.admin.base import Fieldsets, ScopedAdmin, ScopedInline, StaleEditForm
from archive.admin.exports import export_ead3, export_ead2002
from archive.admin.markup import ExportSafeForm
from archive.admin.quality import dacs_checklist, suggested_expression, validate_date_range
from archive.models import (
    AgentLink,
    Collection,
    Component,
    ContainerInstance,
    DigitalObject,
    Extent,
    Level,
    Note,
    Revision,
    SubjectLink,
    UnitDate,
)
from archive.services import harvest, publishing
from archive.services import outline as outline_service
from archive.services.collections import delete_collection

# --- inlines ----------------------------------------------------------------------------------


class UnitDateForm(ExportSafeForm):
    """Normalised dates must be ISO 8601 and in order; a blank expression is filled in."""

    class Meta:
        model = UnitDate
        fields = ["expression", "begin", "end", "date_type", "certainty", "published", "position"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        begin = (cleaned.get("begin") or "").strip()
        end = (cleaned.get("end") or "").strip()
        for field, message in validate_date_range(begin, end).items():
            self.add_error(field, message)
        if not self.errors and not (cleaned.get("expression") or "").strip():
            if not begin:
                raise ValidationError("Give an expression or a normalised beginning.")
            cleaned["expression"] = suggested_expression(begin, end)
        cleaned["begin"], cleaned["end"] = begin, end
        return cleaned


class UnitDateInline(ScopedInline, admin.TabularInline):
    model = UnitDate
    form = UnitDateForm
    extra = 0
    verbose_name = "date"


class ExtentInline(ScopedInline, admin.TabularInline):
    model = Extent
    extra = 0
    fields = [
        "number",
        "extent_type",
        "portion",
        "container_summary",
        "dimensions",
        "published",
        "position",
    ]


class NoteInline(ScopedInline, admin.StackedInline):
    model = Note
    extra = 0
    fields = [("note_type", "heading", "published", "position"), "content"]


class AgentLinkInline(ScopedInline, admin.TabularInline):
    model = AgentLink
    extra = 0
    autocomplete_fields = ["agent"]
    fields = ["agent", "role", "relator", "published", "position"]
    verbose_name = "name"


class SubjectLinkInline(ScopedInline, admin.TabularInline):
    model = SubjectLink
    extra = 0
    autocomplete_fields = ["subject"]
    fields = ["subject", "published", "position"]
    verbose_name = "subject"


class ContainerInstanceInline(ScopedInline, admin.TabularInline):
    model = ContainerInstance
    extra = 0
    autocomplete_fields = ["container"]
    fields = [
        "container",
        "child_type",
        "child_indicator",
        "grandchild_type",
        "grandchild_indicator",
        "instance_type",
        "published",
    ]
    verbose_name = "container"


def validate_web_link(value: str) -> None:
    """Form validator: the value must pass the one link rule (``archive.links.safe_link``).

    Then Django's URL check of the host name, limited to the schemes the rule allows, so a
    value is refused with one message that says what is allowed.
    """
    if not value:
        return
    if links.safe_link(value) is None:
        raise ValidationError(links.LINK_RULE_MESSAGE, code="unsafe_link")
    URLValidator(schemes=["http", "https"])(value)


class DigitalObjectInlineForm(ExportSafeForm):
    """Digital objects entered by staff: the link must be one our pages may show as a link.

    (Imported EAD keeps whatever ``href`` it had; the pages show a refused one as text.)
    """

    class Meta:
        model = DigitalObject
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "link" in self.fields:
            self.fields["link"].validators = [validate_web_link]


class DigitalObjectForm(DigitalObjectInlineForm, StaleEditForm):
    """The digital object's own admin page: the same link rule, and stale saves refused."""

    class Meta:
        model = DigitalObject
        fields = "__all__"


class DigitalObjectInline(ScopedInline, admin.TabularInline):
    model = DigitalObject
    form = DigitalObjectInlineForm
    extra = 0
    fields = ["title", "link", "role", "published", "position"]


class RevisionInline(ScopedInline, admin.TabularInline):
    model = Revision
    extra = 0
    fields = ["date", "agent", "description", "published", "position"]


# --- actions ------------------------------------------------------------------------------------


def _publish_units(request: HttpRequest, units: Iterable[Component], published: bool) -> None:
    units = list(units)
    # All or nothing: refuse before changing anything if one selected record is not editable.
    if not all(permissions.can_edit(request.user, unit) for unit in units):
        raise PermissionDenied
    count = 0
    for unit in units:
        call = publishing.unit_publish if published else publishing.unit_unpublish
        count += call(unit=unit, user=request.user)
    verb = "Published" if published else "Unpublished"
    messages.success(request, f"{verb} {count} components.")


def _publish_action(
    name: str,
    description: str,
    units: Callable[[QuerySet[Any]], Iterable[Component]],
    *,
    published: bool,
) -> Callable[[ScopedAdmin, HttpRequest, QuerySet[Any]], None]:
    """An admin action named ``name`` that publishes (or unpublishes) the ``units`` of the
    selected records with everything below them."""

    def action(modeladmin: ScopedAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        _publish_units(request, units(queryset), published)

    action.__name__ = action.__qualname__ = name  # the admin knows an action by its name
    return admin.action(description=description, permissions=["change"])(action)


def _selected_components(queryset: QuerySet[Component]) -> Iterable[Component]:
    return queryset.order_by("path")


def _collection_roots(queryset: QuerySet[Collection]) -> Iterable[Component]:
    return Component.objects.filter(depth=1, collection__in=queryset)


publish_components = _publish_action(
    "publish_components",
    "Publish the selected with everything below them",
    _selected_components,
    published=True,
)
unpublish_components = _publish_action(
    "unpublish_components",
    "Unpublish the selected with everything below them",
    _selected_components,
    published=False,
)
publish_collections = _publish_action(
    "publish_collections",
    "Publish the selected collections (everything in them)",
    _collection_roots,
    published=True,
)
unpublish_collections = _publish_action(
    "unpublish_collections",
    "Unpublish the selected collections (everything in them)",
    _collection_roots,
    published=False,
)


# --- Collection ---------------------------------------------------------------------------------


class CollectionForm(StaleEditForm):
    """On add, the collection's root description is created from these fields too."""

    title = forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 80}))
    identifier = forms.CharField(required=False, help_text="Call number, e.g. GEN MSS 238")
    level = forms.ChoiceField(choices=Level.choices, initial=Level.COLLECTION, required=False)

    class Meta:
        model = Collection
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("title"):
            self.add_error("title", "A new collection needs a title.")
        return cleaned


def _root_values(field: str) -> Subquery:
    return Subquery(Component.objects.filter(collection=OuterRef("pk"), depth=1).values(field)[:1])


@admin.register(Collection)
class CollectionAdmin(ScopedAdmin):
    form = CollectionForm
    object_history_template = "admin/archive/object_history.html"
    list_display = [
        "title_column",
        "identifier_column",
        "dates_column",
        "ead_id",
        "repository",
        "published_column",
        "outline_link",
    ]
    list_filter = ["repository", "source_version"]
    list_select_related = ["repository"]
    search_fields = ["ead_id", "finding_aid_title"]
    inlines = [RevisionInline]
    actions = [publish_collections, unpublish_collections, export_ead2002, export_ead3]
    readonly_fields = ["description", "dacs_checklist", "import_job_link", "kept_for_export"]
    add_fieldsets = [
        (None, {"fields": ["repository", "ead_id", "title", "identifier", "level"]}),
    ]
    fieldsets = [
        (None, {"fields": ["repository", "ead_id", "description", "dacs_checklist"]}),
        (
            "Finding aid",
            {
                "fields": [
                    "finding_aid_title",
                    "finding_aid_subtitle",
                    "finding_aid_author",
                    "finding_aid_sponsor",
                    "finding_aid_edition",
                    "publisher",
                    "publication_date",
                    ("description_language", "description_language_code"),
                    "description_rules",
                    "creation_note",
                ]
            },
        ),
        (
            "Exchange",
            {
                "classes": ["collapse"],
                "fields": [
                    "source_version",
                    "numbered_components",
                    "import_job_link",
                    "kept_for_export",
                ],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                root_title=_root_values("title"),
                root_identifier=_root_values("identifier"),
                root_published=_root_values("published"),
                root_date=Subquery(
                    UnitDate.objects.filter(unit__collection=OuterRef("pk"), unit__depth=1)
                    .order_by("position", "pk")
                    .values("expression")[:1]
                ),
            )
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Collection], search_term: str
    ) -> tuple[QuerySet[Collection], bool]:
        # The title and call number live on the root description, not on the collection row.
        term = search_term.strip()
        if not term:
            return queryset, False
        roots = Component.objects.filter(collection=OuterRef("pk"), depth=1).filter(
            Q(title__icontains=term) | Q(identifier__icontains=term)
        )
        return queryset.filter(
            Q(ead_id__icontains=term) | Q(finding_aid_title__icontains=term) | Exists(roots)
        ), False

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> Fieldsets:
        if obj is None:
            return [(None, {"fields": [*self.add_fieldsets[0][1]["fields"], "edit_version"]})]
        return super().get_fieldsets(request, obj)

    def get_inlines(
        self, request: HttpRequest, obj: Collection | None
    ) -> Sequence[type[InlineModelAdmin[Any, Any]]]:
        return self.inlines if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: Collection, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            harvest.harvest_rename(
                collection=obj,
                old_repository_id=form.initial.get("repository"),
                old_ead_id=form.initial.get("ead_id", ""),
            )
            return
        obj._history_user = request.user  # type: ignore[attr-defined]  # read by simple-history
        obj.save()
        outline_service.root_create(
            collection=obj,
            title=form.cleaned_data["title"],
            identifier=form.cleaned_data.get("identifier", ""),
            level=form.cleaned_data.get("level") or Level.COLLECTION,
            user=request.user,
        )

    def response_post_save_add(self, request: HttpRequest, obj: Collection) -> HttpResponse:
        return _redirect(reverse("admin:archive_collection_outline", args=[obj.pk]))

    # --- columns -------------------------------------------------------------------------
    @admin.display(description="Title", ordering="root_title")
    def title_column(self, obj: Collection) -> str:
        return getattr(obj, "root_title", None) or obj.ead_id

    @admin.display(description="Identifier", ordering="root_identifier")
    def identifier_column(self, obj: Collection) -> str:
        return getattr(obj, "root_identifier", None) or ""

    @admin.display(description="Dates")
    def dates_column(self, obj: Collection) -> str:
        return getattr(obj, "root_date", None) or ""

    @admin.display(description="Published", boolean=True, ordering="root_published")
    def published_column(self, obj: Collection) -> bool:
        return bool(getattr(obj, "root_published", False))

    @admin.display(description="Outline")
    def outline_link(self, obj: Collection) -> str:
        return format_html(
            '<a href="{}">Outline</a>', reverse("admin:archive_collection_outline", args=[obj.pk])
        )

    @admin.display(description="Description")
    def description(self, obj: Collection) -> str:
        root = obj.root
        if root is None:
            return "No root description."
        dates = ", ".join(d.display for d in root.dates.all())
        return format_html(
            '<strong>{}</strong> {} {}<br><a href="{}">Edit the description</a> · '
            '<a href="{}">Open the outline</a> · <a href="{}">Spreadsheet</a>'
            ' · <a href="{}">Boxes</a>',
            root.display_title,
            root.identifier,
            dates,
            reverse("admin:archive_component_change", args=[root.pk]),
            reverse("admin:archive_collection_outline", args=[obj.pk]),
            reverse("admin:archive_collection_spreadsheet", args=[obj.pk]),
            reverse("admin:archive_collection_containers", args=[obj.pk]),
        )

    @admin.display(description="DACS required elements")
    def dacs_checklist(self, obj: Collection) -> str:
        root = obj.root
        if root is None:
            return "No root description."
        items = dacs_checklist(root)
        missing = [i for i in items if not i.present]
        summary = (
            "All DACS single-level required elements are present."
            if not missing
            else f"Missing {len(missing)} of {len(items)}: "
            + ", ".join(i.element for i in missing)
            + "."
        )
        rows = format_html_join(
            "",
            '<li class="dacs-{}">{} {}{}</li>',
            (
                (
                    "present" if i.present else "missing",
                    "✓" if i.present else "✗",
                    i.element,
                    "" if i.present else f" — add {i.hint}",
                )
                for i in items
            ),
        )
        return format_html('<p class="dacs-summary">{}</p><ul class="dacs">{}</ul>', summary, rows)

    @admin.display(description="Imported by")
    def import_job_link(self, obj: Collection) -> str:
        if obj.import_job_id is None:
            return "—"
        try:
            url = reverse("admin:archive_importjob_change", args=[obj.import_job_id])
        except NoReverseMatch:  # the ImportJob admin is not installed
            return str(obj.import_job)
        return format_html('<a href="{}">{}</a>', url, obj.import_job)

    @admin.display(description="Kept for export")
    def kept_for_export(self, obj: Collection) -> str:
        """Header data Fonds does not model (attributes of the root element among them),
        as imported; exports write back what the schema allows and say what they left out."""
        if not obj.unmapped:
            return "—"
        return format_html("<pre>{}</pre>", json.dumps(obj.unmapped, indent=2, ensure_ascii=False))

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        collection = self._viewable_version(request, object_id)  # 404 unless the user may see it
        extra_context = {**(extra_context or {}), **_import_context(collection.pk)}
        return super().history_view(request, object_id, extra_context=extra_context)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # A manager of its repository or a superuser (the rule is in archive.permissions).
        return permissions.can_delete_collection(request.user, obj)

    def delete_model(self, request: HttpRequest, obj: Collection) -> None:
        # One DELETE per table, a harvesting tombstone, the search rows gone: as a replace.
        delete_collection(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Collection]) -> None:
        with transaction.atomic():
            for collection in queryset.select_related("repository"):
                delete_collection(collection)

    def get_deleted_objects(
        self, objs: Sequence[Collection] | QuerySet[Collection], request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        """The confirmation's true counts, by one COUNT per table (Django's default collects
        every related row: seconds at 100,000 components). Everything a collection holds is
        in the collection, so the collection's own permission decides."""
        from archive.admin.components import deletion_summary

        objs = list(objs)
        counts = [outline_service.collection_contents_count(collection=c) for c in objs]
        allowed = all(self.has_delete_permission(request, obj) for obj in objs)
        return deletion_summary(objs, counts, allowed=allowed, name="collection")

    def get_urls(self) -> list[URLPattern]:
        from archive.admin import containers, outline_views, spreadsheets

        own = outline_views.urls(self) + spreadsheets.urls(self) + containers.urls(self)
        return own + super().get_urls()


def _import_context(collection_id: Any) -> dict[str, Any]:
    """The import job that loaded a collection: its one history entry for the whole load."""
    collection = (
        Collection.objects.filter(pk=collection_id).select_related("import_job__created_by").first()
    )
    if collection is None or collection.import_job is None:
        return {}
    return {"import_job": collection.import_job}


def _redirect(url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(url)
