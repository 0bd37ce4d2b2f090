"""Issue 9 item 6: random histories played through the portal's services, checked against the reference model.

Each example opens the 2026 cycle of plan 193 and plays a sorted list of events (agencies ceasing, mergers,
renames and splits mid-year, an agency put in a second duty item, reports started, sent at 23:59 and 00:01 around
the deadline, returned before and after it, re-sent, accepted, the cycle locked) through the services, each at
its own moment (time-machine). The reference model (reference_model.py) plays the same events in plain Python.
Every operation the portal accepts the model must accept and vice versa (the strategies that draw the histories
and the player of both are in figures_histories.py); then the dashboard's selectors, the CSV export of the
expected-reports page and the consolidated report's summary (its reporting line and basis sentence, from the
context the PDF and the Word copy print) must equal the model's figures.

200 examples in `make test` (derandomized: the same ones every run); FIGURES_EXAMPLES=2000 for more.
"""

from __future__ import annotations

import csv
import datetime
import io
import os

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import event as hypothesis_event

from agencies.models import Agency, AgencyKind, Role
from reports.cycles import ledger
from reports.cycles.selectors import ReportState, expected_reports
from reports.cycles.services import cycle_open
from reports.dashboard.basis import figures_basis
from reports.dashboard.selectors import completeness_by_kind
from reports.documents.pdf.summary import consolidated_summary
from reports.models import StoredExpectedReport
from tests.conftest import make_person

from .figures_histories import DUE, POOL, TODAY, YEAR, Player, as_if_committed, histories, local, reference_world
from .reference_model import ACCEPTED, RefAgency, World

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FIGURES_EXAMPLES", "200"))


