from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    """One run of the EAD importer over one or more files, with what it found."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        PARTIAL = "partial", "Partly failed"

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    repository = models.ForeignKey(
        "archive.Repository", null=True, blank=True, on_delete=models.SET_NULL
    )
    replace = models.BooleanField(default=False)
    files = models.JSONField(default=list, blank=True, help_text="Names of the files imported")
    collections = models.PositiveIntegerField(default=0)
    components = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    # Written every few seconds by the process running the import, committed on a connection
    # of its own (archive.services.import_jobs.ImportHeartbeat): a RUNNING job whose last sign
    # of life is older than FONDS_IMPORT_LEASE_SECONDS lost its worker and is marked failed.
    heartbeat = models.DateTimeField(
        "last sign of life",
        null=True,
        blank=True,
        help_text="Written every few seconds by the process running the import",
    )

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_status_display()})"
