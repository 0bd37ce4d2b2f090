"""The Celery application, wired the way Celery's "First steps with Django" guide does it."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hptracker.settings")

app = Celery("hptracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The reports app keeps its tasks in one module per area; autodiscovery only looks for "tasks" by default, and
# ignores a module that does not exist (yet).
for related_name in ("tasks_reminders", "tasks_cycles", "tasks_documents"):
    app.autodiscover_tasks(related_name=related_name)
