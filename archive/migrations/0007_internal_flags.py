"""A ``published`` flag on dates, extents, container instances and revisions.

Until now the flag of an internal date or extent was kept in its unit"s ``attributes``
(``{"dates": [{"published": false}, ...]}``) where no page or search row looked; it moves
to the new column. A container instance whose kept containers carry
``audience="internal"`` becomes unpublished. A unit's physical location copied from a
location note marked internal (the page showed it) is cleared: the note keeps it.
"""

from django.db import migrations, models

from archive.ead.markup import fragment_plain_text


def move_flags(apps, schema_editor):
    Component = apps.get_model("archive", "Component")
    UnitDate = apps.get_model("archive", "UnitDate")
    Extent = apps.get_model("archive", "Extent")
    ContainerInstance = apps.get_model("archive", "ContainerInstance")
    units = Component.objects.filter(
        models.Q(attributes__has_key="dates") | models.Q(attributes__has_key="extents")
    )
    for unit in units.iterator(chunk_size=2000):
        attributes = unit.attributes or {}
        changed = False
        for key, model in (("dates", UnitDate), ("extents", Extent)):
            sides = attributes.get(key) or []
            hidden = []
            for position, side in enumerate(sides):
                if isinstance(side, dict) and side.pop("published", True) is False:
                    hidden.append(position)
                    changed = True
            if hidden:
                model.objects.filter(unit_id=unit.pk, position__in=hidden).update(published=False)
            if sides and not any(sides):
                attributes.pop(key)
        if changed:
            Component.objects.filter(pk=unit.pk).update(attributes=attributes)
    instances = ContainerInstance.objects.filter(attributes__icontains="internal")
    for instance in instances.iterator(chunk_size=2000):
        kept = (instance.attributes or {}).get("containers") or []
        if any(
            ["audience", "internal"] in (c.get("attributes") or [])
            for c in kept
            if isinstance(c, dict)
        ):
            instance.published = False
            instance.save(update_fields=["published"])
    Note = apps.get_model("archive", "Note")
    hidden = Note.objects.filter(note_type="physloc", published=False).exclude(
        unit__physical_location=""
    )
    for note in hidden.select_related("unit").iterator(chunk_size=2000):
        unit = note.unit
        text = " ".join(fragment_plain_text(note.content).split())
        if text and unit.physical_location == text:
            Component.objects.filter(pk=unit.pk).update(physical_location="")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0006_importjob_heartbeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="containerinstance",
            name="published",
            field=models.BooleanField(
                db_default=True,
                default=True,
                help_text='Untick to keep it to staff (EAD audience="internal")',
            ),
        ),
        migrations.AddField(
            model_name="extent",
            name="published",
            field=models.BooleanField(
                db_default=True,
                default=True,
                help_text='Untick to keep it to staff (EAD audience="internal")',
            ),
        ),
        migrations.AddField(
            model_name="revision",
            name="published",
            field=models.BooleanField(
                db_default=True,
                default=True,
                help_text='Untick to keep it to staff (EAD audience="internal")',
            ),
        ),
        migrations.AddField(
            model_name="unitdate",
            name="published",
            field=models.BooleanField(
                db_default=True,
                default=True,
                help_text='Untick to keep it to staff (EAD audience="internal")',
            ),
        ),
        migrations.AlterField(
            model_name="component",
            name="languages",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text='Languages of the material, e.g. [{"code": "fre"}]; add "published": '
                "false to one to keep it to staff",
            ),
        ),
        migrations.AlterField(
            model_name="component",
            name="other_identifiers",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text='Further identifiers, e.g. [{"value": "MS 12", "attributes": []}]; '
                'add "published": false to one to keep it to staff',
            ),
        ),
        migrations.AlterField(
            model_name="historicalcomponent",
            name="languages",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text='Languages of the material, e.g. [{"code": "fre"}]; add "published": '
                "false to one to keep it to staff",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcomponent",
            name="other_identifiers",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text='Further identifiers, e.g. [{"value": "MS 12", "attributes": []}]; '
                'add "published": false to one to keep it to staff',
            ),
        ),
        migrations.RunPython(move_flags, migrations.RunPython.noop, elidable=True),
    ]
