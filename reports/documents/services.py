"""Documents a person asks for: the consolidated report (a generated-file record rendered by Celery, numbered when
final), retries, and one agency's report rendered in the request. Rendering lives in `files`, the builders in
`pdf/` and `word/`; this module queues the work after commit.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports.documents.numbering import (
    allocate_document_number,
    default_issuer_profile,
    document_symbol,
    issuer_snapshot,
)
from reports.documents.pdf.render import render_template_pdf
from reports.documents.pdf.submission import build_submission_context
from reports.documents.tasks import render_generated_report
from reports.documents.word.builders import submission_docx
from reports.errors import WorkflowError
from reports.models import (
    Cycle,
    CycleStatus,
    GeneratedReport,
    GeneratedReportKind,
    GeneratedReportStatus,
    Submission,
)


def _enqueue(report_id: int) -> None:
    transaction.on_commit(lambda: render_generated_report.delay(report_id))


@transaction.atomic
def generated_report_request(*, cycle: Cycle, by, final: bool = False) -> GeneratedReport:
    """A consolidated report. A final one takes the next document number now, so the number printed is the
    one registered even if rendering is retried; a draft shows "…" in its place and "DỰ THẢO" on page 1.
    A final one is refused (WorkflowError with the sentence to show, which the view displays) unless the cycle is
    locked, so the figures of an issued document cannot move after it is numbered, and unless the issuer
    profile names the signer. A draft may be made of an open cycle."""
    if final:
        # Read under a row lock: the cycle cannot be reopened while the number is being taken.
        status = Cycle.objects.select_for_update().values_list("status", flat=True).get(pk=cycle.pk)
        if status != CycleStatus.LOCKED:
            raise WorkflowError(
                _(
                    "Kỳ báo cáo năm %(year)d chưa khóa số liệu: hãy khóa số liệu của kỳ trước khi "
                    "cấp số báo cáo chính thức (bản dự thảo vẫn tạo được)."
                )
                % {"year": cycle.year}
            )
    profile = default_issuer_profile()
    if final and not profile.signer_name.strip():
        raise WorkflowError(_("Hồ sơ ban hành chưa có họ tên người ký: chưa thể cấp số chính thức."))
    today = timezone.localdate()
    number = allocate_document_number(agency=profile.agency, year=today.year) if final else None
    snapshot = issuer_snapshot(profile)
    snapshot["issued_on"] = today.isoformat()
    symbol = document_symbol(number=number, kind=profile.document_kind, issuer_symbol=profile.agency.symbol)
    report = GeneratedReport.objects.create(
        kind=GeneratedReportKind.CONSOLIDATED,
        cycle=cycle,
        profile=profile,
        is_draft=not final,
        document_number=symbol if final else "",
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
    with translation.override("vi"):
        return submission_docx(build_submission_context(submission=submission))


def latest_ready_consolidated(*, cycle: Cycle | None = None):
    queryset = GeneratedReport.objects.filter(kind=GeneratedReportKind.CONSOLIDATED, status=GeneratedReportStatus.READY)
    if cycle is not None:
        queryset = queryset.filter(cycle=cycle)
    return queryset.select_related("cycle", "requested_by").order_by("-created_at")
