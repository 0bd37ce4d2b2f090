"""A real Celery worker against Redis renders a report; a worker killed in the middle of a render leaves a
record that is retried, never a half-written file shown as ready."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from hptracker.celery import app
from reports.documents import files
from reports.documents import services as documents
from reports.models import GeneratedReport, GeneratedReportStatus

from . import pdf_fixtures
from .pdf_data import accept_submissions
from .pdf_stress import stress_accept

cycle, profile = pdf_fixtures.cycle, pdf_fixtures.profile  # shared fixtures

pytestmark = [pytest.mark.celery_integration, pytest.mark.django_db(transaction=True)]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _isolated(private_media, purged_celery_queue):
    """Files in a temporary folder; no message left in the queue by another test."""


def wait_for(report_id: int, statuses: set[str], timeout: float = 90) -> GeneratedReport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = GeneratedReport.objects.get(pk=report_id)
        if report.status in statuses:
            return report
        time.sleep(0.2)
    raise AssertionError(f"report {report_id} still {report.status} after {timeout} s")


def test_a_worker_renders_a_requested_report(cycle, profile, education_reviewer):
    accept_submissions(cycle, limit=3)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        with transaction.atomic():
            report = documents.generated_report_request(cycle=cycle, by=education_reviewer)
        report = wait_for(report.pk, {GeneratedReportStatus.READY, GeneratedReportStatus.FAILED})
    assert report.status == GeneratedReportStatus.READY, report.error
    assert report.page_count > 5 and Path(report.file.path).read_bytes()[:5] == b"%PDF-"


def test_a_worker_killed_mid_render_leaves_a_record_that_is_retried_not_a_ready_half_file(
    cycle, profile, education_reviewer, tmp_path
):
    # The stress set: the body is bounded now (issue 10), so it takes 120 units to give seconds of layout to kill.
    stress_accept(cycle=cycle)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "DJANGO_MEDIA_ROOT": settings.MEDIA_ROOT,
    }
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hptracker",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=REPO,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        with transaction.atomic():
            report = documents.generated_report_request(cycle=cycle, by=education_reviewer)
        # Generous: on a loaded 2-core machine a cold worker takes a while to import Django and WeasyPrint.
        try:
            report = wait_for(report.pk, {GeneratedReportStatus.RENDERING, GeneratedReportStatus.READY}, 150)
        except AssertionError as error:
            alive = "alive" if worker.poll() is None else f"exited with {worker.returncode}"
            raise AssertionError(f"{error}; worker {alive}; its log:\n{log.read_text()[-3000:]}") from None
        assert report.status == GeneratedReportStatus.RENDERING, "the render finished before it could be killed"
        time.sleep(0.5)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)

    report.refresh_from_db()
    assert report.status == GeneratedReportStatus.RENDERING and not report.file.name and not report.sha256
    # Nothing was published under a final name.
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*.pdf")]

    # The sweep a minute after the last heartbeat (not after the task's time limit): the record goes back to the
    # queue and is rendered in full.
    later = timezone.now() + files.heartbeat_stale_after() + timezone.timedelta(seconds=5)
    counts = files.generated_reports_sweep(now=later)[0]
    report.refresh_from_db()
    assert counts["requeued"] == 1 and report.status == GeneratedReportStatus.QUEUED
    files.generated_report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == GeneratedReportStatus.READY and report.attempts == 2 and report.page_count > 20


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
