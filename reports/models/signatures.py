"""Digital signatures (ký số): a body's own signing certificate, the trust roots signatures are checked against,
and the signed copies of issued documents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from .documents import GeneratedReport


def seal_image_path(instance: AgencyCertificate, filename: str) -> str:
    return f"signing/seals/{instance.agency_id}-{filename}"


class AgencyCertificate(models.Model):
    """A body's PKCS#12 certificate for its organisation signature. The private key is kept only encrypted (Fernet,
    with SIGNING_KEY_ENCRYPTION_KEY from the environment) and is never shown again; the certificate itself is
    public. One active certificate per agency: uploading a new one retires the old one, kept for the record."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="signing_certificates", verbose_name=_("cơ quan")
    )
    subject = models.CharField(_("chủ thể chứng thư"), max_length=500)
    issuer = models.CharField(_("tổ chức cấp chứng thư"), max_length=500)
    serial_number = models.CharField(_("số hiệu chứng thư"), max_length=100)
    fingerprint_sha256 = models.CharField(_("dấu vân tay SHA-256"), max_length=64)
    valid_from = models.DateTimeField(_("hiệu lực từ"))
    valid_until = models.DateTimeField(_("hiệu lực đến"))
    certificate_pem = models.TextField(_("chứng thư (PEM)"))
    chain_pem = models.TextField(_("chứng thư trung gian (PEM)"), blank=True)
    encrypted_key = models.BinaryField(_("khóa bí mật đã mã hóa"), editable=False)
    seal_image = models.FileField(_("hình con dấu (PNG)"), upload_to=seal_image_path, max_length=200)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tải lên"),
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư số của cơ quan")
        verbose_name_plural = _("chứng thư số của cơ quan")
        constraints = [
            models.UniqueConstraint(fields=["agency"], condition=Q(is_active=True), name="agencycertificate_one_active")
        ]

    def __str__(self) -> str:
        return f"{self.agency.short_name}: {self.subject}"


class TrustRoot(models.Model):
    """A CA certificate the administrator trusts (the government root CA, the public CAs the city accepts)."""

    name = models.CharField(_("tên"), max_length=200)
    subject = models.CharField(_("chủ thể"), max_length=500, editable=False)
    fingerprint_sha256 = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True, editable=False)
    valid_until = models.DateTimeField(_("hiệu lực đến"), editable=False)
    certificate_pem = models.TextField(_("chứng thư (PEM)"), editable=False)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    added_at = models.DateTimeField(_("thêm lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư gốc tin cậy")
        verbose_name_plural = _("chứng thư gốc tin cậy")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SignedCopyMethod(models.TextChoices):
    SERVER = "server", _("Ký trên cổng bằng chứng thư của cơ quan")
    UPLOAD = "upload", _("Tải lên bản đã ký bằng công cụ riêng")


def signed_copy_path(instance: SignedCopy, filename: str) -> str:
    return f"signed/{instance.report.created_at:%Y}/{instance.report_id}-{filename}"


class SignedCopy(models.Model):
    """A signed copy of an issued document that passed verification. The newest one is the official copy that
    leaders download; the unsigned file and earlier copies stay in the history."""

    report = models.ForeignKey(
        GeneratedReport, on_delete=models.PROTECT, related_name="signed_copies", verbose_name=_("văn bản")
    )
    file = models.FileField(_("tệp đã ký"), upload_to=signed_copy_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("dung lượng"))
    method = models.CharField(_("cách ký"), max_length=10, choices=SignedCopyMethod.choices)
    signatures = models.JSONField(_("kết quả kiểm tra chữ ký"), default=list)
    is_official = models.BooleanField(_("bản chính thức"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người ký hoặc tải lên"),
    )
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("bản đã ký số")
        verbose_name_plural = _("bản đã ký số")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["report"], condition=Q(is_official=True), name="signedcopy_one_official")
        ]

    def __str__(self) -> str:
        return f"{self.report} — {self.get_method_display()}"
