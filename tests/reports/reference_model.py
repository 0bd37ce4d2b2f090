"""The reference model of the dashboard's figures (issue 9 item 6): a small, obviously correct, pure-Python
computation from a list of events. No Django, no SQL: plain data in, plain figures out. The property test
(test_figures_property.py) plays the same events through the portal's services and compares.

The rules it encodes, each in one place:
- expected: an agency owes one report per non-consolidating rule one of whose duty items it belongs to, when it
  exists on the rule's deadline (valid_from <= due <= valid_to);
- on time: the FIRST sending, read as a day in Hải Phòng, is on or before the deadline day;
- state: sent (submitted or accepted) -> on time / late; returned -> returned; otherwise missing;
- basis: the accepted reports of the cycle; waiting: the submitted ones;
- rates: part / expected in percent, rounded half up to one decimal; None when nothing is expected.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

HAI_PHONG = ZoneInfo("Asia/Ho_Chi_Minh")
DRAFT, SUBMITTED, RETURNED, ACCEPTED = "draft", "submitted", "returned", "accepted"


@dataclass
class RefAgency:
    pk: int
    kind: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    items: set[int]

    def exists_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass
class RefReport:
    status: str = DRAFT
    first_sent: datetime.datetime | None = None


@dataclass
class World:
    agencies: dict[int, RefAgency]
    item_rules: dict[int, set[int]]  # duty item -> every rule it reports under (the consolidated one included)
    consolidating: set[int]
    due: dict[int, datetime.date]  # rule -> deadline day of the cycle
    locked: bool = False
    reports: dict[tuple[int, int], RefReport] = field(default_factory=dict)

    # Who owes what -------------------------------------------------------------------------------------------
    def rules_of(self, agency: RefAgency) -> set[int]:
        return {r for item in agency.items for r in self.item_rules.get(item, set())}

    def expected(self) -> set[tuple[int, int]]:
        return {
            (a.pk, rule)
            for a in self.agencies.values()
            for rule in self.rules_of(a)
            if rule not in self.consolidating and rule in self.due and a.exists_on(self.due[rule])
        }

    # Events: each returns whether the portal must accept it ---------------------------------------------------
    def cease(self, agency: int, last_day: datetime.date) -> bool:
        a = self.agencies[agency]
        if last_day < a.valid_from:
            return False
        a.valid_to = last_day
        return True

    def add_agency(self, pk: int, kind: str, valid_from: datetime.date) -> None:
        self.agencies[pk] = RefAgency(pk=pk, kind=kind, valid_from=valid_from, valid_to=None, items=set())

    def join(self, agency: int, item: int) -> None:
        self.agencies[agency].items.add(item)

    def succession(self, predecessor: int, successor: int, effective_on: datetime.date) -> bool:
        """Merger, rename, split (one call per successor): the predecessor ends the day before (an earlier end
        stays); the successor joins each of its duty items unless it already reports under every rule of it."""
        pred, succ = self.agencies[predecessor], self.agencies[successor]
        if pred.valid_from >= effective_on or not succ.exists_on(effective_on):
            return False
        last_day = effective_on - datetime.timedelta(days=1)
        if pred.valid_to is None or pred.valid_to > last_day:
            pred.valid_to = last_day
        for item in sorted(pred.items - succ.items):
            if not self.item_rules.get(item, set()) <= self.rules_of(succ):
                succ.items.add(item)
        return True

    def start(self, agency: int, rule: int) -> bool:
        if self.locked or (agency, rule) not in self.expected():
            return False
        self.reports.setdefault((agency, rule), RefReport())
        return True

    def send(self, agency: int, rule: int, at: datetime.datetime) -> bool:
        report = self.reports.get((agency, rule))
        if report is None or self.locked or report.status not in (DRAFT, RETURNED):
            return False
        report.status = SUBMITTED
        report.first_sent = report.first_sent or at
        return True

    def give_back(self, agency: int, rule: int) -> bool:
        report = self.reports.get((agency, rule))
        if report is None or self.locked or report.status != SUBMITTED:
            return False
        report.status = RETURNED
        return True

    def accept(self, agency: int, rule: int) -> bool:
        report = self.reports.get((agency, rule))
        if report is None or report.status != SUBMITTED:
            return False
        report.status = ACCEPTED
        return True

    def lock(self) -> bool:
        if self.locked:
            return False
        self.locked = True
        return True

    # Figures -----------------------------------------------------------------------------------------------
    def state(self, pair: tuple[int, int]) -> str:
        report = self.reports.get(pair)
        if report is not None and report.status in (SUBMITTED, ACCEPTED):
            assert report.first_sent is not None
            return "late" if report.first_sent.astimezone(HAI_PHONG).date() > self.due[pair[1]] else "on_time"
        if report is not None and report.status == RETURNED:
            return "returned"
        return "missing"

    def days_late(self, pair: tuple[int, int], today: datetime.date) -> int:
        due = self.due[pair[1]]
        if self.state(pair) in ("on_time", "late"):
            first = self.reports[pair].first_sent
            assert first is not None
            return max(0, (first.astimezone(HAI_PHONG).date() - due).days)
        return max(0, (today - due).days)

    def figures(self, today: datetime.date) -> dict:
        expected = self.expected()
        states = {pair: self.state(pair) for pair in expected}
        counts = {s: sum(1 for v in states.values() if v == s) for s in ("on_time", "late", "returned", "missing")}
        sent = counts["on_time"] + counts["late"]
        return {
            "expected": len(expected),
            **counts,
            "received": sent,
            "reporting_rate": rate(sent, len(expected)),
            "on_time_rate": rate(counts["on_time"], len(expected)),
            "accepted": sum(1 for r in self.reports.values() if r.status == ACCEPTED),
            "waiting": sum(1 for r in self.reports.values() if r.status == SUBMITTED),
            "rows": {pair: (states[pair], self.days_late(pair, today)) for pair in expected},
        }


def rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
