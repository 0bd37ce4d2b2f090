"""The scan against PostgreSQL: who gets a reminder, how many mails, and that nothing is sent twice."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from agencies.models import Agency, Role
from reports.models import Notification, ReminderDelivery, ReminderDeliveryStatus
from reports.reminders.services import scan_reminders
from tests.conftest import make_person
from tests.reports.reminder_helpers import (
    YEARLY,
    BlocklistEmailBackend,
    add_rule_for,
    mails_for,
    morning,
    open_cycle,
    submit,
)

D = datetime.date
pytestmark = pytest.mark.django_db
STAFF, HEAD, CATP = "snv.canbo@example.vn", "snv.lanhdao@example.vn", "catp.canbo@example.vn"


def scan(day: datetime.date):
    with time_machine.travel(morning(day), tick=False):
        return scan_reminders()


@pytest.fixture
def cycle(plan, agency_staff, agency_head, other_agency_staff):
    return open_cycle(plan)


def test_running_the_scan_twice_sends_each_reminder_once(cycle, mailoutbox):
    scan(D(2026, 11, 27))
    assert len(mails_for(mailoutbox, STAFF)) == 1
    assert len(mails_for(mailoutbox, CATP)) == 1
    first = len(mailoutbox)
    scan(D(2026, 11, 27))
    scan(D(2026, 11, 27))
    assert len(mailoutbox) == first
    row = ReminderDelivery.objects.get(agency__code="SNV", rule__code=YEARLY)
    assert (row.offset_key, row.status, row.attempts) == ("before-1", ReminderDeliveryStatus.SENT, 1)
    assert row.recipients == [{"email": STAFF, "kind": "to"}]


def test_before_the_deadline_only_staff_are_mailed_and_after_it_the_head_is_copied(cycle, mailoutbox):
    scan(D(2026, 11, 27))
    (before,) = mails_for(mailoutbox, STAFF)
    assert before.to == [STAFF] and before.cc == []
    assert not mails_for(mailoutbox, HEAD)
    scan(D(2026, 12, 3))  # overdue-3: Tue 1/12, Wed 2/12, Thu 3/12
    after = mails_for(mailoutbox, STAFF)[-1]
    assert after.to == [STAFF] and after.cc == [HEAD]
    assert "quá hạn" in after.subject
    assert ReminderDelivery.objects.filter(agency__code="SNV", offset_key="overdue-3").exists()


def test_an_agency_without_staff_has_its_heads_mailed_before_the_deadline(plan, district_head, mailoutbox):
    open_cycle(plan)
    scan(D(2026, 11, 27))
    (mail,) = mails_for(mailoutbox, "lechan.lanhdao@example.vn")
    assert mail.to == ["lechan.lanhdao@example.vn"] and mail.cc == []


def test_agencies_that_submitted_get_nothing_but_a_returned_report_is_still_owed(cycle, mailoutbox):
    submit(cycle, Agency.objects.get(code="SNV"), YEARLY, "submitted")
    submit(cycle, Agency.objects.get(code="CATP"), YEARLY, "returned")
    scan(D(2026, 11, 27))
    assert not mails_for(mailoutbox, STAFF)
    assert len(mails_for(mailoutbox, CATP)) == 1
    assert not ReminderDelivery.objects.filter(agency__code="SNV").exists()


def test_a_report_submitted_after_a_failed_attempt_is_skipped_on_retry(cycle, mailoutbox, settings):
    settings.EMAIL_BACKEND = "tests.reports.reminder_helpers.BlocklistEmailBackend"
    BlocklistEmailBackend.blocklist = {STAFF}
    try:
        scan(D(2026, 11, 27))
        submit(cycle, Agency.objects.get(code="SNV"), YEARLY)
        BlocklistEmailBackend.blocklist = set()
        scan(D(2026, 11, 30))
    finally:
        BlocklistEmailBackend.blocklist = set()
    assert not mails_for(mailoutbox, STAFF)
    row = ReminderDelivery.objects.get(agency__code="SNV", offset_key="before-1")
    assert row.status == ReminderDeliveryStatus.SKIPPED


def test_one_digest_per_person_lists_everything_the_agency_owes_in_separate_sections(cycle, mailoutbox):
    snv = Agency.objects.get(code="SNV")
    add_rule_for(cycle, snv, code="bo-sung", due_on=D(2026, 11, 20))  # overdue-3 falls on 26/11
    scan(D(2026, 11, 27))
    (mail,) = mails_for(mailoutbox, STAFF)
    assert mail.cc == [HEAD]  # one of the two is overdue
    text = mail.body
    assert text.index("QUÁ HẠN") < text.index("Báo cáo bổ sung năm 2026") < text.index("SẮP ĐẾN HẠN")
    assert "Báo cáo kết quả thực hiện Kế hoạch số 193/KH-UBND năm 2026" in text
    assert "20/11/2026" in text and "30/11/2026" in text
    html = mail.alternatives[0][0]
    assert "Quá hạn" in html and "Sắp đến hạn" in html and 'href="http' in html
    assert set(ReminderDelivery.objects.filter(agency=snv).values_list("offset_key", flat=True)) == {
        "before-1",
        "overdue-3",
    }
    # One in-portal notification per person per digest.
    assert Notification.objects.filter(user__email=STAFF).count() == 1
    assert Notification.objects.filter(user__email=HEAD).count() == 1


def test_no_mail_when_nothing_is_owed_and_none_on_a_day_off(cycle, mailoutbox):
    for code in ("SNV", "CATP"):
        submit(cycle, Agency.objects.get(code=code), YEARLY)
    scan(D(2026, 11, 27))
    assert not mails_for(mailoutbox, STAFF) and not mails_for(mailoutbox, CATP)
    before = ReminderDelivery.objects.count()
    result = scan(D(2026, 11, 28))  # Saturday
    assert result.planned == [] and ReminderDelivery.objects.count() == before


def test_every_mail_sent_has_recipients_and_content(cycle, mailoutbox):
    scan(D(2026, 11, 27))
    assert mailoutbox
    for mail in mailoutbox:
        assert mail.to and "Hạn gửi" in mail.body


def test_a_missed_reminder_is_sent_the_next_day_once(cycle, mailoutbox):
    scan(D(2026, 11, 26))  # before-3 was planned for 25/11, when the beat was down
    (mail,) = mails_for(mailoutbox, STAFF)
    assert ReminderDelivery.objects.get(agency__code="SNV").offset_key == "before-3"
    scan(D(2026, 11, 26))
    assert len(mails_for(mailoutbox, STAFF)) == 1


def test_an_agency_without_any_recipient_is_logged_as_failed(cycle, mailoutbox):
    scan(D(2026, 11, 27))
    row = ReminderDelivery.objects.get(agency__code="STC", rule__code=YEARLY)  # Sở Tài chính: no accounts
    assert row.status == ReminderDeliveryStatus.FAILED
    assert "chưa có tài khoản" in row.error
    assert row.next_attempt_on == D(2026, 11, 30)


def test_a_failing_recipient_does_not_stop_the_others(
    plan, agency_staff, agency_head, other_agency_staff, mailoutbox, settings
):
    second_staff = make_person("snv.canbo2", Role.STAFF, agency_staff.membership.agency)
    open_cycle(plan)
    settings.EMAIL_BACKEND = "tests.reports.reminder_helpers.BlocklistEmailBackend"
    BlocklistEmailBackend.blocklist = {STAFF, CATP}
    try:
        scan(D(2026, 11, 27))
    finally:
        BlocklistEmailBackend.blocklist = set()
    # The refused address is dropped and the rest of the agency still gets its reminder.
    (mail,) = mails_for(mailoutbox, second_staff.email)
    assert mail.to == [second_staff.email]
    snv = ReminderDelivery.objects.get(agency__code="SNV")
    assert snv.status == ReminderDeliveryStatus.SENT and STAFF in snv.error
    # The police's only address is refused: failed, pushed to the next working day, and the loop carried on.
    catp = ReminderDelivery.objects.get(agency__code="CATP")
    assert catp.status == ReminderDeliveryStatus.FAILED and CATP in catp.error
    assert catp.next_attempt_on == D(2026, 11, 30)
    # Next working day the address works again: the retry goes out once, with today's "due" reminder merged.
    scan(D(2026, 11, 30))
    (retry,) = mails_for(mailoutbox, CATP)
    assert retry.body.count("Hạn gửi: 30/11/2026") == 1
    assert set(ReminderDelivery.objects.filter(agency__code="CATP").values_list("offset_key", "status")) == {
        ("before-1", "sent"),
        ("due", "sent"),
    }
    scan(D(2026, 11, 30))
    assert len(mails_for(mailoutbox, CATP)) == 1


def test_retries_are_bounded(cycle, mailoutbox, settings):
    settings.EMAIL_BACKEND = "tests.reports.reminder_helpers.BlocklistEmailBackend"
    settings.REMINDER_MAX_ATTEMPTS = 2
    BlocklistEmailBackend.blocklist = {CATP}
    try:
        for day in (D(2026, 11, 27), D(2026, 11, 30), D(2026, 12, 1), D(2026, 12, 2)):
            scan(day)
    finally:
        BlocklistEmailBackend.blocklist = set()
    row = ReminderDelivery.objects.get(agency__code="CATP", offset_key="before-1")
    assert row.status == ReminderDeliveryStatus.FAILED and row.attempts == 2 and row.next_attempt_on is None
