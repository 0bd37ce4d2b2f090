"""`manage.py restore FILE [--force]` (make restore FILE=…): an archive of `backup` into an empty database."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hptracker.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Khôi phục một bản sao lưu vào cơ sở dữ liệu trống (DATABASE_URL) và thư mục tệp (DJANGO_MEDIA_ROOT)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="tệp .tar do lệnh backup tạo")
        parser.add_argument(
            "--force",
            action="store_true",
            help="xóa dữ liệu đang có trong cơ sở dữ liệu và cất thư mục tệp cũ sang bên cạnh",
        )

    def handle(self, *args, **options):
        try:
            info = backup_restore(archive=options["file"], force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Đã khôi phục bản sao lưu lúc %(time)s (%(count)d tệp đã kiểm tra mã SHA-256).")
            % {"time": info["created_at"], "count": info["files"]}
        )
