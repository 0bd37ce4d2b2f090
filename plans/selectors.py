"""Reads of the plan that pages share."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from plans.models import DutyItem, Plan, ReportingRule, Task, TaskAssignment, TaskGroup


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
