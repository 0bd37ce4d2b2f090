"""Completeness and task status on a hand-made cycle, against figures computed by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from hptracker.text import collation_key
from reports.cycles.selectors import expected_submissions
from reports.cycles.services import cycle_open
from reports.dashboard.progress import (
    TaskStatus,
    general_proposals,
    issues,
    progress_by_group,
    target_series,
    task_statuses,
)
from reports.dashboard.selectors import (
    COUNTS,
    KindGroup,
    ReportState,
    agency_completeness,
    completeness_by_kind,
    completeness_by_year,
    expected_reports,
    tallies,
    years_and_agencies,
)
from reports.models import Progress, Submission, SubmissionStatus

from .dashboard_helpers import TODAY, hand_made_cycle, report, task_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(plan):
    return hand_made_cycle(plan)


def test_expected_reports_match_the_cycle_service_and_leave_out_the_agency_that_ceased(plan, made):
    cycle = made["cycle"]
    rows = expected_reports(plan=plan, cycle=cycle, today=TODAY)
    by_service = {(e.agency.code, e.rule.pk) for e in expected_submissions(cycle=cycle)}
    assert {(r.agency.code, r.rule_id) for r in rows} == by_service
    assert "STC" not in {r.agency.code for r in rows}
    assert rows.count() == 37  # 38 reporting agencies in plan 193, less Sở Tài chính (ceased 30/06)


def test_each_expected_report_has_its_state_and_days_late(plan, made):
    rows = {r.agency.code: r for r in expected_reports(plan=plan, cycle=made["cycle"], today=TODAY)}
    assert rows["SNV"].state == ReportState.ON_TIME and rows["SNV"].days_late == 0
    assert rows["H_ANLAO"].state == ReportState.ON_TIME  # 23:00 on the deadline, local time, still counts
    assert (rows["CATP"].state, rows["CATP"].days_late) == (ReportState.LATE, 5)
    assert (rows["Q_LECHAN"].state, rows["Q_LECHAN"].days_late) == (ReportState.RETURNED, 10)
    assert (rows["SKHDT"].state, rows["SKHDT"].days_late) == (ReportState.MISSING, 10)
    assert (rows["SYT"].state, rows["SYT"].submission_id) == (ReportState.MISSING, None)
    assert rows["SNV"].submission_id == made["SNV"].pk


def test_rates_by_kind_and_for_the_whole_plan_match_hand_computed_figures(plan, made):
    total, families = completeness_by_kind(expected_reports(plan=plan, cycle=made["cycle"], today=TODAY))
    by_key = {f.key: f for f in families}
    # 37 expected: on time SNV + H_ANLAO, late CATP, returned Q_LECHAN, 33 missing (SKHDT's draft among them).
    assert (total.expected, total.on_time, total.late, total.returned, total.missing) == (37, 2, 1, 1, 33)
    assert total.submitted == 3
    assert total.reporting_rate == Decimal("8.1")  # 8,108…
    assert total.on_time_rate == Decimal("5.4")  # 5,405…
    departments = by_key[KindGroup.DEPARTMENT]
    assert (departments.expected, departments.on_time, departments.missing) == (18, 1, 17)  # Sở GD&ĐT included
    local = by_key[KindGroup.LOCAL]  # the 15 districts: no commune existed yet in 2024
    assert (local.expected, local.on_time, local.returned, local.missing) == (15, 1, 1, 13)
    others = by_key[KindGroup.OTHER]  # CATP, ĐHHP, Ban Tuyên giáo, UBMTTQ
    assert (others.expected, others.late, others.missing, others.reporting_rate) == (4, 1, 3, Decimal(25))


def test_an_agency_is_expected_again_in_the_years_before_it_ceased(plan, made):
    cycle_open(plan=plan, year=2023)
    years = {c.label: c for c in completeness_by_year(plan=plan, today=TODAY)}
    assert years["2023"].expected == 38 and years["2024"].expected == 37
    stc = next(r for r in agency_completeness(plan=plan, today=TODAY) if r["agency__name"] == "Sở Tài chính")
    assert (stc["expected"], stc["submitted"], stc["missing"]) == (1, 0, 1)  # 2023 only


def _counted_one_by_one(rows, key: str) -> dict:
    """The reference: each expected report's state read row by row in Python."""
    counted: dict = {}
    for row in rows:
        counts = counted.setdefault((getattr(row, key),), dict.fromkeys(["expected", *ReportState.labels], 0))
        counts[row.state] += 1
        counts["expected"] += 1
    return counted


