"""Generated files (the consolidated report and single-submission PDFs, with their Word copies), their
numbering and issuer profile."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from .cycles import Cycle
from .submissions import Submission


class IssuerProfile(models.Model):
    """Who issues a consolidated report and how it is signed: data, never constants (a draft for the UBND TP
    itself is signed "TM. ỦY BAN NHÂN DÂN")."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="issuer_profiles", verbose_name=_("cơ quan ban hành")
    )
    name = models.CharField(_("tên hồ sơ"), max_length=120)
    document_kind = models.CharField(_("ký hiệu loại văn bản"), max_length=10, default="BC")
    place = models.CharField(_("địa danh"), max_length=80, default="Hải Phòng")
    addressee = models.CharField(_("kính gửi"), max_length=255, default="Ủy ban nhân dân thành phố")
    signer_authority = models.CharField(_("thẩm quyền ký (TM.)"), max_length=120, blank=True)
    signer_prefix = models.CharField(_("ký thay (KT./Q./TL./TUQ.)"), max_length=120, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120)
    signer_name = models.CharField(_("họ tên người ký"), max_length=120)
    recipients = models.JSONField(_("nơi nhận"), default=list, blank=True)
    is_default = models.BooleanField(_("mặc định"), default=False)

    class Meta:
        verbose_name = _("hồ sơ ban hành văn bản")
        verbose_name_plural = _("hồ sơ ban hành văn bản")

    def __str__(self) -> str:
        return self.name


class DocumentNumber(models.Model):
    """Document numbers restart at 01 each 1 January per issuing body (Nghị định 30/2020)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("sổ số văn bản")
        verbose_name_plural = _("sổ số văn bản")
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="documentnumber_unique")]

    def __str__(self) -> str:
        return f"{self.agency.symbol} {self.year}: {self.last_number}"


class GeneratedReportKind(models.TextChoices):
    CONSOLIDATED = "consolidated", _("Báo cáo tổng hợp")
    SUBMISSION = "submission", _("Báo cáo của đơn vị")


class GeneratedReportStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RENDERING = "rendering", _("Đang tạo")
    READY = "ready", _("Đã xong")
    FAILED = "failed", _("Lỗi")


def generated_report_path(instance: GeneratedReport, filename: str) -> str:
    return f"generated/{instance.created_at:%Y}/{instance.pk}-{filename}"


class GeneratedReport(models.Model):
    """A file record in the style of pretix's CachedFile: the view creates it, a Celery task renders into it,
    the progress page polls it; the file is shown only once status is READY."""

    kind = models.CharField(_("loại"), max_length=20, choices=GeneratedReportKind.choices)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="generated_reports")
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, null=True, blank=True, related_name="generated_reports"
    )
    profile = models.ForeignKey(IssuerProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=GeneratedReportStatus.choices, default=GeneratedReportStatus.QUEUED
    )
    is_draft = models.BooleanField(_("bản dự thảo"), default=True)
    document_number = models.CharField(_("số văn bản"), max_length=40, blank=True)
    file = models.FileField(_("tệp"), upload_to=generated_report_path, blank=True, max_length=200)
    # The editable copy written by the same render; empty on records made before Word copies existed.
    word_file = models.FileField(_("tệp Word"), upload_to=generated_report_path, blank=True, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    page_count = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    snapshot = models.JSONField(_("tên cơ quan, người ký khi ban hành"), default=dict, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người yêu cầu"),
    )
    created_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    # Written every few seconds by the rendering task: a RENDERING record whose heartbeat is older than
    # GENERATED_REPORT_HEARTBEAT_STALE_SECONDS lost its worker (files.generated_reports_sweep requeues it).
    heartbeat_at = models.DateTimeField(_("tín hiệu sống lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tệp báo cáo")
        verbose_name_plural = _("tệp báo cáo")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "cycle", "status", "-created_at"], name="generated_latest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.cycle.year} — {self.get_status_display()}"
