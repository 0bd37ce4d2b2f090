"""The Celery application, wired the way Celery's "First steps with Django" guide does it."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hptracker.settings")

app = Celery("hptracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
