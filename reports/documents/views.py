"""Pages of generated documents: the list of consolidated reports, the request, the progress page and its
JSON status, downloads (the PDF and its editable Word copy), and the PDF and Word copy of one agency's
submission. Access is decided by reports.permissions only."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from agencies.models import in_name_order
from reports.documents import services as services
from reports.documents.files import MAX_ATTEMPTS, generated_report_interrupted
from reports.documents.tasks import render_generated_report
from reports.documents.word import DOCX_CONTENT_TYPE
from reports.errors import WorkflowError
from reports.models import (
    Cycle,
    CycleDeadline,
    GeneratedReport,
    GeneratedReportKind,
    GeneratedReportStatus,
    Submission,
    SubmissionStatus,
)
from reports.outbox.services import outbox_is_pending
from reports.permissions import (
    can_download_consolidated_report,
    can_request_consolidated_report,
    can_send_submission,
    can_view_generated_report,
    submissions_visible_to,
)
from reports.submissions.access import visible_submission

POLL_SECONDS = 2


class ConsolidatedRequestForm(forms.Form):
    cycle = forms.ModelChoiceField(
        queryset=Cycle.objects.select_related("plan"), label=gettext_lazy("Kỳ báo cáo"), empty_label=None
    )
    final = forms.BooleanField(
        required=False, label=gettext_lazy("Cấp số văn bản chính thức (không chọn: bản dự thảo, số để trống)")
    )


def _visible_report(request: HttpRequest, pk: int) -> GeneratedReport:
    report = get_object_or_404(GeneratedReport.objects.select_related("cycle", "submission", "requested_by"), pk=pk)
    if not can_view_generated_report(request.user, report):
        raise Http404
    return report


@login_required
@require_GET
def consolidated_report_list(request: HttpRequest) -> HttpResponse:
    if not can_download_consolidated_report(request.user):
        raise PermissionDenied
    may_request = can_request_consolidated_report(request.user)
    reports = (
        GeneratedReport.objects.filter(kind=GeneratedReportKind.CONSOLIDATED)
        .select_related("cycle__plan", "requested_by")
        .order_by("-created_at")
    )
    if not may_request:
        reports = reports.filter(status=GeneratedReportStatus.READY)
    shown = list(reports[:100])
    # A reader with nothing to download yet learns when the next one is due (the consolidating rule's deadline
    # of the latest cycle, as the plan set it: before 30/12).
    next_due = (
        CycleDeadline.objects.filter(rule__consolidates=True).select_related("cycle").order_by("-cycle__year").first()
        if not shown
        else None
    )
    return render(
        request,
        "reports/documents/consolidated_list.html",
        {
            "reports": shown,
            "next_due": next_due,
            "latest": next((r for r in shown if r.status == GeneratedReportStatus.READY), None),
            "form": ConsolidatedRequestForm() if may_request else None,
            "draft_days": settings.GENERATED_REPORT_DRAFT_DAYS,
        },
    )


@login_required
@require_POST
def consolidated_report_request(request: HttpRequest) -> HttpResponse:
    if not can_request_consolidated_report(request.user):
        raise PermissionDenied
    form = ConsolidatedRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Yêu cầu không hợp lệ: hãy chọn kỳ báo cáo."))
        return redirect("reports:consolidated_reports")
    try:
        report = services.generated_report_request(
            cycle=form.cleaned_data["cycle"], by=request.user, final=form.cleaned_data["final"]
        )
    except services.AlreadyIssued as exc:
        # One number per document: the existing official report is shown, with "Phát hành lại" on its page.
        messages.warning(request, str(exc))
        return redirect("reports:generated_report_detail", pk=exc.report.pk)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("reports:consolidated_reports")
    if outbox_is_pending(task_name=render_generated_report.name, args=[report.pk]):
        messages.info(request, _("Đã ghi nhận yêu cầu; tệp đang chờ hệ thống xử lý và sẽ được tạo ngay khi có thể."))
    return redirect("reports:generated_report_detail", pk=report.pk)


def _status_payload(report: GeneratedReport) -> dict:
    # Queued but not yet taken by the broker (down): the request is safe in the outbox, the page says it waits.
    waiting = report.status == GeneratedReportStatus.QUEUED and outbox_is_pending(
        task_name=render_generated_report.name, args=[report.pk]
    )
    # A render whose heartbeat stopped, or which the sweep requeued after that: the page says it is retried.
    interrupted = generated_report_interrupted(report=report)
    if interrupted and not waiting:
        label = _("Bị gián đoạn, đang thử lại (lần %(n)d/%(max)d)") % {"n": report.attempts, "max": MAX_ATTEMPTS}
    else:
        label = _("Đang chờ hệ thống xử lý") if waiting else report.get_status_display()
    return {
        "id": report.pk,
        "status": report.status,
        "label": label,
        "waiting": waiting,
        "interrupted": interrupted,
        "finished": report.status in (GeneratedReportStatus.READY, GeneratedReportStatus.FAILED),
        "error": report.error if report.status == GeneratedReportStatus.FAILED else "",
        "download_url": reverse("reports:generated_report_download", args=[report.pk])
        if report.status == GeneratedReportStatus.READY
        else None,
    }


@login_required
@require_GET
def generated_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)
    official = report.kind == GeneratedReportKind.CONSOLIDATED and not report.is_draft
    replaced_by = (
        GeneratedReport.objects.filter(snapshot__replaces__id=report.pk).order_by("-created_at").first()
        if official
        else None
    )
    may_reissue = (
        official
        and report.status == GeneratedReportStatus.READY
        and replaced_by is None
        and can_request_consolidated_report(request.user)
    )
    # The full texts of every agency live in their own reports, linked here (the consolidated one summarises).
    agency_reports = []
    if report.kind == GeneratedReportKind.CONSOLIDATED and report.status == GeneratedReportStatus.READY:
        accepted = Submission.objects.filter(cycle=report.cycle, status=SubmissionStatus.ACCEPTED)
        # The visibility rule as one query (can_view_submission per row was one query per agency).
        agency_reports = list(
            submissions_visible_to(request.user, accepted)
            .select_related("agency", "cycle")
            .order_by(*in_name_order("agency__"))
        )
    return render(
        request,
        "reports/documents/generated_detail.html",
        {
            "report": report,
            "status": _status_payload(report),
            "poll_seconds": POLL_SECONDS,
            "may_retry": report.status == GeneratedReportStatus.FAILED
            and can_request_consolidated_report(request.user),
            "may_reissue": may_reissue,
            "replaced_by": replaced_by,
            "agency_reports": agency_reports,
        },
    )


@login_required
@require_POST
def consolidated_report_reissue(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Phát hành lại": a new official report of the same cycle, with a new number, replacing this one."""
    report = _visible_report(request, pk)
    if not can_request_consolidated_report(request.user) or report.kind != GeneratedReportKind.CONSOLIDATED:
        raise PermissionDenied
    try:
        new = services.generated_report_request(cycle=report.cycle, by=request.user, reissue_of=report)
    except services.AlreadyIssued as exc:
        messages.warning(request, str(exc))
        return redirect("reports:generated_report_detail", pk=exc.report.pk)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("reports:generated_report_detail", pk=report.pk)
    messages.success(
        request,
        _("Đã yêu cầu phát hành lại: văn bản mới được cấp số mới và ghi thay thế văn bản %(number)s.")
        % {"number": report.document_number},
    )
    return redirect("reports:generated_report_detail", pk=new.pk)


