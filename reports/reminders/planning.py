"""Deadline reminders: which reminders are due, and who still owes a report.

Planning is a pure function of the unsubmitted reports, the day and a WorkCalendar, so it is unit-tested
without a database. The scan (`services.scan_reminders`) reads who owes what from PostgreSQL, plans, claims each
reminder by writing its ReminderDelivery row, and sends one digest per agency (`delivery`).

Schedule of one deadline, in working days (`workdays`):
- "before-N" for N in settings.REMINDER_OFFSETS_BEFORE, counted back from the last working day on or before
  the deadline (a Sunday deadline is served on the Friday, and "1 before" is the Thursday);
- "due" on that last working day;
- "overdue-K" every settings.REMINDER_OVERDUE_EVERY working days after the deadline, at most
  settings.REMINDER_OVERDUE_MAX_COUNT times and never after the day entry closes.
On a given day a report gets at most one reminder: the latest slot that is due, if it fell today or within
settings.REMINDER_CATCH_UP_WORKING_DAYS working days (a beat that was down yesterday still reminds, once).
Older missed slots are not sent: two mails about the same report on the same day would be noise.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext, ngettext

from plans.models import RuleRecipient
from reports.cycles.selectors import expected_submissions
from reports.models import (
    Cycle,
    CycleStatus,
    Submission,
    SubmissionStatus,
)
from reports.reminders.links import issued_consolidated_cycles
from reports.reminders.workdays import WorkCalendar

# A returned report is not done: the agency owes it again.
DONE_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)
# A reminder's slot as stored (ReminderDelivery.offset_key, part of its unique key): "before-N", "due", "overdue-K".
BEFORE_PREFIX = "before-"
DUE_KEY = "due"
OVERDUE_PREFIX = "overdue-"


def slot_label(offset_key: str) -> str:
    """A slot's key in the reader's words ("Trước hạn 3 ngày làm việc"), for the reminder log; a key this version
    does not make is shown as stored."""
    if offset_key == DUE_KEY:
        return gettext("Ngày đến hạn")
    for prefix in (BEFORE_PREFIX, OVERDUE_PREFIX):
        number = offset_key.removeprefix(prefix)
        if number == offset_key or not number.isdigit():
            continue
        n = int(number)
        if prefix == BEFORE_PREFIX:
            return ngettext("Trước hạn %(n)d ngày làm việc", "Trước hạn %(n)d ngày làm việc", n) % {"n": n}
        return ngettext("Quá hạn %(n)d ngày làm việc", "Quá hạn %(n)d ngày làm việc", n) % {"n": n}
    return offset_key


@dataclass(frozen=True)
class Owed:
    """One report an agency has not yet sent: (cycle, rule, agency) with its deadline."""

    cycle_id: int
    rule_id: int
    agency_id: int
    due_on: datetime.date
    entry_closes_on: datetime.date | None = None


@dataclass(frozen=True)
class ReminderSlot:
    offset_key: str
    planned_for: datetime.date
    overdue: bool


@dataclass(frozen=True)
class PlannedReminder:
    owed: Owed
    slot: ReminderSlot

    @property
    def key(self) -> tuple[int, int, int, str]:
        return (self.owed.cycle_id, self.owed.rule_id, self.owed.agency_id, self.slot.offset_key)


@dataclass(frozen=True)
class ReminderPolicy:
    offsets_before: tuple[int, ...]
    overdue_every: int
    overdue_max_count: int
    catch_up_working_days: int

    @classmethod
    def from_settings(cls) -> ReminderPolicy:
        return cls(
            offsets_before=tuple(settings.REMINDER_OFFSETS_BEFORE),
            overdue_every=settings.REMINDER_OVERDUE_EVERY,
            overdue_max_count=settings.REMINDER_OVERDUE_MAX_COUNT,
            catch_up_working_days=settings.REMINDER_CATCH_UP_WORKING_DAYS,
        )


def reminder_slots(
    *,
    due_on: datetime.date,
    calendar: WorkCalendar,
    policy: ReminderPolicy,
    entry_closes_on: datetime.date | None = None,
) -> list[ReminderSlot]:
    """Every reminder of one deadline, in date order."""
    slots = [
        ReminderSlot(f"{BEFORE_PREFIX}{n}", calendar.working_days_before(due_on, n), overdue=False)
        for n in sorted(set(policy.offsets_before), reverse=True)
        if n > 0
    ]
    slots.append(ReminderSlot(DUE_KEY, calendar.on_or_before(due_on), overdue=False))
    if policy.overdue_every > 0:
        for k in range(1, policy.overdue_max_count + 1):
            days = k * policy.overdue_every
            day = calendar.add_working_days(due_on, days)
            if entry_closes_on is not None and day > entry_closes_on:
                break
            slots.append(ReminderSlot(f"{OVERDUE_PREFIX}{days}", day, overdue=True))
    return slots


def plan_reminders(
    *, owed: Iterable[Owed], today: datetime.date, calendar: WorkCalendar, policy: ReminderPolicy | None = None
) -> list[PlannedReminder]:
    """The reminders to send today: for each unsubmitted report, its latest slot that fell today or within the
    catch-up window. Pure: no database, no clock."""
    policy = policy or ReminderPolicy.from_settings()
    planned: list[PlannedReminder] = []
    for item in owed:
        slots = reminder_slots(
            due_on=item.due_on, calendar=calendar, policy=policy, entry_closes_on=item.entry_closes_on
        )
        eligible = [
            s
            for s in slots
            if s.planned_for <= today
            and calendar.working_days_between(s.planned_for, today) <= policy.catch_up_working_days
        ]
        if eligible:
            planned.append(PlannedReminder(item, max(eligible, key=lambda s: s.planned_for)))
    return planned


def owed_reports(*, today: datetime.date) -> list[Owed]:
    """Reports still owed in open cycles: expected, and not submitted or accepted (a returned one is owed)."""
    owed: list[Owed] = []
    for cycle in Cycle.objects.filter(status=CycleStatus.OPEN):
        done = set(Submission.objects.filter(cycle=cycle, status__in=DONE_STATUSES).values_list("agency_id", "rule_id"))
        for expected in expected_submissions(cycle=cycle):
            deadline = expected.deadline
            if (expected.agency.pk, deadline.rule_id) in done:
                continue
            if deadline.entry_closes_on is not None and today > deadline.entry_closes_on:
                continue
            owed.append(Owed(cycle.pk, deadline.rule_id, expected.agency.pk, deadline.due_on, deadline.entry_closes_on))
        owed += owed_consolidated(cycle=cycle)
    return owed


def owed_consolidated(*, cycle: Cycle) -> list[Owed]:
    """The consolidator's own report (the Sở GD&ĐT's, due 30/12): owed until the cycle's official (numbered,
    not draft) consolidated report is issued. Owed by the first recipient of the agencies' reports."""
    if issued_consolidated_cycles({cycle.pk}):
        return []
    consolidator = (
        RuleRecipient.objects.consolidating()
        .filter(rule__plan_id=cycle.plan_id)
        .order_by("rule_id")
        .values_list("agency_id", flat=True)
        .first()
    )
    if consolidator is None:
        return []
    return [
        Owed(cycle.pk, deadline.rule_id, consolidator, deadline.due_on, deadline.entry_closes_on)
        for deadline in cycle.deadlines.filter(rule__consolidates=True)
    ]


@dataclass
class ScanResult:
    today: datetime.date
    token: str
    planned: list[PlannedReminder] = field(default_factory=list)
    claimed: int = 0
    digests: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "token": self.token,
            "planned": len(self.planned),
            "claimed": self.claimed,
            "digests": self.digests,
            "sent": self.sent,
            "failed": self.failed,
            "skipped": self.skipped,
        }
