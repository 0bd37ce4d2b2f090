"""Who may read the dashboard and for which plan and year: the access mixin every dashboard page (and the export
worker, for the requester) runs, the scope it resolves from the query string, and the filter-set defaults."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import Plan
from reports.dashboard.figures_cache import one_version
from reports.inputs import parse_id
from reports.models import Cycle, Submission
from reports.permissions import can_view_dashboard, dashboard_scope, sees_everything


@dataclass(frozen=True)
class Scope:
    plan: Plan
    cycle: Cycle | None
    cycles: list[Cycle]  # the plan's, newest first
    today: datetime.date

    @property
    def year(self) -> int | None:
        return self.cycle.year if self.cycle else None

    @property
    def years(self) -> list[int]:
        return [c.year for c in self.cycles]

    def cycle_ids_to(self, cycle: Cycle) -> list[int]:
        """The plan's cycles up to `cycle`, its own included (task_statuses: when a task was first done)."""
        return [c.pk for c in self.cycles if c.year <= cycle.year]

    def query(self, **extra) -> str:
        return urlencode({"plan": self.plan.pk, "year": self.year or "", **extra})


def resolve_scope(request) -> Scope:
    """Plan and cycle from the query string (two queries whatever the data)."""
    today = timezone.localdate()
    plans = Plan.objects.order_by("-issued_on", "-pk")
    # An id our own pages could have written, or none: the latest plan (a malformed ?plan= is not a missing plan).
    plan_id = parse_id(request.GET.get("plan"))
    plan = plans.filter(pk=plan_id).first() if plan_id is not None else plans.first()
    if plan is None:
        raise Http404(_("Chưa có kế hoạch nào."))
    cycles = list(Cycle.objects.filter(plan=plan).order_by("-year"))
    wanted = request.GET.get("year")
    cycle = next((c for c in cycles if wanted and str(c.year) == wanted), None)
    return Scope(plan=plan, cycle=cycle or default_cycle(cycles, today), cycles=cycles, today=today)


def default_cycle(cycles: Sequence[Cycle], today: datetime.date) -> Cycle | None:
    """The cycle a page shows when no year is asked for: this year's (or the latest before it), else the
    earliest; `cycles` newest first."""
    return next((c for c in cycles if c.year <= today.year), cycles[-1] if cycles else None)


class DashboardAccessMixin:
    """Signed in and allowed to see the dashboard; nothing on it changes data, so only GET/HEAD exist."""

    http_method_names: Sequence[str] = ["get", "head", "options"]
    section = ""
    request: HttpRequest

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        self.prepare_for_export(request)
        with one_version():  # every figure of the page of one version, read once
            return super().dispatch(request, *args, **kwargs)

    def prepare_for_export(self, request) -> None:
        """Access and scope: run for every request, and by the export worker for the requester (listing)."""
        if not can_view_dashboard(request.user):
            raise PermissionDenied
        self.scope = resolve_scope(request)

    def visible_expected(self, rows: QuerySet) -> QuerySet:
        """Expected reports (or rows with a rule_id) the reader may see: permissions.dashboard_scope."""
        return dashboard_scope(self.request.user, rows, rule="rule_id")

    def visible_submissions(self) -> QuerySet[Submission] | None:
        """The submissions whose content the reader's figures come from; None: all of them."""
        if sees_everything(self.request.user):
            return None
        return dashboard_scope(self.request.user, Submission.objects.all(), rule="rule_id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(scope=self.scope, section=self.section, scope_query=self.scope.query())
        return context


class ScopedFilterMixin:
    """Dashboard filter sets show the plan's years and default to the scope's cycle."""

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs.update(years=self.scope.years, default_year=self.scope.year)
        return kwargs
