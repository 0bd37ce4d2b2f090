"""Sample reports for `make run`, so that a first look at the dashboard and the PDF shows something real.

Built through the same services the portal uses (start → save → submit → return/accept), so the demo data obeys
every rule a real report does. Only `seed_demo` calls this, and only on a development configuration.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Membership, Role
from plans.models import Plan
from reports.cycles.selectors import expected_submissions
from reports.cycles.services import cycle_open
from reports.models import (
    Cycle,
    Notification,
    NotificationMail,
    Progress,
    Receipt,
    Submission,
    SubmissionEvent,
    SubmissionEventKind,
    SubmissionStatus,
    TargetValue,
    TaskReport,
)
from reports.submissions import reviews
from reports.submissions import services as services
from reports.submissions.selectors import targets_for_agency

RESULT_SENTENCES = [
    "Đã ban hành kế hoạch triển khai, tổ chức quán triệt đến 100% cán bộ, công chức, viên chức của đơn vị.",
    "Phối hợp với Sở Giáo dục và Đào tạo tổ chức 02 hội nghị chuyên đề; kết quả được báo cáo định kỳ.",
    "Đã rà soát, đề xuất bổ sung nội dung phù hợp với tình hình thực tế của địa phương.",
    "Tổ chức kiểm tra, đôn đốc các cơ sở giáo dục trên địa bàn; không phát hiện sai phạm lớn.",
]
DIFFICULTIES = [
    "Kinh phí bố trí cho nhiệm vụ còn hạn chế so với nhu cầu.",
    "Thiếu giáo viên ở một số môn học mới theo Chương trình giáo dục phổ thông 2018.",
    "",
    "",
]
PROGRESS_MIX = [Progress.DONE, Progress.DONE, Progress.ONGOING, Progress.IN_PROGRESS, Progress.NOT_STARTED]
# Sample authors get real-looking names, family name first as Vietnamese write them (agencies.names).
FAMILY_NAMES = ["Nguyễn Văn", "Trần Thị", "Lê Minh", "Phạm Thu", "Hoàng Đức", "Vũ Thị", "Đặng Quang", "Bùi Thị"]
GIVEN_NAMES = ["Hùng", "Lan", "Tuấn", "Hà", "Minh", "Hương", "Dũng", "Thảo", "Nam", "Mai", "Long", "Yến"]


def _author(agency: Agency, role: str):
    """A sample author for an agency that has no demo account: no usable password, so nobody can sign in as it."""
    membership = Membership.objects.filter(agency=agency, role=role).select_related("user").first()
    if membership:
        return membership.user
    seed = sum(ord(c) for c in agency.code + role)
    user = get_user_model().objects.create(
        username=f"mau.{agency.code.lower()}.{role}",
        last_name=FAMILY_NAMES[seed % len(FAMILY_NAMES)],
        first_name=GIVEN_NAMES[(seed // 3) % len(GIVEN_NAMES)],
    )
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, agency=agency, role=role)
    return user


def _fill(submission, staff, rng: random.Random, *, quality: float) -> None:
    task_inputs = {}
    for report in submission.task_reports.select_related("task"):
        task_inputs[report.pk] = services.TaskInput(
            progress=rng.choice(PROGRESS_MIX) if rng.random() < quality else "",
            results=rng.choice(RESULT_SENTENCES),
            difficulties=rng.choice(DIFFICULTIES),
        )
    targets = {
        target.pk: services.TargetInput(value=target.target_value + rng.choice([-6, -3, -1, 1, 2]))
        for target in targets_for_agency(agency=submission.agency, plan_id=submission.cycle.plan_id)
    }
    services.submission_save(
        submission=submission,
        by=staff,
        version=submission.version,
        general={
            "assessment": "Đơn vị đã triển khai đầy đủ các nhiệm vụ được giao, bám sát Kế hoạch 193/KH-UBND.",
            "shortcomings": "Một số nhiệm vụ còn chậm do thiếu kinh phí và nhân lực.",
            "directions": "Tiếp tục thực hiện các nhiệm vụ thường xuyên; tập trung chuyển đổi số trong giáo dục.",
            "proposals": "Đề nghị thành phố bố trí kinh phí cho nhiệm vụ xây dựng trường chuẩn quốc gia.",
        },
        tasks=task_inputs,
        targets=targets,
    )


def _backdate(submission, due_on: datetime.date, rng: random.Random) -> None:
    """Last year's sample reports were made today; date them as they would have arrived, mostly on time, so the
    demo's year-on-year figures look like a real year. Demo data only: real reports are never re-dated."""
    sent = datetime.datetime.combine(
        due_on - datetime.timedelta(days=rng.randint(-4, 12)),
        datetime.time(9, 30),
        tzinfo=timezone.get_current_timezone(),
    )
    accepted = sent + datetime.timedelta(days=7)
    Submission.objects.filter(pk=submission.pk).update(
        submitted_at=sent,
        first_submitted_at=sent,  # the first sending decides received and on time (issue 9)
        is_late=sent.date() > due_on,
        accepted_at=accepted,
        created_at=sent - datetime.timedelta(days=10),
    )
    # Every trace of the report carries a date of its own year: the log ("Chấp nhận 30/11/2026" on a 2025
    # report was the give-away), the acknowledgements and the change history.
    moments = {
        SubmissionEventKind.CREATED: sent - datetime.timedelta(days=10),
        SubmissionEventKind.SAVED: sent - datetime.timedelta(days=1),
        SubmissionEventKind.SUBMITTED: sent,
        SubmissionEventKind.ACKNOWLEDGED: sent + datetime.timedelta(days=1),
        SubmissionEventKind.ACCEPTED: accepted,
    }
    for kind, moment in moments.items():
        SubmissionEvent.objects.filter(submission=submission, kind=kind).update(at=moment)
    Receipt.objects.filter(submission=submission, acknowledged_at__isnull=False).update(acknowledged_at=accepted)
    Submission.history.filter(id=submission.pk).update(history_date=sent)
    TaskReport.history.filter(submission_id=submission.pk).update(history_date=sent - datetime.timedelta(days=1))
    TargetValue.history.filter(submission_id=submission.pk).update(history_date=sent - datetime.timedelta(days=1))
    Notification.objects.filter(submission=submission).update(
        created_at=accepted, read_at=accepted, mail_status=NotificationMail.NONE
    )


