from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from plans.models import Plan


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Everyone lands on the plan; the reports app adds each role's own start page when it has one."""
    from reports.navigation import start_page_for

    target = start_page_for(request.user)
    if target:
        return redirect(target)
    plan = Plan.objects.order_by("-issued_on").first()
    if plan is None:
        return redirect("plans:plan_list")
    return redirect("plans:plan_detail", pk=plan.pk)


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
