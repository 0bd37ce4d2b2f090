"""Agency reorganisations: when an agency ceases or merges, its successor inherits its tasks and duties.

Lives in `plans`, above `agencies` (which imports neither plans nor reports): a succession re-addresses plan data
(assignments, duty items, rule recipients). `reports` only reads the result."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from agencies.models import Agency, AgencySuccession, Membership
from hptracker.history import set_history_user
from plans.models import AssignmentRole, DutyItem, ReportingRule, RuleRecipient, TaskAssignment

# Lead (chủ trì) beats co-operating (phối hợp) when the successor already has a part in the task.
ROLE_STRENGTH: dict[str, int] = {AssignmentRole.LEAD: 2, AssignmentRole.CO_OPERATING: 1}


@dataclass
class SuccessionResult:
    """What one application changed, for the administrator's message. All zero on a second application."""

    predecessor_closed: bool = False
    assignments_moved: int = 0
    assignments_strengthened: int = 0
    assignments_kept: int = 0
    duty_items_added: int = 0
    recipients_moved: int = 0
    # People are never moved: their accounts stay with the old agency for the administrator to move by hand.
    people_to_move: list[Membership] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.predecessor_closed
            or self.assignments_moved
            or self.assignments_strengthened
            or self.assignments_kept
            or self.duty_items_added
            or self.recipients_moved
        )


def agency_succession_apply(*, succession: AgencySuccession, by) -> SuccessionResult:
    """Hand the predecessor's tasks and duties to the successor from `effective_on`. Idempotent: a second run
    finds nothing current left on the predecessor and changes nothing.

    1. The predecessor exists until the day before `effective_on` (an earlier end already recorded stays).
    2. Each current assignment of the predecessor ends on that day (the row is kept: who was responsible
       when). The successor starts the same role on `effective_on`; if it already has a current part in the
       task, the stronger role wins: a lead replaces its co-operating row (ended and restarted, so that the
       history shows the change), anything else is kept as it is.
    3. The successor joins every duty item of the predecessor, so that it owes the predecessor's reports; not an
       item whose every rule it already reports under (the dashboard counts one expected report per membership,
       and one report per rule is what the agency owes).
    4. Reports addressed to the predecessor (a rule's recipient, or its final recipient) go to the successor.
    Rows are saved one by one so that simple_history records each change with `by`."""
    result = SuccessionResult()
    with transaction.atomic():
        succession = AgencySuccession.objects.select_related("predecessor", "successor").get(pk=succession.pk)
        predecessor = Agency.objects.select_for_update().get(pk=succession.predecessor_id)
        successor = succession.successor
        effective_on = succession.effective_on
        last_day = effective_on - datetime.timedelta(days=1)
        _validate(predecessor, successor, effective_on)

        if predecessor.valid_to is None or predecessor.valid_to > last_day:
            predecessor.valid_to = last_day
            set_history_user(predecessor, by)
            predecessor.save()
            result.predecessor_closed = True

        note = _inherited_note(predecessor, succession)
        for old in TaskAssignment.objects.current().filter(agency=predecessor).select_for_update().order_by("task_id"):
            _end(old, last_day, by)
            _give_to_successor(old, successor, effective_on, last_day, note, by, result)

        for item in DutyItem.objects.filter(agencies=predecessor).exclude(agencies=successor).order_by("pk"):
            if not owes_every_rule_of(successor, item):
                item.agencies.add(successor)
                result.duty_items_added += 1

        _readdress_rules(predecessor, successor, by, result)

        result.people_to_move = list(
            Membership.objects.filter(agency=predecessor).select_related("user").order_by("user__username")
        )
    return result


def _readdress_rules(predecessor: Agency, successor: Agency, by, result: SuccessionResult) -> None:
    for recipient in RuleRecipient.objects.filter(agency=predecessor).select_related("rule").order_by("pk"):
        if RuleRecipient.objects.filter(rule=recipient.rule, agency=successor).exists():
            recipient.delete()  # it already receives these reports: one receipt is enough
        else:
            recipient.agency = successor
            recipient.save()
        result.recipients_moved += 1
    for rule in ReportingRule.objects.filter(final_recipient=predecessor).order_by("pk"):
        rule.final_recipient = successor
        set_history_user(rule, by)
        rule.save()
        result.recipients_moved += 1


