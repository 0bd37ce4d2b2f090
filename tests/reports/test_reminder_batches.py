"""Issue 11: the reminder scan and the notification mail are sent in batches, with a number of queries that does
not grow with the agencies (or people) in a batch, over one mail connection per batch, and one agency's failure
inside a batch is that agency's alone."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Role
from reports.models import Notification, NotificationKind, NotificationMail, ReminderDelivery, ReminderDeliveryStatus
from reports.notifications.delivery import notification_mail_flush
from reports.reminders.services import scan_reminders
from tests.conftest import make_person
from tests.reports.reminder_helpers import mails_for, morning, open_cycle

D = datetime.date
FRIDAY = D(2026, 11, 27)  # the working day before the yearly report's deadline (Monday 30/11)
pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


class CountingBackend(LocmemBackend):
    """Counts the connections opened (one backend per connection), and refuses, like a broken server, every
    message to the addresses in `broken`."""

    connections = 0
    broken: set[str] = set()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type(self).connections += 1

    def send_messages(self, messages):
        if any(address in self.broken for m in messages for address in m.recipients()):
            raise ConnectionResetError("connection reset by the mail server")
        return super().send_messages(messages)


def agencies_owing(plan, count: int, start: int = 0) -> list[Agency]:
    """`count` new departments that owe the yearly report (in Sở Nội vụ's duty item), each with one staff member."""
    duty = Agency.objects.get(code="SNV").duty_items.get(plan=plan)
    made = []
    for n in range(start, start + count):
        agency = Agency.objects.create(
            code=f"so-thu-{n}",
            name=f"Sở thử nghiệm {n}",
            short_name=f"Sở thử {n}",
            symbol=f"ST{n}",
            kind=AgencyKind.DEPARTMENT,
            valid_from=D(2020, 1, 1),
        )
        duty.agencies.add(agency)
        make_person(f"sothu{n}.canbo", Role.STAFF, agency)
        made.append(agency)
    return made


def queries_of_a_scan(day: datetime.date) -> tuple[int, int]:
    """The queries and digests of one scan, undone afterwards so that the next scan finds the same reminders."""
    with CaptureQueriesContext(connection) as queries:
        try:
            with transaction.atomic(), time_machine.travel(morning(day), tick=False):
                digests = scan_reminders().digests
                raise _Undo
        except _Undo:
            pass
    return len(queries), digests


def test_a_scan_costs_the_same_number_of_queries_for_5_and_for_40_agencies(plan, agency_staff, mailoutbox):
    open_cycle(plan)
    agencies_owing(plan, 5)
    few, few_digests = queries_of_a_scan(FRIDAY)
    agencies_owing(plan, 35, start=5)
    many, many_digests = queries_of_a_scan(FRIDAY)
    assert many_digests == few_digests + 35
    assert few == many


def test_digests_spread_over_several_batches_are_each_sent_once(plan, agency_staff, mailoutbox, monkeypatch):
    open_cycle(plan)
    agencies_owing(plan, 7)
    with time_machine.travel(morning(FRIDAY), tick=False):
        whole = scan_reminders()
    sent_whole = sorted(m.to[0] for m in mailoutbox)
    ReminderDelivery.objects.all().delete()
    mailoutbox.clear()
    monkeypatch.setattr("reports.reminders.delivery.DIGESTS_PER_BATCH", 3)
    with time_machine.travel(morning(FRIDAY), tick=False):
        batched = scan_reminders()
    assert (batched.digests, batched.sent, batched.failed) == (whole.digests, whole.sent, whole.failed)
    assert sorted(m.to[0] for m in mailoutbox) == sent_whole
    for n in range(7):
        assert len(mails_for(mailoutbox, f"sothu{n}.canbo@example.vn")) == 1


def test_one_agencys_failure_inside_a_batch_marks_only_that_agency_failed_and_the_others_sent(
    plan, agency_staff, other_agency_staff, settings, mailoutbox
):
    open_cycle(plan)
    owing = agencies_owing(plan, 6)
    settings.EMAIL_BACKEND = "tests.reports.test_reminder_batches.CountingBackend"
    CountingBackend.connections = 0
    CountingBackend.broken = {"sothu2.canbo@example.vn"}
    try:
        with time_machine.travel(morning(FRIDAY), tick=False):
            result = scan_reminders()
    finally:
        CountingBackend.broken = set()
    assert CountingBackend.connections == 1  # the whole batch over one connection
    failed = ReminderDelivery.objects.get(agency=owing[2])
    assert failed.status == ReminderDeliveryStatus.FAILED and "ConnectionResetError" in failed.error
    assert failed.next_attempt_on == D(2026, 11, 30) and failed.attempts == 1
    assert not mails_for(mailoutbox, "sothu2.canbo@example.vn")
    for agency in [*owing[:2], *owing[3:], agency_staff.membership.agency, other_agency_staff.membership.agency]:
        row = ReminderDelivery.objects.get(agency=agency)
        assert row.status == ReminderDeliveryStatus.SENT and row.attempts == 1 and row.error == "", agency.code
        (email,) = [r["email"] for r in row.recipients]
        assert len(mails_for(mailoutbox, email)) == 1
        assert Notification.objects.filter(user__email=email, kind=NotificationKind.REMINDER).count() == 1
    assert not ReminderDelivery.objects.filter(status=ReminderDeliveryStatus.CLAIMED).exists()
    assert result.sent == ReminderDelivery.objects.filter(status=ReminderDeliveryStatus.SENT).count()
    assert result.failed == ReminderDelivery.objects.filter(status=ReminderDeliveryStatus.FAILED).count()


def pending_notices_for(count: int, start: int = 0) -> None:
    agency = Agency.objects.get(code="SNV")
    for n in range(start, start + count):
        user = make_person(f"nguoinhan{n}.canbo", Role.STAFF, agency)
        Notification.objects.create(
            user=user,
            kind=NotificationKind.COMMENTED,
            subject="Ý kiến về báo cáo",
            mail_status=NotificationMail.PENDING,
        )


def queries_of_a_flush() -> int:
    with CaptureQueriesContext(connection) as queries:
        try:
            with transaction.atomic():
                assert notification_mail_flush(now=timezone.now() + datetime.timedelta(hours=1)).mails > 0
                raise _Undo
        except _Undo:
            pass
    return len(queries)


def test_a_notification_flush_costs_the_same_number_of_queries_for_3_and_for_12_people(plan, mailoutbox):
    pending_notices_for(3)
    few = queries_of_a_flush()
    pending_notices_for(9, start=3)
    many = queries_of_a_flush()
    assert few == many
