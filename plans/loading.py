"""Load a plan data file (plans/data/SCHEMA.md) into the database.

Loading validates the whole file first (plans.plan_file) and writes nothing when any part is wrong. Writing
happens in one transaction and touches only rows whose values differ, so loading the same file twice changes
nothing, not even the audit history.
"""

from __future__ import annotations

import datetime

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


# --- writing: sync rows, saving only what differs -------------------------------------------------------------


class _Writer:
    def __init__(self, parsed: dict):
        self.parsed = parsed
        self.changes = 0
        self.agencies: dict[str, Agency] = {}

    def sync(self, model: type[models.Model], lookup: dict, values: dict) -> models.Model:
        """update_or_create that saves only when a value differs, so a re-load writes no history rows."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model.objects.create(**lookup, **values)
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
        for a in p["agencies"]:
            values = {k: v for k, v in a.items() if k not in ("code", "successors")}
            self.agencies[a["code"]] = self.sync(Agency, {"code": a["code"]}, values)
        for a in p["agencies"]:
            for s in a["successors"]:
                self.sync(AgencySuccession,
                          {"predecessor": self.agencies[a["code"]], "successor": self.agencies[s["code"]]},
                          {"kind": s["kind"], "effective_on": s["effective_on"], "note": s["note"]})
        values = dict(p["plan"], issuer=self.agencies[p["plan"]["issuer"]])
        plan = self.sync(Plan, {"number": values.pop("number")}, values)

        keep = set()
        by_symbol = {}
        for b in p["basis"]:
            row = self.sync(BasisDocument, {"plan": plan, "symbol": b["symbol"]},
                            {k: b[k] for k in ("order", "kind", "issuer", "issued_on", "title")})
            by_symbol[b["symbol"]] = row
            keep.add(row.pk)
        for b in p["basis"]:
            self.sync(BasisDocument, {"pk": by_symbol[b["symbol"]].pk},
                      {"implements": by_symbol.get(b["implements"]) if b["implements"] else None})
        self.prune(plan.basis.all(), keep)

        keep = {self.sync(Objective, {"plan": plan, "section": o["section"], "number": o["number"]},
                          {"text": o["text"]}).pk for o in p["objectives"]}
        self.prune(plan.objectives.all(), keep)

        tasks_by_code: dict[str, Task] = {}
        keep_groups = set()
        for g in p["groups"]:
            group = self.sync(TaskGroup, {"plan": plan, "number": g["number"]}, {"title": g["title"]})
            keep_groups.add(group.pk)
            keep_tasks = set()
            for t in g["tasks"]:
                task = self.sync(Task, {"group": group, "number": t["number"]},
                                 {"text": t["text"], "deadline_text": t["deadline_text"], "deadline": t["deadline"]})
                keep_tasks.add(task.pk)
                tasks_by_code[f"{g['number']}.{t['number']}"] = task
                self._sync_assignments(task, t)
            self.prune(group.tasks.all(), keep_tasks)
        self.prune(plan.groups.all(), keep_groups)

        items = {}
        for d in p["duties"]:
            item = self.sync(DutyItem, {"plan": plan, "number": d["number"]},
                             {"heading": d["heading"], "requested": d["requested"]})
            items[d["number"]] = item
            self.set_m2m(item.agencies, [self.agencies[c] for c in d["agencies"]])
            keep = {self.sync(Duty, {"item": item, "order": order}, {"text": text}).pk
                    for order, text in enumerate(d["duties"], start=1)}
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
            keep_recipients = {
                self.sync(RuleRecipient, {"rule": rule, "agency": self.agencies[code]}, {"order": order}).pk
                for order, code in enumerate(r["recipients"], start=1)
            }
            self.prune(rule.rule_recipients.all(), keep_recipients)
        self.prune(plan.rules.all(), keep)
        return plan, self.changes

    def _sync_assignments(self, task: Task, t: dict) -> None:
        """Current assignments follow the file. One that the file no longer names is ended, not deleted, so
        the record of who was responsible before stays."""
        wanted = [(code, AssignmentRole.LEAD) for code in t["lead"]]
        wanted += [(code, AssignmentRole.CO_OPERATING) for code in t["co_operating"]]
        keep = set()
        for code, role in wanted:
            keep.add(self.sync(TaskAssignment, {"task": task, "agency": self.agencies[code], "ended_on": None},
                               {"role": role, "status": t["assignment"], "note": t["assignment_note"]}).pk)
        for stale in task.assignments.current().exclude(pk__in=keep):
            stale.ended_on = datetime.date.today()
            stale.save()
            self.changes += 1
