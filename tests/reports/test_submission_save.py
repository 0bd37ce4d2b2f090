"""Saving a draft: texts stored NFC with history, any number of tasks in the same queries, stale versions, forged
or oversized input refused with nothing written, and target values."""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal

import pytest

from agencies.models import Agency
from plans.models import Target
from reports.errors import WorkflowError
from reports.models import (
    Progress,
    Submission,
    SubmissionEventKind,
    TaskReport,
)
from reports.submissions.selectors import targets_for_agency
from reports.submissions.services import (
    DocumentInput,
    TargetInput,
    TaskInput,
    submission_save,
)
from tests.reports.submission_helpers import open_cycle, started

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(plan):
    return open_cycle(plan)


def refused_save(submission, by, message: str, assessment: str, results: dict[int, str]) -> None:
    """A save from version 1 with this assessment and these results per task report, refused with `message`."""
    with pytest.raises(WorkflowError, match=message):
        submission_save(
            submission=submission,
            by=by,
            version=1,
            general={"assessment": assessment},
            tasks={pk: TaskInput(results=text) for pk, text in results.items()},
        )


def test_save_stores_nfc_text_bumps_version_and_keeps_history(cycle, agency, agency_staff):
    submission = started(cycle, agency, agency_staff)
    report = submission.task_reports.first()
    decomposed = unicodedata.normalize("NFD", "Đã ban hành kế hoạch tuyển dụng giáo viên")
    saved = submission_save(
        submission=submission,
        by=agency_staff,
        version=1,
        general={"assessment": decomposed + "  \r\n"},
        tasks={
            report.pk: TaskInput(
                progress=Progress.DONE,
                results=decomposed,
                documents=[DocumentInput(number="12/KH-SNV", issued_on=datetime.date(2026, 3, 2), title=decomposed)],
            )
        },
    )
    assert saved.version == 2
    saved.refresh_from_db()
    report.refresh_from_db()
    nfc = unicodedata.normalize("NFC", decomposed)
    assert saved.assessment == nfc and report.results == nfc and report.progress == Progress.DONE
    assert report.documents.get().title == nfc
    assert report.history.count() == 2  # created, then changed
    assert saved.history.first().history_user == agency_staff
    assert saved.events.filter(kind=SubmissionEventKind.SAVED).count() == 1


def _save_progress_of(submission, reports, by, progress=Progress.IN_PROGRESS):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    version = Submission.objects.get(pk=submission.pk).version
    tasks = {r.pk: TaskInput(progress=progress, results=f"Kết quả {r.task.code}") for r in reports}
    with CaptureQueriesContext(connection) as queries:
        submission_save(submission=submission, by=by, version=version, general={}, tasks=tasks)
    return len(queries)


def test_save_writes_any_number_of_tasks_in_the_same_queries_with_their_history(cycle, agency, agency_staff):
    """A district's 32-task save was two statements a task (UPDATE, history INSERT): 76 queries, 70 ms."""
    submission = started(cycle, agency, agency_staff)
    reports = list(submission.task_reports.select_related("task__group").order_by("pk"))
    assert len(reports) == 14
    two = _save_progress_of(submission, reports[:2], agency_staff)
    every = _save_progress_of(submission, reports, agency_staff, progress=Progress.DONE)
    assert every == two
    for report in reports:
        stored = TaskReport.objects.get(pk=report.pk)
        assert stored.progress == Progress.DONE and stored.results == f"Kết quả {report.task.code}"
        latest = stored.history.first()
        assert latest.history_type == "~" and latest.history_user == agency_staff
        assert latest.progress == Progress.DONE and latest.results == stored.results
    # Created, then saved once (the 12 others) or twice (the first two).
    assert [TaskReport.objects.get(pk=r.pk).history.count() for r in reports] == [3, 3] + [2] * 12
    # Saving the same values again writes no task row and no history.
    _save_progress_of(submission, reports, agency_staff, progress=Progress.DONE)
    assert sum(TaskReport.objects.get(pk=r.pk).history.count() for r in reports) == 2 * 3 + 12 * 2


