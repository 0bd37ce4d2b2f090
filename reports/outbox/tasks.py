"""Beat wakes the outbox sweep every minute (settings.CELERY_BEAT_SCHEDULE): it sends what the broker could not
take when it was asked, so after an outage pending work starts within a minute of the broker's return."""

from __future__ import annotations

from celery import shared_task

from reports.outbox.services import outbox_dispatch, outbox_purge


@shared_task(name="reports.outbox.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict[str, int]:
    counts = outbox_dispatch()
    counts["purged"] = outbox_purge()
    return counts
