"""In real headless Chromium: a reviewer exports a list longer than the streaming threshold, lands on the export's
progress page, which updates itself once the worker has written the file, and downloads it from there."""

from __future__ import annotations

import io
import os

import openpyxl
import pytest
from django.urls import reverse

from reports.dashboard.exports import dashboard_export_render
from reports.models import DashboardExport
from tests.browser.helpers import sign_in
from tests.reports.dashboard_helpers import hand_made_cycle

SHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_long_export_is_followed_on_its_progress_page_and_downloaded(
    page, live_server, plan, education_reviewer, settings, private_media, purged_celery_queue
):
    settings.EXPORT_STREAM_MAX_ROWS = 10
    made = hand_made_cycle(plan)
    sign_in(page, live_server, education_reviewer.username)
    page.goto(
        f"{live_server.url}{reverse('reports:dashboard_coverage_cells')}?plan={plan.pk}&year={made['cycle'].year}"
        "&role=co_operating"
    )
    page.click("#export-xlsx")
    page.wait_for_selector("#export-progress")
    assert page.locator("#export-status").get_attribute("data-status") == "queued"
    assert "tệp được tạo trong nền" in page.content()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/export-queued.png", full_page=True)

    export = DashboardExport.objects.get()
    dashboard_export_render(export_id=export.pk)  # what the Celery worker runs
    page.wait_for_selector("#export-download", timeout=10_000)  # the page refreshed itself
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/export-ready.png", full_page=True)
    with page.expect_download() as info:
        page.click("#export-download")
    rows = list(openpyxl.load_workbook(io.BytesIO(open(info.value.path(), "rb").read())).active.iter_rows())
    assert len(rows) - 1 == export.row_count > 10

    page.goto(f"{live_server.url}{reverse('reports:dashboard_exports')}")
    assert export.filename in page.content()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/export-list.png", full_page=True)
