"""Collection.content_changed: when anything an export of the finding aid writes last changed.

Existing collections start from their last edit (``updated``), the best estimate there is.
(It follows 0008, the harvesting tombstones.)
"""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def from_updated(apps, schema_editor):
    Collection = apps.get_model("archive", "Collection")
    Collection.objects.update(content_changed=F("updated"))


class Migration(migrations.Migration):
    dependencies = [("archive", "0008_harvest_tombstone")]

    operations = [
        migrations.AddField(
            model_name="collection",
            name="content_changed",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.RunPython(from_updated, migrations.RunPython.noop, elidable=True),
    ]