def _validate(predecessor: Agency, successor: Agency, effective_on: datetime.date) -> None:
    if predecessor.valid_from >= effective_on:
        raise ValidationError(
            _("%(a)s bắt đầu hoạt động từ %(d)s, không sớm hơn ngày kế thừa: xin kiểm tra lại ngày có hiệu lực.")
            % {"a": predecessor.short_name, "d": f"{predecessor.valid_from:%d/%m/%Y}"}
        )
    if not successor.is_active_on(effective_on):
        raise ValidationError(
            _(
                "%(a)s không hoạt động vào ngày %(d)s nên không nhận kế thừa được: xin kiểm tra "
                "thời gian hiệu lực của cơ quan kế thừa."
            )
            % {"a": successor.short_name, "d": f"{effective_on:%d/%m/%Y}"}
        )


def _inherited_note(predecessor: Agency, succession: AgencySuccession) -> str:
    # Stored with the assignment (plan data read in Vietnamese by the Sở GD&ĐT, like the plan's own notes), so
    # it is written in Vietnamese whatever language the administrator uses.
    with translation.override("vi"):
        kind = str(succession.get_kind_display())
    return f"Kế thừa từ {predecessor.name} ({kind}) từ ngày {succession.effective_on:%d/%m/%Y}."


def _end(assignment: TaskAssignment, last_day: datetime.date, by) -> None:
    assignment.ended_on = last_day
    set_history_user(assignment, by)
    assignment.save()


def _give_to_successor(
    old: TaskAssignment,
    successor: Agency,
    effective_on: datetime.date,
    last_day: datetime.date,
    note: str,
    by,
    result: SuccessionResult,
) -> None:
    mine = TaskAssignment.objects.current().select_for_update().filter(task_id=old.task_id, agency=successor).first()
    if mine is not None and ROLE_STRENGTH[mine.role] >= ROLE_STRENGTH[old.role]:
        result.assignments_kept += 1
        return
    if mine is not None:
        _end(mine, last_day, by)
        result.assignments_strengthened += 1
    else:
        result.assignments_moved += 1
    new = TaskAssignment(
        task_id=old.task_id, agency=successor, role=old.role, status=old.status, note=note, started_on=effective_on
    )
    set_history_user(new, by)
    new.save()


# --- split and function transfer: a named share goes to each successor -----------------------------------------


def agency_share_hand_over(
    *,
    succession: AgencySuccession,
    assignments: list[TaskAssignment],
    duty_items: list[DutyItem],
    rule_ids: set[int] | None,
    by,
) -> SuccessionResult:
    """Give one successor its share of what the predecessor held: the current `assignments` named for it (each
    with the predecessor's role, the stronger role winning as in a merger), the `duty_items` named for it, and
    the predecessor's place among the recipients of the rules `rule_ids` (None: every rule). The predecessor's
    rows are not ended here: in a split the same row may go to several successors, so the caller ends them once
    all shares are given. Idempotent: a second run finds the successor's rows already there."""
    result = SuccessionResult()
    predecessor, successor = succession.predecessor, succession.successor
    effective_on = succession.effective_on
    last_day = effective_on - datetime.timedelta(days=1)
    _validate(predecessor, successor, effective_on)
    note = _inherited_note(predecessor, succession)
    for old in assignments:
        _give_to_successor(old, successor, effective_on, last_day, note, by, result)
    for item in duty_items:
        if not item.agencies.filter(pk=successor.pk).exists() and not owes_every_rule_of(successor, item):
            item.agencies.add(successor)
            result.duty_items_added += 1
    for recipient in RuleRecipient.objects.filter(agency=predecessor).select_related("rule").order_by("pk"):
        if rule_ids is not None and recipient.rule_id not in rule_ids:
            continue
        if not RuleRecipient.objects.filter(rule=recipient.rule, agency=successor).exists():
            RuleRecipient.objects.create(rule=recipient.rule, agency=successor, order=recipient.order)
            result.recipients_moved += 1
    return result


