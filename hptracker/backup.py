"""Backup and restore of everything hptracker keeps: the PostgreSQL database and the private media folder
(evidence files, rendered reports), in one tar archive with a manifest of SHA-256 sums.

The archive holds `database.dump` (pg_dump's custom format, without owners or privileges, so it restores under
any role), `media/…` (every file of MEDIA_ROOT), `backup.json` (when, from which database) and `SHA256SUMS` (one
line per file, in `sha256sum -c` format). The database is dumped first and the media folder read after it, so every
file a row of the dump refers to is in the archive (files are written before their row is committed, never changed
in place). A restore checks every sum before it touches anything, refuses a database or a media folder that is not
empty unless told (`force`), restores the database in a single transaction, then moves the files into place.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import subprocess
import tarfile
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import psycopg2
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2 import sql

ARCHIVE_PREFIX = "hptracker-"
DUMP_NAME = "database.dump"
MEDIA_DIR = "media"
SUMS_NAME = "SHA256SUMS"
INFO_NAME = "backup.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is the sentence to show."""


@dataclass(frozen=True)
class Database:
    name: str
    user: str
    password: str
    host: str
    port: str

    @classmethod
    def from_settings(cls) -> Database:
        config = settings.DATABASES["default"]
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise BackupError(_("Sao lưu và khôi phục chỉ dùng được với PostgreSQL (DATABASE_URL)."))
        return cls(
            name=config["NAME"],
            user=config.get("USER") or "postgres",
            password=config.get("PASSWORD") or "",
            host=config.get("HOST") or "127.0.0.1",
            port=str(config.get("PORT") or 5432),
        )

    def arguments(self) -> list[str]:
        return ["--host", self.host, "--port", self.port, "--username", self.user, "--no-password"]

    def environment(self) -> dict[str, str]:
        return {**os.environ, "PGPASSWORD": self.password, "PGCONNECT_TIMEOUT": "10"}

    def connect(self, *, name: str | None = None):
        return psycopg2.connect(
            dbname=name or self.name,
            user=self.user,
            password=self.password or None,
            host=self.host,
            port=self.port,
            connect_timeout=10,
        )


def _run(command: list[str], *, database: Database) -> None:
    result = subprocess.run(command, env=database.environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s dừng với lỗi: %(error)s") % {"program": command[0], "error": result.stderr.strip()[-1500:]}
        )


