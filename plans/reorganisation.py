"""Apply a reorganisation file (plans/data/REORGANISATION.md) to the agencies and plan data, or undo it.

One transaction for the whole file: a reference that does not resolve, or an event the data cannot take, raises
`ReorganisationFileError` naming its place and nothing is written. `dry_run` runs the same code and rolls back, so
the preview is exactly what applying would do. Applying twice changes nothing the second time; `invert` applies the
inverse of every event, last first, and restores the assignments, duty recipients and validity dates.

Every agency change is saved with a history reason starting with `HISTORY_REASON`, which `load_plan` reads to leave
reorganised agencies alone."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import ProtectedError

from agencies.models import Agency, AgencySuccession, Membership, SuccessionKind
from hptracker.history import set_history_user
from plans.models import DutyItem, Plan, ReportingRule, RuleRecipient, TaskAssignment
from plans.reorganisation_file import Event, Reorganisation, ReorganisationFileError, Share
from plans.successions import (
    agency_share_hand_over,
    agency_share_take_back,
    agency_succession_apply,
    open_reports_of,
)

logger = logging.getLogger(__name__)

HISTORY_REASON = "Tổ chức lại"
KIND_OF_EVENT = {"merge": SuccessionKind.MERGED, "split": SuccessionKind.SPLIT, "transfer": SuccessionKind.TRANSFERRED}


@dataclass
class ReorganisationReport:
    """What applying (or previewing) a file does: one line per change, and the counts the preview shows."""

    lines: list[str] = field(default_factory=list)
    agencies_created: int = 0
    agencies_changed: int = 0
    tasks_moved: int = 0
    duty_items_added: int = 0
    recipients_moved: int = 0
    rows_restored: int = 0
    people_to_move: list[str] = field(default_factory=list)
    open_reports: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return (
            self.agencies_created
            + self.agencies_changed
            + self.tasks_moved
            + self.duty_items_added
            + self.recipients_moved
            + self.rows_restored
        )


def reorganisation_apply(
    *, reorganisation: Reorganisation, by=None, dry_run: bool = False, invert: bool = False
) -> ReorganisationReport:
    report = ReorganisationReport()
    with transaction.atomic():
        applier = _Applier(reorganisation, by, report)
        applier.resolve()
        events = list(reversed(reorganisation.events)) if invert else reorganisation.events
        for event in events:
            (applier.undo if invert else applier.apply)(event)
        if dry_run:
            transaction.set_rollback(True)
    if not dry_run:
        logger.info(
            "reorganisation %s%s: %s changes by %s",
            reorganisation.title,
            " (inverse)" if invert else "",
            report.changes,
            by,
        )
    return report


class _Applier:
    def __init__(self, reorganisation: Reorganisation, by, report: ReorganisationReport):
        self.r, self.by, self.report = reorganisation, by, report

    # --- references -----------------------------------------------------------------------------------------

    def resolve(self) -> None:
        """Check every reference against the database before the first write."""
        self.plan = Plan.objects.filter(number=self.r.plan).first()
        if self.plan is None:
            raise ReorganisationFileError("plan", f"chưa nạp kế hoạch «{self.r.plan}»")
        known = set(Agency.objects.values_list("code", flat=True)) | set(self.r.agencies)
        self.tasks = {
            f"{group.number}.{task.number}": task.pk
            for group in self.plan.groups.prefetch_related("tasks")
            for task in group.tasks.all()
        }
        self.items = {i.number: i for i in self.plan.duty_items.all()}
        self.rules = {rule.code: rule.pk for rule in self.plan.rules.all()}
        for e in self.r.events:
            for place, code in (
                ([(e.place + ".agency", e.agency)] if e.agency else [])
                + [(e.place + ".from", c) for c in e.sources]
                + ([(e.place + ".into", e.target)] if e.target else [])
                + [(s.place, s.target) for s in e.shares]
            ):
                if code not in known:
                    raise ReorganisationFileError(place, f"không có cơ quan «{code}»")
            for share in e.shares:
                for code in share.tasks or ():
                    if code not in self.tasks:
                        raise ReorganisationFileError(share.place + ".tasks", f"không có nhiệm vụ «{code}»")
                for number in share.duty_items or ():
                    if number not in self.items:
                        raise ReorganisationFileError(share.place + ".duty_items", f"không có mục số {number}")
                for code in share.rule_recipients or ():
                    if code not in self.rules:
                        raise ReorganisationFileError(
                            share.place + ".rule_recipients", f"không có chế độ báo cáo «{code}»"
                        )

    def agency(self, code: str) -> Agency:
        return Agency.objects.select_for_update().get(code=code)

    def save(self, agency: Agency, event: Event, *, created: bool = False) -> None:
        set_history_user(agency, self.by, reason=f"{HISTORY_REASON}: {event.id}")
        agency.save()
        if created:
            self.report.agencies_created += 1
        else:
            self.report.agencies_changed += 1

    def say(self, event: Event, text: str) -> None:
        self.report.lines.append(f"[{event.id}, {event.on:%d/%m/%Y}] {text}")

    # --- applying -------------------------------------------------------------------------------------------

    def apply(self, e: Event) -> None:
        getattr(self, f"apply_{e.kind}")(e)

    def apply_rename(self, e: Event) -> None:
        agency = self.agency(e.agency)
        now = {name: getattr(agency, name) for name in e.rename_to}
        if now == e.rename_to:
            return
        if now != e.rename_from:
            raise ReorganisationFileError(
                e.place + ".from", f"{agency.code} hiện mang tên «{agency.name}», không khớp với from"
            )
        for name, value in e.rename_to.items():
            setattr(agency, name, value)
        self.save(agency, e)
        self.say(e, f"đổi tên «{now['name']}» thành «{agency.name}»")

    def apply_create(self, e: Event) -> None:
        for code in e.creates:
            values = self.r.agencies[code]
            agency = Agency.objects.filter(code=code).first()
            if agency is None:
                agency = Agency(code=code, **values)
                self.save(agency, e, created=True)
                self.say(e, f"thành lập {agency.name}")
            elif any(getattr(agency, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(agency, k, v)
                self.save(agency, e)
                self.say(e, f"cập nhật {agency.name}")

    def apply_merge(self, e: Event) -> None:
        target = self.agency(e.target)
        for code in e.sources:
            source = self.agency(code)
            self._guard_past_cycles(e, target, list(source.duty_items.filter(plan=self.plan)))
            succession = self._succession(e, source, target)
            self._close(e, source)
            result = agency_succession_apply(succession=succession, by=self.by)
            self._count(e, source, target, result)

    def apply_split(self, e: Event) -> None:
        source = self.agency(e.agency)
        given_rules: set[int] = set()
        rows = list(TaskAssignment.objects.current().filter(agency=source).select_for_update().order_by("task_id"))
        for share in e.shares:
            given_rules |= self._give(e, source, share, rows)
        left = RuleRecipient.objects.filter(agency=source).exclude(rule_id__in=given_rules).select_related("rule")
        for recipient in left[:1]:
            raise ReorganisationFileError(
                e.place + ".parts",
                f"{source.short_name} còn là nơi nhận báo cáo của "
                f"chế độ «{recipient.rule.code}»: xin giao cho một cơ quan kế thừa",
            )
        self._end_rows(rows, e)
        RuleRecipient.objects.filter(agency=source, rule_id__in=given_rules).delete()
        self._close(e, source)

    def apply_transfer(self, e: Event) -> None:
        source = self.agency(e.agency)
        share = e.shares[0]
        rows = list(TaskAssignment.objects.current().filter(agency=source).select_for_update().order_by("task_id"))
        rows = [row for row in rows if self._in_scope(row, share)]
        given_rules = self._give(e, source, share, rows)
        self._end_rows(rows, e)
        RuleRecipient.objects.filter(agency=source, rule_id__in=given_rules).delete()

    def apply_end(self, e: Event) -> None:
        source = self.agency(e.agency)
        if (
            RuleRecipient.objects.filter(agency=source).exists()
            or ReportingRule.objects.filter(final_recipient=source).exists()
        ):
            raise ReorganisationFileError(
                e.place, f"{source.short_name} còn là nơi nhận báo cáo: xin chuyển giao trước khi kết thúc hoạt động"
            )
        rows = list(TaskAssignment.objects.current().filter(agency=source).select_for_update())
        self._end_rows(rows, e)
        self._close(e, source)

    def _give(self, e: Event, source: Agency, share: Share, rows: list[TaskAssignment]) -> set[int]:
        target = self.agency(share.target)
        items = [
            i
            for i in source.duty_items.filter(plan=self.plan).order_by("number")
            if share.duty_items is None or i.number in share.duty_items
        ]
        self._guard_past_cycles(e, target, items)
        rule_ids = None if share.rule_recipients is None else {self.rules[c] for c in share.rule_recipients}
        succession = self._succession(e, source, target, share.note)
        result = agency_share_hand_over(
            succession=succession,
            assignments=[r for r in rows if self._in_scope(r, share)],
            duty_items=items,
            rule_ids=rule_ids,
            by=self.by,
        )
        self._count(e, source, target, result)
        received = RuleRecipient.objects.filter(agency=source)
        return set(
            (received if rule_ids is None else received.filter(rule_id__in=rule_ids)).values_list("rule_id", flat=True)
        )

    def _in_scope(self, row: TaskAssignment, share: Share) -> bool:
        return share.tasks is None or row.task_id in {self.tasks[c] for c in share.tasks}

    def _guard_past_cycles(self, e: Event, target: Agency, items: list[DutyItem]) -> None:
        """Duty-item membership is not dated: an agency that existed before `e.on` and joins an item feeding a
        rule it did not owe would owe that rule in every past cycle too. Refuse rather than rewrite history."""
        if target.valid_from >= e.on:
            return
        owed = set(ReportingRule.objects.filter(reporters__agencies=target).values_list("pk", flat=True))
        for item in items:
            extra = set(item.rules.values_list("pk", flat=True)) - owed
            if extra and not item.agencies.filter(pk=target.pk).exists():
                raise ReorganisationFileError(
                    e.place,
                    f"{target.short_name} nhận mục {item.number} thì sẽ phải "
                    "báo cáo theo chế độ của mục này cả trong các kỳ trước ngày "
                    f"{e.on:%d/%m/%Y}: xin không giao mục này",
                )

    def _succession(self, e: Event, source: Agency, target: Agency, note: str = "") -> AgencySuccession:
        text = "\n".join(
            t
            for t in (f"Căn cứ: {e.basis}", note or e.note, "" if e.verified else f"Chưa kiểm chứng: {e.unverified}")
            if t
        )
        values = {"kind": KIND_OF_EVENT[e.kind], "effective_on": e.on, "note": text}
        succession = AgencySuccession.objects.filter(predecessor=source, successor=target).first()
        if succession is None:
            return AgencySuccession.objects.create(predecessor=source, successor=target, **values)
        if any(getattr(succession, k) != v for k, v in values.items()):  # a second run writes nothing
            for k, v in values.items():
                setattr(succession, k, v)
            succession.save()
        return succession

    def _close(self, e: Event, source: Agency) -> None:
        if source.valid_to is None or source.valid_to > e.last_day:
            source.valid_to = e.last_day
            self.save(source, e)
            self.say(e, f"{source.short_name} kết thúc hoạt động ngày {e.last_day:%d/%m/%Y}")
        people = Membership.objects.filter(agency=source).select_related("user").order_by("user__username")
        self.report.people_to_move += [f"{m.user.get_username()} ({source.short_name})" for m in people]
        self.report.open_reports += open_reports_of(source)

    def _end_rows(self, rows: list[TaskAssignment], e: Event) -> None:
        for row in rows:
            if row.ended_on is None:
                row.ended_on = e.last_day
                set_history_user(row, self.by)
                row.save()

    def _count(self, e: Event, source: Agency, target: Agency, result) -> None:
        moved = result.assignments_moved + result.assignments_strengthened
        self.report.tasks_moved += moved
        self.report.duty_items_added += result.duty_items_added
        self.report.recipients_moved += result.recipients_moved
        if moved or result.duty_items_added or result.recipients_moved:
            self.say(
                e,
                f"{source.short_name} → {target.short_name}: {moved} phân công nhiệm vụ "
                f"({result.assignments_strengthened} nâng thành chủ trì, {result.assignments_kept} đã có), "
                f"{result.duty_items_added} mục tổ chức thực hiện, {result.recipients_moved} nơi nhận báo cáo",
            )

    # --- undoing --------------------------------------------------------------------------------------------

    def undo(self, e: Event) -> None:
        getattr(self, f"undo_{e.kind}")(e)

    def undo_rename(self, e: Event) -> None:
        agency = self.agency(e.agency)
        if {name: getattr(agency, name) for name in e.rename_to} == e.rename_to:
            for name, value in e.rename_from.items():
                setattr(agency, name, value)
            self.save(agency, e)
            self.say(e, f"trả lại tên «{agency.name}»")

    def undo_create(self, e: Event) -> None:
        for code in reversed(e.creates):
            agency = Agency.objects.filter(code=code).first()
            if agency is None:
                continue
            try:
                with transaction.atomic():
                    agency.delete()
            except ProtectedError:
                raise ReorganisationFileError(
                    e.place,
                    f"{agency.short_name} đã có dữ liệu (tài khoản, báo cáo, phân công) nên không hủy thành lập được",
                ) from None
            self.report.agencies_changed += 1
            self.say(e, f"hủy thành lập {agency.name}")

    # An agency the file created is gone once its creation is undone: a second inverse finds nothing to do.
    def undo_merge(self, e: Event) -> None:
        target = Agency.objects.filter(code=e.target).first()
        for source in Agency.objects.filter(code__in=e.sources).order_by("code"):
            if target is not None:
                self._take_back(e, source, target, None)
            self._reopen(e, source, None)

    def undo_split(self, e: Event) -> None:
        source = Agency.objects.filter(code=e.agency).first()
        if source is None:
            return
        for share in e.shares:
            target = Agency.objects.filter(code=share.target).first()
            if target is not None:
                self._take_back(e, source, target, share)
        self._reopen(e, source, None)

    def undo_transfer(self, e: Event) -> None:
        source = Agency.objects.filter(code=e.agency).first()
        target = Agency.objects.filter(code=e.shares[0].target).first()
        if source is not None and target is not None:
            self._take_back(e, source, target, e.shares[0])
        if source is not None:
            self._reopen(e, source, e.shares[0], validity=False)

    def undo_end(self, e: Event) -> None:
        source = Agency.objects.filter(code=e.agency).first()
        if source is not None:
            self._reopen(e, source, None)

    def _take_back(self, e: Event, source: Agency, target: Agency, share: Share | None) -> None:
        succession = AgencySuccession.objects.filter(
            predecessor=source, successor=target, effective_on=e.on, kind=KIND_OF_EVENT[e.kind]
        ).first()
        if succession is None:
            return
        task_ids = None if share is None or share.tasks is None else {self.tasks[c] for c in share.tasks}
        rule_ids: set[int] | None
        if share is not None and share.rule_recipients is not None:
            rule_ids = {self.rules[c] for c in share.rule_recipients}
        else:
            # "every rule": only a successor created on that day received nothing but inherited roles.
            rule_ids = None if target.valid_from >= e.on else set()
        changes = agency_share_take_back(succession=succession, task_ids=task_ids, rule_ids=rule_ids, by=self.by)
        self.report.rows_restored += changes
        succession.delete()
        self.say(e, f"{target.short_name} trả lại cho {source.short_name}: {changes} thay đổi")

    def _reopen(self, e: Event, source: Agency, share: Share | None, *, validity: bool = True) -> None:
        rows = TaskAssignment.objects.filter(agency=source, ended_on=e.last_day)
        if share is not None and share.tasks is not None:
            rows = rows.filter(task_id__in={self.tasks[c] for c in share.tasks})
        for row in rows.order_by("pk"):
            if not TaskAssignment.objects.current().filter(agency=source, task_id=row.task_id).exists():
                row.ended_on = None
                set_history_user(row, self.by)
                row.save()
                self.report.rows_restored += 1
        if validity and source.valid_to == e.last_day:
            source.valid_to = None
            self.save(source, e)
            self.say(e, f"{source.short_name} hoạt động trở lại")
