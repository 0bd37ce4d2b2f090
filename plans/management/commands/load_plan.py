from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from plans.loading import PlanFileError, load_plan, read_plan_file


class Command(BaseCommand):
    help = "Nạp (hoặc cập nhật) một kế hoạch từ tệp dữ liệu JSON. Tệp lỗi thì không ghi gì."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Đường dẫn tệp JSON, ví dụ plans/data/ke-hoach-193-KH-UBND-2021.json")

    def handle(self, *args, path: str, **options):
        try:
            plan, changes = load_plan(read_plan_file(path))
        except PlanFileError as error:
            raise CommandError(f"Tệp {path} không hợp lệ, không có dữ liệu nào được ghi. Lỗi tại {error}") from None
        if changes:
            self.stdout.write(self.style.SUCCESS(f"Đã nạp {plan}: {changes} bản ghi được tạo hoặc cập nhật."))
        else:
            self.stdout.write(f"{plan} đã có sẵn, không có thay đổi.")
