"""The whole journey in real headless Chromium: staff drafts with an upload → head sends → reviewer returns →
staff fixes → head resends → reviewer accepts → locked. Everyone signs in through the real login form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import Evidence, Submission, SubmissionEventKind, SubmissionStatus
from tests.browser.helpers import sign_in
from tests.reports.submission_helpers import PDF, open_cycle


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def message(page) -> str:
    return page.locator("ul.messages").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_submission_journey(page, live_server, plan, agency, agency_staff, agency_head, education_reviewer, tmp_path):
    open_cycle(plan)
    evidence_file = tmp_path / "Biên bản kiểm tra.pdf"
    evidence_file.write_bytes(PDF)

    # 1. Staff land on their agency page, start the report, type, attach a file, save a draft.
    sign_in(page, live_server, agency_staff.username)
    assert "Sở Nội vụ" in page.locator("h1").inner_text()
    page.click("text=Lập báo cáo")
    page.wait_for_selector("#submission-form")
    assert page.locator("article.task-report").count() == 14
    first = page.locator("article.task-report").first
    first.locator("textarea[name$='-results']").fill("Đã rà soát biên chế giáo viên")
    dirty_leave_is_warned = page.evaluate(
        "() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e);"
        " return e.defaultPrevented; }"
    )
    assert dirty_leave_is_warned
    for select in page.locator("select[name$='-progress']").all():
        select.select_option("in_progress")
    first.locator("input[type=file]").set_input_files(str(evidence_file))
    page.fill("textarea[name=assessment]", "Cơ bản hoàn thành kế hoạch năm")
    page.click("button[value=save]")
    page.wait_for_load_state()
    assert "Đã lưu nháp." in message(page)
    submission = Submission.objects.get(agency=agency)
    assert submission.status == SubmissionStatus.DRAFT and submission.assessment == "Cơ bản hoàn thành kế hoạch năm"
    assert Evidence.objects.get(submission=submission).original_name == "Biên bản kiểm tra.pdf"
    assert page.locator("button[value=submit]").count() == 0  # staff cannot send

    # 2. The head opens the report and sends it (a double click sends once).
    sign_in(page, live_server, agency_head.username)
    page.click("text=Xem")
    page.dblclick("#send-button")
    page.wait_for_load_state()
    assert "Đã gửi báo cáo." in message(page)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.events.filter(kind=SubmissionEventKind.SUBMITTED).count() == 1

    # 3. The reviewer finds it in the inbox and returns it with a reason.
    sign_in(page, live_server, education_reviewer.username)
    assert "Hộp thư thẩm định" in page.locator("h1").inner_text()
    page.click("text=Mở")
    page.fill("#return-form textarea[name=reason]", "Bổ sung số liệu tuyển dụng năm 2026")
    page.click("#return-button")
    page.wait_for_load_state()
    assert "Đã trả lại" in message(page)

    # 4. Staff see the reason, fix the text and save.
    sign_in(page, live_server, agency_staff.username)
    assert "Bổ sung số liệu tuyển dụng năm 2026" in page.content()
    page.click("text=Soạn")
    page.fill("textarea[name=assessment]", "Cơ bản hoàn thành; đã tuyển 120 giáo viên")
    page.click("button[value=save]")
    page.wait_for_load_state()
    assert "Đã lưu nháp." in message(page)

    # 5. The head sends it again from the edit form.
    sign_in(page, live_server, agency_head.username)
    page.click("text=Soạn")
    page.click("button[value=submit]")
    page.wait_for_load_state()
    assert "Đã gửi báo cáo." in message(page)

    # 6. The reviewer accepts: the report is locked.
    sign_in(page, live_server, education_reviewer.username)
    page.click("text=Mở")
    page.click("#accept-button")
    page.wait_for_load_state()
    assert "Đã chấp nhận báo cáo" in message(page)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ACCEPTED
    assert submission.assessment == "Cơ bản hoàn thành; đã tuyển 120 giáo viên"

    # 7. Locked for the agency: no edit link, and the edit address leads back to the read-only page.
    sign_in(page, live_server, agency_staff.username)
    page.click("text=Xem")
    assert page.locator("text=Sửa báo cáo").count() == 0
    page.goto(live_server.url + reverse("reports:submission_edit", args=[submission.pk]))
    assert "chấp nhận và khóa" in message(page)
    kinds = list(submission.events.values_list("kind", flat=True))
    assert kinds.count("submitted") == 2 and kinds[-1] == "accepted" and "returned" in kinds
