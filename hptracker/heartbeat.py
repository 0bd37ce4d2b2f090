"""Celery beat's heartbeat: a timestamp in Redis that the health check reads.

Beat writes it when it starts and each time it sends a scheduled task, so the value is "beat's last run". It lives
in Redis itself (not in the Django cache, not in PostgreSQL) because beat already depends on Redis to send anything:
a beat that cannot reach Redis has not run, whatever its process says. Only the beat process writes: the signal
handlers check a flag set by `beat_init`, so a web or worker process that sends a task writes nothing.
"""

from __future__ import annotations

import time

import redis
from celery.signals import after_task_publish, beat_init
from django.conf import settings

BEAT_HEARTBEAT_KEY = "hptracker:health:beat"
# Short timeouts: a heartbeat that cannot be written must never hold beat back from sending the next task.
REDIS_TIMEOUT_SECONDS = 2.0

_in_beat_process = False


def redis_client(*, url: str | None = None) -> redis.Redis:
    return redis.Redis.from_url(
        url or settings.REDIS_URL, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )


def beat_heartbeat_write(*, at: float | None = None) -> None:
    if settings.REDIS_URL:
        redis_client().set(BEAT_HEARTBEAT_KEY, repr(at if at is not None else time.time()))


def beat_heartbeat_read() -> float | None:
    """The time (seconds since the epoch) of beat's last run, None when beat never ran. Raises on Redis errors."""
    value = redis_client().get(BEAT_HEARTBEAT_KEY)
    return float(value) if value is not None else None


@beat_init.connect
def _beat_started(sender=None, **kwargs) -> None:
    global _in_beat_process
    _in_beat_process = True
    # A beat that has just started sends its first interval task only after one period: say it is alive now.
    _safe_write()


@after_task_publish.connect
def _beat_sent_a_task(sender=None, **kwargs) -> None:
    if _in_beat_process:
        _safe_write()


def _safe_write() -> None:
    try:
        beat_heartbeat_write()
    except redis.RedisError:
        # The health check will report the stale heartbeat; beat itself goes on.
        pass
