"""django-filter filter sets of the dashboard's lists (agency kind, state, group, year…).

The year is a filter like the others, but most lists are built for one cycle (a subquery needs it): their views
take the year from the query string (views_dashboard.resolve_scope), and the filter only shows the choice.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from hptracker.text import tone_placement_variants
from plans.models import AssignmentRole
from reports.dashboard.lineage import Grouping
from reports.dashboard.progress import TaskStatus
from reports.dashboard.selectors import KindGroup, ReportState
from reports.models import Progress


def contains_any_spelling(value: str, *fields: str) -> Q:
    """Case-insensitive "contains" on any of `fields` that finds "Thủy Nguyên" whether typed or stored as
    "Thuỷ Nguyên".

    The words as typed and in small letters are tried first, exactly: PostgreSQL stops at the first alternative
    that holds, and UPPER() of a 2,000-character answer is most of a search's cost. A term most answers hold
    ("kinh phí" in 6,368 of a year's 6,368 national difficulties) was searched in 35 ms of SQL, now 10; a term
    no answer holds costs a fifth more (43 → 52 ms), each text being read exactly before it is folded. The rows
    found are the same: an exact match is a case-insensitive one."""
    variants = sorted(tone_placement_variants(value))  # one SQL text for one query, whatever the process
    exact = dict.fromkeys(spelling for variant in variants for spelling in (variant, variant.lower()))
    match = Q()
    for spelling in exact:
        for field in fields:
            match |= Q(**{f"{field}__contains": spelling})
    for variant in variants:
        for field in fields:
            match |= Q(**{f"{field}__icontains": variant})
    return match


class VietnameseContainsFilter(django_filters.CharFilter):
    def filter(self, qs: QuerySet, value):
        return qs.filter(contains_any_spelling(value, self.field_name)) if value else qs


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
    agency = VietnameseContainsFilter(label=_("Tên đơn vị"), field_name="agency__name")


class AgencyYearsFilter(KindFilterMixin, django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Loại đơn vị"), choices=KindGroup.choices, method="filter_kind", empty_label=_("Tất cả")
    )
    agency = VietnameseContainsFilter(label=_("Tên đơn vị"), field_name="agency__name")
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
