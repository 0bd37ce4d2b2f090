"""Building blocks for the reminder tests: a 2026 cycle, submissions, an extra rule, and an SMTP stand-in."""

from __future__ import annotations

import datetime
import smtplib
from zoneinfo import ZoneInfo

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from agencies.models import Agency
from plans.models import Plan, ReportingRule
from reports.cycles.services import cycle_open
from reports.models import Cycle, CycleDeadline, Submission

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
YEARLY = "don-vi-hang-nam"  # Sở, ngành report before 30/11 (Monday 30/11/2026)
DISTRICTS = "quan-huyen-thang-11"


def morning(day: datetime.date) -> datetime.datetime:
    """7:00 in Hải Phòng, when beat wakes the scanner."""
    return datetime.datetime.combine(day, datetime.time(7, 0), tzinfo=HANOI)


def open_cycle(plan: Plan, year: int = 2026) -> Cycle:
    return cycle_open(plan=plan, year=year)


def rule(plan: Plan, code: str) -> ReportingRule:
    return plan.rules.get(code=code)


def submit(cycle: Cycle, agency: Agency, code: str, status: str = "submitted") -> Submission:
    return Submission.objects.create(cycle=cycle, agency=agency, rule=rule(cycle.plan, code), status=status)


def add_rule_for(cycle: Cycle, agency: Agency, *, code: str, due_on: datetime.date) -> ReportingRule:
    """A second report the same agency owes in the cycle, with its own deadline."""
    plan = cycle.plan
    extra = ReportingRule.objects.create(
        plan=plan,
        code=code,
        title=f"Báo cáo bổ sung {code}",
        final_recipient=agency,
        subject="Báo cáo bổ sung năm {year}",
        deadline_day=due_on.day,
        deadline_month=due_on.month,
        deadline_text="Theo yêu cầu",
    )
    extra.reporters.set(agency.duty_items.filter(plan=plan))
    CycleDeadline.objects.create(cycle=cycle, rule=extra, due_on=due_on)
    return extra


def mails_for(outbox, email: str) -> list:
    return [m for m in outbox if email in m.to or email in m.cc]


class BlocklistEmailBackend(LocmemBackend):
    """An SMTP stand-in: like a real server with strict recipient checks, it refuses a message naming an address
    on the blocklist, raising what smtplib raises. Everything else lands in django.core.mail.outbox."""

    blocklist: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            refused = {a: (550, b"5.1.1 Mailbox unavailable") for a in message.recipients() if a in self.blocklist}
            if refused:
                raise smtplib.SMTPRecipientsRefused(refused)
        return super().send_messages(messages)
