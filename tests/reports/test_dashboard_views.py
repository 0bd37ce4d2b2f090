"""The dashboard's pages: who may see them, filters and exports of exactly the filtered rows, a leader's POSTs
refused, and a fixed number of queries whatever the data size."""

from __future__ import annotations

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency
from hptracker.text import collation_key
from plans.models import Plan
from reports.dashboard.selectors import ReportState, expected_reports
from reports.models import Submission, SubmissionStatus

from . import dashboard_helpers
from .dashboard_helpers import TODAY, export_bytes, export_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

PAGES = [
    "dashboard",
    "dashboard_reports",
    "dashboard_missing",
    "dashboard_years",
    "dashboard_coverage",
    "dashboard_coverage_cells",
    "dashboard_targets",
    "dashboard_issues",
    "dashboard_proposals",
]
EXPORTING = [p for p in PAGES if p != "dashboard"]


frozen_today = dashboard_helpers.frozen_today
made = dashboard_helpers.made
url = dashboard_helpers.dashboard_url


@pytest.mark.parametrize("name", PAGES)
def test_reviewer_and_leader_read_every_page(client, plan, made, education_reviewer, leader, name):
    for person in (education_reviewer, leader):
        client.force_login(person)
        response = client.get(url(name, plan))
        assert response.status_code == 200, name


@pytest.mark.parametrize("name", PAGES)
def test_leader_cannot_change_anything(client, plan, made, leader, name):
    client.force_login(leader)
    before = list(expected_reports(plan=plan, cycle=made["cycle"], today=TODAY).values_list("state", flat=True))
    for method in (client.post, client.put, client.delete):
        assert method(url(name, plan), {"state": "accepted"}).status_code == 405
    after = list(expected_reports(plan=plan, cycle=made["cycle"], today=TODAY).values_list("state", flat=True))
    assert before == after


def test_agency_staff_and_outsiders_are_refused_and_anonymous_users_sent_to_login(client, plan, agency_staff, outsider):
    for person in (agency_staff, outsider):
        client.force_login(person)
        assert client.get(url("dashboard", plan)).status_code == 403
    client.logout()
    response = client.get(url("dashboard", plan))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_nav_shows_tong_hop_only_to_those_who_may_see_the_dashboard(client, plan, education_reviewer, agency_staff):
    link = f'href="{reverse("reports:dashboard")}"'
    client.force_login(education_reviewer)
    assert link in client.get(reverse("plans:plan_detail", args=[plan.pk])).content.decode()
    client.force_login(agency_staff)
    assert link not in client.get(reverse("plans:plan_detail", args=[plan.pk])).content.decode()


def accept(*submissions) -> None:
    """Task figures come from accepted reports only (issue 9), as in the consolidated report."""
    Submission.objects.filter(pk__in=[s.pk for s in submissions]).update(status=SubmissionStatus.ACCEPTED)


def test_main_page_shows_rates_summary_line_and_chart(client, plan, made, education_reviewer):
    client.force_login(education_reviewer)
    accept(made["SNV"], made["CATP"])
    html = client.get(url("dashboard", plan, year=2024)).content.decode()
    assert "8,1%" in html and "5,4%" in html  # 3 of 37 submitted, 2 of 37 on time
    assert "Tổng số 42 nhiệm vụ; đã hoàn thành 1 (2,4%)" in html
    assert "Số liệu từ 3 báo cáo đã được chấp nhận, tính đến ngày 10/12/2024." in html
    assert "Cách tính các số liệu" in html and "theo giờ Việt Nam" in html  # each figure's sentence
    assert "<svg" in html and 'viewBox="0 0' in html


