"""Opening a yearly cycle, and who is expected to report in it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from agencies.models import Agency
from plans.models import Plan, ReportingRule
from reports.models import Cycle, CycleDeadline


@transaction.atomic
def cycle_open(*, plan: Plan, year: int) -> Cycle:
    """Create the cycle of `year` with one deadline per reporting rule; idempotent (re-running adds only the
    deadlines of rules created since)."""
    rules = list(plan.rules.all())
    window_rule = next((r for r in rules if not r.consolidates), rules[0] if rules else None)
    if window_rule is not None:
        window_start, window_end = window_rule.window_in(year)
    else:
        window_start, window_end = datetime.date(year - 1, 12, 15), datetime.date(year, 12, 14)
    cycle, _ = Cycle.objects.get_or_create(
        plan=plan, year=year, defaults={"window_start": window_start, "window_end": window_end}
    )
    existing = set(cycle.deadlines.values_list("rule_id", flat=True))
    CycleDeadline.objects.bulk_create(
        CycleDeadline(cycle=cycle, rule=rule, due_on=rule.deadline_in(year))
        for rule in rules
        if rule.pk not in existing
    )
    return cycle


@dataclass(frozen=True)
class Expected:
    """One expected submission: an agency that owes a report under a rule in a cycle."""

    agency: Agency
    deadline: CycleDeadline

    @property
    def rule(self) -> ReportingRule:
        return self.deadline.rule


def expected_submissions(*, cycle: Cycle, agency: Agency | None = None) -> list[Expected]:
    """Every (agency, rule) pair that owes a report in the cycle: the agencies of the rule's duty items that
    exist on the rule's deadline. An agency that ceased to exist before the deadline is not expected (its
    successor is); one created before the deadline is. The consolidated report is not a submission."""
    deadlines = list(
        cycle.deadlines.filter(rule__consolidates=False).select_related("rule").prefetch_related("rule__reporters")
    )
    result: list[Expected] = []
    seen: set[tuple[int, int]] = set()
    for deadline in deadlines:
        day = deadline.due_on
        agencies = Agency.objects.filter(duty_items__in=deadline.rule.reporters.all()).filter(
            valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)).distinct()
        if agency is not None:
            agencies = agencies.filter(pk=agency.pk)
        for a in agencies.order_by("name"):
            if (a.pk, deadline.rule_id) not in seen:
                seen.add((a.pk, deadline.rule_id))
                result.append(Expected(agency=a, deadline=deadline))
    return result
