from django.db import models
from simple_history.models import HistoricalRecords

from archive.models.agents import NamedRecord


class Subject(NamedRecord, models.Model):
    """A controlled term: topic, place, genre/form, occupation, function or title."""

    name_field = "term"
    url_name = "archive:subject"

    class SubjectType(models.TextChoices):
        TOPICAL = "topical", "Topical"
        GEOGRAPHIC = "geographic", "Geographic"
        GENRE_FORM = "genre_form", "Genre / form"
        OCCUPATION = "occupation", "Occupation"
        FUNCTION = "function", "Function"
        TITLE = "title", "Uniform title"

    term = models.CharField(max_length=500, db_index=True)
    subject_type = models.CharField(
        max_length=16, choices=SubjectType.choices, default=SubjectType.TOPICAL
    )
    source = models.CharField(max_length=64, blank=True, help_text="Vocabulary, e.g. lcsh, aat")
    authority_id = models.CharField(max_length=500, blank=True)
    slug = models.SlugField(max_length=200, unique=True)
    published = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "subject_type", "source"], name="subject_unique_term"
            )
        ]


class SubjectLink(models.Model):
    unit = models.ForeignKey(
        "archive.Component", on_delete=models.CASCADE, related_name="subject_links"
    )
    # (no index of its own: subjectlink_subject_unit starts with it)
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="links", db_index=False
    )
    published = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["unit", "position", "id"]
        # A subject's page reads its links through this index alone (``selectors.found_in``).
        indexes = [
            models.Index(fields=["subject", "published", "unit"], name="subjectlink_subject_unit")
        ]

    def __str__(self) -> str:
        return str(self.subject)
