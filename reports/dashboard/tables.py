"""django-tables2 tables of the dashboard. Headers are the Vietnamese verbose names, also in CSV and XLSX.

Each row links to the underlying report (reports:submission_detail); in exports the link column is left out and
the text stays.
"""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from agencies.models import in_name_order
from hptracker.text import fold_for_matching
from reports.dashboard.columns import (
    AnswerColumn,
    CountColumn,
    DayColumn,
    NumberColumn,
    RateColumn,
    ReportLinkColumn,
    YesNoColumn,
)
from reports.dashboard.progress import TaskStatus
from reports.dashboard.selectors import KindGroup, ReportState
from reports.models import Progress, SubmissionStatus

GRID = {"class": "grid"}
# What a list says when nothing matches (a table with headers and no row said nothing at all).
NOTHING_LISTED = _("Không có dòng nào. Hãy bỏ bớt điều kiện lọc hoặc chọn năm khác.")
# The agency tables of the years page count every year: they have no year to choose.
NOTHING_IN_ANY_YEAR = _("Không có dòng nào. Hãy bỏ bớt điều kiện lọc.")


class SearchedTable(tables.Table):
    """A list of answers with its search text (the filter's "Nội dung có chứa"), folded once for AnswerColumn
    (case and tone placement, as the filter matches)."""

    def __init__(self, *args, searched: str = "", **kwargs):
        self.searched = fold_for_matching(searched)
        super().__init__(*args, **kwargs)


class ExpectedReportTable(tables.Table):
    """One expected report of a cycle (rows of `expected_reports`)."""

    agency = tables.Column(
        verbose_name=_("Cơ quan, đơn vị"), accessor="agency__name", order_by=in_name_order("agency__")
    )
    kind_group = tables.Column(verbose_name=_("Loại đơn vị"))
    year = tables.Column(verbose_name=_("Năm"))
    due_on = DayColumn(verbose_name=_("Hạn gửi"))
    state = tables.Column(verbose_name=_("Tình trạng"))
    days_late = CountColumn(verbose_name=_("Số ngày chậm"))
    submission_id = ReportLinkColumn()

    class Meta:
        attrs = GRID
        empty_text = NOTHING_LISTED
        orderable = True
        row_attrs = {"class": lambda record: f"state-{record.state}"}
        fields = ()

    def render_kind_group(self, value):
        return KindGroup.labels.get(value, value)

    def value_kind_group(self, value):
        return str(KindGroup.labels.get(value, value))

    def render_state(self, value):
        return format_html('<span class="badge {}">{}</span>', value, ReportState.labels.get(value, value))

    def value_state(self, value):
        return str(ReportState.labels.get(value, value))


class MissingReportTable(ExpectedReportTable):
    """Who has not reported yet: missing or returned, latest deadline first, with days of delay to today."""

    class Meta(ExpectedReportTable.Meta):
        sequence = ("agency", "kind_group", "state", "days_late", "due_on", "year", "submission_id")
        empty_text = _("Không có báo cáo nào còn thiếu với điều kiện lọc này.")


class CompletenessColumns(tables.Table):
    """The DHIS2 figures every completeness table shows, after its own label columns."""

    expected = CountColumn(verbose_name=_("Phải báo cáo"))
    submitted = CountColumn(verbose_name=_("Đã gửi"))
    on_time = CountColumn(verbose_name=_("Đúng hạn"))
    late = CountColumn(verbose_name=_("Muộn"))
    returned = CountColumn(verbose_name=_("Trả lại"))
    missing = CountColumn(verbose_name=_("Chưa gửi"))
    reporting_rate = RateColumn(verbose_name=_("Tỷ lệ báo cáo"), attrs={"td": {"class": "num"}})
    on_time_rate = RateColumn(verbose_name=_("Tỷ lệ đúng hạn"), attrs={"td": {"class": "num"}})

    class Meta:
        attrs = GRID
        empty_text = NOTHING_LISTED


class CompletenessTable(CompletenessColumns):
    """Lines of `Completeness` (the whole plan, a family of agencies, a year)."""

    label = tables.Column(verbose_name=_("Phạm vi"))

    class Meta(CompletenessColumns.Meta):
        orderable = False
        sequence = ("label", "...")


