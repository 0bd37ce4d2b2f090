"""The reviewer's inbox: the reports addressed to the person's agency, filtered, and the bulk acknowledgement."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hptracker.paging import ChosenByIds
from reports import permissions
from reports.inputs import has_control_characters, require_ids
from reports.submissions import reviews
from reports.submissions.access import require
from reports.submissions.inbox import PAGE_SIZE, InboxFilterForm, inbox_rows


@login_required
def reviewer_inbox(request: HttpRequest) -> HttpResponse:
    require(permissions.can_view_inbox(request.user))
    form = InboxFilterForm(request.GET or None)
    # The oldest first, PAGE_SIZE at a time; a page number out of range shows the last page (get_page). A page is
    # chosen by its ids: nationally 5,422 reports wait, and sorting them with their columns and joins cost 13 ms.
    rows = ChosenByIds(inbox_rows(user=request.user, form=form))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # The bulk acknowledgement (its boxes, "select all", its button) only where a row of the page can take it: the
    # button alone, with no box to tick, led to "Xin chọn ít nhất một báo cáo" (a page whose receipts were all
    # acknowledged, or a reviewer whose agency receives none of them).
    acknowledgeable = any(getattr(submission, "can_acknowledge", False) for submission in page)  # annotated
    return render(
        request,
        "reports/reviewer_inbox.html",
        {"submissions": page, "page": page, "form": form, "acknowledgeable": acknowledgeable},
    )


@login_required
@require_POST
def inbox_acknowledge(request: HttpRequest) -> HttpResponse:
    """The inbox's bulk action: acknowledge every ticked report; the service says which could not be."""
    require(permissions.can_view_inbox(request.user))
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
