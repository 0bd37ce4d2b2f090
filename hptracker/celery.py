"""The Celery application, wired the way Celery's "First steps with Django" guide does it."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hptracker.settings")

app = Celery("hptracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every installed app's `tasks` module, and each area package of `reports` that has background work (its own
# `tasks.py`): autodiscovery looks for `<package>.tasks`.
app.autodiscover_tasks()
app.autodiscover_tasks(
    [
        "reports.cycles",
        "reports.dashboard",
        "reports.documents",
        "reports.notifications",
        "reports.reminders",
        "reports.outbox",
    ]
)
# Beat's heartbeat for /healthz/full: signal handlers that write only inside the beat process.
import hptracker.heartbeat  # noqa: E402, F401
