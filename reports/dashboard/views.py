"""The education department's consolidated dashboard (tổng hợp): thin views over `selectors`, `progress` and
`matrix`. Read-only for everyone: only GET and HEAD are served, a POST gets 405.

Scope: ?plan=<pk> (default: the latest plan issued) and ?year=<year> (default: the plan's latest cycle that has
started). Access: reports.permissions.can_view_dashboard; every query of every page and export is narrowed for
the reader by the one scope function, reports.permissions.dashboard_scope (a reviewer of a non-consolidating
agency reads only what is addressed to it).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from agencies.models import Agency, in_name_order
from hptracker.paging import ListRowsMixin, PageChosenByIds
from reports.dashboard import charts, filters, tables
from reports.dashboard.access import DashboardAccessMixin, ScopedFilterMixin
from reports.dashboard.basis import figures_basis
from reports.dashboard.figures_cache import kept_here, statement_key
from reports.dashboard.help import figure_help_texts
from reports.dashboard.lineage import Grouping, completeness_by_heirs
from reports.dashboard.listing import PAGINATION, TableExportMixin
from reports.dashboard.matrix import coverage_matrix
from reports.dashboard.progress import (
    coverage_cells,
    general_proposals,
    issues,
    progress_by_group,
    target_series,
    task_statuses,
    with_lead_names,
)
from reports.dashboard.selectors import (
    Completeness,
    FigureRow,
    ReportState,
    completeness_by_kind,
    expected_reports,
    years_and_agencies,
)
from reports.models import Cycle, Progress
from reports.permissions import dashboard_scope


class DashboardView(DashboardAccessMixin, TemplateView):
    """Main page: completeness of the cycle by family of agencies, progress by task group and its chart."""

    template_name = "reports/dashboard/index.html"
    section = "overview"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = self.scope
        if scope.cycle is None:
            return context
        rows = self.visible_expected(expected_reports(plan=scope.plan, cycle=scope.cycle, today=scope.today))
        total, families = completeness_by_kind(rows)
        visible = self.visible_submissions()
        groups, summary = progress_by_group(
            task_statuses(
                cycle=scope.cycle,
                today=scope.today,
                submissions=visible,
                earlier_cycles=scope.cycle_ids_to(scope.cycle),
            )
        )
        completeness = tables.CompletenessTable([*families, total])
        context.update(
            basis=figures_basis(cycle=scope.cycle, as_of=scope.today, submissions=visible),
            help_texts=figure_help_texts(),
            total=total,
            completeness_table=completeness,
            summary=summary,
            groups=groups,
            progress_svg=charts.group_progress_chart(groups),
        )
        return context


class ExpectedReportsView(
    DashboardAccessMixin, ScopedFilterMixin, TableExportMixin, ListRowsMixin, SingleTableMixin, FilterView
):
    """Every expected report of the cycle, filterable by family, state and name; exported as filtered."""

    template_name = "reports/dashboard/reports.html"
    table_class = tables.ExpectedReportTable
    filterset_class = filters.ExpectedReportFilter
    table_pagination = PAGINATION
    export_name = "bao-cao-phai-nop"
    export_title = _("Tình hình gửi báo cáo")
    section = "reports"
    # An expected report is one (agency, rule, cycle); its row's id is the agency's duty-item link, shared by
    # the rules the item owes.
    unique_order = ("agency_id", "rule_id", "cycle_id")

    def get_queryset(self):
        scope = self.scope
        if scope.cycle is None:
            return expected_reports(plan=scope.plan, today=scope.today).none()
        rows = expected_reports(plan=scope.plan, cycle=scope.cycle, today=scope.today)
        return self.visible_expected(rows).order_by(*in_name_order("agency__"))


class MissingReportsView(ExpectedReportsView):
    """Who has not reported yet (missing or returned), the longest overdue first."""

    table_class = tables.MissingReportTable
    export_name = "don-vi-chua-bao-cao"
    export_title = _("Đơn vị chưa báo cáo")
    section = "missing"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(state__in=[ReportState.MISSING, ReportState.RETURNED])
            .order_by("-days_late", *in_name_order("agency__"))
        )


class AgencyYearsView(DashboardAccessMixin, TableExportMixin, SingleTableMixin, FilterView):
    """Rates per year, and per agency across every cycle of the plan."""

    template_name = "reports/dashboard/years.html"
    table_class = tables.AgencyYearsTable
    filterset_class = filters.AgencyYearsFilter
    table_pagination = PAGINATION
    export_name = "ty-le-bao-cao-theo-don-vi"
    export_title = _("Qua các năm")
    section = "years"

    _tables: tuple[list[Completeness], list[FigureRow]] | None = None
    _visible: QuerySet | None = None

    def get_queryset(self):
        # The expected reports the reader may see; the filters (family, name) narrow them for the agency table.
        # Built once a request: the filter set and the counts both ask, and the query takes milliseconds to build.
        if self._visible is None:
            self._visible = self.visible_expected(expected_reports(plan=self.scope.plan, today=self.scope.today))
        return self._visible

    def counted(self) -> tuple[list[Completeness], list[FigureRow]]:
        """Both tables' figures from one counting statement: per year over every visible expected report (the
        filters belong to the agency table), per agency over the same rows, the family filter choosing among them
        afterwards (so every family shares one cached count), or over the rows a name filter keeps; by today's
        units over every visible one, the filters choosing among today's units afterwards
        (`completeness_by_heirs`)."""
        if self._tables is None:
            every = self.get_queryset()
            # By today's units the filters apply to today's units, later (`get_table_data`), not to these rows.
            family = "" if self.by_heirs else self._family_only()
            years, agencies = years_and_agencies(
                year_rows=None if self._exporting else every,
                agency_rows=self.object_list if family is None else every,
            )
            if family:
                # The family is a key of the count (kind_group, the same folding as the filter's: KindGroup): the
                # filtered table is the whole count's rows of that family, and every family shares one count.
                agencies = [row for row in agencies if row["kind_group"] == family]
            self._tables = (years, agencies)
        return self._tables

    def _family_only(self) -> str | None:
        """The family the agency table is filtered by ("" for none) when nothing else narrows it; None when the
        name filter does (or the form is invalid): then the filtered rows are counted apart."""
        form = self.filterset.form
        if not form.is_valid() or form.cleaned_data.get("agency"):
            return None
        return form.cleaned_data.get("kind") or ""

    @property
    def by_heirs(self) -> bool:
        """?group=today: by today's units (lineage); anything else by the units of the time (the default)."""
        return self.request.GET.get("group") == Grouping.TODAY

    def get_table_class(self):
        return tables.AgencyHeirsTable if self.by_heirs else self.table_class

    def get_table_data(self):
        if not self.by_heirs:
            return self.counted()[1]
        form = self.filterset.form
        if not form.is_valid():
            return []
        # Kind and name choose today's units (or the agencies counted under them), not the agencies of the time.
        day, kind, name = self.scope.today, form.cleaned_data.get("kind"), form.cleaned_data.get("agency")
        # Folded once per version of the figures (20 ms nationally), and per what else the rows depend on: the
        # expected reports the reader sees, the day (the successions in force), the filters, the language.
        key = ("by_heirs", statement_key(self.get_queryset()), day, kind, name, get_language())
        rows = kept_here(key, lambda: completeness_by_heirs(rows=self.counted()[1], day=day, kind=kind, name=name))
        return list(rows)  # shared by the version's readers: a list of its own for the table to sort

    def export_years(self) -> str:
        # Both tables count every cycle of the plan, whatever year the dashboard is on: "…-2021-2025", not "…-2025".
        years = self.scope.years
        return f"{min(years)}-{max(years)}" if years else "tat-ca"

    def get_export_filename(self, export_format: str) -> str:
        name = super().get_export_filename(export_format)
        return name.replace(self.export_name, f"{self.export_name}-don-vi-hien-nay", 1) if self.by_heirs else name

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["by_heirs"] = self.by_heirs
        context["years_table"] = tables.CompletenessTable(self.counted()[0])
        return context


