"""Indexes that serve agent and subject pages from the link tables alone.

An agent's or subject's page reads every published link of the authority with its unit
(``selectors.found_in``): the new indexes start with the authority and hold the columns that
read needs, so it never visits the link rows themselves. Each replaces an index that was a
prefix of it (``agentlink_agent_role``, the subject foreign key's own index). The new indexes
are built before the old ones go, so no query runs without one.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0011_api_token"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="agentlink",
            index=models.Index(
                fields=["agent", "role", "published", "unit"], name="agentlink_agent_role_unit"
            ),
        ),
        migrations.AddIndex(
            model_name="subjectlink",
            index=models.Index(
                fields=["subject", "published", "unit"], name="subjectlink_subject_unit"
            ),
        ),
        migrations.RemoveIndex(
            model_name="agentlink",
            name="agentlink_agent_role",
        ),
        migrations.AlterField(
            model_name="subjectlink",
            name="subject",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="links",
                to="archive.subject",
            ),
        ),
    ]
