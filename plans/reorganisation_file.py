"""Read and check a reorganisation data file (plans/data/REORGANISATION.md) before anything is written.

Like the plan file, every error names its place in the file's own terms ("events[3].parts[0].tasks[1]"). Checks that
need the database (does this agency, task, duty item or rule exist?) are made by `plans.reorganisation` inside its
transaction, before its first write."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from agencies.models import AgencyKind
from plans.plan_file import PlanFileError, _no_duplicates, _Reader, read_plan_file

FORMAT_VERSION = 1
ALL = "all"
EVENT_KINDS = ("rename", "create", "merge", "split", "transfer", "end")
RENAMABLE = ("name", "short_name", "symbol", "kind", "parent_body", "place_name", "official_code")
COMMUNE_KIND_NAMES = {"phuong": "phường", "xa": "xã", "dac_khu": "đặc khu"}

ReorganisationFileError = PlanFileError
read_reorganisation_file = read_plan_file


@dataclass
class Share:
    """What one successor receives from the agency that gives: tasks by code ("8.3"), duty items by number, rules by
    code where the giver is a recipient. `None` means everything the giver has."""

    target: str
    tasks: set[str] | None = field(default_factory=set)
    duty_items: set[int] | None = field(default_factory=set)
    rule_recipients: set[str] | None = field(default_factory=set)
    note: str = ""
    place: str = ""


@dataclass
class Event:
    id: str
    kind: str
    on: datetime.date
    basis: str
    place: str
    verified: bool = True
    unverified: str = ""
    note: str = ""
    agency: str = ""  # rename, split, end, transfer (the giver)
    sources: list[str] = field(default_factory=list)  # merge
    target: str = ""  # merge
    shares: list[Share] = field(default_factory=list)  # split (one per successor), transfer (one)
    rename_from: dict[str, str] = field(default_factory=dict)
    rename_to: dict[str, str] = field(default_factory=dict)
    creates: list[str] = field(default_factory=list)  # create: agency codes (communes expanded)

    @property
    def last_day(self) -> datetime.date:
        return self.on - datetime.timedelta(days=1)


@dataclass
class Reorganisation:
    title: str
    plan: str
    agencies: dict[str, dict[str, Any]]  # code → field values, for every agency the file creates
    events: list[Event]
    unverified: list[tuple[str, str]]  # (event id, what is not verified)


def parse_reorganisation_data(data: Any, *, base_dir: Path | None = None) -> Reorganisation:
    base_dir = base_dir or Path(settings.BASE_DIR)
    root = _Reader(data, "")
    if root.get("format", int) != FORMAT_VERSION:
        raise PlanFileError("format", f"chỉ hỗ trợ định dạng {FORMAT_VERSION}")
    agencies: dict[str, dict[str, Any]] = {}
    for place, item in root.items("agencies", required=False):
        r = _Reader(item, place)
        code = r.text("code")
        if code in agencies:
            raise PlanFileError(f"{place}.code", f"trùng lặp: {code}")
        agencies[code] = {
            "name": r.text("name"),
            "short_name": r.text("short_name"),
            "symbol": r.text("symbol"),
            "kind": r.choice("kind", AgencyKind),
            "parent_body": r.text("parent_body", required=False),
            "official_code": r.text("official_code", required=False),
            "place_name": r.text("place_name", required=False),
            "valid_from": r.date("valid_from"),
        }

    communes: list[dict] = []
    successor_table: dict[str, list[str]] = {}
    if "communes" in root.data:
        communes, successor_table = _read_communes(root.child("communes"), base_dir)
    events = [_parse_event(_Reader(item, place), communes, successor_table) for place, item in root.items("events")]
    _no_duplicates(root, "events", [e.id for e in events])
    created_on: dict[str, datetime.date] = {}
    for event in (e for e in events if e.kind == "create"):
        for code in event.creates:
            if code in created_on:
                raise PlanFileError(event.place, f"cơ quan «{code}» được thành lập hai lần")
            created_on[code] = event.on
            if code not in agencies:
                commune = next((c for c in communes if c["agency_code"] == code), None)
                if commune is None:
                    raise PlanFileError(event.place, f"cơ quan «{code}» không có trong danh sách agencies")
                agencies[code] = _commune_values(commune)
            agencies[code]["valid_from"] = event.on
    for code in set(agencies) - set(created_on):
        raise PlanFileError("agencies", f"cơ quan «{code}» không được thành lập bởi sự kiện create nào")
    unverified = [(e.id, e.unverified or "chưa kiểm chứng") for e in events if not e.verified]
    return Reorganisation(
        title=root.text("title"), plan=root.text("plan"), agencies=agencies, events=events, unverified=unverified
    )


def _read_communes(r: _Reader, base_dir: Path) -> tuple[list[dict], dict[str, list[str]]]:
    """The generated commune data (agencies/data/): the units, and each district's successors."""
    units = read_plan_file(base_dir / r.text("units"))
    successors = read_plan_file(base_dir / r.text("successors"))
    try:
        communes = list(units["communes"])
        table = {d["agency_code"]: [c["official_code"] for c in d["successors"]] for d in successors["districts"]}
    except (KeyError, TypeError) as error:
        raise PlanFileError(r._at("units"), f"tệp dữ liệu cấp xã không đúng cấu trúc ({error})") from None
    by_code = {c["official_code"]: c["agency_code"] for c in communes}
    for district, codes in table.items():
        missing = [c for c in codes if c not in by_code]
        if missing:
            raise PlanFileError(r._at("successors"), f"{district}: mã đơn vị {missing} không có trong danh sách")
    return communes, {district: [by_code[c] for c in codes] for district, codes in table.items()}


