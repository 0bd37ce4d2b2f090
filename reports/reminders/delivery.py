"""Claiming reminder rows and sending the digests. Called by `scan_reminders`; see its docstring for the steps.

The unit of sending is the agency: one digest to its staff (to its heads when it has no staff), with its heads
in cc once a deadline has passed. A person belongs to one agency, so each person gets one mail per scan that
lists everything their agency owes. The agency is also the unit of state: its ReminderDelivery rows are sent,
failed or skipped together, so a retry never re-sends to someone who already got the mail.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from agencies.models import Membership, Role
from agencies.names import full_name
from reports.models import (
    CycleDeadline,
    CycleStatus,
    Notification,
    NotificationKind,
    ReminderDelivery,
    ReminderDeliveryStatus,
    Submission,
)
from reports.reminders.links import issued_consolidated_cycles, report_links
from reports.reminders.planning import DONE_STATUSES, PlannedReminder, ScanResult
from reports.reminders.workdays import WorkCalendar

logger = logging.getLogger("reports.reminders")
Status = ReminderDeliveryStatus


def claim(*, planned: list[PlannedReminder], token: str, today: datetime.date) -> list[ReminderDelivery]:
    """Make this scan the only owner of the rows it will send, and return them.

    New reminders: INSERT … ON CONFLICT DO NOTHING. Of two scans inserting the same (cycle, rule, agency,
    offset), PostgreSQL lets exactly one insert; the other's row is silently dropped, and re-selecting by token
    finds only what this scan inserted. Retries: one conditional UPDATE from failed to claimed; a concurrent
    scan's UPDATE waits on the row lock, re-reads the row, no longer sees it failed, and leaves it.
    """
    _release_stale_claims()
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
    ReminderDelivery.objects.filter(
        status=Status.FAILED,
        next_attempt_on__isnull=False,
        next_attempt_on__lte=today,
        attempts__lt=settings.REMINDER_MAX_ATTEMPTS,
        cycle__status=CycleStatus.OPEN,
    ).update(status=Status.CLAIMED, claimed_by=token, claimed_at=timezone.now())
    return list(
        ReminderDelivery.objects.filter(claimed_by=token, status=Status.CLAIMED)
        .select_related("agency", "rule", "cycle")
        .order_by("agency__name", "rule_id", "planned_for")
    )


def _release_stale_claims() -> None:
    """A scan killed between claiming and sending leaves rows "claimed" for ever. After an hour they are shown as
    failed, without an automatic retry: the mail may have gone, and sending twice is what this module prevents."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    ReminderDelivery.objects.filter(status=Status.CLAIMED, claimed_at__lt=cutoff).update(
        status=Status.FAILED,
        next_attempt_on=None,
        error="Lượt gửi bị gián đoạn, không rõ thư đã đi hay chưa; không tự gửi lại.",
    )


@dataclass(frozen=True)
class DigestItem:
    rule_title: str
    subject: str
    year: int
    due_on: datetime.date
    overdue: bool
    days_late: int
    working_days_left: int
    # Where the person acts: their report, the page where they start it, or the consolidated reports' page.
    url: str = ""


@dataclass(frozen=True)
class Person:
    user_id: int
    email: str
    name: str
    role: str


def deliver_claimed(
    *, rows: list[ReminderDelivery], token: str, today: datetime.date, calendar: WorkCalendar, result: ScanResult
) -> None:
    if not rows:
        return
    # A report may have been submitted between planning and now (or since a failed attempt): skip, don't remind.
    done = set(
        Submission.objects.filter(
            status__in=DONE_STATUSES,
            cycle_id__in={r.cycle_id for r in rows},
            agency_id__in={r.agency_id for r in rows},
        ).values_list("cycle_id", "agency_id", "rule_id")
    )
    issued = issued_consolidated_cycles({r.cycle_id for r in rows if r.rule.consolidates})
    skipped = [
        r.pk
        for r in rows
        if (r.cycle_id, r.agency_id, r.rule_id) in done or (r.rule.consolidates and r.cycle_id in issued)
    ]
    if skipped:
        result.skipped += ReminderDelivery.objects.filter(pk__in=skipped, claimed_by=token).update(
            status=Status.SKIPPED, attempts=F("attempts") + 1
        )
    rows = [r for r in rows if r.pk not in set(skipped)]

    deadlines = {
        (d.cycle_id, d.rule_id): d
        for d in CycleDeadline.objects.filter(
            cycle_id__in={r.cycle_id for r in rows}, rule_id__in={r.rule_id for r in rows}
        )
    }
    people = people_of({r.agency_id for r in rows if not r.rule.consolidates})
    consolidators = reviewers_of({r.agency_id for r in rows if r.rule.consolidates})
    links = report_links(rows)
    # The consolidated report is the consolidator's reviewers' work, not its staff's: a digest of its own.
    by_agency: dict[tuple[int, bool], list[ReminderDelivery]] = defaultdict(list)
    for row in rows:
        by_agency[(row.agency_id, row.rule.consolidates)].append(row)
    for (agency_id, consolidated), agency_rows in by_agency.items():
        items = _digest_items(agency_rows, deadlines, today, calendar, links)
        _send_digest(
            agency_rows=agency_rows,
            items=items,
            people=(consolidators if consolidated else people).get(agency_id, []),
            token=token,
            today=today,
            calendar=calendar,
            result=result,
        )


