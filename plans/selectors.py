"""Reads of the plan that pages share."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db.models import Count, Q, QuerySet, Value
from django.utils.translation import ngettext

from agencies.models import AgencyKind, in_name_order
from hptracker.formatting import format_count
from plans.models import (
    AssignmentRole,
    DutyItem,
    Plan,
    ReportingRule,
    RuleRecipient,
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


@dataclass(frozen=True)
class CalendarEntry:
    rule: ReportingRule
    reporters: list[str]
    recipients: list[str]


def plan_page(*, pk: int) -> dict:
    """Everything the plan page shows, in a fixed number of queries whatever the plan's size (ten); the names of a
    task's or a duty item's units are read only for the kinds it has at most NAMES_LISTED of."""
    plan = Plan.objects.select_related("issuer").get(pk=pk)
    targets = list(plan.targets.select_related("task__group"))
    targets_of: dict[int, list] = {}
    for target in targets:
        if target.task_id is not None:
            targets_of.setdefault(target.task_id, []).append(target)
    groups = _with_children(TaskGroup.objects.filter(plan=plan).order_by("number"), "tasks", "number", "task_list")
    tasks = [task for group in groups for task in group.task_list]
    # Leads by name, the co-operating units and a duty item's agencies (nationally one item holds 3,000 units)
    # grouped by kind, with the names of the kinds an owner has at most NAMES_LISTED of. The assignments by the
    # tasks' ids: joining the tasks and their groups to 150,000 assignments nationally cost a fifth of the count.
    assignments = TaskAssignment.objects.current().filter(task_id__in=[task.pk for task in tasks])
    co_operating = assignments.filter(role=AssignmentRole.CO_OPERATING)
    links = DutyItem.agencies.through.objects.filter(dutyitem__plan=plan)
    counted = _counted({TASKS: (co_operating, "task_id"), ITEMS: (links, "dutyitem_id")})
    leads: dict[int, list[Lead]] = {}
    listed: dict[str, list[tuple[int, str, str]]] = {TASKS: [], ITEMS: []}
    lead_or_listed = Q(role=AssignmentRole.LEAD) | Q(role=AssignmentRole.CO_OPERATING) & _listed(
        "task_id", counted[TASKS]
    )
    names = (
        _named(assignments.filter(lead_or_listed), TASKS, "task_id")
        .union(_named(links.filter(_listed("dutyitem_id", counted[ITEMS])), ITEMS, "dutyitem_id"), all=True)
        .order_by(*in_name_order("agency__"))
    )
    for owner, key, role, status, kind, name, short_name, _sort_name, _agency_id in names:
        if role == AssignmentRole.LEAD:
            leads.setdefault(key, []).append(Lead(name, short_name, status))
        else:
            listed[owner].append((key, kind, short_name))
    units = group_units(listed[TASKS], counted[TASKS])
    for task in tasks:
        task.leads = leads.get(task.pk, [])
        task.cooperating = units.get(task.pk, NO_UNITS)
        task.target_list = targets_of.get(task.pk, [])
    item_units = group_units(listed[ITEMS], counted[ITEMS])
    duty_items = _with_children(DutyItem.objects.filter(plan=plan).order_by("number"), "duties", "order", "duty_list")
    for item in duty_items:
        item.units = item_units.get(item.pk, NO_UNITS)
    return {
        "plan": plan,
        "basis": list(plan.basis.select_related("implements").order_by("order")),
        "objectives": list(plan.objectives.order_by("section", "number")),
        "groups": groups,
        "task_count": len(tasks),
        "targets": targets,
        "duty_items": duty_items,
        "calendar": _calendar(plan),
    }


# The owners of agencies on the plan page, and the two sides of a rule, as the unions below tell their rows apart.
TASKS, ITEMS = "task", "item"
REPORTS, RECEIVES = "reports", "receives"


def _counted(links: Mapping[str, tuple[QuerySet, str]]) -> dict[str, dict[tuple[int, str], int]]:
    """For each owner (TASKS, ITEMS) the number of agencies of each kind per task or duty item, from its links to
    agencies and the name of their key (`links`), in one query: a union of one GROUP BY per owner."""
    counted: dict[str, dict[tuple[int, str], int]] = {owner: {} for owner in links}
    first, *others = (
        rows.values_list(Value(owner), key, "agency__kind").annotate(number=Count("pk")).order_by()
        for owner, (rows, key) in links.items()
    )
    for owner, key, kind, number in first.union(*others, all=True):
        counted[owner][key, kind] = number
    return counted


def _named(rows: QuerySet, owner: str, key: str) -> QuerySet:
    """(owner, key, role, status, kind, name, short name, sort name, agency id) rows of a union: a task's
    assignments (with their role and status) or a duty item's links (without)."""
    assignment = owner == TASKS
    return rows.values_list(
        Value(owner),
        key,
        "role" if assignment else Value(""),
        "status" if assignment else Value(""),
        "agency__kind",
        "agency__name",
        "agency__short_name",
        *in_name_order("agency__"),  # the union is sorted by them
    ).order_by()


def _with_children(parents: QuerySet, relation: str, order: str, into: str) -> list[Any]:
    """The rows of `parents` in their order, each with the list `into` of its children through `relation` (a
    reverse foreign key) in `order`, read in one query (a LEFT JOIN; prefetch_related takes two). A parent without
    children keeps its place with an empty list."""
    model = parents.model
    reverse = model._meta.get_field(relation)
    child_model = reverse.related_model
    own = [field.attname for field in model._meta.concrete_fields]
    theirs = [field.attname for field in child_model._meta.concrete_fields]
    child_pk = len(own) + theirs.index(child_model._meta.pk.attname)
    parent_pk = own.index(model._meta.pk.attname)
    found: dict = {}
    for row in parents.values_list(*own, *(f"{relation}__{name}" for name in theirs)).order_by(
        *parents.query.order_by, f"{relation}__{order}"
    ):
        parent = found.get(row[parent_pk])
        if parent is None:
            parent = found[row[parent_pk]] = model.from_db(parents.db, own, row[: len(own)])
            setattr(parent, into, [])
        if row[child_pk] is not None:
            child = child_model.from_db(parents.db, theirs, row[len(own) :])
            setattr(child, reverse.field.name, parent)
            getattr(parent, into).append(child)
    return list(found.values())


def _calendar(plan: Plan) -> list[CalendarEntry]:
    """The yearly reporting calendar, by deadline: each rule with who reports (its duty items) and who receives,
    both read in one query (a union of the two links: a number and a text each)."""
    rules = {rule.pk: rule for rule in ReportingRule.objects.filter(plan=plan).select_related("final_recipient")}
    reporters = ReportingRule.reporters.through.objects.filter(reportingrule__plan=plan).values_list(
        Value(REPORTS), "reportingrule_id", "dutyitem__number", "dutyitem__heading"
    )
    recipients = RuleRecipient.objects.filter(rule__plan=plan).values_list(
        Value(RECEIVES), "rule_id", "order", "agency__short_name"
    )
    parties: dict[tuple[str, int], list[tuple[int, str]]] = {}
    for side, rule_id, number, text in reporters.order_by().union(recipients.order_by(), all=True):
        parties.setdefault((side, rule_id), []).append((number, text))
    return [
        CalendarEntry(
            rule=rule,
            reporters=[f"{number}. {heading}" for number, heading in sorted(parties.get((REPORTS, rule.pk), []))],
            recipients=[short_name for _order, short_name in sorted(parties.get((RECEIVES, rule.pk), []))],
        )
        for rule in sorted(rules.values(), key=lambda r: (r.deadline_month, r.deadline_day, r.consolidates))
    ]
