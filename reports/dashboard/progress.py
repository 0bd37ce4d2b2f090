"""What the reports say: the status of each task, progress by group, coverage, targets, difficulties.

Everything is aggregated in PostgreSQL; the few Python loops below run over plan structure (8 groups,
3 targets), never over reports.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency, existing_on, in_name_order
from hptracker.formatting import format_decimal, percent
from plans.models import AssignmentRole, Plan, Target, Task, TaskAssignment
from reports.cycles import ledger
from reports.cycles.selectors import COUNTED
from reports.cycles.target_figures import mean, target_figures
from reports.dashboard.basis import FIGURE_STATUSES
from reports.dashboard.figures_cache import cached_rows
from reports.models import Cycle, Progress, Submission, SubmissionStatus, TaskReport


class TaskStatus:
    DONE = "done"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    OVERDUE = "overdue"
    NO_REPORT = "no_report"

    choices = [
        (DONE, gettext_lazy("Đã hoàn thành")),
        (IN_PROGRESS, gettext_lazy("Đang thực hiện")),
        (NOT_STARTED, gettext_lazy("Chưa thực hiện")),
        (OVERDUE, gettext_lazy("Quá hạn")),
        (NO_REPORT, gettext_lazy("Chưa có báo cáo")),
    ]
    labels = dict(choices)


ACTIVE = (Progress.IN_PROGRESS, Progress.ONGOING, Progress.PAUSED)


def as_of(cycle: Cycle, today: datetime.date) -> datetime.date:
    """The day a cycle's task statuses are judged on: today while the cycle's year runs, its 31 December after."""
    return min(today, datetime.date(cycle.year, 12, 31))


@dataclass
class TaskLine:
    """A task of the plan with its status in a cycle (see `task_statuses` for the rule)."""

    task: Task
    status: str
    done_on_time: bool
    lead_reports: int
    lead_names: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(TaskStatus.labels[self.status])

    @property
    def nobody_reported(self) -> bool:
        return self.status == TaskStatus.NO_REPORT


def task_statuses(
    *,
    cycle: Cycle,
    today: datetime.date,
    statuses: Sequence[str] = FIGURE_STATUSES,
    submissions: QuerySet[Submission] | None = None,
    earlier_cycles: Sequence[int] | None = None,
) -> list[TaskLine]:
    """Every task of the plan with its status in `cycle`, in plan order.

    The rule, applied to the task reports of the task's LEAD agencies (TaskReport.role = lead, the role the
    agency held when it reported) in the cycle's submissions whose status is in `statuses` (accepted only: the
    basis the dashboard and the consolidated report share, see `basis`), among `submissions` when given (the
    reader's scope); drafts, returned reports and reports waiting for review never count:
    1. no such report                          -> no_report ("Chưa có báo cáo"; stands out on the coverage page);
    2. every lead report says "Đã hoàn thành"  -> done;
    3. otherwise, if the task has a deadline before `as_of(cycle, today)` -> overdue (deadline passed, not done);
    4. any lead report says done, in progress, ongoing or paused -> in_progress;
    5. otherwise (all "Chưa thực hiện" or blank) -> not_started.
    `done_on_time` is true for a done task without a deadline, or when some lead report saying "done" was
    submitted (in this cycle or an earlier one of the plan) on or before the task's deadline.
    Co-operating agencies' reports never decide the status.

    Four queries whatever the number of reports (three when the caller knows `earlier_cycles`, the ids of the
    plan's cycles up to this one): the lead reports are counted per task in PostgreSQL (the
    partial index taskreport_lead holds only those rows); only the verdicts of the plan's tasks (42 for plan
    193) are combined here.
    """
    lead = TaskReport.objects.filter(role=AssignmentRole.LEAD, submission__status__in=list(statuses))
    if submissions is not None:
        lead = lead.filter(submission__in=submissions.values("pk"))
    counts = {
        row["task_id"]: row
        for row in lead.filter(submission__cycle_id=cycle.pk)
        .order_by()
        .values("task_id")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(progress=Progress.DONE)),
            active=Count("pk", filter=Q(progress__in=ACTIVE)),
        )
    }
    # The plan's cycles up to this one, as a list: joined to reports_cycle instead, PostgreSQL misjudges the
    # row count and probes every submission of ten years one by one (340 ms instead of 20 at national scale).
    earlier = (
        list(earlier_cycles)
        if earlier_cycles is not None
        else list(Cycle.objects.filter(plan_id=cycle.plan_id, year__lte=cycle.year).values_list("pk", flat=True))
    )
    first_done = dict(
        lead.filter(progress=Progress.DONE, submission__cycle_id__in=earlier)
        .order_by()
        .values("task_id")
        .annotate(first=Min(TruncDate("submission__submitted_at")))
        .values_list("task_id", "first")
    )
    tasks = (
        Task.objects.filter(group__plan_id=cycle.plan_id).select_related("group").order_by("group__number", "number")
    )
    day = as_of(cycle, today)
    lines = []
    for task in tasks:
        row = counts.get(task.pk, {"n": 0, "done": 0, "active": 0})
        if row["n"] == 0:
            status = TaskStatus.NO_REPORT
        elif row["done"] == row["n"]:
            status = TaskStatus.DONE
        elif task.deadline is not None and task.deadline < day:
            status = TaskStatus.OVERDUE
        elif row["done"] or row["active"]:
            status = TaskStatus.IN_PROGRESS
        else:
            status = TaskStatus.NOT_STARTED
        finished = first_done.get(task.pk)
        on_time = status == TaskStatus.DONE and (
            task.deadline is None or (finished is not None and finished <= task.deadline)
        )
        lines.append(TaskLine(task=task, status=status, done_on_time=on_time, lead_reports=row["n"]))
    return lines


@dataclass
class GroupProgress:
    number: int
    title: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class ProgressSummary:
    total: int
    done: int
    done_on_time: int
    in_progress: int
    not_started: int
    overdue: int
    no_report: int

    @property
    def done_percent(self) -> Decimal:
        return percent(self.done, self.total) or Decimal(0)

    def sentence(self) -> str:
        """The summary line of real reports, with the tasks nobody reported on named separately."""
        line = _(
            "Tổng số %(total)d nhiệm vụ; đã hoàn thành %(done)d (%(pct)s%%), trong đó đúng hạn %(on_time)d; "
            "đang thực hiện %(active)d; chưa thực hiện %(idle)d; quá hạn %(overdue)d"
        ) % {
            "total": self.total,
            "done": self.done,
            "pct": format_decimal(self.done_percent),
            "on_time": self.done_on_time,
            "active": self.in_progress,
            "idle": self.not_started,
            "overdue": self.overdue,
        }
        if self.no_report:
            line += _("; chưa có báo cáo %(n)d") % {"n": self.no_report}
        return line + "."


def progress_by_group(lines: list[TaskLine]) -> tuple[list[GroupProgress], ProgressSummary]:
    """Tasks per group and status, and the summary line, from `task_statuses` (no further query)."""
    groups: dict[int, GroupProgress] = {}
    for line in lines:
        group = groups.setdefault(
            line.task.group.number,
            GroupProgress(line.task.group.number, line.task.group.title, {k: 0 for k, _l in TaskStatus.choices}),
        )
        group.counts[line.status] += 1
    totals = {k: sum(g.counts[k] for g in groups.values()) for k, _l in TaskStatus.choices}
    summary = ProgressSummary(
        total=len(lines),
        done=totals[TaskStatus.DONE],
        done_on_time=sum(1 for x in lines if x.done_on_time),
        in_progress=totals[TaskStatus.IN_PROGRESS],
        not_started=totals[TaskStatus.NOT_STARTED],
        overdue=totals[TaskStatus.OVERDUE],
        no_report=totals[TaskStatus.NO_REPORT],
    )
    return list(groups.values()), summary


def cycle_assignments(*, cycle: Cycle, today: datetime.date) -> QuerySet[TaskAssignment]:
    """Who answered for each task of the plan in `cycle`: the assignments in force on the day the cycle is judged
    on (`as_of`: today while its year runs, its 31 December after), of agencies that existed that day. A past year
    shows that year's units, not today's: 2021 the districts, 2025 the communes that succeeded them on 1/7/2025.
    The one definition the coverage pages, the matrix and the consolidated report list."""
    return TaskAssignment.objects.in_force_on(as_of(cycle, today)).filter(task__group__plan_id=cycle.plan_id)


def cycle_agencies(*, cycle: Cycle, today: datetime.date, among: QuerySet[Agency]) -> QuerySet[Agency]:
    """The agencies of `cycle_assignments`, among `among`: those that existed on the cycle's day with an assignment
    in force then. Their existence is checked on their own rows: an IN over the assignments joined to the agencies
    took twice the time nationally (12 ms against 6)."""
    day = as_of(cycle, today)
    assigned = TaskAssignment.objects.active_on(day).filter(task__group__plan_id=cycle.plan_id)
    return among.filter(existing_on(day), pk__in=assigned.values("agency_id"))


def cycle_leads(*, cycle: Cycle, today: datetime.date, task_ids: list[int]) -> QuerySet[TaskAssignment]:
    """The lead assignments of these tasks in `cycle` (`cycle_assignments`), their agencies in name order: a
    handful per task among the thousands of co-operating rows."""
    return (
        cycle_assignments(cycle=cycle, today=today)
        .filter(role=AssignmentRole.LEAD, task_id__in=task_ids)
        .order_by(*in_name_order("agency__"))
    )


def with_lead_names(lines: list[TaskLine], *, cycle: Cycle, today: datetime.date) -> list[TaskLine]:
    """Add the short names of each task's lead agencies in `cycle` (one query; a handful per task)."""
    names: dict[int, list[str]] = {}
    leads = cycle_leads(cycle=cycle, today=today, task_ids=[line.task.pk for line in lines])
    for task_id, name in leads.values_list("task_id", "agency__short_name"):
        names.setdefault(task_id, []).append(name)
    for line in lines:
        line.lead_names = names.get(line.task.pk, [])
    return lines


