"""Run the reminder scan by hand, or show what it would send (--dry-run) for a given day."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency, name_order
from plans.models import ReportingRule
from reports.reminders.digests import addressees, people_of
from reports.reminders.services import scan_reminders


class Command(BaseCommand):
    help = "Gửi thư nhắc hạn báo cáo (hoặc chỉ in kế hoạch gửi với --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Ngày quét, dạng YYYY-MM-DD (mặc định: hôm nay).")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ in danh sách sẽ gửi, không gửi thư.")

    def handle(self, *args, date: str | None, dry_run: bool, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError as exc:
            raise CommandError(f"Ngày không hợp lệ: {date} (cần dạng YYYY-MM-DD).") from exc
        result = scan_reminders(today=today, dry_run=dry_run)
        self._print_plan(result)
        if not dry_run:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Đã nhận xử lý {result.claimed} lượt nhắc; gửi {result.digests} thư ({result.sent} lượt), "
                    f"lỗi {result.failed}, bỏ qua {result.skipped}."
                )
            )

    def _print_plan(self, result) -> None:
        planned = result.planned
        self.stdout.write(f"Ngày {result.today:%d/%m/%Y}: {len(planned)} lượt nhắc theo kế hoạch.")
        if not planned:
            return
        agencies = Agency.objects.in_bulk({p.owed.agency_id for p in planned})
        rules = ReportingRule.objects.in_bulk({p.owed.rule_id for p in planned})
        people = people_of(set(agencies))
        overdue = {p.owed.agency_id for p in planned if p.slot.overdue}
        emails: dict[int, list[str]] = {}
        for agency_id in agencies:
            to, cc = addressees(people.get(agency_id, []), agency_id in overdue)
            emails[agency_id] = [p.email for p in to] + [f"cc: {p.email}" for p in cc]
        header = f"{'Đơn vị':<28} {'Mốc':<12} {'Ngày nhắc':<10} {'Hạn gửi':<10} {'Chế độ báo cáo':<40} Người nhận"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for p in sorted(
            planned, key=lambda p: (name_order(p.owed.agency_id, agencies[p.owed.agency_id].sort_name), p.owed.rule_id)
        ):
            self.stdout.write(
                f"{agencies[p.owed.agency_id].short_name[:28]:<28} {p.slot.offset_key:<12} "
                f"{p.slot.planned_for:%d/%m/%Y} {p.owed.due_on:%d/%m/%Y} {rules[p.owed.rule_id].title[:40]:<40} "
                + (", ".join(emails.get(p.owed.agency_id, [])) or "— (không có người nhận)")
            )