def test_tallies_count_several_groupings_in_one_statement(plan, made, django_assert_num_queries):
    cycle_open(plan=plan, year=2023)
    every = expected_reports(plan=plan, today=TODAY)
    districts = every.filter(agency__kind="district")
    with django_assert_num_queries(1):
        counted = tallies(
            by_year=(every, ("year",)),
            by_agency=(every, ("agency_id",)),
            again=(every, ("year",)),  # the same grouping asked twice: both get it
            by_pair=(every, ("year", "kind_group")),
            few=(districts, ("year",)),
        )
    assert counted["by_year"] == counted["again"] == _counted_one_by_one(every, "year")
    assert counted["by_agency"] == _counted_one_by_one(every, "agency_id")
    assert counted["few"] == _counted_one_by_one(districts, "year")
    by_pair: dict = {}
    for row in every:
        counts = by_pair.setdefault((row.year, row.kind_group), dict.fromkeys(["expected", *ReportState.labels], 0))
        counts[row.state] += 1
        counts["expected"] += 1
    assert counted["by_pair"] == by_pair and len(by_pair) > 1
    assert ReportState.labels.keys() == set(COUNTS[1:])  # every state has its column, in the counts' order
    assert counted["few"] != counted["by_year"]  # a filtered set of rows is counted apart from the whole
    # Rows that can match nothing (an invalid filter: .none()) count nothing, and cost no query on their own.
    with django_assert_num_queries(0):
        assert tallies(nothing=(every.none(), ("year",))) == {"nothing": {}}


def test_the_years_page_tables_agree_with_the_row_by_row_states(plan, made):
    cycle_open(plan=plan, year=2023)
    every = expected_reports(plan=plan, today=TODAY)
    years, agencies = years_and_agencies(year_rows=every, agency_rows=every.filter(agency__kind="district"))
    by_year = _counted_one_by_one(every, "year")
    assert [(line.label, line.expected, line.on_time, line.missing) for line in years] == [
        (str(year), c["expected"], c[ReportState.ON_TIME], c[ReportState.MISSING])
        for (year,), c in sorted(by_year.items())
    ]
    districts = {r.agency.name for r in every.filter(agency__kind="district")}
    assert [row["agency__name"] for row in agencies] == sorted(districts, key=collation_key)
    returned = next(row for row in agencies if row["agency_id"] == made["Q_LECHAN"].agency_id)
    assert (returned["expected"], returned["returned"], returned["submitted"]) == (2, 1, 0)
    assert returned["reporting_rate"] == Decimal(0) and returned["on_time_rate"] == Decimal(0)


def test_submitting_a_missing_report_moves_it_to_submitted(plan, made):
    report(made["cycle"], "SYT", SubmissionStatus.SUBMITTED, datetime.date(2024, 11, 29))
    total, _ = completeness_by_kind(expected_reports(plan=plan, cycle=made["cycle"], today=TODAY))
    assert (total.on_time, total.missing) == (3, 32)


def accept(*submissions) -> None:
    """Figures come from accepted reports only (issue 9: the dashboard's basis is the consolidated report's)."""
    Submission.objects.filter(pk__in=[s.pk for s in submissions]).update(status=SubmissionStatus.ACCEPTED)


def test_task_status_follows_the_lead_agencies_reports(plan, made):
    waiting = {f"{x.task.group.number}.{x.task.number}": x for x in task_statuses(cycle=made["cycle"], today=TODAY)}
    assert waiting["1.1"].status == TaskStatus.NO_REPORT  # SNV's and CATP's reports still wait for review
    accept(made["SNV"], made["CATP"])
    lines = {f"{x.task.group.number}.{x.task.number}": x for x in task_statuses(cycle=made["cycle"], today=TODAY)}
    assert len(lines) == 42
    assert lines["1.1"].status == TaskStatus.DONE and lines["1.1"].done_on_time  # no deadline
    assert lines["1.2"].status == TaskStatus.IN_PROGRESS  # one lead done, one in progress
    assert lines["1.3"].status == TaskStatus.NOT_STARTED
    # Only a returned lead report and a co-operating one: nobody counts.
    assert lines["1.4"].status == TaskStatus.NO_REPORT and lines["1.4"].lead_reports == 0
    groups, summary = progress_by_group(list(lines.values()))
    assert groups[0].counts[TaskStatus.DONE] == 1 and groups[0].total == 4
    assert (
        summary.total,
        summary.done,
        summary.done_on_time,
        summary.in_progress,
        summary.not_started,
        summary.overdue,
        summary.no_report,
    ) == (42, 1, 1, 1, 1, 0, 39)
    assert summary.sentence() == (
        "Tổng số 42 nhiệm vụ; đã hoàn thành 1 (2,4%), trong đó đúng hạn 1; đang thực hiện 1; "
        "chưa thực hiện 1; quá hạn 0; chưa có báo cáo 39."
    )


