"""An agency's own page: its reports of every cycle, and the reports of the agencies it took over."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from agencies.models import Agency
from reports import permissions
from reports.models import Submission
from reports.submissions.access import require
from reports.submissions.selectors import agency_cycles, agency_lineage_reports


@login_required
def my_agency(request: HttpRequest) -> HttpResponse:
    agency_id = permissions.agency_id_of(request.user)
    require(agency_id is not None and permissions.is_member_of_agency(request.user, agency_id))
    return redirect("reports:agency_detail", agency_id=agency_id)


@login_required
def agency_detail(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=agency_id)
    require(permissions.can_view_agency(request.user, agency.pk))
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
