"""Load a plan data file (plans/data/SCHEMA.md) into the database, and export a plan back to the same shape.

Loading validates the whole file first and writes nothing when any part is wrong; the error names the place
("groups[2].tasks[4].lead[0]"). Writing happens in one transaction and touches only rows whose values differ,
so loading the same file twice changes nothing, not even the audit history.
"""

from __future__ import annotations

import datetime
import decimal
import json
from pathlib import Path
from typing import Any

from django.db import models, transaction

from agencies.models import Agency, AgencyKind, AgencySuccession, SuccessionKind
from plans.models import (
    AssignmentRole,
    AssignmentStatus,
    BasisDocument,
    Duty,
    DutyItem,
    Objective,
    ObjectiveSection,
    Plan,
    ReportingRule,
    RuleRecipient,
    Target,
    TargetDirection,
    Task,
    TaskAssignment,
    TaskGroup,
)
from plans.text import nfc

FORMAT_VERSION = 1


class PlanFileError(ValueError):
    """The file cannot be loaded; `place` says where, in the file's own terms."""

    def __init__(self, place: str, message: str):
        self.place = place
        super().__init__(f"{place}: {message}" if place else message)


class _Reader:
    """Typed access to one JSON object, remembering the path to it for error messages."""

    def __init__(self, data: Any, place: str):
        if not isinstance(data, dict):
            raise PlanFileError(place, "cần một đối tượng JSON {…}")
        self.data, self.place = data, place

    def _at(self, key: str) -> str:
        return f"{self.place}.{key}" if self.place else key

    def get(self, key: str, kind: type | tuple, *, required: bool = True, default: Any = None) -> Any:
        if key not in self.data or self.data[key] is None:
            if required:
                raise PlanFileError(self._at(key), "thiếu trường bắt buộc")
            return default
        value = self.data[key]
        if isinstance(value, bool) and kind is not bool:
            raise PlanFileError(self._at(key), f"sai kiểu dữ liệu, cần {_kind_name(kind)}")
        if not isinstance(value, kind):
            raise PlanFileError(self._at(key), f"sai kiểu dữ liệu, cần {_kind_name(kind)}")
        return nfc(value).strip() if isinstance(value, str) else value

    def text(self, key: str, *, required: bool = True) -> str:
        value = self.get(key, str, required=required, default="")
        if required and not value:
            raise PlanFileError(self._at(key), "không được để trống")
        return value

    def date(self, key: str, *, required: bool = True) -> datetime.date | None:
        value = self.get(key, str, required=required)
        if value is None:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise PlanFileError(self._at(key), f"ngày không hợp lệ «{value}», cần dạng YYYY-MM-DD") from None

    def integer(self, key: str, *, required: bool = True, low: int | None = None, high: int | None = None):
        value = self.get(key, int, required=required)
        if value is not None and ((low is not None and value < low) or (high is not None and value > high)):
            raise PlanFileError(self._at(key), f"giá trị {value} nằm ngoài khoảng {low}–{high}")
        return value

    def decimal(self, key: str, *, required: bool = True) -> decimal.Decimal | None:
        value = self.get(key, (str, int, float), required=required)
        if value is None:
            return None
        try:
            return decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            raise PlanFileError(self._at(key), f"không phải là số: «{value}»") from None

    def choice(self, key: str, choices: type[models.TextChoices]) -> str:
        value = self.text(key)
        if value not in choices.values:
            raise PlanFileError(self._at(key), f"giá trị «{value}» không hợp lệ, cần một trong {choices.values}")
        return value

    def items(self, key: str, *, required: bool = True) -> list[tuple[str, Any]]:
        value = self.get(key, list, required=required, default=[])
        return [(f"{self._at(key)}[{index}]", item) for index, item in enumerate(value)]

    def strings(self, key: str, *, required: bool = True) -> list[str]:
        result = []
        for place, item in self.items(key, required=required):
            if not isinstance(item, str) or not item.strip():
                raise PlanFileError(place, "cần một chuỗi ký tự không rỗng")
            result.append(nfc(item).strip())
        return result

    def child(self, key: str) -> _Reader:
        return _Reader(self.get(key, dict), self._at(key))


