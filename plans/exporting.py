"""Export a plan to the data-file shape (plans/data/SCHEMA.md), so that export → load → export is stable."""

from __future__ import annotations

import datetime
import decimal

from django.db.models import Prefetch

from agencies.models import Agency
from plans.models import DutyItem, Plan, ReportingRule, Task, TaskAssignment, TaskGroup


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _number(value: decimal.Decimal | None) -> str | None:
    """Decimals as the plain strings people wrote ("70", "66.5"), not "70.00"."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


def plan_agencies(plan: Plan) -> list[Agency]:
    """Every agency the plan refers to: issuer, duty items, assignments, rule recipients, and their successors."""
    ids = {plan.issuer_id}
    ids |= set(DutyItem.agencies.through.objects.filter(dutyitem__plan=plan).values_list("agency_id", flat=True))
    ids |= set(TaskAssignment.objects.filter(task__group__plan=plan).values_list("agency_id", flat=True))
    for rule in plan.rules.all():
        ids.add(rule.final_recipient_id)
        ids |= set(rule.rule_recipients.values_list("agency_id", flat=True))
    agencies = Agency.objects.filter(pk__in=ids).prefetch_related("successions__successor")
    ids |= {s.successor_id for a in agencies for s in a.successions.all()}
    return list(Agency.objects.filter(pk__in=ids).prefetch_related("successions__successor").order_by("code"))


def export_plan(plan: Plan) -> dict:
    current = TaskAssignment.objects.current().select_related("agency").order_by("agency__code")
    groups = plan.groups.prefetch_related(
        Prefetch(
            "tasks",
            queryset=Task.objects.order_by("number").prefetch_related(
                Prefetch("assignments", queryset=current, to_attr="current_assignments")
            ),
        )
    ).order_by("number")
    return {
        "format": 1,
        "number": plan.number,
        "document_type": plan.document_type,
        "title": plan.title,
        "issuer": plan.issuer.code,
        "place": plan.place,
        "issued_on": _iso(plan.issued_on),
        "signer": {
            "authority": plan.signer_authority,
            "prefix": plan.signer_prefix,
            "title": plan.signer_title,
            "name": plan.signer_name,
        },
        "horizon": {"start": plan.horizon_start, "end": plan.horizon_end, "oriented_to": plan.oriented_to},
        "introduction": plan.introduction,
        "closing": plan.closing,
        "recipients": list(plan.recipients),
        "basis": [
            {
                "symbol": b.symbol,
                "kind": b.kind,
                "issuer": b.issuer,
                "issued_on": _iso(b.issued_on),
                "title": b.title,
                "implements": b.implements.symbol if b.implements else None,
            }
            for b in plan.basis.select_related("implements").order_by("order")
        ],
        "objectives": [
            {"section": o.section, "number": o.number, "text": o.text}
            for o in plan.objectives.order_by("section", "number")
        ],
        "agencies": [
            {
                "code": a.code,
                "name": a.name,
                "short_name": a.short_name,
                "symbol": a.symbol,
                "kind": a.kind,
                "parent_body": a.parent_body,
                "official_code": a.official_code,
                "place_name": a.place_name,
                "valid_from": _iso(a.valid_from),
                "valid_to": _iso(a.valid_to),
                "successors": [
                    {"code": s.successor.code, "kind": s.kind, "effective_on": _iso(s.effective_on), "note": s.note}
                    for s in a.successions.all()
                ],
            }
            for a in plan_agencies(plan)
        ],
        "groups": [_export_group(group) for group in groups],
        "duties": [
            {
                "number": item.number,
                "heading": item.heading,
                "requested": item.requested,
                "agencies": sorted(a.code for a in item.agencies.all()),
                "duties": [d.text for d in item.duties.all()],
            }
            for item in plan.duty_items.prefetch_related("agencies", "duties").order_by("number")
        ],
        "targets": [
            {
                "code": t.code,
                "task": t.task.code if t.task else None,
                "name": t.name,
                "unit": t.unit,
                "direction": t.direction,
                "baseline": _number(t.baseline),
                "baseline_year": t.baseline_year,
                "target_value": _number(t.target_value),
                "target_year": t.target_year,
            }
            for t in plan.targets.select_related("task__group").order_by("code")
        ],
        "rules": [_export_rule(rule) for rule in plan.rules.prefetch_related("reporters").order_by("code")],
    }


def _export_group(group: TaskGroup) -> dict:
    tasks = []
    for task in group.tasks.all():
        assignments = task.current_assignments  # type: ignore[attr-defined]  # Prefetch(to_attr=) in plan_export
        first = assignments[0] if assignments else None
        tasks.append(
            {
                "number": task.number,
                "text": task.text,
                "deadline_text": task.deadline_text,
                "deadline": _iso(task.deadline),
                "lead": [a.agency.code for a in assignments if a.role == "lead"],
                "co_operating": [a.agency.code for a in assignments if a.role == "co_operating"],
                "assignment": first.status if first else "proposed",
                "assignment_note": first.note if first else "",
            }
        )
    return {"number": group.number, "title": group.title, "tasks": tasks}


def _export_rule(rule: ReportingRule) -> dict:
    return {
        "code": rule.code,
        "title": rule.title,
        "reporters": sorted(item.number for item in rule.reporters.all()),
        "recipients": [r.agency.code for r in rule.rule_recipients.select_related("agency").order_by("order")],
        "final_recipient": rule.final_recipient.code,
        "subject": rule.subject,
        "deadline_day": rule.deadline_day,
        "deadline_month": rule.deadline_month,
        "during_month": rule.during_month,
        "deadline_text": rule.deadline_text,
        "consolidates": rule.consolidates,
        "window": {
            "start_day": rule.window_start_day,
            "start_month": rule.window_start_month,
            "end_day": rule.window_end_day,
            "end_month": rule.window_end_month,
        },
    }
