"""Celery adapters for generated documents: they take primary keys and call `files` (never `services`, which
queues these tasks).

`render_generated_report` is idempotent (a READY record is left alone, a live RENDERING one is not touched,
a stale one is re-rendered), so it may be acknowledged late: a message redelivered after a lost worker does
no harm. The sweep requeues a record whose worker died, at most MAX_ATTEMPTS times.
"""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from reports.documents.files import generated_report_render, generated_reports_sweep
from reports.outbox.services import outbox_enqueue


@shared_task(acks_late=True, ignore_result=True)
def render_generated_report(report_id: int) -> None:
    generated_report_render(report_id=report_id)


@shared_task(acks_late=True, ignore_result=True)
def expire_generated_reports() -> dict[str, int]:
    counts, requeue = generated_reports_sweep()
    with transaction.atomic():
        for report_id in requeue:
            outbox_enqueue(task_name=render_generated_report.name, args=[report_id])
    return counts
