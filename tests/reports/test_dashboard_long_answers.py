"""Reporters' long answers on the dashboard's lists: the beginning on the page, the whole text one click away
and in every export; a list that matches nothing says so.

Fifty difficulties of 2,000 characters made one page of "Khó khăn, đề xuất" 29,000 px tall (seen on a screenshot
of the city data set with realistic answers); clipped, the same page is 10,000 px."""

from __future__ import annotations

import csv
import io
import re

import pytest

from hptracker.text import nfc
from reports.dashboard.columns import CLIP_LEAD, CLIP_OVER, answer_lead
from reports.models import Progress

from . import dashboard_helpers
from .dashboard_helpers import export_text, task_report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

frozen_today = dashboard_helpers.frozen_today
made = dashboard_helpers.made
url = dashboard_helpers.dashboard_url

OPENING = "Đội ngũ giáo viên còn thiếu so với định mức, nhất là giáo viên tiếng Anh và tin học."
FILLER = " Cơ sở vật chất của một số trường xuống cấp, phòng học bộ môn chưa đủ theo chuẩn, kinh phí bố trí chậm."
CLOSING = " Đề nghị thành phố hỗ trợ các xã đảo Bạch Long Vĩ và Cát Hải, huyện Thủy Nguyên cũ."
LONG = nfc(OPENING + FILLER * 17 + CLOSING)


def details_of(html: str) -> list[str]:
    """Every <details …> opening tag of the page's answers."""
    return re.findall(r"<details[^>]*>", html)


def test_a_long_answer_shows_its_beginning_and_the_whole_text_behind_a_toggle(client, plan, made, education_reviewer):
    assert len(LONG) > 1900
    task_report(made["SNV"], plan, "2.1", Progress.IN_PROGRESS, difficulties=LONG)
    client.force_login(education_reviewer)
    html = client.get(url("dashboard_issues", plan, year=2024)).content.decode()
    lead = answer_lead(LONG)
    assert f'<p class="lead">{lead}…</p>' in html
    assert details_of(html) == ["<details>"]  # closed: the reader opens it
    assert "Xem toàn văn" in html and "Thu gọn" in html
    assert f'<div class="full">{LONG}</div>' in html  # the whole text, once, inside the toggle
    assert html.count("Bạch Long Vĩ") == 1
    # The short answers of the same page are written as they are, without a toggle.
    assert ">Thiếu kinh phí tuyên truyền.</td>" in html


def test_the_export_keeps_every_answer_whole(client, plan, made, education_reviewer):
    task_report(made["SNV"], plan, "2.1", Progress.IN_PROGRESS, difficulties=LONG, proposals=LONG[::-1])
    client.force_login(education_reviewer)
    rows = list(
        csv.reader(io.StringIO(export_text(client.get(url("dashboard_issues", plan, year=2024, _export="csv")))))
    )
    long_rows = [row for row in rows if row[4] == LONG]
    assert len(long_rows) == 1 and long_rows[0][5] == LONG[::-1]
    assert not any("Xem toàn văn" in cell or "<details" in cell for row in rows for cell in row)


@pytest.mark.parametrize(
    ("searched", "shown_open"),
    [
        ("Bạch Long Vĩ", True),  # only in the hidden part: shown open, so the reader sees why the row is listed
        ("thuỷ nguyên", True),  # the old tone placement and another case find "Thủy Nguyên" in the hidden part
        ("tiếng Anh", False),  # in the beginning already shown: left closed
    ],
)
def test_a_search_that_matches_the_hidden_part_shows_the_answer_open(
    client, plan, made, education_reviewer, searched, shown_open
):
    task_report(made["SNV"], plan, "2.1", Progress.IN_PROGRESS, difficulties=LONG)
    client.force_login(education_reviewer)
    response = client.get(url("dashboard_issues", plan, year=2024, text=searched))
    assert len(response.context["table"].page.object_list) == 1
    assert details_of(response.content.decode()) == ["<details open>" if shown_open else "<details>"]


def test_general_proposals_are_clipped_the_same_way(client, plan, made, education_reviewer):
    made["SNV"].proposals = LONG
    made["SNV"].save(update_fields=["proposals"])
    client.force_login(education_reviewer)
    html = client.get(url("dashboard_proposals", plan, year=2024, text="Bạch Long Vĩ")).content.decode()
    assert f'<p class="lead">{answer_lead(LONG)}…</p>' in html
    assert details_of(html) == ["<details open>"]


