"""One year of the synthetic data set: the reports of the cycle, written with COPY (history rows are not needed for
synthetic data), in a realistic mix of states; progress improves year by year."""

from __future__ import annotations

import datetime
import random

from django.db import connection
from django.utils import timezone

from agencies.models import Agency, AgencyKind
from plans.models import AssignmentRole, Target
from reports.models import Cycle, CycleDeadline, Progress, ReminderDeliveryStatus, SubmissionStatus
from reports.scale.structure import copy_rows

# The reminders the log shows for each expected report: a week and a day before the deadline (skipped for a
# report already sent), and three days after it for a report still not sent.
REMINDER_OFFSETS = (("before-7", -7), ("before-1", -1), ("overdue-3", 3))
REMINDER_COLUMNS = [
    "cycle_id",
    "rule_id",
    "agency_id",
    "offset_key",
    "planned_for",
    "status",
    "recipients",
    "claimed_at",
    "sent_at",
    "attempts",
    "error",
    "claimed_by",
]
DIFFICULTY = "Thiếu kinh phí và biên chế giáo viên; cơ sở vật chất xuống cấp ở vùng khó khăn."
PROPOSAL = "Đề nghị thành phố bổ sung kinh phí và giao thêm chỉ tiêu biên chế cho ngành giáo dục."
# What reporters go on to write after their first sentence, in the answers that run long.
MORE = (
    " Đội ngũ giáo viên tiếng Anh, tin học và giáo viên mầm non ở các xã đảo còn thiếu so với định mức; nhiều trường"
    " phải hợp đồng ngắn hạn, khó giữ chân người giỏi.",
    " Phòng học bộ môn chưa đủ theo chuẩn, một số trường xuống cấp sau bão, kinh phí sửa chữa được bố trí chậm.",
    " Việc sắp xếp đơn vị hành chính cấp xã từ ngày 01/7/2025 làm thay đổi đầu mối quản lý các trường; một số hồ"
    " sơ, số liệu chưa được bàn giao đầy đủ.",
    " Hạ tầng mạng ở một số điểm trường lẻ chưa bảo đảm cho dạy học trực tuyến và quản lý hồ sơ điện tử.",
    " Cơ chế huy động, quản lý các nguồn tài trợ cho giáo dục chưa rõ ràng, xã hội hóa gặp khó khăn.",
)
# Answer lengths as the city's reporters write them: mostly a sentence or a paragraph, one in ten about 2,000
# characters (the lists and their searches are measured on these).
LENGTHS, LENGTH_WEIGHTS = (0, 400, 900, 2000), (0.4, 0.3, 0.2, 0.1)


def answer_text(first: str, length: int) -> str:
    """`first`, followed by MORE until about `length` characters (ending on a whole sentence)."""
    text, more = first, 0
    while len(text) < length:
        text += MORE[more % len(MORE)]
        more += 1
    return text


def answer_texts(first: str) -> list[str]:
    return [answer_text(first, length) for length in LENGTHS]


DIFFICULTIES, PROPOSALS = answer_texts(DIFFICULTY), answer_texts(PROPOSAL)


