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

from agencies.models import AgencyKind
from plans.models import AssignmentRole, ReportingRule, TaskAssignment
from plans.text import clean_text
from reports.cycles.services import expected_submissions
from reports.dashboard import charts as dashboard_charts
from reports.dashboard.progress import GroupProgress, progress_by_group, task_statuses
from reports.documents.pdf.dates import place_and_date, short_date
from reports.documents.pdf.header import Header, Signature, paragraphs, recipient_lines, roman, subject_from_rule
from reports.models import Cycle, Submission, SubmissionStatus, TaskReport

# The consolidated report consolidates accepted reports only; the dashboard also counts submitted ones.
CONSOLIDATED = (SubmissionStatus.ACCEPTED,)


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
    status: str
    progress_label: str
    results: list[AgencyText] = field(default_factory=list)
    note: str = ""


@dataclass
class GroupRows:
    number: int
    roman: str
    title: str
    tasks: list[TaskRow] = field(default_factory=list)


def consolidated_charts(*, groups: list[GroupProgress]) -> list[str]:
    """The SVG charts printed in section II: the dashboard main page's progress chart, drawn by the same
    function from the same per-group counts (progress_by_group), so the picture is the dashboard's and costs
    no query."""
    return [dashboard_charts.group_progress_chart(groups)]


def svg_data_uri(svg: str) -> str:
    # As an <img>, a chart cannot restyle or script the document around it.
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _names(agency, snapshot_names: dict) -> tuple[str, str]:
    saved = snapshot_names.get(str(agency.pk))
    if saved:
        return saved["name"], saved["short_name"]
    return agency.name, agency.short_name


def _join(names: list[str], district_names: set[str]) -> str:
    """All districts are written as one phrase, as the plan itself does ("UBND các quận, huyện")."""
    if district_names and district_names <= set(names):
        names = [n for n in names if n not in district_names] + [_("UBND các quận, huyện")]
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
    assignments = defaultdict(list)
    for a in (
        TaskAssignment.objects.filter(task__group__plan=plan)
        .current()
        .select_related("agency")
        .order_by("task_id", "agency__name")
    ):
        assignments[a.task_id].append(a)
    submissions = list(
        Submission.objects.filter(cycle=cycle, status=SubmissionStatus.ACCEPTED)
        .select_related("agency")
        .order_by("agency__name")
    )
    by_task: dict[int, list[TaskReport]] = defaultdict(list)
    documents = defaultdict(list)
    for report in (
        TaskReport.objects.filter(submission__in=submissions)
        .select_related("submission__agency")
        .prefetch_related("documents")
        .order_by("submission__agency__name")
    ):
        by_task[report.task_id].append(report)
        for doc in report.documents.all():
            documents[report.submission.agency_id].append(doc)
    expected = expected_submissions(cycle=cycle)
    expected_pairs = {(e.agency.pk, e.rule.pk) for e in expected}
    arrived = set(
        Submission.objects.filter(
            cycle=cycle, status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED]
        ).values_list("agency_id", "rule_id")
    )
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
    for line in lines:
        task = line.task
        group = groups.setdefault(
            task.group.number,
            GroupRows(number=task.group.number, roman=roman(task.group.number), title=clean_text(task.group.title)),
        )
        # Every accepted agency's results are printed, the lead's first; only the lead's decide the status.
        reports = sorted(by_task.get(task.pk, []), key=lambda r: (r.role != AssignmentRole.LEAD,))
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
                lead=_join([short(a.agency) for a in assignments[task.pk] if a.role == AssignmentRole.LEAD], set()),
                co_operating=_join(
                    [short(a.agency) for a in assignments[task.pk] if a.role == AssignmentRole.CO_OPERATING],
                    district_short,
                ),
                deadline_text=task.deadline_text or short_date(task.deadline),
                status=line.status,
                progress_label=line.status_label,
                results=[AgencyText(short(r.submission.agency), paragraphs(r.results)) for r in reports if r.results],
                note=note,
            )
        )

    reported = len(expected_pairs & arrived)
    reporting_line = _(
        "Tính đến ngày %(date)s, có %(reported)d/%(expected)d đơn vị gửi báo cáo; "
        "%(accepted)d báo cáo đã được thẩm định, chấp nhận và tổng hợp trong báo cáo này."
    ) % {
        "date": short_date(issued_on),
        "reported": reported,
        "expected": len(expected_pairs),
        "accepted": len(submissions),
    }
    missing = sorted({full(e.agency) for e in expected if (e.agency.pk, e.rule.pk) not in arrived})

    def texts(attribute: str) -> list[AgencyText]:
        return [
            AgencyText(short(s.agency), paragraphs(getattr(s, attribute)))
            for s in submissions
            if getattr(s, attribute).strip()
        ]

    issuer = snapshot["issuer"]
    header = Header(
        parent_body=issuer["parent_body"],
        issuer_name=issuer["name"],
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
            AgencyText(
                short(s.agency),
                [
                    f"{d.number} {_('ngày')} {short_date(d.issued_on)}: {clean_text(d.title)}"
                    for d in documents[s.agency_id]
                ],
            )
            for s in submissions
            if documents[s.agency_id]
        ],
        "groups": list(groups.values()),
        "summary": summary,
        "summary_line": summary.sentence(),
        "charts": [
            svg_data_uri(svg) for svg in (charts if charts is not None else consolidated_charts(groups=progress_groups))
        ],
        "draft": draft,
        "strengths": texts("assessment"),
        "shortcomings": texts("shortcomings"),
        "difficulties": [
            AgencyText(f"{short(r.submission.agency)} ({_('nhiệm vụ')} {t.code})", paragraphs(r.difficulties))
            for t in tasks
            for r in by_task.get(t.pk, [])
            if r.difficulties.strip()
        ],
        "directions": texts("directions"),
        "proposals": texts("proposals")
        + [
            AgencyText(f"{short(r.submission.agency)} ({_('nhiệm vụ')} {t.code})", paragraphs(r.proposals))
            for t in tasks
            for r in by_task.get(t.pk, [])
            if r.proposals.strip()
        ],
        "signature": Signature(
            authority=signer["authority"], prefix=signer["prefix"], title=signer["title"], name=signer["name"]
        ),
        "recipients": recipient_lines(snapshot["recipients"]),
        "appendix_title": _("Kết quả thực hiện các nhiệm vụ của %(type)s số %(number)s năm %(year)d")
        % {"type": plan.document_type, "number": plan.number, "year": cycle.year},
        "appendix_reference": _("(Kèm theo Báo cáo số %(number)s ngày %(date)s của %(issuer)s)")
        % {"number": number_text, "date": short_date(issued_on), "issuer": issuer["name"]},
    }
