from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from archive import display

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class Level(models.TextChoices):
    """EAD ``@level`` values; ``otherlevel`` takes its label from ``Component.other_level``."""

    COLLECTION = "collection", "Collection"
    FONDS = "fonds", "Fonds"
    CLASS = "class", "Class"
    RECORD_GROUP = "recordgrp", "Record group"
    SERIES = "series", "Series"
    SUBFONDS = "subfonds", "Sub-fonds"
    SUBGROUP = "subgrp", "Subgroup"
    SUBSERIES = "subseries", "Subseries"
    FILE = "file", "File"
    ITEM = "item", "Item"
    OTHER = "otherlevel", "Other level"


class NoteType(models.TextChoices):
    """Every EAD descriptive note, labelled as ArchivesSpace and DACS label them."""

    ABSTRACT = "abstract", "Abstract"
    SCOPE_CONTENT = "scopecontent", "Scope and Contents"
    BIOGRAPHY_HISTORY = "bioghist", "Biographical / Historical"
    ARRANGEMENT = "arrangement", "Arrangement"
    ACCESS_RESTRICT = "accessrestrict", "Conditions Governing Access"
    USE_RESTRICT = "userestrict", "Conditions Governing Use"
    PREFERRED_CITATION = "prefercite", "Preferred Citation"
    ACQUISITION = "acqinfo", "Immediate Source of Acquisition"
    CUSTODIAL_HISTORY = "custodhist", "Custodial History"
    PROCESSING = "processinfo", "Processing Information"
    APPRAISAL = "appraisal", "Appraisal"
    ACCRUALS = "accruals", "Accruals"
    RELATED_MATERIAL = "relatedmaterial", "Related Materials"
    SEPARATED_MATERIAL = "separatedmaterial", "Separated Materials"
    OTHER_FINDING_AID = "otherfindaid", "Other Finding Aids"
    ORIGINALS_LOCATION = "originalsloc", "Existence and Location of Originals"
    ALTERNATIVE_FORM = "altformavail", "Existence and Location of Copies"
    PHYSICAL_TECHNICAL = "phystech", "Physical Characteristics and Technical Requirements"
    FILE_PLAN = "fileplan", "File Plan"
    GENERAL = "odd", "General"
    BIBLIOGRAPHY = "bibliography", "Bibliography"
    INDEX = "index", "Index"
    MATERIAL_SPECIFIC = "materialspec", "Material Specific Details"
    PHYSICAL_LOCATION = "physloc", "Physical Location"
    PHYSICAL_FACET = "physfacet", "Physical Facet"
    DIMENSIONS = "dimensions", "Dimensions"
    LANGUAGE_MATERIAL = "langmaterial", "Language of Materials"
    LEGAL_STATUS = "legalstatus", "Legal Status"
    DESCRIPTION_NOTE = "did_note", "Note"


class Collection(models.Model):  # type: ignore[django-manager-missing]  # see components
    """One finding aid: the metadata about the description, and the tree that describes.

    The collection's own title, dates, notes and so on are those of its root component
    (``root``), which keeps one content model for every level of description.
    """

    # The tree's rows (the reverse of ``Component.collection``), declared for the type
    # checker: django-stubs cannot derive it through treebeard's untyped ``MP_Node``.
    components: RelatedManager[Component]

    repository = models.ForeignKey(
        "archive.Repository", on_delete=models.PROTECT, related_name="collections"
    )
    ead_id = models.CharField(
        "EAD identifier",
        max_length=255,
        help_text="The finding aid's identifier (EAD 2002 eadid, EAD3 recordid); used in URLs.",
    )
    ead_id_attributes = models.JSONField(default=dict, blank=True)
    finding_aid_title = models.TextField(blank=True)
    finding_aid_subtitle = models.TextField(blank=True)
    finding_aid_author = models.TextField(blank=True)
    finding_aid_sponsor = models.TextField(blank=True)
    finding_aid_edition = models.TextField(blank=True)
    publisher = models.TextField(blank=True)
    publication_date = models.CharField(max_length=255, blank=True)
    description_language = models.CharField(
        max_length=255, blank=True, help_text="Language of the description, e.g. English"
    )
    description_language_code = models.CharField(max_length=16, blank=True)
    description_rules = models.TextField(
        blank=True,
        help_text="Rules or conventions followed, e.g. Describing Archives: A Content Standard",
    )
    creation_note = models.TextField(blank=True)
    source_version = models.CharField(
        max_length=8, blank=True, help_text="EAD version the finding aid was imported from"
    )
    numbered_components = models.BooleanField(
        default=False, help_text="Export components as <c01>...<c12> rather than <c>"
    )
    unmapped = models.JSONField(
        default=dict,
        blank=True,
        help_text="Header content Fonds does not model, kept verbatim for export",
    )
    import_job = models.ForeignKey(
        "archive.ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)
    # When anything an export of this finding aid writes last changed: its header, any
    # component, note, date, name, subject, container or digital object of it, publishing,
    # an outline move, a rename or merge of a name or subject it uses. Set only through
    # ``archive.services.changes`` (signals and the set-wise services), in the transaction of
    # the change. Cached exports are keyed by it; it is also the finding aid's datestamp.
    content_changed = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(excluded_fields=["content_changed"])

    class Meta:
        ordering = ["repository__name", "ead_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "ead_id"], name="collection_unique_ead_id_per_repository"
            )
        ]

    def __str__(self) -> str:
        root = self.root
        return root.title if root is not None and root.title else self.ead_id

    @cached_property
    def root(self) -> Component | None:
        """The collection-level description (EAD ``<archdesc>``)."""
        return self.components.filter(depth=1).first()

    @property
    def published(self) -> bool:
        root = self.root
        return bool(root and root.published)

    def get_absolute_url(self) -> str:
        return reverse(
            "archive:collection",
            kwargs={"repository": self.repository.code, "ead_id": self.ead_id},
        )


