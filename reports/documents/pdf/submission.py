"""The context of one agency's submission as a document, with the agency's own header."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, AgencyKind, Membership
from hptracker.text import clean_text
from plans.models import RuleRecipient, TaskGroup
from reports.documents.numbering import document_symbol
from reports.documents.pdf.dates import place_and_date, short_date
from reports.documents.pdf.header import (
    Header,
    Signature,
    keep_names_together,
    paragraphs,
    recipient_lines,
    roman,
    subject_from_rule,
)
from reports.models import IssuerProfile, Progress, Submission, TaskReport

DEFAULT_PLACE = "Hải Phòng"
# The signature block of a report signed on behalf of the body (Nghị định 30/2020, Phụ lục I), by kind of issuer,
# when the agency has no issuer profile of its own: a People's Committee signs collectively (TM.), a Sở by its
# director or a deputy signing for him (KT.).
_SIGNATURE_BY_KIND: dict[str, tuple[str, str, str]] = {
    AgencyKind.DISTRICT: ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
    AgencyKind.COMMUNE: ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
    AgencyKind.DEPARTMENT: ("", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
}


def agency_signature(*, agency: Agency, submitted_by) -> Signature:
    """The agency's signature block: its issuer profile's (authority, KT./TL., title, name) when it has one,
    else the decree's block for its kind; the name is the profile's signer, else the person who sent it."""
    profile = IssuerProfile.objects.filter(agency=agency).order_by("-is_default", "pk").first()
    sender = (submitted_by.get_full_name() or submitted_by.username) if submitted_by else ""
    if profile is not None:
        return Signature(
            authority=profile.signer_authority.upper(),
            prefix=profile.signer_prefix.upper(),
            title=profile.signer_title.upper(),
            name=profile.signer_name or sender,
        )
    if agency.kind in _SIGNATURE_BY_KIND:
        authority, prefix, title = _SIGNATURE_BY_KIND[agency.kind]
        return Signature(authority=authority, prefix=prefix, title=title, name=sender)
    position = ""
    if submitted_by:
        position = Membership.objects.filter(user=submitted_by).values_list("position", flat=True).first() or ""
    return Signature(authority="", prefix="", title=position.upper(), name=sender)


def build_submission_context(*, submission: Submission, place: str = "") -> dict:
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
    signer = agency_signature(agency=agency, submitted_by=submission.submitted_by)
    return {
        "header": Header(
            parent_body=keep_names_together(agency.parent_body),
            issuer_name=keep_names_together(agency.name),
            number_line=_("Số: %(number)s")
            % {"number": document_symbol(number=None, kind="BC", issuer_symbol=agency.symbol)},
            place_date=place_and_date(place or agency.place_name or DEFAULT_PLACE, day),
        ),
        "subject": subject_from_rule(submission.rule, cycle.year, cycle.plan),
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