@login_required
@require_GET
def generated_report_status(request: HttpRequest, pk: int) -> JsonResponse:
    report = _visible_report(request, pk)
    response = JsonResponse(_status_payload(report))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def generated_report_retry(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)
    if not can_request_consolidated_report(request.user):
        raise PermissionDenied
    services.generated_report_retry(report=report)
    return redirect("reports:generated_report_detail", pk=report.pk)


def _download_name(report: GeneratedReport, extension: str = "pdf") -> str:
    number = report.document_number.split("/")[0] if report.document_number else "du-thao"
    return f"bao-cao-tong-hop-{report.cycle.year}-{number}.{extension}"


def _serve(report: GeneratedReport, field, *, extension: str, content_type: str) -> FileResponse:
    # Only a finished file is ever served: a record still rendering has no file name, a failed one none either.
    if report.status != GeneratedReportStatus.READY or not field.name:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle, as_attachment=True, filename=_download_name(report, extension), content_type=content_type
    )


@login_required
@require_GET
def generated_report_download(request: HttpRequest, pk: int) -> FileResponse:
    report = _visible_report(request, pk)
    # A verified signed copy is the official one (reports.signatures); the unsigned file stays in the history.
    official = report.signed_copies.filter(is_official=True).first()
    return _serve(report, official.file if official else report.file, extension="pdf", content_type="application/pdf")


@login_required
@require_GET
def generated_report_word(request: HttpRequest, pk: int) -> FileResponse:
    """The editable copy, to whoever may download the PDF; a record made before Word copies existed has none
    (404, and the pages show no link to it)."""
    report = _visible_report(request, pk)
    return _serve(report, report.word_file, extension="docx", content_type=DOCX_CONTENT_TYPE)


def _visible_submission(request: HttpRequest, pk: int) -> Submission:
    """Another agency's report does not exist for them (404); loaded with what a document of it needs."""
    return visible_submission(request, pk, queryset=Submission.objects.select_related("agency", "cycle"))


def _attachment(content: bytes, content_type: str, submission: Submission, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    name = f"bao-cao-{submission.agency.code.lower()}-{submission.cycle.year}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def submission_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Rendered in the request: one agency's report is a few pages (well under a second), it must show the
    submission as it is now, and a throwaway file needs no record, no queue and no expiry."""
    submission = _visible_submission(request, pk)
    return _attachment(services.submission_pdf(submission=submission), "application/pdf", submission, "pdf")


@login_required
@require_GET
def submission_word(request: HttpRequest, pk: int) -> HttpResponse:
    """The same report as an editable .docx, made in the request for the same reasons as the PDF."""
    submission = _visible_submission(request, pk)
    return _attachment(services.submission_word(submission=submission), DOCX_CONTENT_TYPE, submission, "docx")


@login_required
@require_POST
def submission_issue_for_signing(request: HttpRequest, pk: int) -> HttpResponse:
    """The agency's head issues a stored copy of a sent or accepted report, prepared for signing."""
    submission = _visible_submission(request, pk)
    if not can_send_submission(request.user, submission):
        raise PermissionDenied
    try:
        report = services.submission_document_issue(submission=submission, by=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("reports:submission_detail", pk=submission.pk)
    return redirect("reports:signature_document", pk=report.pk)
