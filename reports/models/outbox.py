"""The transactional outbox: background work a request asked for, committed with the request's own rows.

Queueing a Celery task straight from a request ties the request to the broker: with Redis down the request fails
after its rows were committed, or the rows commit and the task is lost. A row here commits (or rolls back) with
the request; reports.outbox sends it to the broker after commit and again from a sweep until the broker takes it.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Not to run before this time (a mail digest's window); sent early, the worker holds it until then.
    eta = models.DateTimeField(null=True, blank=True)
    # Null while the broker has not taken the message: what the sweep looks for.
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            # The sweep's query: pending messages, oldest first. Sent rows are most rows and never read by it.
            models.Index(fields=["created_at"], name="outbox_pending_idx", condition=models.Q(sent_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"

    @property
    def is_pending(self) -> bool:
        return self.sent_at is None