def test_a_bad_task_among_many_saves_none_of_them(cycle, agency, agency_staff):
    submission = started(cycle, agency, agency_staff)
    reports = list(submission.task_reports.order_by("pk"))
    tasks = {r.pk: TaskInput(progress=Progress.DONE, results="Đã làm") for r in reports}
    tasks[reports[-1].pk] = TaskInput(progress="xong-roi", results="Đã làm")
    with pytest.raises(WorkflowError, match="không hợp lệ"):
        submission_save(submission=submission, by=agency_staff, version=1, general={}, tasks=tasks)
    assert not TaskReport.objects.filter(submission=submission).exclude(progress="").exists()
    assert Submission.objects.get(pk=submission.pk).version == 1
    assert all(TaskReport.objects.get(pk=r.pk).history.count() == 1 for r in reports)


def test_save_from_a_stale_version_writes_nothing(cycle, agency, agency_staff, agency_head):
    submission = started(cycle, agency, agency_staff)
    report = submission.task_reports.first()
    submission_save(
        submission=submission, by=agency_head, version=1, general={"assessment": "Bản của lãnh đạo"}, tasks={}
    )
    refused_save(submission, agency_staff, "vừa được người khác lưu", "Bản cũ", {report.pk: "không được ghi"})
    submission.refresh_from_db()
    report.refresh_from_db()
    assert submission.assessment == "Bản của lãnh đạo" and submission.version == 2
    assert report.results == ""


def test_save_refuses_huge_text_and_writes_nothing(cycle, agency, agency_staff):
    submission = started(cycle, agency, agency_staff)
    report = submission.task_reports.first()
    refused_save(submission, agency_staff, "vượt giới hạn 20.000 ký tự", "ngắn", {report.pk: "x" * 20_001})
    submission.refresh_from_db()
    assert submission.version == 1 and submission.assessment == ""


def test_save_refuses_a_task_report_of_another_agency(cycle, agency, other_agency, agency_staff, other_agency_staff):
    mine = started(cycle, agency, agency_staff)
    theirs = started(cycle, other_agency, other_agency_staff)
    foreign = theirs.task_reports.first()
    refused_save(mine, agency_staff, "không thuộc báo cáo này", "a", {foreign.pk: "chèn vào báo cáo khác"})
    foreign.refresh_from_db()
    mine.refresh_from_db()
    assert foreign.results == "" and mine.assessment == "" and mine.version == 1


def test_targets_are_shown_to_agencies_with_target_tasks_and_to_districts(plan, agency, other_agency, district):
    assert targets_for_agency(agency=agency, plan_id=plan.pk) == []  # Sở Nội vụ: no task 3.8 or 5.1
    assert targets_for_agency(agency=other_agency, plan_id=plan.pk) == []
    assert len(targets_for_agency(agency=district, plan_id=plan.pk)) == 3
    assert len(targets_for_agency(agency=Agency.objects.get(code="SGDDT"), plan_id=plan.pk)) == 3


def test_district_saves_target_values_and_a_forged_target_is_refused(
    cycle, district, district_staff, agency, agency_staff
):
    submission = started(cycle, district, district_staff)
    target = Target.objects.get(code="truong-chuan-quoc-gia")
    submission_save(
        submission=submission,
        by=district_staff,
        version=1,
        general={},
        tasks={},
        targets={target.pk: TargetInput(value=Decimal("61.5"), note="Ước đạt")},
    )
    assert submission.target_values.get().value == Decimal("61.5")
    mine = started(cycle, agency, agency_staff)
    with pytest.raises(WorkflowError, match="chỉ tiêu không thuộc"):
        submission_save(
            submission=mine,
            by=agency_staff,
            version=1,
            general={},
            tasks={},
            targets={target.pk: TargetInput(value=Decimal("1"))},
        )
    assert not mine.target_values.exists()
