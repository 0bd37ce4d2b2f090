"""Mail sent after a claim: the part that deadline reminders (`reports.reminders.delivery`) and workflow
notifications (`reports.notifications.delivery`) share.

1. Claim: a run writes its token on the rows before any mail goes out (`take`, or the reminders' INSERT … ON
   CONFLICT DO NOTHING); only rows carrying the token are sent (`held_by`), so two runs never send a row twice.
2. Send a batch over one connection to the mail server (`Mailer`); each message fails on its own, and addresses
   the server refuses are dropped so the others still get the mail, once.
3. Settle: each row's outcome is set on the instance (`record_sent`, `record_failed`) and the batch is written in
   one UPDATE, only where the row still carries the token (`settle`).
4. A claim older than the run's timeout (a worker killed between claiming and sending) is given up: failed and
   never re-sent automatically, since the mail may already have gone (`give_up_stale_claims`).

What stays in each sender: what is claimed (reminders insert their rows, notices exist already), the unit of a
mail (an agency's digest, a person's notices), its text, and the retry schedule (working days for reminders, minutes
for notices).
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from types import TracebackType
from typing import Any, TypeVar

from django.core.mail import EmailMessage, get_connection
from django.db.models import Model, Q, QuerySet

logger = logging.getLogger("reports.mailing")
CLAIMED, SENT, FAILED = "claimed", "sent", "failed"
GIVEN_UP = "Lượt gửi bị gián đoạn, không rõ thư đã đi hay chưa; không tự gửi lại."
ERROR_MAX_LENGTH = 2000
T = TypeVar("T")


@dataclass(frozen=True)
class MailColumns:
    """Where a model keeps the state of its mail: the same state, under each model's own column names."""

    status: str
    claimed_by: str
    claimed_at: str
    attempts: str
    next_attempt: str
    sent_at: str
    error: str

    @property
    def outcome(self) -> list[str]:
        """The columns `settle` writes."""
        return [self.status, self.sent_at, self.attempts, self.next_attempt, self.error]


def batches(items: Iterable[T], size: int) -> Iterable[list[T]]:
    found = iter(items)
    while batch := list(islice(found, size)):
        yield batch


def retry_due(columns: MailColumns, *, now: datetime.date | datetime.datetime, max_attempts: int) -> Q:
    """Failed rows whose retry time has come and that have attempts left."""
    return Q(
        **{
            columns.status: FAILED,
            f"{columns.next_attempt}__isnull": False,
            f"{columns.next_attempt}__lte": now,
            f"{columns.attempts}__lt": max_attempts,
        }
    )


def take(rows: QuerySet, columns: MailColumns, *, token: str, now: datetime.datetime) -> int:
    """The conditional UPDATE of a claim: `rows` says which state may be taken. Of two runs, PostgreSQL lets the
    second wait on the row lock, re-read the row, find it no longer matching, and leave it."""
    return rows.update(**{columns.status: CLAIMED, columns.claimed_by: token, columns.claimed_at: now})


def held_by(rows: QuerySet, columns: MailColumns, *, token: str) -> QuerySet:
    """The rows this run claimed and has not yet settled."""
    return rows.filter(**{columns.claimed_by: token, columns.status: CLAIMED})


def give_up_stale_claims(rows: QuerySet, columns: MailColumns, *, cutoff: datetime.datetime) -> int:
    return rows.filter(**{columns.status: CLAIMED, f"{columns.claimed_at}__lt": cutoff}).update(
        **{columns.status: FAILED, columns.next_attempt: None, columns.error: GIVEN_UP}
    )


def record_sent(row: Model, columns: MailColumns, *, at: datetime.datetime, note: str = "") -> None:
    """`note`: what went wrong although the mail went (addresses the server refused)."""
    setattr(row, columns.status, SENT)
    setattr(row, columns.sent_at, at)
    setattr(row, columns.attempts, getattr(row, columns.attempts) + 1)
    setattr(row, columns.next_attempt, None)
    setattr(row, columns.error, note[:ERROR_MAX_LENGTH])


