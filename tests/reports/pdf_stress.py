"""The consolidated report's stress set: 120 reporting units × the 42 tasks of plan 193 × results of 1,500–3,000
characters each, all accepted (issue 10). Used by the read-back tests and by `bench/pdf.py --stress`.

The plan's own expected agencies report on the tasks assigned to them; synthetic communes ("st-001"…) fill the
set up to 120 units, each co-operating on every task (the 114 communes of 2025 co-operate on most tasks) and
owing the plan's first agency rule. Texts are Vietnamese, deterministic (seeded), with long words and URLs
that a fixed-width cell must wrap; difficulties and proposals come from a small pool, so that the body's
grouping by text has something to merge.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from agencies.models import Agency, AgencyKind, sort_name_of
from plans.models import AssignmentRole, AssignmentStatus, DutyItem, ReportingRule, Task, TaskAssignment
from reports.cycles.selectors import expected_submissions
from reports.models import Cycle, IssuedDocument, Progress, Submission, SubmissionStatus, TaskReport

UNITS = 120
MIN_CHARS, MAX_CHARS = 1500, 3000
SENTENCES = [
    "Đã ban hành kế hoạch triển khai, tổ chức quán triệt đến 100% cán bộ, công chức, viên chức trong đơn vị.",
    "Phối hợp với các cơ quan liên quan kiểm tra, đôn đốc việc thực hiện tại các cơ sở giáo dục trên địa bàn.",
    "Tỷ lệ trường đạt chuẩn quốc gia tăng 3,2 điểm phần trăm so với năm trước, vượt chỉ tiêu được giao.",
    "Tổ chức 12 lớp bồi dưỡng cho 1.450 lượt giáo viên về chương trình giáo dục phổ thông 2018.",
    "Rà soát, sắp xếp mạng lưới trường lớp; sáp nhập 4 điểm trường lẻ, đầu tư 36 phòng học bộ môn.",
    "Kết quả bước đầu đạt yêu cầu đề ra, chất lượng giáo dục toàn diện được nâng lên rõ rệt.",
    "Ứng dụng công nghệ thông tin trong quản lý: 100% trường dùng sổ điểm điện tử và học bạ số.",
    "Văn bản chi tiết đăng tại https://haiphong.edu.vn/van-ban/2025/ke-hoach-193-KH-UBND/trien-khai-chi-tiet-"
    "tai-cac-co-so-giao-duc-pho-thong-va-giao-duc-nghe-nghiep.pdf để các đơn vị tra cứu.",
    "Mã hồ sơ trên hệ thống quản lý văn bản: HP-GDDT-2025-KH193-TRIENKHAI-CHITIET-0000123456789.",
    "Công tác xã hội hóa huy động được 18,5 tỷ đồng cho xây dựng cơ sở vật chất và học bổng.",
    "Tỷ lệ học sinh sau trung học cơ sở vào học giáo dục nghề nghiệp đạt 31,4%, tiến gần mục tiêu 70/30.",
    "Đã tổ chức sơ kết, biểu dương các tập thể, cá nhân có nhiều thành tích tiêu biểu trong năm học.",
]
DIFFICULTIES = [
    "Thiếu kinh phí và biên chế giáo viên; cơ sở vật chất xuống cấp ở vùng khó khăn.",
    "Đội ngũ giáo viên tin học, ngoại ngữ còn thiếu so với yêu cầu chương trình mới.",
    "Quỹ đất dành cho giáo dục ở khu đô thị mới chưa được bố trí theo quy hoạch.",
]
PROPOSALS = [
    "Đề nghị thành phố bổ sung kinh phí và giao thêm chỉ tiêu biên chế cho ngành giáo dục.",
    "Đề nghị Sở Giáo dục và Đào tạo tổ chức tập huấn chuyên sâu về chuyển đổi số.",
]
LONG_URL = (
    "https://haiphong.edu.vn/van-ban/2025/ke-hoach-193-KH-UBND/phu-luc-chi-tiet-nhiem-vu-1-1-trien-khai-tai-cac-co-so"
)
PROGRESS = [Progress.DONE, Progress.ONGOING, Progress.IN_PROGRESS, Progress.ONGOING, Progress.NOT_STARTED]


def result_text(rng: random.Random, lead: str) -> str:
    """A result of MIN_CHARS–MAX_CHARS characters, in paragraphs, starting with `lead`."""
    target = rng.randint(MIN_CHARS, MAX_CHARS)
    sentences = [lead]
    while sum(len(s) + 1 for s in sentences) < target:
        sentences.append(rng.choice(SENTENCES))
    text = " ".join(sentences)[:target]
    cut = text.rfind(" ")
    text = text[:cut].rstrip(",;") + "."
    # Paragraphs every ~4 sentences, as people type them.
    return text.replace(". Kết quả", ".\nKết quả").replace(". Tổ chức", ".\nTổ chức")


def _synthetic_units(count: int, rule: ReportingRule) -> list[Agency]:
    if count <= 0:
        return []
    units = Agency.objects.bulk_create(
        [
            Agency(
                code=f"st-{i:03d}",
                name=f"Ủy ban nhân dân xã Thử Nghiệm Số {i:03d}",
                sort_name=sort_name_of(f"Ủy ban nhân dân xã Thử Nghiệm Số {i:03d}"),  # bulk_create skips save()
                short_name=f"UBND xã Thử Nghiệm {i:03d}",
                symbol=f"UBNDX{i:03d}",
                kind=AgencyKind.COMMUNE,
                parent_body="UBND THÀNH PHỐ HẢI PHÒNG",
                place_name=f"Thử Nghiệm {i:03d}",
                valid_from=datetime.date(2020, 1, 1),
            )
            for i in range(1, count + 1)
        ]
    )
    item = DutyItem.objects.filter(rules=rule).order_by("pk").first()
    assert item is not None, "the plan's agency rule has no duty item"
    item.agencies.add(*units)
    return units


def stress_accept(*, cycle: Cycle, units: int = UNITS, seed: int = 193) -> list[Submission]:
    """Make `cycle` (of plan 193, opened) hold `units` accepted reports with long results on every task."""
    plan = cycle.plan
    rule = ReportingRule.objects.filter(plan=plan, consolidates=False).order_by("pk").first()
    assert rule is not None
    already = {e.agency.pk for e in expected_submissions(cycle=cycle)}
    synthetic = _synthetic_units(units - len(already), rule)
    tasks = list(Task.objects.filter(group__plan=plan).order_by("group__number", "number"))
    # A task text with a long URL, as an administrator may paste one: a fixed-width cell must wrap it.
    Task.objects.filter(pk=tasks[0].pk).update(text=tasks[0].text + " " + LONG_URL)
    TaskAssignment.objects.bulk_create(
        [
            TaskAssignment(task=task, agency=unit, role=AssignmentRole.CO_OPERATING, status=AssignmentStatus.CONFIRMED)
            for unit in synthetic
            for task in tasks
        ]
    )
    rng = random.Random(seed)
    accepted_at = timezone.make_aware(datetime.datetime(cycle.year, 11, 28, 9, 0))
    expected = expected_submissions(cycle=cycle)
    submissions = Submission.objects.bulk_create(
        [
            Submission(
                cycle=cycle,
                agency=e.agency,
                rule=e.deadline.rule,
                status=SubmissionStatus.ACCEPTED,
                submitted_at=accepted_at,
                accepted_at=accepted_at,
                assessment=f"{e.agency.short_name} đã chủ động triển khai đồng bộ các nhiệm vụ được giao.",
                shortcomings=rng.choice(DIFFICULTIES),
                directions="Tiếp tục rà soát, hoàn thiện cơ chế, chính sách; tăng cường kiểm tra, giám sát.",
                proposals=rng.choice(PROPOSALS),
            )
            for e in expected
        ]
    )
    by_agency = {s.agency_id: s for s in submissions}
    reports = []
    for a in (
        TaskAssignment.objects.current()
        .filter(task__group__plan=plan, agency_id__in=by_agency)
        .select_related("task__group", "agency")
    ):
        reports.append(
            TaskReport(
                submission=by_agency[a.agency_id],
                task=a.task,
                role=a.role,
                progress=rng.choice(PROGRESS),
                results=result_text(rng, f"{a.agency.short_name}, nhiệm vụ {a.task.code}:"),
                difficulties=rng.choice(DIFFICULTIES) if rng.random() < 0.3 else "",
                proposals=rng.choice(PROPOSALS) if rng.random() < 0.2 else "",
            )
        )
    created = TaskReport.objects.bulk_create(reports, batch_size=1000)
    IssuedDocument.objects.bulk_create(
        [
            IssuedDocument(
                task_report=r,
                number=f"{i + 1:02d}/KH-{r.submission.agency.symbol}",
                issued_on=datetime.date(cycle.year, 3, 15),
                title="Kế hoạch triển khai thực hiện Kế hoạch 193/KH-UBND",
            )
            for i, r in enumerate(created[:: max(1, len(created) // len(submissions))])
        ]
    )
    return submissions
