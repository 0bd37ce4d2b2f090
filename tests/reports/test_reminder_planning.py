"""Pure planning: which reminder each unsubmitted report gets on a given day. No database."""

from __future__ import annotations

import datetime

from reports.reminders.planning import Owed, ReminderPolicy, plan_reminders, reminder_slots
from reports.reminders.workdays import WorkCalendar

D = datetime.date
POLICY = ReminderPolicy(offsets_before=(14, 7, 3, 1), overdue_every=3, overdue_max_count=10, catch_up_working_days=2)


def slots_of(due_on, calendar=None, **kwargs):
    return {
        s.offset_key: s.planned_for
        for s in reminder_slots(due_on=due_on, calendar=calendar or WorkCalendar(), policy=POLICY, **kwargs)
    }


def plan_on(today, due_on, calendar=None):
    owed = [Owed(cycle_id=1, rule_id=2, agency_id=3, due_on=due_on)]
    return [
        (p.slot.offset_key, p.slot.planned_for)
        for p in plan_reminders(owed=owed, today=today, calendar=calendar or WorkCalendar(), policy=POLICY)
    ]


def test_a_deadline_just_after_tet_2027_counts_back_over_the_whole_break():
    slots = slots_of(D(2027, 2, 15))  # Monday after Tết (4/2–10/2 off)
    assert slots["due"] == D(2027, 2, 15)
    assert slots["before-1"] == D(2027, 2, 12)
    assert slots["before-3"] == D(2027, 2, 3)  # 12/2, 11/2, then the last day before Tết
    assert slots["before-7"] == D(2027, 1, 28)
    assert slots["overdue-3"] == D(2027, 2, 18)


def test_a_saturday_deadline_is_served_on_the_friday_and_counted_from_there():
    slots = slots_of(D(2026, 11, 28))
    assert slots["due"] == D(2026, 11, 27)
    assert slots["before-1"] == D(2026, 11, 26)
    assert slots["before-3"] == D(2026, 11, 23)  # 26, 25, (24/11 is Vietnam Cultural Day), 23
    assert slots["overdue-3"] == D(2026, 12, 2)  # the three working days after the Saturday


def test_a_make_up_saturday_counts_and_an_extra_day_off_does_not():
    calendar = WorkCalendar({D(2027, 2, 20): True, D(2027, 2, 19): False})
    slots = slots_of(D(2027, 2, 22), calendar)
    assert slots["before-1"] == D(2027, 2, 20)
    assert slots["before-3"] == D(2027, 2, 17)  # 20, (19 off), 18, 17


def test_overdue_reminders_come_every_three_working_days_and_stop_when_entry_closes():
    slots = slots_of(D(2026, 11, 30), entry_closes_on=D(2026, 12, 10))
    overdue = {k: v for k, v in slots.items() if k.startswith("overdue")}
    assert overdue == {"overdue-3": D(2026, 12, 3), "overdue-6": D(2026, 12, 8)}


def test_only_the_reminder_of_the_day_is_planned():
    assert plan_on(D(2026, 11, 27), D(2026, 11, 30)) == [("before-1", D(2026, 11, 27))]
    assert plan_on(D(2026, 11, 30), D(2026, 11, 30)) == [("due", D(2026, 11, 30))]


def test_a_reminder_missed_yesterday_is_planned_today_but_not_one_missed_long_ago():
    assert plan_on(D(2026, 11, 26), D(2026, 11, 30)) == [("before-3", D(2026, 11, 25))]
    # before-7 fell on 18/11; by 23/11 three working days have passed: too late to be useful.
    assert plan_on(D(2026, 11, 23), D(2026, 11, 30)) == []


def test_when_two_reminders_are_due_only_the_latest_is_planned():
    # before-3 (25/11) was missed and before-1 (27/11) is today: one reminder, not two.
    assert plan_on(D(2026, 11, 27), D(2026, 11, 30)) == [("before-1", D(2026, 11, 27))]


def test_nothing_is_planned_far_from_the_deadline():
    assert plan_on(D(2026, 10, 1), D(2026, 11, 30)) == []
