"""The figures cache covers the targets page too: the same change-recording triggers (migration 0013) on the two
tables its averages read besides those already covered, the targets and the values reported against them. The
averages (every accepted report's values, every year) took 20 ms of SQL nationally on every request."""

import importlib

from django.db import migrations

figures_version = importlib.import_module("reports.migrations.0013_figures_version")

TABLES = ["plans_target", "reports_targetvalue"]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            figures_version._row_trigger(table, "INSERT OR UPDATE OR DELETE", "figures_changed")  # noqa: SLF001
        )
        schema_editor.execute(
            f'CREATE TRIGGER figures_truncated AFTER TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed()"
        )


def drop_table_triggers(schema_editor, table: str) -> None:
    """Drop the change-recording triggers of `table` (also used by later migrations' reversal)."""
    for name in ("figures_changed", "figures_truncated"):
        schema_editor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        drop_table_triggers(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
        ("reports", "0014_taskreport_issue"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