class _HashingReader:
    """Reads a file into the tar archive and hashes the very bytes that went in."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream, self.digest = stream, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def _add_file(archive: tarfile.TarFile, path: Path, name: str) -> str:
    info = archive.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with path.open("rb") as stream:
        reader = _HashingReader(stream)
        archive.addfile(info, reader)
    return reader.digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(content), int(timezone.now().timestamp()), 0o644
    archive.addfile(info, io.BytesIO(content))


def backup_create(*, directory: Path | None = None, keep: int | None = None) -> Path:
    """Writes one archive into `directory` (BACKUP_DIR) and returns its path; with `keep`, deletes the oldest
    archives beyond the `keep` newest. A failure leaves no partial archive behind."""
    database = Database.from_settings()
    directory = Path(directory or settings.BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    final = directory / f"{ARCHIVE_PREFIX}{stamp}.tar"
    partial = directory / f".{final.name}.partial"
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=directory, prefix=".dump-") as work:
        dump = Path(work) / DUMP_NAME
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(dump),
                *database.arguments(),
                database.name,
            ],
            database=database,
        )
        sums: list[tuple[str, str]] = []
        try:
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
                sums.append((_add_file(archive, dump, DUMP_NAME), DUMP_NAME))
                media_files = sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.is_dir() else []
                for path in media_files:
                    name = f"{MEDIA_DIR}/{path.relative_to(media_root).as_posix()}"
                    sums.append((_add_file(archive, path, name), name))
                info = {
                    "created_at": timezone.now().isoformat(),
                    "database": database.name,
                    "media_root": str(media_root),
                    "files": len(sums),
                }
                info_bytes = json.dumps(info, ensure_ascii=False, indent=2).encode()
                sums.append((hashlib.sha256(info_bytes).hexdigest(), INFO_NAME))
                _add_bytes(archive, INFO_NAME, info_bytes)
                _add_bytes(archive, SUMS_NAME, "".join(f"{digest}  {name}\n" for digest, name in sums).encode())
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)
    if keep:
        backups_prune(directory=directory, keep=keep)
    return final


def backups_prune(*, directory: Path, keep: int) -> list[Path]:
    """Deletes every archive but the `keep` newest (names sort by their time stamp); returns what it deleted."""
    archives = sorted(directory.glob(f"{ARCHIVE_PREFIX}*.tar"))
    old = archives[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _unpack_and_verify(archive_path: Path, into: Path) -> dict[str, str]:
    """Extracts the archive (tarfile's "data" filter refuses absolute paths, links out of the folder and device
    files) and checks that every file is listed in SHA256SUMS with its sum, and every listed file is there."""
    try:
        with tarfile.open(archive_path, "r") as archive:
            archive.extractall(into, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(
            _("Không đọc được tệp sao lưu «%(file)s»: %(error)s") % {"file": archive_path, "error": error}
        ) from error
    sums_path = into / SUMS_NAME
    if not sums_path.is_file() or not (into / DUMP_NAME).is_file():
        raise BackupError(_("Tệp «%(file)s» không phải bản sao lưu của hptracker.") % {"file": archive_path})
    expected: dict[str, str] = {}
    for line in sums_path.read_text(encoding="utf-8").splitlines():
        digest, _separator, name = line.partition("  ")
        expected[name] = digest
    present = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {SUMS_NAME}
    problems = sorted(set(expected) ^ present)
    problems += sorted(name for name in expected if name in present and _sha256_file(into / name) != expected[name])
    if problems:
        raise BackupError(
            _("Bản sao lưu bị hỏng hoặc bị sửa, không khôi phục: %(files)s") % {"files": ", ".join(problems[:10])}
        )
    return expected


def _database_is_empty(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("""SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                          WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
                            AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                            AND n.nspname NOT LIKE 'pg_toast%%'""")
        return cursor.fetchone()[0] == 0


def _prepare_database(database: Database, *, force: bool) -> None:
    """Creates the database when it does not exist; refuses one that has tables unless `force`, which empties
    its public schema."""
    try:
        connection = database.connect()
    except psycopg2.OperationalError as error:
        if f'"{database.name}" does not exist' not in str(error):
            raise BackupError(_("Không kết nối được PostgreSQL: %(error)s") % {"error": error}) from error
        maintenance = database.connect(name="postgres")
        maintenance.autocommit = True
        try:
            # Not in `with maintenance`: psycopg2 would open a transaction, and CREATE DATABASE refuses one.
            with maintenance.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database.name)))
        finally:
            maintenance.close()
        return
    try:
        if _database_is_empty(connection):
            return
        if not force:
            raise BackupError(
                _(
                    "Cơ sở dữ liệu «%(name)s» không trống: không khôi phục đè lên dữ liệu đang có. "
                    "Dùng một cơ sở dữ liệu mới, hoặc chạy lại với --force (make restore FORCE=1) "
                    "để xóa dữ liệu hiện có."
                )
                % {"name": database.name}
            )
        with connection, connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        connection.close()


def _media_is_empty(media_root: Path) -> bool:
    return not media_root.exists() or not any(media_root.iterdir())


def _new_figures_incarnation(database: Database) -> None:
    """The restored database counts its changes from the backup's number again: a new incarnation keeps the figures
    cache from serving counts stored under the same number before the restore (reports.dashboard.figures_cache)."""
    connection = database.connect()
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("UPDATE reports_figuresversion SET token = %s", [uuid.uuid4().hex])
    finally:
        connection.close()


def backup_restore(*, archive: Path, force: bool = False) -> dict:
    """Restores `archive` into the database of DATABASE_URL and into MEDIA_ROOT. Returns backup.json's content.
    Nothing is changed when the archive fails its sums or the target is not empty (without `force`)."""
    database = Database.from_settings()
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("Không tìm thấy tệp sao lưu «%(file)s».") % {"file": archive})
    media_root = Path(settings.MEDIA_ROOT)
    if not _media_is_empty(media_root) and not force:
        raise BackupError(
            _(
                "Thư mục tệp «%(path)s» không trống: không khôi phục đè lên tệp đang có. Chạy lại "
                "với --force (make restore FORCE=1) để cất thư mục cũ sang bên cạnh."
            )
            % {"path": media_root}
        )
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-") as work:
        unpacked = Path(work)
        _unpack_and_verify(archive, unpacked)
        _prepare_database(database, force=force)
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                *database.arguments(),
                "--dbname",
                database.name,
                str(unpacked / DUMP_NAME),
            ],
            database=database,
        )
        _new_figures_incarnation(database)
        if media_root.exists() and not _media_is_empty(media_root):
            aside = media_root.with_name(f"{media_root.name}.before-restore-{datetime.datetime.now():%Y%m%d-%H%M%S}")
            os.replace(media_root, aside)
        elif media_root.exists():
            media_root.rmdir()
        restored_media = unpacked / MEDIA_DIR
        if restored_media.is_dir():
            os.replace(restored_media, media_root)
        else:
            media_root.mkdir()
        return json.loads((unpacked / INFO_NAME).read_text(encoding="utf-8"))
