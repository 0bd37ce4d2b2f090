"""The coverage matrix page of the dashboard (see selectors_matrix)."""

from __future__ import annotations

from django.views.generic import TemplateView

from reports.models import Progress
from reports.selectors_matrix import coverage_matrix
from reports.views_dashboard import DashboardAccessMixin


class CoverageMatrixView(DashboardAccessMixin, TemplateView):
    template_name = "reports/dashboard/matrix.html"
    section = "matrix"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cycle = self.scope.cycle
        context["matrix"] = coverage_matrix(cycle=cycle) if cycle else None
        context["progress_labels"] = dict(Progress.choices)
        return context
