"""Celery as deployed: the beat schedule names real tasks, and a real worker on Redis runs the reminder scan."""

from __future__ import annotations

import datetime
import importlib.util
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from hptracker.celery import app
from reports.models import ReminderDelivery, ReminderDeliveryStatus
from tests.reports.reminder_helpers import mails_for, open_cycle

# Tasks other engineers are writing in this same issue; until their module exists the entry is an expected gap.
NOT_YET_WRITTEN = {"reports.cycles.tasks", "reports.documents.tasks"}


def registered_tasks() -> set[str]:
    app.loader.import_default_modules()
    return set(app.tasks)


@pytest.mark.parametrize("entry", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_every_beat_entry_names_a_registered_task(entry):
    task_name = settings.CELERY_BEAT_SCHEDULE[entry]["task"]
    module = task_name.rpartition(".")[0]
    if module in NOT_YET_WRITTEN and importlib.util.find_spec(module) is None:
        pytest.xfail(f"{module} is written by another engineer")
    assert task_name in registered_tasks()


def test_the_reminder_scan_is_scheduled_and_may_be_redelivered_safely():
    (entry,) = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "reports.reminders.tasks.scan_reminders"
    ]
    assert entry["schedule"].hour == {7, 13}
    task = app.tasks["reports.reminders.tasks.scan_reminders"]
    assert task.acks_late
    # Redelivery only after the visibility timeout, which must outlast the longest task.
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > settings.CELERY_TASK_TIME_LIMIT


def test_the_broker_is_redis_and_tasks_are_not_eager_when_redis_is_configured():
    assert settings.REDIS_URL, "run the tests with REDIS_URL set"
    assert app.conf.broker_url == settings.REDIS_URL
    assert not app.conf.task_always_eager


@pytest.mark.celery_integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_scan_and_the_reminder_lands_in_the_outbox(plan, agency_staff, mailoutbox):
    from reports.reminders.tasks import scan_reminders

    open_cycle(plan)
    app.control.purge()
    with start_worker(app, perform_ping_check=False, shutdown_timeout=10):
        scan_reminders.delay(today=datetime.date(2026, 11, 27).isoformat())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not mails_for(mail.outbox, agency_staff.email):
            time.sleep(0.2)
        # Beat fires again (or the message is redelivered): still one mail.
        scan_reminders.delay(today="2026-11-27")
        time.sleep(2)
    (sent,) = mails_for(mail.outbox, agency_staff.email)
    assert "Hạn gửi: 30/11/2026" in sent.body
    row = ReminderDelivery.objects.get(agency=agency_staff.membership.agency)
    assert row.status == ReminderDeliveryStatus.SENT and row.offset_key == "before-1"
