from django.db import models


class Container(models.Model):
    """A top container (box, volume, map case drawer) shared by the units filed in it."""

    # (no index of its own: container_unique_per_collection starts with it)
    collection = models.ForeignKey(
        "archive.Collection", on_delete=models.CASCADE, related_name="containers", db_index=False
    )
    container_type = models.CharField(max_length=64, default="box")
    indicator = models.CharField(max_length=64, help_text="e.g. 3")
    barcode = models.CharField(max_length=64, blank=True)
    label = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["collection", "container_type", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "container_type", "indicator"],
                name="container_unique_per_collection",
            )
        ]

    def __str__(self) -> str:
        return f"{self.container_type.title()} {self.indicator}"


class ContainerInstance(models.Model):
    """A unit's place in a container: "Box 3, Folder 12"."""

    unit = models.ForeignKey(
        "archive.Component", on_delete=models.CASCADE, related_name="container_instances"
    )
    container = models.ForeignKey(Container, on_delete=models.CASCADE, related_name="instances")
    child_type = models.CharField(max_length=64, blank=True, help_text="e.g. folder")
    child_indicator = models.CharField(max_length=64, blank=True, help_text="e.g. 12")
    grandchild_type = models.CharField(max_length=64, blank=True)
    grandchild_indicator = models.CharField(max_length=64, blank=True)
    instance_type = models.CharField(
        max_length=64, blank=True, help_text="Kind of material, e.g. Mixed Materials"
    )
    published = models.BooleanField(
        default=True,
        db_default=True,
        help_text='Untick to keep it to staff (EAD audience="internal")',
    )
    position = models.PositiveIntegerField(default=0)
    attributes = models.JSONField(
        default=dict, blank=True, help_text="Identifiers and attributes kept for export"
    )

    class Meta:
        ordering = ["unit", "position", "id"]

    def __str__(self) -> str:
        parts = [str(self.container)]
        if self.child_indicator:
            parts.append(f"{(self.child_type or 'folder').title()} {self.child_indicator}")
        if self.grandchild_indicator:
            parts.append(f"{(self.grandchild_type or 'item').title()} {self.grandchild_indicator}")
        return ", ".join(parts)
