"""Mailing workflow notifications, claim before send, like the reminders (reports/reminders/delivery.py).

`notification_mail_flush` steps:
1. A claim older than NOTIFICATION_CLAIM_TIMEOUT_SECONDS (a worker killed between claiming and sending) is given
   up: marked failed, never re-sent automatically, since the mail may already have gone.
2. The people due a mail: a pending notice older than the digest window, or a failed one whose retry time came.
3. Per person, one conditional UPDATE moves their pending (and due failed) rows to "claimed" with this flush's
   token; of two flushes, only the one whose UPDATE matched sends. One mail lists every claimed notice (a digest
   when there are several), in the reader's language.
4. Sent: rows marked sent. Any error at all (SMTP, network, a misconfigured backend, a template): rows marked
   failed with a retry time that backs off (NOTIFICATION_RETRY_SECONDS × 4ⁿ), at most NOTIFICATION_MAX_ATTEMPTS
   times; the flush goes on to the next person.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from agencies.names import full_name
from reports.models import Notification, NotificationMail, NotificationSettings
from reports.notifications.texts import notification_title

logger = logging.getLogger("reports.notifications")
Mail = NotificationMail


@dataclass
class FlushResult:
    mails: int = 0
    notices: int = 0
    failed: int = 0
    given_up: int = 0


def _give_up_stale_claims(now: datetime.datetime) -> int:
    cutoff = now - datetime.timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS)
    return Notification.objects.filter(mail_status=Mail.CLAIMED, mail_claimed_at__lt=cutoff).update(
        mail_status=Mail.FAILED,
        mail_next_attempt_at=None,
        mail_error="Lượt gửi bị gián đoạn, không rõ thư đã đi hay chưa; không tự gửi lại.",
    )


def _retry_due(now: datetime.datetime) -> Q:
    return Q(
        mail_status=Mail.FAILED,
        mail_next_attempt_at__isnull=False,
        mail_next_attempt_at__lte=now,
        mail_attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS,
    )


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
    result = FlushResult(given_up=_give_up_stale_claims(now))
    for user_id in _due_user_ids(now, user_ids):
        token = str(uuid.uuid4())
        claimed = Notification.objects.filter(Q(mail_status=Mail.PENDING) | _retry_due(now), user_id=user_id).update(
            mail_status=Mail.CLAIMED, mail_claimed_by=token, mail_claimed_at=now
        )
        if not claimed:
            continue  # another flush took them a moment ago
        rows = list(
            Notification.objects.filter(mail_claimed_by=token, mail_status=Mail.CLAIMED)
            .select_related("user", "submission__agency", "submission__cycle")
            .order_by("created_at", "pk")
        )
        try:
            _send(rows)
        except Exception as error:  # noqa: BLE001 - any failure of one mail must not stop the others
            _mark_failed(token, now, f"{type(error).__name__}: {error}")
            result.failed += len(rows)
            logger.warning("notification mail to user %s failed: %s", user_id, error)
            continue
        Notification.objects.filter(mail_claimed_by=token, mail_status=Mail.CLAIMED).update(
            mail_status=Mail.SENT,
            mail_sent_at=timezone.now(),
            mail_attempts=F("mail_attempts") + 1,
            mail_next_attempt_at=None,
            mail_error="",
        )
        result.mails += 1
        result.notices += len(rows)
    return result


def _mark_failed(token: str, now: datetime.datetime, error: str) -> None:
    rows = Notification.objects.filter(mail_claimed_by=token, mail_status=Mail.CLAIMED)
    for row in rows.only("pk", "mail_attempts"):
        attempts = row.mail_attempts + 1
        retry = None
        if attempts < settings.NOTIFICATION_MAX_ATTEMPTS:
            retry = now + datetime.timedelta(seconds=settings.NOTIFICATION_RETRY_SECONDS * 4 ** (attempts - 1))
        Notification.objects.filter(pk=row.pk, mail_claimed_by=token).update(
            mail_status=Mail.FAILED, mail_attempts=attempts, mail_next_attempt_at=retry, mail_error=error[:2000]
        )


def _language_of(user) -> str:
    found = NotificationSettings.objects.filter(user=user).values_list("language", flat=True).first()
    return found or settings.LANGUAGE_CODE


def _send(rows: list[Notification]) -> None:
    user = rows[0].user
    base = settings.PORTAL_BASE_URL.rstrip("/")
    with translation.override(_language_of(user)):
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
    message.send(fail_silently=False)


def _profile_path() -> str:
    return reverse("reports:notification_settings")