class AgencyYearsTable(CompletenessColumns):
    """Per agency across every cycle (dict rows of `agency_completeness`)."""

    # Sorted by the Vietnamese order of the names (rows' sort_name), not by code points.
    agency__name = tables.Column(verbose_name=_("Cơ quan, đơn vị"), order_by=("sort_name",))
    kind_group = tables.Column(verbose_name=_("Loại đơn vị"))

    class Meta(CompletenessColumns.Meta):
        sequence = ("agency__name", "kind_group", "...")
        empty_text = NOTHING_IN_ANY_YEAR

    def render_agency__name(self, value, record):
        # The row counts every cycle: it links to the agency's page, which lists its reports of every cycle (a
        # search of the reports list by name opened one year, and found every agency whose name contains this one).
        return format_html('<a href="{}">{}</a>', reverse("reports:agency_detail", args=[record["agency_id"]]), value)

    def value_agency__name(self, value):
        return value  # the link is the page's; the file holds the name

    def render_kind_group(self, value):
        return KindGroup.labels.get(value, value)

    def value_kind_group(self, value):
        return str(KindGroup.labels.get(value, value))


class AgencyHeirsTable(CompletenessColumns):
    """The same figures by today's units (dict rows of `lineage.completeness_by_heirs`): a split agency's reports
    once, under the set of units that succeeded it, the row marked as inherited."""

    units = tables.Column(verbose_name=_("Đơn vị hiện nay"), order_by=("sort_name",))
    kind_group = tables.Column(verbose_name=_("Loại đơn vị"))
    predecessors = tables.Column(verbose_name=_("Kế thừa báo cáo của"), default="—")

    class Meta(CompletenessColumns.Meta):
        sequence = ("units", "kind_group", "predecessors", "...")
        empty_text = NOTHING_IN_ANY_YEAR
        row_attrs = {"class": lambda record: "inherited" if record["inherited"] else ""}

    def render_units(self, record):
        # Each unit's page lists its own reports and those of the agencies it took over from.
        return format_html_join(
            "; ",
            '<a href="{}">{}</a>',
            ((reverse("reports:agency_detail", args=[h.pk]), h.label) for h in record["heirs"]),
        )

    def value_units(self, value):
        return value

    def value_predecessors(self, value):
        return value or ""


class TaskCoverageTable(tables.Table):
    """Tasks of the plan with their status (TaskLine rows); a task no lead reported on stands out."""

    code = tables.Column(verbose_name=_("STT"), accessor="task__code", order_by=("task__group__number", "task__number"))
    text = tables.Column(verbose_name=_("Nội dung nhiệm vụ"), accessor="task__text", attrs={"td": {"class": "text"}})
    leads = tables.Column(verbose_name=_("Cơ quan chủ trì"), accessor="lead_names", orderable=False)
    lead_reports = CountColumn(verbose_name=_("Số báo cáo đã chấp nhận của cơ quan chủ trì"))
    status = tables.Column(verbose_name=_("Tình trạng"))
    done_on_time = YesNoColumn(verbose_name=_("Hoàn thành đúng hạn"), yesno=(_("Có"), _("Không")))

    class Meta:
        attrs = GRID
        empty_text = NOTHING_LISTED
        row_attrs = {"class": lambda record: "nobody" if record.nobody_reported else f"task-{record.status}"}

    def render_leads(self, value):
        return ", ".join(value) or "—"

    def value_leads(self, value):
        return ", ".join(value)

    def render_status(self, value):
        return format_html('<span class="badge {}">{}</span>', value, TaskStatus.labels.get(value, value))

    def value_status(self, value):
        return str(TaskStatus.labels.get(value, value))


