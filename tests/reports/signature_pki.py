"""A throwaway PKI built at test time with `cryptography`: a root, an intermediate under it, a body's signing
certificate and a person's, one expired signer, and a signer under a root nobody trusts. Plus a seal PNG and an
"external signing tool" (pyHanko used the way a USB-token plugin would)."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image, ImageDraw
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko_certvalidator.registry import SimpleCertificateStore

UTC = datetime.UTC
P12_PASSWORD = "mat-khau-p12"


@dataclass
class Issued:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def asn1(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.der)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Thử nghiệm hptracker"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def issue(
    common_name: str,
    *,
    issuer: Issued | None = None,
    ca: bool = False,
    not_before=None,
    not_after=None,
    time_stamping: bool = False,
) -> Issued:
    # pyHanko's in-process timestamper (the TSA stand-in) signs with RSA only.
    key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if time_stamping
        else ec.generate_private_key(ec.SECP256R1())
    )
    now = datetime.datetime.now(UTC)
    not_before = not_before or now - datetime.timedelta(days=30)
    not_after = not_after or now + datetime.timedelta(days=365)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer.certificate.subject if issuer else _name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        ).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING])
            if time_stamping
            else x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=time_stamping,  # RFC 3161: a TSA's key usage is critical and time stamping only
        )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    signing_key = issuer.key if issuer else key
    return Issued(builder.sign(signing_key, hashes.SHA256()), key)


@dataclass
class TestPki:
    root: Issued
    intermediate: Issued
    body: Issued  # the agency's organisation certificate
    person: Issued  # an official's own token
    expired: Issued
    stranger_root: Issued
    stranger: Issued
    tsa: Issued  # a timestamp authority under the same intermediate

    def pkcs12(self, leaf: Issued | None = None, *, password: str = P12_PASSWORD) -> bytes:
        leaf = leaf or self.body
        return pkcs12.serialize_key_and_certificates(
            b"co-quan",
            leaf.key,
            leaf.certificate,
            [self.intermediate.certificate],
            serialization.BestAvailableEncryption(password.encode()),
        )


def build_pki() -> TestPki:
    root = issue("Root CA thử nghiệm", ca=True, not_after=datetime.datetime.now(UTC) + datetime.timedelta(days=3650))
    intermediate = issue("CA trung gian thử nghiệm", issuer=root, ca=True)
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=UTC)
    stranger_root = issue("CA không tin cậy", ca=True)
    return TestPki(
        root=root,
        intermediate=intermediate,
        body=issue("Sở Giáo dục và Đào tạo Hải Phòng", issuer=intermediate),
        person=issue("Nguyễn Văn An", issuer=intermediate),
        expired=issue(
            "Chứng thư đã hết hạn",
            issuer=intermediate,
            not_before=long_ago,
            not_after=long_ago + datetime.timedelta(days=365),
        ),
        stranger_root=stranger_root,
        stranger=issue("Người ký lạ", issuer=stranger_root),
        tsa=issue("Dịch vụ cấp dấu thời gian thử nghiệm", issuer=intermediate, time_stamping=True),
    )


def seal_png(size: int = 300) -> bytes:
    """A red round seal on a transparent background."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((6, 6, size - 6, size - 6), outline=(220, 0, 0, 255), width=max(4, size // 30))
    draw.ellipse((size // 5, size // 5, size * 4 // 5, size * 4 // 5), outline=(220, 0, 0, 255), width=3)
    draw.regular_polygon((size / 2, size / 2, size / 8), 5, fill=(220, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def external_sign(content: bytes, leaf: Issued, chain: list[Issued], *, field: str = "ChuKyNguoiKy") -> bytes:
    """What an official's signing plugin does: a PAdES signature in the prepared field, as an incremental update."""
    signer = signers.SimpleSigner(
        signing_cert=leaf.asn1,
        signing_key=asn1_keys.PrivateKeyInfo.load(
            leaf.key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs([c.asn1 for c in chain]),
    )
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES)
    writer = IncrementalPdfFileWriter(io.BytesIO(content))
    return signers.PdfSigner(meta, signer=signer).sign_pdf(writer).getvalue()
