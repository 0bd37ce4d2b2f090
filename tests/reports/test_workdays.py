"""Vietnamese working days: weekends, public holidays, Tết, and the administrator's overrides."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.models import WorkingDayOverride
from reports.reminders.workdays import WorkCalendar, calendar_is_working_day, load_calendar

D = datetime.date


def test_weekends_are_not_working_days():
    assert calendar_is_working_day(D(2026, 11, 27))  # Friday
    assert not calendar_is_working_day(D(2026, 11, 28))  # Saturday
    assert not calendar_is_working_day(D(2026, 11, 29))  # Sunday


def test_every_day_of_tet_2027_is_a_day_off():
    tet = [D(2027, 2, d) for d in range(4, 11)]  # 29 Tết (Thu 4/2) to the fifth day (Wed 10/2)
    assert not any(calendar_is_working_day(day) for day in tet)
    assert calendar_is_working_day(D(2027, 2, 3)) and calendar_is_working_day(D(2027, 2, 11))


def test_national_day_and_its_substitute_are_days_off_and_the_make_up_saturday_is_worked():
    assert not calendar_is_working_day(D(2026, 9, 2))
    assert not calendar_is_working_day(D(2026, 8, 31))
    assert calendar_is_working_day(D(2026, 8, 22))  # Saturday worked in exchange, known to `holidays`


def test_an_override_makes_a_saturday_a_working_day_and_a_weekday_a_day_off():
    calendar = WorkCalendar({D(2027, 2, 20): True, D(2027, 2, 19): False})
    assert calendar.is_working_day(D(2027, 2, 20))
    assert not calendar.is_working_day(D(2027, 2, 19))


def test_add_working_days_jumps_over_tet():
    calendar = WorkCalendar()
    assert calendar.add_working_days(D(2027, 2, 3), 1) == D(2027, 2, 11)
    assert calendar.add_working_days(D(2027, 2, 11), -1) == D(2027, 2, 3)
    assert calendar.add_working_days(D(2027, 2, 11), 0) == D(2027, 2, 11)


def test_working_days_before_a_sunday_deadline_counts_from_the_friday_before_it():
    calendar = WorkCalendar()
    deadline = D(2025, 11, 30)  # Sunday
    assert calendar.on_or_before(deadline) == D(2025, 11, 28)
    assert calendar.working_days_before(deadline, 0) == D(2025, 11, 28)
    assert calendar.working_days_before(deadline, 1) == D(2025, 11, 27)


def test_working_days_between_counts_only_working_days_after_the_start():
    calendar = WorkCalendar()
    assert calendar.working_days_between(D(2026, 11, 27), D(2026, 11, 30)) == 1  # Fri → Mon
    assert calendar.working_days_between(D(2026, 11, 30), D(2026, 11, 27)) == 0
    assert calendar.working_days_between(D(2027, 2, 3), D(2027, 2, 11)) == 1


@pytest.mark.django_db
def test_load_calendar_reads_every_override_in_one_query():
    WorkingDayOverride.objects.create(day=D(2027, 2, 20), is_working_day=True, note="Làm bù")
    WorkingDayOverride.objects.create(day=D(2027, 2, 19), is_working_day=False, note="Nghỉ bù")
    with CaptureQueriesContext(connection) as queries:
        calendar = load_calendar()
        days = [calendar.is_working_day(D(2027, 1, 1) + datetime.timedelta(days=n)) for n in range(120)]
    assert len(queries) == 1
    assert calendar.is_working_day(D(2027, 2, 20)) and not calendar.is_working_day(D(2027, 2, 19))
    assert sum(days) > 70
