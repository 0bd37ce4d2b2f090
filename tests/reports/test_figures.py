"""Issue 9: one definition of every figure. Each test here failed on the code before it (noted per test)."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.utils import translation

from agencies.models import Agency, AgencySuccession, SuccessionKind
from hptracker.formatting import format_count, format_decimal, format_rate, percent, round_half_up
from plans.models import DutyItem, Target
from plans.successions import agency_succession_apply
from reports.cycles.selectors import ReportState, expected_reports, expected_submissions
from reports.cycles.services import cycle_open
from reports.dashboard.progress import target_series
from reports.models import CycleDeadline, Submission, SubmissionEvent, SubmissionEventKind, TargetValue
from reports.submissions.reviews import review_return

from .submission_helpers import HANOI, fill_progress, started
from .submission_helpers import at as local

pytestmark = pytest.mark.django_db

YEAR = 2026
DUE = datetime.date(2026, 11, 30)
AFTER = datetime.date(2026, 12, 10)


def send(submission, head, when: datetime.datetime):
    from reports.submissions.services import submission_submit

    with time_machine.travel(when, tick=False):
        return submission_submit(submission=submission, by=head)


def rows_of(cycle, today=AFTER):
    return {(r.agency.code, r.rule_id): r for r in expected_reports(cycle=cycle, today=today)}


# 1. Who owes a report: one row per (agency, rule), whatever the duty items.
def test_a_successor_in_two_duty_items_of_one_rule_is_expected_once(plan, administrator):
    """Old code: the SQL definition emitted one row per duty-item membership (38 expected instead of 37)."""
    kh, tc = Agency.objects.get(code="SKHDT"), Agency.objects.get(code="STC")
    cycle = cycle_open(plan=plan, year=2025)
    today = datetime.date(2025, 12, 10)
    before = {(r.agency_id, r.rule_id) for r in expected_reports(cycle=cycle, today=today)}
    merger = AgencySuccession.objects.create(
        predecessor=kh, successor=tc, kind=SuccessionKind.MERGED, effective_on=datetime.date(2025, 7, 1)
    )
    agency_succession_apply(succession=merger, by=administrator)
    # The administrator (or a reorganisation file) also puts the successor in the predecessor's duty item, as
    # the portal allows: both items report under the same rule.
    for item in DutyItem.objects.filter(agencies=kh).exclude(agencies=tc):
        item.agencies.add(tc)
    assert DutyItem.objects.filter(agencies=tc, rules__code="don-vi-hang-nam").count() >= 2

    rows = list(expected_reports(cycle=cycle, today=today))
    pairs = Counter((r.agency_id, r.rule_id) for r in rows)
    assert max(pairs.values()) == 1
    assert set(pairs) == {p for p in before if p[0] != kh.pk}
    assert len(rows) == len(before) - 1
    # The same rows for every caller: the list the Python callers read is the SQL's.
    assert set(pairs) == {(e.agency.pk, e.rule.pk) for e in expected_submissions(cycle=cycle)}
    # And every page: the dashboard counts the same.
    from reports.dashboard.selectors import completeness_by_kind

    assert completeness_by_kind(expected_reports(cycle=cycle, today=today))[0].expected == len(before) - 1
    # The earlier year, where the successor now sits in both items too, still counts it once.
    earlier = cycle_open(plan=plan, year=2024)
    assert max(Counter((r.agency_id, r.rule_id) for r in expected_reports(cycle=earlier, today=AFTER)).values()) == 1


# 2. On time is decided by the first sending, in Hải Phòng time.
def test_a_report_sent_on_time_returned_and_resent_late_stays_on_time_everywhere(
    plan, agency, agency_staff, agency_head, education_reviewer
):
    """Old code: the dashboard judged by submitted_at (overwritten by the re-send): 'late, 10 days'."""
    cycle = cycle_open(plan=plan, year=YEAR)
    submission = started(cycle, agency, agency_staff)
    fill_progress(submission)
    send(submission, agency_head, local(datetime.date(2026, 11, 20)))
    review_return(submission=submission, reviewer=education_reviewer, reason="Bổ sung số liệu.")
    send(submission, agency_head, local(AFTER))
    submission.refresh_from_db()

    assert submission.first_submitted_at == local(datetime.date(2026, 11, 20))
    assert submission.submitted_at == local(AFTER)
    assert submission.is_late is False
    row = rows_of(cycle)[(agency.code, submission.rule_id)]
    assert (row.state, row.days_late) == (ReportState.ON_TIME, 0)


@pytest.mark.parametrize(
    ("hour", "minute", "day", "late"),
    [(23, 59, DUE, False), (0, 1, DUE + datetime.timedelta(days=1), True), (0, 0, DUE, False)],
)
def test_the_deadline_day_ends_at_midnight_in_hai_phong_for_the_model_and_the_dashboard(
    plan, agency, agency_staff, agency_head, hour, minute, day, late
):
    cycle = cycle_open(plan=plan, year=YEAR)
    submission = started(cycle, agency, agency_staff)
    fill_progress(submission)
    # Sent through the service, with the server's clock in UTC: 23:59 in Hải Phòng is 16:59 UTC.
    when = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=HANOI)
    send(submission, agency_head, when.astimezone(datetime.UTC))
    submission.refresh_from_db()
    deadline = CycleDeadline.objects.get(cycle=cycle, rule=submission.rule)
    assert submission.is_late is late == deadline.is_late(submission.first_submitted_at)
    row = rows_of(cycle)[(agency.code, submission.rule_id)]
    assert row.state == (ReportState.LATE if late else ReportState.ON_TIME)
    assert row.days_late == (1 if late else 0)


def test_the_migration_backfills_the_first_sending_from_the_log(plan, agency, agency_staff, agency_head):
    """Reports sent before the field existed: the first 'submitted' event of the log, else submitted_at."""
    from importlib import import_module

    migration = import_module("reports.migrations.0007_submission_first_submitted_at")
    cycle = cycle_open(plan=plan, year=YEAR)
    submission = started(cycle, agency, agency_staff)
    fill_progress(submission)
    send(submission, agency_head, local(datetime.date(2026, 11, 25)))
    first_event = SubmissionEvent.objects.get(submission=submission, kind=SubmissionEventKind.SUBMITTED)
    SubmissionEvent.objects.filter(pk=first_event.pk).update(at=local(datetime.date(2026, 11, 25)))
    # As the table was before: a re-send overwrote submitted_at and is_late was judged by it.
    Submission.objects.filter(pk=submission.pk).update(first_submitted_at=None, submitted_at=local(AFTER), is_late=True)
    other = Submission.objects.create(
        cycle=cycle, agency=Agency.objects.get(code="CATP"), rule=submission.rule, status="submitted"
    )
    Submission.objects.filter(pk=other.pk).update(first_submitted_at=None, submitted_at=local(AFTER), is_late=False)

    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)

    submission.refresh_from_db()
    other.refresh_from_db()
    assert (submission.first_submitted_at, submission.is_late) == (local(datetime.date(2026, 11, 25)), False)
    assert (other.first_submitted_at, other.is_late) == (local(AFTER), True)


# 3. Rounding and writing: half up, decimal comma in Vietnamese, point in English.
@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (Decimal("28.25"), "28,3", "28.3"),
        (Decimal("67.25"), "67,3", "67.3"),
        (28.25, "28,3", "28.3"),
        (0.05, "0,1", "0.1"),
        (Decimal("66"), "66", "66"),
        (Decimal("52.50"), "52,5", "52.5"),
        (None, "—", "—"),
    ],
)
def test_one_formatting_function_rounds_half_up(value, vi, en):
    """Old code: round() / Decimal.quantize rounded half to even (28,25 -> 28,2)."""
    assert format_decimal(value, language="vi") == vi
    assert format_decimal(value, language="en") == en
    with translation.override("en"):
        assert format_decimal(value) == en


def test_counts_group_their_thousands_the_readers_way_on_pages_and_stay_numbers_in_exports():
    # The national data set printed "1385900" expected reports and "2999" agencies on the dashboard.
    from reports.dashboard.columns import CountColumn

    assert format_count(1385900, language="vi") == "1.385.900"
    assert format_count(1385900, language="en") == "1,385,900"
    assert format_count(999, language="vi") == "999" and format_count(None) == "—"
    column = CountColumn()
    with translation.override("vi"):
        assert column.render(2999) == "2.999" and column.value(2999) == 2999
    with translation.override("en"):
        assert column.render(2999) == "2,999"


def test_percentages_round_half_up_and_nothing_owed_is_no_rate():
    assert percent(1, 8) == Decimal("12.5")
    assert percent(113, 400) == Decimal("28.3")  # 28,25 exactly
    assert percent(0, 0) is None
    assert round_half_up(Decimal("-0.05")) == Decimal("-0.1")


def test_a_column_of_rates_prints_one_decimal_each_on_the_page_and_the_number_in_the_export():
    # The years table printed "74%" above "73,5%": one precision per column, digits aligned.
    from reports.dashboard.columns import RateColumn

    assert format_rate(Decimal("74"), language="vi") == "74,0%"
    assert format_rate(percent(113, 400), language="vi") == "28,3%"  # half up
    assert format_rate(Decimal("100.00"), language="en") == "100.0%" and format_rate(None) == "—"
    column = RateColumn()
    with translation.override("vi"):
        assert [column.render(v) for v in (Decimal("74"), Decimal("73.5"))] == ["74,0%", "73,5%"]
        assert str(column.value(Decimal("73.45"))) == "73.5"  # the export's number, rounded half up


def test_target_means_round_half_up(plan, agency_staff, agency_head, agency, education_reviewer):
    """Old code: 28,25 printed as 28,2 (Decimal.quantize's half to even)."""
    cycle = cycle_open(plan=plan, year=YEAR)
    target = Target.objects.filter(plan=plan).order_by("code").first()
    made = []
    for code, value in (("SNV", "28.0"), ("CATP", "28.5")):
        made.append(
            Submission.objects.create(
                cycle=cycle, agency=Agency.objects.get(code=code), rule=cycle.deadlines.first().rule, status="accepted"
            )
        )
        TargetValue.objects.create(submission=made[-1], target=target, value=Decimal(value))
    series = next(s for s in target_series(plan=plan) if s.target == target)
    assert [p.value for p in series.points] == [Decimal("28.3")]


# 4. The dashboard and the consolidated report: the same figures under the same sentence.
def test_the_dashboard_and_the_consolidated_pdf_print_the_same_basis_summary_and_counts(
    client, plan, education_reviewer, tmp_path
):
    """Old code: the dashboard counted submitted and accepted reports, the PDF accepted only (17 vs 15 done)."""
    from reports.documents.numbering import issuer_snapshot
    from reports.documents.pdf.consolidated import build_consolidated_context
    from reports.documents.pdf.render import render_template_pdf
    from reports.models import Progress

    from .dashboard_helpers import TODAY, hand_made_cycle, task_report
    from .pdf_fixtures import pdf_text, squeeze

    made = hand_made_cycle(plan)  # on time, late, accepted, returned, draft, missing, and a ceased agency
    cycle = made["cycle"]
    task_report(made["H_ANLAO"], plan, "1.1", Progress.DONE)  # accepted: counts
    task_report(made["H_ANLAO"], plan, "1.2", Progress.IN_PROGRESS)
    profile = pdf_profile()

    client.force_login(education_reviewer)
    with time_machine.travel(datetime.datetime.combine(TODAY, datetime.time(10), tzinfo=HANOI), tick=False):
        page = client.get("/bao-cao/tong-hop/", {"plan": plan.pk, "year": cycle.year})
    assert page.status_code == 200
    context = build_consolidated_context(
        cycle=cycle, snapshot=issuer_snapshot(profile), issued_on=TODAY, number_text="05/BC-SGDĐT", charts=[]
    )
    pdf = squeeze(pdf_text(render_template_pdf("pdf/consolidated_report.html", context).content, tmp_path))
    html = page.content.decode()

    basis, summary = page.context["basis"], page.context["summary"]
    # H_ANLAO accepted; SNV, CATP and STC wait for review (STC ceased before the deadline: not expected, but its
    # report is real and would count once accepted, in both documents alike).
    assert (basis.accepted, basis.waiting) == (1, 3)
    assert (
        basis.sentence() == context["basis_line"] == "Số liệu từ 1 báo cáo đã được chấp nhận, tính đến ngày 10/12/2024."
    )
    assert basis.waiting_line() == context["waiting_line"]
    assert summary == context["summary"] and summary.sentence() == context["summary_line"]
    for sentence in (basis.sentence(), basis.waiting_line(), summary.sentence()):
        assert sentence in html
        assert squeeze(sentence) in pdf
    # The completeness both print: received / expected by the one definition.
    total = page.context["total"]
    assert (total.submitted, total.expected) == (3, 37)
    assert squeeze(f"có {total.submitted}/{total.expected} đơn vị gửi báo cáo") in pdf
    # The group table: the same counts per group and status.
    on_page = {g.number: {k: n for k, n in g.counts.items() if n} for g in page.context["groups"]}
    in_pdf = {g.number: dict(Counter(t.status for t in g.tasks)) for g in context["groups"]}
    assert on_page == in_pdf
    assert on_page[1].get("done") == 1  # task 1.1, from H_ANLAO's accepted report only (not SNV's or CATP's)


def pdf_profile():
    from reports.models import IssuerProfile

    return IssuerProfile.objects.create(
        agency=Agency.objects.get(code="SGDDT"),
        name="Sở GD&ĐT",
        document_kind="BC",
        place="Hải Phòng",
        addressee="Ủy ban nhân dân thành phố",
        signer_prefix="KT. GIÁM ĐỐC",
        signer_title="PHÓ GIÁM ĐỐC",
        signer_name="Nguyễn Văn Hùng",
        recipients=["Như trên", "Lưu: VT"],
        is_default=True,
    )


def test_the_figures_basis_groups_its_counts_in_the_readers_language():
    """The overview said "Số liệu từ 1368 báo cáo": every count of the portal is grouped (1.368; 1,368 in English)."""
    from django.utils import translation

    from reports.dashboard.basis import FiguresBasis

    basis = FiguresBasis(accepted=1368, waiting=1133, as_of=datetime.date(2025, 12, 10))
    with translation.override("vi"):
        assert "1.368 báo cáo" in basis.sentence() and "1.133 báo cáo" in basis.waiting_line()
    with translation.override("en"):
        assert "1,368 accepted reports" in basis.sentence() and "1,133 reports" in basis.waiting_line()
