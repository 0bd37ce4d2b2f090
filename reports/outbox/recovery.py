"""The life of a render record (pretix's CachedFile pattern, for the generated documents and the dashboard's
exports): a worker claims it (`render_claim`), and a failed render marks it (`render_fail`); records whose worker
died are found by the periodic sweeps, and `requeue_or_fail` decides, record by record, whether to render again or
to give up. Nothing here queues: the sweeping task sends the ids it returns through the outbox."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import DashboardExport, GeneratedReport, GeneratedReportStatus

RenderRecord = GeneratedReport | DashboardExport
RenderModel = type[GeneratedReport] | type[DashboardExport]


def render_claim(
    *,
    model: RenderModel,
    pk: int,
    max_attempts: int,
    stale_after: datetime.timedelta,
    now: datetime.datetime,
    alive_since: Callable[[RenderRecord], datetime.datetime | None] = lambda record: record.started_at,
) -> RenderRecord | None:
    """Mark the record RENDERING for this run (attempts + 1) and return it; None when there is nothing to do:
    gone, READY or FAILED, RENDERING under another worker seen alive within `stale_after` (`alive_since`: its
    start, or a heartbeat), or FAILED now after `max_attempts` attempts."""
    with transaction.atomic():
        record = model.objects.select_for_update().filter(pk=pk).first()
        if record is None or record.status in (GeneratedReportStatus.READY, GeneratedReportStatus.FAILED):
            return None
        alive = alive_since(record)
        if record.status == GeneratedReportStatus.RENDERING and alive and alive > now - stale_after:
            return None
        if record.attempts >= max_attempts:
            record.status, record.finished_at = GeneratedReportStatus.FAILED, now
            record.error = _("Đã thử %(n)d lần không thành công.") % {"n": record.attempts}
            record.save(update_fields=["status", "finished_at", "error"])
            return None
        record.status, record.started_at, record.attempts = GeneratedReportStatus.RENDERING, now, record.attempts + 1
        record.error = ""
        fields = ["status", "started_at", "attempts", "error"]
        if isinstance(record, GeneratedReport):  # its worker writes a heartbeat while it renders
            record.heartbeat_at = now
            fields.append("heartbeat_at")
        record.save(update_fields=fields)
        return record


def render_fail(*, model: RenderModel, pk: int, attempt: int, reason: str) -> RenderRecord:
    """FAILED with `reason`, unless another run has taken the record over since attempt `attempt` claimed it.
    Returns the record as it now is."""
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=pk)
        if current.status == GeneratedReportStatus.RENDERING and current.attempts == attempt:
            current.status, current.finished_at, current.error = GeneratedReportStatus.FAILED, timezone.now(), reason
            current.save(update_fields=["status", "finished_at", "error"])
        return current


def requeue_or_fail(
    *,
    model: RenderModel,
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
