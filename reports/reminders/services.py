"""The reminder scan: plan today's reminders (`planning`), claim them, deliver the digests (`delivery`).

Beat wakes it through `tasks.scan_reminders`; `send_reminders` runs it by hand.
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.utils import timezone

from reports.reminders.delivery import claim, deliver_claimed
from reports.reminders.planning import ScanResult, owed_reports, plan_reminders
from reports.reminders.workdays import load_calendar

logger = logging.getLogger("reports.reminders")


def scan_reminders(*, today: datetime.date | None = None, dry_run: bool = False) -> ScanResult:
    """The periodic scan. Steps:

    1. Load the calendar once; on a day off do nothing (the catch-up window reaches back over it).
    2. Plan today's reminders from the unsubmitted reports of open cycles.
    3. Claim: insert one ReminderDelivery per planned reminder with ON CONFLICT DO NOTHING and this scan's
       token; take back failed rows that are due for a retry with a conditional UPDATE. Only rows carrying
       this token are sent, so a second scan running at the same moment sends nothing twice.
    4. Send one digest per agency, in batches of digests with a fixed number of queries each and one mail
       connection; a failure marks that agency's rows failed and the loop carries on.
    """
    today = today or timezone.localdate()
    result = ScanResult(today=today, token=str(uuid.uuid4()))
    calendar = load_calendar()
    if not calendar.is_working_day(today):
        logger.info("reminder scan %s: %s is not a working day", result.token, today)
        return result
    result.planned = plan_reminders(owed=owed_reports(today=today), today=today, calendar=calendar)
    if dry_run:
        return result
    rows = claim(planned=result.planned, token=result.token, today=today)
    result.claimed = len(rows)
    deliver_claimed(rows=rows, token=result.token, today=today, calendar=calendar, result=result)
    logger.info("reminder scan %s on %s: %s", result.token, today, result.as_dict())
    return result
