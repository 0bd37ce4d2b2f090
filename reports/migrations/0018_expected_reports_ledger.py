"""The ledger of expected reports (StoredExpectedReport, LedgerStamp; reports.cycles.ledger) and the topics of the
figures changes.

The change-recording triggers of migrations 0013 and 0015 now say what changed: the tables the expected reports are
built from record the EXPECTED topic, the targets' tables the TARGETS topic, each once per transaction. A workflow
step that keeps the ledger in its own transaction declares the submissions it kept by their fingerprint (the
columns the state is read from, `reports_submission_fingerprint`): a change to such a row, as it was kept, is the
step's own (one row it adds itself); any other change, in the same transaction or not, adds a row of its own, which
the ledger's stamp does not count, so the ledger is no longer current.
"""

import importlib

from django.db import migrations, models

figures_version = importlib.import_module("reports.migrations.0013_figures_version")
figures_targets = importlib.import_module("reports.migrations.0015_figures_targets")

FINGERPRINT = """
CREATE OR REPLACE FUNCTION reports_submission_fingerprint(s reports_submission) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT concat_ws(':', s.id, s.agency_id, s.cycle_id, s.rule_id, s.status,
                     COALESCE(extract(epoch FROM s.first_submitted_at)::text, '-'))
$$
"""

FUNCTION = """
CREATE OR REPLACE FUNCTION reports_figures_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    topic text := COALESCE(TG_ARGV[0], 'expected');
    flag text := 'reports.figures_changed_' || topic;
BEGIN
    IF TG_LEVEL = 'ROW' AND TG_OP <> 'DELETE' AND TG_TABLE_NAME = 'reports_submission' THEN
        IF reports_submission_fingerprint(NEW) = ANY (
            string_to_array(COALESCE(current_setting('reports.ledger_kept', true), ''), ' ')
        ) THEN
            RETURN NULL;  -- kept by the workflow step, which added its own row
        END IF;
    END IF;
    IF current_setting(flag, true) IS DISTINCT FROM 'yes' THEN
        INSERT INTO reports_figureschange (at, topic) VALUES (now(), topic);
        PERFORM set_config(flag, 'yes', true);
    END IF;
    RETURN NULL;
END
$$
"""

OLD_FUNCTION = figures_version.FUNCTION


def _topics() -> list[tuple[str, str]]:
    return [(table, "expected") for table in figures_version.TABLES] + [
        (table, "targets") for table in figures_targets.TABLES
    ]


def _create(schema_editor, table: str, argument: str) -> None:
    execute = schema_editor.execute
    for name in ("figures_changed", "figures_changed_update", "figures_truncated"):
        execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
    call = f"reports_figures_changed({argument})"
    deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    if table == "reports_submission":
        columns = figures_version.SUBMISSION_COLUMNS
        changed = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in columns)
        execute(
            f'CREATE CONSTRAINT TRIGGER figures_changed AFTER INSERT OR DELETE ON "{table}" {deferred} '
            f"EXECUTE FUNCTION {call}"
        )
        execute(
            f'CREATE CONSTRAINT TRIGGER figures_changed_update AFTER UPDATE ON "{table}" {deferred} '
            f"WHEN ({changed}) EXECUTE FUNCTION {call}"
        )
    else:
        execute(
            f'CREATE CONSTRAINT TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            f"{deferred} EXECUTE FUNCTION {call}"
        )
    execute(f'CREATE TRIGGER figures_truncated AFTER TRUNCATE ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {call}')


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FINGERPRINT)
    schema_editor.execute(FUNCTION)
    for table, topic in _topics():
        _create(schema_editor, table, f"'{topic}'")


def restore_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(OLD_FUNCTION)
    for table, _topic in _topics():
        _create(schema_editor, table, "")
    schema_editor.execute("DROP FUNCTION IF EXISTS reports_submission_fingerprint(reports_submission)")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0017_reminder_by_day"),
    ]

    operations = [
        migrations.CreateModel(
            name="LedgerStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("changes", models.BigIntegerField(default=-1)),
            ],
            options={
                "verbose_name": "dấu sổ tổng hợp",
                "verbose_name_plural": "dấu sổ tổng hợp",
            },
        ),
        migrations.AddField(
            model_name="figureschange",
            name="topic",
            field=models.CharField(default="expected", max_length=16),
        ),
        migrations.CreateModel(
            name="StoredExpectedReport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("plan_id", models.BigIntegerField()),
                ("cycle_id", models.BigIntegerField()),
                ("year", models.IntegerField()),
                ("rule_id", models.BigIntegerField()),
                ("agency_id", models.BigIntegerField()),
                ("kind_group", models.CharField(max_length=16)),
                ("state", models.CharField(max_length=16)),
            ],
            options={
                "verbose_name": "báo cáo phải nộp (sổ tổng hợp)",
                "verbose_name_plural": "báo cáo phải nộp (sổ tổng hợp)",
                "indexes": [models.Index(fields=["plan_id", "year"], name="stored_expected_plan")],
                "constraints": [
                    models.UniqueConstraint(fields=("cycle_id", "agency_id", "rule_id"), name="stored_expected_unique")
                ],
            },
        ),
        migrations.RunPython(create_triggers, restore_triggers),
    ]
