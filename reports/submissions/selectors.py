"""Reads of the submission area that several views (and services) share. Each runs a fixed number of queries
whatever the number of tasks."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from types import EllipsisType

from django.db.models import Exists, Prefetch, Q, QuerySet

from agencies.models import Agency, AgencyKind, in_name_order
from plans.models import RuleRecipient, Target
from reports import permissions
from reports.models import (
    Cycle,
    CycleDeadline,
    Evidence,
    Receipt,
    Submission,
    SubmissionEvent,
    SubmissionEventKind,
    SubmissionStatus,
    TaskReport,
)
from reports.submissions.checks import deadline_of
from reports.times import format_date, format_datetime

# Events a reviewer writes for the agency to read.
COMMENT_KINDS = (
    SubmissionEventKind.RETURNED,
    SubmissionEventKind.ACCEPTED,
    SubmissionEventKind.REOPENED,
    SubmissionEventKind.COMMENTED,
)


def targets_for_agency(*, agency: Agency, plan_id: int, task_ids: set[int] | None = None) -> list[Target]:
    """The targets an agency reports values for: those of its own tasks (3.8 and 5.1 carry targets); the
    districts and the consolidator (first recipient of the agencies' reports, decided from data, not from an
    agency code) report every target of the plan. One query whatever the agency."""
    queryset = Target.objects.filter(plan_id=plan_id).select_related("task__group").order_by("code")
    if agency.kind != AgencyKind.DISTRICT:
        if task_ids is None:
            from plans.models import TaskAssignment

            task_ids = set(TaskAssignment.objects.current().filter(agency=agency).values_list("task_id", flat=True))
        consolidator = RuleRecipient.objects.consolidating().filter(agency=agency)
        queryset = queryset.filter(Q(task_id__in=task_ids) | Q(Exists(consolidator)))
    return list(queryset)


def submission_for_page(*, pk: int) -> Submission:
    return Submission.objects.select_related("cycle__plan", "agency", "rule", "submitted_by", "accepted_by").get(pk=pk)


@dataclass
class TaskRow:
    report: TaskReport
    timeliness: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class SubmissionPage:
    submission: Submission
    deadline: CycleDeadline | None
    rows: list[TaskRow]
    general_evidence: list[Evidence]
    targets: list[Target]
    target_values: dict[int, object]
    comments: list[SubmissionEvent]
    receipts: list[Receipt]

    @property
    def subject(self) -> str:
        """The page's title: the report's subject as its documents head it (each rule has its own: the districts'
        November review, the vocational-training report)."""
        return self.submission.rule.subject_in(self.submission.cycle.year)


def submission_page(
    *, submission: Submission, today: datetime.date, deadline: CycleDeadline | None | EllipsisType = ...
) -> SubmissionPage:
    """Everything the edit and detail pages show: task reports with their documents and evidence, targets,
    the deadline (read here unless the caller has it: the edit page read it to check that entry is open),
    reviewers' comments, receipts."""
    reports = list(
        submission.task_reports.select_related("task__group")
        .prefetch_related("documents")
        .order_by("task__group__number", "task__number")
    )
    evidence_by_report: dict[int | None, list[Evidence]] = defaultdict(list)
    for item in submission.evidence.order_by("uploaded_at", "pk"):
        evidence_by_report[item.task_report_id].append(item)
    rows = [
        TaskRow(report=r, timeliness=r.timeliness(today), evidence=evidence_by_report.get(r.pk, [])) for r in reports
    ]
    targets = targets_for_agency(
        agency=submission.agency, plan_id=submission.cycle.plan_id, task_ids={r.task_id for r in reports}
    )
    return SubmissionPage(
        submission=submission,
        deadline=deadline_of(submission) if deadline is ... else deadline,
        rows=rows,
        general_evidence=evidence_by_report.get(None, []),
        targets=targets,
        target_values={tv.target_id: tv for tv in submission.target_values.all()},
        comments=list(
            submission.events.filter(kind__in=COMMENT_KINDS)
            .select_related("actor", "actor_agency")
            .order_by("-at", "-pk")
        ),
        receipts=list(
            submission.receipts.select_related("recipient", "acknowledged_by").order_by(*in_name_order("recipient__"))
        ),
    )


@dataclass
class AgencyCycleRow:
    cycle: Cycle
    deadline: CycleDeadline
    submission: Submission | None
    comments: list[SubmissionEvent]
    can_prefill: bool
    # Set by the agency page for the person reading it: a report addressed elsewhere is hidden from them.
    hidden: bool = False
    visible: bool = False


def agency_cycles(*, agency: Agency) -> list[AgencyCycleRow]:
    """The agency's page: every cycle in which it owes a report, newest first, with its report's state."""
    from reports.cycles.selectors import expected_submissions

    submissions = {
        (s.cycle_id, s.rule_id): s
        for s in Submission.objects.filter(agency=agency).prefetch_related(
            Prefetch(
                "events",
                queryset=SubmissionEvent.objects.filter(kind__in=COMMENT_KINDS)
                .select_related("actor")
                .order_by("-at", "-pk"),
                to_attr="comment_events",
            )
        )
    }
    accepted_years = {
        s.cycle.year
        for s in Submission.objects.filter(agency=agency, status=SubmissionStatus.ACCEPTED).select_related("cycle")
    }
    rows = []
    for cycle in Cycle.objects.select_related("plan").order_by("-year"):
        for expected in expected_submissions(cycle=cycle, agency=agency):
            found = submissions.get((cycle.pk, expected.rule.pk))
            rows.append(
                AgencyCycleRow(
                    cycle=cycle,
                    deadline=expected.deadline,
                    submission=found,
                    comments=getattr(found, "comment_events", []) if found else [],
                    can_prefill=any(year < cycle.year for year in accepted_years),
                )
            )
    return rows