class Component(MP_Node):
    """A unit of description at any level: the collection itself (depth 1), a series, a file...

    Materialised path (django-treebeard ``MP_Node``): ordering by ``path`` is document order
    and a subtree is one prefix range scan. Tree operations live in ``archive.tree``.
    """

    # (no index of its own: the composite indexes below start with it)
    collection = models.ForeignKey(
        Collection, on_delete=models.CASCADE, related_name="components", db_index=False
    )
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.FILE)
    other_level = models.CharField(
        max_length=64, blank=True, help_text="Label when the level is 'Other level'"
    )
    identifier = models.CharField(
        max_length=255,
        blank=True,
        help_text="Call number or component identifier, e.g. GEN MSS 238",
    )
    other_identifiers = models.JSONField(
        default=list,
        blank=True,
        help_text='Further identifiers, e.g. [{"value": "MS 12", "attributes": []}]; '
        'add "published": false to one to keep it to staff',
    )
    ref = models.CharField(
        "machine id",
        max_length=255,
        blank=True,
        help_text="Stable identifier within the collection (EAD @id); used in URLs",
    )
    title = models.TextField(blank=True, help_text="Plain text of the title")
    title_markup = models.TextField(
        blank=True, help_text="The title with its inline markup, when it has any"
    )
    languages = models.JSONField(
        default=list,
        blank=True,
        help_text='Languages of the material, e.g. [{"code": "fre"}]; add "published": false '
        "to one to keep it to staff",
    )
    physical_location = models.TextField(blank=True)
    # Indexed where it is read: the unpublished units of a collection (component_unpublished).
    published = models.BooleanField(default=False)
    attributes = models.JSONField(
        default=dict, blank=True, help_text="Attributes Fonds does not model, kept for export"
    )
    unmapped = models.JSONField(
        default=list,
        blank=True,
        help_text="Elements Fonds does not model, kept verbatim with their place for export",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    node_order_by: list[str] = []

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["collection", "path"], name="component_collection_path"),
            models.Index(fields=["collection", "depth"], name="component_collection_depth"),
            # What hides a subtree (archive.visibility): a few rows, in document order. A
            # whole-column index on ``published`` cost every write and served no query.
            models.Index(
                fields=["collection", "path"],
                condition=models.Q(published=False),
                name="component_unpublished",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "ref"],
                condition=~models.Q(ref=""),
                name="component_unique_ref_per_collection",
            )
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """What names the unit to researchers (``archive.display``): the title, else its public
        dates (DACS: title or date), else the identifier shown to researchers, else "Untitled
        file". Never the machine id, never empty.

        Dates are read from the prefetched ``dates`` when the caller prefetched them (pages
        listing many units do), else with one query, and only for a unit with no title.
        """
        if self.title:
            return self.title
        dates = ", ".join(d.display for d in self._public_dates() if d.display)
        return dates or self.shown_identifier or display.untitled(self.level_label)

    def _public_dates(self) -> list[UnitDate]:
        if "dates" in getattr(self, "_prefetched_objects_cache", {}):
            return [d for d in self.dates.all() if d.published]
        if self.pk is None:
            return []
        return list(self.dates.filter(published=True).order_by("position", "id"))

    @property
    def shown_identifier(self) -> str:
        """The identifier researchers see: the first public one that is not a system's own
        key (``archive.display.shown_identifier``), or ""."""
        return display.shown_identifier(
            self.identifier,
            (self.attributes or {}).get("identifier_attributes"),
            self.other_identifiers or (),
        )

    @property
    def level_label(self) -> str:
        if self.level == Level.OTHER and self.other_level:
            return self.other_level
        return self.get_level_display()

    @property
    def is_collection_root(self) -> bool:
        return self.depth == 1

    def get_absolute_url(self) -> str:
        collection = self.collection
        if self.depth == 1:
            return collection.get_absolute_url()
        return reverse(
            "archive:component",
            kwargs={
                "repository": collection.repository.code,
                "ead_id": collection.ead_id,
                "ref": self.ref,
            },
        )


