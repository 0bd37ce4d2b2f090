"""The context of the consolidated report, built from the database in a fixed number of queries.

The query count does not grow with the number of agencies, submissions or tasks: everything is read in bulk
(tasks, assignments, accepted submissions, their task reports and documents) and assembled in Python.
Task statuses, the per-group counts, the summary line and the chart come from reports.dashboard.progress, the
code the dashboard uses, applied to accepted submissions only: the document says what the dashboard said.
Names printed in the document come from the record's snapshot when it has one, so a document already issued
keeps the names it was issued with.
"""

from __future__ import annotations

import base64
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from agencies.models import AgencyKind, in_name_order
from hptracker.text import clean_text, collation_key
from plans.models import AssignmentRole, ReportingRule
from reports.cycles.selectors import expected_submissions
from reports.dashboard import charts as dashboard_charts
from reports.dashboard.basis import FIGURE_STATUSES
from reports.dashboard.progress import (
    GroupProgress,
    TaskStatus,
    cycle_assignments,
    progress_by_group,
    task_statuses,
)
from reports.documents.pdf.dates import place_and_date, short_date
from reports.documents.pdf.header import (
    Header,
    Signature,
    keep_names_together,
    recipient_lines,
    roman,
    subject_from_rule,
)
from reports.documents.pdf.summary import consolidated_summary
from reports.documents.pdf.synthesis import EXCERPT_CHARS, GroupedList, text_excerpt, texts_grouped
from reports.models import Cycle, Progress, Submission, SubmissionStatus, TaskReport

# The consolidated report's figures come from accepted reports only: the basis the dashboard shares
# (reports.dashboard.basis), printed in both.
CONSOLIDATED = FIGURE_STATUSES
# The chart is drawn in the document's own bundled serif (static/fonts, also installed system-wide by .ci/run
# and the Dockerfile for the SVG renderer), its group labels wrapped rather than cut. It is drawn at the width
# of the text (A4 less 30 and 15 mm of margins: 165 mm, 623 CSS px) and printed at scale 1, so that its 12 px
# labels are 9 pt; drawn 760 px wide and squeezed into 78 mm of height, they had printed at 5.7 pt.
CHART_FONT = "Liberation Serif"
CHART_WRAP = 50
CHART_WIDTH_PX = 600


@dataclass
class TaskRow:
    code: str
    number: int
    text: str
    short_text: str
    lead: str
    co_operating: str
    deadline_text: str
    status: str
    progress_label: str
    # The body's synthesis: the lead agency's result, bounded (synthesis.text_excerpt), and how many reported.
    excerpt: str = ""
    excerpt_cut: bool = False
    excerpt_agency: str = ""
    co_reported: int = 0
    co_expected: int = 0
    # The appendix's "Kết quả thực hiện" cell: the progress each reporting agency gave, counted.
    progress_breakdown: str = ""
    note: str = ""


@dataclass
class GroupRows:
    number: int
    roman: str
    title: str
    tasks: list[TaskRow] = field(default_factory=list)

    def codes(self, status: str) -> list[str]:
        return [t.code for t in self.tasks if t.status == status]

    @property
    def counts_line(self) -> str:
        """ "5 nhiệm vụ: đã hoàn thành 2 (1.1, 1.4); quá hạn 1 (1.2); chưa có báo cáo 1 (1.5); …" """
        parts = []
        for status, label in TaskStatus.choices:
            codes = self.codes(status)
            if codes:
                listed = f" ({', '.join(codes)})" if status != TaskStatus.IN_PROGRESS else ""
                parts.append(f"{str(label).lower()} {len(codes)}{listed}")
        return _("%(n)d nhiệm vụ: %(parts)s.") % {"n": len(self.tasks), "parts": "; ".join(parts)}


