"""The first sending of a report, stored (issue 9): received and on time are decided by it.

Backfill: the first "submitted" event where the log has one, else submitted_at (reports sent before the log
existed, or written by imports); is_late is recomputed from it against the deadline day in Hải Phòng, the one
definition (CycleDeadline.is_late)."""

from zoneinfo import ZoneInfo

from django.db import migrations, models

BACKFILL = """
UPDATE reports_submission AS s
SET first_submitted_at = COALESCE(
    (SELECT MIN(e.at) FROM reports_submissionevent AS e WHERE e.submission_id = s.id AND e.kind = 'submitted'),
    s.submitted_at
)
WHERE s.first_submitted_at IS NULL AND (s.submitted_at IS NOT NULL
    OR EXISTS (SELECT 1 FROM reports_submissionevent AS e WHERE e.submission_id = s.id AND e.kind = 'submitted'));
UPDATE reports_submission AS s
SET is_late = ((s.first_submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date > d.due_on)
FROM reports_cycledeadline AS d
WHERE d.cycle_id = s.cycle_id AND d.rule_id = s.rule_id AND s.first_submitted_at IS NOT NULL;
"""


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(BACKFILL)
        return
    # The embedded SQLite of `make run`: a few demo rows, row by row.
    Submission = apps.get_model("reports", "Submission")
    SubmissionEvent = apps.get_model("reports", "SubmissionEvent")
    CycleDeadline = apps.get_model("reports", "CycleDeadline")
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    for submission in Submission.objects.filter(first_submitted_at__isnull=True):
        event = SubmissionEvent.objects.filter(submission=submission, kind="submitted").order_by("at").first()
        first = event.at if event else submission.submitted_at
        if first is None:
            continue
        deadline = CycleDeadline.objects.filter(cycle_id=submission.cycle_id, rule_id=submission.rule_id).first()
        submission.first_submitted_at = first
        if deadline is not None:
            submission.is_late = first.astimezone(zone).date() > deadline.due_on
        submission.save(update_fields=["first_submitted_at", "is_late"])


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_signatures"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="first_submitted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="gửi lần đầu lúc"),
        ),
        migrations.AddField(
            model_name="historicalsubmission",
            name="first_submitted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="gửi lần đầu lúc"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