def test_missing_page_exports_exactly_the_filtered_rows_as_csv_and_xlsx(client, plan, made, education_reviewer):
    client.force_login(education_reviewer)
    wanted = set(
        expected_reports(plan=plan, cycle=made["cycle"], today=TODAY)
        .filter(agency__kind="district", state__in=[ReportState.MISSING, ReportState.RETURNED])
        .values_list("agency__name", flat=True)
    )
    assert len(wanted) == 14  # 15 districts less An Lão (on time); Lê Chân (returned) stays

    page = client.get(url("dashboard_missing", plan, year=2024, kind="district")).content.decode()
    assert all(name in page for name in wanted) and "Sở Nội vụ" not in page

    response = client.get(url("dashboard_missing", plan, year=2024, kind="district", _export="csv"))
    rows = list(csv.reader(io.StringIO(export_text(response))))
    assert rows[0] == ["Cơ quan, đơn vị", "Loại đơn vị", "Tình trạng", "Số ngày chậm", "Hạn gửi", "Năm"]
    assert {r[0] for r in rows[1:]} == wanted and len(rows) == 15
    assert {r[2] for r in rows[1:]} == {"Chưa gửi", "Bị trả lại"} and {r[3] for r in rows[1:]} == {"10"}

    response = client.get(url("dashboard_missing", plan, year=2024, kind="district", _export="xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(export_bytes(response))).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == rows[0]
    assert {r[0] for r in values[1:]} == wanted and len(values) == 15


def test_the_missing_page_and_its_export_list_agencies_in_vietnamese_order(client, plan, made, education_reviewer):
    # The page is sorted and paginated by the database, whose C collation (and SQLite's) put "quận Đồ Sơn" after
    # "quận Thuỷ Nguyên"; the stored sort name puts it among the D's, as every list sorted in Python does.
    client.force_login(education_reviewer)
    response = client.get(url("dashboard_missing", plan, year=2024, kind="district", _export="csv"))
    names = [r[0] for r in csv.reader(io.StringIO(export_text(response)))][1:]
    assert names == sorted(names, key=collation_key) and names != sorted(names)
    assert names.index("Ủy ban nhân dân quận Đồ Sơn") < names.index("Ủy ban nhân dân quận Hải An")
    page = client.get(url("dashboard_missing", plan, year=2024, kind="district")).content.decode()
    assert [page.index(name) for name in names] == sorted(page.index(name) for name in names)


def test_state_filter_and_search_narrow_the_reports_list_and_its_export(client, plan, made, education_reviewer):
    client.force_login(education_reviewer)
    response = client.get(url("dashboard_reports", plan, year=2024, state="late", _export="csv"))
    rows = list(csv.reader(io.StringIO(export_text(response))))
    assert [r[0] for r in rows[1:]] == ["Công an thành phố Hải Phòng"] or [r[0] for r in rows[1:]] == [
        Agency.objects.get(code="CATP").name
    ]
    # Typed with its marks, or without any (as many type on a phone); a mark typed means itself ("nội vu" is not
    # "nội vụ").
    for typed, found in [("nội vụ", ["Sở Nội vụ"]), ("noi vu", ["Sở Nội vụ"]), ("SO NOI VU", ["Sở Nội vụ"])]:
        response = client.get(url("dashboard_reports", plan, year=2024, agency=typed, _export="csv"))
        assert [r[0] for r in csv.reader(io.StringIO(export_text(response)))][1:] == found, typed
    response = client.get(url("dashboard_reports", plan, year=2024, agency="nội vu", _export="csv"))
    assert [r[0] for r in csv.reader(io.StringIO(export_text(response)))][1:] == []


def test_every_row_links_to_its_report(client, plan, made, education_reviewer):
    client.force_login(education_reviewer)
    html = client.get(url("dashboard_reports", plan, year=2024, state="on_time")).content.decode()
    assert reverse("reports:submission_detail", args=[made["SNV"].pk]) in html
    html = client.get(url("dashboard_issues", plan, year=2024, group=1)).content.decode()
    assert reverse("reports:submission_detail", args=[made["Q_LECHAN"].pk]) in html


@pytest.mark.parametrize("name", ["dashboard_issues", "dashboard_proposals"])
def test_a_first_visit_lists_the_year_its_filter_shows(client, education_reviewer, name):
    """Opened from a bookmark with no query string, the lists had shown every year under a filter reading the
    latest (found on screenshots of make run)."""
    call_command("seed_scale", agencies=12, tasks=6, years=2, stdout=io.StringIO())
    # The portal opens on the latest plan: make the synthetic one the latest, as a bookmark would find it.
    Plan.objects.filter(number="SCALE/KH").update(issued_on=datetime.date(2030, 1, 1))
    client.force_login(education_reviewer)
    response = client.get(reverse(f"reports:{name}"))
    shown_year = response.context["scope"].year
    assert response.context["filter"].form["year"].value() == str(shown_year)
    years = {record.year for record in _listed_cycles(response)}
    assert years == {shown_year}
    everything = client.get(reverse(f"reports:{name}"), {"plan": response.context["scope"].plan.pk, "year": ""})
    assert {record.year for record in _listed_cycles(everything)} == {shown_year}
    other_years = {c.year for c in response.context["scope"].cycles} - {shown_year}
    assert other_years, "the data set needs a second year for this test to mean something"


def _listed_cycles(response):
    rows = response.context["table"].page.object_list
    return [getattr(row.record, "submission", row.record).cycle for row in rows]


def test_issues_filter_by_group_and_kind_and_export_vietnamese_headers(client, plan, made, education_reviewer):
    client.force_login(education_reviewer)
    response = client.get(url("dashboard_issues", plan, year=2024, kind="district", _export="xlsx"))
    values = list(openpyxl.load_workbook(io.BytesIO(export_bytes(response))).active.iter_rows(values_only=True))
    assert values[0][:6] == ("Năm", "Nhóm", "Nhiệm vụ", "Cơ quan, đơn vị", "Khó khăn, vướng mắc", "Đề xuất, kiến nghị")
    assert [r[3] for r in values[1:]] == [Agency.objects.get(code="Q_LECHAN").name]


def test_coverage_marks_tasks_no_lead_reported_on_and_filters_by_status(client, plan, made, education_reviewer):
    client.force_login(education_reviewer)
    accept(made["SNV"], made["CATP"])
    response = client.get(url("dashboard_coverage", plan, year=2024, status="no_report", _export="csv"))
    rows = list(csv.reader(io.StringIO(export_text(response))))
    assert len(rows) == 1 + 39 and {r[4] for r in rows[1:]} == {"Chưa có báo cáo"}
    html = client.get(url("dashboard_coverage", plan, year=2024)).content.decode()
    assert len(re.findall(r'<tr [^>]*class="[^"]*\bnobody\b', html)) == 39


def _count_queries(client, plan) -> dict[str, int]:
    counts = {}
    for name in PAGES:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(name, plan)).status_code == 200
        counts[name] = len(queries)
    return counts


def test_every_page_runs_the_same_number_of_queries_at_two_data_sizes(client, education_reviewer):
    call_command("seed_scale", agencies=6, tasks=5, years=2, stdout=io.StringIO())
    client.force_login(education_reviewer)  # the Sở GD&ĐT's reviewer reads every plan
    plan = Plan.objects.get(number="SCALE/KH")
    client.get(url("dashboard", plan))  # warm the session and the language
    small = _count_queries(client, plan)
    call_command("seed_scale", agencies=60, tasks=20, years=4, stdout=io.StringIO())
    plan = Plan.objects.get(number="SCALE/KH")
    large = _count_queries(client, plan)
    assert small == large
    assert small["dashboard"] <= 20 and max(small.values()) <= 20


def test_the_agency_name_filter_finds_both_tone_placements(client, plan, education_reviewer):
    from agencies.models import Agency

    Agency.objects.filter(code="H_THUYNGUYEN").update(name="Ủy ban nhân dân huyện Thuỷ Nguyên")  # old placement
    client.force_login(education_reviewer)
    from reports.cycles.services import cycle_open

    cycle_open(plan=plan, year=2026)
    for typed in ("thủy nguyên", "THUỶ NGUYÊN"):
        html = client.get(reverse("reports:dashboard_reports"), {"year": 2026, "agency": typed}).content.decode()
        assert "Thuỷ Nguyên" in html, typed
        assert "Lê Chân" not in html


@pytest.mark.parametrize("query", [{}, {"group": "today"}, {"kind": "district"}, {"agency": "Lê Chân"}])
def test_the_years_page_joins_the_expected_reports_once_for_both_tables(client, plan, made, education_reviewer, query):
    """Both tables of the years page come from one counting statement: without a filter one join of the expected
    reports serves both (it was two aggregations of the same join, the page's cost at national scale), one
    aggregate by GROUPING SETS, and the family filter picks among its agency rows; with a name filter, the
    statement reads the whole set for the years and the filtered set for the agencies."""
    client.force_login(education_reviewer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("dashboard_years", plan, **query))
    assert response.status_code == 200
    joining = [q["sql"] for q in queries if '"plans_dutyitem_agencies"' in q["sql"]]
    assert len(joining) == 1
    # One pass over the join (GROUPING SETS); the whole set and the filtered one with a name filter.
    assert joining[0].count('FROM "plans_dutyitem_agencies"') == (2 if query.get("agency") else 1)
    assert "GROUPING SETS" in joining[0]


@pytest.mark.parametrize("family", ["department", "district", "other"])
def test_the_years_page_filtered_by_family_lists_what_the_filtered_rows_count(
    client, plan, made, education_reviewer, family
):
    """The family filter picks among the whole count's agency rows: the same rows and figures as counting the
    filtered expected reports (the filter's own definition, on the agency's indexed kind)."""
    from reports.dashboard.filters import AgencyYearsFilter
    from reports.dashboard.selectors import agency_completeness

    client.force_login(education_reviewer)
    response = client.get(url("dashboard_years", plan, kind=family))
    shown = [
        (row["agency_id"], row["expected"], row["on_time"], row["returned"])
        for row in response.context["table"].data.data
    ]
    every = expected_reports(plan=plan, today=TODAY)
    filtered = AgencyYearsFilter({"kind": family}, queryset=every).qs
    counted = [
        (row["agency_id"], row["expected"], row["on_time"], row["returned"])
        for row in agency_completeness(plan=plan, today=TODAY, rows=filtered)
    ]
    assert shown == counted and shown
    assert response.context["years_table"].rows[0].get_cell("expected")  # the years table is filled
    assert len(response.context["table"].rows) > 0


def test_the_plan_in_the_address_is_read_as_an_id_or_left_out(client, plan, education_reviewer):
    """?plan= that no page of ours writes (0, a sign, other digits, too large) shows the latest plan as if it were
    absent; a well-formed id of no plan is a 404."""
    client.force_login(education_reviewer)
    for odd in ("0", "-1", "+3", "٣", "1e3", "99999999999999999999"):
        response = client.get(reverse("reports:dashboard"), {"plan": odd})
        assert response.status_code == 200 and response.context["scope"].plan == plan, odd
    assert client.get(reverse("reports:dashboard"), {"plan": plan.pk + 1000}).status_code == 404


def test_the_targets_page_says_its_averages_are_of_accepted_reports_only(client, plan, made, education_reviewer):
    """The averages count accepted reports only (FIGURE_STATUSES); the page had said "sent or accepted"."""
    from reports.dashboard.basis import FIGURE_STATUSES

    assert tuple(FIGURE_STATUSES) == (SubmissionStatus.ACCEPTED,)
    client.force_login(education_reviewer)
    html = client.get(url("dashboard_targets", plan)).content.decode()
    assert "trong các báo cáo đã được chấp nhận (báo cáo đã gửi, chờ thẩm định, chưa được tính)" in html
    assert "đã gửi hoặc đã được chấp nhận" not in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(url("dashboard_targets", plan)).content.decode()
    assert "average of the values agencies reported in accepted reports" in english


LISTS_AND_SORTS = [
    ("dashboard_reports", ""),
    ("dashboard_reports", "state"),
    ("dashboard_reports", "-kind_group"),
    ("dashboard_reports", "agency"),
    ("dashboard_missing", ""),
    ("dashboard_missing", "state"),
    ("dashboard_coverage_cells", "role"),
    ("dashboard_coverage_cells", "reported_progress"),
    ("dashboard_coverage_cells", "-agency"),
    ("dashboard_issues", ""),
    ("dashboard_issues", "agency"),
    ("dashboard_issues", "-year"),
    ("dashboard_proposals", ""),
    ("dashboard_proposals", "-agency"),
]


def _row_key(record) -> tuple:
    """What tells two rows of a list apart: an expected report is one (agency, rule, cycle), other rows their id."""
    if hasattr(record, "rule_id") and hasattr(record, "cycle_id") and hasattr(record, "state"):
        return (record.agency_id, record.rule_id, record.cycle_id)
    return (record.pk,)


@pytest.mark.parametrize(("name", "sort"), LISTS_AND_SORTS)
def test_the_pages_of_a_list_show_each_row_once_whatever_it_is_sorted_by(client, education_reviewer, name, sort):
    """The dashboard's lists page in a total order (listing.ListRows): the list's order or the column sorted by,
    then what tells rows apart. Sorted by state, role or agency, rows tie by the dozen, and PostgreSQL orders
    ties differently for each LIMIT and OFFSET: a row could show on two pages and another on none. The lists of
    answers choose a page by the ids (listing.PageChosenByIds), in the same order."""
    call_command("seed_scale", agencies=60, tasks=10, years=2, stdout=io.StringIO())
    scale = Plan.objects.get(number="SCALE/KH")
    client.force_login(education_reviewer)
    asked = {"plan": scale.pk, "per_page": 100, **({"sort": sort} if sort else {})}
    every = list(client.get(reverse(f"reports:{name}"), asked).context["table"].data.data)
    per_page = max(1, len(every) // 6)
    assert len(every) >= 2 * per_page >= 2, "several pages are needed for this test to mean something"
    shown = []
    for number in range(1, -(-len(every) // per_page) + 1):  # past the last page the pager shows it again
        response = client.get(reverse(f"reports:{name}"), {**asked, "per_page": per_page, "page": number})
        shown += [row.record for row in response.context["table"].page.object_list]
    assert sorted(map(_row_key, shown)) == sorted(map(_row_key, every))
    assert len(set(map(_row_key, shown))) == len(shown)
    if sort.endswith("agency"):
        agencies = [getattr(r, "submission", r).agency.name for r in shown]
        keys = [collation_key(agency)[0] for agency in agencies]
        assert keys == sorted(keys, reverse=sort.startswith("-"))


def test_an_agency_row_of_the_years_page_links_to_that_agencys_reports_of_every_cycle(
    client, plan, made, education_reviewer
):
    """A row counts the agency's reports of every cycle; its link opens the agency's page (every cycle), not the
    reports list searched by name, which opened the latest year only and every agency whose name contains it."""
    client.force_login(education_reviewer)
    response = client.get(url("dashboard_years", plan))
    rows = response.context["table"].data.data
    assert rows
    html = response.content.decode()
    for row in rows[:3]:
        link = reverse("reports:agency_detail", args=[row["agency_id"]])
        assert f'href="{link}"' in html, row["agency__name"]
    assert reverse("reports:dashboard_reports") + "?agency=" not in html
    page = client.get(reverse("reports:agency_detail", args=[rows[0]["agency_id"]]))
    assert page.status_code == 200


@pytest.mark.parametrize(("figure", "state"), [("missing", ReportState.MISSING), ("returned", ReportState.RETURNED)])
def test_the_overviews_missing_and_returned_figures_open_the_list_of_what_they_count(
    client, plan, made, education_reviewer, figure, state
):
    """The overview's "chưa gửi" figure opened the list of every report still owed, returned ones included: 290
    on the card, 405 rows in the list (national data set). Each figure now opens exactly its own reports."""
    client.force_login(education_reviewer)
    overview = client.get(url("dashboard", plan))
    counted = getattr(overview.context["total"], figure)
    assert counted > 0
    link = re.search(rf'<a href="([^"]+)" id="stat-{figure}">', overview.content.decode()).group(1)
    listed = client.get(link.replace("&amp;", "&"))
    assert listed.status_code == 200
    rows = list(listed.context["table"].data)
    assert len(rows) == counted
    assert {row.state for row in rows} == {state}
