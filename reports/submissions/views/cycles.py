"""The cycles: their list, one cycle's reports and deadlines, and the lock of its figures."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hptracker.paging import bounded_per_page
from reports import permissions
from reports.cycles.selectors import as_expected, listed_expected_reports
from reports.cycles.services import cycle_lock as lock_service
from reports.cycles.services import cycle_unlock as unlock_service
from reports.errors import WorkflowError
from reports.models import Cycle, CycleEventKind, Submission
from reports.submissions.access import require
from reports.submissions.forms import ReasonForm, ReasonInput, form_errors

CYCLE_PAGE_SIZE = 100


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    require(permissions.can_view_cycles(request.user))
    return render(request, "reports/cycle_list.html", {"cycles": Cycle.objects.select_related("plan")})


@login_required
def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle.objects.select_related("plan"), pk=cycle_id)
    require(permissions.can_view_cycles(request.user))
    # Only the page's rows are read and built (a national cycle expects 3,000 reports), in the order every list of
    # expected reports has (`listed_expected_reports`). ?per_page= shows fewer (never more) a page.
    page = Paginator(
        listed_expected_reports(cycle=cycle).values_list("agency_id", "rule_id", "submission_id"),
        bounded_per_page(request.GET.get("per_page"), CYCLE_PAGE_SIZE),
    ).get_page(request.GET.get("page"))
    deadlines = list(cycle.deadlines.select_related("rule").order_by("due_on", "rule__code"))
    # The reports the person's own unit owes, above the list: among 3,000 units nationally its row was on one of
    # 30 pages, and the other units' statuses are hidden from agency staff.
    member = permissions.membership(request.user)
    own = (
        list(
            listed_expected_reports(cycle=cycle, agency=member.agency).values_list(
                "agency_id", "rule_id", "submission_id"
            )
        )
        if member is not None and member.agency_id is not None
        else []
    )
    listed = [*own, *page]
    expected = as_expected([(agency_id, rule_id) for agency_id, rule_id, _s in listed], deadlines=deadlines)
    # Statuses are shown only for the reports this person may see.
    found = {
        s.pk: s
        for s in permissions.submissions_visible_to(
            request.user,
            Submission.objects.filter(pk__in=[submission_id for _a, _r, submission_id in listed if submission_id]),
        )
    }
    rows = [(row, found.get(submission_id)) for row, (_a, _r, submission_id) in zip(expected, listed, strict=True)]
    own_rows, rows_shown = rows[: len(own)], rows[len(own) :]
    events = list(cycle.events.select_related("actor").order_by("-at", "-pk"))
    return render(
        request,
        "reports/cycle_detail.html",
        {
            "cycle": cycle,
            "deadlines": deadlines,
            "rows": rows_shown,
            "own_rows": own_rows,
            "own_agency": member.agency if own_rows and member is not None else None,
            "page": page,
            "expected_count": page.paginator.count,
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
    require(permissions.can_lock_cycle(request.user))
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
    require(permissions.can_lock_cycle(request.user))
    form = ReasonInput(request.POST)
    try:
        if not form.is_valid():
            raise WorkflowError(form_errors(form))
        unlock_service(cycle=cycle, by=request.user, reason=form.cleaned_data["reason"])
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Đã mở khóa số liệu kỳ báo cáo năm %(y)s: các đơn vị lại sửa và gửi được báo cáo.") % {"y": cycle.year},
        )
    return redirect("reports:cycle_detail", cycle_id=cycle.pk)
