"""Reminders (issue 12): each links to the report that is due (or where to start it); the consolidator's own
report is reminded until it is issued; a failure of any kind marks one digest failed and the scan goes on."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse

from reports.models import (
    GeneratedReport,
    GeneratedReportKind,
    GeneratedReportStatus,
    Notification,
    ReminderDelivery,
    ReminderDeliveryStatus,
)
from reports.reminders.services import scan_reminders
from tests.reports.reminder_helpers import mails_for, morning, open_cycle
from tests.reports.submission_helpers import started

D = datetime.date
pytestmark = pytest.mark.django_db
STAFF, CATP, REVIEWER = "snv.canbo@example.vn", "catp.canbo@example.vn", "sgddt.thamdinh@example.vn"
BASE = "http://127.0.0.1:8000"


class OneBrokenAddressBackend(LocmemBackend):
    """A backend that fails, for one address, with an error that is neither SMTP nor OS."""

    def send_messages(self, messages):
        if any(CATP in m.recipients() for m in messages):
            raise RuntimeError("backend misconfigured")
        return super().send_messages(messages)


def scan(day: datetime.date):
    with time_machine.travel(morning(day), tick=False):
        return scan_reminders()


@pytest.fixture
def cycle(plan, agency_staff, agency_head, other_agency_staff, education_reviewer):
    return open_cycle(plan)


def test_a_reminder_links_to_the_report_or_to_the_page_where_it_is_started(cycle, agency, agency_staff, mailoutbox):
    draft = started(cycle, agency, agency_staff)
    scan(D(2026, 11, 27))
    (mail,) = mails_for(mailoutbox, STAFF)
    report_url = reverse("reports:submission_detail", args=[draft.pk])
    assert BASE + report_url in mail.body and f'href="{BASE}{report_url}"' in mail.alternatives[0][0]
    (notice,) = Notification.objects.filter(user=agency_staff)
    assert notice.url == report_url
    # The police have not started theirs: the link opens their agency page, where the report is started.
    (police,) = mails_for(mailoutbox, CATP)
    catp = Notification.objects.get(user__email=CATP)
    assert BASE + catp.url in police.body and catp.url == reverse(
        "reports:agency_detail", args=[catp.user.membership.agency_id]
    )


def test_the_consolidating_reviewers_are_reminded_of_the_consolidated_report_until_it_is_issued(cycle, mailoutbox):
    scan(D(2026, 12, 29))  # the last working day before 30/12 (Wednesday): "before-1"
    (mail,) = mails_for(mailoutbox, REVIEWER)
    assert mail.to == [REVIEWER] and BASE + reverse("reports:consolidated_reports") in mail.body
    row = ReminderDelivery.objects.get(rule__consolidates=True)
    assert row.agency.code == "SGDDT" and row.status == ReminderDeliveryStatus.SENT
    GeneratedReport.objects.create(
        kind=GeneratedReportKind.CONSOLIDATED, cycle=cycle, status=GeneratedReportStatus.READY, is_draft=False
    )
    scan(D(2026, 12, 30))
    assert len(mails_for(mailoutbox, REVIEWER)) == 1


def test_a_failure_of_any_kind_marks_that_digest_failed_and_the_scan_goes_on(cycle, mailoutbox, settings):
    settings.EMAIL_BACKEND = "tests.reports.test_reminder_links.OneBrokenAddressBackend"
    result = scan(D(2026, 11, 27))
    assert result.failed >= 1 and mails_for(mailoutbox, STAFF)
    row = ReminderDelivery.objects.get(agency__code="CATP")
    assert row.status == ReminderDeliveryStatus.FAILED and "RuntimeError" in row.error
    assert row.next_attempt_on == D(2026, 11, 30)
    assert not ReminderDelivery.objects.filter(status=ReminderDeliveryStatus.CLAIMED).exists()
    # Backing off: the second failure waits two working days.
    scan(D(2026, 11, 30))
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_on == D(2026, 12, 2)