class CoverageView(DashboardAccessMixin, TableExportMixin, SingleTableMixin, TemplateView):
    """The plan's tasks with their status in the cycle; tasks no lead agency reported on stand out."""

    template_name = "reports/dashboard/coverage.html"
    table_class = tables.TaskCoverageTable
    table_pagination = False
    export_name = "bao-phu-nhiem-vu"
    export_title = _("Nhiệm vụ")
    section = "coverage"

    def get_table_data(self):
        if not hasattr(self, "_lines"):  # the table is built twice on export: compute once
            self._lines = self._lines_for_form()
        return self._lines

    def _lines_for_form(self):
        scope = self.scope
        lines = (
            with_lead_names(
                task_statuses(
                    cycle=scope.cycle,
                    today=scope.today,
                    submissions=self.visible_submissions(),
                    earlier_cycles=scope.cycle_ids_to(scope.cycle),
                ),
                cycle=scope.cycle,
                today=scope.today,
            )
            if scope.cycle is not None
            else []
        )
        # The groups offered are those of the plan's task lines (each carries its group): no query of its own.
        groups = sorted({x.task.group.number for x in lines})
        data = self.request.GET.copy()
        data.setdefault("year", str(scope.year or ""))
        self.form = filters.TaskCoverageForm(data, years=scope.years, groups=groups)
        if scope.cycle is None or not self.form.is_valid():
            return []
        group, status = self.form.cleaned_data.get("group"), self.form.cleaned_data.get("status")
        # A filter over the plan's 42 task lines, already computed: nothing is gained by asking the database.
        return [x for x in lines if (not group or x.task.group.number == group) and (not status or x.status == status)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.form
        context["nobody"] = sum(1 for x in self.get_table_data() if x.nobody_reported)
        return context


class CoverageCellsView(
    DashboardAccessMixin, ScopedFilterMixin, TableExportMixin, ListRowsMixin, SingleTableMixin, FilterView
):
    """The task × agency matrix in long form: who reported what on each task they are responsible for."""

    template_name = "reports/dashboard/coverage_cells.html"
    table_class = tables.CoverageCellTable
    filterset_class = filters.CoverageCellFilter
    table_pagination = PAGINATION
    export_name = "phan-cong-va-bao-cao"
    export_title = _("Phân công và báo cáo")
    section = "cells"

    def get_queryset(self):
        if self.scope.cycle is None:
            return coverage_cells(cycle=Cycle(pk=0, plan=self.scope.plan, year=1), today=self.scope.today).none()
        cells = coverage_cells(cycle=self.scope.cycle, today=self.scope.today)
        return dashboard_scope(self.request.user, cells, agency="agency_id")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        # No query string at all: django-filter passes None, not an empty QueryDict.
        data = kwargs["data"].copy() if kwargs["data"] is not None else QueryDict(mutable=True)
        # Lead agencies by default: they decide a task's status, and there are thousands of co-operating rows.
        data.setdefault("role", "lead")
        kwargs["data"] = data
        return kwargs


class IssuesView(
    DashboardAccessMixin, ScopedFilterMixin, TableExportMixin, ListRowsMixin, SingleTableMixin, FilterView
):
    """Difficulties and proposals from task reports, by task group, each linked to its report."""

    template_name = "reports/dashboard/issues.html"
    table_class = tables.IssueTable
    filterset_class = filters.IssueFilter
    table_pagination = PAGINATION
    export_name = "kho-khan-de-xuat"
    export_title = _("Khó khăn, đề xuất")
    section = "issues"
    rows_class = PageChosenByIds  # answers of up to 2,000 characters: read whole for the page only

    def get_queryset(self):
        return dashboard_scope(self.request.user, issues(plan=self.scope.plan), rule="submission__rule_id")

    def get_table_kwargs(self):
        # The search text as the filter applied it: a long answer whose match is past its beginning shows open.
        form = self.filterset.form
        searched = (form.cleaned_data.get("text") or "") if form.is_valid() else ""
        return {**super().get_table_kwargs(), "searched": searched}


class ProposalsView(IssuesView):
    """Proposals for the report as a whole (kiến nghị, đề xuất sửa đổi, bổ sung kế hoạch)."""

    table_class = tables.ProposalTable
    filterset_class = filters.ProposalFilter
    export_name = "kien-nghi-chung"
    export_title = _("Kiến nghị chung")
    section = "proposals"

    def get_queryset(self):
        return dashboard_scope(self.request.user, general_proposals(plan=self.scope.plan), rule="rule_id")


class TargetsView(DashboardAccessMixin, TableExportMixin, SingleTableMixin, TemplateView):
    """Reported values of each target year by year against its target, as charts and a table."""

    template_name = "reports/dashboard/targets.html"
    table_class = tables.TargetTable
    table_pagination = False
    export_name = "chi-tieu"
    export_title = _("Chỉ tiêu")
    section = "targets"

    def get_table_data(self):
        self.series = getattr(self, "series", None) or target_series(
            plan=self.scope.plan, submissions=self.visible_submissions()
        )
        return [
            {
                "name": s.target.name,
                "year": p.year,
                "value": p.value,
                "reporters": p.reporters,
                "low": p.low,
                "high": p.high,
                "target": s.target.target_value,
                "met": s.target.is_met_by(p.value),
            }
            for s in self.series
            for p in s.points
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["charts"] = [
            charts.target_chart(
                title=s.target.name,
                unit=s.target.unit,
                points=[(p.year, p.value) for p in s.points],
                target=s.target.target_value,
                target_label=_("Mục tiêu %(year)s: %(value)s%(unit)s")
                % {
                    "year": s.target.target_year,
                    "value": charts.format_number(float(s.target.target_value)),
                    "unit": s.target.unit,
                },
            )
            for s in self.series
        ]
        return context


class CoverageMatrixView(DashboardAccessMixin, TemplateView):
    """The task × agency coverage matrix (see `matrix`)."""

    template_name = "reports/dashboard/matrix.html"
    section = "matrix"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cycle = self.scope.cycle
        columns = dashboard_scope(self.request.user, Agency.objects.all(), agency="pk")
        context["matrix"] = coverage_matrix(cycle=cycle, today=self.scope.today, visible=columns) if cycle else None
        context["progress_labels"] = dict(Progress.choices)
        return context
