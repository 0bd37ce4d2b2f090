"""THE definition of who owes a report, and of each report's state, in one SQL query (issue 9).

Every page, export, document, reminder and the submission pages read it: the dashboard through
`expected_reports`, Python callers through `expected_submissions` (the same rows as a list).

Who owes a report: one row per (agency, reporting rule, cycle), whatever the number of the rule's duty items the
agency belongs to (after a merger the successor sits in its own item and in the predecessor's: one row), for
the agencies that exist on the rule's deadline (valid_from <= due_on <= valid_to). An agency that ceased before
the deadline owes nothing (its successor does: it joined the predecessor's duty items and exists on the deadline,
so it owes the report of the year in which it takes over); one created on or before the deadline owes it. The
consolidated report (rule.consolidates) is not an agency's report.

Each expected report is in exactly one state, decided by its submission:
- on_time   sent (submitted or accepted now) and FIRST sent before the end of the deadline day in Hải Phòng;
- late      sent, first sent after that (a re-send after a return never changes on time / late);
- returned  sent back by the reviewer ("trả lại") and not re-sent: owed again;
- missing   no submission, or a draft never sent.
received = on_time + late (a report counts as received from its first sending, while it is submitted or
accepted); accepted = the subset whose status is accepted (the figures of the consolidated report).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields import BooleanField, DateField
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencyKind, in_name_order
from plans.models import DutyItem, Plan, ReportingRule
from reports.models import Cycle, CycleDeadline, SubmissionStatus
from reports.models.cycles import DEADLINE_ZONE

ExpectedLink = DutyItem.agencies.through  # (dutyitem, agency): one row per agency of a duty item
RuleReporter = ReportingRule.reporters.through  # (reportingrule, dutyitem)

COUNTED = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)
FAR_FUTURE = datetime.date(9999, 12, 31)
DEADLINE_ZONE_NAME = DEADLINE_ZONE.key
# The attribute that marks a queryset of `expected_reports` as a whole plan's or cycle's rows, unfiltered:
# (plan id, cycle id or None).
WHOLE_SCOPE = "ledger_scope"


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
    """The three families the dashboard compares (Agency.kind folded): departments, local government (the
    districts until 30/6/2025, the communes that succeeded them from 1/7/2025), the rest. The folding is written
    once, in MEMBERS, and read three ways: in SQL (`case`, the rows' kind_group), as a filter (`q`, on the indexed
    kind) and in Python (`of`)."""

    DEPARTMENT = "department"
    # Still "district" as stored and in URLs: saved links (?kind=district), exports and bookmarks made when the
    # family held only the districts keep working.
    LOCAL = "district"
    OTHER = "other"

    choices = [
        (DEPARTMENT, _("Sở, ban, ngành")),
        (LOCAL, _("Quận, huyện; xã, phường, đặc khu")),
        (OTHER, _("Cơ quan, đơn vị khác")),
    ]
    labels = dict(choices)
    # The agency kinds of each named family; every other kind is OTHER. The communes carry the districts' duties
    # in plan 193 since 1/7/2025, so both are the local level and the years compare.
    MEMBERS: dict[str, tuple[str, ...]] = {
        DEPARTMENT: (AgencyKind.DEPARTMENT,),
        LOCAL: (AgencyKind.DISTRICT, AgencyKind.COMMUNE),
    }

    @classmethod
    def of(cls, kind: str) -> str:
        return next((family for family, kinds in cls.MEMBERS.items() if kind in kinds), cls.OTHER)

    @classmethod
    def case(cls, field: str) -> Case:
        """The family of the agency kind at `field`, in SQL."""
        return Case(
            *(When(**{f"{field}__in": kinds}, then=Value(family)) for family, kinds in cls.MEMBERS.items()),
            default=Value(cls.OTHER),
            output_field=CharField(),
        )

    @classmethod
    def q(cls, field: str, family: str) -> Q:
        """The agencies of `family` through the kind lookup `field` (e.g. "submission__agency__kind"): a filter on
        the kind itself, which PostgreSQL can estimate, never on the CASE that labels it."""
        if family in cls.MEMBERS:
            return Q(**{f"{field}__in": cls.MEMBERS[family]})
        return ~Q(**{f"{field}__in": [kind for kinds in cls.MEMBERS.values() for kind in kinds]})


class DaysBetween(Func):
    """later - earlier, in whole days. PostgreSQL: date - date is an integer (Django would make it an interval);
    SQLite (`make run`) keeps dates as text: the difference of their Julian day numbers."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class LocalDay(Func):
    """The day of a timestamp in Hải Phòng, whatever the connection's time zone."""

    template = f"((%(expressions)s) AT TIME ZONE '{DEADLINE_ZONE_NAME}')::date"
    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite (`make run`) stores timestamps as UTC text and knows no time zones; Việt Nam has kept UTC+7,
        # without daylight saving, since 1975.
        return self.as_sql(compiler, connection, template="date(%(expressions)s, '+7 hours')", **extra_context)


def _days_between(later, earlier) -> Func:
    return DaysBetween(later, earlier)


def local_day(field: str) -> Func:
    return LocalDay(F(field))


def sent_late(due_on, first_submitted_at: str = "first_submitted_at") -> ExpressionWrapper:
    """SQL twin of CycleDeadline.is_late: the first sending falls after the deadline day in Hải Phòng."""
    return ExpressionWrapper(
        Func(local_day(first_submitted_at), due_on, template="(%(expressions)s)", arg_joiner=" > "),
        output_field=BooleanField(),
    )