def coverage_cells(*, cycle: Cycle, today: datetime.date) -> QuerySet[TaskAssignment]:
    """The task × agency matrix in long form: each assignment of the cycle (`cycle_assignments`) with what that
    agency reported on that task in the cycle (progress, the submission and its status; empty when it has not
    reported)."""
    report = TaskReport.objects.filter(
        task=OuterRef("task_id"), submission__agency=OuterRef("agency_id"), submission__cycle=cycle
    ).order_by()
    return (
        cycle_assignments(cycle=cycle, today=today)
        .annotate(
            reported_progress=Subquery(report.filter(submission__status__in=COUNTED).values("progress")[:1]),
            submission_id=Subquery(report.values("submission_id")[:1]),
            submission_status=Subquery(report.values("submission__status")[:1]),
        )
        .select_related("task__group", "agency")
        # Each task's leads first ("lead" sorts after "co_operating": descending), then its co-operating units: with
        # every role, the first pages showed 1.1's thousands of co-operating rows and its leads only at the end.
        .order_by("task__group__number", "task__number", "-role", *in_name_order("agency__"))
    )


def issues(*, plan: Plan) -> QuerySet[TaskReport]:
    """Difficulties and proposals written in task reports of sent submissions (submitted, accepted or
    returned: a returned report's difficulties are still real), grouped by task group."""
    return (
        TaskReport.objects.filter(
            submission__cycle__plan=plan,
            submission__status__in=[*COUNTED, SubmissionStatus.RETURNED],
        )
        .exclude(difficulties="", proposals="")
        .select_related("task__group", "submission__agency", "submission__cycle")
        .order_by("task__group__number", "task__number", *in_name_order("submission__agency__"))
    )


