"""Background work survives a broker outage (issue 14): a request that queues work commits an outbox row and
never fails because Redis is down; the page says the work waits; once Redis is back, the sweep that beat wakes
every minute sends it and the job starts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse

from reports.documents.tasks import render_generated_report
from reports.models import GeneratedReport, GeneratedReportStatus, OutboxMessage
from reports.outbox.services import outbox_dispatch, outbox_enqueue
from reports.outbox.tasks import sweep_outbox

from . import pdf_fixtures

cycle, profile = pdf_fixtures.cycle, pdf_fixtures.profile  # shared fixtures

REPO = Path(__file__).resolve().parents[2]
RENDER = render_generated_report.name


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _forget_broker_pools() -> None:
    """The app keeps the connection and producer pools of the broker it first sent to, whatever broker_url says
    afterwards: without forgetting them, the next tests would publish to this test's closed port. Forgotten, not
    closed: kombu shares one pool per broker URL, and the pool of the suite's own Redis must stay open."""
    current_app._pool = None
    current_app.amqp._producer_pool = None


@pytest.fixture
def broker_at():
    """Point this process's Celery app at another broker for the test, and back afterwards."""
    saved = current_app.conf.broker_url

    def point(url: str) -> None:
        current_app.conf.broker_url = url
        _forget_broker_pools()

    yield point
    current_app.conf.broker_url = saved
    _forget_broker_pools()


@pytest.fixture
def dead_broker(broker_at):
    broker_at(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there


def test_the_sweep_runs_every_minute_and_names_a_registered_task():
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == sweep_outbox.name]
    assert entry["schedule"] <= 60
    current_app.loader.import_default_modules()
    assert sweep_outbox.name in current_app.tasks and RENDER in current_app.tasks


@pytest.mark.django_db
def test_a_rolled_back_request_leaves_no_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox_enqueue(task_name=RENDER, args=[1])
            raise RuntimeError("the request failed")
    assert not callbacks and not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_with_the_broker_down_the_message_stays_pending_and_nothing_raises(
    dead_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(task_name=RENDER, args=[123456])
    message.refresh_from_db()
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    # The sweep tries again, as often as beat wakes it, and stops at the first failure.
    outbox_enqueue(task_name=RENDER, args=[123457])
    assert outbox_dispatch() == {"sent": 0, "failed": 1}
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 2


@pytest.mark.django_db
def test_a_consolidated_report_requested_while_redis_is_down_says_it_waits(
    client, cycle, profile, education_reviewer, dead_broker, django_capture_on_commit_callbacks
):
    client.force_login(education_reviewer)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:consolidated_report_request"), {"cycle": cycle.pk}, follow=True)
    assert time.monotonic() - started < 10, "the request waited on the broker"
    assert response.status_code == 200
    html = response.content.decode()
    assert "đang chờ hệ thống xử lý" in html and "Đang chờ hệ thống xử lý" in html
    report = GeneratedReport.objects.get()
    assert report.status == GeneratedReportStatus.QUEUED
    assert OutboxMessage.objects.get().args == [report.pk]
    status = client.get(reverse("reports:generated_report_status", args=[report.pk])).json()
    assert status["waiting"] is True and status["finished"] is False


@pytest.mark.django_db
def test_a_return_while_redis_is_down_succeeds_and_its_notice_mails_wait_in_the_outbox(
    client, plan, agency, agency_staff, agency_head, education_reviewer, dead_broker, django_capture_on_commit_callbacks
):
    from reports.models import SubmissionStatus
    from tests.reports.submission_helpers import open_cycle, sent

    submission = sent(open_cycle(plan), agency, agency_staff, agency_head)
    OutboxMessage.objects.all().delete()  # the sending's own notices
    client.force_login(education_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:submission_return", args=[submission.pk]), {"reason": "Thiếu số liệu"}, follow=True
        )
    assert response.status_code == 200 and "Đã trả lại báo cáo cho đơn vị." in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RETURNED
    mails = OutboxMessage.objects.filter(task_name="reports.notifications.tasks.send_notification_mail")
    assert mails.exists() and all(m.sent_at is None and m.eta is not None for m in mails)
    assert {m.args[0] for m in mails} >= {agency_staff.pk, agency_head.pk}


# --- a real Redis stopped and started again -------------------------------------------------------------


class RedisServer:
    """A redis-server of this test's own, on its own port, without persistence: stopped and started at will."""

    def __init__(self, directory: Path):
        self.port, self.directory, self.process = free_port(), directory, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _celery(role: str, redis: RedisServer, tmp_path: Path, *extra: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis.url,
        "DJANGO_MEDIA_ROOT": settings.MEDIA_ROOT,
        # The production period is a minute (asserted above); a shorter one keeps this test short.
        "OUTBOX_SWEEP_SECONDS": "5",
    }
    log = (tmp_path / f"{role}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "hptracker", role, "--loglevel=INFO", *extra],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.mark.celery_integration
@pytest.mark.django_db(transaction=True)
def test_a_report_requested_during_a_redis_outage_starts_within_a_minute_of_its_return(
    client, cycle, profile, education_reviewer, private_media, broker_at, tmp_path
):
    redis = RedisServer(tmp_path)
    redis.start()
    broker_at(redis.url)
    worker = _celery(
        "worker", redis, tmp_path, "--pool=solo", "--without-heartbeat", "--without-gossip", "--without-mingle"
    )
    beat = _celery("beat", redis, tmp_path, "--schedule", str(tmp_path / "beat-schedule"))
    try:
        redis.stop()
        client.force_login(education_reviewer)
        response = client.post(reverse("reports:consolidated_report_request"), {"cycle": cycle.pk}, follow=True)
        assert response.status_code == 200 and "đang chờ hệ thống xử lý" in response.content.decode()
        report = GeneratedReport.objects.get()
        message = OutboxMessage.objects.get()
        assert report.status == GeneratedReportStatus.QUEUED and message.sent_at is None and message.attempts == 1

        time.sleep(3)  # the outage goes on a little: nothing moves
        assert GeneratedReport.objects.get().status == GeneratedReportStatus.QUEUED
        redis.start()
        back = time.monotonic()
        deadline = back + 60
        while time.monotonic() < deadline:
            report.refresh_from_db()
            if report.status != GeneratedReportStatus.QUEUED:
                break
            time.sleep(0.5)
        waited = time.monotonic() - back
        logs = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}" for p in tmp_path.glob("*.log"))
        assert report.status != GeneratedReportStatus.QUEUED, (
            f"still queued {waited:.0f} s after Redis returned\n{logs}"
        )
        message.refresh_from_db()
        assert message.sent_at is not None and message.attempts >= 2
        print(f"job started {waited:.1f} s after Redis returned")
    finally:
        for process in (beat, worker):
            process.terminate()
        for process in (beat, worker):
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        redis.stop()
