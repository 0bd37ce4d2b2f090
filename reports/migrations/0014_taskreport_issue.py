from django.db import migrations, models

# PostgreSQL knows how often each whole text occurs, not what UPPER(text) LIKE '%…%' (Django's icontains) keeps:
# it estimated the difficulties page's text search at 2 rows where 6,153 matched, and joined tasks and groups in
# nested loops that ran 300,000 comparisons (162 ms nationally; 62 ms with these statistics). Expression
# statistics (PostgreSQL 14+) give it a sample of both texts without the cost of an index; ANALYZE fills them.
STATISTICS = "taskreport_upper_texts"


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (make run) has no extended statistics; its planner does not need them at demo size
    schema_editor.execute(
        f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} ON (upper(difficulties)), (upper(proposals)) "
        "FROM reports_taskreport"
    )


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
        ("reports", "0013_figures_version"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="taskreport",
            index=models.Index(
                condition=models.Q(("difficulties", ""), ("proposals", ""), _negated=True),
                fields=["submission"],
                name="taskreport_issue",
            ),
        ),
        migrations.RunPython(create_statistics, drop_statistics),
    ]
