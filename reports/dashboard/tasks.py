"""Celery adapters for the dashboard: exports and the figures warmed after writes; they take primary keys and call
`exports` and `warming` (the views and the workflow queue them)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import transaction

from reports.dashboard.exports import dashboard_export_render, dashboard_exports_sweep
from reports.dashboard.warming import dashboard_figures_warm
from reports.outbox.services import outbox_enqueue


@shared_task(
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.EXPORT_TIME_LIMIT - 60,
    time_limit=settings.EXPORT_TIME_LIMIT,
)
def render_dashboard_export(export_id: int) -> None:
    dashboard_export_render(export_id=export_id)


@shared_task(acks_late=True, ignore_result=True)
def expire_dashboard_exports() -> dict[str, int]:
    counts, requeue = dashboard_exports_sweep()
    with transaction.atomic():
        for export_id in requeue:
            outbox_enqueue(task_name=render_dashboard_export.name, args=[export_id])
    return counts


@shared_task(ignore_result=True)
def warm_dashboard_figures() -> bool:
    return dashboard_figures_warm()
