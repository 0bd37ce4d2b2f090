"""Workflow notifications (issue 12): who hears of each event of a report, in the portal and by one mail, sent
once, grouped into a digest, retried after any failure, and never to someone who turned that kind off."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from reports.cycles.services import cycle_lock
from reports.models import Notification, NotificationKind, NotificationMail, NotificationSettings, Submission
from reports.notifications.delivery import notification_mail_flush
from reports.notifications.services import notification_settings_save
from reports.submissions.reviews import receipt_acknowledge, review_accept, review_comment, review_return
from reports.submissions.services import submission_submit
from tests.reports.submission_helpers import fill_progress, open_cycle, sent, started

pytestmark = pytest.mark.django_db
LATER = datetime.timedelta(hours=1)


class BrokenBackend(BaseEmailBackend):
    """A misconfigured mail backend: it fails with an error that is neither SMTP nor OS."""

    def send_messages(self, messages):
        raise RuntimeError("EMAIL_HOST không đúng")


def flush(**kwargs):
    return notification_mail_flush(now=timezone.now() + LATER, **kwargs)


def notices(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("pk"))


@pytest.fixture
def cycle(plan):
    return open_cycle(plan)


def test_a_returned_report_tells_the_agency_staff_and_head_once_with_the_reason_and_a_link(
    cycle, agency, agency_staff, agency_head, education_reviewer, mailoutbox
):
    submission = sent(cycle, agency, agency_staff, agency_head)
    mail.outbox.clear()
    review_return(submission=submission, reviewer=education_reviewer, reason="Bổ sung số liệu nhiệm vụ 1.1")
    url = reverse("reports:submission_detail", args=[submission.pk])
    for person in (agency_staff, agency_head):
        (notice,) = [n for n in notices(person) if n.kind == NotificationKind.RETURNED]
        assert notice.url == url and notice.body == "Bổ sung số liệu nhiệm vụ 1.1"
        assert "bị trả lại" in notice.subject and notice.mail_status == NotificationMail.PENDING
    assert not Notification.objects.filter(user=education_reviewer, kind=NotificationKind.RETURNED).exists()
    assert flush().mails == 3  # the staff, the head, and the reviewer about the earlier sending
    for person in (agency_staff, agency_head):
        (message,) = [m for m in mailoutbox if m.to == [person.email]]
        assert "bị trả lại" in message.subject
        assert "Bổ sung số liệu nhiệm vụ 1.1" in message.body and f"http://127.0.0.1:8000{url}" in message.body
        assert "Kính gửi " + person.get_full_name() in message.body
    # Claimed before sending: flushing again (a retried task, a second worker) sends nothing.
    assert flush().mails == 0 and flush().mails == 0
    assert len(mailoutbox) == 3
    assert set(Notification.objects.values_list("mail_status", flat=True)) <= {NotificationMail.SENT}


def test_a_sent_district_report_reaches_the_reviewers_of_both_departments(
    cycle, district, district_staff, district_head, education_reviewer, labour_reviewer
):
    submission = started(cycle, district, district_staff)
    fill_progress(submission)
    submission_submit(submission=submission, by=district_head)
    for reviewer in (education_reviewer, labour_reviewer):
        (notice,) = notices(reviewer)
        assert notice.kind == NotificationKind.SUBMITTED and district.short_name in notice.subject
    # The head who sent it is not told of their own action; nor is the agency's staff.
    assert not notices(district_head) and not notices(district_staff)


def test_accept_acknowledge_and_comment_each_tell_the_agency(
    cycle, district, district_staff, district_head, education_reviewer, labour_reviewer
):
    submission = sent(cycle, district, district_staff, district_head)
    receipt_acknowledge(submission=submission, by=labour_reviewer)
    review_comment(submission=submission, reviewer=education_reviewer, text="Số liệu tuyển sinh lớp 10 rất tốt.")
    review_accept(submission=submission, reviewer=education_reviewer)
    kinds = [n.kind for n in notices(district_staff)]
    assert kinds == [NotificationKind.ACKNOWLEDGED, NotificationKind.COMMENTED, NotificationKind.ACCEPTED]
    acknowledged = notices(district_staff)[0]
    assert acknowledged.subject.startswith("Sở LĐTB&XH") or "tiếp nhận" in acknowledged.subject


def test_several_events_within_the_window_become_one_digest_mail(
    cycle, district, district_staff, district_head, education_reviewer, labour_reviewer, mailoutbox, settings
):
    settings.NOTIFICATION_DIGEST_SECONDS = 300
    submission = sent(cycle, district, district_staff, district_head)
    receipt_acknowledge(submission=submission, by=labour_reviewer)
    review_accept(submission=submission, reviewer=education_reviewer)
    # Within the window nothing goes yet.
    assert notification_mail_flush(now=timezone.now()).mails == 0
    assert flush().mails == 4  # staff and head, one mail each; the two departments' reviewers of the sending
    (message,) = [m for m in mailoutbox if m.to == [district_staff.email]]
    assert "2 thông báo mới" in message.subject
    assert "tiếp nhận" in message.body and "chấp nhận" in message.body


def test_a_person_who_turned_a_kind_off_gets_the_notice_but_no_mail(
    cycle, agency, agency_staff, agency_head, education_reviewer, mailoutbox
):
    notification_settings_save(user=agency_staff, mail_off=[NotificationKind.ACCEPTED, "nonsense"], language="vi")
    assert NotificationSettings.objects.get(user=agency_staff).mail_off == [NotificationKind.ACCEPTED]
    review_accept(submission=sent(cycle, agency, agency_staff, agency_head), reviewer=education_reviewer)
    (notice,) = notices(agency_staff)
    assert notice.mail_status == NotificationMail.NONE
    flush()
    assert [m.to for m in mailoutbox if m.to != [education_reviewer.email]] == [[agency_head.email]]


def test_a_reader_who_chose_english_gets_the_mail_in_english(
    cycle, agency, agency_staff, agency_head, education_reviewer, mailoutbox
):
    notification_settings_save(user=agency_staff, mail_off=[], language="en")
    review_return(
        submission=sent(cycle, agency, agency_staff, agency_head), reviewer=education_reviewer, reason="Thiếu số liệu"
    )
    flush()
    (english,) = [m for m in mailoutbox if m.to == [agency_staff.email]]
    (vietnamese,) = [m for m in mailoutbox if m.to == [agency_head.email]]
    assert "was returned" in english.subject and "Dear" in english.body and "Thiếu số liệu" in english.body
    assert "bị trả lại" in vietnamese.subject


def test_any_mail_failure_marks_the_notices_failed_with_a_retry_and_leaves_nothing_claimed(
    cycle, agency, agency_staff, agency_head, education_reviewer, settings, mailoutbox
):
    review_return(submission=sent(cycle, agency, agency_staff, agency_head), reviewer=education_reviewer, reason="X")
    settings.EMAIL_BACKEND = "tests.reports.test_notifications.BrokenBackend"
    result = flush()
    assert result.failed == 3 and result.mails == 0  # staff, head, and the reviewer's notice of the sending
    rows = Notification.objects.filter(kind=NotificationKind.RETURNED)
    assert not rows.filter(mail_status=NotificationMail.CLAIMED).exists()
    for row in rows:
        assert row.mail_status == NotificationMail.FAILED and "RuntimeError" in row.mail_error
        assert row.mail_attempts == 1 and row.mail_next_attempt_at > timezone.now()
    # Before the retry time nothing is tried; after it, with the backend fixed, each person gets one mail.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert flush().mails == 0
    later = timezone.now() + datetime.timedelta(seconds=settings.NOTIFICATION_RETRY_SECONDS + 3600 + 60)
    assert notification_mail_flush(now=later).mails == 3
    assert notification_mail_flush(now=later).mails == 0
    assert len(mailoutbox) == 3


def test_a_claim_left_by_a_killed_worker_expires_and_is_never_sent_twice(
    cycle, agency, agency_staff, agency_head, education_reviewer, settings, mailoutbox
):
    review_return(submission=sent(cycle, agency, agency_staff, agency_head), reviewer=education_reviewer, reason="X")
    stuck = Notification.objects.filter(kind=NotificationKind.RETURNED)
    stuck.update(mail_status=NotificationMail.CLAIMED, mail_claimed_by="dead", mail_claimed_at=timezone.now())
    later = timezone.now() + datetime.timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS + 60)
    result = notification_mail_flush(now=later)
    assert result.given_up == 2 and [m.to for m in mailoutbox] == [[education_reviewer.email]]
    assert set(stuck.values_list("mail_status", flat=True)) == {NotificationMail.FAILED}


def test_locking_the_cycle_tells_each_agency_whose_report_can_no_longer_change(
    cycle, agency, agency_staff, agency_head, other_agency, other_agency_staff, education_reviewer
):
    draft = started(cycle, other_agency, other_agency_staff)
    review_accept(submission=sent(cycle, agency, agency_staff, agency_head), reviewer=education_reviewer)
    cycle_lock(cycle=cycle, by=education_reviewer)
    (notice,) = [n for n in notices(other_agency_staff) if n.kind == NotificationKind.CYCLE_LOCKED]
    assert notice.url == reverse("reports:submission_detail", args=[draft.pk]) and "khóa số liệu" in notice.subject
    # The accepted report's agency has nothing left to change: no lock notice.
    assert not Notification.objects.filter(user=agency_staff, kind=NotificationKind.CYCLE_LOCKED).exists()


def test_unlocking_the_cycle_tells_the_same_agencies_why_they_can_correct_their_report(
    cycle, agency, agency_staff, agency_head, other_agency, other_agency_staff, education_reviewer
):
    # Locked, the agencies heard they could no longer change their report; unlocked, nobody told them it was
    # open again (a leftover of issue 12).
    from reports.cycles.services import cycle_unlock

    draft = started(cycle, other_agency, other_agency_staff)
    review_accept(submission=sent(cycle, agency, agency_staff, agency_head), reviewer=education_reviewer)
    cycle_lock(cycle=cycle, by=education_reviewer)
    cycle_unlock(cycle=cycle, by=education_reviewer, reason="Bổ sung số liệu chỉ tiêu 2.3 theo yêu cầu của UBND")
    (notice,) = [n for n in notices(other_agency_staff) if n.kind == NotificationKind.CYCLE_UNLOCKED]
    assert notice.url == reverse("reports:submission_detail", args=[draft.pk]) and "mở khóa" in notice.subject
    assert notice.body == "Bổ sung số liệu chỉ tiêu 2.3 theo yêu cầu của UBND"
    assert not Notification.objects.filter(user=agency_staff, kind=NotificationKind.CYCLE_UNLOCKED).exists()


def test_reopening_tells_the_agency(cycle, agency, agency_staff, agency_head, education_reviewer, administrator):
    from reports.submissions.reviews import submission_reopen

    accepted = review_accept(submission=sent(cycle, agency, agency_staff, agency_head), reviewer=education_reviewer)
    submission_reopen(submission=accepted, by=administrator, reason="Sửa số liệu chỉ tiêu")
    (notice,) = [n for n in notices(agency_head) if n.kind == NotificationKind.REOPENED]
    assert notice.body == "Sửa số liệu chỉ tiêu"


def test_the_profile_page_turns_mail_off_per_kind(client, agency_staff):
    client.force_login(agency_staff)
    url = reverse("reports:notification_settings")
    page = client.get(url).content.decode()
    assert "Báo cáo bị trả lại" in page and 'name="mail_on"' in page
    response = client.post(url, {"mail_on": ["returned", "accepted"], "language": "en"})
    assert response.status_code == 302
    chosen = NotificationSettings.objects.get(user=agency_staff)
    assert "returned" not in chosen.mail_off and "commented" in chosen.mail_off and chosen.language == "en"
    assert client.post(url, {"mail_on": ["<script>"], "language": "xx"}).status_code == 200
    assert NotificationSettings.objects.get(user=agency_staff).language == "en"


def test_a_reviewer_comments_from_the_report_page_and_the_agency_is_told(
    client, cycle, agency, agency_staff, agency_head, education_reviewer
):
    submission = sent(cycle, agency, agency_staff, agency_head)
    client.force_login(education_reviewer)
    page = client.get(reverse("reports:submission_detail", args=[submission.pk])).content.decode()
    assert 'id="comment-form"' in page
    response = client.post(
        reverse("reports:submission_comment", args=[submission.pk]), {"comment": "Xin bổ sung ảnh"}, follow=True
    )
    assert response.status_code == 200
    (notice,) = [n for n in notices(agency_staff) if n.kind == NotificationKind.COMMENTED]
    assert notice.body == "Xin bổ sung ảnh"
    client.force_login(agency_staff)
    assert client.post(reverse("reports:submission_comment", args=[submission.pk]), {"comment": "x"}).status_code == 403


def test_the_notification_list_shows_workflow_titles_in_the_readers_language(
    client, cycle, agency, agency_staff, agency_head, education_reviewer
):
    review_return(submission=sent(cycle, agency, agency_staff, agency_head), reviewer=education_reviewer, reason="X")
    client.force_login(agency_staff)
    url = reverse("reports:notifications")
    assert "Báo cáo năm 2026 của Sở NV bị trả lại" in client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The 2026 report of Sở NV was returned" in english


def test_locking_tells_every_agency_in_a_fixed_number_of_queries(cycle, education_reviewer):
    """One query per kind of row, whatever the number of agencies: the lock request used to run five a report."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agencies.models import Agency, Role
    from reports.notifications.services import notify_cycle_locked
    from tests.conftest import make_person

    agencies = list(Agency.objects.filter(kind="district").order_by("code")[:8])
    for index, agency in enumerate(agencies):
        started(cycle, agency, make_person(f"bao-cao-{index}.canbo", Role.STAFF, agency))
        make_person(f"bao-cao-{index}.lanhdao", Role.HEAD, agency)

    def notified(count: int) -> tuple[int, int]:
        Notification.objects.all().delete()
        codes = [a.code for a in agencies[:count]]
        # Only the first `count` agencies' reports wait; the others are accepted already.
        Submission.objects.filter(cycle=cycle).exclude(agency__code__in=codes).update(status="accepted")
        Submission.objects.filter(cycle=cycle, agency__code__in=codes).update(status="draft")
        with CaptureQueriesContext(connection) as queries:
            created = notify_cycle_locked(cycle=cycle, by=education_reviewer)
        return len(queries), len(created)

    few, many = notified(2), notified(8)
    assert few[1] == 2 * 2 and many[1] == 8 * 2  # each agency's staff and head
    assert few[0] == many[0] <= 5