@pytest.fixture
def universe(plan, education_reviewer, administrator, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_password("warm")
    people = {}
    for code in POOL:
        agency = Agency.objects.get(code=code)
        people[code] = (
            make_person(f"{code.lower()}.cb", Role.STAFF, agency),
            make_person(f"{code.lower()}.ld", Role.HEAD, agency),
        )
    return {
        "plan": plan,
        "people": people,
        "reviewer": education_reviewer,
        "admin": administrator,
    }


STATE_WORDS = dict(ReportState.choices)


def check_figures(client, universe, cycle, world: World) -> None:
    want = world.figures(TODAY)
    rows = expected_reports(cycle=cycle, today=TODAY)
    got_rows = {(r.agency_id, r.rule_id): (r.state, r.days_late) for r in rows}
    assert got_rows == want["rows"]

    total, _families = completeness_by_kind(expected_reports(cycle=cycle, today=TODAY))
    assert (total.expected, total.on_time, total.late, total.returned, total.missing) == (
        want["expected"],
        want["on_time"],
        want["late"],
        want["returned"],
        want["missing"],
    )
    assert (total.reporting_rate, total.on_time_rate) == (want["reporting_rate"], want["on_time_rate"])
    basis = figures_basis(cycle=cycle, as_of=TODAY)
    assert (basis.accepted, basis.waiting) == (want["accepted"], want["waiting"])

    # The CSV export of the expected-reports page, as the reviewer downloads it.
    with time_machine.travel(local(TODAY, 10), tick=False):
        client.force_login(universe["reviewer"])  # at the moment of the request: a session has an age limit
        response = client.get(
            reverse("reports:dashboard_reports"), {"plan": universe["plan"].pk, "year": YEAR, "_export": "csv"}
        )
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    exported = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    names = dict(Agency.objects.values_list("pk", "name"))
    assert sorted((r["Cơ quan, đơn vị"], r["Tình trạng"], r["Số ngày chậm"]) for r in exported) == sorted(
        (names[a], str(STATE_WORDS[state]), str(days)) for (a, _r), (state, days) in want["rows"].items()
    )

    # The consolidated report's summary: the function build_consolidated_context prints in the PDF and the Word
    # copy (test_figures.py renders a whole PDF and reads the same sentences back).
    summary = consolidated_summary(cycle=cycle, issued_on=TODAY)
    assert f"có {want['received']}/{want['expected']} đơn vị gửi báo cáo" in summary.reporting_line
    assert f"{want['accepted']} báo cáo đã được thẩm định, chấp nhận" in summary.reporting_line
    assert summary.basis.sentence() == basis.sentence()
    assert f"Số liệu từ {want['accepted']} báo cáo đã được chấp nhận" in summary.basis.sentence()


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(history=histories)
def test_every_figure_equals_the_reference_model(client, universe, history):
    with transaction.atomic():
        cycle = cycle_open(plan=universe["plan"], year=YEAR)
        _ledger_rebuilt_as_if_committed()
        world = reference_world(cycle)
        player = Player(universe, cycle, world)
        for at, event in history:
            player.play(at, event)
            if event[0] not in WORKFLOW_STEPS:
                # The worker rebuilds the ledger after a write no step kept (a merger, a lock): the steps that
                # follow keep it among successors, merged and ceased agencies.
                _ledger_rebuilt_as_if_committed()
        check_figures(client, universe, cycle, world)
        check_ledger(cycle, world, player)
        transaction.set_rollback(True)


# The events the player plays through a workflow step (reports.submissions), which keeps the ledger current; the
# others (an agency ceasing, a merger, a cycle locked) write what the ledger is built from and leave it stale.
WORKFLOW_STEPS = {"start", "send", "revise", "accept", "return"}


def _ledger_rebuilt_as_if_committed() -> None:
    """The ledger rebuilt by the worker once a write no workflow step kept (the cycle opened, a merger) commits."""
    as_if_committed()
    ledger.rebuild()
    assert ledger.is_current()


def check_ledger(cycle, world: World, player: Player) -> None:
    """After the history (as at commit): still current, since the worker rebuilt it after every other write and
    the steps kept it, and the model's state for every expected report, and the model's target figures."""
    as_if_committed()
    assert ledger.is_current()
    stored = StoredExpectedReport.objects.filter(cycle_id=cycle.pk).values_list("agency_id", "rule_id", "state")
    want = world.figures(TODAY)["rows"]
    assert {(agency, rule): state for agency, rule, state in stored} == {
        key: state for key, (state, _days) in want.items()
    }
    accepted = [value for pair, value in player.values.items() if world.reports[pair].status == ACCEPTED]
    stored_figures = [
        (row["total"], row["reporters"], row["low"], row["high"])
        for row in ledger.stored_target_figures(cycle.plan_id)
        if row["cycle_id"] == cycle.pk and row["target_id"] == player.target.pk
    ]
    assert stored_figures == ([(sum(accepted), len(accepted), min(accepted), max(accepted))] if accepted else [])
    if accepted:
        hypothesis_event(f"target figures from {len(accepted)} accepted reports")


def test_the_reference_model_itself_on_a_hand_computed_history():
    """The model is only a reference if it is right: a history small enough to count by hand."""
    world = World(
        agencies={
            1: RefAgency(1, AgencyKind.DEPARTMENT, datetime.date(2000, 1, 1), None, {10}),
            2: RefAgency(2, AgencyKind.DEPARTMENT, datetime.date(2000, 1, 1), None, {11}),
            3: RefAgency(3, AgencyKind.DISTRICT, datetime.date(2000, 1, 1), None, {12}),
        },
        item_rules={10: {100}, 11: {100}, 12: {101}},
        consolidating=set(),
        due={100: DUE, 101: DUE},
    )
    assert world.succession(2, 1, datetime.date(YEAR, 7, 1))  # 1 already reports under 100: not added to item 11
    assert world.agencies[1].items == {10}
    assert world.expected() == {(1, 100), (3, 101)}
    assert world.start(1, 100) and world.send(1, 100, local(DUE, 23, 59))
    assert world.give_back(1, 100) and world.send(1, 100, local(DUE + datetime.timedelta(days=9), 9))
    assert world.start(3, 101) and world.send(3, 101, local(DUE + datetime.timedelta(days=1), 0, 1))
    assert world.accept(3, 101) and not world.accept(3, 101)
    figures = world.figures(TODAY)
    assert figures["rows"] == {(1, 100): ("on_time", 0), (3, 101): ("late", 1)}
    assert (figures["expected"], figures["received"], figures["accepted"], figures["waiting"]) == (2, 2, 1, 1)
    assert str(figures["on_time_rate"]) == "50.0"
