"""Render records whose worker died (pretix's CachedFile pattern, for the generated documents and the dashboard's
exports): the periodic sweeps find them, and this module decides, record by record, whether to render again or to
give up. It never queues anything: the sweeping task sends the ids it returns through the outbox."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from reports.models import DashboardExport, GeneratedReport, GeneratedReportStatus

RenderRecord = GeneratedReport | DashboardExport


def requeue_or_fail(
    *,
    model: type[GeneratedReport] | type[DashboardExport],
    stuck: Iterable[RenderRecord],
    max_attempts: int,
    now: datetime.datetime,
    still_running: Callable[[RenderRecord], bool] = lambda record: False,
    explain_requeue: bool = True,
) -> tuple[int, list[int]]:
    """Each record of `stuck` that is still QUEUED or RENDERING once locked (a worker or another sweep holding it
    is skipped) goes back to QUEUED, or is FAILED after `max_attempts` attempts. `still_running` may spare a record
    that turned out alive once locked; with `explain_requeue` the record says why it waits again (the progress
    page shows it). Returns the number failed and the ids to queue again."""
    failed, requeue = 0, []
    for record in stuck:
        with transaction.atomic():
            locked = model.objects.select_for_update(skip_locked=True).filter(pk=record.pk).first()
            if locked is None or locked.status not in (GeneratedReportStatus.RENDERING, GeneratedReportStatus.QUEUED):
                continue
            if still_running(locked):
                continue
            if locked.attempts >= max_attempts:
                locked.status, locked.finished_at = GeneratedReportStatus.FAILED, now
                locked.error = _("Tiến trình tạo tệp bị dừng giữa chừng %(n)d lần; đã ngừng thử lại.") % {
                    "n": locked.attempts
                }
                failed += 1
            else:
                locked.status = GeneratedReportStatus.QUEUED
                if explain_requeue:
                    locked.error = _("Tiến trình tạo tệp bị gián đoạn ở lần thử %(n)d; đang thử lại.") % {
                        "n": locked.attempts
                    }
                requeue.append(locked.pk)
            locked.save(update_fields=["status", "finished_at", "error"])
    return failed, requeue


def remove_stale_temp_files(*, directory: Path, before: datetime.datetime) -> int:
    """Delete the temp files (`*.part-*`) a killed worker left under `directory` before `before`; returns how
    many. A live render's temp file is younger: it is written in the seconds before its rename."""
    removed = 0
    if directory.is_dir():
        for temp in directory.rglob("*.part-*"):
            if temp.stat().st_mtime < before.timestamp():
                temp.unlink(missing_ok=True)
                removed += 1
    return removed
