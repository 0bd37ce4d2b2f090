"""Celery adapters for workflow notification mail: take plain values, call one service."""

from __future__ import annotations

from celery import shared_task

from reports.notifications.delivery import notification_mail_flush


# Idempotent (claim before send), so acks_late is safe: a redelivered message finds the rows already sent.
@shared_task(acks_late=True, ignore_result=True)
def send_notification_mail(user_id: int) -> dict:
    """Queued after the commit of an event, `NOTIFICATION_DIGEST_SECONDS` later: one mail with what arrived."""
    return vars(notification_mail_flush(user_ids=[user_id]))


@shared_task(acks_late=True, ignore_result=True)
def flush_notification_mail() -> dict:
    """Beat's sweep: retries that came due, and any mail whose queued task was lost."""
    return vars(notification_mail_flush())
