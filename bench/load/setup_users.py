"""Accounts for `make load`, run in the load database (DATABASE_URL) after migrate, load_plan and seed_demo:
50 agency people (heads, who may save and send) spread round-robin over the agencies whose report of this year
is not sent yet, so a few agencies have two people editing the same report (the conflicts the scenario counts),
and 5 reviewers of the Sở GD&ĐT. Prints the accounts as JSON for the locustfile."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hptracker.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.utils import timezone  # noqa: E402

from agencies.models import Agency, Membership, Role  # noqa: E402
from plans.models import Plan  # noqa: E402
from reports.cycles.services import cycle_open  # noqa: E402
from reports.dashboard.selectors import expected_reports  # noqa: E402
from reports.models import Submission, SubmissionStatus  # noqa: E402

AGENCY_PEOPLE = int(os.environ.get("LOAD_AGENCY_USERS", "50"))
REVIEWERS = int(os.environ.get("LOAD_REVIEWERS", "5"))
PASSWORD = "mat-khau-tai-thu-2026"


def main() -> None:
    plan = Plan.objects.get(number="193/KH-UBND")
    today = timezone.localdate()
    cycle = cycle_open(plan=plan, year=today.year)
    sent = set(
        Submission.objects.filter(cycle=cycle)
        .exclude(status=SubmissionStatus.DRAFT)
        .values_list("agency_id", flat=True)
    )
    agency_ids = sorted({row.agency_id for row in expected_reports(plan=plan, today=today, cycle=cycle)} - sent)
    agencies = list(Agency.objects.filter(pk__in=agency_ids).order_by("code"))
    # One hash for everyone: hashing 55 passwords with PBKDF2 would only slow the set-up down.
    password = make_password(PASSWORD)
    User = get_user_model()
    people = []
    for index in range(AGENCY_PEOPLE):
        agency = agencies[index % len(agencies)]
        user = User.objects.create(
            username=f"tai.donvi{index:02d}", password=password, first_name=f"Người {index}", last_name="Thử"
        )
        Membership.objects.create(user=user, agency=agency, role=Role.HEAD)
        people.append({"username": user.username, "agency": agency.code})
    reviewers = []
    education = Agency.objects.get(code="SGDDT")
    for index in range(REVIEWERS):
        user = User.objects.create(username=f"tai.thamdinh{index}", password=password, last_name="Thử")
        Membership.objects.create(user=user, agency=education, role=Role.REVIEWER)
        reviewers.append({"username": user.username})
    print(
        json.dumps(
            {
                "password": PASSWORD,
                "plan": plan.pk,
                "year": cycle.year,
                "cycle": cycle.pk,
                "agency_people": people,
                "reviewers": reviewers,
                "agencies": len(agencies),
            }
        )
    )


if __name__ == "__main__":
    main()
