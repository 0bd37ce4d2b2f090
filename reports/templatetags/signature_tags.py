"""What a submission's page shows about signing: whether the person may issue a copy for signing, and the copies
already issued. Every flag comes from reports.permissions, the rules the pages use."""

from __future__ import annotations

from types import SimpleNamespace

from django import template

from reports.models import GeneratedReportKind, GeneratedReportStatus, SubmissionStatus
from reports.permissions import can_send_submission, can_view_generated_report

register = template.Library()


@register.simple_tag
def submission_signing(user, submission) -> SimpleNamespace:
    issued = [
        report
        for report in submission.generated_reports.filter(
            kind=GeneratedReportKind.SUBMISSION, status=GeneratedReportStatus.READY, is_draft=False
        ).order_by("-created_at")[:5]
        if can_view_generated_report(user, report)
    ]
    return SimpleNamespace(
        may_issue=can_send_submission(user, submission)
        and submission.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED),
        issued=issued,
    )
