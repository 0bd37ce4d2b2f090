"""Reads of the plan that pages share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Window
from django.db.models.functions import RowNumber

from agencies.models import AgencyKind
from plans.models import AssignmentRole, DutyItem, Plan, ReportingRule, Task, TaskAssignment, TaskGroup

# Co-operating units of one kind on a task, from this many on, are written as one line ("Xã, phường, đặc khu: 50
# đơn vị") that opens on their names: since 1/7/2025 most tasks of plan 193 name the 50 communes, and the plan page
# printed 50 names in each of 40 rows (18,000 px).
GROUPED_FROM = 6
# At most this many names of one kind per task and role are read and listed (the rest counted): the national set
# assigns each task to 3,000 units, and reading all 150,000 assignments made the page 1.7 MB and 6.5 s.
NAMES_LISTED = 200


@dataclass(frozen=True)
class AgencyGroup:
    kind: str
    names: list[str]  # the first NAMES_LISTED, by name
    count: int

    @property
    def label(self) -> str:
        return str(AgencyKind(self.kind).label) if self.kind in AgencyKind.values else self.kind

    @property
    def more(self) -> int:
        """How many are counted but not listed."""
        return self.count - len(self.names)


@dataclass(frozen=True)
class Cooperating:
    """A task's co-operating units as the plan page writes them: by name, then one group per populous kind."""

    names: list[str]
    groups: list[AgencyGroup]


def cooperating(assignments: Iterable[TaskAssignment], counts: Mapping[str, int] | None = None) -> Cooperating:
    """The co-operating units among `assignments` (in their order): a kind with GROUPED_FROM units or more becomes
    one group, the others stay names. `counts`: the number of co-operating units of each kind when `assignments`
    lists only the first NAMES_LISTED of each (by default, those listed)."""
    by_kind: dict[str, list[str]] = {}
    for assignment in assignments:
        if assignment.role == AssignmentRole.CO_OPERATING:
            by_kind.setdefault(assignment.agency.kind, []).append(assignment.agency.short_name)
    sizes = {kind: len(names) for kind, names in by_kind.items()} | dict(counts or {})
    names = [
        assignment.agency.short_name
        for assignment in assignments
        if assignment.role == AssignmentRole.CO_OPERATING and sizes[assignment.agency.kind] < GROUPED_FROM
    ]
    groups = [
        AgencyGroup(kind, members, sizes[kind]) for kind, members in by_kind.items() if sizes[kind] >= GROUPED_FROM
    ]
    return Cooperating(names=names, groups=groups)


@dataclass(frozen=True)
class CalendarEntry:
    rule: ReportingRule
    reporters: list[str]
    recipients: list[str]


def plan_page(*, pk: int) -> dict:
    """Everything the plan page shows, in a fixed number of queries whatever the plan's size."""
    plan = Plan.objects.select_related("issuer").get(pk=pk)
    # The first NAMES_LISTED units of each kind in each task and role, by name; `counted` says how many there are.
    current = (
        TaskAssignment.objects.current()
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("task_id"), F("role"), F("agency__kind")],
                order_by=[F("agency__name"), F("pk")],
            )
        )
        .filter(place__lte=NAMES_LISTED)
        .select_related("agency")
        .order_by("role", "agency__name")
    )
    counted: dict[int, dict[str, int]] = {}
    for task_id, kind, number in (
        TaskAssignment.objects.current()
        .filter(task__group__plan=plan, role=AssignmentRole.CO_OPERATING)
        .values_list("task_id", "agency__kind")
        .annotate(number=Count("pk"))
        .order_by()
    ):
        counted.setdefault(task_id, {})[kind] = number
    groups = TaskGroup.objects.filter(plan=plan).prefetch_related(
        Prefetch(
            "tasks",
            queryset=Task.objects.order_by("number").prefetch_related(
                Prefetch("assignments", queryset=current, to_attr="current_assignments"),
                "targets",
            ),
        )
    )
    duty_items = DutyItem.objects.filter(plan=plan).prefetch_related("duties", "agencies")
    rules = (
        ReportingRule.objects.filter(plan=plan)
        .select_related("final_recipient")
        .prefetch_related("reporters", "rule_recipients__agency")
    )
    calendar = [
        CalendarEntry(
            rule=rule,
            reporters=[f"{item.number}. {item.heading}" for item in rule.reporters.all()],
            recipients=[r.agency.short_name for r in rule.rule_recipients.all()],
        )
        for rule in sorted(rules, key=lambda r: (r.deadline_month, r.deadline_day, r.consolidates))
    ]
    for group in groups:
        for task in group.tasks.all():
            task.cooperating = cooperating(  # type: ignore[attr-defined]
                task.current_assignments,  # type: ignore[attr-defined]
                counted.get(task.pk, {}),
            )
    return {
        "plan": plan,
        "basis": list(plan.basis.select_related("implements").order_by("order")),
        "objectives": list(plan.objectives.order_by("section", "number")),
        "groups": groups,
        "task_count": sum(len(g.tasks.all()) for g in groups),
        "targets": plan.targets.select_related("task__group"),
        "duty_items": duty_items,
        "calendar": calendar,
    }
