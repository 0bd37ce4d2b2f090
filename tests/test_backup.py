"""Backup and restore with the real pg_dump and pg_restore: a cycle with reports, an evidence file and a rendered
consolidated report (PDF and Word) is backed up, restored into a fresh database and a fresh media folder, and the
two sides give the same dashboard figures, the same row counts, the same evidence bytes and document hashes. A
non-empty target and a tampered archive are refused and change nothing."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from psycopg2 import sql

from hptracker.backup import SUMS_NAME
from hptracker.celery import app
from reports.documents.files import generated_report_render
from reports.documents.services import generated_report_request
from reports.models import SubmissionStatus
from reports.submissions.evidence import evidence_add
from tests.conftest import REPO
from tests.fresh_process import json_from_fresh_process
from tests.reports.dashboard_helpers import TODAY, hand_made_cycle
from tests.reports.submission_helpers import PDF

# What the dashboard and the files look like, computed by a separate Django process against one database and one
# media folder: the same code reads the original and the restored copy.
FIGURES = """
import hashlib, json, os, django
django.setup()
from django.apps import apps
from django.conf import settings
from plans.models import Plan
from reports.dashboard.selectors import agency_completeness, completeness_by_kind, expected_reports
from reports.models import Evidence, GeneratedReport
import datetime

def sha(name):
    return hashlib.sha256(open(os.path.join(settings.MEDIA_ROOT, name), "rb").read()).hexdigest() if name else ""

