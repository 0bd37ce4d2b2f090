"""The seed parser and the plan data file generated from it (no database, no Django).

The tests read the copy of the signed text kept in the repository (plans/data/seed/), so that they never
depend on the shared folder that sits beside the checkout on a developer machine but not necessarily in CI.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    # Imports resolve from the repo root without any pytest pythonpath setting.
    sys.path.insert(0, str(REPO))

from plans.seed import ParsedPlan, clean_scanned_text, parse_plan_text  # noqa: E402

SEED_NAME = "ke-hoach-193-KH-UBND-2021.txt"
SEED = REPO / "plans" / "data" / "seed" / SEED_NAME
SHARED_SEED = REPO.parent / "shared" / "seed" / SEED_NAME  # beside the checkout, where CI and dev put shared/
DATA = REPO / "plans" / "data" / "ke-hoach-193-KH-UBND-2021.json"

NOISE = ["(Chữ ký)", "✓", "bỏ nhiệm", "\ntao"]

DISTRICTS = [
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
]


@pytest.fixture(scope="module")
def raw() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cleaned(raw: str) -> str:
    return clean_scanned_text(raw)


@pytest.fixture(scope="module")
def plan(raw: str) -> ParsedPlan:
    return parse_plan_text(raw)


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_repo_copy_of_seed_is_unchanged() -> None:
    if not SHARED_SEED.exists():
        pytest.skip("shared/ is not beside this checkout")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_structure_counts(plan: ParsedPlan) -> None:
    assert [group.number for group in plan.groups] == list(range(1, 9))
    assert [len(group.tasks) for group in plan.groups] == [4, 4, 9, 7, 3, 3, 3, 9]
    assert plan.task_count == 42
    assert [item.number for item in plan.duties] == list(range(1, 15))
    assert len(plan.purposes) == 2
    assert len(plan.requirements) == 3


def test_header_and_closing(plan: ParsedPlan) -> None:
    assert plan.number == "193/KH-UBND"
    assert plan.place == "Hải Phòng"
    assert plan.issued_on is not None and plan.issued_on.isoformat() == "2021-08-19"
    assert plan.title.startswith("Triển khai thực hiện Kết luận số 134-KL/TU")
    assert plan.introduction.startswith("Thực hiện Kết luận số 134-KL/TU")
    # Signed wording kept as is, including the missing "dân".
    assert "Ủy ban nhân thành phố ban hành" in plan.introduction
    assert plan.closing.startswith("Trong quá trình triển khai thực hiện Kế hoạch")
    assert plan.closing.endswith("xem xét, quyết định./.")
    assert plan.recipients[0] == "Thường trực Thành ủy"
    assert plan.recipients[-1] == "Lưu: VT"
    assert len(plan.recipients) == 12
    assert plan.signer is not None
    assert (plan.signer.authority, plan.signer.prefix, plan.signer.title, plan.signer.name) == (
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Lê Khắc Nam",
    )


def test_duty_items(plan: ParsedPlan) -> None:
    requested = [item.number for item in plan.duties if item.requested]
    assert requested == [12, 13]
    item14 = plan.duties[13]
    assert item14.heading == "Các sở, ban, ngành, địa phương, đơn vị liên quan"
    assert len(item14.duties) == 1 and item14.duties[0].startswith("căn cứ chức năng, nhiệm vụ được giao")
    assert item14.duties[0].endswith("trước ngày 30/11 hằng năm).")
    # Items without bullets keep their single paragraph.
    assert [len(item.duties) for item in plan.duties] == [4, 2, 2, 1, 2, 1, 3, 2, 1, 1, 6, 1, 1, 1]


@pytest.mark.parametrize("noise", NOISE)
def test_no_scanning_noise_survives(noise: str, cleaned: str, plan: ParsedPlan) -> None:
    assert noise not in cleaned
    everything = "\n".join(
        [
            *plan.purposes,
            *plan.requirements,
            *(t for g in plan.groups for t in g.tasks),
            *(d for i in plan.duties for d in i.duties),
            plan.closing,
        ]
    )
    assert noise.strip() not in everything


def test_no_lone_letter_line(cleaned: str) -> None:
    assert "u" not in cleaned.split("\n")
    assert all(len(line.strip()) != 1 for line in cleaned.split("\n"))


def test_cleaning_is_nfc_and_idempotent(raw: str, cleaned: str) -> None:
    assert unicodedata.is_normalized("NFC", cleaned)
    assert clean_scanned_text(cleaned) == cleaned
    # NFD input (text pasted from macOS or Word) gives the same result.
    assert clean_scanned_text(unicodedata.normalize("NFD", raw)) == cleaned


def test_word_fixes(plan: ParsedPlan) -> None:
    assert "bổ nhiệm, thi, xét thăng hạng" in plan.groups[3].tasks[3]
    assert plan.groups[7].tasks[3].endswith("hội nhập quốc tế sâu rộng.")


def test_page_broken_paragraphs_are_joined(plan: ParsedPlan) -> None:
    bullet = next(task for task in plan.groups[3].tasks if "bồi dưỡng học sinh giỏi" in task)
    assert bullet == (
        "Chỉ đạo thực hiện đầy đủ, kịp thời các chính sách đối với nhà giáo, cán bộ quản lý, học sinh, "
        "sinh viên theo quy định: hỗ trợ kinh phí, bảo hiểm xã hội cho giáo viên mầm non; chính sách hỗ trợ "
        "học phí cho học sinh mầm non đến trung học phổ thông; cơ chế chính sách trong phát hiện, đào tạo, "
        "bồi dưỡng học sinh giỏi; tuyển chọn, sử dụng, đãi ngộ đội ngũ giáo viên giỏi trong lĩnh vực "
        "đào tạo, bồi dưỡng học sinh giỏi quốc gia, quốc tế thành phố Hải Phòng."
    )
    assert plan.requirements[1].endswith(
        "gắn với tình hình thực tế. của thành phố và nhiệm vụ của từng cơ quan, địa phương, đơn vị; "
        "xác định rõ mục tiêu, lộ trình, tiến độ thực hiện."
    )
    assert (
        plan.duties[10]
        .duties[0]
        .endswith(
            "gửi Sở Giáo dục và Đào tạo, Sở Lao động Thương binh và Xã hội để tổng hợp, "
            "báo cáo Ủy ban nhân dân thành phố."
        )
    )


def test_signed_oddities_are_kept(plan: ParsedPlan) -> None:
    assert "giáo dục và đào tạo.. Thực hiện" in plan.groups[2].tasks[8]
    assert plan.groups[7].tasks[6].endswith("lao động trong doanh nghiệp,")


def test_json_strings_are_nfc(data: dict[str, Any]) -> None:
    bad = [s for s in _strings(data) if not unicodedata.is_normalized("NFC", s)]
    assert bad == []


def test_json_texts_equal_parsed_seed(data: dict[str, Any], plan: ParsedPlan) -> None:
    assert [g["number"] for g in data["groups"]] == [g.number for g in plan.groups]
    for group, parsed in zip(data["groups"], plan.groups, strict=True):
        assert group["title"] == parsed.title
        assert [t["number"] for t in group["tasks"]] == list(range(1, len(parsed.tasks) + 1))
        assert [t["text"] for t in group["tasks"]] == parsed.tasks
    for item, parsed_item in zip(data["duties"], plan.duties, strict=True):
        assert (item["number"], item["heading"], item["requested"]) == (
            parsed_item.number,
            parsed_item.heading,
            parsed_item.requested,
        )
        assert item["duties"] == parsed_item.duties
    assert data["introduction"] == plan.introduction
    assert data["closing"] == plan.closing
    assert data["recipients"] == plan.recipients
    assert data["title"] == plan.title
    assert [o["text"] for o in data["objectives"] if o["section"] == "purpose"] == plan.purposes
    assert [o["text"] for o in data["objectives"] if o["section"] == "requirement"] == plan.requirements


def _referenced_codes(data: dict[str, Any]) -> set[str]:
    codes = {data["issuer"]}
    for group in data["groups"]:
        for task in group["tasks"]:
            codes.update(task["lead"], task["co_operating"])
    for item in data["duties"]:
        codes.update(item["agencies"])
    for rule in data["rules"]:
        codes.update(rule["recipients"])
        codes.add(rule["final_recipient"])
    for agency in data["agencies"]:
        codes.update(successor["code"] for successor in agency["successors"])
    return codes


def test_every_referenced_agency_exists(data: dict[str, Any]) -> None:
    known = [agency["code"] for agency in data["agencies"]]
    assert len(known) == len(set(known)), "duplicate agency codes"
    assert _referenced_codes(data) - set(known) == set()


def test_tasks_have_leads(data: dict[str, Any]) -> None:
    tasks = [task for group in data["groups"] for task in group["tasks"]]
    assert len(tasks) == 42
    for task in tasks:
        assert task["lead"], task["text"][:60]
        assert not set(task["lead"]) & set(task["co_operating"])
        assert task["assignment"] in ("stated", "proposed")
        assert task["assignment_note"]


def test_duty_agencies_and_rules(data: dict[str, Any]) -> None:
    by_number = {item["number"]: item for item in data["duties"]}
    assert by_number[1]["agencies"] == ["SGDDT"]
    assert sorted(by_number[11]["agencies"]) == sorted(DISTRICTS)
    assert by_number[12]["agencies"] == ["BTGTU"]
    assert by_number[13]["agencies"] == ["UBMTTQ"]
    assert len(by_number[14]["agencies"]) == 11
    # Every duty item owes exactly one yearly submission; the Sở GD&ĐT (item 1) reports its own tasks like every
    # "sở" of item 14 and, besides, writes the consolidated report.
    reporters = sorted(n for rule in data["rules"] if not rule["consolidates"] for n in rule["reporters"])
    assert reporters == list(range(1, 15))
    assert [rule["reporters"] for rule in data["rules"] if rule["consolidates"]] == [[1]]


def test_targets_point_at_their_tasks(data: dict[str, Any]) -> None:
    texts = {f"{g['number']}.{t['number']}": t["text"] for g in data["groups"] for t in g["tasks"]}
    for target in data["targets"]:
        assert f"{target['target_value']}%" in texts[target["task"]], target["code"]


def test_symbols_keep_d_with_stroke(data: dict[str, Any]) -> None:
    symbols = {agency["code"]: agency["symbol"] for agency in data["agencies"]}
    assert symbols["SGDDT"] == "SGDĐT"
    assert symbols["SLDTBXH"] == "SLĐTBXH"
    assert symbols["SKHDT"] == "SKHĐT"
    assert symbols["DHHP"] == "ĐHHP"