@pytest.mark.parametrize("length", [CLIP_OVER - 1, CLIP_OVER])
def test_an_answer_up_to_the_limit_is_written_whole(client, plan, made, education_reviewer, length):
    answer = (LONG * 2)[:length]
    task_report(made["SNV"], plan, "2.1", Progress.IN_PROGRESS, difficulties=answer)
    client.force_login(education_reviewer)
    html = client.get(url("dashboard_issues", plan, year=2024)).content.decode()
    assert f">{answer}</td>" in html and details_of(html) == []


@pytest.mark.parametrize(
    "text",
    [LONG, "a" * 1000, ("Hải Phòng, " * 100), ("x" * 200 + " " + "y" * 400), ("từ " * 200)],
    ids=["sentences", "one-long-word", "commas", "long-tail-word", "short-words"],
)
def test_the_beginning_of_an_answer_ends_on_a_whole_word(text):
    lead = answer_lead(text)
    assert 0 < len(lead) <= CLIP_LEAD
    assert text.startswith(lead)
    assert lead[-1] not in " ,.;:-–"
    following = text[len(lead) : len(lead) + 1]
    # Cut between words, unless a single word runs past half the limit (then cut inside it, never empty).
    assert following in ("", " ", ",", ".") or len(lead) == CLIP_LEAD


def test_a_list_that_matches_nothing_says_so(client, plan, made, education_reviewer):
    client.force_login(education_reviewer)
    for name, query in [
        ("dashboard_issues", {"text": "không có ở đâu cả"}),
        ("dashboard_proposals", {"text": "không có ở đâu cả"}),
        ("dashboard_reports", {"agency": "không có ở đâu cả"}),
    ]:
        html = client.get(url(name, plan, year=2024, **query)).content.decode()
        assert "Không có dòng nào. Hãy bỏ bớt điều kiện lọc hoặc chọn năm khác." in html, name
    # The years page's agency tables count every year: nothing to say about choosing another one.
    for grouping in ("time", "today"):
        html = client.get(url("dashboard_years", plan, agency="không có ở đâu cả", group=grouping)).content.decode()
        assert "Không có dòng nào. Hãy bỏ bớt điều kiện lọc." in html and "chọn năm khác" not in html, grouping
    html = client.get(url("dashboard_missing", plan, year=2024, agency="không có ở đâu cả")).content.decode()
    assert "Không có báo cáo nào còn thiếu với điều kiện lọc này." in html


@pytest.mark.parametrize("searched", ["kinh phí", "Kinh phí", "KINH PHÍ", "kInH pHí"])
def test_a_search_finds_the_words_in_any_case_and_tone_placement_but_not_without_their_marks(
    client, plan, made, education_reviewer, searched
):
    """The search tries the words exactly first (contains_any_spelling): what it finds is still what a
    case-insensitive search finds, each answer once, and a word without its marks is another word."""
    written = {
        "2.1": "Thiếu kinh phí tuyên truyền.",
        "2.2": "KINH PHÍ BỐ TRÍ CHẬM.",
        "2.3": "Kinh Phí sự nghiệp chưa đủ; kinh phí đầu tư cũng vậy.",
        "2.4": "Thiếu kinh phi cho huyện Thuỷ Nguyên cũ.",  # "phi" without its mark: not the word searched
    }
    for code, text in written.items():
        task_report(made["SNV"], plan, code, Progress.IN_PROGRESS, difficulties=nfc(text))
    client.force_login(education_reviewer)
    response = client.get(url("dashboard_issues", plan, year=2024, text=searched))
    found = [row.record.task.code for row in response.context["table"].page.object_list]
    assert sorted(found) == ["1.2", "2.1", "2.2", "2.3"]  # 1.2: the fixture's own "Thiếu kinh phí tuyên truyền."
    # Tone placement still found both ways ("thủy" typed, "Thuỷ" stored), in any case.
    response = client.get(url("dashboard_issues", plan, year=2024, text="THỦY nguyên"))
    assert [row.record.task.code for row in response.context["table"].page.object_list] == ["2.4"]
