from django.db import models


class HarvestTombstone(models.Model):
    """An OAI-PMH record that was public and no longer is (deleted records: ``persistent``).

    Written by :mod:`archive.services.harvest` when a public finding aid is deleted,
    unpublished, or replaced under another EAD id; removed when a finding aid with the same
    repository code and EAD id is public again. Keyed by the record's identity rather than by
    a foreign key, because the collection row is usually gone.
    """

    repository_code = models.CharField(max_length=64)
    ead_id = models.CharField(max_length=255)
    deleted_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["repository_code", "ead_id"], name="harvest_tombstone_unique_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.repository_code}/{self.ead_id} (deleted {self.deleted_at:%Y-%m-%d})"
