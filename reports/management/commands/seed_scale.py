"""A synthetic data set for the dashboard's speed: thousands of agencies, years of reports, millions of rows.

It builds its own plan ("SCALE/KH") and its own agencies (codes "sc-…"), and never touches plan 193 or the real
agencies; reports.scale builds it (the mix of states, the COPY of the rows)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from plans.models import Plan
from reports.scale import PLAN_NUMBER, PRESETS, scale_build
from reports.scale.years import LENGTHS as ANSWER_LENGTHS


class Command(BaseCommand):
    help = "Tạo bộ dữ liệu tổng hợp (kế hoạch SCALE/KH) để đo tốc độ trang tổng hợp. Không đụng đến Kế hoạch 193."

    def add_arguments(self, parser):
        parser.add_argument("--city", action="store_true", help="Quy mô thành phố: 120 đơn vị × 42 nhiệm vụ × 5 năm.")
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
            f"last_year={last_year} seed={seed} answers<={max(ANSWER_LENGTHS)} reminders"
        )
        existing = Plan.objects.filter(number=PLAN_NUMBER).first()
        if reuse and existing is not None and existing.introduction == signature:
            self.stdout.write(f"Đã có bộ dữ liệu {signature}: dùng lại.")
            return
        started = time.monotonic()

        def step(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:6.1f}s] {message}")
            self.stdout.flush()

        scale_build(size=size, last_year=last_year, seed=seed, signature=signature, step=step)
