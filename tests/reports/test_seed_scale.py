"""seed_scale builds its own synthetic plan with a realistic mix of states, and never touches plan 193."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from agencies.models import Agency
from plans.models import Plan, TaskAssignment
from reports.models import ReminderDelivery, Submission, TargetValue, TaskReport

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_scale", stdout=out, **options)
    return out.getvalue()


def test_seed_scale_builds_the_requested_size_with_every_state_and_leaves_plan_193_alone(plan):
    real_agencies = set(Agency.objects.values_list("code", flat=True))
    real_assignments = TaskAssignment.objects.filter(task__group__plan=plan).count()
    output = seed(agencies=80, tasks=10, years=3)
    scale = Plan.objects.get(number="SCALE/KH")
    assert scale.groups.count() == 8 and sum(g.tasks.count() for g in scale.groups.all()) == 10
    assert scale.cycles.count() == 3 and "Năm" in output and "Xong" in output
    submissions = Submission.objects.filter(cycle__plan=scale)
    assert set(submissions.values_list("status", flat=True)) == {"draft", "submitted", "returned", "accepted"}
    assert submissions.filter(is_late=True).exists() and submissions.filter(is_late=False).exists()
    assert TaskReport.objects.filter(submission__cycle__plan=scale).count() == submissions.count() * 10
    assert TargetValue.objects.filter(submission__cycle__plan=scale).exists()
    # Some agencies never report (missing), and some cease in the middle of a year.
    assert submissions.values("agency").distinct().count() < 80 * 3
    assert Agency.objects.filter(code__startswith="sc-", valid_to__isnull=False).exists()
    assert set(Agency.objects.exclude(code__startswith="sc-").values_list("code", flat=True)) == real_agencies
    assert TaskAssignment.objects.filter(task__group__plan=plan).count() == real_assignments
    assert not Submission.objects.filter(cycle__plan=plan).exists()
    # The reminder log of each year: sent, skipped for a report already sent, some refused by the mail server;
    # a report still owed three days after its deadline is chased once more.
    reminders = ReminderDelivery.objects.filter(cycle__plan=scale)
    assert set(reminders.values_list("status", flat=True)) == {"sent", "skipped", "failed"}
    assert set(reminders.values_list("offset_key", flat=True)) == {"before-7", "before-1", "overdue-3"}
    assert reminders.filter(offset_key="before-1").count() >= submissions.count()


def test_seed_scale_replaces_its_data_and_reuse_keeps_it():
    seed(agencies=10, tasks=4, years=2)
    first = Submission.objects.filter(cycle__plan__number="SCALE/KH").count()
    seed(agencies=10, tasks=4, years=2)
    assert Submission.objects.filter(cycle__plan__number="SCALE/KH").count() == first  # same seed, same data
    assert Plan.objects.filter(number="SCALE/KH").count() == 1
    assert "dùng lại" in seed(agencies=10, tasks=4, years=2, reuse=True)
    seed(agencies=20, tasks=4, years=2, reuse=True)  # another size: rebuilt
    assert Agency.objects.filter(code__startswith="sc-0").count() == 20


def test_city_preset_is_hai_phongs_120_reporting_units_forty_two_tasks_five_years():
    seed(city=True)
    scale = Plan.objects.get(number="SCALE/KH")
    assert Agency.objects.filter(code__startswith="sc-0").count() == 120
    assert sum(g.tasks.count() for g in scale.groups.all()) == 42 and scale.cycles.count() == 5


def test_answers_come_in_the_lengths_reporters_write_up_to_two_thousand_characters():
    """The lists of difficulties and proposals are measured on answers as long as the city's (issue 11): a
    sentence, a paragraph, about 2,000 characters; a search for "kinh phí" finds them all (each begins with it)."""
    seed(agencies=200, tasks=10, years=2)
    reports = TaskReport.objects.filter(submission__cycle__plan__number="SCALE/KH").exclude(difficulties="")
    lengths = sorted({len(text) for text in reports.values_list("difficulties", flat=True)})
    assert len(lengths) == 4 and lengths[0] < 100 and 1900 <= lengths[-1] <= 2200
    assert not reports.exclude(difficulties__icontains="kinh phí").exists()
    proposals = Submission.objects.filter(cycle__plan__number="SCALE/KH").exclude(proposals="")
    assert len({len(text) for text in proposals.values_list("proposals", flat=True)}) > 1
    assert "answers<=2000" in Plan.objects.get(number="SCALE/KH").introduction
