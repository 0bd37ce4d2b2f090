"""The figures version and the PostgreSQL triggers that record changes (see reports.models.figures and
reports.dashboard.figures_cache).

Each table the expected reports are built from gets a deferred constraint trigger per row. At the commit of the
writing transaction it INSERTs one FiguresChange row, once per transaction (a transaction-local setting remembers
it). Rows are only added: no row is updated by two writers, so a writer never waits for another here (an UPDATE of
one shared row did, and could deadlock with the row locks of Django's deferred foreign-key checks). TRUNCATE, which
constraint triggers cannot follow, gets a plain statement trigger. On the submissions only the columns the
expected reports read fire it: a draft saved with new text leaves the cache alone. tests/reports/
test_figures_cache.py checks that the tables and columns below are all the SQL reads. SQLite (`make run`) has
neither triggers nor the cache.
"""

import uuid

from django.db import migrations, models

TABLES = [
    "agencies_agency",
    "plans_dutyitem",
    "plans_dutyitem_agencies",
    "plans_reportingrule",
    "plans_reportingrule_reporters",
    "plans_rulerecipient",
    "reports_cycle",
    "reports_cycledeadline",
    "reports_submission",
]
# The submission columns the expected reports read (their state and their key).
SUBMISSION_COLUMNS = ["id", "agency_id", "cycle_id", "rule_id", "status", "first_submitted_at"]

FUNCTION = """
CREATE OR REPLACE FUNCTION reports_figures_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('reports.figures_changed', true) IS DISTINCT FROM 'yes' THEN
        INSERT INTO reports_figureschange (at) VALUES (now());
        PERFORM set_config('reports.figures_changed', 'yes', true);
    END IF;
    RETURN NULL;
END
$$
"""


def _row_trigger(table: str, events: str, name: str, when: str = "") -> str:
    return (
        f'CREATE CONSTRAINT TRIGGER {name} AFTER {events} ON "{table}" DEFERRABLE INITIALLY DEFERRED '
        f"FOR EACH ROW {when} EXECUTE FUNCTION reports_figures_changed()"
    )


def create_triggers(apps, schema_editor):
    FiguresVersion = apps.get_model("reports", "FiguresVersion")
    FiguresVersion.objects.create(pk=1, token=uuid.uuid4().hex)
    if schema_editor.connection.vendor != "postgresql":
        return
    statements = [FUNCTION]
    for table in TABLES:
        if table == "reports_submission":
            changed = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in SUBMISSION_COLUMNS)
            statements.append(_row_trigger(table, "INSERT OR DELETE", "figures_changed"))
            statements.append(_row_trigger(table, "UPDATE", "figures_changed_update", f"WHEN ({changed})"))
        else:
            statements.append(_row_trigger(table, "INSERT OR UPDATE OR DELETE", "figures_changed"))
        statements.append(
            f'CREATE TRIGGER figures_truncated AFTER TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed()"
        )
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        for name in ("figures_changed", "figures_changed_update", "figures_truncated"):
            schema_editor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS reports_figures_changed()")


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
        ("plans", "0001_initial"),
        ("reports", "0012_notification_cycle_unlocked"),
    ]

    operations = [
        migrations.CreateModel(
            name="FiguresVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=64)),
            ],
            options={"verbose_name": "phiên bản số liệu", "verbose_name_plural": "phiên bản số liệu"},
        ),
        migrations.CreateModel(
            name="FiguresChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"verbose_name": "thay đổi số liệu", "verbose_name_plural": "thay đổi số liệu"},
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
