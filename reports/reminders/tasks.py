"""Celery adapters for deadline reminders: take plain values, call one service."""

from __future__ import annotations

import datetime

from celery import shared_task

from reports.reminders.services import scan_reminders as scan_reminders_service


# acks_late is safe here because the scan is idempotent: a redelivered message (worker lost, visibility timeout)
# re-runs a scan that finds every reminder already claimed and sends nothing twice.
@shared_task(acks_late=True, ignore_result=True)
def scan_reminders(today: str | None = None) -> dict:
    """Beat calls this without arguments; `today` (YYYY-MM-DD) lets an administrator or a test replay a day."""
    day = datetime.date.fromisoformat(today) if today else None
    return scan_reminders_service(today=day).as_dict()
