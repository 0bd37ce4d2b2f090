"""Agency.sort_name of the agencies already there, in a migration of its own: on a database in use the figures
triggers (reports 0013) queue an event for every row it updates, and PostgreSQL refuses the schema changes of
0003 (its index, its collation) on a table with pending trigger events."""

import unicodedata

from django.db import migrations


def _folded(value):
    # hptracker.text.collation_key's fold as it was when this migration was written (a migration must not change
    # with the code it ran beside).
    folded = unicodedata.normalize("NFD", value.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in folded if not unicodedata.combining(c)).casefold()


def fill_sort_names(apps, schema_editor):
    Agency = apps.get_model("agencies", "Agency")
    agencies = list(Agency.objects.only("pk", "name"))
    for agency in agencies:
        agency.sort_name = _folded(agency.name)
    Agency.objects.bulk_update(agencies, ["sort_name"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("agencies", "0003_sort_name"),
    ]

    operations = [
        migrations.RunPython(fill_sort_names, migrations.RunPython.noop),
    ]