def consolidated_charts(*, groups: list[GroupProgress]) -> list[str]:
    """The SVG charts printed in section II: the dashboard main page's progress chart, drawn by the same
    function from the same per-group counts (progress_by_group), so the picture is the dashboard's and costs
    no query."""
    return [dashboard_charts.group_progress_chart(groups, font=CHART_FONT, wrap_at=CHART_WRAP, width=CHART_WIDTH_PX)]


def svg_data_uri(svg: str) -> str:
    # As an <img>, a chart cannot restyle or script the document around it.
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _breakdown(lead_reports: list[TaskReport], co_reports: list[TaskReport]) -> str:
    """ "Chủ trì: đang thực hiện. Phối hợp: 12 đơn vị báo cáo (đã hoàn thành 3, đang thực hiện 9)." """

    def label(report: TaskReport) -> str:
        return str(Progress(report.progress).label).lower() if report.progress else _("chưa cập nhật")

    parts = []
    if lead_reports:
        parts.append(_("Chủ trì: %(progress)s.") % {"progress": "; ".join(label(r) for r in lead_reports)})
    if co_reports:
        counted: dict[str, int] = {}
        for report in co_reports:
            counted[label(report)] = counted.get(label(report), 0) + 1
        parts.append(
            _("Phối hợp: %(n)d đơn vị báo cáo (%(detail)s).")
            % {"n": len(co_reports), "detail": ", ".join(f"{k} {v}" for k, v in counted.items())}
        )
    return " ".join(parts)


def _replaces(snapshot: dict) -> dict | None:
    """The document a reissue replaces, as printed under the header ("Thay thế Báo cáo số … ngày …")."""
    replaced = snapshot.get("replaces")
    if not replaced:
        return None
    day = replaced.get("issued_on")
    return {"number": replaced["number"], "date": short_date(datetime.date.fromisoformat(day)) if day else ""}


def _names(agency, snapshot_names: dict) -> tuple[str, str]:
    saved = snapshot_names.get(str(agency.pk))
    if saved:
        return saved["name"], saved["short_name"]
    return agency.name, agency.short_name


# A cell lists at most this many agencies by name; the rest are counted (a commune-level plan has 114).
JOIN_LIMIT = 12


def _collective_phrases() -> dict[str, str]:
    return {
        str(AgencyKind.DISTRICT): _("UBND các quận, huyện"),
        str(AgencyKind.COMMUNE): _("UBND các xã, phường, đặc khu"),
    }


def _join(names: list[str], collective: dict[str, set[str]]) -> str:
    """All districts (all communes) are written as one phrase, as the plan itself does ("UBND các quận,
    huyện"); a list still longer than JOIN_LIMIT names its first agencies and counts the others."""
    phrases = _collective_phrases()
    for kind, members in collective.items():
        if members and members <= set(names):
            names = [n for n in names if n not in members] + [phrases[kind]]
    if len(names) > JOIN_LIMIT:
        rest = len(names) - JOIN_LIMIT
        names = names[:JOIN_LIMIT] + [_("%(n)d đơn vị khác") % {"n": rest}]
    return "; ".join(names)


