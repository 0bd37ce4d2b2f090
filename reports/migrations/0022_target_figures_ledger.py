"""The ledger stores the targets' figures too (StoredTargetFigure, reports.cycles.ledger), and a target value
written to a report that is not accepted records no change: only the accepted reports' values make the figures
(reports.cycles.target_figures.FIGURE_STATUSES), so a draft saved with new values leaves the figures' version and
the ledger as they were. The trigger reads the report's status at commit (the triggers are deferred), with the
report's row locked: a value written and its report accepted in one transaction records the change, and so does
a value written (by the admin, a script) while another transaction accepts the report, whichever commits first.
"""

import importlib

from django.db import migrations, models

ledger_triggers = importlib.import_module("reports.migrations.0018_expected_reports_ledger")

FUNCTION = """
CREATE OR REPLACE FUNCTION reports_figures_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    topic text := COALESCE(TG_ARGV[0], 'expected');
    flag text := 'reports.figures_changed_' || topic;
    written bigint[];
BEGIN
    IF current_setting(flag, true) = 'yes' THEN
        RETURN NULL;  -- this transaction's change of this topic is recorded already (one row per transaction)
    END IF;
    IF TG_LEVEL = 'ROW' AND TG_OP <> 'DELETE' AND TG_TABLE_NAME = 'reports_submission' THEN
        IF reports_submission_fingerprint(NEW) = ANY (
            string_to_array(COALESCE(current_setting('reports.ledger_kept', true), ''), ' ')
        ) THEN
            RETURN NULL;  -- kept by the workflow step, which added its own row
        END IF;
    END IF;
    IF TG_LEVEL = 'ROW' AND TG_TABLE_NAME = 'reports_targetvalue' THEN
        written := CASE TG_OP
            WHEN 'INSERT' THEN ARRAY[NEW.submission_id]
            WHEN 'DELETE' THEN ARRAY[OLD.submission_id]
            ELSE ARRAY[NEW.submission_id, OLD.submission_id]
        END;
        -- The report's row locked first: a step under way on it (an acceptance) is waited for, and the status is
        -- then read as it committed (each statement of the function reads anew); none can change until this
        -- transaction ends. Read without the lock, a report still "submitted" here could be accepted, its figures
        -- counted without this value, before this transaction commits.
        PERFORM 1 FROM reports_submission s WHERE s.id = ANY (written) FOR SHARE;
        IF NOT EXISTS (
            SELECT 1 FROM reports_submission s WHERE s.id = ANY (written) AND s.status = 'accepted'
        ) THEN
            RETURN NULL;  -- a value of a report that is not a figure (FIGURE_STATUSES)
        END IF;
    END IF;
    INSERT INTO reports_figureschange (at, topic) VALUES (now(), topic);
    PERFORM set_config(flag, 'yes', true);
    RETURN NULL;
END
$$
"""


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def stale_ledger(apps, schema_editor):
    """The stamp counted the EXPECTED changes only; it now counts the TARGETS ones too, and the targets' figures
    are not stored yet: the ledger is stale until the worker rebuilds it."""
    apps.get_model("reports", "LedgerStamp").objects.update(changes=-1)


def restore_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ledger_triggers.FUNCTION)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0021_reminder_by_status_id'),
    ]

    operations = [
        migrations.CreateModel(
            name='StoredTargetFigure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('plan_id', models.BigIntegerField()),
                ('target_id', models.BigIntegerField()),
                ('cycle_id', models.BigIntegerField()),
                ('year', models.IntegerField()),
                ('total', models.DecimalField(decimal_places=2, max_digits=24)),
                ('reporters', models.IntegerField()),
                ('low', models.DecimalField(decimal_places=2, max_digits=12)),
                ('high', models.DecimalField(decimal_places=2, max_digits=12)),
            ],
            options={
                'verbose_name': 'số liệu chỉ tiêu (sổ tổng hợp)',
                'verbose_name_plural': 'số liệu chỉ tiêu (sổ tổng hợp)',
                'indexes': [models.Index(fields=['plan_id', 'target_id', 'year'], name='stored_target_plan')],
                'constraints': [models.UniqueConstraint(fields=('target_id', 'cycle_id'), name='stored_target_unique')],
            },
        ),
        migrations.RunPython(create_function, restore_function),
        migrations.RunPython(stale_ledger, migrations.RunPython.noop),
    ]