def scale_year(
    *,
    rng: random.Random,
    cycle: Cycle,
    index: int,
    count: int,
    units: list[Agency],
    task_ids: list[int],
    leads: set[tuple[int, int]],
    targets: list[Target],
) -> tuple[int, int, int, int]:
    """The reports of year `index` of `count`: who reported (most), late, returned, still drafting or never; each
    report's task reports and, for a district, its target values; the reminders sent for them. Returns the
    numbers of the four."""
    share = (index + 1) / count  # how far along the plan this year is
    # The answers' lengths are drawn apart from `rng`: the reports, states and progress stay those of earlier sets.
    lengths = random.Random(cycle.year)

    def difficulty() -> str:
        return lengths.choices(DIFFICULTIES, LENGTH_WEIGHTS)[0]

    def proposal() -> str:
        return lengths.choices(PROPOSALS, LENGTH_WEIGHTS)[0]

    deadlines = {d.rule.code: d for d in cycle.deadlines.select_related("rule")}
    now = timezone.now()
    latest = index == count - 1
    subs = []
    expected: list[tuple[Agency, CycleDeadline, datetime.datetime | None]] = []  # (unit, deadline, first sent)
    for unit in units:
        deadline = deadlines["scale-quan-huyen" if unit.kind == AgencyKind.DISTRICT else "scale-don-vi"]
        if unit.valid_to is not None and unit.valid_to < deadline.due_on:
            continue  # not expected: the agency no longer exists on the deadline
        roll = rng.random()
        if roll < (0.15 if latest else 0.06):
            expected.append((unit, deadline, None))
            continue  # never started
        status = (
            SubmissionStatus.DRAFT
            if roll < 0.10
            else SubmissionStatus.RETURNED
            if roll < 0.14
            else SubmissionStatus.SUBMITTED
            if roll < (0.55 if latest else 0.30)
            else SubmissionStatus.ACCEPTED
        )
        sent = None
        if status != SubmissionStatus.DRAFT:
            late = rng.random() < 0.15
            offset = rng.randint(1, 20) if late else -rng.randint(0, 25)
            sent = datetime.datetime.combine(
                deadline.due_on + datetime.timedelta(days=offset), datetime.time(9, 30), tzinfo=datetime.UTC
            )
        expected.append((unit, deadline, sent))
        general = proposal() if rng.random() < 0.1 else ""
        subs.append(
            (
                cycle.pk,
                unit.pk,
                deadline.rule_id,
                status,
                1,
                "",
                "",
                "",
                general,
                "seed_scale",
                now,
                now,
                sent,
                sent,  # first_submitted_at: one sending each
                sent is not None and deadline.is_late(sent),
                sent if status == SubmissionStatus.ACCEPTED else None,
            )
        )
    copy_rows(
        "reports_submission",
        [
            "cycle_id",
            "agency_id",
            "rule_id",
            "status",
            "version",
            "assessment",
            "shortcomings",
            "directions",
            "proposals",
            "channel",
            "created_at",
            "updated_at",
            "submitted_at",
            "first_submitted_at",
            "is_late",
            "accepted_at",
        ],
        subs,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.id, s.agency_id, a.kind FROM reports_submission s "
            # In the order written: the draws below follow it, so the same seed makes the same data set wherever
            # the rows lie on disk (a rebuild over deleted rows reads them in another order).
            "JOIN agencies_agency a ON a.id = s.agency_id WHERE s.cycle_id = %s ORDER BY s.id",
            [cycle.pk],
        )
        made = cursor.fetchall()
    reports, values = [], []
    weights = [(1 - share) * 0.6 + 0.05, 0.5, share * 0.8, 0.25, 0.03]
    states = [Progress.NOT_STARTED, Progress.IN_PROGRESS, Progress.DONE, Progress.ONGOING, Progress.PAUSED]
    for submission_id, agency_id, kind in made:
        for task_id in task_ids:
            role = AssignmentRole.LEAD if (task_id, agency_id) in leads else AssignmentRole.CO_OPERATING
            progress = rng.choices(states, weights)[0]
            hard = rng.random() < 0.05
            reports.append(
                (
                    submission_id,
                    task_id,
                    role,
                    progress,
                    "Đã triển khai theo kế hoạch.",
                    difficulty() if hard else "",
                    proposal() if hard and rng.random() < 0.5 else "",
                    "f",
                )
            )
        if kind == AgencyKind.DISTRICT:
            for target, base, gain in zip(targets, (58, 18, 40), (14, 13, 28), strict=True):
                value = base + gain * share + rng.uniform(-4, 4)
                values.append((submission_id, target.pk, f"{value:.2f}", ""))
    for start in range(0, len(reports), 100_000):
        copy_rows(
            "reports_taskreport",
            [
                "submission_id",
                "task_id",
                "role",
                "progress",
                "results",
                "difficulties",
                "proposals",
                "from_last_year",
            ],
            reports[start : start + 100_000],
        )
    copy_rows("reports_targetvalue", ["submission_id", "target_id", "value", "note"], values)
    reminders = _reminders(cycle=cycle, expected=expected, now=now, failing=random.Random(cycle.year + 1))
    copy_rows("reports_reminderdelivery", REMINDER_COLUMNS, reminders)
    return len(made), len(reports), len(values), len(reminders)


def _reminders(*, cycle: Cycle, expected: list, now: datetime.datetime, failing: random.Random) -> list[tuple]:
    """The reminder log's rows of the cycle (REMINDER_OFFSETS): sent, skipped for a report already sent, a few
    refused by the mail server."""
    rows = []
    for unit, deadline, sent in expected:
        for key, days in REMINDER_OFFSETS:
            day = deadline.due_on + datetime.timedelta(days=days)
            already = sent is not None and sent.date() <= day
            if key.startswith("overdue") and already:
                continue  # nothing to chase
            failed = not already and failing.random() < 0.03
            status = (
                ReminderDeliveryStatus.SKIPPED
                if already
                else ReminderDeliveryStatus.FAILED
                if failed
                else ReminderDeliveryStatus.SENT
            )
            at = datetime.datetime.combine(day, datetime.time(7, 0), tzinfo=datetime.UTC)
            rows.append(
                (
                    cycle.pk,
                    deadline.rule_id,
                    unit.pk,
                    key,
                    day,
                    status,
                    f'[{{"email": "{unit.code}@example.vn", "kind": "to"}}]',
                    at,
                    at if status == ReminderDeliveryStatus.SENT else None,
                    3 if failed else 1,
                    "Máy chủ thư từ chối người nhận." if failed else "",
                    "seed_scale",
                )
            )
    return rows
