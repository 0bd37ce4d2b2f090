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
from hptracker.formatting import format_count, format_decimal, format_rate, round_half_up
from hptracker.text import fold_for_matching
from reports.dashboard.progress import TaskStatus
from reports.dashboard.selectors import KindGroup, ReportState
from reports.models import Progress, SubmissionStatus

GRID = {"class": "grid"}
# What a list says when nothing matches (a table with headers and no row said nothing at all).
NOTHING_LISTED = _("Không có dòng nào. Hãy bỏ bớt điều kiện lọc hoặc chọn năm khác.")


def report_url(submission_id: int | None) -> str:
    return reverse("reports:submission_detail", args=[submission_id]) if submission_id else ""


class ReportLinkColumn(tables.Column):
    """ "Xem báo cáo" pointing at the submission whose id is the column's value; empty when there is none."""

    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", _("Báo cáo"))
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("exclude_from_export", True)
        kwargs.setdefault("empty_values", (None, ""))
        super().__init__(**kwargs)

    def render(self, value):
        return format_html('<a href="{}">{}</a>', report_url(value), _("Xem báo cáo"))


class DayColumn(tables.Column):
    """A date as 30/11/2025, on the page and in the export. django-tables2's DateColumn renders a template for
    each cell: 50 of them were a fifth of the reports page's time."""

    def render(self, value):
        return value.strftime("%d/%m/%Y")

    def value(self, value):
        return value.strftime("%d/%m/%Y") if value else ""


class NumberColumn(tables.Column):
    """A mean or a reported value: hptracker.formatting on the page (half up, decimal comma), the rounded number in
    the export."""

    def render(self, value):
        return format_decimal(value)

    def value(self, value):
        return round_half_up(value) if value is not None else ""


class CountColumn(tables.Column):
    """A count, right-aligned, its thousands grouped on the page (hptracker.formatting: 1.385.900); the number in the
    export."""

    def __init__(self, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}})
        super().__init__(**kwargs)

    def render(self, value):
        return format_count(value)

    def value(self, value):
        return value


class RateColumn(tables.Column):
    """A percentage, rounded half up and written by hptracker.formatting at one decimal (the page's words and the
    export's number are the same figure)."""

    def render(self, value):
        return format_rate(value)

    def value(self, value):
        return round_half_up(value) if value is not None else ""


# A reporter's answer longer than CLIP_OVER characters shows its first CLIP_LEAD (cut between words) and the rest
# behind "Xem toàn văn"; shortening 420 characters to 300 would hide nothing worth hiding.
CLIP_LEAD, CLIP_OVER = 300, 450


def answer_lead(text: str) -> str:
    """The first CLIP_LEAD characters of `text`, cut at the last blank before them (a whole word last), without the
    punctuation a cut leaves hanging."""
    lead = text[:CLIP_LEAD]
    blank = max(lead.rfind(" "), lead.rfind("\n"))
    if blank > CLIP_LEAD // 2:
        lead = lead[:blank]
    return lead.rstrip(" \n,.;:-–")


class AnswerColumn(tables.Column):
    """What a reporter wrote (difficulties, proposals): free text, often 2,000 characters. On the page a long answer
    shows its beginning and opens in place ("Xem toàn văn", a <details>: no script, announced by screen readers as
    a collapsed button); fifty answers in full made one page of the difficulties list 29,000 px tall. The page
    keeps the writer's line breaks (td.text). When the list is searched (`table.searched`) an answer whose match is
    in the hidden part is shown open, so the reader sees why the row is there. The export keeps every answer
    whole."""

    def __init__(self, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "text"}})
        super().__init__(**kwargs)

    def render(self, value, table):
        if len(value) <= CLIP_OVER:
            return value
        lead = answer_lead(value)
        searched = getattr(table, "searched", "")
        match_hidden = (
            bool(searched) and searched not in fold_for_matching(lead) and searched in fold_for_matching(value)
        )
        return format_html(
            '<div class="answer"><p class="lead">{}…</p><details{}><summary>'
            '<span class="when-closed">{}</span><span class="when-open">{}</span></summary>'
            '<div class="full">{}</div></details></div>',
            lead,
            " open" if match_hidden else "",
            _("Xem toàn văn"),
            _("Thu gọn"),
            value,
        )

    def value(self, value):
        return value


class SearchedTable(tables.Table):
    """A list of answers with its search text (the filter's "Nội dung có chứa"), folded once for AnswerColumn
    (case and tone placement, as the filter matches)."""

    def __init__(self, *args, searched: str = "", **kwargs):
        self.searched = fold_for_matching(searched)
        super().__init__(*args, **kwargs)


class YesNoColumn(tables.BooleanColumn):
    """A yes/no column whose export is the word the page shows (Đạt / Chưa đạt), never True/False."""

    def value(self, record, value, bound_column):
        return str(self.yesno[0] if self._get_bool_value(record, value, bound_column) else self.yesno[1])


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

    def render_agency__name(self, value, record):
        # An aggregate row: it links to the agency's reports, year by year.
        url = reverse("reports:dashboard_reports") + f"?agency={value}&year="
        return format_html('<a href="{}">{}</a>', url, value)

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
    lead_reports = CountColumn(verbose_name=_("Số báo cáo của cơ quan chủ trì"))
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
    reported_progress = tables.Column(verbose_name=_("Tiến độ báo cáo"), default=_("Chưa báo cáo"))
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
        return Progress(value).label if value in Progress.values else value

    def value_reported_progress(self, value):
        return str(Progress(value).label) if value in Progress.values else str(value)

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