def build_consolidated_context(
    *,
    cycle: Cycle,
    snapshot: dict,
    issued_on: datetime.date,
    number_text: str,
    charts: list[str] | None = None,
    draft: bool = False,
) -> dict:
    """Everything templates/pdf/consolidated_report.html prints. `snapshot` holds the issuer and signer
    (numbering.issuer_snapshot) and, after a first render, the agency names; it is completed here and returned
    as context["snapshot"] for the caller to store. Task statuses are those the dashboard shows on `issued_on`,
    counting accepted submissions only. A `draft` is marked "DỰ THẢO" on its first page."""
    cycle = Cycle.objects.select_related("plan").get(pk=cycle.pk)
    plan = cycle.plan
    snapshot = {**snapshot, "agencies": dict(snapshot.get("agencies", {}))}
    names = snapshot["agencies"]

    rule = ReportingRule.objects.filter(plan=plan, consolidates=True).first()
    lines = task_statuses(cycle=cycle, today=issued_on, statuses=CONSOLIDATED)
    progress_groups, summary = progress_by_group(lines)
    tasks = [line.task for line in lines]
    # Agencies in Vietnamese order (Agency.sort_name: "Đồ Sơn" among the D's), as every page lists them; the
    # cycle's units, as the coverage pages show them on `issued_on` (a past year's report names that year's).
    assignments = defaultdict(list)
    for a in (
        cycle_assignments(cycle=cycle, today=issued_on).select_related("agency").order_by(*in_name_order("agency__"))
    ):
        assignments[a.task_id].append(a)
    submissions = list(
        Submission.objects.filter(cycle=cycle, status=SubmissionStatus.ACCEPTED)
        .select_related("agency")
        .order_by(*in_name_order("agency__"))
    )
    by_task: dict[int, list[TaskReport]] = defaultdict(list)
    documents = defaultdict(list)
    for report in (
        TaskReport.objects.filter(submission__in=submissions)
        .select_related("submission__agency")
        .prefetch_related("documents")
        .order_by(*in_name_order("submission__agency__"), "task__group__number", "task__number")
    ):
        by_task[report.task_id].append(report)
        for doc in report.documents.all():
            documents[report.submission.agency_id].append(doc)
    expected = expected_submissions(cycle=cycle)
    # Received / missing and the basis by the definitions the dashboard counts with (pdf/summary.py).
    figures = consolidated_summary(cycle=cycle, issued_on=issued_on)
    arrived, basis = figures.arrived, figures.basis

    def short(agency) -> str:
        full, short_name = _names(agency, names)
        names[str(agency.pk)] = {"name": full, "short_name": short_name}
        return short_name

    def full(agency) -> str:
        short(agency)
        return names[str(agency.pk)]["name"]

    collective: dict[str, set[str]] = {
        str(kind): {short(e.agency) for e in expected if e.agency.kind == kind}
        for kind in (AgencyKind.DISTRICT, AgencyKind.COMMUNE)
    }
    groups: dict[int, GroupRows] = {}
    for line in lines:
        task = line.task
        group = groups.setdefault(
            task.group.number,
            GroupRows(number=task.group.number, roman=roman(task.group.number), title=clean_text(task.group.title)),
        )
        # The lead's report decides the status and gives the excerpt; co-operating agencies are counted, their
        # texts stay in their own reports.
        reports = sorted(by_task.get(task.pk, []), key=lambda r: (r.role != AssignmentRole.LEAD,))
        lead_reports = [r for r in reports if r.role == AssignmentRole.LEAD]
        co_reports = [r for r in reports if r.role != AssignmentRole.LEAD]
        source = next((r for r in reports if r.results.strip()), None)
        excerpt, cut = text_excerpt(text=source.results) if source else ("", False)
        if not reports:
            note = _("Chưa có báo cáo")
        elif line.nobody_reported:
            note = _("Cơ quan chủ trì chưa báo cáo; %(n)d đơn vị phối hợp báo cáo") % {"n": len(reports)}
        else:
            note = _("%(n)d đơn vị báo cáo") % {"n": len(reports)}
        group.tasks.append(
            TaskRow(
                code=task.code,
                number=task.number,
                text=clean_text(task.text),
                short_text=Truncator(clean_text(task.text)).words(30),
                lead=_join([short(a.agency) for a in assignments[task.pk] if a.role == AssignmentRole.LEAD], {}),
                co_operating=_join(
                    [short(a.agency) for a in assignments[task.pk] if a.role == AssignmentRole.CO_OPERATING],
                    collective,
                ),
                deadline_text=task.deadline_text or short_date(task.deadline),
                status=line.status,
                progress_label=line.status_label,
                excerpt=excerpt,
                excerpt_cut=cut,
                excerpt_agency=short(source.submission.agency) if source else "",
                co_reported=len(co_reports),
                co_expected=sum(1 for a in assignments[task.pk] if a.role == AssignmentRole.CO_OPERATING),
                progress_breakdown=_breakdown(lead_reports, co_reports),
                note=note,
            )
        )

    reporting_line = figures.reporting_line
    missing = sorted({full(e.agency) for e in expected if (e.agency.pk, e.rule.pk) not in arrived}, key=collation_key)

    def texts(attribute: str) -> GroupedList:
        return texts_grouped(items=((short(s.agency), getattr(s, attribute), "") for s in submissions))

    def task_texts(attribute: str) -> GroupedList:
        return texts_grouped(
            items=(
                (short(r.submission.agency), getattr(r, attribute), t.code)
                for t in tasks
                for r in by_task.get(t.pk, [])
            )
        )

    chart_svgs = charts if charts is not None else consolidated_charts(groups=progress_groups)
    issuer = snapshot["issuer"]
    header = Header(
        parent_body=keep_names_together(issuer["parent_body"]),
        issuer_name=keep_names_together(issuer["name"]),
        number_line=_("Số: %(number)s") % {"number": number_text},
        place_date=place_and_date(snapshot["place"], issued_on),
    )
    signer = snapshot["signer"]
    snapshot["issued_on"] = issued_on.isoformat()
    snapshot["document_number"] = number_text
    return {
        "snapshot": snapshot,
        "header": header,
        "subject": subject_from_rule(rule, cycle.year, plan),
        "addressee": snapshot["addressee"],
        "plan": plan,
        "cycle": cycle,
        "reporting_line": reporting_line,
        "missing_agencies": missing,
        # One line per kind of document (its title), naming who issued one and its number.
        "issued_documents": texts_grouped(
            items=(
                (f"{short(s.agency)} ({d.number} {_('ngày')} {short_date(d.issued_on)})", clean_text(d.title), "")
                for s in submissions
                for d in documents[s.agency_id]
            ),
            noun=_("văn bản"),
        ),
        "accepted_agencies": len(submissions),
        "groups": list(groups.values()),
        "summary": summary,
        "summary_line": summary.sentence(),
        "basis_line": basis.sentence(),
        "waiting_line": basis.waiting_line(),
        "charts": [svg_data_uri(svg) for svg in chart_svgs],
        "chart_svgs": chart_svgs,
        "synthesis_note": _(
            "Mỗi nhiệm vụ dưới đây nêu kết quả do cơ quan chủ trì báo cáo (trích, tối đa %(chars)d ký tự) và số đơn "
            "vị phối hợp đã báo cáo; tình hình từng nhiệm vụ xem Phụ lục I; toàn văn báo cáo của %(n)d đơn vị "
            "được tải về từ trang của văn bản này trên Cổng theo dõi."
        )
        % {"chars": EXCERPT_CHARS, "n": len(submissions)},
        "draft": draft,
        "replaces": _replaces(snapshot),
        "replaces_line": _("Thay thế Báo cáo số %(number)s ngày %(date)s.") % _replaces(snapshot)
        if snapshot.get("replaces")
        else "",
        "strengths": texts("assessment"),
        "shortcomings": texts("shortcomings"),
        "difficulties": task_texts("difficulties"),
        "directions": texts("directions"),
        "proposals": texts("proposals"),
        "task_proposals": task_texts("proposals"),
        "signature": Signature(
            authority=signer["authority"], prefix=signer["prefix"], title=signer["title"], name=signer["name"]
        ),
        "recipients": recipient_lines(snapshot["recipients"]),
        "appendix_title": _("Kết quả thực hiện các nhiệm vụ của %(type)s số %(number)s năm %(year)d")
        % {"type": plan.document_type, "number": plan.number, "year": cycle.year},
        "appendix_reference": _("(Kèm theo Báo cáo số %(number)s ngày %(date)s của %(issuer)s)")
        % {"number": number_text, "date": short_date(issued_on), "issuer": issuer["name"]},
    }
