from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from plans.exporting import export_plan
from plans.models import Plan


class Command(BaseCommand):
    help = "In kế hoạch ra dạng JSON (UTF-8) trên stdout."

    def add_arguments(self, parser):
        parser.add_argument("number", help="Số, ký hiệu kế hoạch, ví dụ 193/KH-UBND")

    def handle(self, *args, number: str, **options):
        plan = Plan.objects.filter(number=number.strip()).select_related("issuer").first()
        if plan is None:
            raise CommandError(f"Không tìm thấy kế hoạch số {number}.")
        self.stdout.write(json.dumps(export_plan(plan), ensure_ascii=False, indent=2))
