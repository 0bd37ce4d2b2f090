from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from agencies.models import Agency, AgencyKind, in_name_order
from hptracker.formatting import format_count
from hptracker.paging import bounded_per_page
from plans.models import AssignmentRole, DutyItem, Plan, Task, TaskAssignment
from plans.selectors import plan_page

# The list a group of the plan page links to when it has too many units to print in place (selectors.NAMES_LISTED).
UNITS_PAGE_SIZE = 200


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


@login_required
def task_units(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    """The co-operating units of one task, by name, a page at a time."""
    task = get_object_or_404(Task.objects.select_related("group__plan"), pk=task_pk, group__plan_id=pk)
    assigned = TaskAssignment.objects.current().filter(task=task, role=AssignmentRole.CO_OPERATING)
    return _unit_list(
        request,
        plan=task.group.plan,
        title=_("Cơ quan, đơn vị phối hợp thực hiện nhiệm vụ %(code)s") % {"code": task.code},
        agencies=Agency.objects.filter(pk__in=assigned.values("agency_id")),
        back=reverse("plans:plan_detail", args=[pk]) + f"#nhiem-vu-{task.group.number}-{task.number}",
    )


@login_required
def duty_item_units(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The agencies one item of section III applies to, by name, a page at a time."""
    item = get_object_or_404(DutyItem.objects.select_related("plan"), pk=item_pk, plan_id=pk)
    return _unit_list(
        request,
        plan=item.plan,
        title=_("Cơ quan, đơn vị thuộc mục %(item)s") % {"item": item},
        agencies=Agency.objects.filter(duty_items=item),
        back=reverse("plans:plan_detail", args=[pk]) + "#to-chuc",
    )


def _unit_list(request: HttpRequest, *, plan: Plan, title: str, agencies: QuerySet, back: str) -> HttpResponse:
    # An unknown kind (a stale or hand-edited link) lists every kind rather than failing.
    kind = request.GET.get("kind", "")
    if kind in AgencyKind.values:
        agencies = agencies.filter(kind=kind)
    else:
        kind = ""
    # In Vietnamese order, sorted and paginated by the database (Agency.sort_name). ?per_page= shows fewer (never
    # more) a page.
    page = Paginator(
        agencies.order_by(*in_name_order()), bounded_per_page(request.GET.get("per_page"), UNITS_PAGE_SIZE)
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "plans/unit_list.html",
        {
            "plan": plan,
            "title": title,
            "page": page,
            "agencies": list(page),
            "total": format_count(page.paginator.count),
            # The rows shown, grouped as every count is (đang xem 1.001–1.050).
            "first": format_count(page.start_index()),
            "last": format_count(page.end_index()),
            "kind_label": AgencyKind(kind).label if kind else "",
            "back": back,
        },
    )
