"""Dashboard exports as files (issue 11) and exports of values, never markup (issue 9, item 4): a short list streams
from the request, a long one is queued as a DashboardExport that the worker renders, its requester follows it on
"Tệp đã xuất" and nobody else sees it; the sweep deletes it with its file when it expires. Lists are paged up to
a cap, with a message beyond it, in a fixed number of queries (≤ 12) whatever the data size."""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hptracker import paging
from plans.models import Plan
from reports.dashboard import listing
from reports.dashboard.exports import dashboard_export_render, dashboard_exports_sweep, sheet_name
from reports.models import DashboardExport, GeneratedReportStatus

from . import dashboard_helpers
from .dashboard_helpers import EXPORTING_PAGES, export_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

EXPORTING = EXPORTING_PAGES
LISTS = ["dashboard_reports", "dashboard_missing", "dashboard_years", "dashboard_coverage_cells", "dashboard_issues"]


frozen_today = dashboard_helpers.frozen_today
made = dashboard_helpers.made
url = dashboard_helpers.dashboard_url

csv_rows = dashboard_helpers.csv_rows


@pytest.fixture
def scale_plan(db) -> Plan:
    """A small synthetic plan with reports in every state, target values, difficulties and proposals."""
    call_command("seed_scale", agencies=8, tasks=6, years=2, stdout=io.StringIO())
    return Plan.objects.get(number="SCALE/KH")


@pytest.mark.parametrize("name", EXPORTING)
def test_every_export_holds_values_never_markup_nor_python_booleans(
    client, scale_plan, plan, made, education_reviewer, name
):
    # The synthetic plan has target values; the hand-made cycle has general proposals.
    where = url(name, plan, year=2024) if name == "dashboard_proposals" else url(name, scale_plan)
    client.force_login(education_reviewer)
    response = client.get(where + "&_export=csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert export_bytes(response).startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = csv_rows(client.get(where + "&_export=csv"))
    assert len(rows) > 1, name
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if "<" in c or "href=" in c], name
    assert not {"True", "False", "None"} & set(cells), name


def test_an_xlsx_export_goes_to_the_worker_sooner_than_a_csv_one(
    client, plan, made, education_reviewer, settings, django_capture_on_commit_callbacks
):
    """XLSX is written whole before it is sent (3,000 rows took 1.2 s in the request nationally): a list CSV
    still streams from the request becomes a queued file in XLSX."""
    client.force_login(education_reviewer)
    where = url("dashboard_coverage_cells", plan, year=2024, role="co_operating")
    rows = len(csv_rows(client.get(where + "&_export=csv"))) - 1
    settings.EXPORT_STREAM_MAX_ROWS, settings.EXPORT_XLSX_STREAM_MAX_ROWS = rows, rows - 1
    assert client.get(where + "&_export=csv").streaming  # at the CSV cap: still from the request
    with django_capture_on_commit_callbacks(execute=False):
        response = client.get(where + "&_export=xlsx")
    assert response.status_code == 302 and DashboardExport.objects.get().format == "xlsx"


def test_deadlines_read_day_month_year_on_the_page_and_in_the_export(client, scale_plan, education_reviewer):
    from reports.models import CycleDeadline

    deadlines = {d.due_on.strftime("%d/%m/%Y") for d in CycleDeadline.objects.filter(cycle__plan=scale_plan)}
    client.force_login(education_reviewer)
    page = client.get(url("dashboard_reports", scale_plan))
    shown = set(re.findall(r"<td[^>]*>\s*(\d{2}/\d{2}/\d{4})\s*</td>", page.content.decode()))
    assert shown and shown <= deadlines
    rows = csv_rows(client.get(url("dashboard_reports", scale_plan) + "&_export=csv"))
    column = rows[0].index("Hạn gửi")
    assert {row[column] for row in rows[1:]} <= deadlines and len(rows) > 1


