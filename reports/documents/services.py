"""Documents a person asks for: the consolidated report (a generated-file record rendered by Celery, numbered when
final), retries, and one agency's report rendered in the request. Rendering lives in `files`, the builders in
`pdf/` and `word/`; this module queues the work after commit.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports.documents.files import generated_report_render
from reports.documents.numbering import default_issuer_profile, issuer_snapshot
from reports.documents.pdf.render import render_template_pdf
from reports.documents.pdf.submission import build_submission_context
from reports.documents.tasks import render_generated_report
from reports.errors import WorkflowError
from reports.models import (
    Cycle,
    CycleStatus,
    GeneratedReport,
    GeneratedReportKind,
    GeneratedReportStatus,
    Submission,
    SubmissionStatus,
)
from reports.outbox.services import outbox_enqueue


def _enqueue(report_id: int) -> None:
    # Through the outbox: the render is recorded with the request's rows and sent after commit; a broker outage
    # leaves it pending (the page says it waits) instead of failing the request (reports.outbox).
    outbox_enqueue(task_name=render_generated_report.name, args=[report_id])


class AlreadyIssued(WorkflowError):
    """A final report of this cycle exists: it is shown with its number instead of taking a new one."""

    def __init__(self, report: GeneratedReport):
        super().__init__(
            _(
                "Báo cáo chính thức của kỳ năm %(year)d đã có (%(number)s). Số văn bản không được cấp lại: "
                "hãy dùng văn bản này, hoặc chọn «Phát hành lại» để ban hành văn bản mới thay thế nó."
            )
            % {"year": report.cycle.year, "number": report.document_number or _("đang cấp số")}
        )
        self.report = report


def official_consolidated(*, cycle: Cycle) -> GeneratedReport | None:
    """The cycle's current official report: the latest final one that has not failed (a reissue replaces the
    one before it)."""
    return (
        GeneratedReport.objects.filter(kind=GeneratedReportKind.CONSOLIDATED, cycle=cycle, is_draft=False)
        .exclude(status=GeneratedReportStatus.FAILED)
        .select_related("cycle")
        .order_by("-created_at", "-pk")
        .first()
    )


@transaction.atomic
def generated_report_request(
    *, cycle: Cycle, by, final: bool = False, reissue_of: GeneratedReport | None = None
) -> GeneratedReport:
    """A consolidated report; a draft shows "…" in place of the number and "DỰ THẢO" on page 1.
    A final one is refused (WorkflowError with the sentence to show, which the view displays) unless the cycle is
    locked, so the figures of an issued document cannot move after it is numbered, and unless the issuer
    profile names the signer. A locked cycle has one official report: asking again raises AlreadyIssued
    (carrying the existing record) unless `reissue_of` names it, in which case the new document takes a new
    number and says which one it replaces. The number itself is taken by the render, only if it succeeds
    (files.generated_report_render). A draft may be made of an open cycle."""
    if final or reissue_of is not None:
        final = True
        # Read under a row lock: the cycle cannot be reopened, and two requests for the same cycle are served
        # one after the other (the second sees the first's record).
        status = Cycle.objects.select_for_update().values_list("status", flat=True).get(pk=cycle.pk)
        if status != CycleStatus.LOCKED:
            raise WorkflowError(
                _(
                    "Kỳ báo cáo năm %(year)d chưa khóa số liệu: hãy khóa số liệu của kỳ trước khi "
                    "cấp số báo cáo chính thức (bản dự thảo vẫn tạo được)."
                )
                % {"year": cycle.year}
            )
        existing = official_consolidated(cycle=cycle)
        if existing is not None and (reissue_of is None or existing.pk != reissue_of.pk):
            raise AlreadyIssued(existing)
        if reissue_of is not None and (existing is None or existing.status != GeneratedReportStatus.READY):
            raise WorkflowError(_("Chỉ phát hành lại được văn bản chính thức đã tạo xong."))
    profile = default_issuer_profile()
    if final and not profile.signer_name.strip():
        raise WorkflowError(_("Hồ sơ ban hành chưa có họ tên người ký: chưa thể cấp số chính thức."))
    today = timezone.localdate()
    snapshot = issuer_snapshot(profile)
    snapshot["issued_on"] = today.isoformat()
    if reissue_of is not None:
        # Printed under the header ("Thay thế Báo cáo số … ngày …") and kept with the record.
        snapshot["replaces"] = {
            "id": reissue_of.pk,
            "number": reissue_of.document_number,
            "issued_on": reissue_of.snapshot.get("issued_on", ""),
        }
    report = GeneratedReport.objects.create(
        kind=GeneratedReportKind.CONSOLIDATED,
        cycle=cycle,
        profile=profile,
        is_draft=not final,
        document_number="",
        snapshot=snapshot,
        requested_by=by,
    )
    _enqueue(report.pk)
    return report


def generated_report_retry(*, report: GeneratedReport) -> GeneratedReport:
    """A FAILED record queued again by a user (the attempt count starts afresh)."""
    with transaction.atomic():
        report = GeneratedReport.objects.select_for_update().get(pk=report.pk)
        if report.status == GeneratedReportStatus.FAILED:
            report.status, report.attempts, report.error = GeneratedReportStatus.QUEUED, 0, ""
            report.save(update_fields=["status", "attempts", "error"])
            _enqueue(report.pk)
    return report


def submission_pdf(*, submission: Submission) -> bytes:
    """One agency's report, rendered in the request: it is a few pages (about 0.1 s a page). Vietnamese even
    when the requester reads the portal in English: the context's own texts ("Số:", "Như trên") too."""
    with translation.override("vi"):
        return render_template_pdf(
            "pdf/submission_report.html", build_submission_context(submission=submission)
        ).content


def submission_word(*, submission: Submission) -> bytes:
    """The same report as an editable .docx, from the same context, in the request like the PDF."""
    # Imported here: python-docx loads in the processes that build a copy, not in every one that imports this.
    from reports.documents.word.builders import submission_docx

    with translation.override("vi"):
        return submission_docx(build_submission_context(submission=submission))


def latest_ready_consolidated(*, cycle: Cycle | None = None):
    queryset = GeneratedReport.objects.filter(kind=GeneratedReportKind.CONSOLIDATED, status=GeneratedReportStatus.READY)
    if cycle is not None:
        queryset = queryset.filter(cycle=cycle)
    return queryset.select_related("cycle", "requested_by").order_by("-created_at")


def submission_document_issue(*, submission: Submission, by) -> GeneratedReport:
    """A stored copy of an agency's report, prepared for signing: what the head signs and what a signed upload is
    checked against. Only a report that can no longer change (sent or accepted) is issued. Rendered in the request
    like the agency's PDF download (a few pages); the same renderer and preparation as the consolidated report."""
    if submission.status not in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED):
        raise WorkflowError(_("Chỉ phát hành bản để ký khi báo cáo đã gửi hoặc đã được tiếp nhận."))
    report = GeneratedReport.objects.create(
        kind=GeneratedReportKind.SUBMISSION,
        cycle=submission.cycle,
        submission=submission,
        is_draft=False,
        requested_by=by,
    )
    rendered = generated_report_render(report_id=report.pk)
    if rendered is None or rendered.status != GeneratedReportStatus.READY:
        raise WorkflowError(_("Không tạo được bản để ký: %(error)s") % {"error": getattr(rendered, "error", "")})
    return rendered


# --- signing and recording --------------------------------------------------------------------------------------
