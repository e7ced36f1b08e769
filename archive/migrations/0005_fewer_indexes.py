"""Indexes that cost every write and served no query.

- The foreign keys ``Component.collection``, ``Note.unit``, ``AgentLink.agent`` and
  ``Container.collection`` each had an index of their own besides a composite index that
  starts with the same column (component_collection_path and _depth, note_unit_type,
  agentlink_agent_role, container_unique_per_collection), which serves the same look-ups.
- ``Component.published`` had a whole-column index; what is read is the few unpublished units
  of a collection, in path order (archive.visibility), now a partial index.

An import of 100,000 components updated eight indexes on archive_component; it now updates six
and a partial index that holds only unpublished units.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0004_search_one_gin_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="agentlink",
            name="agent",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="links",
                to="archive.agent",
            ),
        ),
        migrations.AlterField(
            model_name="component",
            name="collection",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="components",
                to="archive.collection",
            ),
        ),
        migrations.AlterField(
            model_name="component",
            name="published",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name="container",
            name="collection",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="containers",
                to="archive.collection",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcomponent",
            name="published",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name="note",
            name="unit",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notes",
                to="archive.component",
            ),
        ),
        migrations.AddIndex(
            model_name="component",
            index=models.Index(
                condition=models.Q(("published", False)),
                fields=["collection", "path"],
                name="component_unpublished",
            ),
        ),
    ]
