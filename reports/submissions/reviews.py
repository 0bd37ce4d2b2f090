"""What recipients do with a sent report: return it with a reason, accept it (which locks it), acknowledge
receipt; and the administrator's reopening of an accepted report."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hptracker.history import set_history_user
from reports import permissions
from reports.errors import WorkflowError
from reports.models import Receipt, Submission, SubmissionEventKind, SubmissionStatus
from reports.submissions.checks import checked_text, record_event
from reports.times import format_datetime


def _locked(submission: Submission) -> Submission:
    # Row lock: a return and an accept clicked at the same moment are applied one after the other. Only the
    # report's row: locking the joined cycle too would make every review of the cycle wait for the others.
    return Submission.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=submission.pk)


def _ensure_cycle_open(submission: Submission) -> None:
    """Returning or reopening hands the report back to the agency, which cannot edit in a locked cycle: refuse
    rather than leave a report that nobody can fix. Accepting and acknowledging change no figure and stay."""
    if not submission.cycle.is_open:
        raise WorkflowError(
            _(
                "Kỳ báo cáo năm %(y)s đã khóa số liệu: xin mở khóa kỳ báo cáo trước khi trả lại "
                "hoặc mở lại báo cáo cho đơn vị."
            )
            % {"y": submission.cycle.year}
        )


def _reason(reason: str | None, *, what: str) -> str:
    text = checked_text(reason, label=what)
    if not text:
        raise WorkflowError(_("Xin ghi rõ lý do (%(what)s).") % {"what": what})
    return text


def review_return(*, submission: Submission, reviewer, reason: str) -> Submission:
    with transaction.atomic():
        submission = _locked(submission)
        if not permissions.can_review_submission(reviewer, submission):
            raise WorkflowError(_("Chỉ cán bộ thẩm định của nơi nhận chính mới trả lại được báo cáo."))
        if submission.status != SubmissionStatus.SUBMITTED:
            raise WorkflowError(
                _("Chỉ trả lại được báo cáo đang chờ thẩm định (hiện: %(s)s).") % {"s": submission.get_status_display()}
            )
        _ensure_cycle_open(submission)
        text = _reason(reason, what=_("lý do trả lại"))
        submission.status = SubmissionStatus.RETURNED
        submission.version += 1
        set_history_user(submission, reviewer)
        submission.save()
        record_event(submission=submission, kind=SubmissionEventKind.RETURNED, by=reviewer, message=text)
    return submission


def review_accept(*, submission: Submission, reviewer, comment: str = "") -> Submission:
    with transaction.atomic():
        submission = _locked(submission)
        if not permissions.can_review_submission(reviewer, submission):
            raise WorkflowError(_("Chỉ cán bộ thẩm định của nơi nhận chính mới chấp nhận được báo cáo."))
        if submission.status == SubmissionStatus.ACCEPTED:
            raise WorkflowError(_("Báo cáo đã được chấp nhận trước đó."))
        if submission.status != SubmissionStatus.SUBMITTED:
            raise WorkflowError(
                _("Chỉ chấp nhận được báo cáo đang chờ thẩm định (hiện: %(s)s).")
                % {"s": submission.get_status_display()}
            )
        text = checked_text(comment, label=_("ý kiến"))
        now = timezone.now()
        submission.status = SubmissionStatus.ACCEPTED
        submission.accepted_at, submission.accepted_by = now, reviewer
        submission.version += 1
        set_history_user(submission, reviewer)
        submission.save()
        # Accepting a report means its recipient has it.
        Receipt.objects.filter(
            submission=submission, recipient_id=permissions.agency_id_of(reviewer), acknowledged_at__isnull=True
        ).update(acknowledged_at=now, acknowledged_by=reviewer)
        record_event(submission=submission, kind=SubmissionEventKind.ACCEPTED, by=reviewer, message=text)
    return submission


def review_comment(*, submission: Submission, reviewer, text: str) -> Submission:
    """A recipient's remark on a sent report that neither returns nor accepts it; the agency is told."""
    with transaction.atomic():
        submission = _locked(submission)
        if not permissions.can_comment_submission(reviewer, submission):
            raise WorkflowError(_("Chỉ cán bộ thẩm định của nơi nhận mới ghi ý kiến được về báo cáo này."))
        if submission.status == SubmissionStatus.DRAFT:
            raise WorkflowError(_("Báo cáo chưa được gửi nên chưa ghi ý kiến được."))
        message = _reason(text, what=_("ý kiến"))
        record_event(submission=submission, kind=SubmissionEventKind.COMMENTED, by=reviewer, message=message)
    return submission