def _commune_values(commune: dict) -> dict[str, Any]:
    kind_name = COMMUNE_KIND_NAMES[commune["kind"]]
    place = commune["place_name"]
    return {
        "name": f"Ủy ban nhân dân {kind_name} {place}",
        "short_name": f"UBND {kind_name} {place}",
        "symbol": "UBND",
        "kind": AgencyKind.COMMUNE,
        "parent_body": "",
        "official_code": commune["official_code"],
        "place_name": place,
    }


def _parse_event(r: _Reader, communes: list[dict], successor_table: dict[str, list[str]]) -> Event:
    kind = r.text("kind")
    if kind not in EVENT_KINDS:
        raise PlanFileError(r._at("kind"), f"giá trị «{kind}» không hợp lệ, cần một trong {list(EVENT_KINDS)}")
    event = Event(
        id=r.text("id"),
        kind=kind,
        on=r.date("on") or datetime.date.min,  # required: never None here
        basis=r.text("basis"),
        place=r.place,
        verified=r.get("verified", bool, required=False, default=True),
        unverified=r.text("unverified", required=False),
        note=r.text("note", required=False),
    )
    if not event.verified and not event.unverified:
        raise PlanFileError(r._at("unverified"), "sự kiện chưa kiểm chứng cần ghi rõ điều gì chưa kiểm chứng")
    if kind == "rename":
        event.agency = r.text("agency")
        event.rename_from, event.rename_to = _names(r, "from"), _names(r, "to")
        if set(event.rename_from) != set(event.rename_to):
            raise PlanFileError(r.place, "from và to phải nêu cùng các trường")
    elif kind == "create":
        event.creates = r.strings("agencies", required=False)
        if r.get("communes", bool, required=False, default=False):
            if not communes:
                raise PlanFileError(r._at("communes"), "tệp không khai báo dữ liệu cấp xã (mục communes)")
            event.creates += [c["agency_code"] for c in communes]
        if not event.creates:
            raise PlanFileError(r.place, "cần ít nhất một cơ quan được thành lập")
    elif kind == "merge":
        event.sources, event.target = r.strings("from"), r.text("into")
        if not event.sources or event.target in event.sources:
            raise PlanFileError(r._at("from"), "cần ít nhất một cơ quan khác với cơ quan hợp nhất")
    elif kind == "split":
        event.agency = r.text("agency")
        if r.data.get("parts") == "communes":
            codes = successor_table.get(event.agency)
            if not codes:
                raise PlanFileError(r._at("parts"), f"bảng kế thừa cấp xã không có {event.agency}")
            event.shares = [
                Share(target=code, tasks=None, duty_items=None, rule_recipients=None, place=r._at("parts"))
                for code in codes
            ]
        else:
            event.shares = [_share(_Reader(item, place), "to") for place, item in r.items("parts")]
        if not event.shares:
            raise PlanFileError(r._at("parts"), "cần ít nhất một cơ quan kế thừa")
        _no_duplicates(r, "parts", [s.target for s in event.shares])
    elif kind == "transfer":
        event.agency = r.text("from")
        event.shares = [_share(r, "to")]
    else:  # end
        event.agency = r.text("agency")
    for share in event.shares:
        if share.target == event.agency:
            raise PlanFileError(share.place, "cơ quan không tự kế thừa chính mình")
    return event


def _names(r: _Reader, key: str) -> dict[str, str]:
    names = r.child(key)
    values = {}
    for field_name in names.data:
        if field_name not in RENAMABLE:
            raise PlanFileError(names._at(field_name), f"không đổi được trường này, chỉ {list(RENAMABLE)}")
        values[field_name] = names.text(field_name, required=field_name in ("name", "short_name"))
    if "name" not in values:
        raise PlanFileError(names._at("name"), "thiếu trường bắt buộc")
    if "kind" in values and values["kind"] not in AgencyKind.values:
        raise PlanFileError(names._at("kind"), f"giá trị «{values['kind']}» không hợp lệ")
    return values


def _share(r: _Reader, target_key: str) -> Share:
    def pick(key: str, kind: type) -> set | None:
        if r.data.get(key) == ALL:
            return None
        values = set()
        for place, value in r.items(key, required=False):
            if not isinstance(value, kind) or isinstance(value, bool):
                raise PlanFileError(place, "sai kiểu dữ liệu" + (", cần số nguyên" if kind is int else ", cần chuỗi"))
            values.add(value)
        return values

    return Share(
        target=r.text(target_key),
        tasks=pick("tasks", str),
        duty_items=pick("duty_items", int),
        rule_recipients=pick("rule_recipients", str),
        note=r.text("note", required=False),
        place=r.place,
    )
