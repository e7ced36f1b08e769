"""Researchers' requests for material, and where each repository sends them.

A researcher gathers components in a request list (kept in the session, no account), then
submits it with a name, an email address, a visit date and notes. The submission is stored as
one :class:`MaterialRequest` per repository, its :class:`MaterialRequestItem` rows keeping the
unit with its container and collection (and their text as it was, so a pull list still reads
right after the catalogue changes). :class:`RequestSettings` say where a repository's requests
go: an email to the reading room's fixed address and/or an Aeon-style OpenURL or form post.
"""

from __future__ import annotations

from django.db import models

#: What an Aeon field may be filled with. Item values change per requested unit; request
#: values are the same for the whole request.
ITEM_VALUES: dict[str, str] = {
    "title": "Title of the requested unit",
    "dates": "Dates of the unit",
    "identifier": "Identifier of the unit",
    "collection_title": "Title of the collection",
    "collection_identifier": "Identifier (call number) of the collection",
    "ead_id": "EAD id of the finding aid",
    "container": 'Container, e.g. "Box 3"',
    "folder": 'Place in the container, e.g. "Folder 12"',
    "barcode": "Barcode of the container",
    "location": "Location (label) of the container",
    "access": "Access note (public text)",
    "url": "Address of the unit's page",
}
REQUEST_VALUES: dict[str, str] = {
    "reference": "Number of the request in Fonds",
    "name": "Researcher's name",
    "email": "Researcher's email address",
    "visit_date": "Visit date (YYYY-MM-DD)",
    "notes": "Researcher's notes",
    "repository": "Repository name",
}


class RequestSettings(models.Model):
    """Where one repository's requests go (chosen by its staff in the admin)."""

    class Method(models.TextChoices):
        LINK = "GET", "OpenURL link (GET)"
        FORM = "POST", "Form post (POST)"

    repository = models.OneToOneField(
        "archive.Repository", on_delete=models.CASCADE, related_name="request_settings"
    )
    email_enabled = models.BooleanField("send by email", default=False)
    email_to = models.EmailField(
        "reading room address",
        blank=True,
        help_text="Every request of this repository is sent here, and only here.",
    )
    aeon_enabled = models.BooleanField("send to Aeon", default=False)
    aeon_url = models.URLField(
        "Aeon address", blank=True, help_text="e.g. https://aeon.example.edu/logon/?Action=10"
    )
    aeon_method = models.CharField(
        max_length=4, choices=Method.choices, default=Method.FORM, verbose_name="Aeon method"
    )
    aeon_fields = models.JSONField(
        "Aeon field mapping",
        default=dict,
        blank=True,
        help_text=(
            'Aeon field name to Fonds value, e.g. {"ItemTitle": "title", "CallNumber": '
            '"collection_identifier", "ItemVolume": "container"}. Item values: '
            + ", ".join(ITEM_VALUES)
            + "; request values: "
            + ", ".join(REQUEST_VALUES)
            + "."
        ),
    )

    class Meta:
        verbose_name = "request settings"
        verbose_name_plural = "request settings"

    def __str__(self) -> str:
        return f"Requests of {self.repository}"


class MaterialRequest(models.Model):
    """One researcher's request for material of one repository."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        RETRIEVED = "retrieved", "Retrieved"
        RETURNED = "returned", "Returned"
        CANCELLED = "cancelled", "Cancelled"

    repository = models.ForeignKey(
        "archive.Repository", on_delete=models.CASCADE, related_name="material_requests"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    visit_date = models.DateField()
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    delivered = models.JSONField(
        default=list, blank=True, help_text="How the request was delivered (email, Aeon)."
    )

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["repository", "status"], name="request_repo_status")]

    def __str__(self) -> str:
        return f"Request {self.pk} ({self.name}, {self.visit_date})"


class MaterialRequestItem(models.Model):
    """One requested unit, with where it is shelved as it was when requested."""

    request = models.ForeignKey(MaterialRequest, on_delete=models.CASCADE, related_name="items")
    unit = models.ForeignKey(
        "archive.Component", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    collection = models.ForeignKey(
        "archive.Collection", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    container = models.ForeignKey(
        "archive.Container", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=1000)
    collection_title = models.CharField(max_length=1000, blank=True)
    collection_identifier = models.CharField(max_length=255, blank=True)
    container_text = models.CharField("container", max_length=255, blank=True)
    folder = models.CharField(max_length=255, blank=True)
    barcode = models.CharField(max_length=64, blank=True)
    location = models.CharField(max_length=255, blank=True)
    access = models.TextField("access note", blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["request", "position", "id"]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.container_text, self.folder, self.title) if p)
