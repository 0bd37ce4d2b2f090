"""Signing a document on the server with its issuing body's certificate, with pyHanko: the body's seal field,
PAdES-B-B, or B-LT when a timestamp authority is configured. services.signed_copy_sign imports this module when a
document is signed: pyHanko, asn1crypto and fontTools (the seal's text) are not loaded with the URL conf."""

from __future__ import annotations

import io
from collections.abc import Callable

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from agencies.models import Agency
from reports.errors import WorkflowError
from reports.models import AgencyCertificate

from . import appearance, fields, pdf_checks


def _signer_of(certificate: AgencyCertificate, key_der: bytes) -> signers.SimpleSigner:
    cert = asn1_x509.Certificate.load(
        x509.load_pem_x509_certificate(certificate.certificate_pem.encode()).public_bytes(serialization.Encoding.DER)
    )
    chain = (
        [
            asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
            for c in x509.load_pem_x509_certificates(certificate.chain_pem.encode())
        ]
        if certificate.chain_pem
        else []
    )
    return signers.SimpleSigner(
        signing_cert=cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )


def _timestamper():
    if not settings.SIGNING_TSA_URL:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper  # noqa: PLC0415

    return HTTPTimeStamper(settings.SIGNING_TSA_URL)


def seal_sign(
    *, content: bytes, certificate: AgencyCertificate, private_key: Callable[[], bytes], agency: Agency
) -> bytes:
    """`content` signed in the body's seal field with `certificate`, whose private key (DER) `private_key` decrypts
    once the document is known to need it: a document the body has already signed says so, whatever the state of
    the key. Raises WorkflowError when the body has already signed it or the signing fails."""
    # A document issued before the portal prepared signature fields gets them now, in an update of its own.
    content = fields.document_prepare_for_signing(content=content)
    writer = IncrementalPdfFileWriter(io.BytesIO(content))
    if fields.existing_signature_fields(writer.prev).get(fields.SEAL_FIELD):
        raise WorkflowError(_("Văn bản đã có chữ ký số của cơ quan."))
    timestamper = _timestamper()
    meta = signers.PdfSignatureMetadata(
        field_name=fields.SEAL_FIELD,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        name=agency.name,
        location="Hải Phòng",
        reason=_("Chữ ký số của cơ quan ban hành"),
        embed_validation_info=timestamper is not None,
        validation_context=ValidationContext(
            trust_roots=pdf_checks.trust_roots(), allow_fetching=True, revocation_mode="soft-fail"
        )
        if timestamper
        else None,
    )
    signed_at = timezone.localtime()
    pdf_signer = signers.PdfSigner(
        meta,
        signer=_signer_of(certificate, private_key()),
        timestamper=timestamper,
        stamp_style=appearance.seal_style(certificate),
    )
    try:
        return pdf_signer.sign_pdf(
            writer, appearance_text_params=appearance.text_params(agency=agency, signed_at=signed_at)
        ).getvalue()
    except Exception as exc:  # a TSA that does not answer, a key the library refuses: a sentence, never a 500
        raise WorkflowError(_("Không ký được văn bản: %(error)s") % {"error": type(exc).__name__}) from exc
