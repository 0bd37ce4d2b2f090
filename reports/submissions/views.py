"""Pages of the submission area. Thin: each asks reports.permissions who may come in (403 otherwise), calls one
service, and turns a WorkflowError into a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Agency
from reports import permissions
from reports.cycles.services import cycle_lock as lock_service
from reports.cycles.services import cycle_unlock as unlock_service
from reports.cycles.services import expected_submissions
from reports.errors import WorkflowError
from reports.models import Cycle, CycleEventKind, Evidence, Submission, SubmissionStatus
from reports.submissions import evidence as evidence_services
from reports.submissions import reviews
from reports.submissions import services as services
from reports.submissions.forms import CommentForm, ReasonForm, SubmissionEditForms
from reports.submissions.inbox import InboxFilterForm, inbox_rows
from reports.submissions.selectors import (
    agency_cycles,
    submission_for_page,
    submission_history,
    submission_page,
)


def _visible_submission(request: HttpRequest, pk: int) -> Submission:
    """The report, or 404 when it does not exist or the person may not see it (its existence is confidential:
    permissions' module docstring). An action the person may not take on a report they see is a 403."""
    try:
        submission = submission_for_page(pk=pk)
    except Submission.DoesNotExist:
        raise Http404 from None
    if not permissions.can_view_submission(request.user, submission):
        raise Http404
    return submission


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@login_required
def my_agency(request: HttpRequest) -> HttpResponse:
    agency_id = permissions.agency_id_of(request.user)
    _require(agency_id is not None and permissions.is_member_of_agency(request.user, agency_id))
    return redirect("reports:agency_detail", agency_id=agency_id)


@login_required
def agency_detail(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=agency_id)
    _require(permissions.can_view_agency(request.user, agency.pk))
    rows = agency_cycles(agency=agency)
    visible = set(
        permissions.submissions_visible_to(request.user, Submission.objects.filter(agency=agency)).values_list(
            "pk", flat=True
        )
    )
    for row in rows:
        # A reviewer of another recipient may open the page, but sees only the reports addressed to it.
        row.hidden = row.submission is not None and row.submission.pk not in visible
        if row.hidden:
            row.submission, row.comments = None, []
        row.visible = row.submission is not None
    return render(
        request,
        "reports/agency_detail.html",
        {"agency": agency, "rows": rows, "can_start": permissions.is_member_of_agency(request.user, agency.pk)},
    )


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_view_cycles(request.user))
    return render(request, "reports/cycle_list.html", {"cycles": Cycle.objects.select_related("plan")})


