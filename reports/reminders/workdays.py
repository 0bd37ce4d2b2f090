"""Vietnamese working days: weekends, public holidays and Tết (from `holidays.Vietnam`), corrected by the
administrator's WorkingDayOverride rows.

Why overrides win: the government announces the actual Tết break and its make-up Saturdays (ngày làm bù) each
year, often later than the `holidays` package is released. An override row saying "working" makes a Saturday a
working day; one saying "not working" adds a day off.

A `WorkCalendar` holds the overrides in memory, so a scan loads them once (`load_calendar()`, one query) and
then asks about as many days as it likes without touching the database.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from functools import lru_cache

import holidays

ONE_DAY = datetime.timedelta(days=1)
# Working days are never more than a few weeks apart (Tết is the longest break); a loop that walks further than
# this has met a calendar in which every day is a day off, which is a data error, not a reason to hang.
_MAX_WALK = 366


@lru_cache(maxsize=64)
def _vietnam(year: int) -> holidays.HolidayBase:
    return holidays.Vietnam(years=year)


def calendar_is_working_day(day: datetime.date) -> bool:
    """What the published calendar says, without the administrator's overrides."""
    vn = _vietnam(day.year)
    if day in vn:
        return False
    if day.weekday() >= 5:
        # The package knows some make-up Saturdays (e.g. 22/08/2026) as "weekend workdays".
        return day in vn.weekend_workdays
    return True


class WorkCalendar:
    def __init__(self, overrides: Mapping[datetime.date, bool] | None = None) -> None:
        self.overrides: dict[datetime.date, bool] = dict(overrides or {})

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return calendar_is_working_day(day)

    def on_or_before(self, day: datetime.date) -> datetime.date:
        """The last working day on or before `day`."""
        for _ in range(_MAX_WALK):
            if self.is_working_day(day):
                return day
            day -= ONE_DAY
        raise ValueError("no working day within a year before the given day")

    def add_working_days(self, day: datetime.date, n: int) -> datetime.date:
        """The n-th working day after `day` (before it when n < 0); `day` itself is not counted, so
        add_working_days(Friday, 1) is the next Monday when that Monday is a working day. n = 0 returns `day`."""
        step = ONE_DAY if n >= 0 else -ONE_DAY
        remaining = abs(n)
        walked = 0
        while remaining:
            day += step
            walked += 1
            if walked > _MAX_WALK * max(1, abs(n)):
                raise ValueError("calendar without working days")
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_before(self, deadline: datetime.date, n: int) -> datetime.date:
        """The day that is "n working days before the deadline".

        A deadline on a weekend or holiday is first moved back to the last working day on or before it, and
        the count starts from there: a deadline on Sunday 30/11/2025 is served on Friday 28/11, so "1 working
        day before" is Thursday 27/11. Counting from the Sunday itself would make "1 day before" and the
        deadline day fall on the same Friday. n = 0 is that last working day.
        """
        return self.add_working_days(self.on_or_before(deadline), -n)

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """How many working days lie in (start, end]: 0 when end <= start."""
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count


def load_calendar() -> WorkCalendar:
    """The calendar with every override, in one query (the table holds a few rows a year)."""
    from reports.models import WorkingDayOverride

    return WorkCalendar(dict(WorkingDayOverride.objects.values_list("day", "is_working_day")))


# Module-level shortcuts for callers that ask one question (a page, a form); a loop should use one calendar.
def is_working_day(day: datetime.date, calendar: WorkCalendar | None = None) -> bool:
    return (calendar or load_calendar()).is_working_day(day)


def working_days_before(deadline: datetime.date, n: int, calendar: WorkCalendar | None = None) -> datetime.date:
    return (calendar or load_calendar()).working_days_before(deadline, n)


def add_working_days(day: datetime.date, n: int, calendar: WorkCalendar | None = None) -> datetime.date:
    return (calendar or load_calendar()).add_working_days(day, n)