def test_years_export_names_the_agency_and_targets_export_the_words_of_the_page(
    client, plan, made, scale_plan, education_reviewer
):
    client.force_login(education_reviewer)
    rows = csv_rows(client.get(url("dashboard_years", plan, _export="csv")))
    assert "Sở Nội vụ" in {r[0] for r in rows[1:]}
    rows = csv_rows(client.get(url("dashboard_targets", scale_plan, _export="csv")))
    met = rows[0].index("Đạt mục tiêu")
    assert {r[met] for r in rows[1:]} <= {"Đạt", "Chưa đạt"} and len(rows) > 1
    rows = csv_rows(client.get(url("dashboard_coverage", plan, year=2024, _export="csv")))
    on_time = rows[0].index("Hoàn thành đúng hạn")
    assert {r[on_time] for r in rows[1:]} <= {"Có", "Không"}


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_a_long_list_is_queued_rendered_by_the_worker_and_downloaded_by_its_requester(
    client,
    plan,
    made,
    education_reviewer,
    labour_reviewer,
    settings,
    private_media,
    django_capture_on_commit_callbacks,
    export_format,
):
    client.force_login(education_reviewer)
    streamed = csv_rows(
        client.get(url("dashboard_coverage_cells", plan, year=2024, role="co_operating", _export="csv"))
    )
    assert len(streamed) - 1 > 20

    settings.EXPORT_STREAM_MAX_ROWS = 20
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(
            url("dashboard_coverage_cells", plan, year=2024, role="co_operating", _export=export_format)
        )
    export = DashboardExport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:dashboard_export_detail", args=[export.pk]
    )
    assert export.status == GeneratedReportStatus.QUEUED and export.row_count == len(streamed) - 1
    assert export.requested_by == education_reviewer and "_export" not in export.query
    assert len(callbacks) == 1  # the render is queued once the record is committed

    page = client.get(response["Location"]).content.decode()
    assert "Đang chờ" in page and 'http-equiv="refresh"' in page

    done = dashboard_export_render(export_id=export.pk)  # the worker's task body, on the real database
    assert done is not None and done.status == GeneratedReportStatus.READY and done.expires_at > timezone.now()
    assert done.row_count == len(streamed) - 1 and Path(done.file.path).is_file()

    page = client.get(reverse("reports:dashboard_export_detail", args=[export.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page and 'id="export-download"' in page
    listing_page = client.get(reverse("reports:dashboard_exports")).content.decode()
    assert export.filename in listing_page

    download = client.get(reverse("reports:dashboard_export_download", args=[export.pk]))
    body = export_bytes(download)
    if export_format == "csv":
        assert list(csv.reader(io.StringIO(body.decode("utf-8-sig")))) == streamed
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
        assert sheet.title == "Phân công và báo cáo"  # the list's name on Excel's tab, not "Sheet"
        values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        width = len(streamed[0])  # a reader drops trailing empty cells
        assert [row + [""] * (width - len(row)) for row in values] == streamed
    assert not [row for row in streamed if row[1].endswith("…")]  # the page shortens long texts, the file does not

    client.force_login(labour_reviewer)  # another reviewer: the export does not exist for them
    for name in ("dashboard_export_detail", "dashboard_export_download"):
        assert client.get(reverse(f"reports:{name}", args=[export.pk])).status_code == 404
    assert export.filename not in client.get(reverse("reports:dashboard_exports")).content.decode()


def test_the_worker_refuses_a_requester_who_lost_the_dashboard(
    client, plan, made, education_reviewer, settings, private_media
):
    client.force_login(education_reviewer)
    settings.EXPORT_STREAM_MAX_ROWS = 1
    client.get(url("dashboard_reports", plan, year=2024, _export="csv"))
    export = DashboardExport.objects.get()
    education_reviewer.membership.delete()
    education_reviewer.refresh_from_db()
    done = dashboard_export_render(export_id=export.pk)
    assert done is not None and done.status == GeneratedReportStatus.FAILED and not done.file.name
    assert done.error == "Người yêu cầu không còn quyền xem trang tổng hợp."


def test_the_sweep_deletes_expired_exports_with_their_files(
    client, plan, made, education_reviewer, settings, private_media, django_capture_on_commit_callbacks
):
    client.force_login(education_reviewer)
    settings.EXPORT_STREAM_MAX_ROWS = 1
    client.get(url("dashboard_reports", plan, year=2024, _export="xlsx"))
    done = dashboard_export_render(export_id=DashboardExport.objects.get().pk)
    path = Path(done.file.path)
    assert path.is_file()
    counts, requeue = dashboard_exports_sweep(now=timezone.now())
    assert counts["expired"] == 0 and DashboardExport.objects.exists()
    later = done.expires_at + datetime.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        counts, requeue = dashboard_exports_sweep(now=later)
    assert counts["expired"] == 1 and not DashboardExport.objects.exists() and not path.exists()


def test_a_page_beyond_the_cap_shows_the_last_allowed_page_and_says_to_filter_or_export(
    client, plan, made, education_reviewer, monkeypatch
):
    monkeypatch.setattr(listing.CappedPaginator, "max_pages", 2)
    client.force_login(education_reviewer)
    first = client.get(url("dashboard_coverage_cells", plan, year=2024, role="co_operating"))
    assert first.status_code == 200 and 'id="page-cap"' not in first.content.decode()
    deep = client.get(url("dashboard_coverage_cells", plan, year=2024, role="co_operating", page=2998))
    html = deep.content.decode()
    assert deep.status_code == 200 and 'id="page-cap"' in html and "Hãy lọc thêm" in html
    assert deep.context["table"].page.number == 2 and not deep.context["table"].page.has_next()
    # The page asked for is named: the address said page=2998 over page 2's rows, and nothing told why.
    assert "Trang 2.998 nằm ngoài giới hạn; đây là trang 2, trang cuối cùng xem được." in html
    at_the_cap = client.get(url("dashboard_coverage_cells", plan, year=2024, role="co_operating", page=2))
    html = at_the_cap.content.decode()
    assert 'id="page-cap"' in html and "nằm ngoài giới hạn" not in html


def test_the_cap_message_groups_the_thousands_as_a_vietnamese_reader_writes_them(
    client, plan, made, education_reviewer, monkeypatch
):
    # The real cap is 20 pages of 50: the message said "1000 dòng" where every other count on the page says 1.000.
    monkeypatch.setattr(listing.CappedPaginator, "max_pages", 2)
    monkeypatch.setattr(listing.CappedPaginator, "shown_rows", property(lambda paginator: 1000))
    client.force_login(education_reviewer)
    deep = client.get(url("dashboard_coverage_cells", plan, year=2024, role="co_operating", page=2998))
    assert "Chỉ xem được 1.000 dòng đầu" in deep.content.decode()


def test_a_page_past_the_end_of_a_short_list_shows_its_last_page_with_a_vietnamese_pager(
    client, plan, made, education_reviewer
):
    # A stale link or a typed number (?page=19 of a 3-page list) used to show page 1: the reader, sent "to the
    # end", saw the beginning again. The pager was django-tables2's, in English ("previous", "next").
    client.force_login(education_reviewer)
    pages, number = [], 1
    while True:
        response = client.get(url("dashboard_coverage_cells", plan, year=2024, role="", per_page=100, page=number))
        pages.append([row.record.pk for row in response.context["table"].page.object_list])
        if not response.context["table"].page.has_next():
            break
        number += 1
    assert 2 < len(pages) < paging.MAX_PAGES
    past = client.get(url("dashboard_coverage_cells", plan, year=2024, role="", per_page=100, page=19))
    table = past.context["table"]
    assert table.page.number == len(pages) and [row.record.pk for row in table.page.object_list] == pages[-1]
    html = past.content.decode()
    assert "Trang trước" in html and not re.search(r">\s*(previous|next)\s*<", html)
    assert 'aria-current="page"' in html and 'aria-label="Chuyển trang"' in html


FILTERED = {
    "dashboard_reports": [{}, {"kind": "district"}, {"state": "missing"}, {"agency": "Sở"}],
    "dashboard_missing": [{}, {"kind": "department"}],
    "dashboard_years": [{}, {"kind": "district"}],
    "dashboard_coverage_cells": [{}, {"role": "co_operating"}, {"kind": "other"}, {"reported": "no"}],
    "dashboard_issues": [{}, {"group": 1}, {"kind": "district"}],
    "dashboard": [{}],
    "dashboard_coverage": [{}, {"status": "no_report"}],
    "dashboard_matrix": [{}],
    "dashboard_targets": [{}],
    "dashboard_proposals": [{}],
}


def _count(client, address: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries), response


def _counts(client, plan) -> tuple[dict[str, int], dict[str, int]]:
    """Queries of the first and the last page of every page and filter; and of a page number past the end (it
    shows the last page: two more queries when the list is shorter than the cap, a COUNT and that page)."""
    found, beyond = {}, {}
    for name, variants in FILTERED.items():
        for params in variants:
            found[f"{name} {params} first"], _response = _count(client, url(name, plan, **params))
            if name not in LISTS:
                continue
            beyond[f"{name} {params}"], response = _count(client, url(name, plan, page=99, **params))
            last = response.context["table"].page.number
            found[f"{name} {params} last"], _response = _count(client, url(name, plan, page=last, **params))
    return found, beyond


def test_every_page_with_every_filter_first_and_last_runs_at_most_12_queries_at_both_sizes(client, education_reviewer):
    call_command("seed_scale", agencies=6, tasks=5, years=2, stdout=io.StringIO())
    client.force_login(education_reviewer)
    plan = Plan.objects.get(number="SCALE/KH")
    client.get(url("dashboard", plan))  # warm the session and the language
    small, small_beyond = _counts(client, plan)
    call_command("seed_scale", agencies=60, tasks=20, years=4, stdout=io.StringIO())
    large, large_beyond = _counts(client, Plan.objects.get(number="SCALE/KH"))
    assert small == large
    assert {k: n for k, n in {**large, **small_beyond, **large_beyond}.items() if n > 12} == {}


def test_exported_files_page_is_for_dashboard_readers_only(
    client, plan, made, education_reviewer, agency_staff, settings, private_media
):
    client.force_login(education_reviewer)
    settings.EXPORT_STREAM_MAX_ROWS = 1
    client.get(url("dashboard_reports", plan, year=2024, _export="csv"))
    export = DashboardExport.objects.get()
    detail = reverse("reports:dashboard_export_detail", args=[export.pk])
    client.logout()
    assert client.get(reverse("reports:dashboard_exports")).status_code == 302  # to the sign-in page
    assert client.get(detail).status_code == 302
    client.force_login(agency_staff)
    assert client.get(reverse("reports:dashboard_exports")).status_code == 403
    assert client.get(detail).status_code == 404
    assert client.post(reverse("reports:dashboard_exports")).status_code == 405


def test_an_xlsx_export_holds_its_rates_and_counts_as_numbers(client, plan, made, education_reviewer):
    """Rates and means went into XLSX as text ("80.0"): Excel could neither sum nor chart them. They are numbers
    now, shown with the page's one decimal, equal to the CSV's figures."""
    client.force_login(education_reviewer)
    where = url("dashboard_years", plan)
    as_text = csv_rows(client.get(where + "&_export=csv"))
    sheet = openpyxl.load_workbook(io.BytesIO(export_bytes(client.get(where + "&_export=xlsx")))).active
    assert sheet.title == "Qua các năm"  # the list's name on Excel's tab, not "Sheet"
    cells = list(sheet.iter_rows(min_row=2))
    header = as_text[0]
    rate, expected = header.index("Tỷ lệ báo cáo"), header.index("Phải báo cáo")
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == header
    filled = [(row[rate], text) for row, text in zip(cells, as_text[1:], strict=True) if text[rate]]
    assert filled
    for cell, text in filled:
        # A number (openpyxl reads 0.0 back as 0), shown at one decimal.
        assert isinstance(cell.value, (int, float)) and cell.number_format == "0.0", cell.value
        assert cell.value == float(text[rate])
    assert all(isinstance(row[expected].value, int) for row in cells)


def test_an_exports_page_and_the_list_group_the_thousands_of_its_row_count(client, education_reviewer):
    """ "2950 dòng" beside "2.950" everywhere else (national data set): the count is written as every count is, on
    the export's page and in "Số dòng" of the list of exports."""
    export = DashboardExport.objects.create(
        requested_by=education_reviewer,
        page="dashboard_reports",
        title="Tình hình gửi báo cáo",
        format="csv",
        filename="tinh-hinh.csv",
        row_count=2950,
    )
    client.force_login(education_reviewer)
    page = client.get(reverse("reports:dashboard_export_detail", args=[export.pk])).content.decode()
    assert "2.950 dòng" in page and "2950" not in page
    listed = client.get(reverse("reports:dashboard_exports")).content.decode()
    assert re.findall(r'<td class="num">([^<]*)</td>', listed) == ["2.950"]


def test_a_sheet_is_named_as_excel_allows():
    """At most 31 characters, none of []:*?/\\ (Excel refuses the file otherwise), never empty."""
    assert sheet_name("Khó khăn, đề xuất") == "Khó khăn, đề xuất"
    assert sheet_name("Báo cáo 1/2025: [nháp]*?\\") == "Báo cáo 1 2025 nháp"
    assert sheet_name("Tình hình gửi báo cáo của các cơ quan, đơn vị") == "Tình hình gửi báo cáo của các c"
    assert sheet_name("") == sheet_name("/:") == "Sheet"


def test_a_deadline_is_a_date_in_xlsx_and_a_day_as_the_page_writes_it_in_csv(client, plan, made, education_reviewer):
    """ "Hạn gửi" went into XLSX as the text "30/11/2024": Excel could not sort by it or count days from it."""
    client.force_login(education_reviewer)
    where = url("dashboard_reports", plan, year=2024)
    as_text = csv_rows(client.get(where + "&_export=csv"))
    due = as_text[0].index("Hạn gửi")
    assert {row[due] for row in as_text[1:]} == {"30/11/2024"}
    sheet = openpyxl.load_workbook(io.BytesIO(export_bytes(client.get(where + "&_export=xlsx")))).active
    cells = [row[due] for row in sheet.iter_rows(min_row=2)]
    assert len(cells) == len(as_text) - 1
    assert {cell.value for cell in cells} == {datetime.datetime(2024, 11, 30)}  # openpyxl reads a date back so
    assert {cell.number_format for cell in cells} == {"dd/mm/yyyy"}
