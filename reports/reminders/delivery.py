"""Claiming reminder rows and sending the digests. Called by `scan_reminders`; see its docstring for the steps.

The unit of sending is the agency: one digest to its people (`digests`), so each person gets one mail per scan
that lists everything their agency owes. The agency is also the unit of state: its ReminderDelivery rows are sent,
failed or skipped together, so a retry never re-sends to someone who already got the mail.

The claimed rows are delivered in batches of DIGESTS_PER_BATCH digests, each with the same number of queries
whatever its size (`_deliver_batch`): the scan of 10,000 agencies costs a handful of queries per batch, not two
per digest. Claiming, one connection per batch, and settling the rows are shared with workflow notifications
(`reports.mailing`).
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agencies.models import in_name_order
from reports import mailing
from reports.models import (
    CycleDeadline,
    CycleStatus,
    Notification,
    NotificationKind,
    ReminderDelivery,
    ReminderDeliveryStatus,
    Submission,
)
from reports.reminders.digests import (
    addressees,
    digest_items,
    digest_message,
    notice_body,
    notice_url,
    people_of,
    reviewers_of,
    unique,
)
from reports.reminders.links import issued_consolidated_cycles, report_links
from reports.reminders.planning import DONE_STATUSES, PlannedReminder, ScanResult
from reports.reminders.workdays import WorkCalendar

logger = logging.getLogger("reports.reminders")
Status = ReminderDeliveryStatus
COLUMNS = mailing.MailColumns(
    status="status",
    claimed_by="claimed_by",
    claimed_at="claimed_at",
    attempts="attempts",
    next_attempt="next_attempt_on",
    sent_at="sent_at",
    error="error",
)
# Large enough that a city's scan is one batch, small enough that a batch's IN lists and its one UPDATE stay cheap.
DIGESTS_PER_BATCH = 200
NO_ADDRESS = "Đơn vị chưa có tài khoản cán bộ hoặc lãnh đạo có địa chỉ thư điện tử."


def claim(*, planned: list[PlannedReminder], token: str, today: datetime.date) -> list[ReminderDelivery]:
    """Make this scan the only owner of the rows it will send, and return them.

    New reminders: INSERT … ON CONFLICT DO NOTHING. Of two scans inserting the same (cycle, rule, agency,
    offset), PostgreSQL lets exactly one insert; the other's row is silently dropped, and re-selecting by token
    finds only what this scan inserted. Retries: one conditional UPDATE from failed to claimed; a concurrent
    scan's UPDATE waits on the row lock, re-reads the row, no longer sees it failed, and leaves it.
    """
    # A scan killed between claiming and sending leaves rows "claimed" for ever. After the timeout they are shown
    # as failed, without an automatic retry: the mail may have gone, and sending twice is what this prevents.
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    mailing.give_up_stale_claims(ReminderDelivery.objects.all(), COLUMNS, cutoff=cutoff)
    ReminderDelivery.objects.bulk_create(
        [
            ReminderDelivery(
                cycle_id=p.owed.cycle_id,
                rule_id=p.owed.rule_id,
                agency_id=p.owed.agency_id,
                offset_key=p.slot.offset_key,
                planned_for=p.slot.planned_for,
                status=Status.CLAIMED,
                claimed_by=token,
            )
            for p in planned
        ],
        ignore_conflicts=True,
    )
    due = mailing.retry_due(COLUMNS, now=today, max_attempts=settings.REMINDER_MAX_ATTEMPTS)
    retries = ReminderDelivery.objects.filter(due, cycle__status=CycleStatus.OPEN)
    mailing.take(retries, COLUMNS, token=token, now=timezone.now())
    return list(
        mailing.held_by(ReminderDelivery.objects.all(), COLUMNS, token=token)
        .select_related("agency", "rule", "cycle")
        .order_by(*in_name_order("agency__"), "rule_id", "planned_for")
    )


def deliver_claimed(
    *, rows: list[ReminderDelivery], token: str, today: datetime.date, calendar: WorkCalendar, result: ScanResult
) -> None:
    # The consolidated report is the consolidator's reviewers' work, not its staff's: a digest of its own.
    digests: dict[tuple[int, bool], list[ReminderDelivery]] = defaultdict(list)
    for row in rows:
        digests[(row.agency_id, row.rule.consolidates)].append(row)
    for batch in mailing.batches(digests.values(), DIGESTS_PER_BATCH):
        _deliver_batch(batch, token=token, today=today, calendar=calendar, result=result)


def _deliver_batch(
    digests: list[list[ReminderDelivery]],
    *,
    token: str,
    today: datetime.date,
    calendar: WorkCalendar,
    result: ScanResult,
) -> None:
    """One batch of digests, in a fixed number of queries whatever its size. Steps:

    1. Load the batch's submissions once: a report sent since planning (or since a failed attempt) is skipped,
       not reminded, and the others link to their report or to the page where it is started.
    2. Load the deadlines and the people of every agency of the batch.
    3. Send each digest over one connection; a failure marks that agency's rows failed and the loop carries on.
    4. Write every row's outcome in one UPDATE and the in-portal notices in one INSERT, in one transaction.
    """
    rows = [row for digest in digests for row in digest]
    cycle_ids, agency_ids = {r.cycle_id for r in rows}, {r.agency_id for r in rows}
    done: set[tuple[int, int, int]] = set()
    existing: dict[tuple[int, int, int], int] = {}
    for s in Submission.objects.filter(cycle_id__in=cycle_ids, agency_id__in=agency_ids).only(
        "pk", "cycle_id", "rule_id", "agency_id", "status"
    ):
        existing[(s.cycle_id, s.rule_id, s.agency_id)] = s.pk
        if s.status in DONE_STATUSES:
            done.add((s.cycle_id, s.rule_id, s.agency_id))
    issued = issued_consolidated_cycles({r.cycle_id for r in rows if r.rule.consolidates})
    settled: list[ReminderDelivery] = []
    for row in rows:
        if (row.cycle_id, row.rule_id, row.agency_id) in done or (row.rule.consolidates and row.cycle_id in issued):
            row.status, row.attempts = Status.SKIPPED, row.attempts + 1
            settled.append(row)
            result.skipped += 1
    digests = [kept for digest in digests if (kept := [r for r in digest if r.status == Status.CLAIMED])]
    rows = [row for digest in digests for row in digest]

    deadlines = {
        (d.cycle_id, d.rule_id): d
        for d in CycleDeadline.objects.filter(cycle_id__in=cycle_ids, rule_id__in={r.rule_id for r in rows})
    }
    people = people_of({r.agency_id for r in rows if not r.rule.consolidates})
    consolidators = reviewers_of({r.agency_id for r in rows if r.rule.consolidates})
    links = report_links(rows, existing=existing)
    notices: list[Notification] = []
    with mailing.Mailer() as mailer:
        for digest in digests:
            agency = digest[0].agency
            items = digest_items(digest, deadlines, today, calendar, links)
            if not items:
                continue  # never an empty mail
            everyone = (consolidators if digest[0].rule.consolidates else people).get(agency.pk, [])
            to, cc = addressees(everyone, any(i.overdue for i in items))
            to = unique(to)
            cc = unique(cc, exclude={p.email.lower() for p in to})
            settled += digest
            if not to:
                _record_failed(digest, today, calendar, NO_ADDRESS, result, level=logging.INFO)
                continue
            outcome = mailer.send(functools.partial(digest_message, agency, items, to, cc))
            if not outcome.sent or outcome.message is None:
                _record_failed(digest, today, calendar, outcome.error, result)
                continue
            # The addresses it went to: refused ones dropped, cc moved up when no "to" was left.
            by_email = {p.email.lower(): p for p in to + cc}
            to = [by_email[a.lower()] for a in outcome.message.to]
            cc = [by_email[a.lower()] for a in outcome.message.cc]
            recipients = [{"email": p.email, "kind": "to"} for p in to] + [{"email": p.email, "kind": "cc"} for p in cc]
            sent_at = timezone.now()
            for row in digest:
                mailing.record_sent(row, COLUMNS, at=sent_at, note=outcome.error)
                row.recipients = recipients
            notices += [
                Notification(
                    user_id=p.user_id,
                    kind=NotificationKind.REMINDER,
                    subject=outcome.message.subject[:255],
                    body=notice_body(items),
                    url=notice_url(items),
                )
                for p in unique(to + cc)
            ]
            result.digests += 1
            result.sent += len(digest)
            logger.info(
                "reminder digest to agency %s: %d reminders, to=%s cc=%s",
                agency.pk,
                len(digest),
                [p.email for p in to],
                [p.email for p in cc],
            )
    with transaction.atomic():
        held = mailing.held_by(ReminderDelivery.objects.all(), COLUMNS, token=token)
        written = mailing.settle(held, settled, [*COLUMNS.outcome, "recipients"])
        Notification.objects.bulk_create(notices)
    if written != len(settled):
        logger.warning(
            "reminder scan %s: %d of %d rows were no longer held", token, len(settled) - written, len(settled)
        )


def _record_failed(
    digest: list[ReminderDelivery],
    today: datetime.date,
    calendar: WorkCalendar,
    error: str,
    result: ScanResult,
    *,
    level: int = logging.WARNING,
) -> None:
    """Push the agency's rows to a later working day, backing off (1, 2, 4 … working days by attempt); after
    REMINDER_MAX_ATTEMPTS they stay failed, shown in the log, instead of being retried for ever."""
    attempts = max((r.attempts for r in digest), default=0)
    retry_on = calendar.add_working_days(today, 2**attempts)
    for row in digest:
        mailing.record_failed(row, COLUMNS, error=error, retry_at=retry_on, max_attempts=settings.REMINDER_MAX_ATTEMPTS)
    result.failed += len(digest)
    logger.log(level, "reminder digest to agency %s failed: %s", digest[0].agency_id, error)
