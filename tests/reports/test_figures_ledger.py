"""The ledger of expected reports (reports.cycles.ledger): the dashboard counts from it only while it is current, and
it is then exactly what the definition (`expected_reports`) gives. A workflow step keeps it current in its own
transaction; any other write makes it stale until the worker rebuilds it."""

from __future__ import annotations

import datetime
import threading
import uuid

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from reports.cycles import ledger
from reports.cycles.selectors import expected_reports
from reports.dashboard.warming import dashboard_figures_warm
from reports.models import FiguresVersion, StoredExpectedReport, Submission, SubmissionStatus
from reports.submissions.reviews import review_accept, review_return, submission_reopen
from reports.submissions.services import submission_submit

from .dashboard_helpers import dashboard_url
from .submission_helpers import fill_progress, open_cycle, sent, started

ANY_DAY = datetime.date(2027, 1, 15)

pytestmark = pytest.mark.django_db(transaction=True)


def _stored(plan) -> set[tuple]:
    return set(
        StoredExpectedReport.objects.filter(plan_id=plan.pk).values_list(
            "cycle_id", "year", "agency_id", "rule_id", "kind_group", "state"
        )
    )


def _defined(plan) -> set[tuple]:
    rows = expected_reports(plan=plan, today=ANY_DAY).order_by()
    return set(rows.values_list("cycle_id", "year", "agency_id", "rule_id", "kind_group", "state"))


def _assert_current_and_exact(plan) -> None:
    assert ledger.is_current()
    assert _stored(plan) == _defined(plan)


def test_every_workflow_step_keeps_the_ledger_current_and_exact(
    plan, agency, agency_staff, agency_head, education_reviewer, administrator
):
    reviewer = education_reviewer
    cycle = open_cycle(plan)
    assert not ledger.is_current()  # opening a cycle is no workflow step: stale until rebuilt
    assert ledger.rebuild() == len(_defined(plan)) > 0
    _assert_current_and_exact(plan)
    report = started(cycle, agency, agency_staff)
    _assert_current_and_exact(plan)
    fill_progress(report)  # task reports: not what the expected reports are built from
    submission_submit(submission=report, by=agency_head)
    _assert_current_and_exact(plan)
    states = {row[2]: row[5] for row in _stored(plan)}
    assert states[agency.pk] in ("on_time", "late")
    review_return(submission=report, reviewer=reviewer, reason="Bổ sung số liệu nhiệm vụ 1.1.")
    _assert_current_and_exact(plan)
    assert {row[2]: row[5] for row in _stored(plan)}[agency.pk] == "returned"
    submission_submit(submission=Submission.objects.get(pk=report.pk), by=agency_head)
    review_accept(submission=Submission.objects.get(pk=report.pk), reviewer=reviewer)
    _assert_current_and_exact(plan)
    submission_reopen(
        submission=Submission.objects.get(pk=report.pk), by=administrator, reason="Mở lại để sửa số liệu."
    )
    _assert_current_and_exact(plan)


def test_a_write_no_step_kept_makes_it_stale_the_figures_stay_right_and_the_worker_rebuilds_it(
    plan, agency, agency_staff, agency_head
):
    cycle = open_cycle(plan)
    report = sent(cycle, agency, agency_staff, agency_head)
    ledger.rebuild()
    _assert_current_and_exact(plan)
    Submission.objects.filter(pk=report.pk).update(status=SubmissionStatus.RETURNED)  # no step, no signal
    assert not ledger.is_current()
    # Stale rows are never read: the dashboard's count is the definition's.
    assert {row[2]: row[5] for row in _stored(plan)}[agency.pk] != "returned"
    assert {row[2]: row[5] for row in _defined(plan)}[agency.pk] == "returned"
    assert dashboard_figures_warm() is True
    _assert_current_and_exact(plan)
    Agency.objects.filter(pk=agency.pk).update(valid_to=datetime.date(2020, 1, 1))  # the agency ended
    assert not ledger.is_current()
    with connection.cursor() as cursor:  # raw SQL, as a restore or a bulk load writes
        cursor.execute("UPDATE agencies_agency SET valid_to = NULL WHERE id = %s", [agency.pk])
    ledger.rebuild()
    _assert_current_and_exact(plan)


def test_a_step_and_another_write_in_one_transaction_leave_it_stale(
    plan, agency, agency_staff, agency_head, district, education_reviewer
):
    cycle = open_cycle(plan)
    report = started(cycle, agency, agency_staff)
    fill_progress(report)
    ledger.rebuild()
    with transaction.atomic():
        submission_submit(submission=report, by=agency_head)
        Agency.objects.filter(pk=district.pk).update(valid_to=datetime.date(2020, 1, 1))
    assert not ledger.is_current()
    ledger.rebuild()
    _assert_current_and_exact(plan)
    # The same report written again after the step, to another state: not what the step kept.
    with transaction.atomic():
        review_return(
            submission=Submission.objects.get(pk=report.pk),
            reviewer=education_reviewer,
            reason="Bổ sung.",
        )
        Submission.objects.filter(pk=report.pk).update(status=SubmissionStatus.ACCEPTED)
    assert not ledger.is_current()


