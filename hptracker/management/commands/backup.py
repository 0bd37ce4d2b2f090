"""`manage.py backup [--keep N]` (make backup): the database and the private media folder in one archive."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hptracker.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu (pg_dump) và thư mục tệp riêng vào một tệp .tar có danh sách mã SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="thư mục chứa bản sao lưu (mặc định BACKUP_DIR, var/backups)")
        parser.add_argument("--keep", type=int, default=None, help="chỉ giữ N bản sao lưu mới nhất")

    def handle(self, *args, **options):
        try:
            path = backup_create(directory=options["dir"], keep=options["keep"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("Đã sao lưu vào %(file)s") % {"file": path})
        self.stdout.write(str(path))
