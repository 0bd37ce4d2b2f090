"""The targets' figures in the ledger (reports.cycles.ledger, StoredTargetFigure): a report accepted or reopened
rewrites its cycle's figures in its own transaction, a draft's values change nothing, any other write to a figure
makes the ledger stale until the worker rebuilds it; the targets page reads the stored figures only while current,
and they are then exactly what the definition (`target_figures`) gives."""

from __future__ import annotations

import re
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency, AgencyKind, Role
from plans.models import Target
from reports.cycles import ledger
from reports.cycles.target_figures import COLUMNS, target_figures
from reports.dashboard.progress import target_series
from reports.dashboard.warming import dashboard_figures_warm
from reports.models import FiguresChange, FiguresVersion, Submission, TargetValue
from reports.submissions.reviews import review_accept, submission_reopen
from reports.submissions.services import TargetInput, submission_save, submission_submit
from tests.conftest import make_person

from .dashboard_helpers import dashboard_url
from .submission_helpers import fill_progress, open_cycle, started

pytestmark = pytest.mark.django_db(transaction=True)
TARGET = "truong-chuan-quoc-gia"


def _stored(plan) -> list[tuple]:
    return [tuple(row[c] for c in COLUMNS) for row in ledger.stored_target_figures(plan.pk)]


def _defined(plan) -> list[tuple]:
    return [tuple(row[c] for c in COLUMNS) for row in target_figures(plan_id=plan.pk)]


def _assert_current_and_exact(plan) -> None:
    assert ledger.is_current()
    assert _stored(plan) == _defined(plan)


def _districts(count: int) -> list[Agency]:
    return list(Agency.objects.filter(kind=AgencyKind.DISTRICT).order_by("code")[:count])


def _sent_with(cycle, district: Agency, value: str) -> Submission:
    """A district's report saved as a draft with `value` for the target, then sent."""
    staff = make_person(f"{district.code.lower()}.canbo", Role.STAFF, district)
    head = make_person(f"{district.code.lower()}.lanhdao", Role.HEAD, district)
    report = started(cycle, district, staff)
    before = FiguresChange.objects.count()
    submission_save(
        submission=report,
        by=staff,
        version=report.version,
        general={},
        tasks={},
        targets={Target.objects.get(code=TARGET).pk: TargetInput(value=Decimal(value))},
    )
    # A draft's value is no figure: the save records no change, so nothing cached or stored goes stale.
    assert FiguresChange.objects.count() == before
    fill_progress(report)
    return submission_submit(submission=Submission.objects.get(pk=report.pk), by=head)


def _figure(plan, cycle) -> tuple:
    target = Target.objects.get(code=TARGET)
    (row,) = [row for row in _stored(plan) if row[0] == target.pk and row[1] == cycle.pk]
    return row[3:]  # total, reporters, low, high


def test_accepting_and_reopening_keep_the_target_figures_exact_and_a_draft_changes_nothing(
    plan, education_reviewer, administrator
):
    cycle = open_cycle(plan)
    first_district, second_district = _districts(2)
    ledger.rebuild()
    first = _sent_with(cycle, first_district, "61.5")
    second = _sent_with(cycle, second_district, "40")
    _assert_current_and_exact(plan)
    assert _stored(plan) == []  # sent, not accepted: no figure yet
    review_accept(submission=first, reviewer=education_reviewer)
    _assert_current_and_exact(plan)
    assert _figure(plan, cycle) == (Decimal("61.5"), 1, Decimal("61.5"), Decimal("61.5"))
    review_accept(submission=second, reviewer=education_reviewer)
    _assert_current_and_exact(plan)
    assert _figure(plan, cycle) == (Decimal("101.5"), 2, Decimal("40"), Decimal("61.5"))
    # The highest value leaves: a difference could not say what the new highest is; the cycle is counted again.
    submission_reopen(submission=Submission.objects.get(pk=first.pk), by=administrator, reason="Sửa số liệu.")
    _assert_current_and_exact(plan)
    assert _figure(plan, cycle) == (Decimal("40"), 1, Decimal("40"), Decimal("40"))


def test_a_value_of_an_accepted_report_changed_by_no_step_makes_it_stale_until_the_worker_rebuilds_it(
    plan, education_reviewer
):
    cycle = open_cycle(plan)
    (district,) = _districts(1)
    report = review_accept(submission=_sent_with(cycle, district, "61.5"), reviewer=education_reviewer)
    ledger.rebuild()
    _assert_current_and_exact(plan)
    TargetValue.objects.filter(submission=report).update(value=Decimal("70"))  # the admin, a script
    assert not ledger.is_current()
    assert _figure(plan, cycle)[0] == Decimal("61.5")  # the stale row, never read:
    (series,) = [s for s in target_series(plan=plan) if s.target.code == TARGET]
    assert [(p.year, p.value, p.reporters) for p in series.points] == [(cycle.year, Decimal("70.0"), 1)]
    assert dashboard_figures_warm() is True
    _assert_current_and_exact(plan)
    assert _figure(plan, cycle)[0] == Decimal("70")


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page)