def _kind_name(kind: type | tuple) -> str:
    names = {str: "chuỗi", int: "số nguyên", list: "danh sách", dict: "đối tượng", bool: "true/false", float: "số"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " hoặc ".join(names.get(k, k.__name__) for k in kinds)


def read_plan_file(path: str | Path) -> dict:
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise PlanFileError("", f"không đọc được tệp {path}: {error.strerror}") from None
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise PlanFileError("", f"tệp không phải UTF-8 (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise PlanFileError(f"dòng {error.lineno}, cột {error.colno}", f"JSON không hợp lệ: {error.msg}") from None


def load_plan(data: dict) -> tuple[Plan, int]:
    """Validate `data` fully, then write it in one transaction. Returns the plan and how many rows changed."""
    parsed = _parse(data)
    with transaction.atomic():
        return _Writer(parsed).write()


# --- validation: build a plain, checked structure before any write ------------------------------------------


def _parse(data: Any) -> dict:
    root = _Reader(data, "")
    if root.get("format", int) != FORMAT_VERSION:
        raise PlanFileError("format", f"chỉ hỗ trợ định dạng {FORMAT_VERSION}")
    agencies = [_parse_agency(_Reader(item, place)) for place, item in root.items("agencies")]
    codes = {agency["code"] for agency in agencies}
    _no_duplicates(root, "agencies", [a["code"] for a in agencies])

    def agency_code(place: str, code: Any) -> str:
        if not isinstance(code, str) or code not in codes:
            raise PlanFileError(place, f"mã cơ quan «{code}» không có trong danh sách agencies")
        return code

    for place, item in root.items("agencies"):
        for s_place, successor in _Reader(item, place).items("successors", required=False):
            agency_code(f"{s_place}.code", _Reader(successor, s_place).text("code"))

    signer = root.child("signer")
    horizon = root.child("horizon")
    plan = {
        "number": root.text("number"),
        "document_type": root.text("document_type"),
        "title": root.text("title"),
        "issuer": agency_code("issuer", root.text("issuer")),
        "place": root.text("place"),
        "issued_on": root.date("issued_on"),
        "signer_authority": signer.text("authority", required=False),
        "signer_prefix": signer.text("prefix", required=False),
        "signer_title": signer.text("title"),
        "signer_name": signer.text("name"),
        "horizon_start": horizon.integer("start", low=1945, high=2100),
        "horizon_end": horizon.integer("end", low=1945, high=2100),
        "oriented_to": horizon.integer("oriented_to", required=False, low=1945, high=2100),
        "introduction": root.text("introduction", required=False),
        "closing": root.text("closing", required=False),
        "recipients": root.strings("recipients", required=False),
    }
    basis = []
    for order, (place, item) in enumerate(root.items("basis"), start=1):
        r = _Reader(item, place)
        basis.append({
            "order": order, "symbol": r.text("symbol"), "kind": r.text("kind"), "issuer": r.text("issuer"),
            "issued_on": r.date("issued_on"), "title": r.text("title", required=False),
            "implements": r.text("implements", required=False) or None, "_place": place,
        })
    symbols = {b["symbol"] for b in basis}
    for b in basis:
        if b["implements"] and b["implements"] not in symbols:
            raise PlanFileError(f"{b['_place']}.implements", f"không có văn bản «{b['implements']}» trong basis")
    _no_duplicates(root, "basis", [b["symbol"] for b in basis])

    objectives = []
    for place, item in root.items("objectives", required=False):
        r = _Reader(item, place)
        objectives.append({"section": r.choice("section", ObjectiveSection), "number": r.integer("number", low=1),
                           "text": r.text("text")})
    _no_duplicates(root, "objectives", [(o["section"], o["number"]) for o in objectives])

    groups = []
    for place, item in root.items("groups"):
        r = _Reader(item, place)
        tasks = []
        for t_place, t_item in r.items("tasks"):
            t = _Reader(t_item, t_place)
            tasks.append({
                "number": t.integer("number", low=1), "text": t.text("text"),
                "deadline_text": t.text("deadline_text", required=False), "deadline": t.date("deadline", required=False),
                "lead": [agency_code(p, c) for p, c in t.items("lead")],
                "co_operating": [agency_code(p, c) for p, c in t.items("co_operating", required=False)],
                "assignment": t.choice("assignment", AssignmentStatus) if "assignment" in t_item else "proposed",
                "assignment_note": t.text("assignment_note", required=False),
            })
            if not tasks[-1]["lead"]:
                raise PlanFileError(f"{t_place}.lead", "mỗi nhiệm vụ cần ít nhất một cơ quan chủ trì")
            both = set(tasks[-1]["lead"]) & set(tasks[-1]["co_operating"])
            if both:
                raise PlanFileError(t_place, f"cơ quan vừa chủ trì vừa phối hợp: {sorted(both)}")
        _no_duplicates(r, "tasks", [t["number"] for t in tasks])
        groups.append({"number": r.integer("number", low=1), "title": r.text("title"), "tasks": tasks})
    _no_duplicates(root, "groups", [g["number"] for g in groups])
    task_codes = {f"{g['number']}.{t['number']}" for g in groups for t in g["tasks"]}

    duties = []
    for place, item in root.items("duties"):
        r = _Reader(item, place)
        duties.append({
            "number": r.integer("number", low=1), "heading": r.text("heading"),
            "requested": r.get("requested", bool, required=False, default=False),
            "agencies": [agency_code(p, c) for p, c in r.items("agencies")],
            "duties": r.strings("duties"),
        })
    _no_duplicates(root, "duties", [d["number"] for d in duties])
    item_numbers = {d["number"] for d in duties}

    targets = []
    for place, item in root.items("targets", required=False):
        r = _Reader(item, place)
        task = r.text("task", required=False) or None
        if task and task not in task_codes:
            raise PlanFileError(f"{place}.task", f"không có nhiệm vụ «{task}»")
        targets.append({
            "code": r.text("code"), "task": task, "name": r.text("name"), "unit": r.text("unit"),
            "direction": r.choice("direction", TargetDirection), "baseline": r.decimal("baseline", required=False),
            "baseline_year": r.integer("baseline_year", required=False, low=1945, high=2100),
            "target_value": r.decimal("target_value"), "target_year": r.integer("target_year", low=1945, high=2100),
        })
    _no_duplicates(root, "targets", [t["code"] for t in targets])

    rules = []
    for place, item in root.items("rules"):
        r = _Reader(item, place)
        window = r.child("window")
        reporters = []
        for p, number in r.items("reporters"):
            if number not in item_numbers:
                raise PlanFileError(p, f"không có mục tổ chức thực hiện số {number}")
            reporters.append(number)
        rule = {
            "code": r.text("code"), "title": r.text("title"), "reporters": reporters,
            "recipients": [agency_code(p, c) for p, c in r.items("recipients")],
            "final_recipient": agency_code(f"{place}.final_recipient", r.text("final_recipient")),
            "subject": r.text("subject"), "deadline_day": r.integer("deadline_day", low=1, high=31),
            "deadline_month": r.integer("deadline_month", low=1, high=12),
            "during_month": r.integer("during_month", required=False, low=1, high=12),
            "deadline_text": r.text("deadline_text"), "consolidates": r.get("consolidates", bool, required=False,
                                                                             default=False),
            "window_start_day": window.integer("start_day", low=1, high=31),
            "window_start_month": window.integer("start_month", low=1, high=12),
            "window_end_day": window.integer("end_day", low=1, high=31),
            "window_end_month": window.integer("end_month", low=1, high=12),
        }
        try:
            datetime.date(2023, rule["deadline_month"], rule["deadline_day"])
        except ValueError:
            raise PlanFileError(f"{place}.deadline_day", "ngày/tháng hạn gửi không tồn tại") from None
        if not rule["recipients"]:
            raise PlanFileError(f"{place}.recipients", "cần ít nhất một nơi nhận")
        rules.append(rule)
    _no_duplicates(root, "rules", [r["code"] for r in rules])
    return {"plan": plan, "agencies": agencies, "basis": basis, "objectives": objectives, "groups": groups,
            "duties": duties, "targets": targets, "rules": rules}


def _parse_agency(r: _Reader) -> dict:
    agency = {
        "code": r.text("code"), "name": r.text("name"), "short_name": r.text("short_name"),
        "symbol": r.text("symbol"), "kind": r.choice("kind", AgencyKind),
        "parent_body": r.text("parent_body", required=False), "valid_from": r.date("valid_from"),
        "valid_to": r.date("valid_to", required=False), "successors": [],
    }
    if agency["valid_to"] and agency["valid_to"] < agency["valid_from"]:
        raise PlanFileError(r._at("valid_to"), "ngày hết hiệu lực trước ngày bắt đầu")
    for place, item in r.items("successors", required=False):
        s = _Reader(item, place)
        agency["successors"].append({"code": s.text("code"), "kind": s.choice("kind", SuccessionKind),
                                     "effective_on": s.date("effective_on"), "note": s.text("note", required=False)})
    return agency


def _no_duplicates(r: _Reader, key: str, values: list) -> None:
    seen = set()
    for index, value in enumerate(values):
        if value in seen:
            raise PlanFileError(f"{r._at(key)}[{index}]", f"trùng lặp: {value}")
        seen.add(value)


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
