"""Completeness of a cycle as DHIS2 measures it, computed in PostgreSQL.

The unit is the *expected report*: one (agency, reporting rule) pair of a cycle, where the agency belongs to
one of the rule's duty items and exists on the rule's deadline (the rule of `services.cycles.expected_submissions`:
an agency that ceased to exist before the deadline is not expected, its successor is). Such a row is a row of the
many-to-many table DutyItem.agencies joined to the rule's CycleDeadline, so a queryset of it can be filtered,
sorted and paginated by django-tables2 like any model.

Each expected report is in exactly one state:
- on_time   submitted or accepted, and submitted (local date) on or before CycleDeadline.due_on;
- late      submitted or accepted after the deadline;
- returned  sent back by the reviewer ("trả lại"): not counted as submitted, it is owed again;
- missing   no submission, or a draft still being written.
So expected = on_time + late + returned + missing, reporting rate = (on_time + late) ÷ expected and
on-time rate = on_time ÷ expected.

Task progress, coverage, targets and difficulties live in `selectors_progress`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils.translation import gettext_lazy as _

from agencies.models import AgencyKind
from plans.models import DutyItem, Plan
from reports.models import Cycle, Submission, SubmissionStatus

ExpectedLink = DutyItem.agencies.through  # (dutyitem, agency): one row per agency of a duty item

COUNTED = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)
FAR_FUTURE = datetime.date(9999, 12, 31)


class ReportState:
    ON_TIME = "on_time"
    LATE = "late"
    RETURNED = "returned"
    MISSING = "missing"

    choices = [
        (ON_TIME, _("Đã gửi đúng hạn")),
        (LATE, _("Đã gửi muộn")),
        (RETURNED, _("Bị trả lại")),
        (MISSING, _("Chưa gửi")),
    ]
    labels = dict(choices)


class KindGroup:
    """The three families the dashboard compares (Agency.kind folded): departments, districts, the rest."""

    DEPARTMENT = "department"
    DISTRICT = "district"
    OTHER = "other"

    choices = [
        (DEPARTMENT, _("Sở, ban, ngành")),
        (DISTRICT, _("Quận, huyện")),
        (OTHER, _("Cơ quan, đơn vị khác")),
    ]
    labels = dict(choices)


def _days_between(later, earlier) -> Func:
    # date - date is an integer number of days in PostgreSQL; Django would make it an interval.
    return Func(later, earlier, template="(%(expressions)s)", arg_joiner=" - ", output_field=IntegerField())


def expected_reports(*, plan: Plan, today: datetime.date, cycle: Cycle | None = None) -> QuerySet:
    """Every expected report of `cycle` (or of every cycle of `plan`), annotated with its submission.

    Annotations: cycle_id, year, rule_id, due_on, submission_id, state (ReportState), kind_group (KindGroup)
    and days_late (for a late submission: days after the deadline it arrived; for a missing or returned one
    (a draft included): days from the deadline to `today`; 0 otherwise).
    """
    deadline = "dutyitem__rules__cycle_deadlines"
    scope = Q(**{f"{deadline}__cycle": cycle}) if cycle is not None else Q(**{f"{deadline}__cycle__plan": plan})
    # One filter() call so that every condition applies to the same joined deadline row.
    rows = ExpectedLink.objects.filter(
        scope,
        Q(dutyitem__rules__consolidates=False),
        Q(**{f"{deadline}__due_on__gte": F("agency__valid_from")}),
        Q(**{f"{deadline}__due_on__lte": Coalesce(F("agency__valid_to"), Value(FAR_FUTURE))}),
    ).annotate(
        cycle_id=F(f"{deadline}__cycle_id"),
        year=F(f"{deadline}__cycle__year"),
        rule_id=F("dutyitem__rules__id"),
        due_on=F(f"{deadline}__due_on"),
    )
    # The submission is found by its unique key (cycle, agency, rule); each value is one index probe. The
    # state and the delay are computed inside the probe so that PostgreSQL runs it once per row, not once
    # per expression that mentions it.
    own = Submission.objects.filter(
        cycle_id=OuterRef("cycle_id"), agency_id=OuterRef("agency_id"), rule_id=OuterRef("rule_id")
    ).order_by()
    state = own.annotate(
        value=Case(
            When(status__in=COUNTED, submitted_at__date__lte=OuterRef("due_on"), then=Value(ReportState.ON_TIME)),
            When(status__in=COUNTED, then=Value(ReportState.LATE)),
            When(status=SubmissionStatus.RETURNED, then=Value(ReportState.RETURNED)),
            default=Value(ReportState.MISSING),
            output_field=CharField(),
        )
    ).values("value")[:1]
    owed = Greatest(Value(0), _days_between(Value(today), OuterRef("due_on")))
    delay = own.annotate(
        value=Case(
            When(
                status__in=COUNTED,
                then=Greatest(Value(0), _days_between(TruncDate("submitted_at"), OuterRef("due_on"))),
            ),
            default=owed,
            output_field=IntegerField(),
        )
    ).values("value")[:1]
    return rows.annotate(
        submission_id=Subquery(own.values("pk")[:1]),
        state=Coalesce(Subquery(state), Value(ReportState.MISSING), output_field=CharField()),
        days_late=Coalesce(
            Subquery(delay), Greatest(Value(0), _days_between(Value(today), F("due_on"))), output_field=IntegerField()
        ),
        kind_group=Case(
            When(agency__kind=AgencyKind.DEPARTMENT, then=Value(KindGroup.DEPARTMENT)),
            When(agency__kind=AgencyKind.DISTRICT, then=Value(KindGroup.DISTRICT)),
            default=Value(KindGroup.OTHER),
            output_field=CharField(),
        ),
    ).select_related("agency")


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
    def reporting_rate(self) -> float | None:
        """Submitted ÷ expected, in percent; None when nothing is expected (not 0%: nothing was owed)."""
        return round(100 * self.submitted / self.expected, 1) if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.expected, 1) if self.expected else None

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
    families = [Completeness.from_row(label, tally.get(key, {}), key) for key, label in KindGroup.choices]
    total = Completeness(
        label=str(_("Toàn kế hoạch")),
        expected=sum(f.expected for f in families),
        on_time=sum(f.on_time for f in families),
        late=sum(f.late for f in families),
        returned=sum(f.returned for f in families),
        missing=sum(f.missing for f in families),
    )
    return total, families


def completeness_by_year(*, plan: Plan, today: datetime.date) -> list[Completeness]:
    """Reporting and on-time rates of every cycle of the plan, oldest first (one GROUP BY query)."""
    tally = _tally(expected_reports(plan=plan, today=today), "year")
    return [Completeness.from_row(str(year), tally[year], str(year)) for year in sorted(tally)]


def agency_completeness(*, plan: Plan, today: datetime.date) -> QuerySet:
    """Per agency across every cycle of the plan: expected, on time, late, returned, missing and both rates
    (GROUP BY agency; rows are dicts, sortable on every column)."""
    rows = (
        expected_reports(plan=plan, today=today)
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
