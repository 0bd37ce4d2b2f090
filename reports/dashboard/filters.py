"""django-filter filter sets of the dashboard's lists (agency kind, state, group, year…).

The year is a filter like the others, but most lists are built for one cycle (a subquery needs it): their views
take the year from the query string (views_dashboard.resolve_scope), and the filter only shows the choice.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from hptracker.search import VietnameseContainsFilter, contains_any_spelling
from plans.models import AssignmentRole
from reports.dashboard.lineage import Grouping
from reports.dashboard.progress import TaskStatus
from reports.dashboard.selectors import KindGroup, ReportState
from reports.models import Progress


class DashboardFilterSet(django_filters.FilterSet):
    """Every dashboard filter set has a year; `years` (newest first) and `default_year` come from the view."""

    year = django_filters.TypedChoiceFilter(label=_("Năm"), coerce=int, empty_value=None, method="filter_year")

    def __init__(self, data=None, *args, years: list[int] | None = None, default_year: int | None = None, **kwargs):
        years = years or []
        # A first visit has no query string at all: the year shown selected must be the year listed.
        if default_year is not None and (data is None or not data.get("year")):
            data = data.copy() if data is not None else QueryDict(mutable=True)
            data["year"] = str(default_year)
        super().__init__(data, *args, **kwargs)
        self.filters["year"].extra["choices"] = [(y, str(y)) for y in years]
        for name, filter_ in self.filters.items():
            if name != "year" and isinstance(filter_, django_filters.ChoiceFilter):
                filter_.extra.setdefault("empty_label", _("Tất cả"))

    def filter_year(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset  # the view builds the cycle's rows from `self.year`


class KindFilterMixin:
    """The family filter on the agency's own (indexed) kind, never on the CASE that labels it: PostgreSQL cannot
    estimate a CASE and plans nested loops over every duty item (5,4 s instead of 76 ms nationally)."""

    def filter_kind(self, queryset, name, value):
        return queryset.filter(KindGroup.q("agency__kind", value))


class ExpectedReportFilter(KindFilterMixin, DashboardFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Loại đơn vị"), choices=KindGroup.choices, method="filter_kind")
    state = django_filters.ChoiceFilter(label=_("Tình trạng"), choices=ReportState.choices, field_name="state")
    agency = VietnameseContainsFilter(
        label=_("Tên đơn vị"), field_name="agency__name", folded_field="agency__sort_name"
    )


class AgencyYearsFilter(KindFilterMixin, django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Loại đơn vị"), choices=KindGroup.choices, method="filter_kind", empty_label=_("Tất cả")
    )
    agency = VietnameseContainsFilter(
        label=_("Tên đơn vị"), field_name="agency__name", folded_field="agency__sort_name"
    )
    # Not a filter: how the rows are grouped (the view reads it; by today's units it groups in `lineage`).
    group = django_filters.ChoiceFilter(
        label=_("Nhóm theo"), choices=Grouping.choices, method="keep_rows", empty_label=None
    )

    def keep_rows(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset


class CoverageCellFilter(KindFilterMixin, DashboardFilterSet):
    group = django_filters.NumberFilter(label=_("Nhóm nhiệm vụ"), field_name="task__group__number")
    role = django_filters.ChoiceFilter(label=_("Vai trò"), choices=AssignmentRole.choices)
    kind = django_filters.ChoiceFilter(label=_("Loại đơn vị"), choices=KindGroup.choices, method="filter_kind")
    reported = django_filters.ChoiceFilter(
        label=_("Đã báo cáo"), method="filter_reported", choices=[("yes", _("Đã báo cáo")), ("no", _("Chưa báo cáo"))]
    )
    progress = django_filters.ChoiceFilter(label=_("Tiến độ"), choices=Progress.choices, field_name="reported_progress")

    def filter_reported(self, queryset, name, value):
        return queryset.filter(reported_progress__isnull=(value == "no"))


class IssueFilter(DashboardFilterSet):
    year = django_filters.TypedChoiceFilter(
        label=_("Năm"), coerce=int, empty_value=None, field_name="submission__cycle__year"
    )
    group = django_filters.NumberFilter(label=_("Nhóm nhiệm vụ"), field_name="task__group__number")
    kind = django_filters.ChoiceFilter(label=_("Loại đơn vị"), choices=KindGroup.choices, method="filter_kind")
    status = django_filters.ChoiceFilter(
        label=_("Trạng thái báo cáo"),
        field_name="submission__status",
        choices=[("submitted", _("Đã gửi")), ("accepted", _("Đã chấp nhận")), ("returned", _("Bị trả lại"))],
    )
    text = django_filters.CharFilter(label=_("Nội dung có chứa"), method="filter_text")

    def filter_kind(self, queryset, name, value):
        return queryset.filter(KindGroup.q("submission__agency__kind", value))

    def filter_text(self, queryset, name, value):
        return queryset.filter(contains_any_spelling(value, "difficulties", "proposals"))


class ProposalFilter(DashboardFilterSet):
    year = django_filters.TypedChoiceFilter(label=_("Năm"), coerce=int, empty_value=None, field_name="cycle__year")
    kind = django_filters.ChoiceFilter(label=_("Loại đơn vị"), choices=KindGroup.choices, method="filter_kind")
    text = VietnameseContainsFilter(label=_("Nội dung có chứa"), field_name="proposals")

    def filter_kind(self, queryset, name, value):
        return queryset.filter(KindGroup.q("agency__kind", value))


class TaskCoverageForm(forms.Form):
    """Filters of the task list (42 tasks, computed in `task_statuses`): a plain form over a short list."""

    year = forms.TypedChoiceField(label=_("Năm"), coerce=int, required=False)
    group = forms.TypedChoiceField(label=_("Nhóm nhiệm vụ"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("Tình trạng"), required=False, choices=[("", _("Tất cả")), *TaskStatus.choices])

    def __init__(self, *args, years: list[int], groups: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        year, group = self.fields["year"], self.fields["group"]
        assert isinstance(year, forms.ChoiceField) and isinstance(group, forms.ChoiceField)
        year.choices = [(y, str(y)) for y in years]
        group.choices = [("", _("Tất cả")), *[(g, str(g)) for g in groups]]
