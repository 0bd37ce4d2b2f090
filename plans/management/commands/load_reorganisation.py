from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from plans.reorganisation import reorganisation_apply
from plans.reorganisation_file import ReorganisationFileError, parse_reorganisation_data, read_reorganisation_file


class Command(BaseCommand):
    help = (
        "Áp dụng (hoặc xem trước với --dry-run, hoặc đảo ngược với --invert) một tệp tổ chức lại cơ quan, đơn vị. "
        "Tệp lỗi thì không ghi gì."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Đường dẫn tệp JSON, ví dụ plans/data/reorganisation-hai-phong-2025.json")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê những gì sẽ thay đổi, không ghi gì.")
        parser.add_argument(
            "--invert",
            action="store_true",
            help="Áp dụng các sự kiện ngược lại (từ sự kiện cuối lên), trả lại tình trạng trước đó.",
        )

    def handle(self, *args, path: str, dry_run: bool, invert: bool, **options):
        try:
            reorganisation = parse_reorganisation_data(read_reorganisation_file(path))
            report = reorganisation_apply(reorganisation=reorganisation, dry_run=dry_run, invert=invert)
        except ReorganisationFileError as error:
            raise CommandError(
                f"Không áp dụng được tệp {path}, không có dữ liệu nào được ghi. Lỗi tại {error}"
            ) from None
        for line in report.lines:
            self.stdout.write(line)
        if report.people_to_move:
            self.stdout.write(
                f"Tài khoản cần chuyển sang đơn vị mới ({len(report.people_to_move)}): "
                + ", ".join(report.people_to_move)
            )
        if report.open_reports:
            self.stdout.write(
                f"Báo cáo đang mở của đơn vị kết thúc hoạt động ({len(report.open_reports)}): "
                + "; ".join(report.open_reports)
            )
        summary = (
            f"{report.agencies_created} cơ quan thành lập, {report.agencies_changed} cơ quan đổi tên hoặc "
            f"thay đổi hiệu lực, {report.tasks_moved} phân công nhiệm vụ chuyển giao, {report.duty_items_added} "
            f"mục tổ chức thực hiện bổ sung, {report.recipients_moved} nơi nhận báo cáo chuyển, "
            f"{report.rows_restored} bản ghi được trả lại"
        )
        if dry_run:
            self.stdout.write(f"Xem trước (chưa ghi gì): {summary}.")
        elif report.changes:
            self.stdout.write(self.style.SUCCESS(f"Đã áp dụng «{reorganisation.title}»: {summary}."))
        else:
            self.stdout.write(f"«{reorganisation.title}» đã được áp dụng từ trước, không có thay đổi.")
        for event_id, what in reorganisation.unverified:
            self.stdout.write(f"Chưa kiểm chứng [{event_id}]: {what}", self.style.WARNING)
