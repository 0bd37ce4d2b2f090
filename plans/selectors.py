"""Reads of the plan that pages share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch

from agencies.models import AgencyKind
from plans.models import AssignmentRole, DutyItem, Plan, ReportingRule, Task, TaskAssignment, TaskGroup

# Co-operating units of one kind on a task, from this many on, are written as one line ("Xã, phường, đặc khu: 50
# đơn vị") that opens on their names: since 1/7/2025 most tasks of plan 193 name the 50 communes, and the plan page
# printed 50 names in each of 40 rows (18,000 px).
GROUPED_FROM = 6


@dataclass(frozen=True)
class AgencyGroup:
    kind: str
    names: list[str]

    @property
    def label(self) -> str:
        return str(AgencyKind(self.kind).label) if self.kind in AgencyKind.values else self.kind


@dataclass(frozen=True)
class Cooperating:
    """A task's co-operating units as the plan page writes them: by name, then one group per populous kind."""

    names: list[str]
    groups: list[AgencyGroup]


def cooperating(assignments: Iterable[TaskAssignment]) -> Cooperating:
    """The co-operating units among `assignments` (in their order): a kind with GROUPED_FROM units or more becomes
    one group, the others stay names."""
    by_kind: dict[str, list[str]] = {}
    for assignment in assignments:
        if assignment.role == AssignmentRole.CO_OPERATING:
            by_kind.setdefault(assignment.agency.kind, []).append(assignment.agency.short_name)
    names = [
        assignment.agency.short_name
        for assignment in assignments
        if assignment.role == AssignmentRole.CO_OPERATING and len(by_kind[assignment.agency.kind]) < GROUPED_FROM
    ]
    groups = [AgencyGroup(kind, members) for kind, members in by_kind.items() if len(members) >= GROUPED_FROM]
    return Cooperating(names=names, groups=groups)


@dataclass(frozen=True)
class CalendarEntry:
    rule: ReportingRule
    reporters: list[str]
    recipients: list[str]


def plan_page(*, pk: int) -> dict:
    """Everything the plan page shows, in a fixed number of queries whatever the plan's size."""
    plan = Plan.objects.select_related("issuer").get(pk=pk)
    current = TaskAssignment.objects.current().select_related("agency").order_by("role", "agency__name")
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
            task.cooperating = cooperating(task.current_assignments)  # type: ignore[attr-defined]
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
