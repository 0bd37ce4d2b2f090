"""Health checks: what `/healthz` (the load balancer) and `/healthz/full` (monitoring) report.

Each check returns a dict with a `status` of "ok", "down" or "not_used" (a part `make run` does without: no Redis
means tasks run in the request, so there is no worker or beat to ask about) and what it measured. Every check is
bounded in time (short socket timeouts, a one-second worker ping), so monitoring never waits on a dead part.
"""

from __future__ import annotations

import datetime
import os
import shutil
import time
from collections.abc import Callable
from typing import Any

import redis
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from hptracker.heartbeat import beat_heartbeat_read, redis_client

OK, DOWN, NOT_USED = "ok", "down", "not_used"
Check = dict[str, Any]


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _down(detail: str, *, error: BaseException | None = None, **measured: Any) -> Check:
    result: Check = {"status": DOWN, "detail": detail, **measured}
    if error is not None:
        result["error"] = f"{type(error).__name__}: {error}".strip()[:300]
    return result


def health_database() -> Check:
    started = time.monotonic()
    try:
        for alias in connections:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
    except DatabaseError as error:
        return _down(_("Không kết nối được cơ sở dữ liệu."), error=error, ms=_elapsed_ms(started))
    return {"status": OK, "ms": _elapsed_ms(started)}


def health_redis() -> Check:
    if not settings.REDIS_URL:
        return {"status": NOT_USED}
    started = time.monotonic()
    try:
        redis_client().ping()
    except redis.RedisError as error:
        return _down(_("Không kết nối được Redis."), error=error, ms=_elapsed_ms(started))
    return {"status": OK, "ms": _elapsed_ms(started)}


def health_worker() -> Check:
    """At least one Celery worker answers a broadcast ping on the broker within HEALTH_WORKER_TIMEOUT seconds."""
    if not settings.REDIS_URL:
        return {"status": NOT_USED}
    from hptracker.celery import app

    started = time.monotonic()
    try:
        # Ask Redis first: with the broker down, kombu would retry its connection instead of failing fast.
        redis_client().ping()
        with app.connection_for_write(settings.REDIS_URL) as connection:
            replies = app.control.ping(timeout=settings.HEALTH_WORKER_TIMEOUT, connection=connection)
    except (redis.RedisError, OSError) as error:
        return _down(
            _("Không hỏi được tiến trình xử lý nền (Redis không trả lời)."), error=error, ms=_elapsed_ms(started)
        )
    workers = sorted(name for reply in replies or [] for name in reply)
    if not workers:
        return _down(_("Không có tiến trình xử lý nền (Celery worker) nào trả lời."), ms=_elapsed_ms(started))
    return {"status": OK, "workers": workers, "ms": _elapsed_ms(started)}


def beat_max_age_seconds() -> float:
    """The longest acceptable silence of beat: its most frequent schedule entry's period plus a margin."""
    if settings.HEALTH_BEAT_MAX_AGE_SECONDS:
        return float(settings.HEALTH_BEAT_MAX_AGE_SECONDS)
    periods = []
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        schedule = entry["schedule"]
        if isinstance(schedule, int | float):
            periods.append(float(schedule))
        elif isinstance(schedule, datetime.timedelta):
            periods.append(schedule.total_seconds())
        elif hasattr(schedule, "run_every") and not hasattr(schedule, "hour"):  # celery.schedules.schedule
            periods.append(schedule.run_every.total_seconds())
    return (min(periods) if periods else 3600.0) + settings.HEALTH_BEAT_GRACE_SECONDS


def health_beat() -> Check:
    if not settings.REDIS_URL:
        return {"status": NOT_USED}
    limit = beat_max_age_seconds()
    try:
        last_run = beat_heartbeat_read()
    except redis.RedisError as error:
        return _down(_("Không đọc được lần chạy gần nhất của lịch (Redis không trả lời)."), error=error)
    if last_run is None:
        return _down(_("Lịch chạy định kỳ (Celery beat) chưa chạy lần nào."), max_age_seconds=limit)
    age = max(0.0, time.time() - last_run)
    measured: dict[str, Any] = {
        "last_run": datetime.datetime.fromtimestamp(last_run, tz=datetime.UTC).isoformat(),
        "age_seconds": round(age),
        "max_age_seconds": round(limit),
    }
    if age > limit:
        return _down(_("Lịch chạy định kỳ (Celery beat) đã quá lâu không chạy."), **measured)
    return {"status": OK, **measured}


def health_media() -> Check:
    """The private media folder exists, can be written, and has room for more evidence and reports."""
    root = settings.MEDIA_ROOT
    minimum = settings.HEALTH_MEDIA_MIN_FREE_BYTES
    if not os.path.isdir(root) or not os.access(root, os.W_OK):
        return _down(_("Thư mục lưu tệp không tồn tại hoặc không ghi được."), path=str(root))
    usage = shutil.disk_usage(root)
    measured = {"free_bytes": usage.free, "total_bytes": usage.total, "min_free_bytes": minimum}
    if usage.free < minimum:
        return _down(_("Thư mục lưu tệp sắp hết chỗ trống."), **measured)
    return {"status": OK, **measured}


# Work that should have started by now: (name in the answer, model, filter of what is still waiting). A model
# another part of the portal does not have (yet) is skipped.
PENDING_SOURCES: list[tuple[str, str, dict[str, Any]]] = [
    ("generated_reports", "GeneratedReport", {"status": "queued"}),
    ("dashboard_exports", "DashboardExport", {"status": "queued"}),
    # The outbox row of a task the broker has not taken yet (reports.outbox sends it, a sweep retries).
    ("outbox", "OutboxMessage", {"sent_at__isnull": True}),
]


def health_pending_jobs() -> Check:
    """Background work still waiting after HEALTH_PENDING_JOB_MAX_AGE seconds: the queue is not moving (no worker,
    broker down, or a sweep not running)."""
    limit = settings.HEALTH_PENDING_JOB_MAX_AGE
    cutoff = timezone.now() - datetime.timedelta(seconds=limit)
    counts: dict[str, int] = {}
    oldest: datetime.datetime | None = None
    try:
        for name, model_name, waiting in PENDING_SOURCES:
            try:
                model = apps.get_model("reports", model_name)
            except LookupError:
                continue
            old = model._default_manager.filter(created_at__lt=cutoff, **waiting)
            counts[name] = old.count()
            first = old.order_by("created_at").values_list("created_at", flat=True).first()
            if first is not None and (oldest is None or first < oldest):
                oldest = first
    except DatabaseError as error:
        return _down(_("Không kết nối được cơ sở dữ liệu."), error=error)
    count = sum(counts.values())
    if count and oldest is not None:
        age = round((timezone.now() - oldest).total_seconds())
        return _down(
            _("Có việc nền chờ xử lý quá lâu."),
            count=count,
            by_kind=counts,
            oldest_age_seconds=age,
            max_age_seconds=limit,
        )
    return {"status": OK, "count": 0, "by_kind": counts, "max_age_seconds": limit}


FULL_CHECKS: dict[str, Callable[[], Check]] = {
    "database": health_database,
    "redis": health_redis,
    "worker": health_worker,
    "beat": health_beat,
    "media": health_media,
    "pending_jobs": health_pending_jobs,
}


def health_report(*, checks: dict[str, Callable[[], Check]]) -> tuple[bool, dict[str, Any]]:
    """Runs every check; returns (healthy, the JSON body). One check failing never hides the others."""
    results = {name: check() for name, check in checks.items()}
    healthy = all(result["status"] != DOWN for result in results.values())
    return healthy, {"status": OK if healthy else DOWN, "checks": results}