def test_the_targets_page_reads_the_stored_figures_when_current_and_shows_the_same(client, plan, education_reviewer):
    cycle = open_cycle(plan)
    first_district, second_district = _districts(2)
    for district, value in ((first_district, "61.5"), (second_district, "40.25")):
        review_accept(submission=_sent_with(cycle, district, value), reviewer=education_reviewer)
    client.force_login(education_reviewer)

    def cold_request() -> tuple[str, list[str]]:
        # A new version: nothing cached for it (the row is made anew after the previous test's flush).
        FiguresVersion.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
        with CaptureQueriesContext(connection) as queries:
            response = client.get(dashboard_url("dashboard_targets", plan))
        assert response.status_code == 200
        return response.content.decode(), [q["sql"] for q in queries]

    ledger.rebuild()
    assert ledger.is_current()
    stored_page, stored_queries = cold_request()
    assert any('"reports_storedtargetfigure"' in sql for sql in stored_queries)
    assert not any('"reports_targetvalue"' in sql for sql in stored_queries)
    assert "50,9" in stored_page  # (61.5 + 40.25) ÷ 2 = 50.875, rounded half up
    FiguresChange.objects.create(topic="targets")  # as a write no step kept: stale
    live_page, live_queries = cold_request()
    assert any('"reports_targetvalue"' in sql for sql in live_queries)
    assert not any('"reports_storedtargetfigure"' in sql for sql in live_queries)
    assert _without_tokens(live_page) == _without_tokens(stored_page)  # the same page, figure for figure


def test_two_acceptances_in_one_cycle_count_one_after_the_other_and_both_are_in_the_figures(plan, education_reviewer):
    cycle = open_cycle(plan)
    first_district, second_district = _districts(2)
    first = _sent_with(cycle, first_district, "61.5")
    second = _sent_with(cycle, second_district, "40")
    ledger.rebuild()
    kept_open, release, second_done = threading.Event(), threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def accept(report: Submission, hold: bool) -> None:
        try:
            with transaction.atomic():
                review_accept(submission=Submission.objects.get(pk=report.pk), reviewer=education_reviewer)
                if hold:
                    kept_open.set()
                    release.wait(10)
        except BaseException as error:  # reported to the test's thread
            failures.append(error)
        finally:
            kept_open.set()
            if not hold:
                second_done.set()
            connections.close_all()

    holding = threading.Thread(target=accept, args=(first, True))
    holding.start()
    assert kept_open.wait(10)
    waiting = threading.Thread(target=accept, args=(second, False))
    waiting.start()
    try:
        # The second waits for the first's cycle figures (it would count without the first's report).
        assert not second_done.wait(1)
    finally:
        release.set()
        holding.join(15)
        waiting.join(15)
    assert failures == []
    _assert_current_and_exact(plan)
    assert _figure(plan, cycle) == (Decimal("101.5"), 2, Decimal("40"), Decimal("61.5"))


def test_a_value_deleted_counts_only_on_an_accepted_report(plan, education_reviewer):
    cycle = open_cycle(plan)
    first_district, second_district = _districts(2)
    draft_like = _sent_with(cycle, first_district, "61.5")  # sent, not accepted
    accepted = review_accept(submission=_sent_with(cycle, second_district, "40"), reviewer=education_reviewer)
    ledger.rebuild()
    before = FiguresChange.objects.count()
    TargetValue.objects.filter(submission=draft_like).delete()
    assert FiguresChange.objects.count() == before  # no figure changed
    _assert_current_and_exact(plan)
    TargetValue.objects.filter(submission=accepted).delete()
    assert not ledger.is_current()
    assert target_figures(plan_id=plan.pk).count() == 0
    ledger.rebuild()
    _assert_current_and_exact(plan)


def test_a_value_written_while_its_report_is_being_accepted_makes_the_ledger_stale(plan, education_reviewer):
    """The admin (or a script) changes a value of a report sent for review while a reviewer accepts it: the
    acceptance counts the cycle's figures without the value (not committed yet), so the value's change must be
    recorded, whichever commits first. The trigger waits for the acceptance, then reads the report accepted."""
    cycle = open_cycle(plan)
    (district,) = _districts(1)
    report = _sent_with(cycle, district, "61.5")
    ledger.rebuild()
    accepting, release, written = threading.Event(), threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def accept() -> None:
        try:
            with transaction.atomic():
                review_accept(submission=Submission.objects.get(pk=report.pk), reviewer=education_reviewer)
                accepting.set()
                release.wait(10)
        except BaseException as error:  # reported to the test's thread
            failures.append(error)
        finally:
            accepting.set()
            connections.close_all()

    def write_value() -> None:
        try:
            with transaction.atomic():
                TargetValue.objects.filter(submission=report).update(value=Decimal("90"))
        except BaseException as error:
            failures.append(error)
        finally:
            written.set()
            connections.close_all()

    reviewer = threading.Thread(target=accept)
    reviewer.start()
    assert accepting.wait(10)
    writer = threading.Thread(target=write_value)
    writer.start()
    try:
        assert not written.wait(1)  # its commit waits for the acceptance under way
    finally:
        release.set()
        reviewer.join(15)
        writer.join(15)
    assert failures == []
    assert not ledger.is_current()  # the stored figure (61.5) is never read
    assert _figure(plan, cycle)[0] == Decimal("61.5")
    assert [row[3] for row in _defined(plan)] == [Decimal("90")]
    ledger.rebuild()
    _assert_current_and_exact(plan)