def test_a_task_past_its_deadline_and_not_done_is_overdue_and_late_completion_is_not_on_time(plan):
    cycle = cycle_open(plan=plan, year=2026)
    snv = report(cycle, "SNV", SubmissionStatus.ACCEPTED, datetime.date(2026, 11, 20))
    task_report(snv, plan, "3.6", Progress.IN_PROGRESS)  # deadline 31/12/2025
    task_report(snv, plan, "3.8", Progress.DONE)  # deadline 31/12/2025, done only in 2026
    task_report(snv, plan, "1.1", Progress.IN_PROGRESS)  # no deadline: never overdue
    lines = {
        f"{x.task.group.number}.{x.task.number}": x
        for x in task_statuses(cycle=cycle, today=datetime.date(2026, 12, 1))
    }
    assert lines["3.6"].status == TaskStatus.OVERDUE
    assert lines["3.8"].status == TaskStatus.DONE and not lines["3.8"].done_on_time
    assert lines["1.1"].status == TaskStatus.IN_PROGRESS
    earlier = cycle_open(plan=plan, year=2025)
    old = report(earlier, "SNV", SubmissionStatus.ACCEPTED, datetime.date(2025, 11, 20))
    task_report(old, plan, "3.8", Progress.DONE)
    lines = {
        f"{x.task.group.number}.{x.task.number}": x
        for x in task_statuses(cycle=cycle, today=datetime.date(2026, 12, 1))
    }
    assert lines["3.8"].done_on_time  # reported done in 2025, before its deadline


def test_issues_and_proposals_come_from_sent_reports_only(plan, made):
    rows = list(issues(plan=plan))
    assert {(r.submission.agency.code, r.task.code) for r in rows} == {
        ("SNV", "1.2"),
        ("Q_LECHAN", "1.4"),
        ("SNV", "1.4"),
    }
    assert [s.agency.code for s in general_proposals(plan=plan)] == ["SNV"]


def test_target_series_average_the_values_of_counted_reports(plan, made):
    from reports.models import TargetValue

    target = plan.targets.get(code="truong-chuan-quoc-gia")
    TargetValue.objects.create(submission=made["SNV"], target=target, value=60)
    TargetValue.objects.create(submission=made["CATP"], target=target, value=65)
    TargetValue.objects.create(submission=made["Q_LECHAN"], target=target, value=10)  # returned: ignored
    assert all(not s.points for s in target_series(plan=plan))  # waiting for review: not a figure yet
    accept(made["SNV"], made["CATP"])
    series = {s.target.code: s for s in target_series(plan=plan)}
    (point,) = series["truong-chuan-quoc-gia"].points
    assert (point.year, float(point.value), point.reporters) == (2024, 62.5, 2)
    assert series["phan-luong-thpt"].points == []


def test_every_agency_kind_falls_in_the_same_family_in_sql_in_filters_and_in_python(plan):
    """The families are written once (KindGroup.MEMBERS) and read three ways; the three must agree for every
    kind an agency can have."""
    from agencies.models import Agency, AgencyKind

    for kind in AgencyKind.values:
        Agency.objects.create(code=f"k-{kind}", name=f"Kind {kind}", short_name=kind, kind=kind, valid_from=TODAY)
    in_sql = dict(
        Agency.objects.filter(code__startswith="k-")
        .annotate(family=KindGroup.case("kind"))
        .values_list("kind", "family")
    )
    assert in_sql == {kind: KindGroup.of(kind) for kind in AgencyKind.values}
    for family, _label in KindGroup.choices:
        filtered = set(
            Agency.objects.filter(KindGroup.q("kind", family), code__startswith="k-").values_list("kind", flat=True)
        )
        assert filtered == {kind for kind in AgencyKind.values if KindGroup.of(kind) == family}
    # The communes succeeded the districts on 1/7/2025: one local family, under the value saved links carry.
    assert KindGroup.of(AgencyKind.DISTRICT) == KindGroup.of(AgencyKind.COMMUNE) == KindGroup.LOCAL == "district"


def test_agencies_are_listed_in_the_order_a_vietnamese_reader_expects(plan, made):
    """By the letters without case or marks, as the database's collation ordered them: "Đặc khu" among the D's and
    "Ủy ban" among the U's, never after "Z" as code points would put them."""
    names = ["Zê", "Ủy ban nhân dân quận Lê Chân", "Đặc khu Cát Hải", "Sở Y tế", "Dương Kinh", "Uông Bí"]
    assert sorted(names, key=collation_key) == [
        "Đặc khu Cát Hải",
        "Dương Kinh",
        "Sở Y tế",
        "Uông Bí",
        "Ủy ban nhân dân quận Lê Chân",
        "Zê",
    ]
    rows = [row["agency__name"] for row in agency_completeness(plan=plan, today=TODAY)]
    assert rows == sorted(rows, key=collation_key)
    # Code points put "Th" before "Tà" ('h' < 'à'); a reader puts "Tài" first.
    assert rows.index("Sở Tài nguyên và Môi trường") < rows.index("Sở Thông tin và Truyền thông")
