"""The coverage matrix as a grid: the plan's tasks down, the agencies responsible for them across, and in each
cell the agency's role (chủ trì / phối hợp) and what it reported on that task in the cycle.

A grid is readable for a city (plan 193: 42 tasks × about 40 agencies); for a data set with thousands of
agencies the page says so and points to the long form (`selectors_progress.coverage_cells`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, QuerySet, Subquery

from agencies.models import Agency, in_name_order
from plans.models import AssignmentRole, Task
from reports.dashboard.progress import cycle_agencies, cycle_assignments
from reports.dashboard.selectors import COUNTED
from reports.models import Cycle, Progress, TaskReport

MAX_COLUMNS = 80


@dataclass(frozen=True)
class Cell:
    role: str
    progress: str | None  # None: nothing sent on this task yet

    @property
    def is_lead(self) -> bool:
        return self.role == AssignmentRole.LEAD

    @property
    def progress_label(self) -> str:
        return str(Progress(self.progress).label) if self.progress else ""


@dataclass
class MatrixRow:
    task: Task
    cells: list[Cell | None] = field(default_factory=list)

    @property
    def lead_reported(self) -> bool:
        return any(c is not None and c.is_lead and c.progress for c in self.cells)


@dataclass(frozen=True)
class Matrix:
    agencies: list[Agency]
    rows: list[MatrixRow]
    too_wide: bool


def coverage_matrix(*, cycle: Cycle, today: datetime.date, visible: QuerySet[Agency] | None = None) -> Matrix:
    """Three queries for a grid, whatever the size: the responsible agencies (at most MAX_COLUMNS + 1, to know
    whether the grid is too wide), the plan's tasks, and the assignments of the shown agencies, each with the
    progress its agency sent on the task (from a submitted or accepted submission of the cycle). A grid too wide
    to read is not built: one query, and the page points to the long form."""
    # The cycle's units, not necessarily today's; `visible`: the columns the reader may see
    # (permissions.dashboard_scope), all of them by default.
    among = Agency.objects.all() if visible is None else visible
    responsible = cycle_agencies(cycle=cycle, today=today, among=among)
    responsible = responsible.order_by("kind", *in_name_order())
    agencies = list(responsible[: MAX_COLUMNS + 1])
    if len(agencies) > MAX_COLUMNS:
        return Matrix(agencies=agencies[:MAX_COLUMNS], rows=[], too_wide=True)
    tasks = list(
        Task.objects.filter(group__plan_id=cycle.plan_id).select_related("group").order_by("group__number", "number")
    )
    column = {agency.pk: index for index, agency in enumerate(agencies)}
    # A submission is unique per (cycle, agency, rule) and an agency reports on a task once per submission;
    # an agency owing two rules could send the task twice: the first non-empty progress found is shown.
    sent = (
        TaskReport.objects.filter(
            submission__cycle=cycle,
            submission__status__in=COUNTED,
            submission__agency_id=OuterRef("agency_id"),
            task_id=OuterRef("task_id"),
        )
        .exclude(progress="")
        .order_by("submission_id")
        .values("progress")[:1]
    )
    rows = {task.pk: MatrixRow(task=task, cells=[None] * len(agencies)) for task in tasks}
    cells = cycle_assignments(cycle=cycle, today=today).filter(agency_id__in=list(column)).annotate(sent=Subquery(sent))
    for task_id, agency_id, role, progress in cells.values_list("task_id", "agency_id", "role", "sent"):
        rows[task_id].cells[column[agency_id]] = Cell(role=role, progress=progress)
    return Matrix(agencies=agencies, rows=list(rows.values()), too_wide=False)
