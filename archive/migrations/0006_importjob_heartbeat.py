"""ImportJob.heartbeat: the last sign of life of the process running an import.

A running import writes it every few seconds (on a connection of its own, so it is committed
while the import's transaction is still open); a RUNNING job whose heartbeat is older than the
lease (FONDS_IMPORT_LEASE_SECONDS) lost its worker and is marked failed by
``manage.py import_jobs_reap``, the job list, or the next task a worker starts.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0005_fewer_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="heartbeat",
            field=models.DateTimeField(
                blank=True,
                help_text="Written every few seconds by the process running the import",
                null=True,
                verbose_name="last sign of life",
            ),
        ),
    ]
