"""An agency's yearly report: start it, save drafts, send it. Every function validates, writes inside one
transaction and records a SubmissionEvent; a refusal is a WorkflowError with a Vietnamese message. The checks
these share with reviews and evidence (who may edit, text limits, the audit entry) are in `checks`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from agencies.models import Agency
from hptracker.history import set_history_user, update_with_history
from hptracker.text import clean_text
from plans.models import ReportingRule, Target, TaskAssignment
from reports import permissions
from reports.cycles.selectors import expected_submissions
from reports.cycles.services import locked_cycle_message
from reports.errors import WorkflowError
from reports.models import (
    Cycle,
    IssuedDocument,
    Progress,
    Receipt,
    Submission,
    SubmissionEventKind,
    SubmissionStatus,
    TargetValue,
    TaskReport,
)
from reports.submissions.checks import checked_text, deadline_of, ensure_editable, record_event
from reports.submissions.selectors import targets_for_agency
from reports.times import format_datetime

GENERAL_FIELDS = ("assessment", "shortcomings", "directions", "proposals")
TASK_TEXT_FIELDS = ("results", "difficulties", "proposals")


@dataclass(frozen=True)
class DocumentInput:
    number: str
    issued_on: datetime.date
    title: str


@dataclass(frozen=True)
class TaskInput:
    progress: str = ""
    results: str = ""
    difficulties: str = ""
    proposals: str = ""
    documents: list[DocumentInput] = field(default_factory=list)


@dataclass(frozen=True)
class TargetInput:
    value: Decimal | None
    note: str = ""


def _verbose_name(model: type[models.Model], name: str) -> str:
    """The label of a concrete field (every name asked for is one), as the message shows it."""
    field = model._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _sync_task_reports(submission: Submission, by) -> None:
    """A task assigned to the agency after the report was started gets its row, so it can be filled in."""
    have = set(submission.task_reports.values_list("task_id", flat=True))
    missing = [
        TaskReport(submission=submission, task_id=a.task_id, role=a.role)
        for a in TaskAssignment.objects.current()
        .filter(agency_id=submission.agency_id, task__group__plan_id=submission.cycle.plan_id)
        .order_by("task_id", "role")
        if a.task_id not in have
    ]
    if missing:
        bulk_create_with_history(missing, TaskReport, default_user=by)


def submission_start(
    *, cycle: Cycle, agency: Agency, by, from_last_year: bool = False, rule_id: int | None = None
) -> Submission:
    """Create the agency's report of the cycle under `rule_id` (or return the one that exists: a second click
    changes nothing). `rule_id` may be left out when the agency owes one report only; an agency that inherited a
    second duty (a merger) owes one per rule. With `from_last_year`, copy the texts of the agency's last accepted
    report under the same rule (or any rule, when it has none)."""
    if not permissions.is_member_of_agency(by, agency.pk):
        raise WorkflowError(_("Bạn chỉ lập báo cáo cho đơn vị của mình."))
    if not cycle.is_open:
        raise WorkflowError(locked_cycle_message(cycle))
    expected = expected_submissions(cycle=cycle, agency=agency)
    if not expected:
        raise WorkflowError(
            _("Đơn vị %(a)s không phải gửi báo cáo trong kỳ năm %(y)s.") % {"a": agency.short_name, "y": cycle.year}
        )
    rule: ReportingRule | None = expected[0].rule if rule_id is None else None
    if rule_id is not None:
        rule = next((e.rule for e in expected if e.rule.pk == rule_id), None)
        if rule is None:
            raise WorkflowError(
                _("Đơn vị %(a)s không phải gửi báo cáo này trong kỳ năm %(y)s.")
                % {"a": agency.short_name, "y": cycle.year}
            )
    existing = Submission.objects.filter(cycle=cycle, agency=agency, rule=rule).first()
    if existing is not None:
        return existing
    previous = None
    if from_last_year:
        accepted = Submission.objects.filter(
            agency=agency, cycle__plan_id=cycle.plan_id, cycle__year__lt=cycle.year, status=SubmissionStatus.ACCEPTED
        )
        previous = (
            accepted.filter(rule=rule).order_by("-cycle__year").first() or accepted.order_by("-cycle__year").first()
        )
        if previous is None:
            raise WorkflowError(_("Đơn vị chưa có báo cáo năm trước được chấp nhận để chép lại."))
    try:
        with transaction.atomic():
            submission = Submission(cycle=cycle, agency=agency, rule=rule, updated_by=by, prefilled_from=previous)
            if previous is not None:
                for name in GENERAL_FIELDS:
                    setattr(submission, name, getattr(previous, name))
            set_history_user(submission, by)
            submission.save()
            _sync_task_reports(submission, by)
            if previous is not None:
                _copy_task_texts(previous=previous, submission=submission, by=by)
            message = _("Điền sẵn từ báo cáo năm %(y)s.") % {"y": previous.cycle.year} if previous else ""
            record_event(submission=submission, kind=SubmissionEventKind.CREATED, by=by, message=message)
    except IntegrityError:
        # Two clicks raced: the other request created it; show that one.
        return Submission.objects.get(cycle=cycle, agency=agency, rule=rule)
    return submission


def _copy_task_texts(*, previous: Submission, submission: Submission, by) -> None:
    old = {tr.task_id: tr for tr in previous.task_reports.all()}
    changed = []
    for report in submission.task_reports.all():
        source = old.get(report.task_id)
        if source is None or not any(getattr(source, name) for name in TASK_TEXT_FIELDS):
            continue
        for name in TASK_TEXT_FIELDS:
            setattr(report, name, getattr(source, name))
        # Progress is this year's fact: left empty so that the agency chooses it again.
        report.from_last_year = True
        changed.append(report)
    update_with_history(changed, [*TASK_TEXT_FIELDS, "from_last_year"], by=by)


def submission_save(
    *,
    submission: Submission,
    by,
    version: int,
    general: dict[str, str],
    tasks: dict[int, TaskInput],
    targets: dict[int, TargetInput] | None = None,
) -> Submission:
    """Save a draft edited from `version`. A stale version (someone saved in between) is refused and nothing is
    written; the caller keeps the user's text on screen. `tasks` is keyed by TaskReport id, `targets` by Target
    id: an id that is not this report's (a forged form) refuses the whole save."""
    targets = targets or {}
    with transaction.atomic():
        submission = Submission.objects.select_related("cycle", "agency").get(pk=submission.pk)
        ensure_editable(submission, by)
        # The conditional UPDATE is the lock: of two saves from the same version, exactly one matches.
        if not Submission.objects.filter(pk=submission.pk, version=version).update(version=version + 1):
            raise WorkflowError(
                _(
                    "Báo cáo vừa được người khác lưu (phiên bản %(v)s) sau khi bạn mở trang. Nội "
                    "dung bạn gõ vẫn còn trên trang nhưng CHƯA được lưu: hãy chép lại phần của mình, "
                    "tải lại trang rồi lưu lần nữa."
                )
                % {"v": submission.version}
            )
        submission.version = version + 1
        labels = {name: _verbose_name(Submission, name) for name in GENERAL_FIELDS}
        for name in GENERAL_FIELDS:
            if name in general:
                setattr(submission, name, checked_text(general[name], label=labels[name]))
        submission.updated_by = by
        set_history_user(submission, by)
        submission.save()
        _sync_task_reports(submission, by)
        changed_tasks = _save_task_reports(submission, by, tasks)
        _save_target_values(submission, by, targets)
        record_event(
            submission=submission,
            kind=SubmissionEventKind.SAVED,
            by=by,
            message=ngettext("%(n)s nhiệm vụ được sửa.", "%(n)s nhiệm vụ được sửa.", changed_tasks)
            % {"n": changed_tasks},
        )
    return submission


