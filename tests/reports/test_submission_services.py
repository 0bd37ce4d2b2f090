"""The submission workflow services: start, submit, return, accept, reopen, acknowledge (saving a draft:
test_submission_save)."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from agencies.models import Agency
from plans.models import TaskAssignment
from reports.cycles.tasks import open_current_cycle
from reports.errors import WorkflowError
from reports.models import (
    Cycle,
    Progress,
    Receipt,
    Submission,
    SubmissionEventKind,
    SubmissionStatus,
    TaskReport,
)
from reports.submissions.reviews import receipt_acknowledge, review_accept, review_return, submission_reopen
from reports.submissions.services import (
    TaskInput,
    submission_save,
    submission_start,
    submission_submit,
)
from tests.reports.submission_helpers import accepted, at, fill_progress, open_cycle, sent, started

pytestmark = pytest.mark.django_db
ON_TIME = at(datetime.date(2026, 11, 20))


@pytest.fixture
def cycle(plan):
    return open_cycle(plan)


def test_start_creates_one_task_report_per_current_assignment(cycle, agency, agency_staff):
    submission = started(cycle, agency, agency_staff)
    expected = set(TaskAssignment.objects.current().filter(agency=agency).values_list("task_id", "role"))
    assert set(submission.task_reports.values_list("task_id", "role")) == expected
    assert len(expected) == 14
    assert submission.rule.code == "don-vi-hang-nam"
    assert list(submission.events.values_list("kind", flat=True)) == [SubmissionEventKind.CREATED]
    # A second click on "Lập báo cáo" returns the same report.
    assert started(cycle, agency, agency_staff).pk == submission.pk
    assert Submission.objects.filter(agency=agency).count() == 1


def test_staff_cannot_start_a_report_for_another_agency(cycle, agency, other_agency_staff):
    with pytest.raises(WorkflowError, match="đơn vị của mình"):
        submission_start(cycle=cycle, agency=agency, by=other_agency_staff)
    assert not Submission.objects.exists()


def test_an_agency_with_no_reporting_duty_cannot_start(cycle):
    from agencies.models import Role
    from tests.conftest import make_person

    # The UBND thành phố receives the reports; no duty item of the plan makes it report.
    city = Agency.objects.get(code="UBND_TP")
    clerk = make_person("ubnd.canbo", Role.STAFF, city)
    with pytest.raises(WorkflowError, match="không phải gửi báo cáo"):
        submission_start(cycle=cycle, agency=city, by=clerk)


def test_only_the_head_submits_and_every_task_needs_a_progress(cycle, agency, agency_staff, agency_head):
    submission = started(cycle, agency, agency_staff)
    with pytest.raises(WorkflowError, match="Chỉ lãnh đạo"):
        submission_submit(submission=submission, by=agency_staff)
    reports = list(
        submission.task_reports.select_related("task__group").order_by("task__group__number", "task__number")
    )
    TaskReport.objects.filter(pk__in=[r.pk for r in reports[2:]]).update(progress=Progress.ONGOING)
    with pytest.raises(WorkflowError) as refused:
        submission_submit(submission=submission, by=agency_head)
    assert str(refused.value) == (
        f"Chưa gửi được: còn 2 nhiệm vụ chưa chọn tiến độ: {reports[0].task.code}, {reports[1].task.code}."
    )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DRAFT


@pytest.mark.parametrize(
    ("moment", "late"),
    [
        (at(datetime.date(2026, 11, 30), 23, 59), False),
        (at(datetime.date(2026, 12, 1), 0, 1), True),
    ],
)
def test_submit_records_time_lateness_and_receipts(cycle, agency, agency_staff, agency_head, moment, late):
    submission = started(cycle, agency, agency_staff)
    fill_progress(submission)
    with time_machine.travel(moment, tick=False):
        submission = submission_submit(submission=submission, by=agency_head)
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.submitted_at == moment and submission.submitted_by == agency_head
    assert submission.is_late is late
    assert list(submission.receipts.values_list("recipient__code", flat=True)) == ["SGDDT"]
    event = submission.events.get(kind=SubmissionEventKind.SUBMITTED)
    assert ("Gửi muộn 1 ngày" in event.message) is late


def test_a_second_submit_is_a_no_op_with_a_message(cycle, agency, agency_staff, agency_head):
    submission = sent(cycle, agency, agency_staff, agency_head)
    with pytest.raises(WorkflowError, match="đã được gửi lúc"):
        submission_submit(submission=submission, by=agency_head)
    assert submission.events.filter(kind=SubmissionEventKind.SUBMITTED).count() == 1


def test_submitted_report_is_read_only_to_the_agency(cycle, agency, agency_staff, agency_head):
    submission = sent(cycle, agency, agency_staff, agency_head)
    with pytest.raises(WorkflowError, match="đã được gửi"):
        submission_save(
            submission=submission,
            by=agency_staff,
            version=submission.version,
            general={"assessment": "sửa lén"},
            tasks={},
        )
    submission.refresh_from_db()
    assert submission.assessment == ""


def test_return_needs_a_reason_then_agency_fixes_and_resubmits(
    cycle, agency, agency_staff, agency_head, education_reviewer
):
    with time_machine.travel(at(datetime.date(2026, 11, 20)), tick=False):
        submission = sent(cycle, agency, agency_staff, agency_head)
    with pytest.raises(WorkflowError, match="lý do"):
        review_return(submission=submission, reviewer=education_reviewer, reason="   ")
    returned = review_return(
        submission=submission, reviewer=education_reviewer, reason="Bổ sung số liệu tuyển dụng giáo viên"
    )
    assert returned.status == SubmissionStatus.RETURNED
    saved = submission_save(
        submission=returned, by=agency_staff, version=returned.version, general={"assessment": "Đã bổ sung"}, tasks={}
    )
    # Resubmitted after the deadline: lateness is judged by the first sending, which was on time.
    with time_machine.travel(at(datetime.date(2026, 12, 3)), tick=False):
        resubmitted = submission_submit(submission=saved, by=agency_head)
    assert resubmitted.status == SubmissionStatus.SUBMITTED and resubmitted.is_late is False
    kinds = list(resubmitted.events.values_list("kind", flat=True))
    assert kinds == ["created", "submitted", "returned", "saved", "submitted"]
    assert resubmitted.events.get(kind="returned").message == "Bổ sung số liệu tuyển dụng giáo viên"


def test_accept_locks_and_only_an_administrator_reopens_with_a_reason(
    cycle, agency, agency_staff, agency_head, education_reviewer, administrator
):
    submission = accepted(cycle, agency, agency_staff, agency_head, education_reviewer)
    assert submission.status == SubmissionStatus.ACCEPTED and submission.accepted_by == education_reviewer
    assert Receipt.objects.get(submission=submission).acknowledged_by == education_reviewer
    with pytest.raises(WorkflowError, match="khóa"):
        submission_save(submission=submission, by=agency_staff, version=submission.version, general={}, tasks={})
    with pytest.raises(WorkflowError, match="quản trị"):
        submission_reopen(submission=submission, by=education_reviewer, reason="Sai số liệu")
    with pytest.raises(WorkflowError, match="lý do"):
        submission_reopen(submission=submission, by=administrator, reason="")
    reopened = submission_reopen(submission=submission, by=administrator, reason="Sai số liệu chỉ tiêu")
    assert reopened.status == SubmissionStatus.RETURNED and reopened.accepted_at is None
    assert reopened.events.get(kind="reopened").message == "Sai số liệu chỉ tiêu"


def test_only_the_first_recipient_reviews(cycle, agency, agency_staff, agency_head, labour_reviewer, leader):
    submission = sent(cycle, agency, agency_staff, agency_head)
    for person in (labour_reviewer, leader, agency_head):
        with pytest.raises(WorkflowError):
            review_accept(submission=submission, reviewer=person)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED


def test_district_report_is_acknowledged_separately_by_both_departments(
    cycle, district, district_staff, district_head, education_reviewer, labour_reviewer
):
    submission = sent(cycle, district, district_staff, district_head)
    assert set(submission.receipts.values_list("recipient__code", flat=True)) == {"SGDDT", "SLDTBXH"}
    receipt_acknowledge(submission=submission, by=labour_reviewer)
    pending = dict(submission.receipts.values_list("recipient__code", "acknowledged_at"))
    assert pending["SLDTBXH"] is not None and pending["SGDDT"] is None
    with pytest.raises(WorkflowError, match="đã tiếp nhận"):
        receipt_acknowledge(submission=submission, by=labour_reviewer)
    with pytest.raises(WorkflowError):
        review_return(submission=submission, reviewer=labour_reviewer, reason="không phải việc của Sở LĐTB&XH")
    receipt_acknowledge(submission=submission, by=education_reviewer)
    assert not submission.receipts.filter(acknowledged_at__isnull=True).exists()


def test_start_from_last_years_accepted_report_copies_texts_and_marks_them(
    plan, agency, agency_staff, agency_head, education_reviewer
):
    last = open_cycle(plan, 2025)
    old = started(last, agency, agency_staff)
    report = old.task_reports.first()
    submission_save(
        submission=old,
        by=agency_staff,
        version=1,
        general={"directions": "Tiếp tục tuyển dụng"},
        tasks={report.pk: TaskInput(progress=Progress.DONE, results="Tuyển 120 giáo viên")},
    )
    fill_progress(old)
    with time_machine.travel(at(datetime.date(2025, 11, 25)), tick=False):
        submission_submit(submission=old, by=agency_head)
    review_accept(submission=old, reviewer=education_reviewer)
    new = submission_start(cycle=open_cycle(plan), agency=agency, by=agency_staff, from_last_year=True)
    copied = new.task_reports.get(task=report.task)
    assert copied.results == "Tuyển 120 giáo viên" and copied.from_last_year and copied.progress == ""
    assert new.directions == "Tiếp tục tuyển dụng" and new.prefilled_from == old
    assert new.task_reports.filter(from_last_year=True).count() == 1
    submission_save(
        submission=new,
        by=agency_staff,
        version=new.version,
        general={},
        tasks={copied.pk: TaskInput(results="Tuyển 150 giáo viên")},
    )
    copied.refresh_from_db()
    assert copied.from_last_year is False


def test_start_from_last_year_without_an_accepted_report_is_refused(cycle, agency, agency_staff):
    with pytest.raises(WorkflowError, match="chưa có báo cáo năm trước"):
        submission_start(cycle=cycle, agency=agency, by=agency_staff, from_last_year=True)


def test_open_current_cycle_task_opens_this_years_cycle_once(plan):
    with time_machine.travel(at(datetime.date(2027, 1, 5)), tick=False):
        first = open_current_cycle()
        again = open_current_cycle()
    cycle = Cycle.objects.get(plan=plan, year=2027)
    assert first == again == [cycle.pk]
    assert cycle.deadlines.count() == plan.rules.count()
    assert open_current_cycle(year=2040) == []  # outside the plan's period


def test_entry_closed_after_its_day_refuses_saving_and_sending(cycle, agency, agency_staff, agency_head):
    submission = started(cycle, agency, agency_staff)
    fill_progress(submission)
    cycle.deadlines.filter(rule=submission.rule).update(entry_closes_on=datetime.date(2026, 12, 10))
    with time_machine.travel(at(datetime.date(2026, 12, 11)), tick=False):
        with pytest.raises(WorkflowError, match="khóa nhập liệu sau ngày 10/12/2026"):
            submission_save(submission=submission, by=agency_staff, version=1, general={"assessment": "x"}, tasks={})
        with pytest.raises(WorkflowError, match="khóa nhập liệu"):
            submission_submit(submission=submission, by=agency_head)
    with time_machine.travel(at(datetime.date(2026, 12, 10), 23, 0), tick=False):
        assert submission_submit(submission=submission, by=agency_head).is_late is True


def test_labour_reviewer_sees_the_agency_page_but_not_reports_not_addressed_to_it(
    client, cycle, agency, agency_staff, agency_head, education_reviewer, labour_reviewer
):
    from django.urls import reverse

    submission = sent(cycle, agency, agency_staff, agency_head)
    review_return(submission=submission, reviewer=education_reviewer, reason="Lý do riêng của Sở GD&ĐT")
    client.force_login(labour_reviewer)
    html = client.get(reverse("reports:agency_detail", args=[agency.pk])).content.decode()
    assert "Lý do riêng" not in html and "Bị trả lại" not in html
    client.force_login(agency_staff)
    assert "Lý do riêng" in client.get(reverse("reports:agency_detail", args=[agency.pk])).content.decode()
