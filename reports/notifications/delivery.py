"""Mailing workflow notifications, claim before send, like the reminders; the claim, the connection and the
settling of rows are shared with them (`reports.mailing`).

`notification_mail_flush` steps:
1. A claim older than NOTIFICATION_CLAIM_TIMEOUT_SECONDS (a worker killed between claiming and sending) is given
   up: marked failed, never re-sent automatically, since the mail may already have gone.
2. The people due a mail: a pending notice older than the digest window, or a failed one whose retry time came.
3. In batches of PEOPLE_PER_BATCH people, one conditional UPDATE moves their pending (and due failed) rows to
   "claimed" with the batch's token; of two flushes, only the one whose UPDATE matched a row sends it. Each person
   gets one mail listing every notice claimed for them (a digest when there are several), in their language.
4. Over one connection per batch, each person's mail fails on its own: any error at all (SMTP, network, a
   misconfigured backend, a template) marks that person's rows failed with a retry time that backs off
   (NOTIFICATION_RETRY_SECONDS × 4ⁿ), at most NOTIFICATION_MAX_ATTEMPTS times. The batch's rows are then marked
   sent or failed in one UPDATE.
"""

from __future__ import annotations

import datetime
import functools
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from agencies.names import full_name
from reports import mailing
from reports.models import Notification, NotificationMail, NotificationSettings
from reports.notifications.texts import notification_title

logger = logging.getLogger("reports.notifications")
Mail = NotificationMail
COLUMNS = mailing.MailColumns(
    status="mail_status",
    claimed_by="mail_claimed_by",
    claimed_at="mail_claimed_at",
    attempts="mail_attempts",
    next_attempt="mail_next_attempt_at",
    sent_at="mail_sent_at",
    error="mail_error",
)
PEOPLE_PER_BATCH = 200


@dataclass
class FlushResult:
    mails: int = 0
    notices: int = 0
    failed: int = 0
    given_up: int = 0


def _retry_due(now: datetime.datetime) -> Q:
    return mailing.retry_due(COLUMNS, now=now, max_attempts=settings.NOTIFICATION_MAX_ATTEMPTS)


def _due_user_ids(now: datetime.datetime, user_ids: list[int] | None) -> list[int]:
    window = now - datetime.timedelta(seconds=settings.NOTIFICATION_DIGEST_SECONDS)
    rows = Notification.objects.filter(Q(mail_status=Mail.PENDING) | _retry_due(now))
    if user_ids is not None:
        rows = rows.filter(user_id__in=user_ids)
    oldest = rows.values("user_id").annotate(first=Min("created_at"))
    due = {r["user_id"] for r in oldest if r["first"] <= window}
    due |= set(rows.filter(_retry_due(now)).values_list("user_id", flat=True))
    return sorted(due)


def notification_mail_flush(*, now: datetime.datetime | None = None, user_ids: list[int] | None = None) -> FlushResult:
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS)
    result = FlushResult(given_up=mailing.give_up_stale_claims(Notification.objects.all(), COLUMNS, cutoff=cutoff))
    for batch in mailing.batches(_due_user_ids(now, user_ids), PEOPLE_PER_BATCH):
        _flush_batch(batch, now, result)
    return result


def _flush_batch(user_ids: list[int], now: datetime.datetime, result: FlushResult) -> None:
    token = str(uuid.uuid4())
    mine = Notification.objects.filter(Q(mail_status=Mail.PENDING) | _retry_due(now), user_id__in=user_ids)
    if not mailing.take(mine, COLUMNS, token=token, now=now):
        return  # another flush took them a moment ago
    held = mailing.held_by(Notification.objects.all(), COLUMNS, token=token)
    rows = list(
        held.select_related("user", "submission__agency", "submission__cycle").order_by("user_id", "created_at", "pk")
    )
    languages = dict(
        NotificationSettings.objects.filter(user_id__in={r.user_id for r in rows}).values_list("user_id", "language")
    )
    by_person: dict[int, list[Notification]] = defaultdict(list)
    for row in rows:
        by_person[row.user_id].append(row)
    with mailing.Mailer() as mailer:
        for user_id, notices in by_person.items():
            language = languages.get(user_id) or settings.LANGUAGE_CODE
            outcome = mailer.send(functools.partial(_message, notices, language))
            if outcome.sent:
                sent_at = timezone.now()
                for row in notices:
                    mailing.record_sent(row, COLUMNS, at=sent_at, note=outcome.error)
                result.mails += 1
                result.notices += len(notices)
                continue
            for row in notices:
                # 1st retry after NOTIFICATION_RETRY_SECONDS, then ×4 each time.
                delay = settings.NOTIFICATION_RETRY_SECONDS * 4 ** getattr(row, COLUMNS.attempts)
                retry_at = now + datetime.timedelta(seconds=delay)
                mailing.record_failed(
                    row,
                    COLUMNS,
                    error=outcome.error,
                    retry_at=retry_at,
                    max_attempts=settings.NOTIFICATION_MAX_ATTEMPTS,
                )
            result.failed += len(notices)
            logger.warning("notification mail to user %s failed: %s", user_id, outcome.error)
    mailing.settle(held, rows, COLUMNS.outcome)


def _message(rows: list[Notification], language: str) -> EmailMultiAlternatives:
    user = rows[0].user
    base = settings.PORTAL_BASE_URL.rstrip("/")
    with translation.override(language):
        items = []
        for row in rows:
            title = notification_title(row)
            items.append(
                {
                    "title": title,
                    "body": row.body,
                    "url": base + row.url if row.url.startswith("/") else row.url,
                    "at": timezone.localtime(row.created_at),
                }
            )
        context = {
            "name": full_name(user),
            "items": items,
            "count": len(items),
            "profile_url": base + _profile_path(),
        }
        subject = " ".join(render_to_string("emails/notification_subject.txt", context).split())
        text = render_to_string("emails/notification.txt", context)
        html = render_to_string("emails/notification.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to=[user.email.strip()])
    message.attach_alternative(html, "text/html")
    return message


def _profile_path() -> str:
    return reverse("reports:notification_settings")
