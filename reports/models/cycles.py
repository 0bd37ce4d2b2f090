"""A reporting cycle (kỳ báo cáo): one per plan and year, with the deadline of each reporting rule."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import Plan, ReportingRule

# Deadlines are days in Hải Phòng: a deadline day ends at midnight there.
DEADLINE_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


class CycleStatus(models.TextChoices):
    OPEN = "open", _("Đang mở")
    LOCKED = "locked", _("Đã khóa số liệu")


class Cycle(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("kế hoạch"))
    year = models.PositiveSmallIntegerField(_("năm"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPEN)
    window_start = models.DateField(_("chốt số liệu từ ngày"))
    window_end = models.DateField(_("chốt số liệu đến ngày"))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    locked_at = models.DateTimeField(_("khóa lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        ordering = ["plan", "-year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="cycle_unique_year")]

    def __str__(self) -> str:
        return f"Kỳ báo cáo năm {self.year} — {self.plan.number}"

    @property
    def is_open(self) -> bool:
        return self.status == CycleStatus.OPEN


class CycleDeadline(models.Model):
    """The deadline of one reporting rule in one cycle. `due_on` is the last day that counts as on time;
    `entry_closes_on` (if set) is the day after which agencies can no longer edit. They are different things
    and the cycle page names both (DHIS2's users confused them)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("kỳ"))
    rule = models.ForeignKey(
        ReportingRule, on_delete=models.PROTECT, related_name="cycle_deadlines", verbose_name=_("chế độ báo cáo")
    )
    due_on = models.DateField(_("hạn gửi (đúng hạn nếu gửi đến hết ngày này)"))
    entry_closes_on = models.DateField(_("khóa nhập liệu sau ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("hạn báo cáo")
        verbose_name_plural = _("hạn báo cáo")
        ordering = ["cycle", "due_on"]
        constraints = [models.UniqueConstraint(fields=["cycle", "rule"], name="cycledeadline_unique")]

    def __str__(self) -> str:
        return f"{self.rule} — {self.due_on:%d/%m/%Y}"

    def days_late(self, on: datetime.date) -> int:
        return max(0, (on - self.due_on).days)

    def is_late(self, first_submitted_at: datetime.datetime) -> bool:
        """THE definition of a late report (its SQL twin is reports.cycles.selectors.sent_late): the first
        sending is on time until the end of the deadline day in Hải Phòng (23:59:59 on due_on is on time, 00:00
        the next day is late), whatever the server's or the reader's time zone."""
        return first_submitted_at.astimezone(DEADLINE_ZONE).date() > self.due_on


class CycleEventKind(models.TextChoices):
    LOCKED = "locked", _("Khóa số liệu")
    UNLOCKED = "unlocked", _("Mở khóa số liệu")


class CycleEvent(models.Model):
    """Who locked or unlocked a cycle's figures, when, and why: the consolidated report is built on locked
    figures, so every change of that state must be traceable."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="events", verbose_name=_("kỳ"))
    kind = models.CharField(_("hành động"), max_length=10, choices=CycleEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    at = models.DateTimeField(_("lúc"), auto_now_add=True)
    reason = models.TextField(_("lý do"), blank=True)

    class Meta:
        verbose_name = _("nhật ký kỳ báo cáo")
        verbose_name_plural = _("nhật ký kỳ báo cáo")
        ordering = ["cycle", "at", "pk"]
        # The cycle page reads the latest event of its cycle.
        indexes = [models.Index(fields=["cycle", "at"], name="cycleevent_by_cycle")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.at:%d/%m/%Y %H:%M}"
