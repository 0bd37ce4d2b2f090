from __future__ import annotations

import copy
import json
import unicodedata

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agencies.models import Agency
from plans.exporting import export_plan
from plans.loading import PlanFileError, load_plan
from plans.models import Duty, DutyItem, Plan, ReportingRule, Target, Task, TaskAssignment, TaskGroup
from plans.seed import clean_scanned_text, parse_plan_text
from tests.conftest import PLAN_FILE, REPO

SEED = REPO / "plans" / "data" / "seed" / "ke-hoach-193-KH-UBND-2021.txt"


def _row_counts() -> dict[str, int]:
    models = [
        Agency,
        Plan,
        TaskGroup,
        Task,
        TaskAssignment,
        DutyItem,
        Duty,
        Target,
        ReportingRule,
        Agency.history.model,
        Task.history.model,
        TaskAssignment.history.model,
        Plan.history.model,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_loaded_plan_has_eight_groups_with_the_plans_task_counts(plan):
    counts = [group.tasks.count() for group in plan.groups.order_by("number")]
    assert counts == [4, 4, 9, 7, 3, 3, 3, 9]
    assert plan.duty_items.count() == 14
    assert plan.basis.count() == 3
    assert plan.signer_name == "Lê Khắc Nam"


def test_every_task_text_equals_the_seed_bullet_after_normalisation(plan):
    parsed = parse_plan_text(clean_scanned_text(SEED.read_text(encoding="utf-8")))
    loaded = {(t.group.number, t.number): t.text for t in Task.objects.select_related("group")}
    expected = {(g.number, i): text for g in parsed.groups for i, text in enumerate(g.tasks, start=1)}
    assert loaded == expected
    assert len(loaded) == 42


def test_all_stored_text_is_nfc(plan):
    texts = [t.text for t in Task.objects.all()] + [d.text for d in Duty.objects.all()]
    texts += list(Agency.objects.values_list("name", flat=True)) + [plan.title, plan.introduction, plan.closing]
    assert texts and all(unicodedata.is_normalized("NFC", text) for text in texts)
    assert not any(noise in text for text in texts for noise in ("(Chữ ký)", "✓", "bỏ nhiệm"))


def test_nfd_input_is_stored_nfc(empty_database, plan_data):
    data = copy.deepcopy(plan_data)
    data["groups"][0]["tasks"][0]["text"] = unicodedata.normalize("NFD", data["groups"][0]["tasks"][0]["text"])
    load_plan(data)
    text = Task.objects.get(group__number=1, number=1).text
    assert unicodedata.is_normalized("NFC", text)
    assert text == plan_data["groups"][0]["tasks"][0]["text"]


def test_loading_twice_changes_nothing_not_even_history(plan, plan_data):
    before = _row_counts()
    _, changes = load_plan(plan_data)
    assert changes == 0
    assert _row_counts() == before


def test_command_loads_then_reports_no_change(empty_database, capsys):
    call_command("load_plan", str(PLAN_FILE))
    call_command("load_plan", str(PLAN_FILE))
    out = capsys.readouterr().out
    assert "Đã nạp" in out and "không có thay đổi" in out
    assert Task.objects.count() == 42


@pytest.mark.parametrize(
    ("mutate", "place"),
    [
        (lambda d: d["groups"][2]["tasks"][4]["lead"].__setitem__(0, "KHONG_CO"), "groups[2].tasks[4].lead[0]"),
        (lambda d: d["groups"][1].pop("title"), "groups[1].title"),
        (lambda d: d.__setitem__("issued_on", "19/8/2021"), "issued_on"),
        (lambda d: d["rules"][0].__setitem__("deadline_month", 13), "rules[0].deadline_month"),
        (lambda d: d["agencies"][0].__setitem__("kind", "ministry"), "agencies[0].kind"),
        (lambda d: d["groups"][7]["tasks"].append(copy.deepcopy(d["groups"][7]["tasks"][0])), "groups[7].tasks[9]"),
    ],
)
def test_a_malformed_file_names_the_place_and_writes_nothing(empty_database, plan_data, mutate, place):
    data = copy.deepcopy(plan_data)
    mutate(data)
    with pytest.raises(PlanFileError) as error:
        load_plan(data)
    assert str(error.value).startswith(place)
    assert Agency.objects.count() == 0 and Task.objects.count() == 0


def test_a_bad_file_after_a_good_load_changes_nothing(plan, plan_data):
    before = _row_counts()
    data = copy.deepcopy(plan_data)
    data["groups"][0]["tasks"][0]["text"] = "Đã sửa"
    data["rules"][-1]["reporters"] = [99]
    with pytest.raises(PlanFileError):
        load_plan(data)
    assert _row_counts() == before
    assert Task.objects.get(group__number=1, number=1).text != "Đã sửa"


def test_command_rejects_invalid_json_with_line_and_column(empty_database, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1,\n "number": }', encoding="utf-8")
    with pytest.raises(CommandError, match="dòng 2, cột"):
        call_command("load_plan", str(bad))
    assert not Plan.objects.exists()


def test_export_load_into_empty_database_export_gives_the_same_json(plan, request):
    first = export_plan(plan)
    assert json.loads(json.dumps(first)) == first
    request.getfixturevalue("empty_database")
    assert not TaskAssignment.objects.exists() and not Agency.objects.exists()
    reloaded, _ = load_plan(first)
    assert export_plan(reloaded) == first


def test_the_data_file_is_exactly_what_export_prints(plan, plan_data):
    assert export_plan(plan) == plan_data


def test_export_command_prints_utf8_not_ascii_escapes(plan, capsys):
    call_command("export_plan", "193/KH-UBND")
    out = capsys.readouterr().out
    data = json.loads(out)
    assert "Sở Giáo dục và Đào tạo" in out and "\\u" not in out
    assert {
        "number",
        "title",
        "issued_on",
        "issuer",
        "basis",
        "groups",
        "duties",
        "agencies",
        "targets",
        "rules",
    } <= set(data)
    assert data["groups"][0]["tasks"][1]["lead"] == ["STTTT"]


def test_reassigning_a_task_ends_the_old_assignment_and_keeps_it(plan, plan_data):
    data = copy.deepcopy(plan_data)
    task = data["groups"][7]["tasks"][7]  # 8.8
    old_lead = task["lead"][0]
    task["co_operating"] = [c for c in task["co_operating"] if c != "SGDDT"]
    task["lead"] = ["SGDDT"]
    load_plan(data)
    rows = TaskAssignment.objects.filter(task__group__number=8, task__number=8)
    assert rows.current().get(role="lead").agency.code == "SGDDT"
    ended = rows.filter(agency__code=old_lead, ended_on__isnull=False)
    assert ended.exists()
