"""Opening a yearly cycle, locking and unlocking its figures. Who is expected to report: `selectors`."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hptracker.text import clean_text
from plans.models import Plan
from reports import permissions
from reports.cycles.signals import cycle_locked, cycle_unlocked
from reports.errors import WorkflowError
from reports.models import Cycle, CycleDeadline, CycleEvent, CycleEventKind, CycleStatus

REASON_MAX = 2_000


@transaction.atomic
def cycle_open(*, plan: Plan, year: int) -> Cycle:
    """Create the cycle of `year` with one deadline per reporting rule; idempotent (re-running adds only the
    deadlines of rules created since)."""
    rules = list(plan.rules.all())
    window_rule = next((r for r in rules if not r.consolidates), rules[0] if rules else None)
    if window_rule is not None:
        window_start, window_end = window_rule.window_in(year)
    else:
        window_start, window_end = datetime.date(year - 1, 12, 15), datetime.date(year, 12, 14)
    cycle, _ = Cycle.objects.get_or_create(
        plan=plan, year=year, defaults={"window_start": window_start, "window_end": window_end}
    )
    existing = set(cycle.deadlines.values_list("rule_id", flat=True))
    CycleDeadline.objects.bulk_create(
        CycleDeadline(cycle=cycle, rule=rule, due_on=rule.deadline_in(year))
        for rule in rules
        if rule.pk not in existing
    )
    return cycle


def locked_cycle_message(cycle: Cycle) -> str:
    """What an agency reads when it tries to change a report of a locked cycle (one sentence everywhere)."""
    return _(
        "Kỳ báo cáo năm %(y)s đã khóa số liệu: đơn vị không lập, sửa hay gửi được báo cáo nữa. Nếu cần "
        "sửa, xin đề nghị Sở Giáo dục và Đào tạo mở khóa."
    ) % {"y": cycle.year}


def cycle_lock(*, cycle: Cycle, by) -> Cycle:
    """Lock the cycle's figures ("khóa số liệu") before the consolidated report is built on them: from now on
    no agency can edit, send or start a report of the cycle; reviewers still read everything."""
    with transaction.atomic():
        # Row lock: two reviewers clicking at once give one lock and one clear refusal, never two log entries.
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if not permissions.can_lock_cycle(by):
            raise WorkflowError(
                _(
                    "Chỉ cán bộ thẩm định của Sở Giáo dục và Đào tạo hoặc quản trị hệ thống mới "
                    "khóa được số liệu của kỳ báo cáo."
                )
            )
        if not cycle.is_open:
            raise WorkflowError(_("Kỳ báo cáo năm %(y)s đã khóa số liệu từ trước.") % {"y": cycle.year})
        cycle.status, cycle.locked_at = CycleStatus.LOCKED, timezone.now()
        cycle.save(update_fields=["status", "locked_at"])
        CycleEvent.objects.create(cycle=cycle, kind=CycleEventKind.LOCKED, actor=by)
        # The areas built on the cycle (notifications) listen; the cycle imports none of them.
        cycle_locked.send(sender=Cycle, cycle=cycle, by=by)
    return cycle


def cycle_unlock(*, cycle: Cycle, by, reason: str) -> Cycle:
    """Unlock a locked cycle so that agencies can correct their reports again. A reason is required: the
    figures of a consolidated report may change under it, and whoever reads the log must know why."""
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if not permissions.can_lock_cycle(by):
            raise WorkflowError(
                _(
                    "Chỉ cán bộ thẩm định của Sở Giáo dục và Đào tạo hoặc quản trị hệ thống mới "
                    "mở khóa được số liệu của kỳ báo cáo."
                )
            )
        if cycle.is_open:
            raise WorkflowError(_("Kỳ báo cáo năm %(y)s đang mở, không cần mở khóa.") % {"y": cycle.year})
        text = clean_text(reason)
        if not text:
            raise WorkflowError(_("Xin ghi rõ lý do mở khóa số liệu."))
        if len(text) > REASON_MAX:
            raise WorkflowError(_("Lý do mở khóa dài quá %(max)s ký tự; xin rút gọn.") % {"max": REASON_MAX})
        cycle.status, cycle.locked_at = CycleStatus.OPEN, None
        cycle.save(update_fields=["status", "locked_at"])
        CycleEvent.objects.create(cycle=cycle, kind=CycleEventKind.UNLOCKED, actor=by, reason=text)
        cycle_unlocked.send(sender=Cycle, cycle=cycle, by=by, reason=text)
    return cycle