class UnitDate(models.Model):
    """A date of the material: an expression as written plus normalised ISO 8601 bounds."""

    class DateType(models.TextChoices):
        INCLUSIVE = "inclusive", "Inclusive"
        BULK = "bulk", "Bulk"
        SINGLE = "single", "Single"

    class Certainty(models.TextChoices):
        CERTAIN = "", "Certain"
        APPROXIMATE = "approximate", "Approximate"
        INFERRED = "inferred", "Inferred"
        QUESTIONABLE = "questionable", "Questionable"

    unit = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="dates")
    expression = models.CharField(max_length=255, blank=True, help_text="e.g. 1936-1947")
    begin = models.CharField(
        max_length=32, blank=True, help_text="ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD"
    )
    end = models.CharField(max_length=32, blank=True)
    date_type = models.CharField(
        max_length=16, choices=DateType.choices, default=DateType.INCLUSIVE
    )
    certainty = models.CharField(
        max_length=16, choices=Certainty.choices, default=Certainty.CERTAIN, blank=True
    )
    calendar = models.CharField(max_length=32, blank=True)
    era = models.CharField(max_length=32, blank=True)
    published = models.BooleanField(
        default=True,
        db_default=True,
        help_text='Untick to keep it to staff (EAD audience="internal")',
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["unit", "position", "id"]
        indexes = [models.Index(fields=["begin", "end"], name="unitdate_range")]

    def __str__(self) -> str:
        if self.expression:
            return self.expression
        if self.begin and self.end and self.begin != self.end:
            return f"{self.begin}-{self.end}"
        return self.begin or self.end

    @property
    def display(self) -> str:
        text = str(self)
        return f"bulk {text}" if self.date_type == self.DateType.BULK and text else text


class Extent(models.Model):
    """How much there is: "3 linear feet (7 boxes)"."""

    class Portion(models.TextChoices):
        WHOLE = "whole", "Whole"
        PART = "part", "Part"

    unit = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="extents")
    number = models.CharField(max_length=32, blank=True, help_text="e.g. 12.5")
    extent_type = models.CharField(max_length=128, blank=True, help_text="e.g. linear feet")
    portion = models.CharField(max_length=8, choices=Portion.choices, default=Portion.WHOLE)
    container_summary = models.CharField(max_length=255, blank=True, help_text="e.g. 24 boxes")
    physical_details = models.TextField(blank=True)
    dimensions = models.CharField(max_length=255, blank=True)
    published = models.BooleanField(
        default=True,
        db_default=True,
        help_text='Untick to keep it to staff (EAD audience="internal")',
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["unit", "position", "id"]

    def __str__(self) -> str:
        text = " ".join(part for part in (self.number, self.extent_type) if part)
        if self.container_summary:
            text = f"{text} ({self.container_summary})" if text else self.container_summary
        return text


class Note(models.Model):
    """A descriptive note; ``content`` is an inline-markup fragment rendered through a whitelist."""

    # (no index of its own: note_unit_type starts with it)
    unit = models.ForeignKey(
        Component, on_delete=models.CASCADE, related_name="notes", db_index=False
    )
    note_type = models.CharField(max_length=24, choices=NoteType.choices)
    heading = models.CharField(max_length=255, blank=True)
    content = models.TextField(blank=True)
    ref = models.CharField(max_length=255, blank=True)
    published = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    attributes = models.JSONField(default=dict, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["unit", "position", "id"]
        indexes = [models.Index(fields=["unit", "note_type"], name="note_unit_type")]

    def __str__(self) -> str:
        return self.heading or self.get_note_type_display()

    @property
    def display_heading(self) -> str:
        return self.heading or self.get_note_type_display()


class Revision(models.Model):
    """An entry of the finding aid's revision history (EAD revisiondesc / maintenancehistory)."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="revisions")
    date = models.CharField(max_length=64, blank=True)
    agent = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    published = models.BooleanField(
        default=True,
        db_default=True,
        help_text='Untick to keep it to staff (EAD audience="internal")',
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["collection", "position", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.description}".strip()
