"""In real headless Chromium: a reviewer signs in, opens the dashboard, filters who has not reported, and
downloads exactly those rows as XLSX."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from agencies.models import Agency
from reports.models import Progress
from tests.browser.helpers import sign_in
from tests.reports.dashboard_helpers import hand_made_cycle, task_report


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reviewer_filters_missing_reports_and_downloads_them_as_xlsx(page, live_server, plan, education_reviewer):
    made = hand_made_cycle(plan)
    sign_in(page, live_server, education_reviewer.username)

    page.click('nav.mainnav >> text="Tổng hợp"')
    page.wait_for_selector("#summary-line")
    page.goto(f"{live_server.url}{reverse('reports:dashboard')}?plan={plan.pk}&year={made['cycle'].year}")
    assert "8,1%" in page.content()  # 3 of the 37 expected reports were sent
    page.click(".dash-tabs >> text=Chưa báo cáo")
    page.select_option("#id_kind", "district")
    page.click("#dash-filters button[type=submit]")
    page.wait_for_url(lambda url: "kind=district" in url)
    shown = page.locator("table.grid tbody tr").count()
    assert shown == 14  # 15 districts, An Lão reported on time; Lê Chân's returned report is owed again

    with page.expect_download() as info:
        page.click("#export-xlsx")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Cơ quan, đơn vị", "Loại đơn vị", "Tình trạng")
    districts = set(Agency.objects.filter(kind="district").exclude(code="H_ANLAO").values_list("name", flat=True))
    assert {r[0] for r in rows[1:]} == districts
    assert {r[1] for r in rows[1:]} == {"Quận, huyện; xã, phường, đặc khu"}  # 2024: no commune existed yet


# Each header cell's content box against the widest word of its text, measured in the cell's own font.
UNBROKEN_HEADERS_JS = """
() => {
  const canvas = document.createElement("canvas").getContext("2d");
  return [...document.querySelectorAll("table.grid th")].map((th) => {
    const style = getComputedStyle(th);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const words = th.innerText.split(/\\s+/).filter(Boolean);
    const widest = Math.max(0, ...words.map((w) => canvas.measureText(w).width));
    const inner = th.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return [th.innerText, inner + 0.5 >= widest];
  });
}
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_years_table_headers_never_break_inside_a_word_at_1280_px(page, live_server, plan, education_reviewer):
    """ "Muộn" had printed as "Muộ|n" in the agency table's header on a 1280 px screen (main's overflow-wrap:
    anywhere let a column shrink to one letter)."""
    hand_made_cycle(plan)
    sign_in(page, live_server, education_reviewer.username)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}{reverse('reports:dashboard_years')}?plan={plan.pk}")
    headers = page.evaluate(UNBROKEN_HEADERS_JS)
    assert len(headers) >= 15
    assert [text for text, whole in headers if not whole] == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_long_answer_opens_in_place_and_closes_again(page, live_server, plan, education_reviewer):
    """The difficulties list shows the beginning of a 2,000-character answer; "Xem toàn văn" shows all of it in
    place of the beginning (not below it, twice), "Thu gọn" goes back."""
    made = hand_made_cycle(plan)
    answer = "Thiếu giáo viên tiếng Anh ở các xã đảo. " * 50 + "Kết thúc câu trả lời."
    task_report(made["SNV"], plan, "2.1", Progress.IN_PROGRESS, difficulties=answer)
    sign_in(page, live_server, education_reviewer.username)
    page.goto(f"{live_server.url}{reverse('reports:dashboard_issues')}?plan={plan.pk}&year={made['cycle'].year}")
    cell = page.locator("td.text:has(details)")
    assert cell.locator("p.lead").is_visible() and not cell.get_by_text("Kết thúc câu trả lời.").is_visible()
    closed_height = cell.bounding_box()["height"]
    cell.get_by_role("group").get_by_text("Xem toàn văn").click()
    assert cell.get_by_text("Kết thúc câu trả lời.").is_visible()
    assert not cell.locator("p.lead").is_visible()
    assert cell.bounding_box()["height"] > 3 * closed_height
    cell.get_by_text("Thu gọn").click()
    assert cell.locator("p.lead").is_visible() and not cell.get_by_text("Kết thúc câu trả lời.").is_visible()
