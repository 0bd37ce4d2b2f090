"""/healthz for the load balancer, /healthz/full for monitoring: each part really up, then really down (Redis on a
port where nothing listens, no worker running, a stale beat heartbeat, a queued job six minutes old, a full disk
threshold, a database on a closed port in a separate process)."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys
import time

import pytest
import redis
from celery.schedules import crontab
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from hptracker.celery import app
from hptracker.health import beat_max_age_seconds
from hptracker.heartbeat import BEAT_HEARTBEAT_KEY, beat_heartbeat_read, beat_heartbeat_write
from reports.models import GeneratedReport, GeneratedReportKind
from tests.conftest import REPO
from tests.fresh_process import json_from_fresh_process
from tests.reports.submission_helpers import open_cycle

TOKEN = "ma-kiem-tra-suc-khoe-thu-nghiem"
CLOSED_PORT_REDIS = "redis://127.0.0.1:6399/0"  # nothing listens there


@pytest.fixture
def health_settings(settings, tmp_path):
    settings.HEALTH_TOKEN = TOKEN
    settings.MEDIA_ROOT = str(tmp_path / "media")
    os.makedirs(settings.MEDIA_ROOT)
    settings.HEALTH_MEDIA_MIN_FREE_BYTES = 1024
    return settings


@pytest.fixture
def fresh_beat(health_settings):
    beat_heartbeat_write()
    yield
    redis.Redis.from_url(health_settings.REDIS_URL).delete(BEAT_HEARTBEAT_KEY)


def full(client, **headers):
    response = client.get(reverse("healthz_full"), headers={"X-Health-Token": TOKEN, **headers})
    return response.status_code, response.json()


def test_health_endpoint_answers_without_signing_in_and_touches_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_full_health_is_refused_without_token_or_administrator(client, db, health_settings, agency_staff):
    assert client.get(reverse("healthz_full")).status_code == 403
    assert client.get(reverse("healthz_full"), headers={"X-Health-Token": "sai"}).status_code == 403
    client.force_login(agency_staff)
    response = client.get(reverse("healthz_full"))
    assert response.status_code == 403 and "HEALTH_TOKEN" in response.json()["detail"]


def test_an_empty_token_setting_accepts_no_token(client, db, health_settings):
    health_settings.HEALTH_TOKEN = ""
    assert client.get(reverse("healthz_full"), headers={"X-Health-Token": ""}).status_code == 403
    assert client.get(reverse("healthz_full"), headers={"Authorization": "Bearer "}).status_code == 403


def test_administrator_session_and_bearer_token_may_read_full_health(client, db, health_settings, administrator):
    response = client.get(reverse("healthz_full"), headers={"Authorization": f"Bearer {TOKEN}"})
    assert set(response.json()["checks"]) == {"database", "redis", "worker", "beat", "media", "pending_jobs"}
    client.force_login(administrator)
    assert set(client.get(reverse("healthz_full")).json()["checks"]) == set(response.json()["checks"])


def test_no_worker_running_is_reported_down(client, db, health_settings, fresh_beat):
    app.control.purge()
    started = time.monotonic()
    status, body = full(client)
    assert time.monotonic() - started < 10  # a 1 s ping, not a connection retried for minutes
    assert status == 503 and body["status"] == "down"
    assert body["checks"]["worker"]["status"] == "down"
    for name in ("database", "redis", "beat", "media", "pending_jobs"):
        assert body["checks"][name]["status"] == "ok", (name, body["checks"][name])


def test_redis_on_a_wrong_port_is_reported_down_quickly(client, db, health_settings):
    health_settings.REDIS_URL = CLOSED_PORT_REDIS
    started = time.monotonic()
    status, body = full(client)
    assert time.monotonic() - started < 10
    assert status == 503
    checks = body["checks"]
    assert checks["redis"]["status"] == "down" and "ConnectionError" in checks["redis"]["error"]
    assert checks["worker"]["status"] == "down" and checks["beat"]["status"] == "down"
    assert checks["database"]["status"] == "ok"
    # The load balancer's check looks at the database only: pages still work while Redis is away.
    assert client.get(reverse("healthz")).status_code == 200


def test_beat_heartbeat_older_than_its_period_is_down(client, db, health_settings, fresh_beat):
    # Beat's silence may last its most frequent entry's period (crontab entries do not count) plus two minutes.
    health_settings.CELERY_BEAT_SCHEDULE = {
        "sweep": {"task": "reports.documents.tasks.expire_generated_reports", "schedule": 600.0},
        "scan": {"task": "reports.reminders.tasks.scan_reminders", "schedule": crontab(minute=0, hour="7,13")},
    }
    assert beat_max_age_seconds() == 720
    beat_heartbeat_write(at=time.time() - 721)
    beat = full(client)[1]["checks"]["beat"]
    assert beat["status"] == "down" and beat["age_seconds"] >= 721 and beat["max_age_seconds"] == 720
    beat_heartbeat_write(at=time.time() - 700)
    assert full(client)[1]["checks"]["beat"]["status"] == "ok"


def test_beat_that_never_ran_is_down(client, db, health_settings):
    redis.Redis.from_url(health_settings.REDIS_URL).delete(BEAT_HEARTBEAT_KEY)
    beat = full(client)[1]["checks"]["beat"]
    assert beat["status"] == "down" and "chưa chạy" in beat["detail"]


def test_a_queued_document_six_minutes_old_is_down_and_five_minutes_young_is_not(client, plan, health_settings):
    cycle = open_cycle(plan)
    report = GeneratedReport.objects.create(kind=GeneratedReportKind.CONSOLIDATED, cycle=cycle)
    GeneratedReport.objects.filter(pk=report.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=4))
    jobs = full(client)[1]["checks"]["pending_jobs"]
    assert jobs["status"] == "ok" and jobs["count"] == 0 and jobs["max_age_seconds"] == 300
    GeneratedReport.objects.filter(pk=report.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=6))
    status, body = full(client)
    jobs = body["checks"]["pending_jobs"]
    assert status == 503 and jobs["status"] == "down" and jobs["count"] == 1
    assert jobs["by_kind"]["generated_reports"] == 1
    assert 355 <= jobs["oldest_age_seconds"] <= 370


def test_an_outbox_message_the_broker_has_not_taken_for_six_minutes_is_down(client, db, health_settings):
    try:
        outbox = apps.get_model("reports", "OutboxMessage")
    except LookupError:
        pytest.skip("no transactional outbox in this tree")
    message = outbox.objects.create(task_name="reports.documents.tasks.render_generated_report", args=[1])
    assert full(client)[1]["checks"]["pending_jobs"]["status"] == "ok"
    outbox.objects.filter(pk=message.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=6))
    jobs = full(client)[1]["checks"]["pending_jobs"]
    assert jobs["status"] == "down" and jobs["by_kind"]["outbox"] == 1
    outbox.objects.filter(pk=message.pk).update(sent_at=timezone.now())
    assert full(client)[1]["checks"]["pending_jobs"]["status"] == "ok"


def test_media_folder_missing_or_short_of_space_is_down(client, db, health_settings, tmp_path):
    assert full(client)[1]["checks"]["media"]["status"] == "ok"
    health_settings.HEALTH_MEDIA_MIN_FREE_BYTES = shutil.disk_usage(tmp_path).free * 2
    media = full(client)[1]["checks"]["media"]
    assert media["status"] == "down" and media["free_bytes"] < media["min_free_bytes"]
    health_settings.MEDIA_ROOT = str(tmp_path / "khong-co")
    assert full(client)[1]["checks"]["media"]["status"] == "down"


def _django_in_a_subprocess(environment: dict[str, str], code: str) -> dict:
    return json_from_fresh_process(code, environment=dict(environment), timeout=60)


DJANGO_CLIENT = """
import json, os, django
django.setup()
from django.test import Client
client = Client()
quick = client.get("/healthz")
full = client.get("/healthz/full", headers={"X-Health-Token": os.environ["HEALTH_TOKEN"]})
print(json.dumps({"quick": [quick.status_code, quick.json()], "full": [full.status_code, full.json()]}))
"""


def test_database_on_a_closed_port_gives_503_not_500(tmp_path):
    """A separate process whose DATABASE_URL names a port where nothing listens: the real connection fails."""
    answers = _django_in_a_subprocess(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:1/hptracker",
            "HEALTH_TOKEN": TOKEN,
            "DJANGO_MEDIA_ROOT": str(tmp_path),
            "HEALTH_MEDIA_MIN_FREE_BYTES": "1024",
            "DJANGO_SETTINGS_MODULE": "hptracker.settings",
        },
        DJANGO_CLIENT,
    )
    assert answers["quick"] == [503, {"status": "down"}]
    status, body = answers["full"]
    assert status == 503
    assert body["checks"]["database"]["status"] == "down" and "OperationalError" in body["checks"]["database"]["error"]
    assert body["checks"]["pending_jobs"]["status"] == "down"
    assert body["checks"]["redis"]["status"] == "ok"


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.celery_integration
def test_everything_up_with_a_real_worker_and_a_real_beat(client, db, health_settings, tmp_path):
    """A real `celery worker` and a real `celery beat` process, started here: the worker answers the ping and
    beat writes its heartbeat when it starts; then every part is ok and the answer is 200."""
    connection = redis.Redis.from_url(health_settings.REDIS_URL)
    connection.delete(BEAT_HEARTBEAT_KEY)
    app.control.purge()
    celery = [sys.executable, "-m", "celery", "-A", "hptracker"]
    processes = [
        subprocess.Popen(
            [
                *celery,
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                "--without-mingle",
                "--without-gossip",
                f"--hostname=health-{os.getpid()}@%h",
            ],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [*celery, "beat", "--loglevel=WARNING", f"--schedule={tmp_path / 'beat-schedule'}"],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        assert _wait_for(lambda: beat_heartbeat_read() is not None, 30), "beat wrote no heartbeat"
        assert _wait_for(lambda: bool(app.control.ping(timeout=0.5)), 30), "the worker never answered"
        status, body = full(client)
        assert status == 200 and body["status"] == "ok", body
        assert all(check["status"] == "ok" for check in body["checks"].values())
        assert any(name.startswith(f"health-{os.getpid()}@") for name in body["checks"]["worker"]["workers"])
        assert body["checks"]["beat"]["age_seconds"] < 60
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        connection.delete(BEAT_HEARTBEAT_KEY)
        app.control.purge()
