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
from reports.cycles.selectors import expected_submissions
from reports.cycles.services import cycle_lock as lock_service
from reports.cycles.services import cycle_unlock as unlock_service
from reports.errors import WorkflowError
from reports.inputs import MalformedRequest, has_control_characters, parse_id, require_ids
from reports.models import Cycle, CycleEventKind, Evidence, Submission, SubmissionStatus
from reports.submissions import evidence as evidence_services
from reports.submissions import reviews
from reports.submissions import services as services
from reports.submissions.forms import CommentForm, ReasonForm, ReasonInput, SendForm, StartForm, SubmissionEditForms
from reports.submissions.inbox import InboxFilterForm, inbox_rows
from reports.submissions.selectors import (
    agency_cycles,
    agency_lineage_reports,
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
        {
            "agency": agency,
            "rows": rows,
            "can_start": permissions.is_member_of_agency(request.user, agency.pk),
            "lineage": agency_lineage_reports(user=request.user, agency=agency),
        },
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
    form = ReasonInput(request.POST)
    try:
        if not form.is_valid():
            raise WorkflowError(_form_errors(form))
        unlock_service(cycle=cycle, by=request.user, reason=form.cleaned_data["reason"])
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
    if agency_id is None or not permissions.is_member_of_agency(request.user, agency_id):
        raise PermissionDenied
    form = StartForm(request.POST)
    if not form.is_valid():
        raise MalformedRequest(_form_errors(form))
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
            "can_comment": submission.status != SubmissionStatus.DRAFT
            and permissions.can_comment_submission(user, submission),
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


def _form_errors(form) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def _action(request: HttpRequest, pk: int, allowed, act, form_class=None) -> HttpResponse:
    """The POST-only workflow buttons: permission (403), then the form (its message when refused), then the
    service with the cleaned data, then back to the report."""
    submission = _visible_submission(request, pk)
    _require(allowed(request.user, submission))
    form = form_class(request.POST) if form_class else None
    try:
        if form is not None and not form.is_valid():
            raise WorkflowError(_form_errors(form))
        success = act(submission, form.cleaned_data if form is not None else {})
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("reports:submission_detail", pk=pk)


@login_required
@require_POST
def submission_send(request: HttpRequest, pk: int) -> HttpResponse:
    form = SendForm(request.POST)
    if not form.is_valid():
        raise MalformedRequest(_form_errors(form))

    def act(submission, data):
        services.submission_submit(submission=submission, by=request.user, version=form.cleaned_data["version"])
        return _("Đã gửi báo cáo.")

    return _action(request, pk, permissions.can_send_submission, act)


@login_required
@require_POST
def submission_return(request: HttpRequest, pk: int) -> HttpResponse:
    def act(submission, data):
        reviews.review_return(submission=submission, reviewer=request.user, reason=data["reason"])
        return _("Đã trả lại báo cáo cho đơn vị.")

    return _action(request, pk, permissions.can_review_submission, act, ReasonInput)


@login_required
@require_POST
def submission_accept(request: HttpRequest, pk: int) -> HttpResponse:
    def act(submission, data):
        reviews.review_accept(submission=submission, reviewer=request.user, comment=data["comment"])
        return _("Đã chấp nhận báo cáo; báo cáo đã khóa.")

    return _action(request, pk, permissions.can_review_submission, act, CommentForm)


@login_required
@require_POST
def submission_comment(request: HttpRequest, pk: int) -> HttpResponse:
    def act(submission, data):
        reviews.review_comment(submission=submission, reviewer=request.user, text=data["comment"])
        return _("Đã ghi ý kiến; đơn vị đã được thông báo.")

    return _action(request, pk, permissions.can_comment_submission, act, CommentForm)


@login_required
@require_POST
def submission_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    def act(submission, data):
        reviews.submission_reopen(submission=submission, by=request.user, reason=data["reason"])
        return _("Đã mở lại báo cáo; đơn vị có thể sửa và gửi lại.")

    return _action(request, pk, permissions.can_reopen_submission, act, ReasonInput)


@login_required
@require_POST
def submission_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    def act(submission, data):
        reviews.receipt_acknowledge(submission=submission, by=request.user)
        return _("Đã xác nhận tiếp nhận báo cáo.")

    return _action(request, pk, permissions.can_acknowledge_submission, act)


@login_required
def evidence_download(request: HttpRequest, pk: int, evidence_id: int) -> FileResponse:
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
    ids = require_ids(request.POST.getlist("submission"), what=_("báo cáo được chọn"))
    # The inbox's own query string, sent back so that the filters survive; anything else is dropped.
    filters = request.POST.get("filters", "")
    back = reverse("reports:reviewer_inbox") + (
        f"?{filters}" if filters and not has_control_characters(filters) else ""
    )
    if not ids:
        messages.error(request, _("Xin chọn ít nhất một báo cáo để xác nhận tiếp nhận."))
        return redirect(back)
    done, problems = reviews.receipts_acknowledge(submission_ids=ids, by=request.user)
    if done:
        messages.success(request, _("Đã xác nhận tiếp nhận %(n)s báo cáo.") % {"n": done})
    for problem in problems:
        messages.warning(request, problem)
    return redirect(back)
