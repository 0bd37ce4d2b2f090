"""Signing workflows: a body's certificate and the trust roots (administrator), a copy of an agency's report issued
for signing, signing on the server with the body's certificate, and recording a verified signed copy as the
official one. Preparing fields is fields.py, signing with pyHanko signing.py, verifying verification.py."""

from __future__ import annotations

import hashlib
import io

from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from reports.errors import WorkflowError
from reports.models import (
    AgencyCertificate,
    GeneratedReport,
    GeneratedReportKind,
    GeneratedReportStatus,
    SignedCopy,
    SignedCopyMethod,
    TrustRoot,
)

from . import verification

SEAL_MAX_BYTES = 2 * 1024 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --- keys at rest -----------------------------------------------------------------------------------------------


def _fernet() -> Fernet:
    key = settings.SIGNING_KEY_ENCRYPTION_KEY
    if not key:
        raise WorkflowError(
            _(
                "Chưa cấu hình khóa mã hóa chứng thư (SIGNING_KEY_ENCRYPTION_KEY): chưa thể lưu hoặc "
                "dùng chứng thư số của cơ quan."
            )
        )
    try:
        return Fernet(key)
    except (ValueError, TypeError) as exc:
        raise WorkflowError(_("Khóa mã hóa chứng thư (SIGNING_KEY_ENCRYPTION_KEY) không hợp lệ.")) from exc


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _check_seal(seal_png: bytes) -> None:
    from PIL import Image, UnidentifiedImageError  # noqa: PLC0415 - only the administrator's upload needs it

    if len(seal_png) > SEAL_MAX_BYTES or not seal_png.startswith(PNG_MAGIC):
        raise WorkflowError(_("Hình con dấu phải là tệp PNG (nền trong suốt), tối đa 2 MB."))
    try:
        with Image.open(io.BytesIO(seal_png)) as image:
            image.verify()
            size = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise WorkflowError(_("Hình con dấu phải là tệp PNG (nền trong suốt), tối đa 2 MB.")) from exc
    if max(size) > 3000 or min(size) < 50:
        raise WorkflowError(_("Hình con dấu phải có kích thước từ 50 đến 3000 điểm ảnh mỗi chiều."))


def agency_certificate_upload(
    *, agency: Agency, pkcs12_data: bytes, password: str, seal_png: bytes, by
) -> AgencyCertificate:
    """Store a body's certificate: the key encrypted, the certificate and chain in clear, the seal image. The
    previous active certificate of the agency is retired (kept for the record)."""
    fernet = _fernet()
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(pkcs12_data, password.encode() or None)
    except (ValueError, TypeError) as exc:
        raise WorkflowError(_("Không mở được tệp PKCS#12: sai mật khẩu hoặc tệp bị hỏng.")) from exc
    if key is None or certificate is None:
        raise WorkflowError(_("Tệp PKCS#12 phải chứa cả chứng thư và khóa bí mật."))
    public = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*public) != certificate.public_key().public_bytes(*public):
        raise WorkflowError(_("Khóa bí mật không khớp với chứng thư trong tệp PKCS#12."))
    now = timezone.now()
    if not (certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc):
        raise WorkflowError(_("Chứng thư số đã hết hạn hoặc chưa có hiệu lực."))
    _check_seal(seal_png)
    key_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with transaction.atomic():
        AgencyCertificate.objects.select_for_update().filter(agency=agency, is_active=True).update(is_active=False)
        record = AgencyCertificate(
            agency=agency,
            subject=certificate.subject.rfc4514_string()[:500],
            issuer=certificate.issuer.rfc4514_string()[:500],
            serial_number=format(certificate.serial_number, "x"),
            fingerprint_sha256=hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest(),
            valid_from=certificate.not_valid_before_utc,
            valid_until=certificate.not_valid_after_utc,
            certificate_pem=_pem(certificate),
            chain_pem="".join(_pem(c) for c in chain or []),
            encrypted_key=fernet.encrypt(key_der),
            uploaded_by=by,
        )
        record.seal_image.save("con-dau.png", ContentFile(seal_png), save=False)
        record.save()
    return record


def trust_root_add(*, name: str, certificate_data: bytes) -> TrustRoot:
    """A CA certificate (PEM or DER) the city trusts."""
    try:
        certificate = (
            x509.load_pem_x509_certificate(certificate_data)
            if b"-----BEGIN" in certificate_data
            else x509.load_der_x509_certificate(certificate_data)
        )
    except ValueError as exc:
        raise WorkflowError(_("Không đọc được chứng thư (cần tệp PEM hoặc DER).")) from exc
    try:
        is_ca = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise WorkflowError(_("Đây không phải chứng thư của tổ chức cấp chứng thư (CA)."))
    fingerprint = hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()
    if TrustRoot.objects.filter(fingerprint_sha256=fingerprint).exists():
        raise WorkflowError(_("Chứng thư này đã có trong danh sách tin cậy."))
    return TrustRoot.objects.create(
        name=name.strip() or certificate.subject.rfc4514_string()[:200],
        subject=certificate.subject.rfc4514_string()[:500],
        fingerprint_sha256=fingerprint,
        valid_until=certificate.not_valid_after_utc,
        certificate_pem=_pem(certificate),
    )


