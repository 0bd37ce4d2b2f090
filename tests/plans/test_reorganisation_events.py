"""Each kind of reorganisation event through the loader (rename, create, merge, split, transfer, end), a bad file
that writes nothing, and the preview that writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command

from agencies.models import Agency, AgencySuccession, SuccessionKind
from plans.models import AssignmentRole, DutyItem, RuleRecipient, TaskAssignment
from plans.reorganisation_file import ReorganisationFileError
from tests.plans.reorganisation_helpers import BASIS, apply, current, reorganisation, snapshot

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2025, 3, 1)
FEBRUARY_END = datetime.date(2025, 2, 28)
LEAD, CO = AssignmentRole.LEAD, AssignmentRole.CO_OPERATING


def test_a_rename_changes_the_names_keeps_the_agency_and_is_recorded_in_its_history(plan):
    thuy_nguyen = Agency.objects.get(code="H_THUYNGUYEN")
    tasks_before = current("H_THUYNGUYEN")
    data = reorganisation(
        {
            "kind": "rename",
            "on": "2025-01-01",
            "agency": "H_THUYNGUYEN",
            "from": {"name": "Ủy ban nhân dân huyện Thủy Nguyên", "short_name": "UBND huyện Thủy Nguyên"},
            "to": {"name": "Ủy ban nhân dân thành phố Thủy Nguyên", "short_name": "UBND thành phố Thủy Nguyên"},
        }
    )

    apply(data)

    renamed = Agency.objects.get(pk=thuy_nguyen.pk)
    assert (renamed.name, renamed.short_name, renamed.valid_to) == (
        "Ủy ban nhân dân thành phố Thủy Nguyên",
        "UBND thành phố Thủy Nguyên",
        None,
    )
    assert current("H_THUYNGUYEN") == tasks_before
    assert renamed.history.first().history_change_reason == "Tổ chức lại: su-kien-0"
    before = snapshot()
    assert apply(data).changes == 0 and snapshot() == before


def test_a_rename_whose_from_does_not_match_is_refused_and_names_the_place(plan):
    data = reorganisation(
        {
            "kind": "rename",
            "agency": "Q_LECHAN",
            "from": {"name": "Tên khác", "short_name": "X"},
            "to": {"name": "Tên mới", "short_name": "Y"},
        }
    )
    with pytest.raises(ReorganisationFileError, match=r"^events\[0\]\.from: "):
        apply(data)
    assert Agency.objects.get(code="Q_LECHAN").name == "Ủy ban nhân dân quận Lê Chân"


def test_create_and_merge_two_departments_into_a_new_one(plan):
    new = {
        "code": "SNNMT",
        "name": "Sở Nông nghiệp và Môi trường",
        "short_name": "Sở NN&MT",
        "symbol": "SNNMT",
        "kind": "department",
        "parent_body": "UBND THÀNH PHỐ HẢI PHÒNG",
        "place_name": "Hải Phòng",
        "valid_from": "2025-03-01",
    }
    land, farming = current("STNMT"), current("SNNPTNT")
    assert land == {"5.3": CO} and farming == {"8.6": CO}
    data = reorganisation(
        {"kind": "create", "agencies": ["SNNMT"]},
        {"kind": "merge", "from": ["SNNPTNT", "STNMT"], "into": "SNNMT"},
        agencies=[new],
    )

    apply(data)

    merged = Agency.objects.get(code="SNNMT")
    assert merged.valid_from == MARCH and merged.place_name == "Hải Phòng"
    assert current("SNNMT") == {"5.3": CO, "8.6": CO}
    assert current("STNMT") == current("SNNPTNT") == {}
    assert set(Agency.objects.filter(code__in=["STNMT", "SNNPTNT"]).values_list("valid_to", flat=True)) == {
        FEBRUARY_END
    }
    assert DutyItem.objects.get(number=14).agencies.filter(code="SNNMT").exists()
    assert set(AgencySuccession.objects.filter(successor=merged).values_list("predecessor__code", "kind")) == {
        ("SNNPTNT", SuccessionKind.MERGED),
        ("STNMT", SuccessionKind.MERGED),
    }
    note = AgencySuccession.objects.get(predecessor__code="STNMT").note
    assert BASIS in note


def test_a_split_gives_each_successor_the_share_the_file_names(plan):
    assert current("SLDTBXH")["8.3"] == LEAD and current("SGDDT")["8.3"] == CO
    data = reorganisation(
        {
            "kind": "split",
            "agency": "SLDTBXH",
            "parts": [
                {"to": "SGDDT", "tasks": ["8.3", "8.5"]},
                {"to": "SNV", "tasks": ["8.4"], "rule_recipients": ["quan-huyen-thang-11"]},
            ],
        }
    )

    apply(data)

    sgddt, snv = current("SGDDT"), current("SNV")
    assert sgddt["8.3"] == LEAD and sgddt["8.5"] == LEAD  # its co-operating part became the lead
    assert snv["8.4"] == LEAD and "8.3" not in snv
    assert "8.6" not in sgddt and "8.6" not in snv  # named for nobody: it ends with the agency
    assert current("SLDTBXH") == {}
    assert list(
        RuleRecipient.objects.filter(rule__code="quan-huyen-thang-11")
        .order_by("order")
        .values_list("agency__code", flat=True)
    ) == ["SGDDT", "SNV"]
    assert Agency.objects.get(code="SLDTBXH").valid_to == FEBRUARY_END
    assert set(AgencySuccession.objects.filter(predecessor__code="SLDTBXH").values_list("successor__code", "kind")) == {
        ("SGDDT", SuccessionKind.SPLIT),
        ("SNV", SuccessionKind.SPLIT),
    }
    row = TaskAssignment.objects.current().get(agency__code="SNV", task__group__number=8, task__number=4)
    assert row.started_on == MARCH and "Sở Lao động - Thương binh và Xã hội" in row.note


def test_a_split_that_leaves_a_report_recipient_without_successor_writes_nothing(plan):
    """The error shows only while the split is being applied, after the first event and the split's hand-over
    were written: the whole file is rolled back."""
    before = snapshot()
    data = reorganisation(
        {"kind": "end", "agency": "SNGV"},
        {"kind": "split", "agency": "SLDTBXH", "parts": [{"to": "SGDDT", "tasks": "all"}]},
    )
    with pytest.raises(ReorganisationFileError, match=r"events\[1\]\.parts: .*quan-huyen-thang-11"):
        apply(data)
    assert snapshot() == before


def test_a_function_transfer_moves_one_task_and_the_agency_goes_on(plan):
    assert current("CATP") == {"2.4": CO} and "2.4" not in current("STP")
    data = reorganisation({"kind": "transfer", "from": "CATP", "to": "STP", "tasks": ["2.4"]})

    apply(data)

    assert current("CATP") == {} and current("STP")["2.4"] == CO
    catp = Agency.objects.get(code="CATP")
    assert catp.valid_to is None
    assert AgencySuccession.objects.get(predecessor=catp).kind == SuccessionKind.TRANSFERRED


def test_an_end_closes_the_agency_and_its_tasks(plan):
    assert current("TTTP") == {"3.7": CO}
    apply(reorganisation({"kind": "end", "agency": "TTTP"}))
    assert Agency.objects.get(code="TTTP").valid_to == FEBRUARY_END
    assert current("TTTP") == {}
    assert TaskAssignment.objects.get(agency__code="TTTP").ended_on == FEBRUARY_END


def test_ending_an_agency_that_still_receives_reports_is_refused(plan):
    with pytest.raises(ReorganisationFileError, match=r"^events\[0\]: Sở GD&ĐT còn là nơi nhận báo cáo"):
        apply(reorganisation({"kind": "end", "agency": "SGDDT"}))
    assert Agency.objects.get(code="SGDDT").valid_to is None


def test_giving_an_old_agency_a_duty_item_it_did_not_owe_is_refused_so_past_cycles_do_not_change(plan):
    """Item 2 feeds the vocational-education rule, which the Sở GD&ĐT never owed: joining it would make the
    Sở GD&ĐT owe that report in 2021–2024 too (duty-item membership is not dated)."""
    data = reorganisation(
        {
            "kind": "split",
            "agency": "SLDTBXH",
            "parts": [{"to": "SGDDT", "tasks": "all", "duty_items": [2]}, {"to": "SNV", "rule_recipients": "all"}],
        }
    )
    before = snapshot()
    with pytest.raises(ReorganisationFileError, match=r"^events\[0\]: Sở GD&ĐT nhận mục 2"):
        apply(data)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("event", "place"),
    [
        (
            {"kind": "split", "agency": "SLDTBXH", "parts": [{"to": "SGDDT", "tasks": ["8.3", "9.1"]}]},
            r"events\[1\]\.parts\[0\]\.tasks: không có nhiệm vụ «9\.1»",
        ),
        ({"kind": "merge", "from": ["SKHDT"], "into": "SO_KHONG_CO"}, r"events\[1\]\.into: không có cơ quan"),
        (
            {"kind": "transfer", "from": "CATP", "to": "STP", "rule_recipients": ["khong-co"]},
            r"events\[1\]\.rule_recipients: không có chế độ báo cáo",
        ),
        ({"kind": "end", "agency": "TTTP", "on": "2025-02-30"}, r"events\[1\]\.on: ngày không hợp lệ"),
        ({"kind": "dissolve", "agency": "TTTP"}, r"events\[1\]\.kind: giá trị «dissolve» không hợp lệ"),
        ({"kind": "end", "agency": "TTTP", "verified": False}, r"events\[1\]\.unverified: "),
    ],
)
def test_a_bad_file_writes_nothing_and_names_the_place_of_the_error(plan, event, place):
    """The first event is valid and would be applied: the error in the second must undo it."""
    data = reorganisation({"kind": "end", "agency": "SNGV"}, event)
    before = snapshot()
    with pytest.raises(ReorganisationFileError, match=place):
        apply(data)
    assert snapshot() == before


def test_the_command_refuses_a_bad_file_with_its_place_and_writes_nothing(plan, tmp_path):
    path = tmp_path / "sai.json"
    path.write_text(
        '{"format": 1, "title": "x", "plan": "193/KH-UBND", "events": [{"id": "a", "kind": "end", '
        '"on": "2025-03-01", "basis": "b", "agency": "KHONG_CO"}]}',
        encoding="utf-8",
    )
    before = snapshot()
    with pytest.raises(CommandError, match=r"không có dữ liệu nào được ghi\. Lỗi tại events\[0\]\.agency"):
        call_command("load_reorganisation", str(path))
    assert snapshot() == before


def test_the_dry_run_lists_what_moves_with_the_people_to_move_and_writes_nothing(
    plan, labour_reviewer, tmp_path, capsys
):
    import json

    data = reorganisation(
        {
            "kind": "split",
            "agency": "SLDTBXH",
            "parts": [{"to": "SGDDT", "tasks": "all"}, {"to": "SNV", "rule_recipients": ["quan-huyen-thang-11"]}],
        }
    )
    path = tmp_path / "tach.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = snapshot()

    call_command("load_reorganisation", str(path), "--dry-run")

    out = capsys.readouterr().out
    assert snapshot() == before
    assert "Sở LĐTB&XH → Sở GD&ĐT: 5 phân công nhiệm vụ (3 nâng thành chủ trì" in out
    assert (
        "Sở LĐTB&XH → Sở NV: 0 phân công nhiệm vụ (0 nâng thành chủ trì, 0 đã có), 0 mục tổ chức thực hiện, "
        "1 nơi nhận báo cáo" in out
    )
    assert "Tài khoản cần chuyển sang đơn vị mới (1): sldtbxh.thamdinh (Sở LĐTB&XH)" in out
    assert out.strip().splitlines()[-1].startswith("Xem trước (chưa ghi gì): 0 cơ quan thành lập")
