"""An index-only path to the accepted reports (the targets' averages read 20,000 nationally for id and cycle)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0019_figures_lineage"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(fields=["status"], include=("id", "cycle"), name="submission_by_status"),
        ),
    ]
