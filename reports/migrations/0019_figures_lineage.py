"""The figures' version moves when a succession of agencies changes too (topic LINEAGE): the years page by today's
units folds its rows along the successions (reports.dashboard.lineage) and keeps the folded rows under the version
(reports.dashboard.figures_cache.kept_here), so a merger recorded after the fold must give a new version. The
ledger of expected reports does not count these changes: a succession changes no expected report."""

import importlib

from django.db import migrations

figures_targets = importlib.import_module("reports.migrations.0015_figures_targets")
ledger_triggers = importlib.import_module("reports.migrations.0018_expected_reports_ledger")

TABLES = ["agencies_agencysuccession"]
TOPIC = "lineage"


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        ledger_triggers._create(schema_editor, table, f"'{TOPIC}'")  # noqa: SLF001


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        figures_targets.drop_table_triggers(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0018_expected_reports_ledger"),
        ("agencies", "0001_initial"),  # AgencySuccession
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
