"""The report page's buttons, each a POST that runs one workflow step: send, and the reviewer's return, accept,
comment and reopen, and a recipient's acknowledgement."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reports import permissions
from reports.errors import WorkflowError
from reports.inputs import MalformedRequest
from reports.submissions import reviews, services
from reports.submissions.access import require, visible_submission
from reports.submissions.forms import CommentForm, ReasonInput, SendForm, form_errors


def _action(request: HttpRequest, pk: int, allowed, act, form_class=None) -> HttpResponse:
    """The POST-only workflow buttons: permission (403), then the form (its message when refused), then the
    service with the cleaned data, then back to the report."""
    submission = visible_submission(request, pk)
    require(allowed(request.user, submission))
    form = form_class(request.POST) if form_class else None
    try:
        if form is not None and not form.is_valid():
            raise WorkflowError(form_errors(form))
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
        raise MalformedRequest(form_errors(form))

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
