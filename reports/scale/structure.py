"""The synthetic plan's structure: its own agencies (codes "sc-…"), the plan "SCALE/KH" (issued 01/01/2000 so that
it is never the default plan of the pages) with its tasks, targets, duty items and reporting rules, and who is
assigned to which task. `scale_delete` removes all of it, and never touches plan 193 or the real agencies."""

from __future__ import annotations

import datetime
import io
import random

from django.db import connection

from agencies.models import Agency, AgencyKind, sort_name_of
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
from reports.models import Cycle

PLAN_NUMBER = "SCALE/KH"
CODE_PREFIX = "sc-"
GROUP_SIZES = (4, 4, 9, 7, 3, 3, 3, 9)  # plan 193's shape, stretched to any number of tasks


def copy_rows(table: str, columns: list[str], rows: list[tuple]) -> None:
    """COPY rows into a table: text format, tabs and newlines never appear in the synthetic values."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(r"\N" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def scale_delete() -> None:
    """Remove a previous synthetic data set with plain DELETEs (the ORM would load 1.5 million rows)."""
    plan = Plan.objects.filter(number=PLAN_NUMBER).first()
    with connection.cursor() as cursor:
        if plan is not None:
            subs = (
                "SELECT s.id FROM reports_submission s JOIN reports_cycle c ON c.id = s.cycle_id WHERE c.plan_id = %s"
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
                "DELETE FROM reports_reminderdelivery WHERE cycle_id IN "
                "(SELECT id FROM reports_cycle WHERE plan_id = %s)",
                [plan.pk],
            )
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


def scale_structure(*, rng: random.Random, signature: str, size: dict[str, int], last_year: int):
    """The agencies (a consolidating department, an issuer, `size["agencies"]` reporting units), the plan with its
    task groups, tasks and targets, the duty items and the three reporting rules. Returns (plan, units, task ids,
    targets)."""
    n = size["agencies"]
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
        name = f"Đơn vị tổng hợp số {i:05d}"
        units.append(
            Agency(
                code=f"{CODE_PREFIX}{i:05d}",
                name=name,
                sort_name=sort_name_of(name),  # bulk_create does not call save()
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


def scale_assign(*, rng: random.Random, units: list[Agency], task_ids: list[int]) -> set[tuple[int, int]]:
    """1–3 departments lead each task; every other agency co-operates (everyone reports on every task)."""
    departments = [u for u in units if u.kind == AgencyKind.DEPARTMENT and u.valid_to is None]
    leads: set[tuple[int, int]] = set()
    for task_id in task_ids:
        for unit in rng.sample(departments, k=min(len(departments), rng.randint(1, 3))):
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
    copy_rows("plans_taskassignment", ["task_id", "agency_id", "role", "status", "note"], rows)
    return leads
