from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from hptracker.health import FULL_CHECKS, health_database, health_report
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


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For the load balancer: this process can reach the database. Nothing else, so that a Redis or worker outage
    does not take every web process out of rotation (pages still work; only background jobs wait)."""
    healthy, body = health_report(checks={"database": health_database})
    return JsonResponse({"status": body["status"]}, status=200 if healthy else 503)


def _may_read_full_health(request: HttpRequest) -> bool:
    token = settings.HEALTH_TOKEN
    if token:
        sent = request.headers.get("X-Health-Token", "")
        bearer = request.headers.get("Authorization", "")
        if bearer.startswith("Bearer "):
            sent = sent or bearer.removeprefix("Bearer ")
        if sent and hmac.compare_digest(sent.encode(), token.encode()):
            return True
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


@never_cache
def healthz_full(request: HttpRequest) -> HttpResponse:
    """For monitoring: every part, each with its state; 503 when any is down. An administrator's session or the
    HEALTH_TOKEN header, because the answer names workers and free space."""
    if not _may_read_full_health(request):
        return JsonResponse({"detail": _("Cần đăng nhập quản trị hoặc mã kiểm tra (HEALTH_TOKEN).")}, status=403)
    healthy, body = health_report(checks=FULL_CHECKS)
    return JsonResponse(body, status=200 if healthy else 503)