def general_proposals(*, plan: Plan) -> QuerySet[Submission]:
    """Proposals written for the report as a whole (kiến nghị, đề xuất sửa đổi, bổ sung kế hoạch)."""
    return (
        Submission.objects.filter(cycle__plan=plan, status__in=[*COUNTED, SubmissionStatus.RETURNED])
        .exclude(proposals="")
        .select_related("agency", "cycle")
        .order_by("-cycle__year", *in_name_order("agency__"))
    )


@dataclass(frozen=True)
class TargetPoint:
    year: int
    value: Decimal
    reporters: int
    low: Decimal
    high: Decimal


@dataclass
class TargetSeries:
    target: Target
    points: list[TargetPoint]


def target_series(*, plan: Plan, submissions: QuerySet[Submission] | None = None) -> list[TargetSeries]:
    """For each target of the plan, the mean (rounded half up) of the values reported in each year's accepted
    submissions (the figures' basis; among `submissions` when given), with how many agencies reported and the
    range, against Target.target_value."""
    rows = target_figures(plan_id=plan.pk, submissions=submissions)
    by_target: dict[int, list[TargetPoint]] = {}
    # Every accepted report's values of every year (30,000 nationally): cached until what they are read from
    # changes, as the counts of expected reports are (migration 0015 puts the targets' tables under the triggers);
    # counted from the ledger's 30 rows while it is current, for the whole plan.
    for row in cached_rows(rows, stored=ledger.stored_target_figures(plan.pk) if submissions is None else None):
        by_target.setdefault(row["target_id"], []).append(
            TargetPoint(
                year=row["year"],
                value=mean(row["total"], row["reporters"]),
                reporters=row["reporters"],
                low=row["low"],
                high=row["high"],
            )
        )
    return [
        TargetSeries(target=t, points=by_target.get(t.pk, []))
        for t in Target.objects.filter(plan=plan).order_by("code")
    ]