def _save_task_reports(submission: Submission, by, tasks: dict[int, TaskInput]) -> int:
    """Check every task first, then write the changed rows together (hptracker.history.update_with_history) and
    the changed document lists in one DELETE and one INSERT: nothing is written before every task has passed."""
    reports = {tr.pk: tr for tr in submission.task_reports.select_related("task__group").prefetch_related("documents")}
    forged = set(tasks) - set(reports)
    if forged:
        raise WorkflowError(_("Dữ liệu gửi lên có nhiệm vụ không thuộc báo cáo này; không lưu gì cả."))
    edited: list[TaskReport] = []
    documents_replaced: dict[TaskReport, list[DocumentInput]] = {}
    for pk, data in tasks.items():
        report = reports[pk]
        code = report.task.code
        if data.progress and data.progress not in Progress.values:
            raise WorkflowError(_("Tiến độ của nhiệm vụ %(code)s không hợp lệ.") % {"code": code})
        texts = {
            name: checked_text(
                getattr(data, name),
                label=_("%(field)s — nhiệm vụ %(code)s") % {"field": _verbose_name(TaskReport, name), "code": code},
            )
            for name in TASK_TEXT_FIELDS
        }
        documents = [_checked_document(doc, code) for doc in data.documents]
        text_changed = any(getattr(report, name) != value for name, value in texts.items())
        if text_changed or report.progress != data.progress:
            for name, value in texts.items():
                setattr(report, name, value)
            report.progress = data.progress
            # The "last year's text" badge goes once a person has changed the text.
            if text_changed:
                report.from_last_year = False
            edited.append(report)
        old_docs = [(d.number, d.issued_on, d.title) for d in report.documents.all()]
        if old_docs != [(d.number, d.issued_on, d.title) for d in documents]:
            documents_replaced[report] = documents
    update_with_history(edited, [*TASK_TEXT_FIELDS, "progress", "from_last_year"], by=by)
    if documents_replaced:
        IssuedDocument.objects.filter(task_report__in=list(documents_replaced)).delete()
        IssuedDocument.objects.bulk_create(
            IssuedDocument(task_report=report, number=d.number, issued_on=d.issued_on, title=d.title)
            for report, documents in documents_replaced.items()
            for d in documents
        )
    return len(set(edited) | set(documents_replaced))


