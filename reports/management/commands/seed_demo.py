"""Demo accounts for `make run`. This is the only code that creates them, and it refuses to run on a
production configuration (DEBUG off) unless told --force."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Membership, Role
from agencies.names import split_full_name
from plans.models import Plan
from reports.cycles.services import cycle_open
from reports.demo import create_sample_reports
from reports.documents.numbering import default_issuer_profile
from reports.documents.services import generated_report_request
from reports.documents.tasks import render_generated_report
from reports.models import Cycle

# (username, full name, role, agency code, position)
DEMO_PEOPLE = [
    ("quantri", "Đỗ Thị Quyên", Role.ADMIN, None, "Quản trị hệ thống"),
    ("lanhdao", "Nguyễn Văn Thành", Role.LEADER, "UBND_TP", "Phó Chủ tịch UBND thành phố"),
    ("sgddt.thamdinh", "Trần Thị Thẩm", Role.REVIEWER, "SGDDT", "Chuyên viên Phòng Kế hoạch - Tài chính"),
    ("sgddt.canbo", "Lý Thị Giang", Role.STAFF, "SGDDT", "Chuyên viên Phòng Giáo dục Trung học"),
    ("sgddt.lanhdao", "Phan Văn Đức", Role.HEAD, "SGDDT", "Phó Giám đốc Sở"),
    ("sldtbxh.thamdinh", "Phạm Văn Nghĩa", Role.REVIEWER, "SLDTBXH", "Chuyên viên Phòng GDNN"),
    ("snv.canbo", "Lê Thị Hương", Role.STAFF, "SNV", "Chuyên viên"),
    ("snv.lanhdao", "Đỗ Văn Hùng", Role.HEAD, "SNV", "Phó Giám đốc"),
    ("lechan.canbo", "Vũ Thị Chân", Role.STAFF, "Q_LECHAN", "Chuyên viên Phòng GD&ĐT"),
    ("lechan.lanhdao", "Hoàng Văn Lê", Role.HEAD, "Q_LECHAN", "Phó Chủ tịch UBND quận"),
    ("thuynguyen.canbo", "Bùi Thị Thủy", Role.STAFF, "H_THUYNGUYEN", "Chuyên viên Phòng GD&ĐT"),
    ("thuynguyen.lanhdao", "Ngô Văn Nguyên", Role.HEAD, "H_THUYNGUYEN", "Phó Chủ tịch UBND huyện"),
    ("catp.canbo", "Đặng Văn An", Role.STAFF, "CATP", "Cán bộ Phòng PV01"),
    ("catp.lanhdao", "Mai Văn Ninh", Role.HEAD, "CATP", "Phó Giám đốc"),
]

DEMO_SIGNER = "sgddt.lanhdao"

# Once the 2025 reorganisation is loaded (plans/data/reorganisation-hai-phong-2025.json) the districts and the Sở
# LĐTB&XH have ended: their demo people work for the body that took over, so that every demo account has reports
# to write or read in this year's cycle. username → the account that replaces it.
AFTER_REORGANISATION = {
    "sldtbxh.thamdinh": ("snv.thamdinh", "Hồ Thị Vân", Role.REVIEWER, "SNV", "Chuyên viên Phòng Lao động - Việc làm"),
    "lechan.canbo": ("lechan.canbo", "Vũ Thị Chân", Role.STAFF, "P_11383", "Công chức Phòng Văn hóa - Xã hội"),
    "lechan.lanhdao": ("lechan.lanhdao", "Hoàng Văn Lê", Role.HEAD, "P_11383", "Phó Chủ tịch UBND phường"),
    "thuynguyen.canbo": ("thuynguyen.canbo", "Bùi Thị Thủy", Role.STAFF, "P_11560", "Công chức Phòng Văn hóa - Xã hội"),
    "thuynguyen.lanhdao": ("thuynguyen.lanhdao", "Ngô Văn Nguyên", Role.HEAD, "P_11560", "Phó Chủ tịch UBND phường"),
}


def _demo_people(day) -> list[tuple]:
    people = []
    for person in DEMO_PEOPLE:
        code = person[3]
        replacement = AFTER_REORGANISATION.get(person[0])
        if (
            code
            and replacement
            and Agency.objects.filter(code=code, valid_to__lt=day).exists()
            and Agency.objects.active_on(day).filter(code=replacement[3]).exists()
        ):
            person = replacement
        people.append(person)
    return people


def _name_the_signer() -> None:
    """The consolidated report's signer is the demo Sở's deputy director (its profile says "KT. GIÁM ĐỐC / PHÓ GIÁM
    ĐỐC"), so that a final report can be numbered and signed in the demo; a real install leaves the name to its
    administrator, and a final report waits for it."""
    profile = default_issuer_profile()
    if not profile.signer_name.strip():
        profile.signer_name = next(name for username, name, *_rest in DEMO_PEOPLE if username == DEMO_SIGNER)
        profile.save(update_fields=["signer_name"])


class Command(BaseCommand):
    help = "Tạo tài khoản dùng thử (mỗi vai trò một tài khoản) và in mật khẩu. Chỉ dùng cho môi trường thử."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Cho phép chạy khi DEBUG tắt.")
        parser.add_argument("--year", type=int, default=None, help="Năm của kỳ báo cáo dùng thử.")
        parser.add_argument(
            "--no-sample-reports",
            action="store_true",
            help="Không tạo báo cáo mẫu (năm trước và năm nay) cho trang tổng hợp.",
        )

    @transaction.atomic
    def handle(self, *args, force: bool, year: int | None, no_sample_reports: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Lệnh này chỉ chạy khi DJANGO_DEBUG=true (môi trường thử) hoặc với --force.")
        plan = Plan.objects.filter(number="193/KH-UBND").first()
        if plan is None:
            raise CommandError("Chưa nạp Kế hoạch 193/KH-UBND: chạy load_plan trước.")
        cycle = cycle_open(plan=plan, year=year or timezone.localdate().year)
        User = get_user_model()
        rows = []
        for username, full_name, role, code, position in _demo_people(timezone.localdate()):
            agency = Agency.objects.get(code=code) if code else None
            last, first = split_full_name(full_name)
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@demo.haiphong.edu.vn"
            user.is_staff = user.is_superuser = role == Role.ADMIN
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.save()
            Membership.objects.update_or_create(
                user=user, defaults={"agency": agency, "role": role, "position": position}
            )
            rows.append((username, password, Role(role).label, agency.short_name if agency else "—"))
        _name_the_signer()
        if not no_sample_reports and not cycle.submissions.exists():
            reviewer = User.objects.get(username="sgddt.thamdinh")
            # Every printed agency account (staff and heads) finds a draft of this year to work on.
            drafts_for = set(
                Membership.objects.filter(
                    user__username__in=[r[0] for r in rows], role__in=[Role.STAFF, Role.HEAD]
                ).values_list("agency_id", flat=True)
            )
            counts = create_sample_reports(plan=plan, year=cycle.year, reviewer=reviewer, drafts_for=drafts_for)
            self.stdout.write(
                f"Báo cáo mẫu năm {cycle.year - 1} và {cycle.year}: {counts['accepted']} đã chấp nhận, "
                f"{counts['submitted']} chờ thẩm định, {counts['returned']} bị trả lại, {counts['draft']} đang soạn."
            )
            self._consolidated_draft(plan, cycle.year - 1, reviewer)
        self.stdout.write(self.style.SUCCESS(f"Tài khoản dùng thử ({cycle}):"))
        width = max(len(r[0]) for r in rows)
        for username, password, role, where in rows:
            self.stdout.write(f"  {username:<{width}}  {password:<14} {role} — {where}")

    def _consolidated_draft(self, plan: Plan, year: int, reviewer) -> None:
        """Last year's consolidated report as a draft, rendered now, so that the city leader's account has a PDF
        (and its Word copy) to open. Requested as the reviewer would; rendered here rather than left to a worker
        that `make run` does not start (a worker that gets the queued render finds it done)."""
        last_year = Cycle.objects.filter(plan=plan, year=year).first()
        if last_year is None:
            return
        report = generated_report_request(cycle=last_year, by=reviewer)
        render_generated_report(report.pk)
        report.refresh_from_db()
        self.stdout.write(
            f"Báo cáo tổng hợp năm {year} (dự thảo): {report.get_status_display().lower()}"
            + (f", {report.page_count} trang." if report.page_count else ".")
        )
