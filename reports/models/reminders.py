"""Deadline reminders: the delivery log that makes each reminder happen once, in-portal notifications, and the
administrator's make-up working days."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, in_name_order
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
        ordering = ["-planned_for", *in_name_order("agency__")]
        constraints = [models.UniqueConstraint(fields=["cycle", "rule", "agency", "offset_key"], name="reminder_once")]
        indexes = [
            models.Index(fields=["status", "planned_for"], name="reminder_by_status"),
            # The log's order, the newest day first: read backwards, a page costs the same on ten years of
            # deliveries as on one (nationally page 20 sorted 89,000 rows: 65 ms of SQL; now 14).
            models.Index(fields=["planned_for"], name="reminder_by_day"),
            # The log sorted by its state (?sort=status: status, then id, ListRows' total order), read in index
            # order so that a page stops after its rows: nationally it sorted every delivery of a state (66,000
            # rows, 105 ms for the page; twice the city's time).
            models.Index(fields=["status", "id"], name="reminder_by_status_id"),
        ]

    def __str__(self) -> str:
        return f"{self.agency.short_name} — {self.offset_key} — {self.get_status_display()}"


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", _("Nhắc hạn")
    SUBMITTED = "submitted", _("Có báo cáo gửi đến")
    RETURNED = "returned", _("Báo cáo bị trả lại")
    ACCEPTED = "accepted", _("Báo cáo được chấp nhận")
    ACKNOWLEDGED = "acknowledged", _("Báo cáo được tiếp nhận")
    COMMENTED = "commented", _("Ý kiến về báo cáo")
    REOPENED = "reopened", _("Báo cáo được mở lại")
    CYCLE_LOCKED = "cycle_locked", _("Kỳ báo cáo khóa số liệu")
    CYCLE_UNLOCKED = "cycle_unlocked", _("Kỳ báo cáo mở khóa số liệu")


class NotificationMail(models.TextChoices):
    NONE = "none", _("Không gửi thư")
    PENDING = "pending", _("Chờ gửi thư")
    CLAIMED = "claimed", _("Đang gửi thư")
    SENT = "sent", _("Đã gửi thư")
    FAILED = "failed", _("Gửi thư lỗi")


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing a person should hear about. Workflow notifications also carry the state of their mail: the
    mail sender claims pending rows with a conditional UPDATE (a token and a time) before sending, so a row is
    mailed at most once; a claim older than NOTIFICATION_CLAIM_TIMEOUT_SECONDS is given up, never re-sent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(
        _("loại"), max_length=20, choices=NotificationKind.choices, default=NotificationKind.REMINDER
    )
    submission = models.ForeignKey(
        "reports.Submission", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("đường dẫn"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    mail_status = models.CharField(
        _("thư"), max_length=10, choices=NotificationMail.choices, default=NotificationMail.NONE
    )
    mail_claimed_by = models.CharField(max_length=36, blank=True)
    mail_claimed_at = models.DateTimeField(null=True, blank=True)
    mail_attempts = models.PositiveSmallIntegerField(default=0)
    mail_next_attempt_at = models.DateTimeField(null=True, blank=True)
    mail_sent_at = models.DateTimeField(null=True, blank=True)
    mail_error = models.TextField(blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            # The mail sender's scan: the few rows still waiting for their mail.
            models.Index(
                fields=["mail_status", "user"],
                condition=models.Q(mail_status__in=["pending", "claimed", "failed"]),
                name="notification_mail_due",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class NotificationSettings(models.Model):
    """A person's choices on their profile page: the kinds they get no mail for (the in-portal notice stays)
    and the language of their mails."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    mail_off = models.JSONField(_("không nhận thư về"), default=list, blank=True)
    language = models.CharField(_("ngôn ngữ thư"), max_length=8, choices=settings.LANGUAGES, default="vi")

    class Meta:
        verbose_name = _("cài đặt thông báo")
        verbose_name_plural = _("cài đặt thông báo")

    def __str__(self) -> str:
        return f"{self.user_id} — {self.language}"


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