def _backdate_draft(submission, due_on: datetime.date) -> None:
    """A draft of last year that was never sent: started and saved weeks before last year's deadline."""
    start = datetime.datetime.combine(
        due_on - datetime.timedelta(days=20), datetime.time(14, 0), tzinfo=timezone.get_current_timezone()
    )
    Submission.objects.filter(pk=submission.pk).update(created_at=start)
    SubmissionEvent.objects.filter(submission=submission).update(at=start)
    Submission.history.filter(id=submission.pk).update(history_date=start)
    TaskReport.history.filter(submission_id=submission.pk).update(history_date=start)
    TargetValue.history.filter(submission_id=submission.pk).update(history_date=start)


@transaction.atomic
def create_sample_reports(
    *, plan: Plan, year: int, reviewer, seed: int = 193, drafts_for: set[int] | None = None
) -> dict[str, int]:
    """Last year: almost everyone reported and was accepted. This year: a realistic mix two weeks before the
    deadline — some accepted, some waiting for review, one returned, some drafts, some not started. The agencies
    in `drafts_for` (those of the printed demo accounts) get a half-filled draft this year, so that a newcomer
    signing in as them can try the whole workflow."""
    drafts_for = drafts_for or set()
    rng = random.Random(seed)
    counts = {"accepted": 0, "submitted": 0, "returned": 0, "draft": 0}
    for cycle_year, shares in ((year - 1, (0.9, 0.0, 0.0, 0.05)), (year, (0.25, 0.2, 0.1, 0.25))):
        cycle: Cycle = cycle_open(plan=plan, year=cycle_year)
        for expected in expected_submissions(cycle=cycle):
            agency = expected.agency
            roll = rng.random()
            accepted, submitted, returned, draft = shares
            if cycle_year == year and agency.pk in drafts_for:
                roll = accepted + submitted + returned  # a draft
            if roll >= accepted + submitted + returned + draft:
                continue
            staff, head = _author(agency, Role.STAFF), _author(agency, Role.HEAD)
            submission = services.submission_start(cycle=cycle, agency=agency, by=staff)
            if submission.status != SubmissionStatus.DRAFT:
                continue
            _fill(submission, staff, rng, quality=1.0 if roll < accepted + submitted + returned else 0.6)
            if roll >= accepted + submitted + returned:
                counts["draft"] += 1
                if cycle_year < year:
                    _backdate_draft(submission, expected.deadline.due_on)
                continue
            submission.refresh_from_db()
            services.submission_submit(submission=submission, by=head)
            if roll < accepted:
                reviews.review_accept(submission=submission, reviewer=reviewer, comment="Đạt yêu cầu.")
                counts["accepted"] += 1
                if cycle_year < year:
                    _backdate(submission, expected.deadline.due_on, rng)
            elif roll < accepted + submitted:
                counts["submitted"] += 1
            else:
                reviews.review_return(
                    submission=submission,
                    reviewer=reviewer,
                    reason="Đề nghị bổ sung số liệu minh chứng cho nhiệm vụ 3.8.",
                )
                counts["returned"] += 1
    # The demo's notices stay in the portal; none of them is mailed (the console would fill with sample mail).
    Notification.objects.filter(mail_status=NotificationMail.PENDING).update(mail_status=NotificationMail.NONE)
    return counts