# --- documents to sign ------------------------------------------------------------------------------------------


def issuing_agency(report: GeneratedReport) -> Agency | None:
    if report.kind == GeneratedReportKind.SUBMISSION:
        return report.submission.agency if report.submission is not None else None
    return report.profile.agency if report.profile is not None else None


def is_official_document(report: GeneratedReport) -> bool:
    return report.status == GeneratedReportStatus.READY and not report.is_draft and bool(report.file.name)


def official_copy(report: GeneratedReport) -> SignedCopy | None:
    return report.signed_copies.filter(is_official=True).first()


def _private_key(certificate: AgencyCertificate) -> bytes:
    """The body's private key (DER), decrypted for one signing."""
    try:
        return _fernet().decrypt(bytes(certificate.encrypted_key))
    except InvalidToken as exc:
        raise WorkflowError(
            _("Không giải mã được khóa của chứng thư: khóa mã hóa đã đổi, hãy tải lại chứng thư.")
        ) from exc


def _current_bytes(report: GeneratedReport) -> bytes:
    """What the next signature goes on: the official signed copy if there is one, else the issued file."""
    copy = official_copy(report)
    field = copy.file if copy else report.file
    with field.open("rb") as handle:
        return handle.read()


def signed_copy_record(
    *, report: GeneratedReport, content: bytes, method: str, by, result: verification.Verification
) -> SignedCopy:
    """Store a verified copy as the official one; the previous official copy stays in the history."""
    if not result.is_valid or result.report is None or result.report.pk != report.pk:
        raise WorkflowError(result.message)
    sha = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        GeneratedReport.objects.select_for_update().get(pk=report.pk)  # one official copy at a time
        if SignedCopy.objects.filter(report=report, sha256=sha).exists():
            raise WorkflowError(_("Bản đã ký này đã được lưu trước đó."))
        SignedCopy.objects.filter(report=report, is_official=True).update(is_official=False)
        copy = SignedCopy(
            report=report,
            sha256=sha,
            size=len(content),
            method=method,
            is_official=True,
            signatures=[s.as_json() for s in result.signatures],
            created_by=by,
        )
        copy.file.save(f"{report.kind}-{report.cycle.year}-da-ky-{sha[:12]}.pdf", ContentFile(content), save=False)
        copy.save()
    return copy


def signed_copy_sign(*, report: GeneratedReport, by) -> SignedCopy:
    """Sign the document on the server with its issuing body's certificate (the body's seal field): PAdES-B-B, or
    B-LT when a timestamp authority is configured. The result is verified like any upload before it is kept."""
    if not is_official_document(report):
        raise WorkflowError(_("Chỉ ký số văn bản chính thức đã tạo xong (không ký bản dự thảo)."))
    agency = issuing_agency(report)
    certificate = AgencyCertificate.objects.filter(agency=agency, is_active=True).first() if agency else None
    if agency is None or certificate is None:
        raise WorkflowError(
            _(
                "Cơ quan ban hành chưa có chứng thư số trên cổng: hãy tải văn bản về, ký bằng thiết bị "
                "ký số (USB token) rồi tải bản đã ký lên."
            )
        )
    if certificate.valid_until <= timezone.now():
        raise WorkflowError(_("Chứng thư số của cơ quan đã hết hạn: quản trị cần tải lên chứng thư mới."))
    # Imported here: pyHanko loads in the processes that sign a document, not in every one that imports the URL conf.
    from reports.signatures import signing

    signed = signing.seal_sign(
        content=_current_bytes(report),
        certificate=certificate,
        private_key=lambda: _private_key(certificate),
        agency=agency,
    )
    result = verification.document_verify(content=signed)
    return signed_copy_record(report=report, content=signed, method=SignedCopyMethod.SERVER, by=by, result=result)


def signed_copy_upload(*, report: GeneratedReport, content: bytes, by) -> tuple[SignedCopy, verification.Verification]:
    """A copy signed outside the portal (USB token, remote signing). Kept as the official copy only if it is this
    document, only signatures were added, and every signature is valid and trusted."""
    if not is_official_document(report):
        raise WorkflowError(_("Chỉ nhận bản ký của văn bản chính thức đã tạo xong."))
    result = verification.document_verify(content=content)
    if result.outcome in ("modified", "broken"):
        raise WorkflowError(result.message)
    if result.report is None or result.report.pk != report.pk:
        raise WorkflowError(
            _("Tệp tải lên không phải là văn bản này do cổng ban hành (không khớp mã băm của bản đã phát hành).")
        )
    if result.outcome == "unsigned":
        raise WorkflowError(_("Tệp tải lên chưa có chữ ký số."))
    copy = signed_copy_record(report=report, content=content, method=SignedCopyMethod.UPLOAD, by=by, result=result)
    return copy, result
