"""The shipped Hải Phòng 2025 reorganisation on plan 193: who owes reports in 2025 and 2026, what stays as it was in
2021–2024, reloading, and applying then inverting."""

from __future__ import annotations

import datetime
import json
from collections import Counter

import pytest
from django.core.management import call_command

from agencies.models import Agency, AgencyKind
from plans.loading import load_plan
from plans.models import AssignmentRole, DutyItem, RuleRecipient
from reports.cycles.selectors import expected_reports, expected_submissions
from reports.cycles.services import cycle_open
from tests.plans.reorganisation_helpers import REPO, apply, current, hai_phong_data, snapshot

pytestmark = pytest.mark.django_db

DISTRICTS = {
    "Q_HONGBANG",
    "Q_NGOQUYEN",
    "Q_LECHAN",
    "Q_HAIAN",
    "Q_KIENAN",
    "Q_DOSON",
    "Q_DUONGKINH",
    "H_THUYNGUYEN",
    "H_ANDUONG",
    "H_ANLAO",
    "H_KIENTHUY",
    "H_TIENLANG",
    "H_VINHBAO",
    "H_CATHAI",
    "H_BACHLONGVI",
}
ABOLISHED = DISTRICTS | {"SLDTBXH", "SKHDT", "STTTT", "SGTVT", "SNNPTNT", "STNMT", "SVHTT", "SDL", "BTGTU"}
COMMUNES = json.loads((REPO / "agencies" / "data" / "hai-phong-communes-2025.json").read_text(encoding="utf-8"))
SUCCESSORS = json.loads(
    (REPO / "agencies" / "data" / "hai-phong-district-successors-2025.json").read_text(encoding="utf-8")
)
ON_PLAN_TERRITORY = {c["agency_code"] for c in COMMUNES["communes"] if c["owes_plan_193"]}
HAI_DUONG_ONLY = {c["agency_code"] for c in COMMUNES["communes"]} - ON_PLAN_TERRITORY


def expected_by_year(plan, years) -> dict[int, list[tuple[str, str]]]:
    return {
        year: sorted((e.agency.code, e.rule.code) for e in expected_submissions(cycle=cycle_open(plan=plan, year=year)))
        for year in years
    }


def test_the_generated_commune_data_has_the_114_units_and_a_successor_for_every_district():
    units = COMMUNES["communes"]
    assert Counter(u["kind"] for u in units) == {"phuong": 45, "xa": 67, "dac_khu": 2}
    assert len({u["official_code"] for u in units}) == len({u["agency_code"] for u in units}) == 114
    assert {d["agency_code"] for d in SUCCESSORS["districts"]} == DISTRICTS
    assert all(d["successors"] for d in SUCCESSORS["districts"])
    assert len(ON_PLAN_TERRITORY) == 50 and len(HAI_DUONG_ONLY) == 64
    special = {u["name"] for u in units if u["kind"] == "dac_khu"}
    assert special == {"Đặc khu Cát Hải", "Đặc khu Bạch Long Vĩ"}


def test_in_2025_and_2026_the_communes_and_merged_departments_report_and_2021_to_2024_are_unchanged(plan):
    before = expected_by_year(plan, range(2021, 2025))

    apply(hai_phong_data())

    assert expected_by_year(plan, range(2021, 2025)) == before
    day = datetime.date(2026, 11, 30)
    valid = set(Agency.objects.active_on(day).values_list("code", flat=True))
    assert ON_PLAN_TERRITORY | HAI_DUONG_ONLY <= valid
    assert {"SNNMT", "SVHTTDL", "BTGDVTU", "STC", "SKHCN", "SXD", "SNV", "SGDDT"} <= valid
    assert not valid & ABOLISHED

    for year in (2025, 2026):
        expected = expected_by_year(plan, [year])[year]
        reporters = {code for code, _rule in expected}
        by_rule = {rule: {code for code, r in expected if r == rule} for _code, rule in expected}
        assert by_rule["quan-huyen-thang-11"] == ON_PLAN_TERRITORY  # the 50 communes on the districts' land
        assert not reporters & (ABOLISHED | HAI_DUONG_ONLY)
        assert {"SNNMT", "SVHTTDL", "BTGDVTU", "STC", "SKHCN", "SXD"} <= by_rule["don-vi-hang-nam"]
        assert "ldtbxh-giao-duc-nghe-nghiep" not in by_rule  # its only reporter has ended
        # The dashboard counts the same reporters with its SQL version of the definition.
        cycle = cycle_open(plan=plan, year=year)
        dashboard = expected_reports(plan=plan, today=datetime.date(2026, 11, 30), cycle=cycle)
        assert sorted(dashboard.values_list("agency__code", "dutyitem__rules__code")) == expected
    # The districts' November review now goes to the Sở GD&ĐT and the Sở Nội vụ.
    assert list(
        RuleRecipient.objects.filter(rule__code="quan-huyen-thang-11")
        .order_by("order")
        .values_list("agency__code", flat=True)
    ) == ["SGDDT", "SNV"]


