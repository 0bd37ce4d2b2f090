""" "Tệp đã xuất": the requester's dashboard exports, the progress page of one, and its download. An export is
its requester's alone (reports.permissions.can_view_dashboard_export): to anyone else it is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from reports.dashboard.exports import CONTENT_TYPES
from reports.models import DashboardExport, GeneratedReportStatus
from reports.permissions import can_view_dashboard, can_view_dashboard_export

LIST_LIMIT = 50
POLL_SECONDS = 3


def _own_export(request: HttpRequest, pk: int) -> DashboardExport:
    export = get_object_or_404(DashboardExport, pk=pk)
    if not can_view_dashboard_export(request.user, export):
        raise Http404
    return export


@login_required
@require_GET
def dashboard_export_list(request: HttpRequest) -> HttpResponse:
    if not can_view_dashboard(request.user):
        raise PermissionDenied
    exports = list(DashboardExport.objects.filter(requested_by_id=request.user.pk).order_by("-created_at")[:LIST_LIMIT])
    return render(request, "reports/dashboard/export_list.html", {"exports": exports, "now": timezone.now()})


@login_required
@require_GET
def dashboard_export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = _own_export(request, pk)
    finished = export.status in (GeneratedReportStatus.READY, GeneratedReportStatus.FAILED)
    return render(
        request,
        "reports/dashboard/export_detail.html",
        {"export": export, "finished": finished, "poll_seconds": POLL_SECONDS},
    )


@login_required
@require_GET
def dashboard_export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = _own_export(request, pk)
    if export.status != GeneratedReportStatus.READY or not export.file.name:
        raise Http404
    try:
        handle = export.file.open("rb")
    except FileNotFoundError as missing:  # swept with its record a moment ago
        raise Http404 from missing
    return FileResponse(handle, as_attachment=True, filename=export.filename, content_type=CONTENT_TYPES[export.format])