def people_of(agency_ids: set[int]) -> dict[int, list[Person]]:
    found: dict[int, list[Person]] = defaultdict(list)
    memberships = (
        Membership.objects.filter(agency_id__in=agency_ids, role__in=[Role.STAFF, Role.HEAD], user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user_id")
    )
    for m in memberships:
        if m.agency_id is not None:
            found[m.agency_id].append(Person(m.user_id, m.user.email.strip(), full_name(m.user), m.role))
    return found


def reviewers_of(agency_ids: set[int]) -> dict[int, list[Person]]:
    """The consolidator's reviewers, as the addressees ("staff") of the consolidated report's reminders."""
    found: dict[int, list[Person]] = defaultdict(list)
    memberships = (
        Membership.objects.filter(agency_id__in=agency_ids, role=Role.REVIEWER, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user_id")
    )
    for m in memberships:
        if m.agency_id is not None:
            found[m.agency_id].append(Person(m.user_id, m.user.email.strip(), full_name(m.user), Role.STAFF))
    return found


def _digest_items(
    rows: list[ReminderDelivery],
    deadlines: dict,
    today: datetime.date,
    calendar: WorkCalendar,
    links: dict[tuple[int, int, int], str] | None = None,
) -> list[DigestItem]:
    """One line per report owed; a retried older reminder and today's new one for the same report merge."""
    items: dict[tuple[int, int], DigestItem] = {}
    for row in rows:
        deadline = deadlines.get((row.cycle_id, row.rule_id))
        due_on = deadline.due_on if deadline else row.planned_for
        items[(row.cycle_id, row.rule_id)] = DigestItem(
            rule_title=row.rule.title,
            subject=row.rule.subject.replace("{year}", str(row.cycle.year)),
            year=row.cycle.year,
            due_on=due_on,
            overdue=today > due_on,
            days_late=max(0, (today - due_on).days),
            working_days_left=calendar.working_days_between(today, due_on),
            url=(links or {}).get((row.cycle_id, row.rule_id, row.agency_id), ""),
        )
    return sorted(items.values(), key=lambda i: (i.due_on, i.rule_title))


def addressees(people: list[Person], any_overdue: bool) -> tuple[list[Person], list[Person]]:
    staff = [p for p in people if p.role == Role.STAFF]
    heads = [p for p in people if p.role == Role.HEAD]
    if not staff:
        return heads, []
    return staff, (heads if any_overdue else [])


def _unique(people: list[Person], exclude: frozenset[str] | set[str] = frozenset()) -> list[Person]:
    seen, kept = set(exclude), []
    for person in people:
        if person.email.lower() not in seen:
            seen.add(person.email.lower())
            kept.append(person)
    return kept


def _render(agency, items: list[DigestItem]) -> tuple[str, str, str]:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    items = [replace(i, url=base + i.url) if i.url.startswith("/") else i for i in items]
    context = {
        "agency": agency,
        "due_soon": [i for i in items if not i.overdue],
        "overdue": [i for i in items if i.overdue],
        "count": len(items),
        "portal_url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("home"),
        "notifications_url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("reports:notifications"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("emails/reminder_digest_subject.txt", context).split())
        text = render_to_string("emails/reminder_digest.txt", context)
        html = render_to_string("emails/reminder_digest.html", context)
    return subject, text, html


def _send_digest(
    *,
    agency_rows: list[ReminderDelivery],
    items: list[DigestItem],
    people: list[Person],
    token: str,
    today: datetime.date,
    calendar: WorkCalendar,
    result: ScanResult,
) -> None:
    agency = agency_rows[0].agency
    to, cc = addressees(people, any(i.overdue for i in items))
    to = _unique(to)
    cc = _unique(cc, exclude={p.email.lower() for p in to})
    if not items:
        return  # never an empty mail
    if not to:
        _mark_failed(
            agency_rows,
            token,
            today,
            calendar,
            "Đơn vị chưa có tài khoản cán bộ hoặc lãnh đạo có địa chỉ thư điện tử.",
            result,
            level=logging.INFO,
        )
        return
    refused: dict[str, object] = {}
    try:
        subject, text, html = _render(agency, items)
        _send(subject, text, html, to, cc)
    except smtplib.SMTPRecipientsRefused as exc:
        # Some addresses were refused: the others must still get their reminder, once.
        refused = {addr.lower(): reason for addr, reason in exc.recipients.items()}
        to = [p for p in to if p.email.lower() not in refused]
        cc = [p for p in cc if p.email.lower() not in refused]
        if not to:
            to, cc = cc, []
        if not to:
            _mark_failed(agency_rows, token, today, calendar, _refused_text(refused), result)
            return
        try:
            _send(subject, text, html, to, cc)
        except Exception as again:  # noqa: BLE001 - one agency's failure never stops the scan
            _mark_failed(agency_rows, token, today, calendar, f"{_refused_text(refused)} {again}", result)
            return
    except Exception as exc:  # noqa: BLE001 - a misconfigured backend or a template error too: mark, go on
        _mark_failed(agency_rows, token, today, calendar, f"{type(exc).__name__}: {exc}", result)
        return
    _mark_sent(agency_rows, token, to, cc, subject, items, refused, result)


def _send(subject: str, text: str, html: str, to: list[Person], cc: list[Person]) -> None:
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, to=[p.email for p in to], cc=[p.email for p in cc]
    )
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)


def _relative(url: str) -> str:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return url[len(base) :] if url.startswith(base) else url


def _refused_text(refused: dict) -> str:
    return "Máy chủ thư từ chối: " + ", ".join(f"{addr} ({reason})" for addr, reason in refused.items())


def _mark_sent(rows, token, to, cc, subject, items, refused, result: ScanResult) -> None:
    recipients = [{"email": p.email, "kind": "to"} for p in to] + [{"email": p.email, "kind": "cc"} for p in cc]
    body = "\n".join(f"- {i.rule_title} — {i.due_on:%d/%m/%Y}" + (" (quá hạn)" if i.overdue else "") for i in items)
    with transaction.atomic():
        updated = ReminderDelivery.objects.filter(pk__in=[r.pk for r in rows], claimed_by=token).update(
            status=Status.SENT,
            sent_at=timezone.now(),
            recipients=recipients,
            attempts=F("attempts") + 1,
            next_attempt_on=None,
            error=_refused_text(refused) if refused else "",
        )
        Notification.objects.bulk_create(
            Notification(
                user_id=p.user_id,
                kind=NotificationKind.REMINDER,
                subject=subject[:255],
                body=body,
                url=_relative(items[0].url) if len(items) == 1 else reverse("reports:my_agency"),
            )
            for p in _unique(to + cc)
        )
    result.digests += 1
    result.sent += updated
    logger.info(
        "reminder digest to agency %s: %d reminders, to=%s cc=%s",
        rows[0].agency_id,
        updated,
        [p.email for p in to],
        [p.email for p in cc],
    )


def _mark_failed(
    rows,
    token,
    today: datetime.date,
    calendar: WorkCalendar,
    error: str,
    result: ScanResult,
    *,
    level: int = logging.WARNING,
) -> None:
    """Push the agency's rows to a later working day, backing off (1, 2, 4 … working days by attempt); after
    REMINDER_MAX_ATTEMPTS they stay failed, shown in the log, instead of being retried for ever."""
    ids = [r.pk for r in rows]
    attempts = max((r.attempts for r in rows), default=0)
    retry_on = calendar.add_working_days(today, 2**attempts)
    with transaction.atomic():
        ReminderDelivery.objects.filter(pk__in=ids, claimed_by=token).update(
            status=Status.FAILED, attempts=F("attempts") + 1, error=error[:2000], next_attempt_on=retry_on
        )
        ReminderDelivery.objects.filter(pk__in=ids, attempts__gte=settings.REMINDER_MAX_ATTEMPTS).update(
            next_attempt_on=None
        )
    result.failed += len(ids)
    logger.log(level, "reminder digest to agency %s failed: %s", rows[0].agency_id, error)
