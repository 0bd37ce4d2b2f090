"""The submission pages through the test client: edit, bad input, double submit, review, pages, query counts."""

from __future__ import annotations

import datetime
import io
import re

import pytest
import time_machine
from django.urls import reverse

from reports.models import Cycle, Progress, Submission, SubmissionEventKind, SubmissionStatus, TaskReport
from reports.navigation import start_page_for
from reports.submissions.reviews import review_return
from tests.reports.submission_helpers import at, edit_post, fill_progress, open_cycle, sent, started

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(plan):
    return open_cycle(plan)


@pytest.fixture
def draft(cycle, agency, agency_staff):
    return started(cycle, agency, agency_staff)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_edit_page_lists_every_task_with_the_version(client, draft, agency_staff):
    client.force_login(agency_staff)
    response = client.get(reverse("reports:submission_edit", args=[draft.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="task-report"') == 14
    assert 'name="version" value="1"' in html
    assert "Hạn gửi (đúng hạn nếu gửi đến hết ngày)" in html and "30/11/2026" in html
    assert "js/submission_edit.js" in html and "css/submission.css" in html
    # Staff save; only the head sees the send button, and the staff are told so.
    assert 'value="submit"' not in html
    assert "Lãnh đạo đơn vị xem và gửi báo cáo; bạn lưu nháp khi soạn xong." in html


def test_saving_through_the_form_stores_text_and_documents(client, draft, agency_staff):
    client.force_login(agency_staff)
    report = draft.task_reports.order_by("pk").first()
    data = edit_post(
        draft,
        **{
            "assessment": "Hoàn thành cơ bản",
            f"t{report.pk}-progress": Progress.DONE,
            f"t{report.pk}-results": "Đã tuyển dụng",
            f"d{report.pk}-0-number": "15/QĐ-SNV",
            f"d{report.pk}-0-issued_on": "2026-04-01",
            f"d{report.pk}-0-title": "Quyết định giao chỉ tiêu biên chế",
        },
    )
    response = client.post(reverse("reports:submission_edit", args=[draft.pk]), data, follow=True)
    assert "Đã lưu nháp." in messages_of(response)
    report.refresh_from_db()
    draft.refresh_from_db()
    assert draft.assessment == "Hoàn thành cơ bản" and draft.version == 2
    assert report.results == "Đã tuyển dụng" and report.progress == Progress.DONE
    assert report.documents.get().number == "15/QĐ-SNV"


def test_forged_agency_and_task_ids_in_the_post_are_never_written(
    client, cycle, draft, agency_staff, other_agency, other_agency_staff
):
    theirs = started(cycle, other_agency, other_agency_staff)
    foreign = theirs.task_reports.get()
    data = edit_post(
        draft,
        agency=str(other_agency.pk),
        agency_id=str(other_agency.pk),
        **{f"t{foreign.pk}-progress": Progress.DONE, f"t{foreign.pk}-results": "chèn"},
    )
    client.force_login(agency_staff)
    response = client.post(reverse("reports:submission_edit", args=[draft.pk]), data)
    assert response.status_code == 302
    foreign.refresh_from_db()
    draft.refresh_from_db()
    assert foreign.results == "" and foreign.progress == ""
    assert draft.agency.code == "SNV"
    # A POST straight to the other agency's report is refused outright, as if it did not exist.
    response = client.post(reverse("reports:submission_edit", args=[theirs.pk]), edit_post(theirs))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("progress", "hoan-thanh", "Tiến độ không hợp lệ."),
        ("results", "x" * 20_001, "vượt giới hạn 20000 ký tự"),
        ("doc-date", "31/02/2026", "Ngày không hợp lệ"),
        ("doc-partial", "", "Văn bản cần đủ số, ngày ban hành và trích yếu."),
        ("version", "abc", "Phiên bản không hợp lệ"),
    ],
)
def test_bad_input_is_refused_with_a_vietnamese_message_and_nothing_saved(
    client, draft, agency_staff, field, value, message
):
    report = draft.task_reports.order_by("pk").first()
    overrides = {"assessment": "Văn bản mới gõ", f"t{report.pk}-results": "kết quả đang gõ"}
    if field in ("progress", "results"):
        overrides[f"t{report.pk}-{field}"] = value
    elif field == "doc-date":
        overrides.update(
            {f"d{report.pk}-0-number": "1/KH", f"d{report.pk}-0-issued_on": value, f"d{report.pk}-0-title": "Kế hoạch"}
        )
    elif field == "doc-partial":
        overrides[f"d{report.pk}-0-number"] = "2/KH"
    else:
        overrides["version"] = value
    client.force_login(agency_staff)
    response = client.post(reverse("reports:submission_edit", args=[draft.pk]), edit_post(draft, **overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html.replace(".", "") or message in html
    assert "Văn bản mới gõ" in html  # the typed text is shown again
    draft.refresh_from_db()
    assert draft.assessment == "" and draft.version == 1
    assert not TaskReport.objects.filter(submission=draft).exclude(results="").exists()


def test_head_submits_from_the_form_and_a_double_click_is_a_no_op(client, draft, agency_head):
    fill_progress(draft)
    client.force_login(agency_head)
    url = reverse("reports:submission_edit", args=[draft.pk])
    page = client.get(url).content.decode()
    assert 'id="send-button"' in page and 'id="send-note"' not in page  # the note is the staff's
    data = edit_post(draft, action="submit")
    with time_machine.travel(at(datetime.date(2026, 11, 20)), tick=False):
        first = client.post(url, data, follow=True)
        second = client.post(url, data, follow=True)
    assert "Đã gửi báo cáo." in messages_of(first)
    assert any("đã được gửi" in m for m in messages_of(second))
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.SUBMITTED and draft.is_late is False
    assert draft.events.filter(kind=SubmissionEventKind.SUBMITTED).count() == 1
    assert draft.receipts.count() == 1


def test_submit_lists_the_tasks_without_progress(client, draft, agency_head):
    client.force_login(agency_head)
    response = client.post(reverse("reports:submission_send", args=[draft.pk]), {"version": "1"}, follow=True)
    message = " ".join(messages_of(response))
    assert "còn 14 nhiệm vụ chưa chọn tiến độ" in message
    assert "1.4, 2.2, 3.1" in message
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.DRAFT


def test_reviewer_returns_with_reason_and_agency_sees_it(
    client, cycle, agency, agency_staff, agency_head, education_reviewer
):
    submission = sent(cycle, agency, agency_staff, agency_head)
    client.force_login(education_reviewer)
    url = reverse("reports:submission_return", args=[submission.pk])
    refused = client.post(url, {"reason": ""}, follow=True)
    assert "Xin ghi rõ lý do" in " ".join(messages_of(refused))
    client.post(url, {"reason": "Thiếu số liệu biên chế giáo viên"})
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RETURNED
    client.force_login(agency_staff)
    page = client.get(reverse("reports:agency_detail", args=[agency.pk])).content.decode()
    assert "Thiếu số liệu biên chế giáo viên" in page and "Bị trả lại" in page
    edit = client.get(reverse("reports:submission_edit", args=[submission.pk])).content.decode()
    assert "Thiếu số liệu biên chế giáo viên" in edit


def test_submitted_report_edit_page_sends_the_agency_to_the_read_only_view(
    client, cycle, agency, agency_staff, agency_head
):
    submission = sent(cycle, agency, agency_staff, agency_head)
    client.force_login(agency_staff)
    response = client.get(reverse("reports:submission_edit", args=[submission.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:submission_detail", args=[submission.pk])


def test_last_year_badge_is_shown_until_edited(client, plan, agency, agency_staff, agency_head, education_reviewer):
    from reports.submissions.reviews import review_accept

    last = open_cycle(plan, 2025)
    old = started(last, agency, agency_staff)
    old.task_reports.update(results="Nội dung 2025", progress=Progress.DONE)
    with time_machine.travel(at(datetime.date(2025, 11, 20)), tick=False):
        from reports.submissions.services import submission_submit

        submission_submit(submission=old, by=agency_head)
    review_accept(submission=old, reviewer=education_reviewer)
    client.force_login(agency_staff)
    cycle = open_cycle(plan)
    agency_page = client.get(reverse("reports:agency_detail", args=[agency.pk])).content.decode()
    assert "Bắt đầu từ báo cáo năm trước" in agency_page
    response = client.post(reverse("reports:submission_start", args=[cycle.pk]), {"prefill": "1"}, follow=True)
    html = response.content.decode()
    assert html.count("badge last-year") == 14 and "nội dung năm trước" in html


def test_cycle_page_names_both_deadlines_and_lists_expected_reports(client, cycle, agency_staff):
    client.force_login(agency_staff)
    html = client.get(reverse("reports:cycle_detail", args=[cycle.pk])).content.decode()
    assert "Hạn gửi (đúng hạn đến hết ngày)" in html and "Khóa nhập liệu sau ngày" in html
    from reports.cycles.selectors import expected_submissions

    count = len(expected_submissions(cycle=cycle))
    assert f"Báo cáo phải nộp: {count}" in html
    assert html.count("<tr><td>") >= count
    # Vietnamese order, as expected_submissions lists them: "quận Đồ Sơn" among the D's, before "quận Hải An"
    # (code points, and PostgreSQL's C collation, put every "Đ" after "Z").
    listed = re.findall(r"<tr><td>([^<]+)</td>", html.split('class="grid expected"')[1])
    assert listed == [e.agency.name for e in expected_submissions(cycle=cycle)]
    assert listed.index("Ủy ban nhân dân quận Đồ Sơn") < listed.index("Ủy ban nhân dân quận Hải An")


def test_inbox_lists_reports_waiting_for_each_recipient(
    client, cycle, district, district_staff, district_head, education_reviewer, labour_reviewer
):
    submission = sent(cycle, district, district_staff, district_head)
    for reviewer in (education_reviewer, labour_reviewer):
        client.force_login(reviewer)
        assert district.name in client.get(reverse("reports:reviewer_inbox")).content.decode()
    client.force_login(labour_reviewer)
    client.post(reverse("reports:submission_acknowledge", args=[submission.pk]))
    assert district.name not in client.get(reverse("reports:reviewer_inbox")).content.decode()
    client.force_login(education_reviewer)
    assert district.name in client.get(reverse("reports:reviewer_inbox")).content.decode()


def test_history_page_shows_who_changed_what(client, draft, agency_staff, education_reviewer, agency_head):
    client.force_login(agency_staff)
    client.post(reverse("reports:submission_edit", args=[draft.pk]), edit_post(draft, assessment="Bản đầu"))
    client.post(reverse("reports:submission_edit", args=[draft.pk]), edit_post(draft, assessment="Bản sửa lại"))
    fill_progress(draft)
    sent_one = Submission.objects.get(pk=draft.pk)
    from reports.submissions.services import submission_submit

    submission_submit(submission=sent_one, by=agency_head)
    review_return(submission=sent_one, reviewer=education_reviewer, reason="Viết rõ hơn")
    client.force_login(education_reviewer)
    html = client.get(reverse("reports:submission_history", args=[draft.pk])).content.decode()
    assert "<del>Bản đầu</del> → <ins>Bản sửa lại</ins>" in html
    assert "Vũ Thị Chân" in html and "Viết rõ hơn" in html and "Trả lại" in html


def test_a_history_with_nothing_recorded_says_so(client, draft, education_reviewer):
    """A report with no event and no recorded change (loaded in bulk, as the national data set's are) showed two
    empty tables."""
    draft.events.all().delete()
    draft.history.all().delete()
    draft.task_reports.model.history.filter(submission_id=draft.pk).delete()
    client.force_login(education_reviewer)
    html = client.get(reverse("reports:submission_history", args=[draft.pk])).content.decode()
    assert "Chưa có thao tác nào (báo cáo chưa được gửi, trả lại hay chấp nhận)." in html
    assert "Chưa có thay đổi nội dung nào được ghi lại." in html


def test_start_pages_by_role(agency_staff, education_reviewer, leader, administrator, agency):
    assert start_page_for(agency_staff) == reverse("reports:agency_detail", args=[agency.pk])
    assert start_page_for(education_reviewer) == reverse("reports:reviewer_inbox")
    assert start_page_for(leader) == reverse("reports:dashboard")
    assert start_page_for(administrator) is None  # the plan page


# Session, the user with their membership, agency and the nav's notification count (one query: agencies.backends,
# reports.navigation), submission, deadline (once: the edit check passes it to the page), task reports, documents,
# evidence, targets, target values, comments, receipts, the agency in the header.
EDIT_PAGE_QUERIES = 12


@pytest.mark.parametrize("size", ["small", "large"])
def test_edit_page_runs_a_fixed_number_of_queries_whatever_the_number_of_tasks(
    client, cycle, other_agency, other_agency_staff, district, district_staff, django_assert_num_queries, size
):
    # CATP co-operates on 1 task; a district on 32 (with documents on some): the same number of queries.
    agency, person, tasks = (other_agency, other_agency_staff, 1) if size == "small" else (district, district_staff, 32)
    submission = started(cycle, agency, person)
    assert submission.task_reports.count() == tasks
    for report in submission.task_reports.all()[:5]:
        report.documents.create(number="3/KH-UBND", issued_on=datetime.date(2026, 2, 1), title="Kế hoạch")
    client.force_login(person)
    url = reverse("reports:submission_edit", args=[submission.pk])
    client.get(url)  # warm what is cached once per process (content types, translations)
    with django_assert_num_queries(EDIT_PAGE_QUERIES):
        response = client.get(url)
    assert response.content.decode().count('class="task-report"') == tasks


def test_the_cycle_page_lists_a_hundred_reports_a_page(client, plan, agency_staff):
    """Hải Phòng's 67 reports on one page; a national set's 3,000 were one page of 730 KB."""
    from django.core.management import call_command

    from reports.submissions.views.cycles import CYCLE_PAGE_SIZE

    call_command("seed_scale", agencies=130, tasks=2, years=1, stdout=io.StringIO())
    cycle = Cycle.objects.get(plan__number="SCALE/KH")
    client.force_login(agency_staff)
    url = reverse("reports:cycle_detail", args=[cycle.pk])
    first, second = (
        client.get(url, query).content.decode().split('class="grid expected"')[1] for query in ({}, {"page": 2})
    )
    names = re.compile(r"<tr><td>([^<]+)</td>")
    listed = names.findall(first) + names.findall(second)
    assert len(names.findall(first)) == CYCLE_PAGE_SIZE and "Trang 1/2" in first and "Trang 2/2" in second
    from reports.cycles.selectors import expected_submissions

    assert listed == [e.agency.name for e in expected_submissions(cycle=cycle)]  # each once, in the page's order
    # ?per_page= shows fewer, never more.
    for asked, shown in (("10", 10), ("1000", CYCLE_PAGE_SIZE), ("-1", 1), ("x", CYCLE_PAGE_SIZE)):
        page = client.get(url, {"per_page": asked}).content.decode().split('class="grid expected"')[1]
        assert len(names.findall(page)) == shown, asked


def test_a_reports_page_is_titled_with_its_rules_subject_as_its_documents_are(client, cycle, education_reviewer):
    """The page of every report said "Báo cáo kết quả thực hiện Kế hoạch 193/KH-UBND năm …", whatever its rule and
    its plan; the documents print the rule's own subject. Each rule's report is now titled with it (the Sở
    LĐTB&XH's vocational-training report, the yearly report), as the PDF heads it."""
    from agencies.models import Role
    from reports.cycles.selectors import expected_submissions
    from reports.submissions.services import submission_start
    from tests.conftest import make_person

    owed = expected_submissions(cycle=cycle)
    subjects = {e.rule.code: e for e in owed}
    assert {"ldtbxh-giao-duc-nghe-nghiep", "don-vi-hang-nam"} <= set(subjects)
    client.force_login(education_reviewer)
    for code in ("ldtbxh-giao-duc-nghe-nghiep", "don-vi-hang-nam"):
        expected = subjects[code]
        staff = make_person(f"{expected.agency.code.lower()}.tieude", Role.STAFF, expected.agency)
        submission = submission_start(cycle=cycle, agency=expected.agency, by=staff, rule_id=expected.rule.pk)
        title = expected.rule.subject.replace("{year}", str(cycle.year))
        html = client.get(reverse("reports:submission_detail", args=[submission.pk])).content.decode()
        assert f"<h1>{title}</h1>" in html, code
    assert "giáo dục nghề nghiệp năm 2026" in subjects["ldtbxh-giao-duc-nghe-nghiep"].rule.subject_in(2026)


def test_the_cycle_page_shows_the_persons_own_units_reports_above_the_list(client, plan, agency, agency_staff):
    """Among 3,000 units (national data set) the person's own row was on one of 30 pages, the other units'
    statuses hidden from them. Their unit's reports now come first, with their status, whatever the page."""
    from django.core.management import call_command

    call_command("seed_scale", agencies=130, tasks=2, years=1, stdout=io.StringIO())
    cycle = open_cycle(plan)
    draft = started(cycle, agency, agency_staff)
    client.force_login(agency_staff)
    url = reverse("reports:cycle_detail", args=[cycle.pk])
    for page in ("1", "2"):
        html = client.get(url, {"page": page, "per_page": 10}).content.decode()
        own = html.split('id="bao-cao-cua-don-vi"')[1].split("</section>")[0]
        assert "Báo cáo của đơn vị bạn: Sở Nội vụ" in own
        assert reverse("reports:submission_detail", args=[draft.pk]) in own and "Đang soạn" in own
        assert reverse("reports:agency_detail", args=[agency.pk]) in own
    # In a cycle in which the unit owes nothing (the synthetic plan's), the list alone.
    other = Cycle.objects.get(plan__number="SCALE/KH")
    assert (
        'id="bao-cao-cua-don-vi"' not in client.get(reverse("reports:cycle_detail", args=[other.pk])).content.decode()
    )


def test_the_cycle_page_runs_the_same_few_queries_whatever_its_rows(client, plan, agency, agency_staff):
    """Its own unit's block and the page of the list are read together: the count stays the same for 5 rows or
    67 (plan 193's cycle), and within the dashboard's 12."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cycle = open_cycle(plan)
    started(cycle, agency, agency_staff)
    client.force_login(agency_staff)
    url = reverse("reports:cycle_detail", args=[cycle.pk])
    client.get(url)  # the session and the person's language, once
    counts = []
    for per_page in ("5", "100"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"per_page": per_page}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12, counts