def submission_reopen(*, submission: Submission, by, reason: str) -> Submission:
    """An accepted report is locked; only an administrator reopens it, with a reason, and it goes back to the
    agency as returned."""
    with transaction.atomic():
        submission = _locked(submission)
        if not permissions.is_admin(by):
            raise WorkflowError(_("Chỉ quản trị hệ thống mới mở lại được báo cáo đã chấp nhận."))
        if submission.status != SubmissionStatus.ACCEPTED:
            raise WorkflowError(_("Chỉ mở lại được báo cáo đã chấp nhận."))
        _ensure_cycle_open(submission)
        text = _reason(reason, what=_("lý do mở lại"))
        submission.status = SubmissionStatus.RETURNED
        submission.accepted_at, submission.accepted_by = None, None
        submission.version += 1
        set_history_user(submission, by)
        submission.save()
        record_event(submission=submission, kind=SubmissionEventKind.REOPENED, by=by, message=text)
    return submission


def receipt_acknowledge(*, submission: Submission, by) -> Receipt:
    """Each recipient acknowledges separately (a district's report goes to the Sở GD&ĐT and the Sở LĐTB&XH)."""
    with transaction.atomic():
        submission = _locked(submission)
        if not permissions.can_acknowledge_submission(by, submission):
            raise WorkflowError(_("Đơn vị của bạn không phải nơi nhận báo cáo này."))
        if submission.status not in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED):
            raise WorkflowError(_("Báo cáo chưa được gửi nên chưa tiếp nhận được."))
        receipt = (
            Receipt.objects.select_for_update()
            .filter(submission=submission, recipient_id=permissions.agency_id_of(by))
            .first()
        )
        if receipt is None:
            raise WorkflowError(_("Không tìm thấy phiếu tiếp nhận của đơn vị bạn cho báo cáo này."))
        if receipt.acknowledged_at is not None:
            raise WorkflowError(
                _("Đơn vị bạn đã tiếp nhận báo cáo này lúc %(t)s.") % {"t": format_datetime(receipt.acknowledged_at)}
            )
        receipt.acknowledged_at, receipt.acknowledged_by = timezone.now(), by
        receipt.save(update_fields=["acknowledged_at", "acknowledged_by"])
        record_event(
            submission=submission,
            kind=SubmissionEventKind.ACKNOWLEDGED,
            by=by,
            message=_("%(a)s đã tiếp nhận.") % {"a": receipt.recipient.short_name},
        )
    return receipt


def receipts_acknowledge(*, submission_ids: list[int], by) -> tuple[int, list[str]]:
    """Acknowledge several reports at once (the inbox's bulk action). Each goes through `receipt_acknowledge`, with
    its checks and its log entry, in its own transaction: one a colleague acknowledged a moment ago is reported
    and skipped, the others are still acknowledged. Returns how many were acknowledged and why others were not."""
    done, problems = 0, []
    visible = permissions.submissions_visible_to(by, Submission.objects.filter(pk__in=submission_ids))
    found = {s.pk: s for s in visible.select_related("agency")}
    for pk in submission_ids:
        submission = found.get(pk)
        if submission is None:
            problems.append(_("Không tìm thấy báo cáo số %(n)s.") % {"n": pk})
            continue
        try:
            receipt_acknowledge(submission=submission, by=by)
        except WorkflowError as error:
            problems.append(f"{submission.agency.short_name}: {error.message}")
        else:
            done += 1
    return done, problems