def agency_lineage_reports(*, user, agency: Agency) -> list[Submission]:
    """Reports of the agencies this one took over from (a merger, a split, a rename; not a function transfer, after
    which the giver goes on), down the whole chain, newest first. Each stays its own agency's report: a commune's
    page lists quận Lê Chân's 2021–2024 reports under quận Lê Chân. Only those `user` may open are returned."""
    from agencies.models import AgencySuccession, SuccessionKind

    found: set[int] = set()
    frontier = {agency.pk}
    while frontier:
        frontier = (
            set(
                AgencySuccession.objects.filter(successor_id__in=frontier)
                .exclude(kind=SuccessionKind.TRANSFERRED)
                .values_list("predecessor_id", flat=True)
            )
            - found
            - {agency.pk}
        )
        found |= frontier
    reports = Submission.objects.filter(agency_id__in=found).select_related("agency", "cycle", "rule")
    return list(
        permissions.submissions_visible_to(user, reports).order_by(
            "-cycle__year", *in_name_order("agency__"), "rule__code"
        )
    )


def to_review_by(agency_id: int) -> Q:
    """Reports sent and waiting for the review of `agency_id`: it is the first recipient of their rule."""
    first = RuleRecipient.objects.filter(agency_id=agency_id, order=1).values("rule_id")
    return Q(status=SubmissionStatus.SUBMITTED, rule_id__in=first)


def inbox_for(user) -> QuerySet[Submission]:
    """Submitted reports waiting for the reviewer's agency: to review (first recipient) or to acknowledge."""
    # The oldest first; the id breaks ties (reports sent in the same minute), so that pages never overlap.
    queryset = Submission.objects.select_related("agency", "cycle", "rule").order_by("submitted_at", "pk")
    if permissions.is_admin(user):
        return queryset.filter(status=SubmissionStatus.SUBMITTED)
    agency_id = permissions.agency_id_of(user)
    if agency_id is None:
        return queryset.none()
    unacknowledged = Receipt.objects.filter(recipient_id=agency_id, acknowledged_at__isnull=True).values(
        "submission_id"
    )
    return permissions.submissions_visible_to(user, queryset).filter(
        to_review_by(agency_id)
        | Q(status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED], pk__in=unacknowledged)
    )  # subqueries, no join: each report once without DISTINCT (which compared every column, texts included)


@dataclass
class HistoryEntry:
    at: datetime.datetime
    who: object
    subject: str
    kind: str
    changes: list[tuple[str, str, str]]


# Bookkeeping fields that change on every save and tell the reader nothing.
HISTORY_SKIP = {"version", "updated_by", "submitted_by", "accepted_by", "prefilled_from", "channel"}


def _display(field, value) -> str:
    from django.utils.translation import gettext as _

    if value in (None, ""):
        return "—"
    # A moment in Hải Phòng's time, never "2026-11-30 01:40:17.091348+00:00".
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, datetime.date):
        return format_date(value)
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    choices = dict(field.choices or ())
    return str(choices.get(value, value))


def _walk(records, model, subject_for) -> list[HistoryEntry]:
    entries: list[HistoryEntry] = []
    previous: dict[int, object] = {}
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        changes = []
        if before is not None:
            delta = record.diff_against(before, excluded_fields=HISTORY_SKIP)
            for change in delta.changes:
                field = model._meta.get_field(change.field)
                changes.append((str(field.verbose_name), _display(field, change.old), _display(field, change.new)))
            if not changes and record.history_type == "~":
                continue
        entries.append(
            HistoryEntry(
                at=record.history_date,
                who=record.history_user,
                subject=subject_for(record),
                kind=record.history_type,
                changes=changes,
            )
        )
    return entries


def submission_history(*, submission: Submission) -> list[HistoryEntry]:
    """Who changed what and when, from django-simple-history, newest first (diff_against between consecutive
    records of each row)."""
    from django.utils.translation import gettext as _

    from reports.models import TargetValue

    codes = {r.pk: r.task.code for r in submission.task_reports.select_related("task__group")}
    targets = {t.pk: t.name for t in Target.objects.filter(plan_id=submission.cycle.plan_id)}
    entries = _walk(
        submission.history.select_related("history_user").order_by("history_date", "history_id"),
        Submission,
        lambda r: _("Báo cáo (phần chung, trạng thái)"),
    )
    entries += _walk(
        TaskReport.history.filter(submission_id=submission.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id"),
        TaskReport,
        lambda r: _("Nhiệm vụ %(code)s") % {"code": codes.get(r.id, "?")},
    )
    entries += _walk(
        TargetValue.history.filter(submission_id=submission.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id"),
        TargetValue,
        lambda r: _("Chỉ tiêu: %(name)s") % {"name": targets.get(r.target_id, "?")},
    )
    return sorted(entries, key=lambda e: e.at, reverse=True)
