"""The reminder log sorted by state reads the deliveries in index order (status, id) instead of sorting them all."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0020_submission_by_status"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="reminderdelivery",
            index=models.Index(fields=["status", "id"], name="reminder_by_status_id"),
        ),
    ]
