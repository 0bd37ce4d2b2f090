"""In real headless Chromium: after the 2025 reorganisation a reviewer opens "Qua các năm", switches the grouping to
today's units, finds quận Lê Chân's 2024 report counted once under the two wards that succeeded it, and downloads
the grouping as XLSX."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from agencies.models import Agency
from reports.models import SubmissionStatus
from tests.browser.helpers import sign_in
from tests.plans.reorganisation_helpers import apply, hai_phong_data
from tests.reports.dashboard_helpers import report
from tests.reports.submission_helpers import open_cycle

LE_CHAN_WARDS = {"Ủy ban nhân dân phường Lê Chân", "Ủy ban nhân dân phường An Biên"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reviewer_groups_the_years_table_by_todays_units_and_downloads_it(
    page, live_server, plan, education_reviewer, tmp_path
):
    cycle_2024 = open_cycle(plan, 2024)
    for code in ("Q_LECHAN", "Q_NGOQUYEN", "H_THUYNGUYEN", "SKHDT", "STC", "SGDDT"):
        report(cycle_2024, code, SubmissionStatus.SUBMITTED, datetime.date(2024, 11, 20))
    apply(hai_phong_data())
    cycle_2026 = open_cycle(plan, 2026)
    report(cycle_2026, "P_11383", SubmissionStatus.SUBMITTED, datetime.date(2026, 11, 10))  # Phường Lê Chân
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, live_server, education_reviewer.username)

    page.goto(f"{live_server.url}{reverse('reports:dashboard_years')}?plan={plan.pk}")
    assert page.locator("#id_group").input_value() == "time"  # the default: units of the time
    page.fill("#id_agency", "Lê Chân")
    page.click("#dash-filters button[type=submit]")
    page.wait_for_url(lambda url: "agency=" in url)
    rows = page.locator("table.grid >> nth=1 >> tbody tr")
    assert {rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())} == {
        "Ủy ban nhân dân quận Lê Chân",
        "Ủy ban nhân dân phường Lê Chân",
    }
    page.screenshot(path=tmp_path / "years-units-of-the-time-le-chan.png", full_page=True)

    page.select_option("#id_group", "today")
    page.click("#dash-filters button[type=submit]")
    page.wait_for_url(lambda url: "group=today" in url)
    assert page.locator("#lineage-help").is_visible()
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    page.screenshot(path=tmp_path / "years-todays-units-le-chan.png", full_page=True)
    inherited = [t for t in texts if "Ủy ban nhân dân quận Lê Chân" in t]
    assert len(inherited) == 1 and all(ward in inherited[0] for ward in LE_CHAN_WARDS)
    assert page.locator("table.grid >> nth=1 >> tr.inherited").count() == 2  # quận Lê Chân's, quận Ngô Quyền's

    with page.expect_download() as info:
        page.click("#export-xlsx")
    download = info.value
    assert "don-vi-hien-nay" in download.suggested_filename
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    found = list(sheet.iter_rows(values_only=True))
    assert found[0][:3] == ("Đơn vị hiện nay", "Loại đơn vị", "Kế thừa báo cáo của")
    assert len(found) == 1 + len(texts)

    # Each unit links to its page, which lists its predecessor's reports.
    ward = Agency.objects.get(code="P_11383")
    page.locator(f'a[href="{reverse("reports:agency_detail", args=[ward.pk])}"]').first.click()
    page.wait_for_selector("text=Báo cáo của các đơn vị tiền thân")

    page.goto(f"{live_server.url}{reverse('reports:dashboard_years')}?plan={plan.pk}&group=today")
    page.screenshot(path=tmp_path / "years-todays-units.png", full_page=True)
