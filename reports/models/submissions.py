"""An agency's yearly report (báo cáo) in a cycle: task reports, target values, evidence, review events."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agencies.models import Agency, in_name_order
from plans.models import AssignmentRole, ReportingRule, Target, Task

from .cycles import Cycle


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã gửi")
    RETURNED = "returned", _("Bị trả lại")
    ACCEPTED = "accepted", _("Đã chấp nhận")


class Progress(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Đã hoàn thành")
    ONGOING = "ongoing", _("Thực hiện thường xuyên")
    PAUSED = "paused", _("Tạm dừng")


class Timeliness(models.TextChoices):
    ON_TIME = "on_time", _("trong hạn")
    DUE_SOON = "due_soon", _("sắp đến hạn")
    OVERDUE = "overdue", _("quá hạn")
    NO_DEADLINE = "no_deadline", _("không có thời hạn")


class Submission(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("kỳ"))
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("cơ quan, đơn vị")
    )
    rule = models.ForeignKey(
        ReportingRule, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("chế độ báo cáo")
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    # Optimistic concurrency: a save must name the version it was edited from (see services).
    version = models.PositiveIntegerField(_("phiên bản"), default=1)

    assessment = models.TextField(_("đánh giá chung"), blank=True)
    shortcomings = models.TextField(_("tồn tại, hạn chế và nguyên nhân"), blank=True)
    directions = models.TextField(_("phương hướng, nhiệm vụ năm tới"), blank=True)
    proposals = models.TextField(_("kiến nghị, đề xuất (kể cả đề xuất sửa đổi, bổ sung kế hoạch)"), blank=True)

    channel = models.CharField(_("hình thức nhận"), max_length=20, default="web")
    prefilled_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("điền sẵn từ báo cáo"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người sửa cuối"),
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    # The first sending: "received" and "on time" are decided by it (a re-send after a return overwrites
    # submitted_at, never this). Stored, not recomputed from the event log.
    first_submitted_at = models.DateTimeField(_("gửi lần đầu lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người gửi"),
    )
    is_late = models.BooleanField(_("gửi muộn"), default=False)
    accepted_at = models.DateTimeField(_("chấp nhận lúc"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người chấp nhận"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("báo cáo của đơn vị")
        verbose_name_plural = _("báo cáo của đơn vị")
        ordering = ["cycle", *in_name_order("agency__")]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "agency", "rule"], name="submission_unique"),
        ]
        indexes = [
            # The dashboard's completeness counts: per cycle, by status and arrival.
            models.Index(fields=["cycle", "status", "submitted_at"], name="submission_completeness"),
            models.Index(fields=["agency", "cycle"], name="submission_by_agency"),
            # The targets' averages read every accepted report of every year (20,000 nationally) for its id and
            # cycle only: an index-only scan of this, where a scan of the wide table took 9 of the query's 30 ms.
            models.Index(fields=["status"], include=["id", "cycle"], name="submission_by_status"),
        ]

    def __str__(self) -> str:
        return f"{self.agency.short_name} — {self.cycle.year}"

    def save(self, *args, **kwargs) -> None:
        # A report that has been sent has a first sending, whoever wrote the row (services, demo, imports).
        if self.first_submitted_at is None and self.submitted_at is not None:
            self.first_submitted_at = self.submitted_at
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "first_submitted_at"}
        super().save(*args, **kwargs)

    @property
    def is_editable_by_agency(self) -> bool:
        return self.status in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


class Receipt(models.Model):
    """Each recipient of a submission (a district's goes to both the Sở GD&ĐT and the Sở LĐTB&XH) acknowledges
    it separately."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="receipts")
    recipient = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("nơi nhận"))
    acknowledged_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tiếp nhận"),
    )

    class Meta:
        verbose_name = _("tiếp nhận báo cáo")
        verbose_name_plural = _("tiếp nhận báo cáo")
        constraints = [models.UniqueConstraint(fields=["submission", "recipient"], name="receipt_unique")]

    def __str__(self) -> str:
        return f"{self.submission} → {self.recipient.short_name}"


