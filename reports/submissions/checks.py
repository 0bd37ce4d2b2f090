"""What every write to an agency's report shares, whichever module makes it (services, reviews, evidence): who
may change the report and when (`ensure_editable`), the limits of a typed text (`checked_text`) and the audit entry
of a workflow step (`record_event`)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from hptracker.formatting import format_count
from hptracker.text import clean_text
from reports import permissions
from reports.cycles import ledger
from reports.cycles.services import locked_cycle_message
from reports.errors import WorkflowError
from reports.inputs import has_control_characters
from reports.models import CycleDeadline, Submission, SubmissionEvent, SubmissionEventKind, SubmissionStatus
from reports.notifications.services import notify_submission_event
from reports.outbox.services import outbox_enqueue, outbox_is_pending

# Long enough for any real section of a report; short enough that a pasted book is refused with a message.
TEXT_MAX = 20_000
EDITABLE = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
# The workflow steps that change what the dashboard counts (a report's state, the accepted reports' targets), and
# the task that recounts it (reports.dashboard.tasks; named, not imported: the workflow does not depend on the
# dashboard).
FIGURES_CHANGING = (
    SubmissionEventKind.SUBMITTED,
    SubmissionEventKind.RETURNED,
    SubmissionEventKind.ACCEPTED,
    SubmissionEventKind.REOPENED,
)
FIGURES_WARM_TASK = "reports.dashboard.tasks.warm_dashboard_figures"
# The steps that write a submission row the expected reports read (its status, its first sending; a report
# started inserts it): each rewrites its expected report in the ledger, in its own transaction (reports.cycles.ledger).
LEDGER_KEEPING = (*FIGURES_CHANGING, SubmissionEventKind.CREATED)
# The steps by which a report enters or leaves the accepted ones (FIGURE_STATUSES): its values join or leave the
# targets' figures.
TARGETS_MOVING = (SubmissionEventKind.ACCEPTED, SubmissionEventKind.REOPENED)


def record_event(*, submission: Submission, kind: str, by, message: str = "") -> SubmissionEvent:
    """The audit entry of a workflow step, and (in the same transaction) the notices of the people it concerns."""
    event = SubmissionEvent.objects.create(
        submission=submission, kind=kind, actor=by, actor_agency_id=permissions.agency_id_of(by), message=message
    )
    notify_submission_event(event=event)
    if kind in LEDGER_KEEPING:
        ledger.keep(submission, targets=kind in TARGETS_MOVING)
    if kind in FIGURES_CHANGING and not outbox_is_pending(task_name=FIGURES_WARM_TASK, args=[]):
        # The dashboard's figures are recounted in the worker once this commits, before a reader asks. One
        # pending recount serves every write before it runs (and while the broker is down, the request does not
        # wait for it once more).
        outbox_enqueue(task_name=FIGURES_WARM_TASK)
    return event


def checked_text(value: str | None, *, label: str) -> str:
    text = clean_text(value)
    if has_control_characters(text):
        # The forms refuse these first; this keeps a NUL from reaching PostgreSQL by any other way in.
        raise WorkflowError(
            _("Mục «%(label)s» có ký tự điều khiển không hiển thị được (ví dụ ký tự NUL); xin gõ lại.")
            % {"label": label}
        )
    if len(text) > TEXT_MAX:
        numbers = {"n": format_count(len(text)), "max": format_count(TEXT_MAX)}
        raise WorkflowError(
            _(
                "Mục «%(label)s» dài %(n)s ký tự, vượt giới hạn %(max)s ký tự. Xin rút gọn hoặc "
                "đính kèm thành tệp minh chứng."
            )
            % {"label": label, **numbers}
        )
    return text


def deadline_of(submission: Submission) -> CycleDeadline | None:
    return CycleDeadline.objects.filter(cycle_id=submission.cycle_id, rule_id=submission.rule_id).first()


def ensure_editable(submission: Submission, by) -> CycleDeadline | None:
    """The agency may change its report: its own, a draft or returned, the cycle open, entry not closed. Returns
    the report's deadline, read for the last check, for a caller that shows it (the edit page)."""
    if not permissions.can_edit_submission(by, submission):
        raise WorkflowError(_("Bạn không có quyền sửa báo cáo của đơn vị này."))
    # A locked cycle is the reason that holds whatever the report's state, so it is named first.
    if not submission.cycle.is_open:
        raise WorkflowError(locked_cycle_message(submission.cycle))
    if submission.status == SubmissionStatus.SUBMITTED:
        raise WorkflowError(
            _(
                "Báo cáo đã được gửi, đang chờ thẩm định: không sửa được nữa. Nếu cần sửa, "
                "xin đề nghị Sở Giáo dục và Đào tạo trả lại."
            )
        )
    if submission.status == SubmissionStatus.ACCEPTED:
        raise WorkflowError(_("Báo cáo đã được chấp nhận và khóa; chỉ quản trị hệ thống mới mở lại được."))
    deadline = deadline_of(submission)
    if deadline and deadline.entry_closes_on and timezone.localdate() > deadline.entry_closes_on:
        raise WorkflowError(_("Đã khóa nhập liệu sau ngày %(d)s.") % {"d": f"{deadline.entry_closes_on:%d/%m/%Y}"})
    return deadline