plan = Plan.objects.get(number="193/KH-UBND")
today = datetime.date.fromisoformat(os.environ["FIGURES_TODAY"])
total, families = completeness_by_kind(expected_reports(plan=plan, today=today))
print(json.dumps({
    "completeness": [vars(line) for line in [total, *families]],
    "agencies": [[row["agency__name"], row["expected"], row["on_time"], row["late"], row["returned"],
                  row["missing"]] for row in agency_completeness(plan=plan, today=today)],
    "rows": {model._meta.label: model._default_manager.count() for model in apps.get_models()},
    "evidence": [[e.pk, e.sha256, sha(e.file.name)] for e in Evidence.objects.order_by("pk")],
    "documents": [[g.pk, g.status, g.sha256, sha(g.file.name), sha(g.word_file.name)]
                  for g in GeneratedReport.objects.order_by("pk")],
}, ensure_ascii=False))
"""


def database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def manage(*arguments: str, database: str, media: Path, backups: Path) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(database),
        "DJANGO_MEDIA_ROOT": str(media),
        "DJANGO_BACKUP_DIR": str(backups),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def figures(*, database: str, media: Path) -> dict:
    environment = {
        "DATABASE_URL": database_url(database),
        "DJANGO_MEDIA_ROOT": str(media),
        "FIGURES_TODAY": TODAY.isoformat(),
    }
    return json_from_fresh_process(FIGURES, environment=environment)


def drop_database(name: str) -> None:
    maintenance = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1", port=5432)
    maintenance.autocommit = True
    with maintenance.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    maintenance.close()


@pytest.fixture
def restored_databases():
    names = [f"{connection.settings_dict['NAME']}_restored", f"{connection.settings_dict['NAME']}_tampered"]
    for name in names:
        drop_database(name)
    yield names
    for name in names:
        drop_database(name)


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_the_same_figures_and_files(
    plan, education_reviewer, agency_staff, settings, tmp_path, restored_databases, purged_celery_queue
):
    media, backups = tmp_path / "media", tmp_path / "backups"
    settings.MEDIA_ROOT = str(media)
    made = hand_made_cycle(plan)
    snv = made["SNV"]
    snv.status = SubmissionStatus.DRAFT
    snv.save()
    evidence = evidence_add(
        submission=snv,
        by=agency_staff,
        upload=SimpleUploadedFile("Biên bản kiểm tra.pdf", PDF, content_type="application/pdf"),
    )
    snv.status = SubmissionStatus.SUBMITTED
    snv.save()
    report = generated_report_request(cycle=made["cycle"], by=education_reviewer)
    app.control.purge()  # no worker here: the test renders the queued report itself, as a worker would
    rendered = generated_report_render(report_id=report.pk)
    assert rendered.status == "ready" and rendered.file.name and rendered.word_file.name
    source = connection.settings_dict["NAME"]
    original = figures(database=source, media=media)
    assert original["completeness"][0]["expected"] == 37 and original["completeness"][0]["late"] == 1
    assert [row[1] for row in original["evidence"]] == [row[2] for row in original["evidence"]] == [evidence.sha256]
    assert original["documents"][0][2] == original["documents"][0][3] == rendered.sha256

    # make backup
    made_backup = manage("backup", "--keep", "3", database=source, media=media, backups=backups)
    assert made_backup.returncode == 0, made_backup.stderr
    archive = Path(made_backup.stdout.strip().splitlines()[-1])
    assert archive.parent == backups and archive.name.startswith("hptracker-") and archive.suffix == ".tar"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        sums = tar.extractfile(SUMS_NAME).read().decode()
    assert {
        "database.dump",
        "backup.json",
        SUMS_NAME,
        f"media/{evidence.file.name}",
        f"media/{rendered.file.name}",
        f"media/{rendered.word_file.name}",
    } <= names
    assert f"{rendered.sha256}  media/{rendered.file.name}" in sums.splitlines()

    # make restore FILE=… into a database that does not exist yet and an empty media folder
    target, tampered_target = restored_databases
    restored_media = tmp_path / "restored-media"
    restored = manage("restore", str(archive), database=target, media=restored_media, backups=backups)
    assert restored.returncode == 0, restored.stderr
    assert figures(database=target, media=restored_media) == original
    assert (restored_media / evidence.file.name).read_bytes() == PDF

    # A second restore into the now full database is refused and changes nothing; --force replaces it.
    again = manage("restore", str(archive), database=target, media=tmp_path / "empty-media", backups=backups)
    assert again.returncode != 0 and "không trống" in again.stderr
    assert not (tmp_path / "empty-media").exists()
    forced = manage("restore", str(archive), "--force", database=target, media=restored_media, backups=backups)
    assert forced.returncode == 0, forced.stderr
    assert figures(database=target, media=restored_media) == original
    assert any(path.name.startswith("restored-media.before-restore-") for path in tmp_path.iterdir())

    # A tampered archive (one byte of the evidence changed, manifest untouched) is refused before anything.
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as source_tar, tarfile.open(tampered, "w") as copy:
        for member in source_tar.getmembers():
            content = source_tar.extractfile(member).read()
            if member.name == f"media/{evidence.file.name}":
                content = content[:-1] + b"X"
            member.size = len(content)
            copy.addfile(member, io.BytesIO(content))
    refused = manage(
        "restore", str(tampered), database=tampered_target, media=tmp_path / "tampered-media", backups=backups
    )
    assert refused.returncode != 0 and "bị hỏng" in refused.stderr and evidence.file.name in refused.stderr
    assert not (tmp_path / "tampered-media").exists()
    probe = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1", port=5432)
    with probe.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [tampered_target])
        assert cursor.fetchone()[0] == 0
    probe.close()


def test_retention_keeps_the_newest_archives(tmp_path):
    from hptracker.backup import backups_prune

    for stamp in ("20260101-013000", "20260102-013000", "20260103-013000", "20260104-013000"):
        (tmp_path / f"hptracker-{stamp}.tar").write_bytes(b"")
    (tmp_path / "ghi-chu.txt").write_text("giữ")
    deleted = backups_prune(directory=tmp_path, keep=2)
    assert [p.name for p in deleted] == ["hptracker-20260101-013000.tar", "hptracker-20260102-013000.tar"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ghi-chu.txt",
        "hptracker-20260103-013000.tar",
        "hptracker-20260104-013000.tar",
    ]
