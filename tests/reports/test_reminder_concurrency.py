"""Two scans at the same moment (two beats, a redelivered task, two workers) send each reminder once.

The transactional test comes first: tests/conftest.py reloads plan 193 after a transactional test, which fails
when that test is the last of the session (the test database is already gone by then)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection

from reports.models import ReminderDelivery, ReminderDeliveryStatus
from reports.reminders.delivery import claim
from reports.reminders.planning import owed_reports, plan_reminders
from reports.reminders.services import scan_reminders
from reports.reminders.workdays import load_calendar
from tests.reports.reminder_helpers import mails_for, open_cycle

D = datetime.date
FRIDAY = D(2026, 11, 27)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scans", [2, 4])
def test_concurrent_scans_send_each_reminder_once(
    plan, agency_staff, agency_head, other_agency_staff, district_staff, mailoutbox, scans
):
    open_cycle(plan)
    start = threading.Barrier(scans)
    errors: list[BaseException] = []
    results = []

    def run() -> None:
        # Each thread has its own database connection: these are independent scans racing in PostgreSQL.
        try:
            start.wait(timeout=10)
            results.append(scan_reminders(today=FRIDAY))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(scans)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == scans
    for email in ("snv.canbo@example.vn", "catp.canbo@example.vn", "lechan.canbo@example.vn"):
        assert len(mails_for(mailoutbox, email)) == 1, email
    assert sum(r.claimed for r in results) == ReminderDelivery.objects.count()
    assert sum(r.digests for r in results) == 3


def test_a_reminder_claimed_by_one_scan_is_not_claimed_by_another(db, plan, agency_staff):
    open_cycle(plan)
    planned = plan_reminders(owed=owed_reports(today=FRIDAY), today=FRIDAY, calendar=load_calendar())
    first = claim(planned=planned, token="scan-a", today=FRIDAY)
    second = claim(planned=planned, token="scan-b", today=FRIDAY)
    assert len(first) == len(planned) > 0
    assert second == []
    assert set(ReminderDelivery.objects.values_list("claimed_by", flat=True)) == {"scan-a"}


def test_a_failed_reminder_is_taken_back_for_retry_by_one_scan_only(db, plan, agency_staff):
    open_cycle(plan)
    planned = plan_reminders(owed=owed_reports(today=FRIDAY), today=FRIDAY, calendar=load_calendar())
    claim(planned=planned, token="scan-a", today=FRIDAY)
    ReminderDelivery.objects.update(status=ReminderDeliveryStatus.FAILED, next_attempt_on=FRIDAY, attempts=1)
    retried = claim(planned=[], token="scan-b", today=FRIDAY)
    assert len(retried) == len(planned)
    assert claim(planned=[], token="scan-c", today=FRIDAY) == []
