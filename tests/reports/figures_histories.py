"""The histories the figures' property test plays (test_figures_property.py): the hypothesis strategies that draw
them, and the Player that plays each event both through the portal's services and through the reference model
(reference_model.py), asserting they agree on what is allowed."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st

from agencies.models import Agency, AgencySuccession, Role, SuccessionKind
from plans.models import DutyItem, ReportingRule, Target
from plans.successions import agency_succession_apply
from reports.cycles import ledger
from reports.cycles.services import cycle_lock
from reports.errors import WorkflowError
from reports.models import Submission, SubmissionStatus, TargetValue
from reports.submissions.reviews import review_accept, review_return
from reports.submissions.services import _sync_task_reports, submission_start, submission_submit
from tests.conftest import make_person

from .reference_model import HAI_PHONG, RefAgency, World

YEAR = 2026
DUE = datetime.date(YEAR, 11, 30)
TODAY = datetime.date(YEAR + 1, 2, 1)
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


def as_if_committed() -> None:
    """The example's one transaction, as if what it wrote so far had committed: its deferred triggers run now, and
    the marks that last a transaction (its recorded change, the steps' kept rows) are cleared."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for mark in (*ledger.UNKEPT_FLAGS, ledger.KEPT_FLAG, ledger.KEPT_ROWS):
            cursor.execute("SELECT set_config(%s, '', true)", [mark])


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
        # The value each report gave for one target (a draft saved before it was sent): the targets' figures are
        # those of the reports the model says are accepted.
        self.target = Target.objects.filter(plan=cycle.plan).order_by("code").first()
        self.values: dict[tuple[int, int], Decimal] = {}
        self.drawn_values = itertools.count(7, 13)

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
            self.save_value(existing, agency, rule_id)
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

    def save_value(self, report: Submission, agency: Agency, rule_id: int) -> None:
        """The draft's value for the target, saved (and committed) before the head sends it; only to a report that
        can still be edited, as the edit page allows."""
        report.refresh_from_db()
        if self.target is None or report.status not in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED):
            return
        value = Decimal(next(self.drawn_values) % 97) + Decimal("0.25")
        TargetValue.objects.update_or_create(submission=report, target=self.target, defaults={"value": value})
        self.values[(agency.pk, rule_id)] = value
        as_if_committed()

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
