"""The context of one agency's submission as a document, with the agency's own header."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Membership
from plans.models import RuleRecipient, TaskGroup
from plans.text import clean_text
from reports.documents.numbering import document_symbol
from reports.documents.pdf.dates import place_and_date, short_date
from reports.documents.pdf.header import Header, Signature, paragraphs, recipient_lines, roman, subject_from_rule
from reports.models import Progress, Submission, TaskReport


def build_submission_context(*, submission: Submission, place: str = "Hải Phòng") -> dict:
    submission = Submission.objects.select_related("agency", "rule", "cycle__plan", "submitted_by").get(
        pk=submission.pk
    )
    agency, cycle = submission.agency, submission.cycle
    day: datetime.date = (
        timezone.localdate(submission.submitted_at) if submission.submitted_at else timezone.localdate()
    )
    recipients = [
        r.agency.name
        for r in RuleRecipient.objects.filter(rule=submission.rule).select_related("agency").order_by("order")
    ]
    groups = {g.pk: g for g in TaskGroup.objects.filter(plan=cycle.plan)}
    by_group: dict[int, list[dict]] = defaultdict(list)
    documents = []
    for report in (
        TaskReport.objects.filter(submission=submission)
        .select_related("task")
        .prefetch_related("documents")
        .order_by("task__group__number", "task__number")
    ):
        task = report.task
        by_group[task.group_id].append(
            {
                "code": f"{groups[task.group_id].number}.{task.number}",
                "text": clean_text(task.text),
                "role": report.get_role_display(),
                "progress": Progress(report.progress).label if report.progress else _("Chưa cập nhật"),
                "results": paragraphs(report.results),
                "difficulties": paragraphs(report.difficulties),
                "proposals": paragraphs(report.proposals),
            }
        )
        documents += [
            f"{d.number} {_('ngày')} {short_date(d.issued_on)}: {clean_text(d.title)}" for d in report.documents.all()
        ]
    signer = Signature(authority="", prefix="", title="", name="")
    if submission.submitted_by:
        position = Membership.objects.filter(user=submission.submitted_by).values_list("position", flat=True)
        signer = Signature(
            authority="",
            prefix="",
            title=(position.first() or "").upper(),
            name=submission.submitted_by.get_full_name() or submission.submitted_by.username,
        )
    return {
        "header": Header(
            parent_body=agency.parent_body,
            issuer_name=agency.name,
            number_line=_("Số: %(number)s")
            % {"number": document_symbol(number=None, kind="BC", issuer_symbol=agency.symbol)},
            place_date=place_and_date(place, day),
        ),
        "subject": subject_from_rule(submission.rule.subject, cycle.year, cycle.plan),
        "addressees": recipients,
        "submission": submission,
        "issued_documents": documents,
        "groups": [
            {
                "number": groups[gid].number,
                "roman": roman(groups[gid].number),
                "title": clean_text(groups[gid].title),
                "tasks": rows,
            }
            for gid, rows in sorted(by_group.items(), key=lambda item: groups[item[0]].number)
        ],
        "assessment": paragraphs(submission.assessment),
        "shortcomings": paragraphs(submission.shortcomings),
        "directions": paragraphs(submission.directions),
        "proposals": paragraphs(submission.proposals),
        "signature": signer,
        "recipients": recipient_lines([_("Như trên"), _("Lưu: VT")]),
    }