def agency_share_take_back(
    *, succession: AgencySuccession, task_ids: set[int] | None, rule_ids: set[int] | None, by
) -> int:
    """Undo `agency_share_hand_over` (or a merger's hand-over) for one successor: the rows it inherited on
    `effective_on` (recognised by their note) are deleted, a part of its own that a stronger inherited role
    replaced is reopened, and its place among the recipients of `rule_ids` goes back to the predecessor. Returns
    how many rows changed. Duty items are left alone: the membership is not dated, and a successor that existed
    before may have held the item in its own right."""
    predecessor, successor = succession.predecessor, succession.successor
    last_day = succession.effective_on - datetime.timedelta(days=1)
    changes = 0
    inherited = TaskAssignment.objects.current().filter(
        agency=successor, started_on=succession.effective_on, note=_inherited_note(predecessor, succession)
    )
    if task_ids is not None:
        inherited = inherited.filter(task_id__in=task_ids)
    for row in inherited.order_by("pk"):
        task_id = row.task_id
        set_history_user(row, by)
        row.delete()
        changes += 1
        replaced = (
            TaskAssignment.objects.filter(agency=successor, task_id=task_id, ended_on=last_day).order_by("-pk").first()
        )
        if replaced is not None:
            replaced.ended_on = None
            set_history_user(replaced, by)
            replaced.save()
            changes += 1
    recipients = RuleRecipient.objects.filter(agency=successor)
    if rule_ids is not None:
        recipients = recipients.filter(rule_id__in=rule_ids)
    for recipient in recipients.order_by("pk"):
        if RuleRecipient.objects.filter(rule_id=recipient.rule_id, agency=predecessor).exists():
            recipient.delete()
        else:
            recipient.agency = predecessor
            recipient.save()
        changes += 1
    return changes


# --- preview: what applying would do, shown to the administrator before anything is written ---------------------


@dataclass
class SuccessionPreview:
    succession: AgencySuccession
    result: SuccessionResult | None
    error: str = ""
    task_codes: list[str] = field(default_factory=list)  # the predecessor's current tasks, all of which move
    open_reports: list[str] = field(default_factory=list)


def agency_succession_preview(*, successions: list[AgencySuccession], by) -> list[SuccessionPreview]:
    """Apply the successions in order (a chain hands on what the earlier link gave) inside a transaction that is
    rolled back: the preview is exactly what applying does, and nothing is written."""
    previews = []
    with transaction.atomic():
        for succession in successions:
            current = TaskAssignment.objects.current().filter(agency=succession.predecessor)
            preview = SuccessionPreview(
                succession=succession,
                result=None,
                task_codes=sorted(
                    (a.task.code for a in current.select_related("task__group")),
                    key=lambda code: tuple(int(part) for part in code.split(".")),
                ),
                open_reports=open_reports_of(succession.predecessor),
            )
            try:
                with transaction.atomic():
                    preview.result = agency_succession_apply(succession=succession, by=by)
            except ValidationError as error:
                preview.error = " ".join(error.messages)
            previews.append(preview)
        transaction.set_rollback(True)
    return previews


def open_reports_of(agency: Agency) -> list[str]:
    """Reports of an agency in a cycle still open, not yet accepted: they stay with the agency that ends. Read by
    model name because `plans` never imports `reports`."""
    from django.apps import apps

    try:
        submission = apps.get_model("reports", "Submission")
    except LookupError:
        return []
    rows = (
        submission.objects.filter(agency=agency, cycle__status="open")
        .exclude(status="accepted")
        .select_related("cycle", "rule")
        .order_by("cycle__year", "rule__code")
    )
    return [f"{agency.short_name}: {s.cycle.year}, {s.rule.title} ({s.get_status_display()})" for s in rows]


def owes_every_rule_of(agency: Agency, item: DutyItem) -> bool:
    """True when the agency already reports, through another item, under every rule that `item` feeds."""
    owed = set(ReportingRule.objects.filter(reporters__agencies=agency).values_list("pk", flat=True))
    return set(item.rules.values_list("pk", flat=True)) <= owed