class CoverageCellTable(tables.Table):
    """Each current task assignment with what that agency reported on the task in the cycle."""

    code = tables.Column(verbose_name=_("STT"), accessor="task__code", order_by=("task__group__number", "task__number"))
    task = tables.Column(
        verbose_name=_("Nội dung nhiệm vụ"), accessor="task__text", orderable=False, attrs={"td": {"class": "text"}}
    )
    agency = tables.Column(
        verbose_name=_("Cơ quan, đơn vị"), accessor="agency__name", order_by=in_name_order("agency__")
    )
    role = tables.Column(verbose_name=_("Vai trò"))
    # Empty is a state here ("Chưa báo cáo"), written in the export as on the page: a spreadsheet filtered on it
    # finds the rows (django-tables2 leaves an empty cell blank in an export unless the column takes empty values).
    reported_progress = tables.Column(verbose_name=_("Tiến độ báo cáo"), empty_values=())
    submission_status = tables.Column(verbose_name=_("Trạng thái báo cáo"), default="—")
    submission_id = ReportLinkColumn()

    class Meta:
        attrs = GRID
        empty_text = NOTHING_LISTED
        row_attrs = {"class": lambda record: "" if record.reported_progress else "nobody"}

    def render_task(self, value):
        return value if len(value) <= 160 else value[:159] + "…"

    def value_task(self, value):
        return value  # the page shortens the text to keep rows readable; the file keeps it whole

    def render_reported_progress(self, value):
        if not value:
            return _("Chưa báo cáo")
        return Progress(value).label if value in Progress.values else value

    def value_reported_progress(self, value):
        return str(self.render_reported_progress(value))

    def render_submission_status(self, value):
        return SubmissionStatus(value).label if value in SubmissionStatus.values else value

    def value_submission_status(self, value):
        return str(self.render_submission_status(value))


class IssueTable(SearchedTable):
    """Difficulties and proposals of task reports, grouped by task group."""

    year = tables.Column(verbose_name=_("Năm"), accessor="submission__cycle__year")
    group = tables.Column(verbose_name=_("Nhóm"), accessor="task__group__number")
    code = tables.Column(
        verbose_name=_("Nhiệm vụ"), accessor="task__code", order_by=("task__group__number", "task__number")
    )
    agency = tables.Column(
        verbose_name=_("Cơ quan, đơn vị"),
        accessor="submission__agency__name",
        order_by=in_name_order("submission__agency__"),
    )
    difficulties = AnswerColumn(verbose_name=_("Khó khăn, vướng mắc"))
    proposals = AnswerColumn(verbose_name=_("Đề xuất, kiến nghị"))
    submission_id = ReportLinkColumn(accessor="submission_id")

    class Meta:
        attrs = GRID
        empty_text = NOTHING_LISTED


class ProposalTable(SearchedTable):
    """Proposals for the report as a whole (Submission.proposals)."""

    year = tables.Column(verbose_name=_("Năm"), accessor="cycle__year")
    agency = tables.Column(
        verbose_name=_("Cơ quan, đơn vị"), accessor="agency__name", order_by=in_name_order("agency__")
    )
    proposals = AnswerColumn(verbose_name=_("Kiến nghị, đề xuất"))
    status = tables.Column(verbose_name=_("Trạng thái báo cáo"))
    pk = ReportLinkColumn(accessor="pk")

    class Meta:
        attrs = GRID
        empty_text = NOTHING_LISTED

    def value_status(self, record):
        return str(record.get_status_display())

    def render_status(self, record):
        return record.get_status_display()


class TargetTable(tables.Table):
    """Reported target values by year (rows: dicts from the targets view)."""

    name = tables.Column(verbose_name=_("Chỉ tiêu"))
    year = tables.Column(verbose_name=_("Năm"))
    value = NumberColumn(verbose_name=_("Giá trị bình quân báo cáo"), attrs={"td": {"class": "num"}})
    reporters = CountColumn(verbose_name=_("Số đơn vị báo cáo"))
    low = NumberColumn(verbose_name=_("Thấp nhất"), attrs={"td": {"class": "num"}})
    high = NumberColumn(verbose_name=_("Cao nhất"), attrs={"td": {"class": "num"}})
    target = NumberColumn(verbose_name=_("Mục tiêu"), attrs={"td": {"class": "num"}})
    met = YesNoColumn(verbose_name=_("Đạt mục tiêu"), yesno=(_("Đạt"), _("Chưa đạt")))

    class Meta:
        attrs = GRID
        empty_text = NOTHING_LISTED
