from django.db import models


class DigitalObject(models.Model):
    """A digital surrogate or born-digital file linked from a unit."""

    unit = models.ForeignKey(
        "archive.Component", on_delete=models.CASCADE, related_name="digital_objects"
    )
    title = models.CharField(max_length=500, blank=True)
    link = models.URLField(max_length=2000, blank=True)
    role = models.CharField(max_length=64, blank=True, help_text="e.g. image-service, thumbnail")
    description = models.TextField(blank=True)
    published = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["unit", "position", "id"]

    def __str__(self) -> str:
        return self.title or self.link
