"""Deadline reminders: the delivery log that makes each reminder happen once, in-portal notifications, and the
administrator's make-up working days."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from plans.models import ReportingRule

from .cycles import Cycle


class ReminderDeliveryStatus(models.TextChoices):
    CLAIMED = "claimed", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")
    SKIPPED = "skipped", _("Bỏ qua (đơn vị đã gửi báo cáo)")


class ReminderDelivery(models.Model):
    """The fact "this reminder for this agency, rule, cycle and offset", claimed by inserting this row before any
    mail goes out. The unique constraint is what stops a second beat, a retried task or a second worker."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reminders")
    rule = models.ForeignKey(ReportingRule, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="reminders")
    offset_key = models.CharField(_("mốc nhắc"), max_length=30, help_text=_("ví dụ before-7, due, overdue-3"))
    planned_for = models.DateField(_("ngày nhắc"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ReminderDeliveryStatus.choices, default=ReminderDeliveryStatus.CLAIMED
    )
    recipients = models.JSONField(_("người nhận"), default=list, blank=True)
    claimed_at = models.DateTimeField(_("nhận xử lý lúc"), auto_now_add=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    error = models.TextField(_("lỗi"), blank=True)
    # The scan that owns the row right now. A scan sends only rows carrying its own token: the ones its INSERT
    # created, or failed ones its conditional UPDATE took back, so two scans never both send the same row.
    claimed_by = models.CharField(_("lượt quét xử lý"), max_length=36, blank=True, db_index=True)
    next_attempt_on = models.DateField(_("thử lại ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("nhắc hạn")
        verbose_name_plural = _("nhật ký nhắc hạn")
        ordering = ["-planned_for", "agency__name"]
        constraints = [models.UniqueConstraint(fields=["cycle", "rule", "agency", "offset_key"], name="reminder_once")]
        indexes = [models.Index(fields=["status", "planned_for"], name="reminder_by_status")]

    def __str__(self) -> str:
        return f"{self.agency.short_name} — {self.offset_key} — {self.get_status_display()}"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("đường dẫn"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.subject


class WorkingDayOverride(models.Model):
    """A day that differs from the calendar: a make-up working Saturday (ngày làm bù) or an extra day off."""

    day = models.DateField(_("ngày"), unique=True)
    is_working_day = models.BooleanField(_("là ngày làm việc"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("ngày làm bù / nghỉ bù")
        verbose_name_plural = _("ngày làm bù / nghỉ bù")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} — {self.note}"
