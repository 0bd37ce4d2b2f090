"""Writing the report: start this year's, then the edit page that saves a draft (texts, progress, targets and
evidence files in one transaction) and may send it in the same click."""

from __future__ import annotations

from types import EllipsisType

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Agency
from reports import permissions
from reports.errors import WorkflowError
from reports.inputs import MalformedRequest, parse_id, require_ids
from reports.models import Cycle, CycleDeadline, Submission, SubmissionStatus
from reports.submissions import evidence as evidence_services
from reports.submissions import services
from reports.submissions.access import require, visible_submission
from reports.submissions.checks import ensure_editable
from reports.submissions.forms import StartForm, SubmissionEditForms, form_errors
from reports.submissions.selectors import submission_page


@login_required
@require_POST
def submission_start(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    agency_id = permissions.agency_id_of(request.user)
    # The agency is always the user's own: an agency id in the POST is never read.
    if agency_id is None or not permissions.is_member_of_agency(request.user, agency_id):
        raise PermissionDenied
    form = StartForm(request.POST)
    if not form.is_valid():
        raise MalformedRequest(form_errors(form))
    try:
        submission = services.submission_start(
            cycle=cycle,
            agency=Agency.objects.get(pk=agency_id),
            by=request.user,
            from_last_year=form.cleaned_data["prefill"],
            rule_id=form.cleaned_data["rule"],
        )
    except WorkflowError as error:
        messages.error(request, error.message)
        return redirect("reports:agency_detail", agency_id=agency_id)
    return redirect("reports:submission_edit", pk=submission.pk)


@login_required
def submission_edit(request: HttpRequest, pk: int) -> HttpResponse:
    submission = visible_submission(request, pk)
    require(permissions.can_edit_submission(request.user, submission))
    deadline: CycleDeadline | None | EllipsisType = ...
    if request.method == "GET":
        try:
            deadline = ensure_editable(submission, request.user)
        except WorkflowError as error:
            messages.info(request, error.message)
            return redirect("reports:submission_detail", pk=pk)
    page = submission_page(submission=submission, today=timezone.localdate(), deadline=deadline)
    if request.method == "POST":
        forms = SubmissionEditForms(page, request.POST)
        saved, refused = _save(request, submission, forms) if forms.is_valid() else (False, [])
        if saved and refused:
            # The texts are kept; the refused files are named, and the report is not sent without them.
            messages.warning(
                request,
                _("Đã lưu nháp (nội dung đã gõ và các tệp hợp lệ), nhưng chưa nhận tệp: %(files)s Xin đính kèm lại.")
                % {"files": " ".join(refused)}
                + (" " + _("Báo cáo chưa được gửi.") if request.POST.get("action") == "submit" else ""),
            )
            return redirect(_edit_url_keeping_place(request, pk))
        if saved:
            if request.POST.get("action") != "submit":
                messages.success(request, _("Đã lưu nháp."))
                return redirect(_edit_url_keeping_place(request, pk))
            try:
                services.submission_submit(submission=submission, by=request.user)
            except WorkflowError as error:
                messages.error(request, _("Đã lưu nháp. ") + error.message)
                return redirect("reports:submission_edit", pk=pk)
            messages.success(request, _("Đã gửi báo cáo."))
            return redirect("reports:submission_detail", pk=pk)
        submission.refresh_from_db(fields=["status"])
        if request.POST.get("action") == "submit" and submission.status == SubmissionStatus.SUBMITTED:
            # A second click on Send: the report already went; nothing to do.
            return redirect("reports:submission_detail", pk=pk)
        if not forms.is_valid():
            messages.error(
                request, _("Chưa lưu: có %(n)s chỗ cần sửa (đánh dấu đỏ bên dưới).") % {"n": forms.error_count()}
            )
    else:
        forms = SubmissionEditForms(page)
    return render(
        request,
        "reports/submission_edit.html",
        {"page": page, "forms": forms, "can_send": permissions.can_send_submission(request.user, submission)},
    )


def _save(request: HttpRequest, submission: Submission, forms: SubmissionEditForms) -> tuple[bool, list[str]]:
    """Save what was typed, with the accepted files, in one transaction. A refused file is checked before and
    left out: the texts are still saved and the caller names the file and why (issue 12: nothing typed is lost).
    Returns (saved, refusals)."""
    removed = require_ids(request.POST.getlist("remove_evidence"), what=_("minh chứng cần xóa"))
    accepted, refused = [], []
    try:
        for key in request.FILES:
            task_report_id = None if key == "evidence-general" else _int_suffix(key)
            for upload in request.FILES.getlist(key):
                try:
                    evidence_services.evidence_check(upload=upload)
                except WorkflowError as error:
                    refused.append(error.message)
                else:
                    accepted.append((task_report_id, upload))
        with evidence_services.evidence_files_guard(), transaction.atomic():
            services.submission_save(
                submission=submission,
                by=request.user,
                version=forms.general.cleaned_data["version"],
                general=forms.general_data(),
                tasks=forms.task_inputs(),
                targets=forms.target_inputs(),
            )
            evidence_services.evidence_remove(submission=submission, by=request.user, evidence_ids=removed)
            for task_report_id, upload in accepted:
                evidence_services.evidence_add(
                    submission=submission, by=request.user, upload=upload, task_report_id=task_report_id
                )
    except WorkflowError as error:
        messages.error(request, _("Chưa lưu. ") + error.message)
        return False, refused
    return True, refused


def _edit_url_keeping_place(request: HttpRequest, pk: int) -> str:
    """Back to the edit page at the task the person was reading (the form posts its anchor), not the top."""
    url = reverse("reports:submission_edit", args=[pk])
    place = request.POST.get("place", "")
    if place.startswith("nhiem-vu-") and len(place) < 40 and place.replace("-", "").replace(".", "").isalnum():
        return f"{url}#{place}"
    return url


def _int_suffix(key: str) -> int:
    # ASCII digits in range only: "evidence-²" passed str.isdigit() and failed int() (issue 14).
    number = parse_id(key.rpartition("-")[2])
    if number is None:
        raise WorkflowError(_("Tệp tải lên không gắn với nhiệm vụ nào của báo cáo."))
    return number
