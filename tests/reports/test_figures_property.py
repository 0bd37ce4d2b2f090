"""Issue 9 item 6: random histories played through the portal's services, checked against the reference model.

Each example opens the 2026 cycle of plan 193 and plays a sorted list of events (agencies ceasing, mergers,
renames and splits mid-year, an agency put in a second duty item, reports started, sent at 23:59 and 00:01 around
the deadline, returned before and after it, re-sent, accepted, the cycle locked) through the services, each at
its own moment (time-machine). The reference model (reference_model.py) plays the same events in plain Python.
Every operation the portal accepts the model must accept and vice versa; then the dashboard's selectors, the CSV
export of the expected-reports page and the consolidated report's summary (its reporting line and basis
sentence, from the context the PDF and the Word copy print) must equal the model's figures.

200 examples in `make test` (derandomized: the same ones every run); FIGURES_EXAMPLES=2000 for more.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import os

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st

from agencies.models import Agency, AgencyKind, AgencySuccession, Role, SuccessionKind
from plans.models import DutyItem, ReportingRule
from plans.successions import agency_succession_apply
from reports.cycles.selectors import ReportState, expected_reports
from reports.cycles.services import cycle_lock, cycle_open
from reports.dashboard.basis import figures_basis
from reports.dashboard.selectors import completeness_by_kind
from reports.documents.pdf.summary import consolidated_summary
from reports.errors import WorkflowError
from reports.models import Submission
from reports.submissions.reviews import review_accept, review_return
from reports.submissions.services import _sync_task_reports, submission_start, submission_submit
from tests.conftest import make_person

from .reference_model import HAI_PHONG, RefAgency, World

pytestmark = pytest.mark.django_db

YEAR = 2026
DUE = datetime.date(YEAR, 11, 30)
TODAY = datetime.date(YEAR + 1, 2, 1)
EXAMPLES = int(os.environ.get("FIGURES_EXAMPLES", "200"))
# Departments, the police ("others"), districts, and the Sở LĐTB&XH (its own duty item and rule).
POOL = ["SNV", "SKHDT", "STC", "CATP", "Q_LECHAN", "H_ANLAO", "SLDTBXH"]
NEW = ["NEW1", "NEW2", "NEW3"]
WHO = POOL + NEW


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=HAI_PHONG)


# Moments: around the deadline (23:59 on the day, 00:01 the next), or any hour from May to January.
special = st.sampled_from(
    [local(DUE, 23, 59), local(DUE + datetime.timedelta(days=1), 0, 1), local(DUE, 0, 0), local(DUE, 12)]
)
anytime = st.builds(
    lambda day, minute: local(datetime.date(YEAR, 5, 1) + datetime.timedelta(days=day), minute // 60, minute % 60),
    st.integers(0, 265),
    st.integers(0, 24 * 60 - 1),
)
moments = st.one_of(special, anytime)
days = st.sampled_from(
    [
        datetime.date(YEAR, 3, 1),
        datetime.date(YEAR, 7, 1),
        DUE - datetime.timedelta(days=1),
        DUE,
        DUE + datetime.timedelta(days=1),
        datetime.date(YEAR, 12, 31),
    ]
)
rule_pick = st.integers(0, 1)


def history_of(actors: list[str]) -> st.SearchStrategy:
    """Events about a few agencies (so that one report is started, sent, returned and re-sent often enough),
    sorted by their moment. One event in four changes the agencies: a succession costs a few hundred queries."""
    pool, anyone = st.sampled_from(POOL), st.sampled_from(actors)
    build = {
        "send": st.tuples(st.just("send"), anyone, rule_pick),
        "return": st.tuples(st.just("return"), anyone, rule_pick),
        "revise": st.tuples(st.just("revise"), anyone, rule_pick, st.integers(1, 40)),
        "accept": st.tuples(st.just("accept"), anyone, rule_pick),
        "start": st.tuples(st.just("start"), anyone, rule_pick),
        "lock": st.tuples(st.just("lock")),
        "cease": st.tuples(st.just("cease"), pool, days),
        "merge": st.tuples(st.just("merge"), pool, pool, days),
        "rename": st.tuples(st.just("rename"), pool, days),
        "split": st.tuples(st.just("split"), pool, days),
        "join": st.tuples(st.just("join"), pool, pool),
    }
    # Weighted: reports move often, agencies change now and then, the cycle is locked rarely.
    kinds = ["send", "revise", "send", "accept", "return", "send", "accept", "revise", "start", "send", "accept"]
    kinds += ["cease", "merge", "split", "rename", "join", "lock"]
    events = st.sampled_from(kinds).flatmap(build.__getitem__)
    return st.lists(st.tuples(moments, events), min_size=2, max_size=14).map(
        lambda items: sorted(items, key=lambda item: item[0])
    )


histories = st.lists(st.sampled_from(WHO), min_size=1, max_size=3, unique=True).flatmap(history_of)


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


def reference_world(cycle) -> World:
    items: dict[int, set[int]] = {}
    for agency_id, item_id in DutyItem.agencies.through.objects.values_list("agency_id", "dutyitem_id"):
        items.setdefault(agency_id, set()).add(item_id)
    item_rules: dict[int, set[int]] = {}
    for rule_id, item_id in ReportingRule.reporters.through.objects.values_list("reportingrule_id", "dutyitem_id"):
        item_rules.setdefault(item_id, set()).add(rule_id)
    return World(
        agencies={
            a.pk: RefAgency(a.pk, a.kind, a.valid_from, a.valid_to, items.get(a.pk, set()))
            for a in Agency.objects.all()
        },
        item_rules=item_rules,
        consolidating=set(ReportingRule.objects.filter(consolidates=True).values_list("pk", flat=True)),
        due={d.rule_id: d.due_on for d in cycle.deadlines.all()},
    )


class Player:
    """Plays one event through the portal and through the model; they must agree on what is allowed."""

    def __init__(self, universe, cycle, world: World):
        self.u, self.cycle, self.world = universe, cycle, world
        self.people = dict(universe["people"])
        self.agencies = {code: Agency.objects.get(code=code) for code in POOL}
        self.counter = itertools.count(1)

    def agency(self, code: str) -> Agency | None:
        return self.agencies.get(code)

    def rule_for(self, agency: Agency, pick: int) -> int:
        owed = sorted(
            r for r in self.world.rules_of(self.world.agencies[agency.pk]) if r not in self.world.consolidating
        )
        return owed[pick % len(owed)] if owed else min(self.world.due)

    def new_agency(self, like: Agency, valid_from: datetime.date) -> Agency:
        name = next((n for n in NEW if n not in self.agencies), None)
        if name is None:
            raise LookupError
        number = next(self.counter)
        agency = Agency.objects.create(
            code=f"moi-{number}",
            name=f"Cơ quan mới số {number} ({like.short_name})",
            short_name=f"CQ mới {number}",
            symbol=f"M{number}",
            kind=like.kind,
            valid_from=valid_from,
        )
        self.agencies[name] = agency
        self.people[name] = (
            make_person(f"moi{number}.cb", Role.STAFF, agency),
            make_person(f"moi{number}.ld", Role.HEAD, agency),
        )
        self.world.add_agency(agency.pk, agency.kind, valid_from)
        return agency

    def succeed(self, predecessor: Agency, successor: Agency, kind: str, day: datetime.date) -> tuple[bool, bool]:
        if AgencySuccession.objects.filter(predecessor=predecessor, successor=successor).exists():
            return True, True  # the same pair twice (one row per pair): skipped in both
        expected = self.world.succession(predecessor.pk, successor.pk, day)
        succession = AgencySuccession.objects.create(
            predecessor=predecessor, successor=successor, kind=kind, effective_on=day
        )
        try:
            agency_succession_apply(succession=succession, by=self.u["admin"])
        except ValidationError:
            return expected, False
        predecessor.refresh_from_db()
        return expected, True

    def play(self, at: datetime.datetime, event: tuple) -> None:
        kind = event[0]
        with time_machine.travel(at, tick=False):
            expected, done = self._play(kind, event)
        assert expected == done, (at, event)
        if done:
            hypothesis_event(kind)

    def _play(self, kind: str, event: tuple) -> tuple[bool, bool]:
        w = self.world
        if kind == "lock":
            expected = w.lock()
            try:
                cycle_lock(cycle=self.cycle, by=self.u["reviewer"])
            except WorkflowError:
                return expected, False
            self.cycle.refresh_from_db()
            return expected, True
        if kind == "cease":
            agency, day = self.agencies[event[1]], event[2]
            expected = w.cease(agency.pk, day)
            if expected:
                agency.valid_to = day
                agency.save()
            return expected, expected  # an end before the start is refused by the form: not written
        if kind == "join":
            agency, other = self.agencies[event[1]], self.agencies[event[2]]
            items = sorted(w.agencies[other.pk].items)
            if items:
                DutyItem.objects.get(pk=items[0]).agencies.add(agency)
                w.join(agency.pk, items[0])
            return True, True
        if kind == "merge":
            predecessor, successor = self.agencies[event[1]], self.agencies[event[2]]
            if predecessor == successor:
                return True, True
            return self.succeed(predecessor, successor, SuccessionKind.MERGED, event[3])
        if kind in ("rename", "split"):
            predecessor, day = self.agencies[event[1]], event[2]
            try:
                successors = [self.new_agency(predecessor, day) for _ in range(1 if kind == "rename" else 2)]
            except LookupError:
                return True, True  # no name left for a new agency in this example
            results = [
                self.succeed(predecessor, s, SuccessionKind.RENAMED if kind == "rename" else SuccessionKind.SPLIT, day)
                for s in successors
            ]
            return all(r[0] for r in results), all(r[1] for r in results)
        agency = self.agency(event[1])
        if agency is None:
            return True, True
        rule_id = self.rule_for(agency, event[2])
        staff, head = self.people[event[1]]
        existing = Submission.objects.filter(cycle=self.cycle, agency=agency, rule_id=rule_id).first()
        if kind == "start":
            expected = w.start(agency.pk, rule_id)
            try:
                submission_start(cycle=self.cycle, agency=agency, by=staff, rule_id=rule_id)
            except WorkflowError:
                return expected, False
            return expected, True
        if kind == "send":
            # The head sends what the staff started (or starts it now, as the agency page does in one go).
            if existing is None:
                expected_start = w.start(agency.pk, rule_id)
                try:
                    existing = submission_start(cycle=self.cycle, agency=agency, by=staff, rule_id=rule_id)
                except WorkflowError:
                    return expected_start, False
                if not expected_start:
                    return False, True
            returned = w.reports[(agency.pk, rule_id)].status == "returned"
            expected = w.send(agency.pk, rule_id, at=self.now())
            if expected and returned:
                hypothesis_event("re-sent after a return" + (" late" if self.now().date() > DUE else ""))
            # The staff fill in every task first, those the agency inherited since it started included (the
            # edit page shows them: the same function adds their rows).
            _sync_task_reports(existing, staff)
            existing.task_reports.update(progress="in_progress")
            try:
                submission_submit(submission=existing, by=head)
            except WorkflowError:
                return expected, False
            return expected, True
        if kind == "revise":
            return self.revise(agency, rule_id, existing, head, event[3])
        action = review_return if kind == "return" else review_accept
        expected = w.give_back(agency.pk, rule_id) if kind == "return" else w.accept(agency.pk, rule_id)
        if existing is None:
            return expected, False
        try:
            if kind == "return":
                action(submission=existing, reviewer=self.u["reviewer"], reason="Bổ sung số liệu.")
            else:
                action(submission=existing, reviewer=self.u["reviewer"])
        except WorkflowError:
            return expected, False
        return expected, True

    def revise(self, agency: Agency, rule_id: int, existing, head, days_later: int) -> tuple[bool, bool]:
        """The reviewer returns the report now and the head sends it again `days_later` days on (the deadline
        may fall in between: the first sending still decides)."""
        w = self.world
        expected = w.give_back(agency.pk, rule_id)
        if existing is None:
            return expected, False
        try:
            review_return(submission=existing, reviewer=self.u["reviewer"], reason="Bổ sung số liệu.")
        except WorkflowError:
            return expected, False
        if not expected:
            return False, True
        later = self.now() + datetime.timedelta(days=days_later)
        with time_machine.travel(later, tick=False):
            expected = w.send(agency.pk, rule_id, at=later)
            _sync_task_reports(existing, head)
            existing.task_reports.update(progress="in_progress")
            try:
                submission_submit(submission=existing, by=head)
            except WorkflowError:
                return expected, False
        hypothesis_event("re-sent after a return" + (" across the deadline" if later.date() > DUE else ""))
        return expected, True

    @staticmethod
    def now() -> datetime.datetime:
        from django.utils import timezone

        return timezone.now()


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
        world = reference_world(cycle)
        player = Player(universe, cycle, world)
        for at, event in history:
            player.play(at, event)
        check_figures(client, universe, cycle, world)
        transaction.set_rollback(True)


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
