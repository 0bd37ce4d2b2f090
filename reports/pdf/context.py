"""The context of the consolidated report, built from the database in a fixed number of queries.

The query count does not grow with the number of agencies, submissions or tasks: everything is read in bulk
(tasks, assignments, accepted submissions, their task reports and documents) and assembled in Python.
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

from agencies.models import AgencyKind
from plans.models import AssignmentRole, ReportingRule, Task, TaskAssignment
from plans.text import clean_text
from reports.models import Cycle, Progress, Submission, SubmissionStatus, TaskReport
from reports.pdf.dates import place_and_date, short_date
from reports.pdf.header import (
    Header,
    Signature,
    format_percent,
    paragraphs,
    recipient_lines,
    roman,
    subject_from_rule,
)
from reports.services.cycles import expected_submissions

# Least advanced first: when the lead agency has not reported a task, the task is as far as its slowest report.
PROGRESS_ORDER = [Progress.NOT_STARTED, Progress.PAUSED, Progress.IN_PROGRESS, Progress.ONGOING, Progress.DONE]


@dataclass
class AgencyText:
    agency: str
    paragraphs: list[str]


@dataclass
class TaskRow:
    code: str
    number: int
    text: str
    short_text: str
    lead: str
    co_operating: str
    deadline_text: str
    progress: str | None
    overdue: bool
    progress_label: str
    results: list[AgencyText] = field(default_factory=list)
    note: str = ""


@dataclass
class GroupRows:
    number: int
    roman: str
    title: str
    tasks: list[TaskRow] = field(default_factory=list)
    # Per chart status (done, in_progress, not_started, overdue, no_report): the dashboard chart's categories.
    chart_counts: dict[str, int] = field(default_factory=dict)


def consolidated_charts(*, groups: list[GroupRows]) -> list[str]:
    """HOOK: the SVG charts printed in section II, as a list of SVG documents (strings). The pictures come from
    the dashboard's reports/charts.py (pure functions), fed with the figures this report computed, so the
    chart and the table can never disagree and cost no query. Without that module the report has no charts."""
    try:
        from reports import charts
    except ImportError:
        return []
    rows = [(f"{g.number}. {g.title}", g.chart_counts) for g in groups]
    return [charts.progress_chart(rows, title=_("Tiến độ thực hiện nhiệm vụ theo nhóm"))]


def svg_data_uri(svg: str) -> str:
    # As an <img>, a chart cannot restyle or script the document around it.
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _names(agency, snapshot_names: dict) -> tuple[str, str]:
    saved = snapshot_names.get(str(agency.pk))
    if saved:
        return saved["name"], saved["short_name"]
    return agency.name, agency.short_name


def _consolidate_progress(reports: list[TaskReport]) -> str | None:
    lead = [r.progress for r in reports if r.role == AssignmentRole.LEAD and r.progress]
    if lead:
        return lead[0]
    reported = [r.progress for r in reports if r.progress]
    return min(reported, key=PROGRESS_ORDER.index) if reported else None


def _join(names: list[str], district_names: set[str]) -> str:
    """All districts are written as one phrase, as the plan itself does ("UBND các quận, huyện")."""
    if district_names and district_names <= set(names):
        names = [n for n in names if n not in district_names] + [_("UBND các quận, huyện")]
    return "; ".join(names)


def build_consolidated_context(*, cycle: Cycle, snapshot: dict, issued_on: datetime.date,
                               number_text: str, charts: list[str] | None = None) -> dict:
    """Everything templates/pdf/consolidated_report.html prints. `snapshot` holds the issuer and signer
    (numbering.issuer_snapshot) and, after a first render, the agency names; it is completed here and returned
    as context["snapshot"] for the caller to store."""
    cycle = Cycle.objects.select_related("plan").get(pk=cycle.pk)
    plan = cycle.plan
    snapshot = {**snapshot, "agencies": dict(snapshot.get("agencies", {}))}
    names = snapshot["agencies"]

    rule = ReportingRule.objects.filter(plan=plan, consolidates=True).first()
    tasks = list(Task.objects.filter(group__plan=plan).select_related("group").order_by("group__number", "number"))
    assignments = defaultdict(list)
    for a in TaskAssignment.objects.filter(task__group__plan=plan).current().select_related("agency").order_by(
            "task_id", "agency__name"):
        assignments[a.task_id].append(a)
    submissions = list(Submission.objects.filter(cycle=cycle, status=SubmissionStatus.ACCEPTED)
                       .select_related("agency").order_by("agency__name"))
    by_task: dict[int, list[TaskReport]] = defaultdict(list)
    documents = defaultdict(list)
    for report in (TaskReport.objects.filter(submission__in=submissions).select_related("submission__agency")
                   .prefetch_related("documents").order_by("submission__agency__name")):
        by_task[report.task_id].append(report)
        for doc in report.documents.all():
            documents[report.submission.agency_id].append(doc)
    expected = expected_submissions(cycle=cycle)
    expected_pairs = {(e.agency.pk, e.rule.pk) for e in expected}
    arrived = set(Submission.objects.filter(
        cycle=cycle, status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED]
    ).values_list("agency_id", "rule_id"))
    district_ids = {e.agency.pk for e in expected if e.agency.kind == AgencyKind.DISTRICT}

    def short(agency) -> str:
        full, short_name = _names(agency, names)
        names[str(agency.pk)] = {"name": full, "short_name": short_name}
        return short_name

    def full(agency) -> str:
        short(agency)
        return names[str(agency.pk)]["name"]

    district_short = {short(e.agency) for e in expected if e.agency.pk in district_ids}
    groups: dict[int, GroupRows] = {}
    counts = dict.fromkeys(["done", "done_on_time", "in_progress", "ongoing", "paused", "not_started",
                            "no_report", "overdue"], 0)
    for task in tasks:
        group = groups.setdefault(task.group.number, GroupRows(
            number=task.group.number, roman=roman(task.group.number), title=clean_text(task.group.title)))
        reports = sorted(by_task.get(task.pk, []), key=lambda r: (r.role != AssignmentRole.LEAD,))
        progress = _consolidate_progress(reports)
        overdue = bool(progress != Progress.DONE and task.deadline and task.deadline < issued_on)
        if progress is None:
            counts["no_report"] += 1
            counts["not_started"] += 1
            label = _("Chưa có báo cáo")
        else:
            key = {Progress.DONE: "done", Progress.IN_PROGRESS: "in_progress", Progress.ONGOING: "ongoing",
                   Progress.PAUSED: "paused", Progress.NOT_STARTED: "not_started"}[progress]
            counts[key] += 1
            # Without a completion date, a task done in this cycle is late only if its deadline had already
            # passed when the cycle's data window opened.
            if progress == Progress.DONE and not (task.deadline and task.deadline < cycle.window_start):
                counts["done_on_time"] += 1
            label = Progress(progress).label
            if overdue:
                label = _("%(progress)s quá hạn") % {"progress": label}
        counts["overdue"] += overdue
        chart_key = "no_report" if progress is None else "overdue" if overdue else {
            Progress.DONE: "done", Progress.IN_PROGRESS: "in_progress", Progress.ONGOING: "in_progress",
        }.get(progress, "not_started")
        group.chart_counts[chart_key] = group.chart_counts.get(chart_key, 0) + 1
        row = TaskRow(
            code=task.code, number=task.number, text=clean_text(task.text),
            short_text=Truncator(clean_text(task.text)).words(30),
            lead=_join([short(a.agency) for a in assignments[task.pk] if a.role == AssignmentRole.LEAD], set()),
            co_operating=_join([short(a.agency) for a in assignments[task.pk]
                                if a.role == AssignmentRole.CO_OPERATING], district_short),
            deadline_text=task.deadline_text or short_date(task.deadline), progress=progress, overdue=overdue,
            progress_label=label,
            results=[AgencyText(short(r.submission.agency), paragraphs(r.results)) for r in reports if r.results],
            note=_("%(n)d đơn vị báo cáo") % {"n": len(reports)} if reports else _("Chưa có báo cáo"),
        )
        group.tasks.append(row)

    total = len(tasks)
    summary = dict(counts, total=total, done_percent=format_percent(counts["done"], total))
    summary_line = _(
        "Tổng số %(total)d nhiệm vụ; đã hoàn thành %(done)d (%(done_percent)s), trong đó đúng hạn "
        "%(done_on_time)d; đang thực hiện %(in_progress)d; thực hiện thường xuyên %(ongoing)d; tạm dừng "
        "%(paused)d; chưa thực hiện %(not_started)d (trong đó chưa có báo cáo %(no_report)d); quá hạn "
        "%(overdue)d."
    ) % summary

    reported = len(expected_pairs & arrived)
    reporting_line = _("Tính đến ngày %(date)s, có %(reported)d/%(expected)d đơn vị gửi báo cáo; "
                       "%(accepted)d báo cáo đã được thẩm định, chấp nhận và tổng hợp trong báo cáo này.") % {
        "date": short_date(issued_on), "reported": reported, "expected": len(expected_pairs),
        "accepted": len(submissions)}
    missing = sorted({full(e.agency) for e in expected if (e.agency.pk, e.rule.pk) not in arrived})

    def texts(attribute: str) -> list[AgencyText]:
        return [AgencyText(short(s.agency), paragraphs(getattr(s, attribute)))
                for s in submissions if getattr(s, attribute).strip()]

    issuer = snapshot["issuer"]
    header = Header(
        parent_body=issuer["parent_body"], issuer_name=issuer["name"],
        number_line=_("Số: %(number)s") % {"number": number_text},
        place_date=place_and_date(snapshot["place"], issued_on),
    )
    signer = snapshot["signer"]
    snapshot["issued_on"] = issued_on.isoformat()
    snapshot["document_number"] = number_text
    return {
        "snapshot": snapshot,
        "header": header,
        "subject": subject_from_rule(rule.subject if rule else "", cycle.year, plan),
        "addressee": snapshot["addressee"],
        "plan": plan,
        "cycle": cycle,
        "reporting_line": reporting_line,
        "missing_agencies": missing,
        "issued_documents": [
            AgencyText(short(s.agency), [f"{d.number} {_('ngày')} {short_date(d.issued_on)}: {clean_text(d.title)}"
                                         for d in documents[s.agency_id]])
            for s in submissions if documents[s.agency_id]
        ],
        "groups": list(groups.values()),
        "summary": summary,
        "summary_line": summary_line,
        "charts": [svg_data_uri(svg) for svg in (
            charts if charts is not None else consolidated_charts(groups=list(groups.values())))],
        "strengths": texts("assessment"),
        "shortcomings": texts("shortcomings"),
        "difficulties": [AgencyText(f"{short(r.submission.agency)} ({_('nhiệm vụ')} {t.code})",
                                    paragraphs(r.difficulties))
                         for t in tasks for r in by_task.get(t.pk, []) if r.difficulties.strip()],
        "directions": texts("directions"),
        "proposals": texts("proposals") + [
            AgencyText(f"{short(r.submission.agency)} ({_('nhiệm vụ')} {t.code})", paragraphs(r.proposals))
            for t in tasks for r in by_task.get(t.pk, []) if r.proposals.strip()],
        "signature": Signature(authority=signer["authority"], prefix=signer["prefix"], title=signer["title"],
                               name=signer["name"]),
        "recipients": recipient_lines(snapshot["recipients"]),
        "appendix_title": _("Kết quả thực hiện các nhiệm vụ của %(type)s số %(number)s năm %(year)d") % {
            "type": plan.document_type, "number": plan.number, "year": cycle.year},
        "appendix_reference": _("(Kèm theo Báo cáo số %(number)s ngày %(date)s của %(issuer)s)") % {
            "number": number_text, "date": short_date(issued_on), "issuer": issuer["name"]},
    }
