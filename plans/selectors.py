"""Reads of the plan that pages share."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import reduce

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import ngettext

from agencies.models import AgencyKind, in_name_order
from hptracker.formatting import format_count
from plans.models import (
    AssignmentRole,
    DutyItem,
    Plan,
    ReportingRule,
    RuleRecipient,
    Task,
    TaskAssignment,
    TaskGroup,
)

# Units of one kind on a task (or in a duty item of section III), from this many on, are written as one line ("Xã,
# phường, đặc khu: 50 đơn vị") that opens on their names: since 1/7/2025 most tasks of plan 193 name the 50 communes,
# and the plan page printed 50 names in each of 40 rows (18,000 px).
GROUPED_FROM = 6
# A group of more units than this opens on a link to their list (plans:task_units), not on their names: Hải Phòng's
# largest family, its 114 communes, is listed in place; the national set assigns each task to 3,000 units, and
# reading their 150,000 names made the page 534 KB and 4.8 s.
NAMES_LISTED = 200
# A kind too small to be a group is listed by name, so its names must always be read.
assert GROUPED_FROM <= NAMES_LISTED
# A kind's place among the groups of a cell: the order of AgencyKind.
KIND_ORDER = {kind: place for place, kind in enumerate(AgencyKind.values)}


@dataclass(frozen=True)
class AgencyGroup:
    kind: str
    names: list[str]  # by name; empty when there are more than NAMES_LISTED (the page links to their list)
    count: int

    @property
    def label(self) -> str:
        return str(AgencyKind(self.kind).label) if self.kind in AgencyKind.values else self.kind

    @property
    def summary(self) -> str:
        """ "Xã, phường, đặc khu: 50 đơn vị": written here rather than by a {% blocktranslate %} in each of the
        page's hundreds of cells (a third of its rendering time)."""
        return ngettext("%(kind)s: %(n)s đơn vị", "%(kind)s: %(n)s đơn vị", self.count) % {
            "kind": self.label,
            "n": format_count(self.count),
        }


@dataclass(frozen=True)
class Units:
    """Agencies as the plan page writes them (a task's co-operating units, a duty item's agencies): by name, then
    one group per populous kind."""

    names: list[str]
    groups: list[AgencyGroup]

    @property
    def count(self) -> int:
        return len(self.names) + sum(group.count for group in self.groups)


NO_UNITS = Units(names=[], groups=[])


@dataclass(frozen=True)
class Lead:
    name: str
    short_name: str
    status: str


def _listed(owner: str, counted: Mapping[tuple[int, str], int]) -> Q:
    """The links whose owner has at most NAMES_LISTED agencies of their kind: the names the page reads. One
    condition per kind (`kind = k AND owner IN (…)`), not one per owner and kind: plan 193 has 168 such pairs."""
    owners: dict[str, list[int]] = {}
    for (key, kind), number in counted.items():
        if number <= NAMES_LISTED:
            owners.setdefault(kind, []).append(key)
    return reduce(
        operator.or_,
        (Q(agency__kind=kind, **{f"{owner}__in": keys}) for kind, keys in owners.items()),
        Q(pk__in=[]),
    )


def group_units(rows: Iterable[tuple[int, str, str]], counted: Mapping[tuple[int, str], int]) -> dict[int, Units]:
    """Each owner's Units from `counted` (the number of its agencies of each kind) and `rows` (owner, kind, short
    name, in name order: the agencies of the kinds listed)."""
    names: dict[int, list[str]] = {}
    grouped: dict[tuple[int, str], list[str]] = {}
    for key, kind, short_name in rows:
        if counted[key, kind] < GROUPED_FROM:
            names.setdefault(key, []).append(short_name)
        else:
            grouped.setdefault((key, kind), []).append(short_name)
    groups: dict[int, list[AgencyGroup]] = {}
    for (key, kind), number in sorted(counted.items(), key=lambda item: KIND_ORDER.get(item[0][1], len(KIND_ORDER))):
        if number >= GROUPED_FROM:
            groups.setdefault(key, []).append(AgencyGroup(kind, grouped.get((key, kind), []), number))
    return {key: Units(names.get(key, []), groups.get(key, [])) for key in {key for key, _kind in counted}}


