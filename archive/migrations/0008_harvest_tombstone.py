"""Deleted OAI-PMH records: the finding aids that were public and are no longer."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("archive", "0007_internal_flags")]

    operations = [
        migrations.CreateModel(
            name="HarvestTombstone",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("repository_code", models.CharField(max_length=64)),
                ("ead_id", models.CharField(max_length=255)),
                ("deleted_at", models.DateTimeField(db_index=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("repository_code", "ead_id"),
                        name="harvest_tombstone_unique_record",
                    )
                ],
            },
        ),
    ]
