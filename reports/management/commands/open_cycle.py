from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plans.models import Plan
from reports.cycles.selectors import expected_submissions
from reports.cycles.services import cycle_open


class Command(BaseCommand):
    help = "Mở kỳ báo cáo năm (mặc định năm hiện tại) cho một kế hoạch; chạy lại không tạo trùng."

    def add_arguments(self, parser):
        parser.add_argument("--plan", default="193/KH-UBND")
        parser.add_argument("--year", type=int, default=None)

    def handle(self, *args, plan: str, year: int | None, **options):
        found = Plan.objects.filter(number=plan).first()
        if found is None:
            raise CommandError(f"Không tìm thấy kế hoạch số {plan}.")
        year = year or timezone.localdate().year
        if not (found.horizon_start <= year <= (found.oriented_to or found.horizon_end)):
            raise CommandError(f"Năm {year} nằm ngoài thời gian thực hiện kế hoạch.")
        cycle = cycle_open(plan=found, year=year)
        count = len(expected_submissions(cycle=cycle))
        self.stdout.write(self.style.SUCCESS(f"{cycle}: {count} báo cáo phải nộp."))