def expected_reports(
    *,
    today: datetime.date,
    plan: Plan | None = None,
    cycle: Cycle | None = None,
    agency: Agency | None = None,
) -> QuerySet:
    """Every expected report of `cycle` (or of every cycle of `plan`), one row per (agency, rule, cycle),
    annotated with its submission. Rows are DutyItem.agencies link rows (the first duty item through which the
    agency owes the rule), so django-tables2 filters, sorts and paginates them like any model.

    Annotations: cycle_id, year, rule_id, due_on, submission_id, status (the submission's, '' without one),
    first_submitted_at, state (ReportState), kind_group (KindGroup) and days_late (for a late report: days after
    the deadline it was first sent; for a missing or returned one (a draft included): days from the deadline to
    `today`; 0 otherwise).
    """
    if cycle is None and plan is None:
        raise ValueError("expected_reports needs a cycle or a plan")
    deadline = "dutyitem__rules__cycle_deadlines"
    own = "dutyitem__rules__submissions"
    # The submission, if any, by its unique key (cycle, agency, rule), LEFT JOINed on the rule row the
    # expected report comes from: one join, not one correlated probe per expression that mentions it (a
    # GROUP BY state with its counts mentioned it nine times per row).
    rows = ExpectedLink.objects.annotate(
        own=FilteredRelation(
            own,
            condition=Q(**{f"{own}__agency_id": F("agency_id"), f"{own}__cycle_id": F(f"{deadline}__cycle_id")}),
        )
    )
    scope = Q(**{f"{deadline}__cycle": cycle}) if cycle is not None else Q(**{f"{deadline}__cycle__plan": plan})
    # One filter() call so that every condition applies to the same joined deadline row.
    rows = rows.filter(
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
    if agency is not None:
        rows = rows.filter(agency_id=agency.pk)
    # One row per (agency, rule): drop the link when the same agency owes the same rule through a duty item with
    # a smaller id (a successor sits in its own item and its predecessor's).
    twin = RuleReporter.objects.filter(
        reportingrule_id=OuterRef("rule_id"),
        dutyitem_id__lt=OuterRef("dutyitem_id"),
        dutyitem__agencies=OuterRef("agency_id"),
    )
    rows = rows.filter(~Exists(twin))
    counted = Q(own__status__in=COUNTED)
    owed = Greatest(Value(0), _days_between(Value(today), F("due_on")))
    expected = rows.annotate(
        submission_id=F("own__id"),
        status=Coalesce(F("own__status"), Value(""), output_field=CharField()),
        first_submitted_at=F("own__first_submitted_at"),
        state=Case(
            When(counted & ~Q(sent_late(F("due_on"), "own__first_submitted_at")), then=Value(ReportState.ON_TIME)),
            When(counted, then=Value(ReportState.LATE)),
            When(own__status=SubmissionStatus.RETURNED, then=Value(ReportState.RETURNED)),
            default=Value(ReportState.MISSING),
            output_field=CharField(),
        ),
        days_late=Case(
            When(
                counted,
                then=Greatest(Value(0), _days_between(local_day("own__first_submitted_at"), F("due_on"))),
            ),
            default=owed,
            output_field=IntegerField(),
        ),
        kind_group=KindGroup.case("agency__kind"),
    ).select_related("agency")
    if agency is None:
        # A whole plan's or cycle's expected reports: what the ledger stores (reports.cycles.ledger). Any filter
        # clones the queryset without this mark, so a narrowed set is always counted from the definition.
        if cycle is not None:
            setattr(expected, WHOLE_SCOPE, (cycle.plan_id, cycle.pk))
        elif plan is not None:
            setattr(expected, WHOLE_SCOPE, (plan.pk, None))
    return expected


@dataclass(frozen=True)
class Expected:
    """One expected submission: an agency that owes a report under a rule in a cycle."""

    agency: Agency
    deadline: CycleDeadline

    @property
    def rule(self) -> ReportingRule:
        return self.deadline.rule


def listed_expected_reports(*, cycle: Cycle, agency: Agency | None = None) -> QuerySet:
    """The rows of `expected_reports` for one cycle in the order they are listed everywhere (the cycle page,
    `expected_submissions`): by deadline, rule, then the agency's name in Vietnamese order ("Đồ Sơn" among the
    D's). Sorted by the database, so a page of them is read without the rest."""
    return (
        expected_reports(cycle=cycle, agency=agency, today=datetime.date.today())
        .annotate(rule_code=F("dutyitem__rules__code"))
        .order_by("due_on", "rule_code", *in_name_order("agency__"))
    )


def expected_submissions(*, cycle: Cycle, agency: Agency | None = None) -> list[Expected]:
    """`listed_expected_reports` as a list of Expected, for the Python callers: submission pages, reminders, the
    consolidated document, open_cycle, the demo."""
    pairs = list(listed_expected_reports(cycle=cycle, agency=agency).values_list("agency_id", "rule_id"))
    return as_expected(pairs, deadlines=cycle.deadlines.select_related("rule"))


def as_expected(pairs: list[tuple[int, int]], *, deadlines: Iterable[CycleDeadline]) -> list[Expected]:
    """Expected objects for (agency_id, rule_id) pairs, in their order, with their cycle's `deadlines` (read with
    their rule) and one query for the agencies."""
    by_rule = {d.rule_id: d for d in deadlines}
    agencies = Agency.objects.in_bulk({agency_id for agency_id, _rule_id in pairs})
    return [Expected(agency=agencies[agency_id], deadline=by_rule[rule_id]) for agency_id, rule_id in pairs]
