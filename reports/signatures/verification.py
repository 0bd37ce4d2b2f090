"""Verifying a signed PDF: which issued document it is, whether only signatures were added to it, and for every
signature its integrity, its chain against the administrator's trust roots and the certificate's validity at the
time of signing. The entry point and the upload's reading; the verdicts are verdicts.py, and the checks, with
pyHanko, pdf_checks.py, loaded on the first verification. Reads only: recording a copy is services.py's job."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from .verdicts import SignatureInputError, Verification

__all__ = ["SignatureInputError", "Verification", "document_verify", "read_upload"]


def read_upload(upload: UploadedFile) -> bytes:
    """The uploaded bytes, refused before reading when over the size limit."""
    limit = settings.SIGNED_PDF_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise SignatureInputError(_("Tệp quá lớn: tối đa %(mb)d MB.") % {"mb": limit // (1024 * 1024)})
    content = b"".join(upload.chunks())
    if len(content) > limit:
        raise SignatureInputError(_("Tệp quá lớn: tối đa %(mb)d MB.") % {"mb": limit // (1024 * 1024)})
    return content


def document_verify(*, content: bytes) -> Verification:
    """Verify any PDF. Raises SignatureInputError (with the sentence to show) when it cannot be read at all."""
    # Imported here: pyHanko loads in the processes that verify or sign, not in every one that imports the URL conf.
    from reports.signatures import pdf_checks

    return pdf_checks.document_verify(content=content)