class TaskReport(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="task_reports")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports", verbose_name=_("nhiệm vụ"))
    role = models.CharField(_("vai trò"), max_length=20, choices=AssignmentRole.choices)
    progress = models.CharField(_("tiến độ"), max_length=20, choices=Progress.choices, blank=True)
    results = models.TextField(_("kết quả thực hiện"), blank=True)
    difficulties = models.TextField(_("khó khăn, vướng mắc"), blank=True)
    proposals = models.TextField(_("đề xuất, kiến nghị"), blank=True)
    from_last_year = models.BooleanField(_("nội dung chép từ năm trước, chưa sửa"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("báo cáo nhiệm vụ")
        verbose_name_plural = _("báo cáo nhiệm vụ")
        ordering = ["submission", "task__group__number", "task__number"]
        constraints = [models.UniqueConstraint(fields=["submission", "task"], name="taskreport_unique")]
        indexes = [
            models.Index(fields=["task", "progress"], name="taskreport_task_progress"),
            # The dashboard's task status reads only lead agencies' rows: a few per task among millions.
            models.Index(
                fields=["task", "submission"],
                include=["progress"],
                condition=models.Q(role="lead"),
                name="taskreport_lead",
            ),
            # The difficulties page reads the few task reports that say something (6,153 of a year's 125,400
            # nationally): probed per submission instead of reading every row of each. Migration 0014 also
            # keeps statistics on UPPER() of both texts for PostgreSQL, which estimated a text search at 2 rows.
            models.Index(
                fields=["submission"],
                condition=~models.Q(difficulties="", proposals=""),
                name="taskreport_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} — {self.task.code}"

    def timeliness(self, today: datetime.date) -> str:
        """Derived, never asked: from the task's deadline and the reported progress."""
        deadline = self.task.deadline
        if deadline is None:
            return Timeliness.NO_DEADLINE
        if self.progress == Progress.DONE or today <= deadline - datetime.timedelta(days=30):
            return Timeliness.ON_TIME
        if today <= deadline:
            return Timeliness.DUE_SOON
        return Timeliness.OVERDUE


class IssuedDocument(models.Model):
    """A document an agency issued for a task (văn bản đã ban hành), with its number and date."""

    task_report = models.ForeignKey(TaskReport, on_delete=models.CASCADE, related_name="documents")
    number = models.CharField(_("số, ký hiệu"), max_length=80)
    issued_on = models.DateField(_("ngày ban hành"))
    title = models.CharField(_("trích yếu"), max_length=500)

    class Meta:
        verbose_name = _("văn bản đã ban hành")
        verbose_name_plural = _("văn bản đã ban hành")
        ordering = ["task_report", "issued_on"]

    def __str__(self) -> str:
        return f"{self.number} ngày {self.issued_on:%d/%m/%Y}"


class TargetValue(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="target_values")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="values", verbose_name=_("chỉ tiêu"))
    value = models.DecimalField(_("giá trị đạt được"), max_digits=12, decimal_places=2)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("giá trị chỉ tiêu")
        verbose_name_plural = _("giá trị chỉ tiêu")
        constraints = [models.UniqueConstraint(fields=["submission", "target"], name="targetvalue_unique")]

    def __str__(self) -> str:
        return f"{self.target}: {self.value}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # Stored under the content hash, never the user's file name, so nothing a user types reaches the filesystem.
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}"


class Evidence(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="evidence")
    task_report = models.ForeignKey(
        TaskReport, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence", verbose_name=_("nhiệm vụ")
    )
    file = models.FileField(_("tệp"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("loại tệp"), max_length=120)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    description = models.CharField(_("mô tả"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người tải lên"),
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["submission", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class SubmissionEventKind(models.TextChoices):
    CREATED = "created", _("Tạo báo cáo")
    SAVED = "saved", _("Lưu nháp")
    SUBMITTED = "submitted", _("Gửi báo cáo")
    RETURNED = "returned", _("Trả lại")
    ACCEPTED = "accepted", _("Chấp nhận")
    REOPENED = "reopened", _("Mở lại")
    ACKNOWLEDGED = "acknowledged", _("Tiếp nhận")
    COMMENTED = "commented", _("Ý kiến")


class SubmissionEvent(models.Model):
    """The workflow log a reviewer and the agency read: who did what, when, and why (a return's reason)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("hành động"), max_length=20, choices=SubmissionEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    actor_agency = models.ForeignKey(
        Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("đơn vị")
    )
    at = models.DateTimeField(_("lúc"), auto_now_add=True)
    message = models.TextField(_("nội dung, lý do"), blank=True)

    class Meta:
        verbose_name = _("nhật ký báo cáo")
        verbose_name_plural = _("nhật ký báo cáo")
        ordering = ["submission", "at", "pk"]
        indexes = [models.Index(fields=["submission", "at"], name="event_by_submission")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.at:%d/%m/%Y %H:%M}"