def _counted(links: QuerySet, owner: str) -> dict[tuple[int, str], int]:
    return {
        (key, kind): number
        for key, kind, number in links.values_list(owner, "agency__kind").annotate(number=Count("pk")).order_by()
    }


@dataclass(frozen=True)
class CalendarEntry:
    rule: ReportingRule
    reporters: list[str]
    recipients: list[str]


def plan_page(*, pk: int) -> dict:
    """Everything the plan page shows, in a fixed number of queries whatever the plan's size; the names of a
    task's or a duty item's units are read only for the kinds it has at most NAMES_LISTED of."""
    plan = Plan.objects.select_related("issuer").get(pk=pk)
    targets = list(plan.targets.select_related("task__group"))
    targets_of: dict[int, list] = {}
    for target in targets:
        if target.task_id is not None:
            targets_of.setdefault(target.task_id, []).append(target)
    tasks = list(Task.objects.filter(group__plan=plan).order_by("number"))
    # Leads by name, and the names of co-operating units of the kinds a task has at most NAMES_LISTED of. By the
    # tasks' ids: joining the tasks and their groups to 150,000 assignments nationally cost a fifth of the count.
    assignments = TaskAssignment.objects.current().filter(task_id__in=[task.pk for task in tasks])
    co_operating = _counted(assignments.filter(role=AssignmentRole.CO_OPERATING), "task_id")
    leads: dict[int, list[Lead]] = {}
    listed: list[tuple[int, str, str]] = []
    for task_id, role, status, kind, name, short_name in (
        assignments.filter(
            Q(role=AssignmentRole.LEAD) | Q(role=AssignmentRole.CO_OPERATING) & _listed("task_id", co_operating)
        )
        .values_list("task_id", "role", "status", "agency__kind", "agency__name", "agency__short_name")
        .order_by(*in_name_order("agency__"))
    ):
        if role == AssignmentRole.LEAD:
            leads.setdefault(task_id, []).append(Lead(name, short_name, status))
        else:
            listed.append((task_id, kind, short_name))
    units = group_units(listed, co_operating)
    groups = {group.pk: group for group in TaskGroup.objects.filter(plan=plan).order_by("number")}
    for group in groups.values():
        group.task_list = []  # type: ignore[attr-defined]
    for task in tasks:
        task.group = groups[task.group_id]
        task.group.task_list.append(task)  # type: ignore[attr-defined]
        task.leads = leads.get(task.pk, [])  # type: ignore[attr-defined]
        task.cooperating = units.get(task.pk, NO_UNITS)  # type: ignore[attr-defined]
        task.target_list = targets_of.get(task.pk, [])  # type: ignore[attr-defined]
    # A duty item's agencies, grouped the same way (nationally one item holds 3,000 units).
    links = DutyItem.agencies.through.objects.filter(dutyitem__plan=plan)
    counted = _counted(links, "dutyitem_id")
    item_units = group_units(
        (
            (item_id, kind, short_name)
            for item_id, kind, short_name in links.filter(_listed("dutyitem_id", counted))
            .values_list("dutyitem_id", "agency__kind", "agency__short_name")
            .order_by(*in_name_order("agency__"))
        ),
        counted,
    )
    duty_items = list(DutyItem.objects.filter(plan=plan).prefetch_related("duties"))
    for item in duty_items:
        item.units = item_units.get(item.pk, NO_UNITS)  # type: ignore[attr-defined]
    rules = (
        ReportingRule.objects.filter(plan=plan)
        .select_related("final_recipient")
        .prefetch_related("reporters", Prefetch("rule_recipients", RuleRecipient.objects.select_related("agency")))
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
        "groups": list(groups.values()),
        "task_count": len(tasks),
        "targets": targets,
        "duty_items": duty_items,
        "calendar": calendar,
    }