@login_required
def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle.objects.select_related("plan"), pk=cycle_id)
    _require(permissions.can_view_cycles(request.user))
    expected = expected_submissions(cycle=cycle)
    # Statuses are shown only for the reports this person may see.
    found = {
        (s.agency_id, s.rule_id): s
        for s in permissions.submissions_visible_to(request.user, Submission.objects.filter(cycle=cycle))
    }
    rows = [(e, found.get((e.agency.pk, e.rule.pk))) for e in expected]
    events = list(cycle.events.select_related("actor").order_by("-at", "-pk"))
    return render(
        request,
        "reports/cycle_detail.html",
        {
            "cycle": cycle,
            "deadlines": cycle.deadlines.select_related("rule").order_by("due_on", "rule__code"),
            "rows": rows,
            "expected_count": len(expected),
            "events": events,
            "last_lock": next((e for e in events if e.kind == CycleEventKind.LOCKED), None),
            "can_lock": permissions.can_lock_cycle(request.user),
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def cycle_lock(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    _require(permissions.can_lock_cycle(request.user))
    try:
        lock_service(cycle=cycle, by=request.user)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Đã khóa số liệu kỳ báo cáo năm %(y)s: các đơn vị không sửa, không gửi được báo cáo của kỳ này nữa.")
            % {"y": cycle.year},
        )
    return redirect("reports:cycle_detail", cycle_id=cycle.pk)


@login_required
@require_POST
def cycle_unlock(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    _require(permissions.can_lock_cycle(request.user))
    try:
        unlock_service(cycle=cycle, by=request.user, reason=request.POST.get("reason", ""))
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Đã mở khóa số liệu kỳ báo cáo năm %(y)s: các đơn vị lại sửa và gửi được báo cáo.") % {"y": cycle.year},
        )
    return redirect("reports:cycle_detail", cycle_id=cycle.pk)


@login_required
@require_POST
def submission_start(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    agency_id = permissions.agency_id_of(request.user)
    # The agency is always the user's own: an agency id in the POST is never read.
    _require(agency_id is not None and permissions.is_member_of_agency(request.user, agency_id))
    try:
        rule_id = request.POST.get("rule", "")
        submission = services.submission_start(
            cycle=cycle,
            agency=Agency.objects.get(pk=agency_id),
            by=request.user,
            from_last_year=request.POST.get("prefill") == "1",
            rule_id=int(rule_id) if rule_id.isdigit() else None,
        )
    except WorkflowError as error:
        messages.error(request, error.message)
        return redirect("reports:agency_detail", agency_id=agency_id)
    return redirect("reports:submission_edit", pk=submission.pk)


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _visible_submission(request, pk)
    user = request.user
    editable = submission.is_editable_by_agency and submission.cycle.is_open
    submitted = submission.status == SubmissionStatus.SUBMITTED
    accepted = submission.status == SubmissionStatus.ACCEPTED
    return render(
        request,
        "reports/submission_detail.html",
        {
            "page": submission_page(submission=submission, today=timezone.localdate()),
            # A button is shown when the person may act and the report's state allows it.
            "can_edit": editable and permissions.can_edit_submission(user, submission),
            "can_send": editable and permissions.can_send_submission(user, submission),
            "can_review": submitted and permissions.can_review_submission(user, submission),
            "can_acknowledge": (submitted or accepted)
            and permissions.can_acknowledge_submission(user, submission)
            and submission.receipts.filter(
                recipient_id=permissions.agency_id_of(user), acknowledged_at__isnull=True
            ).exists(),
            "can_reopen": accepted and permissions.can_reopen_submission(user, submission),
            "reason_form": ReasonForm(),
            "comment_form": CommentForm(),
        },
    )


@login_required
def submission_edit(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _visible_submission(request, pk)
    _require(permissions.can_edit_submission(request.user, submission))
    if request.method == "GET":
        try:
            services.ensure_editable(submission, request.user)
        except WorkflowError as error:
            messages.info(request, error.message)
            return redirect("reports:submission_detail", pk=pk)
    page = submission_page(submission=submission, today=timezone.localdate())
    if request.method == "POST":
        forms = SubmissionEditForms(page, request.POST)
        saved = forms.is_valid() and _save(request, submission, forms)
        if saved:
            if request.POST.get("action") != "submit":
                messages.success(request, _("Đã lưu nháp."))
                return redirect("reports:submission_edit", pk=pk)
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


def _save(request: HttpRequest, submission: Submission, forms: SubmissionEditForms) -> bool:
    """One transaction for the texts, the targets and the files: a refused file leaves nothing half-saved."""
    try:
        with transaction.atomic():
            services.submission_save(
                submission=submission,
                by=request.user,
                version=forms.general.cleaned_data["version"],
                general=forms.general_data(),
                tasks=forms.task_inputs(),
                targets=forms.target_inputs(),
            )
            removed = [int(v) for v in request.POST.getlist("remove_evidence") if v.isdigit()]
            evidence_services.evidence_remove(submission=submission, by=request.user, evidence_ids=removed)
            for key in request.FILES:
                task_report_id = None if key == "evidence-general" else _int_suffix(key)
                for upload in request.FILES.getlist(key):
                    evidence_services.evidence_add(
                        submission=submission, by=request.user, upload=upload, task_report_id=task_report_id
                    )
    except WorkflowError as error:
        messages.error(request, error.message)
        return False
    return True


def _int_suffix(key: str) -> int:
    suffix = key.rpartition("-")[2]
    if not suffix.isdigit():
        raise WorkflowError(_("Tệp tải lên không gắn với nhiệm vụ nào của báo cáo."))
    return int(suffix)


def _action(request: HttpRequest, pk: int, allowed, act) -> HttpResponse:
    """The POST-only workflow buttons: permission (403), then the service, then back to the report."""
    submission = _visible_submission(request, pk)
    _require(allowed(request.user, submission))
    try:
        success = act(submission)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("reports:submission_detail", pk=pk)


@login_required
@require_POST
def submission_send(request: HttpRequest, pk: int) -> HttpResponse:
    version = request.POST.get("version", "")

    def act(submission):
        services.submission_submit(
            submission=submission, by=request.user, version=int(version) if version.isdigit() else None
        )
        return _("Đã gửi báo cáo.")

    return _action(request, pk, permissions.can_send_submission, act)


@login_required
@require_POST
def submission_return(request: HttpRequest, pk: int) -> HttpResponse:
    def act(submission):
        reviews.review_return(submission=submission, reviewer=request.user, reason=request.POST.get("reason", ""))
        return _("Đã trả lại báo cáo cho đơn vị.")

    return _action(request, pk, permissions.can_review_submission, act)


@login_required
@require_POST
def submission_accept(request: HttpRequest, pk: int) -> HttpResponse:
    def act(submission):
        reviews.review_accept(submission=submission, reviewer=request.user, comment=request.POST.get("comment", ""))
        return _("Đã chấp nhận báo cáo; báo cáo đã khóa.")

    return _action(request, pk, permissions.can_review_submission, act)


@login_required
@require_POST
def submission_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    def act(submission):
        reviews.submission_reopen(submission=submission, by=request.user, reason=request.POST.get("reason", ""))
        return _("Đã mở lại báo cáo; đơn vị có thể sửa và gửi lại.")

    return _action(request, pk, permissions.can_reopen_submission, act)


@login_required
@require_POST
def submission_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    def act(submission):
        reviews.receipt_acknowledge(submission=submission, by=request.user)
        return _("Đã xác nhận tiếp nhận báo cáo.")

    return _action(request, pk, permissions.can_acknowledge_submission, act)


@login_required
def evidence_download(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    submission = _visible_submission(request, pk)
    evidence = get_object_or_404(Evidence, pk=evidence_id, submission=submission)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # as_attachment + filename: Django writes filename*=utf-8''… (RFC 5987) for Vietnamese names.
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def submission_history_page(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _visible_submission(request, pk)
    return render(
        request,
        "reports/submission_history.html",
        {
            "submission": submission,
            "entries": submission_history(submission=submission),
            "events": submission.events.select_related("actor", "actor_agency").order_by("-at", "-pk"),
        },
    )


@login_required
def reviewer_inbox(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_view_inbox(request.user))
    form = InboxFilterForm(request.GET or None)
    rows = inbox_rows(user=request.user, form=form)
    return render(request, "reports/reviewer_inbox.html", {"submissions": rows, "form": form})


@login_required
@require_POST
def inbox_acknowledge(request: HttpRequest) -> HttpResponse:
    """The inbox's bulk action: acknowledge every ticked report; the service says which could not be."""
    _require(permissions.can_view_inbox(request.user))
    ids = [int(value) for value in request.POST.getlist("submission") if value.isdigit()]
    back = reverse("reports:reviewer_inbox") + (f"?{request.POST['filters']}" if request.POST.get("filters") else "")
    if not ids:
        messages.error(request, _("Xin chọn ít nhất một báo cáo để xác nhận tiếp nhận."))
        return redirect(back)
    done, problems = reviews.receipts_acknowledge(submission_ids=ids, by=request.user)
    if done:
        messages.success(request, _("Đã xác nhận tiếp nhận %(n)s báo cáo.") % {"n": done})
    for problem in problems:
        messages.warning(request, problem)
    return redirect(back)
