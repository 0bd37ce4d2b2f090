from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from plans.models import Plan
from plans.selectors import plan_page


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "plans/plan_list.html", {"plans": Plan.objects.order_by("-issued_on")})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        context = plan_page(pk=pk)
    except Plan.DoesNotExist:
        raise Http404 from None
    return render(request, "plans/plan_detail.html", context)