def test_two_steps_in_one_transaction_keep_it_current(
    plan, agency, agency_staff, agency_head, district, district_staff
):
    cycle = open_cycle(plan)
    ledger.rebuild()
    with transaction.atomic():
        first = started(cycle, agency, agency_staff)
        second = started(cycle, district, district_staff)
        fill_progress(first)
        submission_submit(submission=first, by=agency_head)
    assert second.pk
    _assert_current_and_exact(plan)


def test_two_reviews_at_once_do_not_wait_for_each_other(
    plan, agency, agency_staff, agency_head, district, district_staff, district_head, education_reviewer
):
    """The steps hold the ledger's stamp shared: a review that has not committed yet does not hold up another
    (reviews lock their own report only; a rebuild waits for both)."""
    cycle = open_cycle(plan)
    reports = {
        agency.pk: sent(cycle, agency, agency_staff, agency_head),
        district.pk: sent(cycle, district, district_staff, district_head),
    }
    ledger.rebuild()
    kept_open, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def first_review() -> None:
        try:
            with transaction.atomic():
                review_accept(submission=Submission.objects.get(pk=reports[agency.pk].pk), reviewer=education_reviewer)
                kept_open.set()
                release.wait(10)
        except BaseException as error:  # reported to the test's thread
            failures.append(error)
        finally:
            kept_open.set()
            connections.close_all()

    thread = threading.Thread(target=first_review)
    thread.start()
    try:
        assert kept_open.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")  # it would wait 2 s, then fail, if held
            review_return(
                submission=Submission.objects.get(pk=reports[district.pk].pk),
                reviewer=education_reviewer,
                reason="Bổ sung số liệu.",
            )
        # A rebuild, though, waits for the review still open.
        with pytest.raises(OperationalError, match="could not obtain lock"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM reports_ledgerstamp WHERE id = 1 FOR UPDATE NOWAIT")
    finally:
        release.set()
        thread.join(15)
    assert failures == []
    states = {row[2]: row[5] for row in _stored(plan)}
    assert states[agency.pk] in ("on_time", "late") and states[district.pk] == "returned"
    _assert_current_and_exact(plan)


def test_the_years_page_counts_from_the_ledger_when_current_with_the_same_figures(
    client, plan, agency, agency_staff, agency_head, education_reviewer
):
    cycle = open_cycle(plan)
    sent(cycle, agency, agency_staff, agency_head)
    client.force_login(education_reviewer)
    url = dashboard_url("dashboard_years", plan)

    def cold_request() -> tuple[list, list[str]]:
        FiguresVersion.objects.update(token=uuid.uuid4().hex)  # a new version: nothing cached for it
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        lines = [
            (line.label, line.expected, line.on_time, line.late, line.returned, line.missing)
            for line in response.context["years_table"].data.data
        ]
        return lines, [query["sql"] for query in queries]

    assert client.get(url).status_code == 200  # the session's first request, with its own queries
    assert not ledger.is_current()
    live, live_queries = cold_request()
    assert not [sql for sql in live_queries if StoredExpectedReport._meta.db_table in sql]
    ledger.rebuild()
    stored, stored_queries = cold_request()
    assert [sql for sql in stored_queries if StoredExpectedReport._meta.db_table in sql]
    assert stored == live and any(line[2] or line[3] for line in stored)
    assert len(stored_queries) == len(live_queries)


def _row_versions() -> dict[tuple, str]:
    """Each stored row's key and the transaction that last wrote it (xmin): a row rewritten gets a new one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cycle_id, agency_id, rule_id, xmin::text FROM reports_storedexpectedreport")
        return {row[:3]: row[3] for row in cursor.fetchall()}


def test_a_rebuild_writes_only_the_rows_that_changed(plan, agency, agency_staff, agency_head):
    """Rewriting every row on every rebuild left as many dead rows each time (where autovacuum is late or off,
    the count read ten times the pages): a rebuild that finds nothing changed writes nothing, and otherwise it
    updates, deletes and inserts just those rows."""
    cycle = open_cycle(plan)
    report = sent(cycle, agency, agency_staff, agency_head)
    ledger.rebuild()
    before = _row_versions()
    assert ledger.rebuild() == len(before) > 1
    assert _row_versions() == before
    _assert_current_and_exact(plan)

    Submission.objects.filter(pk=report.pk).update(status=SubmissionStatus.RETURNED)  # no workflow step
    ended = next(key for key in before if key[1] != agency.pk)
    Agency.objects.filter(pk=ended[1]).update(valid_to=datetime.date(2020, 1, 1))  # its reports are owed no more
    ledger.rebuild()
    after = _row_versions()
    _assert_current_and_exact(plan)
    gone = {key for key in before if key not in after}
    assert gone and {key[1] for key in gone} == {ended[1]} and set(after) == set(before) - gone
    assert {key for key in after if after[key] != before[key]} == {(cycle.pk, agency.pk, report.rule_id)}
