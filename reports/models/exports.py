"""Dashboard exports too large to build inside a request: the record is the job (like GeneratedReport). The page
creates it, a Celery task writes the file into it, the requester follows it on "Tệp đã xuất" until it expires."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .documents import GeneratedReportStatus


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class DashboardExport(models.Model):
    """One export of one dashboard list, exactly as filtered when it was asked for (`page` + `query`)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("người yêu cầu")
    )
    page = models.CharField(_("trang"), max_length=40)  # the list's URL name, e.g. "dashboard_coverage_cells"
    title = models.CharField(_("danh sách"), max_length=200)
    query = models.TextField(_("bộ lọc"), blank=True)  # the page's query string, without the export trigger
    format = models.CharField(_("định dạng"), max_length=4, choices=ExportFormat.choices)
    filename = models.CharField(_("tên tệp"), max_length=120)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=GeneratedReportStatus.choices, default=GeneratedReportStatus.QUEUED
    )
    row_count = models.PositiveIntegerField(_("số dòng"), null=True, blank=True)
    file = models.FileField(_("tệp"), blank=True, max_length=200)
    size_bytes = models.PositiveBigIntegerField(_("dung lượng"), null=True, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    created_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tệp đã xuất")
        verbose_name_plural = _("tệp đã xuất")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="export_by_requester")]

    def __str__(self) -> str:
        return f"{self.filename} — {self.get_status_display()}"