def test_after_1_7_2025_the_communes_carry_the_districts_tasks_and_the_departments_the_merged_ones(plan):
    le_chan_tasks = current("Q_LECHAN")
    labour_leads = {code for code, role in current("SLDTBXH").items() if role == AssignmentRole.LEAD}

    apply(hai_phong_data())

    ward = Agency.objects.get(code="P_11383")  # Phường Lê Chân, on the land of quận Lê Chân and quận Ngô Quyền
    assert (ward.name, ward.kind, ward.official_code, ward.place_name, ward.valid_from) == (
        "Ủy ban nhân dân phường Lê Chân",
        AgencyKind.COMMUNE,
        "11383",
        "Lê Chân",
        datetime.date(2025, 7, 1),
    )
    assert current("P_11383") == le_chan_tasks
    assert DutyItem.objects.get(number=11).agencies.filter(pk=ward.pk).exists()
    hai_duong = Agency.objects.get(code="X_10804")  # Xã Kim Thành, on Hải Dương's former land
    assert current("X_10804") == {} and not hai_duong.duty_items.exists()
    assert {code for code, role in current("SGDDT").items() if role == AssignmentRole.LEAD} >= labour_leads
    assert current("Q_LECHAN") == current("SLDTBXH") == current("SKHDT") == {}
    assert Agency.objects.get(code="Q_LECHAN").place_name == "Lê Chân"
    assert Agency.objects.get(code="H_THUYNGUYEN").name == "Ủy ban nhân dân thành phố Thủy Nguyên"


def test_applying_twice_or_reloading_the_plan_in_between_changes_nothing(plan, plan_data):
    apply(hai_phong_data())
    after = snapshot()

    assert apply(hai_phong_data()).changes == 0
    assert snapshot() == after
    assert load_plan(plan_data)[1] == 0  # `make run` loads the plan, then the reorganisation, every time
    assert snapshot() == after


def test_applying_then_inverting_restores_the_assignments_recipients_and_agencies(plan):
    assignments, recipients, items, agencies, successions = snapshot()
    expected_before = expected_by_year(plan, range(2021, 2027))

    apply(hai_phong_data())
    assert snapshot()[0] != assignments
    report = apply(hai_phong_data(), invert=True)

    assert report.rows_restored > 0
    after = snapshot()
    assert after[0] == assignments
    assert after[1] == recipients
    assert after[3] == agencies
    assert after[4] == successions
    # An agency that existed before joins no duty item (it already owed their rules), so none is left behind.
    assert after[2] == items
    assert expected_by_year(plan, range(2021, 2027)) == expected_before
    assert apply(hai_phong_data(), invert=True).changes == 0


def test_the_command_applies_the_file_and_prints_every_unverified_fact(plan, capsys):
    call_command("load_reorganisation", str(REPO / "plans/data/reorganisation-hai-phong-2025.json"))
    out = capsys.readouterr().out
    assert (
        "Đã áp dụng «Sắp xếp tổ chức bộ máy và đơn vị hành chính của thành phố Hải Phòng năm 2025»: "
        "117 cơ quan thành lập" in out
    )
    unverified = [e["id"] for e in hai_phong_data()["events"] if e.get("verified") is False]
    assert unverified and all(f"Chưa kiểm chứng [{event_id}]" in out for event_id in unverified)
