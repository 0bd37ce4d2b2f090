"""Agency reorganisations: when an agency ceases or merges, its successor inherits its tasks and duties.

Imports `plans` (tasks and duty items are plan data) but never `reports`: the cycle reads the result."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from agencies.models import Agency, AgencySuccession, Membership
from plans.models import AssignmentRole, DutyItem, ReportingRule, RuleRecipient, TaskAssignment

# Lead (chủ trì) beats co-operating (phối hợp) when the successor already has a part in the task.
ROLE_STRENGTH = {AssignmentRole.LEAD: 2, AssignmentRole.CO_OPERATING: 1}


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
        return bool(self.predecessor_closed or self.assignments_moved or self.assignments_strengthened
                    or self.assignments_kept or self.duty_items_added or self.recipients_moved)


def agency_succession_apply(*, succession: AgencySuccession, by) -> SuccessionResult:
    """Hand the predecessor's tasks and duties to the successor from `effective_on`. Idempotent: a second run
    finds nothing current left on the predecessor and changes nothing.

    1. The predecessor exists until the day before `effective_on` (an earlier end already recorded stays).
    2. Each current assignment of the predecessor ends on that day (the row is kept: who was responsible
       when). The successor starts the same role on `effective_on`; if it already has a current part in the
       task, the stronger role wins: a lead replaces its co-operating row (ended and restarted, so that the
       history shows the change), anything else is kept as it is.
    3. The successor joins every duty item of the predecessor, so that it owes the predecessor's reports.
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
            predecessor._history_user = by
            predecessor.save()
            result.predecessor_closed = True

        note = _inherited_note(predecessor, succession)
        for old in (TaskAssignment.objects.current().filter(agency=predecessor)
                    .select_for_update().order_by("task_id")):
            _end(old, last_day, by)
            _give_to_successor(old, successor, effective_on, last_day, note, by, result)

        for item in DutyItem.objects.filter(agencies=predecessor).exclude(agencies=successor).order_by("pk"):
            item.agencies.add(successor)
            result.duty_items_added += 1

        _readdress_rules(predecessor, successor, by, result)

        result.people_to_move = list(Membership.objects.filter(agency=predecessor)
                                     .select_related("user").order_by("user__username"))
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
        rule._history_user = by
        rule.save()
        result.recipients_moved += 1


def _validate(predecessor: Agency, successor: Agency, effective_on: datetime.date) -> None:
    if predecessor.valid_from >= effective_on:
        raise ValidationError(_("%(a)s bắt đầu hoạt động từ %(d)s, không sớm hơn ngày kế thừa: xin kiểm tra lại "
                                "ngày có hiệu lực.") % {"a": predecessor.short_name,
                                                         "d": f"{predecessor.valid_from:%d/%m/%Y}"})
    if not successor.is_active_on(effective_on):
        raise ValidationError(_("%(a)s không hoạt động vào ngày %(d)s nên không nhận kế thừa được: xin kiểm tra "
                                "thời gian hiệu lực của cơ quan kế thừa.") % {"a": successor.short_name,
                                                                             "d": f"{effective_on:%d/%m/%Y}"})


def _inherited_note(predecessor: Agency, succession: AgencySuccession) -> str:
    # Stored with the assignment (plan data read in Vietnamese by the Sở GD&ĐT, like the plan's own notes), so
    # it is written in Vietnamese whatever language the administrator uses.
    with translation.override("vi"):
        kind = str(succession.get_kind_display())
    return f"Kế thừa từ {predecessor.name} ({kind}) từ ngày {succession.effective_on:%d/%m/%Y}."


def _end(assignment: TaskAssignment, last_day: datetime.date, by) -> None:
    assignment.ended_on = last_day
    assignment._history_user = by
    assignment.save()


def _give_to_successor(old: TaskAssignment, successor: Agency, effective_on: datetime.date,
                       last_day: datetime.date, note: str, by, result: SuccessionResult) -> None:
    mine = TaskAssignment.objects.current().select_for_update().filter(task_id=old.task_id, agency=successor).first()
    if mine is not None and ROLE_STRENGTH[mine.role] >= ROLE_STRENGTH[old.role]:
        result.assignments_kept += 1
        return
    if mine is not None:
        _end(mine, last_day, by)
        result.assignments_strengthened += 1
    else:
        result.assignments_moved += 1
    new = TaskAssignment(task_id=old.task_id, agency=successor, role=old.role, status=old.status, note=note,
                         started_on=effective_on)
    new._history_user = by
    new.save()
