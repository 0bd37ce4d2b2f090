"""Issue 12's journey in real headless Chromium: one district report through every event — a draft with a
refused file (the text is kept), send, return, fix, re-send, two acknowledgements, accept, lock — asserting who
got which notification and which mail (locmem outbox), and that each notification's link opens the report."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reports.models import Notification, NotificationKind, Submission, SubmissionStatus
from reports.notifications.delivery import notification_mail_flush
from tests.browser.helpers import sign_in
from tests.reports.submission_helpers import PDF, PNG, open_cycle, started

K = NotificationKind


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def message(page) -> str:
    return page.locator("ul.messages").inner_text()


def deliver() -> None:
    """What the Celery worker does once the digest window has passed."""
    notification_mail_flush(now=timezone.now() + datetime.timedelta(hours=1))


def kinds_of(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("created_at", "pk").values_list("kind", flat=True))


def mail_subjects(user) -> list[str]:
    return [m.subject for m in mail.outbox if m.to == [user.email]]


def open_latest_notification(page, live_server, expected_url: str) -> None:
    """The person opens "Thông báo" and follows the newest notice's link: it must open the report."""
    page.goto(live_server.url + reverse("reports:notifications"))
    page.locator(".notification a").first.click()
    page.wait_for_load_state()
    assert page.url == live_server.url + expected_url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_everyone_hears_what_happened_to_a_district_report(
    page,
    live_server,
    plan,
    district,
    district_staff,
    district_head,
    education_reviewer,
    labour_reviewer,
    agency,
    agency_staff,
    tmp_path,
    mailoutbox,
):
    cycle = open_cycle(plan)
    other_draft = started(cycle, agency, agency_staff)  # another agency, still drafting when the cycle is locked
    renamed_png = tmp_path / "Ảnh hiện trường.pdf"
    renamed_png.write_bytes(PNG)
    minutes = tmp_path / "Biên bản.pdf"
    minutes.write_bytes(PDF)

    # 1. Staff start the report, type, attach a renamed PNG and a real PDF: the text and the PDF are kept, the
    #    PNG is named as refused, and the page comes back at the task being read.
    sign_in(page, live_server, district_staff.username)
    page.click("text=Lập báo cáo")
    page.wait_for_selector("#submission-form")
    assert page.locator("article.task-report").count() == 32
    assert page.locator("#task-index li[data-state=empty]").count() == 32
    third = page.locator("article.task-report").nth(2)
    third.locator("textarea[name$='-results']").fill("Đã mở 3 lớp bồi dưỡng giáo viên")
    assert page.locator("#task-index li[data-state=partial]").count() == 1
    third.locator("input[type=file]").set_input_files([str(renamed_png), str(minutes)])
    third.scroll_into_view_if_needed()
    page.click("button[value=save]")
    page.wait_for_load_state()
    text = message(page)
    assert "Đã lưu nháp" in text and "«Ảnh hiện trường.pdf» không được nhận" in text
    code = third.get_attribute("data-task")
    assert page.url.endswith(f"#nhiem-vu-{code}")
    submission = Submission.objects.get(agency=district, cycle=cycle)
    report_pk = int(third.locator("textarea[name$='-results']").get_attribute("name")[1:].split("-")[0])
    assert submission.task_reports.get(pk=report_pk).results == "Đã mở 3 lớp bồi dưỡng giáo viên"
    assert submission.evidence.get().original_name == "Biên bản.pdf"
    # The "chưa điền" filter leaves the 31 untouched tasks.
    page.check("[data-filter-empty]")
    assert page.locator("article.task-report:visible").count() == 31
    page.uncheck("[data-filter-empty]")
    for select in page.locator("select[name$='-progress']").all():
        select.select_option("in_progress")
    page.click("button[value=save]")
    page.wait_for_load_state()
    assert "Đã lưu nháp." in message(page)
    assert not kinds_of(district_head) and not kinds_of(education_reviewer)  # a draft concerns nobody else

    # 2. The head sends it: both departments' reviewers are told, in the portal and by mail.
    sign_in(page, live_server, district_head.username)
    page.click("text=Xem")
    page.click("#send-button")
    page.wait_for_load_state()
    assert "Đã gửi báo cáo." in message(page)
    deliver()
    report_url = reverse("reports:submission_detail", args=[submission.pk])
    for reviewer in (education_reviewer, labour_reviewer):
        assert kinds_of(reviewer) == [K.SUBMITTED]
        (subject,) = mail_subjects(reviewer)
        assert "đã gửi báo cáo năm 2026" in subject
    assert not mail_subjects(district_head)  # not told of their own action

    # 3. The reviewer follows the notice to the report and returns it with a reason.
    sign_in(page, live_server, education_reviewer.username)
    open_latest_notification(page, live_server, report_url)
    page.fill("#return-form textarea[name=reason]", "Bổ sung số liệu phân luồng sau THCS")
    page.click("#return-button")
    page.wait_for_load_state()
    assert "Đã trả lại" in message(page)
    deliver()
    for person in (district_staff, district_head):
        assert kinds_of(person) == [K.RETURNED]
        (returned,) = [m for m in mail.outbox if m.to == [person.email]]
        assert "bị trả lại" in returned.subject and "Bổ sung số liệu phân luồng sau THCS" in returned.body
        assert "http://127.0.0.1:8000" + report_url in returned.body

    # 4. Staff follow the notice (the nav shows it), fix and save; the head re-sends.
    sign_in(page, live_server, district_staff.username)
    assert "Thông báo (1)" in page.locator("nav").inner_text()
    open_latest_notification(page, live_server, report_url)
    assert "Bổ sung số liệu phân luồng sau THCS" in page.content()
    page.click("text=Sửa báo cáo")
    page.fill("textarea[name=assessment]", "Tỷ lệ phân luồng sau THCS đạt 31%")
    page.click("button[value=save]")
    page.wait_for_load_state()
    sign_in(page, live_server, district_head.username)
    page.click("text=Soạn")
    page.click("button[value=submit]")
    page.wait_for_load_state()
    assert "Đã gửi báo cáo." in message(page)
    deliver()
    assert kinds_of(labour_reviewer) == [K.SUBMITTED, K.SUBMITTED]

    # 5. Two acknowledgements (the Sở LĐTB&XH, then the Sở GD&ĐT) and the acceptance.
    sign_in(page, live_server, labour_reviewer.username)
    open_latest_notification(page, live_server, report_url)
    page.click("#acknowledge-button")
    page.wait_for_load_state()
    sign_in(page, live_server, education_reviewer.username)
    page.goto(live_server.url + report_url)
    page.click("#acknowledge-button")
    page.wait_for_load_state()
    page.click("#accept-button")
    page.wait_for_load_state()
    assert "Đã chấp nhận báo cáo" in message(page)
    deliver()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ACCEPTED
    expected = [K.RETURNED, K.ACKNOWLEDGED, K.ACKNOWLEDGED, K.ACCEPTED]
    for person in (district_staff, district_head):
        assert kinds_of(person) == expected
        # The return had its own mail; the two acknowledgements and the acceptance, minutes apart, one digest.
        returned_mail, digest = [m for m in mail.outbox if m.to == [person.email]]
        assert "3 thông báo mới" in digest.subject
        assert digest.body.count("đã tiếp nhận báo cáo năm 2026") == 2 and "đã được chấp nhận" in digest.body

    # 6. The cycle is locked: the agency still drafting is told, with a link to its own report.
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(live_server.url + reverse("reports:cycle_detail", args=[cycle.pk]))
    page.click("#lock-button")
    page.wait_for_load_state()
    deliver()
    assert kinds_of(agency_staff) == [K.CYCLE_LOCKED]
    assert K.CYCLE_LOCKED not in kinds_of(district_staff)  # accepted: nothing left to change
    sign_in(page, live_server, agency_staff.username)
    open_latest_notification(page, live_server, reverse("reports:submission_detail", args=[other_draft.pk]))
    (locked,) = mail_subjects(agency_staff)
    assert "khóa số liệu" in locked

    # Nothing is sent twice, however often the worker runs.
    total = len(mail.outbox)
    deliver()
    deliver()
    assert len(mail.outbox) == total
