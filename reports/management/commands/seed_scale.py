"""A synthetic data set for the dashboard's speed: thousands of agencies, years of reports, millions of rows.

It builds its own plan ("SCALE/KH", issued 01/01/2000 so that it is never the default plan of the pages) and
its own agencies (codes "sc-…"), and never touches plan 193 or the real agencies. Rows are written with
PostgreSQL's COPY (history rows are not needed for synthetic data); the mix of states is realistic: most
agencies report, some late, some returned or still drafting, some never; progress improves year by year.
"""

from __future__ import annotations

import datetime
import io
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Agency, AgencyKind
from plans.models import (
    AssignmentRole,
    DutyItem,
    Plan,
    ReportingRule,
    RuleRecipient,
    Target,
    Task,
    TaskGroup,
)
from reports.cycles.services import cycle_open
from reports.models import Cycle, Progress, SubmissionStatus

PLAN_NUMBER = "SCALE/KH"
CODE_PREFIX = "sc-"
PRESETS = {"city": {"agencies": 40, "tasks": 42, "years": 5}, "national": {"agencies": 3000, "tasks": 50, "years": 10}}
GROUP_SIZES = (4, 4, 9, 7, 3, 3, 3, 9)  # plan 193's shape, stretched to any number of tasks
DIFFICULTY = "Thiếu kinh phí và biên chế giáo viên; cơ sở vật chất xuống cấp ở vùng khó khăn."
PROPOSAL = "Đề nghị thành phố bổ sung kinh phí và giao thêm chỉ tiêu biên chế cho ngành giáo dục."


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    """COPY rows into a table: text format, tabs and newlines never appear in the synthetic values."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(r"\N" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")  # Vietnamese thousands separator


class Command(BaseCommand):
    help = "Tạo bộ dữ liệu tổng hợp (kế hoạch SCALE/KH) để đo tốc độ trang tổng hợp. Không đụng đến Kế hoạch 193."

    def add_arguments(self, parser):
        parser.add_argument("--city", action="store_true", help="Quy mô thành phố: 40 đơn vị × 42 nhiệm vụ × 5 năm.")
        parser.add_argument("--agencies", type=int, default=None)
        parser.add_argument("--tasks", type=int, default=None)
        parser.add_argument("--years", type=int, default=None)
        parser.add_argument("--last-year", type=int, default=2025)
        parser.add_argument("--seed", type=int, default=193)
        parser.add_argument("--reuse", action="store_true", help="Giữ nguyên nếu đã có bộ dữ liệu cùng kích thước.")

    def handle(self, *args, city: bool, agencies, tasks, years, last_year: int, seed: int, reuse: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale cần PostgreSQL (dùng COPY).")
        size = dict(PRESETS["city" if city else "national"])
        size.update({k: v for k, v in {"agencies": agencies, "tasks": tasks, "years": years}.items() if v})
        if min(size.values()) < 1 or size["agencies"] < 4:
            raise CommandError("Cần ít nhất 4 đơn vị, 1 nhiệm vụ và 1 năm.")
        signature = (
            f"seed_scale agencies={size['agencies']} tasks={size['tasks']} years={size['years']} "
            f"last_year={last_year} seed={seed}"
        )
        existing = Plan.objects.filter(number=PLAN_NUMBER).first()
        if reuse and existing is not None and existing.introduction == signature:
            self.stdout.write(f"Đã có bộ dữ liệu {signature}: dùng lại.")
            return
        self.rng = random.Random(seed)
        self.started = time.monotonic()
        with transaction.atomic():
            self._step("Xóa bộ dữ liệu tổng hợp cũ")
            self._delete()
            self._step("Tạo đơn vị, kế hoạch, nhiệm vụ, chế độ báo cáo")
            plan, units, task_ids, targets = self._structure(signature, size, last_year)
            self._step("Phân công nhiệm vụ")
            leads = self._assign(units, task_ids)
            cycles = [cycle_open(plan=plan, year=y) for y in range(last_year - size["years"] + 1, last_year + 1)]
            totals = {"submissions": 0, "task_reports": 0, "target_values": 0}
            for index, cycle in enumerate(cycles):
                self._cycle(cycle, index, len(cycles), units, task_ids, leads, targets, totals)
        with connection.cursor() as cursor:
            # Every table the set writes: without statistics PostgreSQL estimates one district where there are
            # 1,500 and plans nested loops over every duty item (the years page filtered by kind: 10 s, not 0,1).
            for table in (
                "reports_submission",
                "reports_taskreport",
                "reports_targetvalue",
                "plans_taskassignment",
                "agencies_agency",
                "plans_dutyitem_agencies",
                "plans_reportingrule_reporters",
                "reports_cycledeadline",
                "reports_cycle",
            ):
                # COPY leaves the visibility map empty (no index-only scans); VACUUM cannot run in a transaction
                # (a test's), ANALYZE can.
                cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM ANALYZE'} {table}")
        self._step(
            f"Xong: {_n(totals['submissions'])} báo cáo, {_n(totals['task_reports'])} báo cáo nhiệm vụ, "
            f"{_n(totals['target_values'])} giá trị chỉ tiêu"
        )

    def _step(self, message: str) -> None:
        self.stdout.write(f"[{time.monotonic() - self.started:6.1f}s] {message}")
        self.stdout.flush()

    def _delete(self) -> None:
        """Remove a previous synthetic data set with plain DELETEs (the ORM would load 1.5 million rows)."""
        plan = Plan.objects.filter(number=PLAN_NUMBER).first()
        with connection.cursor() as cursor:
            if plan is not None:
                subs = (
                    "SELECT s.id FROM reports_submission s JOIN reports_cycle c ON c.id = s.cycle_id "
                    "WHERE c.plan_id = %s"
                )
                reports = f"SELECT id FROM reports_taskreport WHERE submission_id IN ({subs})"
                cursor.execute(f"DELETE FROM reports_evidence WHERE submission_id IN ({subs})", [plan.pk])
                cursor.execute(f"DELETE FROM reports_issueddocument WHERE task_report_id IN ({reports})", [plan.pk])
                for table in (
                    "reports_taskreport",
                    "reports_targetvalue",
                    "reports_submissionevent",
                    "reports_receipt",
                    "reports_generatedreport",
                ):
                    cursor.execute(f"DELETE FROM {table} WHERE submission_id IN ({subs})", [plan.pk])
                cursor.execute(f"DELETE FROM reports_submission WHERE id IN ({subs})", [plan.pk])
                cursor.execute(
                    "DELETE FROM plans_taskassignment WHERE task_id IN (SELECT t.id FROM plans_task t "
                    "JOIN plans_taskgroup g ON g.id = t.group_id WHERE g.plan_id = %s)",
                    [plan.pk],
                )
                Cycle.objects.filter(plan=plan).delete()
                ReportingRule.objects.filter(plan=plan).delete()
                DutyItem.objects.filter(plan=plan).delete()
                plan.targets.all().delete()
                TaskGroup.objects.filter(plan=plan).delete()
                plan.delete()
            # Accounts made for the synthetic agencies (bench/dashboard.py's reviewer) lose their membership.
            synthetic = "SELECT id FROM agencies_agency WHERE code LIKE %s"
            cursor.execute(f"DELETE FROM agencies_membership WHERE agency_id IN ({synthetic})", [f"{CODE_PREFIX}%"])
            cursor.execute("DELETE FROM agencies_agency WHERE code LIKE %s", [f"{CODE_PREFIX}%"])

    def _structure(self, signature: str, size: dict, last_year: int):
        rng, n = self.rng, size["agencies"]
        first_year = last_year - size["years"] + 1
        start = datetime.date(2000, 1, 1)
        consolidator = Agency.objects.create(
            code=f"{CODE_PREFIX}sgd",
            name="Sở Giáo dục và Đào tạo (tổng hợp)",
            short_name="SGD tổng hợp",
            symbol="SGDĐT",
            kind=AgencyKind.DEPARTMENT,
            valid_from=start,
        )
        issuer = Agency.objects.create(
            code=f"{CODE_PREFIX}ubnd",
            name="Ủy ban nhân dân (tổng hợp)",
            short_name="UBND tổng hợp",
            symbol="UBND",
            kind=AgencyKind.OTHER,
            valid_from=start,
        )
        kinds = [AgencyKind.DEPARTMENT] * 3 + [AgencyKind.DISTRICT] * 5 + [AgencyKind.POLICE, AgencyKind.FRONT]
        units = []
        for i in range(1, n + 1):
            kind = kinds[i % len(kinds)]
            # About 1 agency in 60 ceases in the middle of some year (a merger): it is not expected afterwards.
            valid_to = None
            if i % 60 == 7:
                valid_to = datetime.date(rng.randint(first_year, last_year), 6, 30)
            units.append(
                Agency(
                    code=f"{CODE_PREFIX}{i:05d}",
                    name=f"Đơn vị tổng hợp số {i:05d}",
                    short_name=f"ĐV {i:05d}",
                    symbol=f"DV{i}",
                    kind=kind,
                    valid_from=start,
                    valid_to=valid_to,
                )
            )
        units = Agency.objects.bulk_create(units, batch_size=2000)
        plan = Plan.objects.create(
            number=PLAN_NUMBER,
            title="Kế hoạch tổng hợp để đo tốc độ (dữ liệu giả lập)",
            issuer=issuer,
            place="Hải Phòng",
            issued_on=start,
            signer_title="Chủ tịch",
            signer_name="Dữ liệu giả lập",
            horizon_start=first_year,
            horizon_end=last_year,
            introduction=signature,
        )
        groups = TaskGroup.objects.bulk_create(
            TaskGroup(plan=plan, number=g + 1, title=f"Nhóm nhiệm vụ tổng hợp {g + 1}") for g in range(8)
        )
        weights = [s / sum(GROUP_SIZES) for s in GROUP_SIZES]
        counts = [max(1, round(w * size["tasks"])) for w in weights]
        counts[-1] = max(1, size["tasks"] - sum(counts[:-1]))
        tasks = []
        for group, count in zip(groups, counts, strict=True):
            for k in range(1, count + 1):
                dated = rng.random() < 0.2
                tasks.append(
                    Task(
                        group=group,
                        number=k,
                        text=f"Nhiệm vụ {group.number}.{k} (giả lập)",
                        deadline_text=f"Đến năm {first_year + size['years'] // 2}" if dated else "Thường xuyên",
                        deadline=datetime.date(first_year + size["years"] // 2, 12, 31) if dated else None,
                    )
                )
        tasks = Task.objects.bulk_create(tasks)
        task_ids = [t.pk for t in tasks]
        targets = Target.objects.bulk_create(
            [
                Target(
                    plan=plan,
                    task=tasks[min(14, len(tasks) - 1)],
                    code="phan-luong-thpt",
                    unit="%",
                    name="Tỷ lệ học sinh sau trung học cơ sở vào trung học phổ thông",
                    direction="at_least",
                    target_value=70,
                    target_year=last_year,
                ),
                Target(
                    plan=plan,
                    task=tasks[min(14, len(tasks) - 1)],
                    code="phan-luong-hoc-nghe",
                    unit="%",
                    name="Tỷ lệ học sinh sau trung học cơ sở định hướng học nghề",
                    direction="at_least",
                    target_value=30,
                    target_year=last_year,
                ),
                Target(
                    plan=plan,
                    task=tasks[min(23, len(tasks) - 1)],
                    code="truong-chuan-quoc-gia",
                    unit="%",
                    name="Tỷ lệ trường học đạt chuẩn quốc gia",
                    direction="at_least",
                    target_value=66,
                    target_year=last_year,
                ),
            ]
        )
        items = DutyItem.objects.bulk_create(
            DutyItem(plan=plan, number=i, heading=h)
            for i, h in enumerate(["Sở Giáo dục và Đào tạo", "Các sở, ngành", "Các quận, huyện", "Các đơn vị khác"], 1)
        )
        items[0].agencies.add(consolidator)
        by_kind: dict[str, DutyItem] = {AgencyKind.DEPARTMENT: items[1], AgencyKind.DISTRICT: items[2]}
        links = [DutyItem.agencies.through(dutyitem_id=by_kind.get(u.kind, items[3]).pk, agency_id=u.pk) for u in units]
        DutyItem.agencies.through.objects.bulk_create(links, batch_size=5000)
        for code, title, reporters, consolidates, recipient in (
            ("scale-don-vi", "Các sở, ngành, đơn vị báo cáo hằng năm", [items[1], items[3]], False, consolidator),
            ("scale-quan-huyen", "Các quận, huyện báo cáo hằng năm", [items[2]], False, consolidator),
            ("scale-tong-hop", "Sở GD&ĐT tổng hợp", [items[0]], True, issuer),
        ):
            rule = ReportingRule.objects.create(
                plan=plan,
                code=code,
                title=title,
                final_recipient=issuer,
                subject="Báo cáo năm {year}",
                deadline_day=30,
                deadline_month=12 if consolidates else 11,
                deadline_text="Hằng năm",
                consolidates=consolidates,
            )
            rule.reporters.set(reporters)
            RuleRecipient.objects.create(rule=rule, agency=recipient, order=1)
        return plan, units, task_ids, targets

    def _assign(self, units: list[Agency], task_ids: list[int]) -> set[tuple[int, int]]:
        """1–3 departments lead each task; every other agency co-operates (everyone reports on every task)."""
        departments = [u for u in units if u.kind == AgencyKind.DEPARTMENT and u.valid_to is None]
        leads: set[tuple[int, int]] = set()
        for task_id in task_ids:
            for unit in self.rng.sample(departments, k=min(len(departments), self.rng.randint(1, 3))):
                leads.add((task_id, unit.pk))
        rows = [
            (
                task_id,
                unit.pk,
                AssignmentRole.LEAD if (task_id, unit.pk) in leads else AssignmentRole.CO_OPERATING,
                "proposed",
                "",
            )
            for task_id in task_ids
            for unit in units
        ]
        _copy("plans_taskassignment", ["task_id", "agency_id", "role", "status", "note"], rows)
        return leads

    def _cycle(self, cycle, index, count, units, task_ids, leads, targets, totals) -> None:
        rng, share = self.rng, (index + 1) / count  # how far along the plan this year is
        deadlines = {d.rule.code: d for d in cycle.deadlines.select_related("rule")}
        now = timezone.now()
        latest = index == count - 1
        subs = []
        for unit in units:
            deadline = deadlines["scale-quan-huyen" if unit.kind == AgencyKind.DISTRICT else "scale-don-vi"]
            if unit.valid_to is not None and unit.valid_to < deadline.due_on:
                continue  # not expected: the agency no longer exists on the deadline
            roll = rng.random()
            if roll < (0.15 if latest else 0.06):
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
            proposal = PROPOSAL if rng.random() < 0.1 else ""
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
                    proposal,
                    "seed_scale",
                    now,
                    now,
                    sent,
                    sent,  # first_submitted_at: one sending each
                    sent is not None and sent.date() > deadline.due_on,
                    sent if status == SubmissionStatus.ACCEPTED else None,
                )
            )
        _copy(
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
                "JOIN agencies_agency a ON a.id = s.agency_id WHERE s.cycle_id = %s",
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
                        DIFFICULTY if hard else "",
                        PROPOSAL if hard and rng.random() < 0.5 else "",
                        "f",
                    )
                )
            if kind == AgencyKind.DISTRICT:
                for target, base, gain in zip(targets, (58, 18, 40), (14, 13, 28), strict=True):
                    value = base + gain * share + rng.uniform(-4, 4)
                    values.append((submission_id, target.pk, f"{value:.2f}", ""))
        for start in range(0, len(reports), 100_000):
            _copy(
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
        _copy("reports_targetvalue", ["submission_id", "target_id", "value", "note"], values)
        totals["submissions"] += len(made)
        totals["task_reports"] += len(reports)
        totals["target_values"] += len(values)
        self._step(
            f"Năm {cycle.year} ({index + 1}/{count}): {_n(len(made))} báo cáo, {_n(len(reports))} báo cáo "
            f"nhiệm vụ — tổng {_n(totals['task_reports'])}"
        )