def record_failed(
    row: Model,
    columns: MailColumns,
    *,
    error: str,
    retry_at: datetime.date | datetime.datetime | None,
    max_attempts: int,
) -> None:
    """Failed, to be tried again at `retry_at`; after `max_attempts` the row stays failed for a person to see,
    instead of being retried for ever."""
    attempts = getattr(row, columns.attempts) + 1
    setattr(row, columns.status, FAILED)
    setattr(row, columns.attempts, attempts)
    setattr(row, columns.next_attempt, retry_at if attempts < max_attempts else None)
    setattr(row, columns.error, error[:ERROR_MAX_LENGTH])


def settle(held: QuerySet, rows: Sequence[Model], fields: Sequence[str]) -> int:
    """Write a batch's outcomes in one UPDATE (CASE per row), only on rows `held` still selects (this run's
    token, still claimed). Returns the number of rows written."""
    if not rows:
        return 0
    return held.bulk_update(rows, list(fields))


def refused_text(refused: dict[str, Any]) -> str:
    return "Máy chủ thư từ chối: " + ", ".join(f"{addr} ({reason})" for addr, reason in refused.items())


@dataclass
class Outcome:
    """What became of one message. `message` holds the addresses it actually went to (refused ones dropped);
    `error` says why it failed, or, when it went, which addresses were refused."""

    sent: bool
    message: EmailMessage | None = None
    error: str = ""
    refused: dict[str, Any] = field(default_factory=dict)


class Mailer:
    """One connection to the mail server for a batch of messages, opened on the first message. A message that
    fails is that message's outcome and the batch goes on; after an error other than refused addresses the
    connection may be broken, so it is closed and the next message opens a new one."""

    def __init__(self) -> None:
        self._backend = get_connection(fail_silently=False)
        self._open = False

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._close()

    def send(self, compose: Callable[[], EmailMessage]) -> Outcome:
        """`compose` builds the message; a template error fails that message only, like a server error."""
        try:
            message = compose()
        except Exception as error:  # noqa: BLE001 - one message's failure never stops the batch
            return Outcome(sent=False, error=f"{type(error).__name__}: {error}")
        try:
            self._deliver(message)
        except smtplib.SMTPRecipientsRefused as refusal:
            return self._send_to_the_others(message, refusal)
        except Exception as error:  # noqa: BLE001 - a misconfigured backend, the network: mark, go on
            self._close()
            return Outcome(sent=False, message=message, error=f"{type(error).__name__}: {error}")
        return Outcome(sent=True, message=message)

    def _send_to_the_others(self, message: EmailMessage, refusal: smtplib.SMTPRecipientsRefused) -> Outcome:
        """Some addresses were refused: the others must still get the message, once. Without anyone left in
        "to", the cc move up; without anyone at all, the message failed."""
        refused = {addr.lower(): reason for addr, reason in refusal.recipients.items()}
        message.to = [a for a in message.to if a.lower() not in refused]
        message.cc = [a for a in message.cc if a.lower() not in refused]
        if not message.to:
            message.to, message.cc = message.cc, []
        if not message.to:
            return Outcome(sent=False, message=message, error=refused_text(refused), refused=refused)
        try:
            self._deliver(message)
        except Exception as again:  # noqa: BLE001 - as in `send`
            self._close()
            return Outcome(sent=False, message=message, error=f"{refused_text(refused)} {again}", refused=refused)
        return Outcome(sent=True, message=message, error=refused_text(refused), refused=refused)

    def _deliver(self, message: EmailMessage) -> None:
        if not self._open:
            self._backend.open()
            self._open = True
        self._backend.send_messages([message])

    def _close(self) -> None:
        self._open = False
        try:
            self._backend.close()
        except Exception:  # noqa: BLE001 - a connection that cannot even say goodbye is already gone
            logger.warning("closing the mail connection failed", exc_info=True)
