"""Completeness of a cycle as DHIS2 measures it, computed in PostgreSQL.

The unit is the *expected report* and its state, both defined once, in `reports.cycles.selectors` (one row per
agency and rule, whatever the duty items; on time by the first sending). Here they are counted:
expected = on_time + late + returned + missing, reporting rate = (on_time + late) ÷ expected and
on-time rate = on_time ÷ expected, rounded half up (reports.formatting).

Task progress, coverage, targets and difficulties live in `progress`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from plans.models import Plan
from reports.cycles.selectors import COUNTED, KindGroup, ReportState, expected_reports
from reports.formatting import percent
from reports.models import Cycle

__all__ = [
    "COUNTED",
    "Completeness",
    "KindGroup",
    "ReportState",
    "agency_completeness",
    "completeness_by_kind",
    "completeness_by_year",
    "expected_reports",
    "plan_cycles",
]


def _state_counts() -> dict:
    return {
        "expected": Count("pk"),
        "on_time": Count("pk", filter=Q(state=ReportState.ON_TIME)),
        "late": Count("pk", filter=Q(state=ReportState.LATE)),
        "returned": Count("pk", filter=Q(state=ReportState.RETURNED)),
        "missing": Count("pk", filter=Q(state=ReportState.MISSING)),
    }


@dataclass(frozen=True)
class Completeness:
    """One line of completeness: the whole plan, a family of agencies, an agency or a year."""

    label: str
    expected: int
    on_time: int
    late: int
    returned: int
    missing: int
    key: str = ""

    @property
    def submitted(self) -> int:
        return self.on_time + self.late

    @property
    def reporting_rate(self) -> Decimal | None:
        """Submitted ÷ expected, in percent (one decimal, half up); None when nothing is expected (not 0%:
        nothing was owed)."""
        return percent(self.submitted, self.expected)

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.on_time, self.expected)

    @classmethod
    def from_row(cls, label: str, row: dict, key: str = "") -> Completeness:
        return cls(
            label=str(label),
            key=key,
            **{k: row.get(k) or 0 for k in ("expected", "on_time", "late", "returned", "missing")},
        )


def _tally(rows: QuerySet, key: str) -> dict:
    """{key value: {state: n}} from one GROUP BY (key, state) query: the state is computed once per row."""
    tally: dict = {}
    for row in rows.order_by().values(key, "state").annotate(n=Count("pk")):
        counts = tally.setdefault(row[key], {"expected": 0})
        counts[row["state"]] = row["n"]
        counts["expected"] += row["n"]
    return tally


def completeness_by_kind(rows: QuerySet) -> tuple[Completeness, list[Completeness]]:
    """The whole plan and each family of agencies, from one GROUP BY query over `rows` (expected reports).
    A family with nothing expected still gets its line, so the table always has the same shape."""
    tally = _tally(rows, "kind_group")
    families = [Completeness.from_row(str(label), tally.get(key, {}), key) for key, label in KindGroup.choices]
    total = Completeness(
        label=str(_("Toàn kế hoạch")),
        expected=sum(f.expected for f in families),
        on_time=sum(f.on_time for f in families),
        late=sum(f.late for f in families),
        returned=sum(f.returned for f in families),
        missing=sum(f.missing for f in families),
    )
    return total, families


def completeness_by_year(*, plan: Plan, today: datetime.date, rows: QuerySet | None = None) -> list[Completeness]:
    """Reporting and on-time rates of every cycle of the plan, oldest first (one GROUP BY query); `rows`: the
    plan's expected reports as the reader may see them (all by default)."""
    tally = _tally(expected_reports(plan=plan, today=today) if rows is None else rows, "year")
    return [Completeness.from_row(str(year), tally[year], str(year)) for year in sorted(tally)]


def agency_completeness(*, plan: Plan, today: datetime.date, rows: QuerySet | None = None) -> QuerySet:
    """Per agency across every cycle of the plan: expected, on time, late, returned, missing and both rates
    (GROUP BY agency; rows are dicts, sortable on every column); `rows` as in completeness_by_year."""
    rows = (
        (expected_reports(plan=plan, today=today) if rows is None else rows)
        .order_by()
        .values("agency_id", "agency__name", "agency__short_name", "kind_group")
        .annotate(**_state_counts())
    )
    return rows.annotate(
        submitted=F("on_time") + F("late"),
        reporting_rate=Case(
            When(expected=0, then=Value(None)),
            default=100.0 * (F("on_time") + F("late")) / F("expected"),
        ),
        on_time_rate=Case(When(expected=0, then=Value(None)), default=100.0 * F("on_time") / F("expected")),
    ).order_by("agency__name")


def plan_cycles(plan: Plan) -> QuerySet[Cycle]:
    return Cycle.objects.filter(plan=plan).order_by("-year")
