"""Read and validate a plan data file (plans/data/SCHEMA.md) into a plain, checked structure.

Validation covers the whole file before anything is written; an error names its place in the file's own terms
("groups[2].tasks[4].lead[0]").
"""

from __future__ import annotations

import datetime
import decimal
import json
from pathlib import Path
from typing import Any

from django.db import models

from agencies.models import AgencyKind, SuccessionKind
from hptracker.text import nfc
from plans.models import AssignmentStatus, ObjectiveSection, TargetDirection

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


# --- validation: build a plain, checked structure before any write ------------------------------------------


def parse_plan_data(data: Any) -> dict:
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
        basis.append(
            {
                "order": order,
                "symbol": r.text("symbol"),
                "kind": r.text("kind"),
                "issuer": r.text("issuer"),
                "issued_on": r.date("issued_on"),
                "title": r.text("title", required=False),
                "implements": r.text("implements", required=False) or None,
                "_place": place,
            }
        )
    symbols = {b["symbol"] for b in basis}
    for b in basis:
        if b["implements"] and b["implements"] not in symbols:
            raise PlanFileError(f"{b['_place']}.implements", f"không có văn bản «{b['implements']}» trong basis")
    _no_duplicates(root, "basis", [b["symbol"] for b in basis])

    objectives = []
    for place, item in root.items("objectives", required=False):
        r = _Reader(item, place)
        objectives.append(
            {
                "section": r.choice("section", ObjectiveSection),
                "number": r.integer("number", low=1),
                "text": r.text("text"),
            }
        )
    _no_duplicates(root, "objectives", [(o["section"], o["number"]) for o in objectives])

    groups = []
    for place, item in root.items("groups"):
        r = _Reader(item, place)
        tasks = []
        for t_place, t_item in r.items("tasks"):
            t = _Reader(t_item, t_place)
            tasks.append(
                {
                    "number": t.integer("number", low=1),
                    "text": t.text("text"),
                    "deadline_text": t.text("deadline_text", required=False),
                    "deadline": t.date("deadline", required=False),
                    "lead": [agency_code(p, c) for p, c in t.items("lead")],
                    "co_operating": [agency_code(p, c) for p, c in t.items("co_operating", required=False)],
                    "assignment": t.choice("assignment", AssignmentStatus) if "assignment" in t_item else "proposed",
                    "assignment_note": t.text("assignment_note", required=False),
                }
            )
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
        duties.append(
            {
                "number": r.integer("number", low=1),
                "heading": r.text("heading"),
                "requested": r.get("requested", bool, required=False, default=False),
                "agencies": [agency_code(p, c) for p, c in r.items("agencies")],
                "duties": r.strings("duties"),
            }
        )
    _no_duplicates(root, "duties", [d["number"] for d in duties])
    item_numbers = {d["number"] for d in duties}

    targets = []
    for place, item in root.items("targets", required=False):
        r = _Reader(item, place)
        task = r.text("task", required=False) or None
        if task and task not in task_codes:
            raise PlanFileError(f"{place}.task", f"không có nhiệm vụ «{task}»")
        targets.append(
            {
                "code": r.text("code"),
                "task": task,
                "name": r.text("name"),
                "unit": r.text("unit"),
                "direction": r.choice("direction", TargetDirection),
                "baseline": r.decimal("baseline", required=False),
                "baseline_year": r.integer("baseline_year", required=False, low=1945, high=2100),
                "target_value": r.decimal("target_value"),
                "target_year": r.integer("target_year", low=1945, high=2100),
            }
        )
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
            "code": r.text("code"),
            "title": r.text("title"),
            "reporters": reporters,
            "recipients": [agency_code(p, c) for p, c in r.items("recipients")],
            "final_recipient": agency_code(f"{place}.final_recipient", r.text("final_recipient")),
            "subject": r.text("subject"),
            "deadline_day": r.integer("deadline_day", low=1, high=31),
            "deadline_month": r.integer("deadline_month", low=1, high=12),
            "during_month": r.integer("during_month", required=False, low=1, high=12),
            "deadline_text": r.text("deadline_text"),
            "consolidates": r.get("consolidates", bool, required=False, default=False),
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
    return {
        "plan": plan,
        "agencies": agencies,
        "basis": basis,
        "objectives": objectives,
        "groups": groups,
        "duties": duties,
        "targets": targets,
        "rules": rules,
    }


def _parse_agency(r: _Reader) -> dict:
    agency: dict[str, Any] = {
        "code": r.text("code"),
        "name": r.text("name"),
        "short_name": r.text("short_name"),
        "symbol": r.text("symbol"),
        "kind": r.choice("kind", AgencyKind),
        "parent_body": r.text("parent_body", required=False),
        "official_code": r.text("official_code", required=False),
        "place_name": r.text("place_name", required=False),
        "valid_from": r.date("valid_from"),
        "valid_to": r.date("valid_to", required=False),
        "successors": [],
    }
    if agency["valid_to"] and agency["valid_to"] < agency["valid_from"]:
        raise PlanFileError(r._at("valid_to"), "ngày hết hiệu lực trước ngày bắt đầu")
    for place, item in r.items("successors", required=False):
        s = _Reader(item, place)
        agency["successors"].append(
            {
                "code": s.text("code"),
                "kind": s.choice("kind", SuccessionKind),
                "effective_on": s.date("effective_on"),
                "note": s.text("note", required=False),
            }
        )
    return agency


def _no_duplicates(r: _Reader, key: str, values: list) -> None:
    seen = set()
    for index, value in enumerate(values):
        if value in seen:
            raise PlanFileError(f"{r._at(key)}[{index}]", f"trùng lặp: {value}")
        seen.add(value)
