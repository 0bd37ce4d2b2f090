"""After the 2025 reorganisation, `make run`'s demo accounts work for bodies that exist this year."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from agencies.models import Membership
from reports.cycles.selectors import expected_submissions
from reports.models import Cycle
from tests.plans.reorganisation_helpers import apply, hai_phong_data

pytestmark = pytest.mark.django_db


def test_demo_accounts_follow_the_reorganisation_to_bodies_that_report_this_year(plan, settings, capsys):
    settings.DEBUG = True
    apply(hai_phong_data())

    call_command("seed_demo", "--year", "2026", "--no-sample-reports")

    out = capsys.readouterr().out
    assert "UBND quận Lê Chân" not in out and "Sở LĐTB&XH" not in out
    memberships = Membership.objects.select_related("agency", "user").exclude(agency=None)
    assert {m.agency.code for m in memberships if m.user.username.startswith("lechan.")} == {"P_11383"}
    assert Membership.objects.get(user__username="snv.thamdinh").agency.code == "SNV"
    assert all(m.agency.is_active_on(datetime.date(2026, 11, 30)) for m in memberships)
    cycle = Cycle.objects.get(plan=plan, year=2026)
    owed = {e.agency.code for e in expected_submissions(cycle=cycle)}
    assert {"P_11383", "P_11560"} <= owed
