"""Run by tests/test_make_run_sqlite.py in a process of its own, on the SQLite database `make run` builds: every
dashboard page and export answers, each demo account's first page answers, the dashboard's name filter ignores
the case of Vietnamese capitals as PostgreSQL does (hptracker/sqlite.py), and the state of each expected report
(computed in SQL) agrees with the Python definition of on time and late (CycleDeadline.is_late). Prints one line
per failure; exit 1 if any."""

from __future__ import annotations

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hptracker.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from plans.models import Plan, Task  # noqa: E402
from reports.cycles.selectors import ReportState, expected_reports  # noqa: E402
from reports.management.commands.seed_demo import _demo_people  # noqa: E402
from reports.models import Cycle, Submission, SubmissionStatus  # noqa: E402
from tests.reports.dashboard_helpers import DASHBOARD_PAGES, EXPORTING_PAGES  # noqa: E402

PAGES, EXPORTING = DASHBOARD_PAGES, EXPORTING_PAGES
# The same agency typed three ways: SQLite's own LIKE folds A-Z only, so the capitals found nothing.
SPELLINGS = ["Lê Chân", "LÊ CHÂN", "lê chân"]


def expected_state(submission: Submission | None, deadline) -> str:
    if submission is None or submission.status not in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED):
        returned = submission is not None and submission.status == SubmissionStatus.RETURNED
        return ReportState.RETURNED if returned else ReportState.MISSING
    return ReportState.LATE if deadline.is_late(submission.first_submitted_at) else ReportState.ON_TIME


def first_pages(failures: list[str]) -> None:
    """Each demo account signs in and lands on its role's first page ("/" redirects there)."""
    for username, *_ in _demo_people(timezone.localdate()):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        response = client.get("/", follow=True)
        if response.status_code != 200:
            landed = response.redirect_chain[-1][0] if response.redirect_chain else "/"
            failures.append(f"{username} {landed}: HTTP {response.status_code}")


def name_filter_ignores_case(client: Client, failures: list[str]) -> None:
    listed = []
    for spelling in SPELLINGS:
        response = client.get(reverse("reports:dashboard_reports"), {"agency": spelling, "_export": "csv"})
        listed.append(b"".join(response.streaming_content).decode("utf-8").count("\n"))
    if listed[0] < 2 or len(set(listed)) != 1:
        failures.append(f"dashboard_reports?agency={SPELLINGS}: {listed} lines, not the same list")


def plan_page_shows_every_task(client: Client, failures: list[str]) -> None:
    """The plan page reads its groups with their tasks and the units of both by unions (plans.selectors): the
    same page on SQLite."""
    for plan in Plan.objects.all():
        response = client.get(reverse("plans:plan_detail", args=[plan.pk]))
        shown = response.content.decode().count('id="nhiem-vu-')
        tasks = Task.objects.filter(group__plan=plan).count()
        if response.status_code != 200 or shown != tasks or "Lịch báo cáo hằng năm" not in response.content.decode():
            failures.append(f"plan page {plan.pk}: HTTP {response.status_code}, {shown} of {tasks} tasks")


def tallies_agree_with_the_rows(failures: list[str]) -> None:
    """SQLite has no GROUPING SETS: `tallies` counts each grouping in a GROUP BY of its own there. The counts by
    year, by agency and by (year, family) must be those of the rows, read one by one."""
    from collections import Counter

    from reports.dashboard.selectors import COUNTS, tallies

    for cycle in Cycle.objects.all()[:1]:
        every = expected_reports(plan=cycle.plan, today=cycle.window_end)
        counted = tallies(
            by_year=(every, ("year",)), by_agency=(every, ("agency_id",)), by_pair=(every, ("year", "kind_group"))
        )
        for name, keys in (("by_year", ("year",)), ("by_agency", ("agency_id",)), ("by_pair", ("year", "kind_group"))):
            wanted: dict[tuple, Counter] = {}
            for row in every:
                counts = wanted.setdefault(tuple(getattr(row, key) for key in keys), Counter())
                counts[row.state] += 1
                counts["expected"] += 1
            wanted_counts = {key: {count: c[count] for count in COUNTS} for key, c in wanted.items()}
            if counted[name] != wanted_counts:
                failures.append(f"tallies {name} on SQLite disagree with the rows")


def main() -> int:
    settings.ALLOWED_HOSTS = ["*"]
    failures: list[str] = []
    first_pages(failures)
    client = Client()
    client.force_login(get_user_model().objects.get(username="sgddt.thamdinh"))
    name_filter_ignores_case(client, failures)
    plan_page_shows_every_task(client, failures)
    tallies_agree_with_the_rows(failures)
    for name in PAGES:
        queries = ["", "?group=today"] if name == "dashboard_years" else [""]
        queries += ["?_export=csv", "?_export=xlsx"] if name in EXPORTING else []
        for query in queries:
            response = client.get(reverse("reports:" + name) + query)
            if response.status_code != 200:
                failures.append(f"{name}{query}: HTTP {response.status_code}")
    checked = 0
    for cycle in Cycle.objects.all():
        deadlines = {d.rule_id: d for d in cycle.deadlines.all()}
        submissions = {(s.agency_id, s.rule_id): s for s in Submission.objects.filter(cycle=cycle)}
        for row in expected_reports(cycle=cycle, today=cycle.window_end):
            wanted = expected_state(submissions.get((row.agency_id, row.rule_id)), deadlines[row.rule_id])
            checked += 1
            if row.state != wanted:
                failures.append(f"{cycle.year} agency {row.agency_id} rule {row.rule_id}: {row.state} != {wanted}")
    if checked == 0:
        failures.append("no expected report to check: the demo data did not load")
    for failure in failures:
        print(failure)
    print(f"checked {checked} expected reports")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