def _checked_document(doc: DocumentInput, code: str) -> DocumentInput:
    number, title = clean_text(doc.number), clean_text(doc.title)
    if not number or not title or not isinstance(doc.issued_on, datetime.date):
        raise WorkflowError(
            _("Văn bản đã ban hành của nhiệm vụ %(code)s cần đủ số, ngày và trích yếu.") % {"code": code}
        )
    if len(number) > 80 or len(title) > 500:
        raise WorkflowError(_("Số hoặc trích yếu văn bản của nhiệm vụ %(code)s quá dài.") % {"code": code})
    return DocumentInput(number=number, issued_on=doc.issued_on, title=title)


def _save_target_values(submission: Submission, by, targets: dict[int, TargetInput]) -> None:
    if not targets:
        return
    allowed: dict[int, Target] = {
        t.pk: t for t in targets_for_agency(agency=submission.agency, plan_id=submission.cycle.plan_id)
    }
    if set(targets) - set(allowed):
        raise WorkflowError(_("Dữ liệu gửi lên có chỉ tiêu không thuộc báo cáo này; không lưu gì cả."))
    existing = {tv.target_id: tv for tv in submission.target_values.all()}
    for target_id, data in targets.items():
        current = existing.get(target_id)
        note = clean_text(data.note)[:500]
        if data.value is None:
            if current is not None:
                set_history_user(current, by)
                current.delete()
            continue
        if abs(data.value) >= Decimal("1e10"):
            raise WorkflowError(_("Giá trị chỉ tiêu «%(t)s» quá lớn.") % {"t": allowed[target_id].name})
        if current is None:
            current = TargetValue(submission=submission, target_id=target_id, value=data.value, note=note)
        elif current.value == data.value and current.note == note:
            continue
        current.value, current.note = data.value, note
        set_history_user(current, by)
        current.save()


def submission_submit(*, submission: Submission, by, version: int | None = None) -> Submission:
    """The head sends the report. Every assigned task needs a progress status; lateness is judged against the
    deadline's day in Hải Phòng; each recipient of the rule gets a receipt to acknowledge."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().select_related("cycle").get(pk=submission.pk)
        if submission.status == SubmissionStatus.SUBMITTED:
            raise WorkflowError(
                _("Báo cáo đã được gửi lúc %(t)s; không cần gửi lại.") % {"t": format_datetime(submission.submitted_at)}
            )
        if not permissions.can_send_submission(by, submission):
            raise WorkflowError(_("Chỉ lãnh đạo đơn vị mới gửi được báo cáo."))
        ensure_editable(submission, by)
        if version is not None and version != submission.version:
            raise WorkflowError(_("Báo cáo đã được sửa sau khi bạn mở trang. Xin xem lại nội dung mới rồi gửi."))
        _sync_task_reports(submission, by)
        missing = list(
            submission.task_reports.filter(progress="")
            .select_related("task__group")
            .order_by("task__group__number", "task__number")
        )
        if missing:
            codes = ", ".join(tr.task.code for tr in missing)
            raise WorkflowError(
                ngettext(
                    "Chưa gửi được: còn %(n)s nhiệm vụ chưa chọn tiến độ: %(codes)s.",
                    "Chưa gửi được: còn %(n)s nhiệm vụ chưa chọn tiến độ: %(codes)s.",
                    len(missing),
                )
                % {"n": len(missing), "codes": codes}
            )
        now = timezone.now()
        deadline = deadline_of(submission)
        first_time = submission.first_submitted_at is None
        # Received and on time are decided by the first sending (stored): a report returned for corrections is
        # not made late by them. CycleDeadline.is_late is the one definition the dashboard shares.
        if first_time:
            submission.first_submitted_at = now
            submission.is_late = bool(deadline and deadline.is_late(now))
        submission.status = SubmissionStatus.SUBMITTED
        submission.submitted_at, submission.submitted_by = now, by
        submission.version += 1
        set_history_user(submission, by)
        submission.save()
        for recipient in submission.rule.rule_recipients.all():
            receipt, created = Receipt.objects.get_or_create(submission=submission, recipient_id=recipient.agency_id)
            if not created and receipt.acknowledged_at:
                # A corrected report is a new arrival: each recipient acknowledges it again.
                receipt.acknowledged_at, receipt.acknowledged_by = None, None
                receipt.save(update_fields=["acknowledged_at", "acknowledged_by"])
        message = ""
        if first_time and submission.is_late and deadline:
            days = deadline.days_late(timezone.localtime(now).date())
            message = ngettext("Gửi muộn %(n)s ngày.", "Gửi muộn %(n)s ngày.", days) % {"n": days}
        record_event(submission=submission, kind=SubmissionEventKind.SUBMITTED, by=by, message=message)
    return submission
