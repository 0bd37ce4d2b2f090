"""Accepted submissions made up for PDF tests and the PDF benchmark: every expected agency reports on every
task assigned to it, with Vietnamese text in every field."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from plans.models import TaskAssignment
from reports.cycles.selectors import expected_submissions
from reports.cycles.services import cycle_open
from reports.models import Cycle, IssuedDocument, Progress, Submission, SubmissionStatus, TaskReport

RESULT = (
    "Đã ban hành kế hoạch triển khai, tổ chức quán triệt đến 100% cán bộ, công chức, viên chức; phối hợp "
    "với các cơ quan liên quan kiểm tra, đôn đốc việc thực hiện; kết quả bước đầu đạt yêu cầu đề ra, "
    "chất lượng giáo dục toàn diện được nâng lên, tỷ lệ trường đạt chuẩn quốc gia tăng so với năm trước."
)
# The benchmark's longer results: RESULT and one more sentence, as a department's report often runs.
LONG_RESULT = RESULT + " Đã tổ chức sơ kết, biểu dương các tập thể, cá nhân có nhiều thành tích tiêu biểu."
PROGRESS_CYCLE = [Progress.DONE, Progress.ONGOING, Progress.IN_PROGRESS, Progress.ONGOING, Progress.NOT_STARTED]


def open_cycle(plan, year: int = 2024) -> Cycle:
    return cycle_open(plan=plan, year=year)


def accept_submissions(
    cycle: Cycle, *, limit: int | None = None, paragraphs: int = 1, skip: int = 0, result: str = RESULT
) -> list[Submission]:
    """Accepted submissions for the first `limit` expected agencies (after `skip`), `paragraphs` paragraphs of
    `result` per task report."""
    expected = expected_submissions(cycle=cycle)[skip:]
    if limit is not None:
        expected = expected[:limit]
    progress = itertools.cycle(PROGRESS_CYCLE)
    accepted_at = timezone.make_aware(datetime.datetime(cycle.year, 11, 28, 9, 0))
    created = []
    for item in expected:
        submission = Submission.objects.create(
            cycle=cycle,
            agency=item.agency,
            rule=item.rule,
            status=SubmissionStatus.ACCEPTED,
            submitted_at=accepted_at,
            accepted_at=accepted_at,
            assessment=f"{item.agency.short_name} đã chủ động triển khai đồng bộ các nhiệm vụ được giao.",
            shortcomings="Nguồn lực đầu tư còn hạn chế; nguyên nhân do ngân sách eo hẹp.",
            directions="Tiếp tục rà soát, hoàn thiện cơ chế, chính sách; tăng cường kiểm tra, giám sát.",
            proposals="Đề nghị Ủy ban nhân dân thành phố bổ sung kinh phí thực hiện năm tới.",
        )
        assignments = TaskAssignment.objects.current().filter(agency=item.agency).select_related("task")
        reports = [
            TaskReport(
                submission=submission,
                task=a.task,
                role=a.role,
                progress=next(progress),
                results="\n".join([f"Nhiệm vụ {a.task.pk}: {result}"] * paragraphs),
            )
            for a in assignments
        ]
        TaskReport.objects.bulk_create(reports)
        if reports:
            IssuedDocument.objects.create(
                task_report=reports[0],
                number=f"{len(created) + 1:02d}/KH-{item.agency.symbol}",
                issued_on=datetime.date(cycle.year, 3, 15),
                title="Kế hoạch triển khai thực hiện Kế hoạch 193/KH-UBND",
            )
        created.append(submission)
    return created
