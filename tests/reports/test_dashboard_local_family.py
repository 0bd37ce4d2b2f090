"""The dashboard's local family across the 1/7/2025 reorganisation: the communes that succeeded Hải Phòng's districts
in plan 193 are counted with them ("Quận, huyện; xã, phường, đặc khu"), so a 2026 cycle shows how the local level
reports and the years compare. The family keeps its value in URLs, ?kind=district."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine

from agencies.models import Agency, AgencyKind
from plans.models import Plan
from reports.dashboard.selectors import KindGroup, completeness_by_kind, expected_reports
from reports.models import SubmissionStatus
from tests.plans.reorganisation_helpers import apply, hai_phong_data
from tests.reports.dashboard_helpers import dashboard_url, export_text, report
from tests.reports.submission_helpers import open_cycle

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 10)  # ten days after the 30/11/2026 deadline
LOCAL_LABEL = "Quận, huyện; xã, phường, đặc khu"
PHUONG_LE_CHAN = "P_11383"  # on the land of quận Lê Chân and quận Ngô Quyền


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-12-10 10:00 +07:00", tick=False):
        yield


@pytest.fixture
def reorganised(plan: Plan) -> Plan:
    """2024: the 15 districts owe a report, quận Lê Chân sends it on time. Then the shipped 2025 reorganisation.
    2026: the 50 communes on the districts' land owe it, Phường Lê Chân sends it on time; the rest are missing."""
    cycle_2024 = open_cycle(plan, 2024)
    report(cycle_2024, "Q_LECHAN", SubmissionStatus.SUBMITTED, datetime.date(2024, 11, 20))
    apply(hai_phong_data())
    cycle_2026 = open_cycle(plan, 2026)
    report(cycle_2026, PHUONG_LE_CHAN, SubmissionStatus.SUBMITTED, datetime.date(2026, 11, 10))
    return plan


def local_line(plan: Plan, year: int):
    cycle = plan.cycles.get(year=year)
    _total, families = completeness_by_kind(expected_reports(plan=plan, cycle=cycle, today=TODAY))
    return {f.key: f for f in families}[KindGroup.LOCAL]


def test_after_1_7_2025_the_communes_expected_reports_are_under_the_local_family(reorganised):
    cycle = reorganised.cycles.get(year=2026)
    rows = expected_reports(plan=reorganised, cycle=cycle, today=TODAY)
    communes = set(rows.filter(agency__kind=AgencyKind.COMMUNE).values_list("agency__code", flat=True))
    assert len(communes) == 50  # the communes on the former districts' land (the 64 on Hải Dương's owe nothing)
    assert not rows.filter(agency__kind=AgencyKind.DISTRICT).exists()

    local = local_line(reorganised, 2026)
    assert str(local.label) == LOCAL_LABEL
    assert (local.expected, local.on_time, local.late, local.returned, local.missing) == (50, 1, 0, 0, 49)
    assert set(rows.filter(kind_group=KindGroup.OTHER).values_list("agency__kind", flat=True)) <= {
        AgencyKind.POLICE,
        AgencyKind.UNIVERSITY,
        AgencyKind.PARTY,
        AgencyKind.FRONT,
        AgencyKind.OTHER,
    }
    # The same line in 2024 counts the districts: the local level compares across the years.
    before = local_line(reorganised, 2024)
    assert (before.expected, before.on_time, before.missing) == (15, 1, 14)


def test_the_dashboard_shows_the_local_line_of_a_2026_cycle(client, reorganised, education_reviewer):
    client.force_login(education_reviewer)
    response = client.get(dashboard_url("dashboard", reorganised, year=2026))
    assert response.status_code == 200
    lines = {str(row.label): row for row in response.context["completeness_table"].data.data}
    assert lines[LOCAL_LABEL].expected == 50 and lines[LOCAL_LABEL].on_time == 1
    assert "Quận, huyện</" not in response.content.decode()  # no family is named after the districts alone


def test_the_missing_reports_of_kind_district_are_the_communes_in_2026(client, reorganised, education_reviewer):
    client.force_login(education_reviewer)
    wanted = set(
        Agency.objects.filter(kind=AgencyKind.COMMUNE, submissions__isnull=True)
        .filter(duty_items__rules__code="quan-huyen-thang-11")
        .values_list("name", flat=True)
    )
    assert len(wanted) == 49

    page = client.get(dashboard_url("dashboard_missing", reorganised, year=2026, kind="district")).content.decode()
    assert all(name in page for name in wanted)
    assert Agency.objects.get(code=PHUONG_LE_CHAN).name not in page  # sent on time
    assert "Sở Nội vụ" not in page and "Công an thành phố Hải Phòng" not in page

    response = client.get(dashboard_url("dashboard_missing", reorganised, year=2026, kind="district", _export="csv"))
    rows = list(csv.DictReader(io.StringIO(export_text(response))))
    assert {r["Cơ quan, đơn vị"] for r in rows} == wanted and len(rows) == 49
    assert {r["Loại đơn vị"] for r in rows} == {LOCAL_LABEL}
