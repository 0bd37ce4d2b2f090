"""A synthetic data set for the dashboard's speed (the `seed_scale` command): thousands of agencies, years of
reports, millions of rows, under its own plan and agencies (`structure`), one year of reports at a time (`years`).
It needs PostgreSQL: rows are written with COPY."""

from __future__ import annotations

import random
from collections.abc import Callable

from django.db import connection, transaction

from hptracker.formatting import format_count
from reports.cycles.services import cycle_open
from reports.scale.structure import PLAN_NUMBER, scale_assign, scale_delete, scale_structure
from reports.scale.years import scale_year

__all__ = ["PLAN_NUMBER", "PRESETS", "scale_build"]

# The city: the 120 reporting units Hải Phòng has since 1/7/2025 (114 communes, wards and special zones, and the
# city departments that report), 5 years; the national set: a province-sized plan 25 times over, 10 years.
PRESETS = {"city": {"agencies": 120, "tasks": 42, "years": 5}, "national": {"agencies": 3000, "tasks": 50, "years": 10}}
# Every table the set writes: without statistics PostgreSQL estimates one district where there are 1,500 and plans
# nested loops over every duty item (the years page filtered by kind: 10 s, not 0,1).
WRITTEN_TABLES = (
    "reports_submission",
    "reports_taskreport",
    "reports_targetvalue",
    "reports_reminderdelivery",
    "plans_taskassignment",
    "agencies_agency",
    "plans_dutyitem_agencies",
    "plans_reportingrule_reporters",
    "reports_cycledeadline",
    "reports_cycle",
)


def _n(number: int) -> str:
    return format_count(number, language="vi")  # the command speaks Vietnamese


def scale_build(
    *, size: dict[str, int], last_year: int, seed: int, signature: str, step: Callable[[str], None]
) -> dict[str, int]:
    """Replace the synthetic data set by a new one of `size` (agencies, tasks, years up to `last_year`), drawn
    from `seed`; the plan's introduction records `signature` (what `--reuse` compares). `step` is told each stage.
    Returns the numbers of reports, task reports, target values and reminders written."""
    rng = random.Random(seed)
    with transaction.atomic():
        step("Xóa bộ dữ liệu tổng hợp cũ")
        scale_delete()
        step("Tạo đơn vị, kế hoạch, nhiệm vụ, chế độ báo cáo")
        plan, units, task_ids, targets = scale_structure(rng=rng, signature=signature, size=size, last_year=last_year)
        step("Phân công nhiệm vụ")
        leads = scale_assign(rng=rng, units=units, task_ids=task_ids)
        cycles = [cycle_open(plan=plan, year=y) for y in range(last_year - size["years"] + 1, last_year + 1)]
        totals = {"submissions": 0, "task_reports": 0, "target_values": 0, "reminders": 0}
        for index, cycle in enumerate(cycles):
            made, reports, values, reminders = scale_year(
                rng=rng,
                cycle=cycle,
                index=index,
                count=len(cycles),
                units=units,
                task_ids=task_ids,
                leads=leads,
                targets=targets,
            )
            totals["submissions"] += made
            totals["task_reports"] += reports
            totals["target_values"] += values
            totals["reminders"] += reminders
            step(
                f"Năm {cycle.year} ({index + 1}/{len(cycles)}): {_n(made)} báo cáo, {_n(reports)} báo cáo "
                f"nhiệm vụ — tổng {_n(totals['task_reports'])}"
            )
    with connection.cursor() as cursor:
        for table in WRITTEN_TABLES:
            # COPY leaves the visibility map empty (no index-only scans); VACUUM cannot run in a transaction
            # (a test's), ANALYZE can.
            cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM ANALYZE'} {table}")
    step(
        f"Xong: {_n(totals['submissions'])} báo cáo, {_n(totals['task_reports'])} báo cáo nhiệm vụ, "
        f"{_n(totals['target_values'])} giá trị chỉ tiêu, {_n(totals['reminders'])} lượt nhắc hạn"
    )
    return totals
