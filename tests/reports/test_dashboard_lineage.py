"""The years table by today's units (issue 13, item 4): a merged department's reports join its successor's row, a
split district's reports are counted once under the set of communes that succeeded it (marked as inherited), a
function transfer moves no reports; the rows of both groupings add up to the same totals; the page and its export
offer the choice (?group=), in a fixed number of queries."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, SuccessionKind
from plans.models import Plan
from reports.dashboard.exports import dashboard_export_render
from reports.dashboard.lineage import agency_heirs
from reports.models import DashboardExport, GeneratedReportStatus, SubmissionStatus
from tests.plans.reorganisation_helpers import apply, hai_phong_data, reorganisation
from tests.reports.dashboard_helpers import export_text, report
from tests.reports.submission_helpers import open_cycle

pytestmark = pytest.mark.django_db

INHERITED_ROW = re.compile(r'<tr [^>]*class="[^"]*\binherited\b')
COLUMNS = ("Phải báo cáo", "Đúng hạn", "Muộn", "Trả lại", "Chưa gửi")


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-12-10 10:00 +07:00", tick=False):
        yield


def commune(code: str, name: str) -> dict:
    return {
        "code": code,
        "name": name,
        "short_name": name.replace("Ủy ban nhân dân ", "UBND "),
        "symbol": code,
        "kind": "commune",
        "parent_body": "UBND THÀNH PHỐ HẢI PHÒNG",
        "place_name": name.split("phường ")[-1],
        "valid_from": "2025-07-01",
    }


COMMUNES = {
    "P_MOT": "Ủy ban nhân dân phường Thử Một",
    "P_HAI": "Ủy ban nhân dân phường Thử Hai",
    "P_BA": "Ủy ban nhân dân phường Thử Ba",
}


def district_split(district: str, *communes: str) -> dict:
    return {
        "kind": "split",
        "on": "2025-07-01",
        "agency": district,
        "parts": [{"to": code, "tasks": "all", "duty_items": "all"} for code in communes],
    }


def small_reorganisation() -> dict:
    """A merger (Sở KH&ĐT into Sở Tài chính), two districts split between three communes (Phường Thử Hai takes
    land from both), and a function transfer (Công an → Sở Tư pháp, task 2.4), the agency going on."""
    return reorganisation(
        {"kind": "merge", "from": ["SKHDT"], "into": "STC"},
        {"kind": "transfer", "from": "CATP", "to": "STP", "tasks": ["2.4"]},
        {"kind": "create", "on": "2025-07-01", "agencies": list(COMMUNES)},
        district_split("Q_LECHAN", "P_MOT", "P_HAI"),
        district_split("Q_NGOQUYEN", "P_HAI", "P_BA"),
        agencies=[commune(code, name) for code, name in COMMUNES.items()],
    )


@pytest.fixture
def reorganised(plan):
    """2024 (before): Lê Chân on time, Ngô Quyền late, Sở KH&ĐT on time, Sở TC returned, Công an on time.
    2026 (after): Phường Thử Một on time, Sở TC late; everyone else missing."""
    cycle_2024 = open_cycle(plan, 2024)
    report(cycle_2024, "Q_LECHAN", SubmissionStatus.ACCEPTED, datetime.date(2024, 11, 20))
    report(cycle_2024, "Q_NGOQUYEN", SubmissionStatus.SUBMITTED, datetime.date(2024, 12, 5))
    report(cycle_2024, "SKHDT", SubmissionStatus.SUBMITTED, datetime.date(2024, 11, 28))
    report(cycle_2024, "STC", SubmissionStatus.RETURNED, datetime.date(2024, 11, 29))
    report(cycle_2024, "CATP", SubmissionStatus.ACCEPTED, datetime.date(2024, 11, 1))
    apply(small_reorganisation())
    cycle_2026 = open_cycle(plan, 2026)
    report(cycle_2026, "P_MOT", SubmissionStatus.SUBMITTED, datetime.date(2026, 11, 10))
    report(cycle_2026, "STC", SubmissionStatus.SUBMITTED, datetime.date(2026, 12, 2))
    return plan


def years_url(plan: Plan, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"plan": plan.pk, **params}.items())
    return f"{reverse('reports:dashboard_years')}?{query}"


def csv_rows(client, plan: Plan, **params) -> list[dict[str, str]]:
    response = client.get(years_url(plan, _export="csv", **params))
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(export_text(response))))


def units(row: dict[str, str]) -> frozenset[str]:
    return frozenset(row["Đơn vị hiện nay"].split("; "))


def figures(row: dict[str, str]) -> tuple[int, ...]:
    return tuple(int(row[c]) for c in COLUMNS)


def totals(rows: list[dict[str, str]]) -> tuple[int, ...]:
    return tuple(sum(figures(r)[i] for r in rows) for i in range(len(COLUMNS)))


def test_by_default_each_agency_of_the_time_keeps_its_own_row(client, reorganised, education_reviewer):
    client.force_login(education_reviewer)
    rows = {r["Cơ quan, đơn vị"]: r for r in csv_rows(client, reorganised)}
    assert figures(rows["Ủy ban nhân dân quận Lê Chân"]) == (1, 1, 0, 0, 0)
    assert figures(rows["Sở Kế hoạch và Đầu tư"]) == (1, 1, 0, 0, 0)
    assert figures(rows["Sở Tài chính"]) == (2, 0, 1, 1, 0)
    assert csv_rows(client, reorganised, group="time") == list(rows.values())


def test_by_todays_units_a_merged_departments_reports_join_the_row_of_the_department_it_merged_into(
    client, reorganised, education_reviewer
):
    client.force_login(education_reviewer)
    rows = {r["Đơn vị hiện nay"]: r for r in csv_rows(client, reorganised, group="today")}
    finance = rows["Sở Tài chính"]
    assert figures(finance) == (3, 1, 1, 1, 0)  # its own 2024 (returned) and 2026 (late), Sở KH&ĐT's 2024 (on time)
    assert finance["Kế thừa báo cáo của"] == "Sở Kế hoạch và Đầu tư"
    assert "Sở Kế hoạch và Đầu tư" not in rows
    # A function transfer hands over a task, not the agency's history: Công an keeps its own row.
    assert figures(rows["Công an thành phố Hải Phòng"]) == (2, 1, 0, 0, 1)
    assert rows["Công an thành phố Hải Phòng"]["Kế thừa báo cáo của"] == ""
    assert rows["Sở Tư pháp"]["Kế thừa báo cáo của"] == ""


def test_a_split_districts_reports_are_counted_once_under_the_set_of_its_successors_marked_inherited(
    client, reorganised, education_reviewer
):
    client.force_login(education_reviewer)
    rows = csv_rows(client, reorganised, group="today")
    by_units = {units(r): r for r in rows}
    one, two, three = COMMUNES.values()

    le_chan = by_units[frozenset({one, two})]
    assert le_chan["Kế thừa báo cáo của"] == "Ủy ban nhân dân quận Lê Chân"
    assert figures(le_chan) == (1, 1, 0, 0, 0)  # once, not once per commune
    ngo_quyen = by_units[frozenset({two, three})]
    assert ngo_quyen["Kế thừa báo cáo của"] == "Ủy ban nhân dân quận Ngô Quyền"
    assert figures(ngo_quyen) == (1, 0, 1, 0, 0)
    # Each commune's own 2026 report stays on its own row, which inherits nothing.
    assert figures(by_units[frozenset({one})]) == (1, 1, 0, 0, 0)
    assert figures(by_units[frozenset({two})]) == (1, 0, 0, 0, 1)
    assert figures(by_units[frozenset({three})]) == (1, 0, 0, 0, 1)
    assert {by_units[frozenset({c})]["Kế thừa báo cáo của"] for c in (one, two, three)} == {""}
    # The split districts are no unit of today (the others, not reorganised here, still are).
    today = {name for r in rows for name in units(r)}
    assert not {"Ủy ban nhân dân quận Lê Chân", "Ủy ban nhân dân quận Ngô Quyền"} & today
    assert "Ủy ban nhân dân quận Hải An" in today


def test_both_groupings_count_every_expected_report_exactly_once(client, reorganised, education_reviewer):
    client.force_login(education_reviewer)
    of_the_time = csv_rows(client, reorganised)
    today = csv_rows(client, reorganised, group="today")

    assert totals(today) == totals(of_the_time)
    assert len(today) < len(of_the_time)  # merged and split agencies fold into fewer rows
    # Every agency of the time is counted in exactly one row of today's units: its own, or one that inherits it.
    inherited = [name for r in today for name in r["Kế thừa báo cáo của"].split("; ") if name]
    own = {name for r in today for name in units(r)}
    assert len(inherited) == len(set(inherited)) and not set(inherited) & own
    assert {r["Cơ quan, đơn vị"] for r in of_the_time} <= own | set(inherited)


def test_the_years_table_is_the_same_in_both_groupings(client, reorganised, education_reviewer):
    client.force_login(education_reviewer)
    time_html = client.get(years_url(reorganised)).content.decode()
    today_html = client.get(years_url(reorganised, group="today")).content.decode()
    assert first_table(time_html) == first_table(today_html)
    assert "2024" in first_table(time_html) and "2026" in first_table(time_html)


def first_table(html: str) -> str:
    start = html.index("<table")
    return html[start : html.index("</table>", start)]


def test_the_page_offers_the_choice_marks_inherited_rows_and_links_each_unit_to_its_page(
    client, reorganised, education_reviewer
):
    client.force_login(education_reviewer)
    html = client.get(years_url(reorganised)).content.decode()
    assert 'name="group"' in html and "Đơn vị hiện nay (theo kế thừa)" in html
    assert not INHERITED_ROW.findall(html) and "lineage-help" not in html

    html = client.get(years_url(reorganised, group="today")).content.decode()
    assert '<option value="today" selected>' in html
    assert "Theo đơn vị hiện nay, cộng dồn các năm" in html and 'id="lineage-help"' in html
    assert len(INHERITED_ROW.findall(html)) == 2 + 1  # two split districts, one merger
    mot = Agency.objects.get(code="P_MOT")
    assert f'href="{reverse("reports:agency_detail", args=[mot.pk])}"' in html


def test_filters_by_todays_units_find_a_unit_or_an_agency_it_inherited_from(client, reorganised, education_reviewer):
    client.force_login(education_reviewer)
    # The typed name of a former district finds the row that inherits its reports (either tone placement).
    rows = csv_rows(client, reorganised, group="today", agency="quận lê chân")
    assert [r["Kế thừa báo cáo của"] for r in rows] == ["Ủy ban nhân dân quận Lê Chân"]
    # A commune's name finds its own row and both rows it shares with a neighbour.
    assert len(csv_rows(client, reorganised, group="today", agency="THỬ HAI")) == 3
    # Typed without a mark, as many do on a phone, the names are found all the same (and in the plain grouping).
    assert len(csv_rows(client, reorganised, group="today", agency="thu hai")) == 3
    rows = csv_rows(client, reorganised, group="today", agency="QUAN LE CHAN")
    assert [r["Kế thừa báo cáo của"] for r in rows] == ["Ủy ban nhân dân quận Lê Chân"]
    assert [r["Cơ quan, đơn vị"] for r in csv_rows(client, reorganised, agency="quan le chan")] == [
        "Ủy ban nhân dân quận Lê Chân"
    ]
    # The family is today's units'. The communes that succeeded the split districts are local government too, so
    # the districts' reports stay in the local family, on the rows of their successors: 13 districts not split
    # here, the 3 communes' own rows and the 2 rows that inherit Lê Chân's and Ngô Quyền's reports.
    local = csv_rows(client, reorganised, group="today", kind="district")
    assert {r["Loại đơn vị"] for r in local} == {"Quận, huyện; xã, phường, đặc khu"} and len(local) == 13 + 3 + 2
    assert {r["Kế thừa báo cáo của"] for r in local} == {
        "",
        "Ủy ban nhân dân quận Lê Chân",
        "Ủy ban nhân dân quận Ngô Quyền",
    }
    assert set(COMMUNES.values()) <= {name for r in local for name in units(r)}
    # Nothing leaves the family or enters it on the way: both groupings count the same local reports.
    assert totals(local) == totals(csv_rows(client, reorganised, kind="district"))
    departments = csv_rows(client, reorganised, group="today", kind="department")
    assert "Sở Tài chính" in {r["Đơn vị hiện nay"] for r in departments}
    assert {r["Loại đơn vị"] for r in departments} == {"Sở, ban, ngành"}


def test_the_export_by_todays_units_is_named_for_it_and_holds_the_page_figures(client, reorganised, education_reviewer):
    client.force_login(education_reviewer)
    response = client.get(years_url(reorganised, group="today", _export="csv"))
    assert "ty-le-bao-cao-theo-don-vi-don-vi-hien-nay" in response["Content-Disposition"]
    # Every cycle is counted, so the name gives the plan's years, not the dashboard's current one.
    years = sorted(reorganised.cycles.values_list("year", flat=True))
    assert f"-{years[0]}-{years[-1]}.csv" in response["Content-Disposition"] and len(years) > 1
    header = next(csv.reader(io.StringIO(export_text(response))))
    assert header[:3] == ["Đơn vị hiện nay", "Loại đơn vị", "Kế thừa báo cáo của"]
    response = client.get(years_url(reorganised, group="today", _export="xlsx"))
    assert response.status_code == 200 and "don-vi-hien-nay" in response["Content-Disposition"]


def test_a_long_export_by_todays_units_is_rendered_by_the_worker_with_the_same_rows(
    client, reorganised, education_reviewer, settings, private_media
):
    client.force_login(education_reviewer)
    streamed = csv_rows(client, reorganised, group="today")
    settings.EXPORT_STREAM_MAX_ROWS = 1
    response = client.get(years_url(reorganised, group="today", _export="csv"))
    export = DashboardExport.objects.get()
    assert response.status_code == 302 and "don-vi-hien-nay" in export.filename

    done = dashboard_export_render(export_id=export.pk)  # the worker's task body: the page rebuilt from the query

    assert done is not None and done.status == GeneratedReportStatus.READY
    body = export_text(client.get(reverse("reports:dashboard_export_download", args=[export.pk])))
    assert list(csv.DictReader(io.StringIO(body))) == streamed


@pytest.mark.parametrize("column", ["units", "kind_group", "predecessors", "expected", "reporting_rate"])
def test_rows_by_todays_units_sort_on_every_column(client, reorganised, education_reviewer, column):
    client.force_login(education_reviewer)
    rows = csv_rows(client, reorganised, group="today", sort=f"-{column}")
    if column == "expected":
        assert [figures(r)[0] for r in rows] == sorted((figures(r)[0] for r in rows), reverse=True)
    assert len(rows) == len(csv_rows(client, reorganised, group="today"))


def test_an_unknown_grouping_gets_a_message_and_no_rows(client, reorganised, education_reviewer):
    client.force_login(education_reviewer)
    response = client.get(years_url(reorganised, group="xyz"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hãy chọn một lựa chọn hợp lệ" in html or "Chọn một lựa chọn hợp lệ" in html
    assert csv_rows(client, reorganised, group="xyz") == []


def test_a_scoped_reviewer_sees_only_the_reports_addressed_to_it_by_todays_units(client, reorganised, labour_reviewer):
    """The Sở LĐTB&XH receives the districts' (now the communes') November reports, nothing of the departments."""
    client.force_login(labour_reviewer)
    rows = csv_rows(client, reorganised, group="today")
    assert "Sở Tài chính" not in {r["Đơn vị hiện nay"] for r in rows}
    assert "Ủy ban nhân dân quận Lê Chân" in {r["Kế thừa báo cáo của"] for r in rows}
    assert totals(rows) == totals(csv_rows(client, reorganised))


def test_a_succession_not_yet_in_force_is_not_followed(reorganised):
    le_chan = Agency.objects.get(code="Q_LECHAN")
    assert le_chan.pk not in agency_heirs(day=datetime.date(2025, 6, 30))
    assert {h.name for h in agency_heirs(day=datetime.date(2025, 7, 1))[le_chan.pk]} == {
        COMMUNES["P_MOT"],
        COMMUNES["P_HAI"],
    }


def test_an_agency_ended_without_successor_is_its_own_unit_with_its_last_day(client, reorganised, education_reviewer):
    apply(reorganisation({"kind": "end", "agency": "TTTP", "on": "2026-01-01"}))
    client.force_login(education_reviewer)
    rows = csv_rows(client, reorganised, group="today")
    name = Agency.objects.get(code="TTTP").name
    assert f"{name} (hoạt động đến 31/12/2025)" in {r["Đơn vị hiện nay"] for r in rows}


def _queries(client, plan: Plan, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(years_url(plan, **params)).status_code == 200
    return len(queries)


def test_the_page_by_todays_units_runs_one_query_more_whatever_the_number_of_successions(
    client, reorganised, education_reviewer
):
    client.force_login(education_reviewer)
    client.get(years_url(reorganised))  # warm the session and the language
    small = _queries(client, reorganised, group="today")
    assert small == _queries(client, reorganised) + 1  # the recursive query over the successions

    more = reorganisation(
        {"kind": "merge", "from": ["STTTT"], "into": "SKHCN"},
        {"kind": "merge", "from": ["SGTVT"], "into": "SXD"},
        district_split("Q_HAIAN", "P_BA"),
        district_split("Q_KIENAN", "P_MOT", "P_BA"),
    )
    apply(more)
    cycle_2024 = open_cycle(reorganised, 2024)
    for code in ("Q_HAIAN", "Q_KIENAN", "STTTT", "SGTVT"):
        report(cycle_2024, code, SubmissionStatus.SUBMITTED, datetime.date(2024, 11, 3))
    assert _queries(client, reorganised, group="today") == small


def test_the_hai_phong_2025_reorganisation_counts_each_districts_reports_once(client, plan, education_reviewer):
    """The real file: fifteen districts split among fifty communes, several communes on two districts' land."""
    cycle_2024 = open_cycle(plan, 2024)
    districts = Agency.objects.filter(kind="district")
    for code in districts.values_list("code", flat=True):
        report(cycle_2024, code, SubmissionStatus.SUBMITTED, datetime.date(2024, 11, 15))
    apply(hai_phong_data())  # renames two districts on the way: names are read after it
    open_cycle(plan, 2026)
    client.force_login(education_reviewer)

    of_the_time = csv_rows(client, plan)
    today = csv_rows(client, plan, group="today")
    assert totals(today) == totals(of_the_time)
    inheriting = [r for r in today if r["Kế thừa báo cáo của"]]
    inherited = [name for r in inheriting for name in r["Kế thừa báo cáo của"].split("; ")]
    succeeded = set(
        Agency.objects.filter(successions__isnull=False)
        .exclude(successions__kind=SuccessionKind.TRANSFERRED)
        .values_list("name", flat=True)
    )
    assert sorted(inherited) == sorted(succeeded & {r["Cơ quan, đơn vị"] for r in of_the_time})
    assert set(districts.values_list("name", flat=True)) <= set(inherited) and len(districts) == 15
    le_chan = next(r for r in today if r["Kế thừa báo cáo của"] == Agency.objects.get(code="Q_LECHAN").name)
    assert units(le_chan) == {"Ủy ban nhân dân phường Lê Chân", "Ủy ban nhân dân phường An Biên"}
    assert figures(le_chan)[:2] == (1, 1)
    # Phường Lê Chân also took land from quận Ngô Quyền: it is in two inherited rows, each district in one.
    assert len([r for r in inheriting if "Ủy ban nhân dân phường Lê Chân" in units(r)]) == 2


def test_by_todays_units_the_family_filter_keeps_reports_handed_down_from_another_family(
    client, reorganised, education_reviewer
):
    """The family is today's unit's: Công an (the "others" family) merged into Sở Tư pháp (a department) hands its
    2024 report down to a department row, which the department filter shows whole. Filtering the agencies of the
    time by family first would drop Công an's reports before they reach their heir."""
    apply(reorganisation({"kind": "merge", "from": ["CATP"], "into": "STP", "on": "2026-01-01", "id": "gop-ca"}))
    client.force_login(education_reviewer)
    every = {r["Đơn vị hiện nay"]: r for r in csv_rows(client, reorganised, group="today")}
    departments = {r["Đơn vị hiện nay"]: r for r in csv_rows(client, reorganised, group="today", kind="department")}
    justice = departments["Sở Tư pháp"]
    assert justice["Kế thừa báo cáo của"] == "Công an thành phố Hải Phòng"
    assert figures(justice) == figures(every["Sở Tư pháp"]) and figures(justice)[1] >= 1  # the police's on time
