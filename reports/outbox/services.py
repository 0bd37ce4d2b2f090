"""Queue background work without tying a request to the broker (the transactional outbox).

`outbox_enqueue` writes a row inside the caller's transaction and asks for a dispatch once it commits. The
dispatch hands pending rows to Celery; if the broker is down the row simply stays pending (the request never sees
the error) and the sweep, woken by beat every minute, sends it when the broker is back. Every task sent this way
must be idempotent, since a message may go twice: the broker took it but the row was not marked before a crash.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from celery import current_app
from django.db import transaction
from django.utils import timezone

from reports.models import OutboxMessage

logger = logging.getLogger(__name__)

# A broker that does not answer within this many seconds counts as down: a request waits no longer than that.
BROKER_CONNECT_TIMEOUT_SECONDS = 2
SWEEP_BATCH = 200


def outbox_enqueue(
    *,
    task_name: str,
    args: Iterable[Any] = (),
    kwargs: dict[str, Any] | None = None,
    countdown: float | None = None,
) -> OutboxMessage:
    """Record that `task_name(*args, **kwargs)` must run (not before `countdown` seconds from now), in the
    caller's transaction, and send it after commit.

    Arguments must be JSON values (primary keys, ISO dates), as for any Celery task. Call this where `.delay()`
    or `.apply_async(countdown=…)` would have been called; it never raises because of the broker."""
    (message,) = outbox_enqueue_many(task_name=task_name, calls=[list(args)], kwargs=kwargs, countdown=countdown)
    return message


def outbox_enqueue_many(
    *,
    task_name: str,
    calls: Iterable[list[Any]],
    kwargs: dict[str, Any] | None = None,
    countdown: float | None = None,
) -> list[OutboxMessage]:
    """`outbox_enqueue` of the same task for each argument list of `calls`: one INSERT, one dispatch after commit
    (a cycle locked tells a hundred people at once)."""
    eta = timezone.now() + datetime.timedelta(seconds=countdown) if countdown else None
    messages = OutboxMessage.objects.bulk_create(
        [OutboxMessage(task_name=task_name, args=list(args), kwargs=dict(kwargs or {}), eta=eta) for args in calls]
    )
    if messages:
        ids = [message.pk for message in messages]
        transaction.on_commit(lambda: outbox_dispatch(ids=ids))
    return messages


def outbox_is_pending(*, task_name: str, args: Iterable[Any]) -> bool:
    """Whether work of this kind for these arguments waits for the broker: the pages say so instead of failing."""
    return OutboxMessage.objects.filter(task_name=task_name, args=list(args), sent_at__isnull=True).exists()


def _publish(message: OutboxMessage) -> None:
    app = current_app
    if app.conf.task_always_eager:
        # No broker (make run): the task runs here, as `.delay()` would run it.
        app.loader.import_default_modules()
        app.tasks[message.task_name].apply(args=message.args, kwargs=message.kwargs)
        return
    # A fresh connection with a short timeout and no publish retries: the caller (a request, or the sweep)
    # must learn quickly that the broker is down; the row stays pending and the next sweep tries again.
    with app.connection_for_write(connect_timeout=BROKER_CONNECT_TIMEOUT_SECONDS) as connection:
        eta = message.eta if message.eta and message.eta > timezone.now() else None
        app.send_task(
            message.task_name, args=message.args, kwargs=message.kwargs, eta=eta, connection=connection, retry=False
        )


def outbox_dispatch(*, ids: Iterable[int] | None = None, limit: int = SWEEP_BATCH) -> dict[str, int]:
    """Send pending messages (the given ones, or the oldest `limit`), each under a row lock so that two
    dispatchers (the on-commit one and the sweep) never send one message twice. Stops at the first broker error:
    the rest would fail the same way. Returns counts; never raises."""
    sent = failed = 0
    pending = OutboxMessage.objects.filter(sent_at__isnull=True).order_by("created_at", "pk")
    if ids is not None:
        pending = pending.filter(pk__in=list(ids))
    for pk in list(pending.values_list("pk", flat=True)[:limit]):
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
                if message is None or message.sent_at is not None:
                    continue  # another dispatcher has it, or sent it
                message.attempts += 1
                message.last_attempt_at = timezone.now()
                try:
                    _publish(message)
                except Exception as error:  # the broker down, or its connection lost: try again at the sweep
                    message.last_error = f"{type(error).__name__}: {error}"[:2000]
                    message.save(update_fields=["attempts", "last_attempt_at", "last_error"])
                    failed += 1
                    logger.warning("outbox: %s not sent (%s); the sweep retries", message, message.last_error)
                    break
                message.sent_at = message.last_attempt_at
                message.last_error = ""
                message.save(update_fields=["attempts", "last_attempt_at", "last_error", "sent_at"])
                sent += 1
        except Exception:  # the database itself: the request that queued must still not fail
            logger.exception("outbox: dispatch of message %s failed", pk)
            failed += 1
            break
    return {"sent": sent, "failed": failed}


def outbox_purge(*, older_than_days: int = 30) -> int:
    """Sent messages are kept a while for inspection, then deleted by the sweep."""
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return deleted
