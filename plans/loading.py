"""Load a plan data file (plans/data/SCHEMA.md) into the database.

Loading validates the whole file first (plans.plan_file) and writes nothing when any part is wrong. Writing
happens in one transaction and touches only rows whose values differ, so loading the same file twice changes
nothing, not even the audit history.
"""

from __future__ import annotations

import datetime
from typing import TypeVar

from django.db import models, transaction

from agencies.models import Agency, AgencySuccession
from plans.models import (
    AssignmentRole,
    BasisDocument,
    Duty,
    DutyItem,
    Objective,
    Plan,
    ReportingRule,
    RuleRecipient,
    Target,
    Task,
    TaskAssignment,
    TaskGroup,
)
from plans.plan_file import PlanFileError, parse_plan_data, read_plan_file

__all__ = ["PlanFileError", "load_plan", "read_plan_file"]


def load_plan(data: dict) -> tuple[Plan, int]:
    """Validate `data` fully, then write it in one transaction. Returns the plan and how many rows changed."""
    parsed = parse_plan_data(data)
    with transaction.atomic():
        return _Writer(parsed).write()


M = TypeVar("M", bound=models.Model)


# --- writing: sync rows, saving only what differs -------------------------------------------------------------


class _Writer:
    def __init__(self, parsed: dict):
        self.parsed = parsed
        self.changes = 0
        self.agencies: dict[str, Agency] = {}

    def sync(self, model: type[M], lookup: dict, values: dict) -> M:
        """update_or_create that saves only when a value differs, so a re-load writes no history rows."""
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model._default_manager.create(**lookup, **values)
            self.changes += 1
            return obj
        dirty = [field for field, value in values.items() if getattr(obj, field) != value]
        if dirty:
            for field in dirty:
                setattr(obj, field, values[field])
            obj.save()
            self.changes += 1
        return obj

    def prune(self, queryset: models.QuerySet, keep_ids: set[int]) -> None:
        stale = queryset.exclude(pk__in=keep_ids)
        for obj in stale:  # one by one so that audit history records the deletion
            obj.delete()
            self.changes += 1

    def set_m2m(self, manager, objects: list) -> None:
        wanted = {obj.pk for obj in objects}
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(objects)
            self.changes += 1

    def write(self) -> tuple[Plan, int]:
        p = self.parsed
        reorganised = _reorganised_codes()
        for a in p["agencies"]:
            if a["code"] in reorganised:
                # The file describes the plan as signed; a later reorganisation (rename, end) is not undone.
                self.agencies[a["code"]] = Agency.objects.get(code=a["code"])
                continue
            values = {k: v for k, v in a.items() if k not in ("code", "successors")}
            self.agencies[a["code"]] = self.sync(Agency, {"code": a["code"]}, values)
        for a in p["agencies"]:
            for s in a["successors"]:
                self.sync(
                    AgencySuccession,
                    {"predecessor": self.agencies[a["code"]], "successor": self.agencies[s["code"]]},
                    {"kind": s["kind"], "effective_on": s["effective_on"], "note": s["note"]},
                )
        values = dict(p["plan"], issuer=self.agencies[p["plan"]["issuer"]])
        plan = self.sync(Plan, {"number": values.pop("number")}, values)

        keep = set()
        by_symbol = {}
        for b in p["basis"]:
            row = self.sync(
                BasisDocument,
                {"plan": plan, "symbol": b["symbol"]},
                {k: b[k] for k in ("order", "kind", "issuer", "issued_on", "title")},
            )
            by_symbol[b["symbol"]] = row
            keep.add(row.pk)
        for b in p["basis"]:
            self.sync(
                BasisDocument,
                {"pk": by_symbol[b["symbol"]].pk},
                {"implements": by_symbol.get(b["implements"]) if b["implements"] else None},
            )
        self.prune(plan.basis.all(), keep)

        keep = {
            self.sync(Objective, {"plan": plan, "section": o["section"], "number": o["number"]}, {"text": o["text"]}).pk
            for o in p["objectives"]
        }
        self.prune(plan.objectives.all(), keep)

        tasks_by_code: dict[str, Task] = {}
        keep_groups = set()
        for g in p["groups"]:
            group = self.sync(TaskGroup, {"plan": plan, "number": g["number"]}, {"title": g["title"]})
            keep_groups.add(group.pk)
            keep_tasks = set()
            for t in g["tasks"]:
                task = self.sync(
                    Task,
                    {"group": group, "number": t["number"]},
                    {"text": t["text"], "deadline_text": t["deadline_text"], "deadline": t["deadline"]},
                )
                keep_tasks.add(task.pk)
                tasks_by_code[f"{g['number']}.{t['number']}"] = task
                self._sync_assignments(task, t)
            self.prune(group.tasks.all(), keep_tasks)
        self.prune(plan.groups.all(), keep_groups)

        items = {}
        for d in p["duties"]:
            item = self.sync(
                DutyItem, {"plan": plan, "number": d["number"]}, {"heading": d["heading"], "requested": d["requested"]}
            )
            items[d["number"]] = item
            named = [self.agencies[c] for c in d["agencies"]]
            self.set_m2m(item.agencies, named + _successors_among(named, item.agencies.all()))
            keep = {
                self.sync(Duty, {"item": item, "order": order}, {"text": text}).pk
                for order, text in enumerate(d["duties"], start=1)
            }
            self.prune(item.duties.all(), keep)
        self.prune(plan.duty_items.all(), {i.pk for i in items.values()})

        keep = set()
        for t in p["targets"]:
            values = {k: v for k, v in t.items() if k not in ("code", "task")}
            values["task"] = tasks_by_code[t["task"]] if t["task"] else None
            keep.add(self.sync(Target, {"plan": plan, "code": t["code"]}, values).pk)
        self.prune(plan.targets.all(), keep)

        keep = set()
        for r in p["rules"]:
            values = {k: v for k, v in r.items() if k not in ("code", "reporters", "recipients", "final_recipient")}
            values["final_recipient"] = self.agencies[r["final_recipient"]]
            rule = self.sync(ReportingRule, {"plan": plan, "code": r["code"]}, values)
            keep.add(rule.pk)
            self.set_m2m(rule.reporters, [items[n] for n in r["reporters"]])
            named = [self.agencies[code] for code in r["recipients"]]
            inherited = _successors_among(named, Agency.objects.filter(pk__in=rule.rule_recipients.values("agency")))
            keep_recipients = {recipient.pk for recipient in rule.rule_recipients.filter(agency__in=inherited)}
            for order, agency in enumerate(named, start=1):
                if _has_ended(agency):  # its place went to a successor (kept above), or nobody receives any more
                    keep_recipients |= set(rule.rule_recipients.filter(agency=agency).values_list("pk", flat=True))
                    continue
                keep_recipients.add(self.sync(RuleRecipient, {"rule": rule, "agency": agency}, {"order": order}).pk)
            self.prune(rule.rule_recipients.all(), keep_recipients)
        self.prune(plan.rules.all(), keep)
        return plan, self.changes

    def _sync_assignments(self, task: Task, t: dict) -> None:
        """Current assignments follow the file. One that the file no longer names is ended, not deleted, so
        the record of who was responsible before stays."""
        wanted = [(code, AssignmentRole.LEAD) for code in t["lead"]]
        wanted += [(code, AssignmentRole.CO_OPERATING) for code in t["co_operating"]]
        # Rows started on a date were handed over by a succession or set by an administrator since the plan was
        # signed: the file does not own them, and an agency that has ceased gets no current row back.
        dated = {a.agency_id: a.pk for a in task.assignments.current().filter(started_on__isnull=False)}
        keep = set(dated.values())
        for code, role in wanted:
            agency = self.agencies[code]
            if agency.pk in dated or _has_ended(agency):
                continue
            keep.add(
                self.sync(
                    TaskAssignment,
                    {"task": task, "agency": agency, "ended_on": None},
                    {"role": role, "status": t["assignment"], "note": t["assignment_note"]},
                ).pk
            )
        for stale in task.assignments.current().exclude(pk__in=keep):
            stale.ended_on = datetime.date.today()
            stale.save()
            self.changes += 1


def _reorganised_codes() -> set[str]:
    """Agencies a reorganisation file has renamed, created or ended (plans.reorganisation marks its saves)."""
    from plans.reorganisation import HISTORY_REASON

    return set(
        Agency.history.filter(history_change_reason__startswith=HISTORY_REASON)
        .values_list("code", flat=True)
        .distinct()
    )


def _has_ended(agency: Agency) -> bool:
    return agency.valid_to is not None and agency.valid_to < datetime.date.today()


def _successors_among(named: list[Agency], candidates) -> list[Agency]:
    """Those of `candidates` that succeed (directly or down a chain) one of the agencies the file names: a
    succession applied since the plan was signed handed them the duty item or the recipient's place."""
    seen = {a.pk for a in named}
    frontier = set(seen)
    while frontier:
        frontier = (
            set(AgencySuccession.objects.filter(predecessor_id__in=frontier).values_list("successor_id", flat=True))
            - seen
        )
        seen |= frontier
    return [a for a in candidates if a.pk in seen and a.pk not in {n.pk for n in named}]
