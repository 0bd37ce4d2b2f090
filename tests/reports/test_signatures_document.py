"""The consolidated report as a document to sign: its empty fields at the decree's places, the body's signature made
on the server (visible seal and text), and the signed copy still passing the format checks of the unsigned one."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from reports.models import AgencyCertificate, SignedCopy
from reports.signatures import fields, services, signing
from reports.signatures.verification import document_verify

from . import pdf_fixtures, signature_fixtures
from .pdf_fixtures import SIGNER, pdf_text, runs_with_fonts
from .signature_fixtures import issued_bytes, read
from .signature_pki import P12_PASSWORD, external_sign, seal_png

accepted, cycle, profile = pdf_fixtures.accepted, pdf_fixtures.cycle, pdf_fixtures.profile  # shared fixtures
pki, signing_settings, trusted, body_certificate, issued = (
    signature_fixtures.pki,
    signature_fixtures.signing_settings,
    signature_fixtures.trusted,
    signature_fixtures.body_certificate,
    signature_fixtures.issued,
)


def widget_boxes(content: bytes) -> dict[str, tuple[int, list[float]]]:
    """Signature field name → (page index, /Rect)."""
    reader = PdfReader(io.BytesIO(content))
    found = {}
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/FT") == "/Sig" or annotation.get("/Parent", {}).get("/FT") == "/Sig":
                name = annotation.get("/T") or annotation["/Parent"].get("/T")
                found[str(name)] = (index, [float(v) for v in annotation["/Rect"]])
    return found


def test_the_issued_report_has_the_signer_and_seal_fields_in_the_signature_block(issued, tmp_path):
    content = issued_bytes(issued)
    boxes = widget_boxes(content)
    assert set(boxes) == {fields.SIGNER_FIELD, fields.SEAL_FIELD}
    (signer_page, signer), (seal_page, seal) = boxes[fields.SIGNER_FIELD], boxes[fields.SEAL_FIELD]
    assert signer_page == seal_page
    page_text = pdf_text(content, tmp_path, first=signer_page + 1, last=signer_page + 1)
    assert "Nơi nhận:" in page_text and SIGNER in page_text, "the fields sit on the page of the signature block"
    width = signer[2] - signer[0]
    assert 150 <= width <= 175 and 70 <= signer[3] - signer[1] <= 85  # 6 cm wide, the 28 mm blank space
    assert signer[0] > 297, "in the right-hand column"
    # The seal's square overlaps the left third of the signature, and starts left of it.
    seal_side = seal[3] - seal[1]
    assert seal[0] < signer[0] and seal[0] + seal_side == pytest.approx(signer[0] + width / 3, abs=1.5)
    reader = PdfFileReader(io.BytesIO(content))
    assert fields.existing_signature_fields(reader) == {fields.SIGNER_FIELD: False, fields.SEAL_FIELD: False}
    assert document_verify(content=content).is_issued_file, "the stored SHA-256 is that of the prepared file"


def test_preparing_twice_changes_nothing(issued):
    content = issued_bytes(issued)
    assert fields.document_prepare_for_signing(content=content) == content


def test_the_fields_sit_between_the_signers_title_and_name(issued):
    content = issued_bytes(issued)
    page, signer = widget_boxes(content)[fields.SIGNER_FIELD]
    positions: dict[str, float] = {}

    def visit(text, cm, tm, font_dict, font_size):
        for needle in ("PHÓ GIÁM ĐỐC", SIGNER):
            if needle in text and needle not in positions:
                positions[needle] = tm[5] * cm[3] + cm[5]

    PdfReader(io.BytesIO(content)).pages[page].extract_text(visitor_text=visit)
    assert positions[SIGNER] < signer[1] < signer[3] < positions["PHÓ GIÁM ĐỐC"] + 14


def test_the_body_signs_on_the_server_with_a_visible_seal_and_the_decree_text(
    issued, trusted, body_certificate, education_reviewer, tmp_path
):
    copy = services.signed_copy_sign(report=issued, by=education_reviewer)
    signed = read(copy.file)
    assert copy.is_official and copy.method == "server" and signed.startswith(issued_bytes(issued))
    result = document_verify(content=signed)
    assert result.is_valid and [s.field for s in result.signatures] == [fields.SEAL_FIELD]
    page, _ = widget_boxes(signed)[fields.SEAL_FIELD]
    text = " ".join(pdf_text(signed, tmp_path, first=page + 1, last=page + 1).split())
    assert "Cơ quan: Sở Giáo dục và Đào tạo" in text
    stamp = re.search(r"Thời gian ký: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00)", text)
    assert stamp, text
    # The appearance's text is Liberation Serif (Times New Roman's metric twin) at 10 pt.
    appearance_fonts, streams = set(), b""
    reader = PdfReader(io.BytesIO(signed))
    for annotation in reader.pages[page]["/Annots"]:
        annotation = annotation.get_object()
        if annotation.get("/T") == fields.SEAL_FIELD:
            forms = [annotation["/AP"]["/N"].get_object()]
            while forms:
                form = forms.pop()
                streams += form.get_data()
                resources = form.get("/Resources", {})
                appearance_fonts |= {str(f.get_object()["/BaseFont"]) for f in resources.get("/Font", {}).values()}
                forms += [
                    x.get_object()
                    for x in resources.get("/XObject", {}).values()
                    if x.get_object().get("/Subtype") == "/Form"
                ]
    assert b"/F1 10 Tf" in streams
    assert {name.split("+", 1)[-1] for name in appearance_fonts} == {"LiberationSerif-Identity-H"}


def test_the_signed_consolidated_report_still_passes_the_format_checks(
    issued, trusted, body_certificate, pki, education_reviewer, tmp_path
):
    sealed = read(services.signed_copy_sign(report=issued, by=education_reviewer).file)
    both = external_sign(sealed, pki.person, [pki.intermediate])
    reader = PdfReader(io.BytesIO(both))
    assert len(reader.pages) == issued.page_count
    first_box, last_box = reader.pages[0].mediabox, reader.pages[-1].mediabox
    assert (round(float(first_box.width)), round(float(first_box.height))) == (595, 842)
    assert float(last_box.width) > float(last_box.height), "the appendix stays landscape"
    first = pdf_text(both, tmp_path, first=1, last=1)
    for line in ("SỞ GIÁO DỤC VÀ ĐÀO TẠO", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BÁO CÁO"):
        assert line in first
    runs = runs_with_fonts(both)
    assert next(font for text, font in runs if "SỞ GIÁO DỤC" in text).endswith("Liberation-Serif-Bold")
    # Fonts: the portal's own signature embeds its font; the test's stand-in for a token plugin draws its default
    # Courier appearance, which says nothing about the portal, so the font listing is that of the sealed copy.
    path = tmp_path / "signed.pdf"
    path.write_bytes(sealed)
    listing = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    assert rows and all(row[-5] == "yes" for row in rows), listing  # every font embedded, the stamp's too
    issued_path = tmp_path / "issued.pdf"
    issued_path.write_bytes(issued_bytes(issued))
    before = subprocess.run(["pdffonts", str(issued_path)], check=True, capture_output=True, text=True).stdout
    names = {row[0].split("+", 1)[-1] for row in rows}
    added = names - {line.split()[0].split("+", 1)[-1] for line in before.splitlines()[2:]}
    assert added == {"LiberationSerif-Identity-H"}, added  # only the seal text's font came with signing
    assert document_verify(content=both).is_valid


def test_a_draft_cannot_be_signed_and_an_agency_without_certificate_is_told_how(issued, education_reviewer):
    with pytest.raises(services.WorkflowError, match="USB token"):
        services.signed_copy_sign(report=issued, by=education_reviewer)
    issued.is_draft = True
    with pytest.raises(services.WorkflowError, match="bản dự thảo"):
        services.signed_copy_sign(report=issued, by=education_reviewer)
    assert not SignedCopy.objects.exists()


def test_the_body_cannot_seal_twice(issued, trusted, body_certificate, education_reviewer):
    services.signed_copy_sign(report=issued, by=education_reviewer)
    with pytest.raises(services.WorkflowError, match="đã có chữ ký số của cơ quan"):
        services.signed_copy_sign(report=issued, by=education_reviewer)
    assert SignedCopy.objects.count() == 1


def test_a_document_already_sealed_says_so_even_when_the_key_can_no_longer_be_read(
    issued, trusted, body_certificate, education_reviewer, settings
):
    # The key is decrypted only for a document that still needs the seal: the reader learns the useful fact.
    from cryptography.fernet import Fernet

    services.signed_copy_sign(report=issued, by=education_reviewer)
    settings.SIGNING_KEY_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(services.WorkflowError, match="đã có chữ ký số của cơ quan"):
        services.signed_copy_sign(report=issued, by=education_reviewer)


# --- the body's certificate -------------------------------------------------------------------------------------


def test_the_private_key_is_stored_encrypted_and_unusable_with_another_key(body_certificate, settings, pki):
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import serialization

    stored = bytes(body_certificate.encrypted_key)
    clear = pki.body.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert clear not in stored and Fernet(settings.SIGNING_KEY_ENCRYPTION_KEY).decrypt(stored) == clear
    assert body_certificate.subject.startswith("CN=Sở Giáo dục và Đào tạo Hải Phòng")
    settings.SIGNING_KEY_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(services.WorkflowError, match="khóa mã hóa đã đổi"):
        services._private_key(body_certificate)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password": "sai-mat-khau"}, "sai mật khẩu"),
        ({"pkcs12_data": b"not a pkcs12"}, "sai mật khẩu"),
        ({"seal_png": b"GIF89a"}, "PNG"),
        ({"expired": True}, "hết hạn"),
    ],
)
def test_a_bad_certificate_upload_stores_nothing(pki, plan, administrator, change, message):
    from agencies.models import Agency

    arguments = {
        "agency": Agency.objects.get(code="SGDDT"),
        "pkcs12_data": pki.pkcs12(),
        "password": P12_PASSWORD,
        "seal_png": seal_png(),
        "by": administrator,
    }
    if change.pop("expired", False):
        arguments["pkcs12_data"] = pki.pkcs12(pki.expired)
    arguments.update(change)
    with pytest.raises(services.WorkflowError, match=message):
        services.agency_certificate_upload(**arguments)
    assert not AgencyCertificate.objects.exists()


def test_without_an_encryption_key_no_certificate_is_accepted(pki, plan, administrator, settings):
    from agencies.models import Agency

    settings.SIGNING_KEY_ENCRYPTION_KEY = ""
    with pytest.raises(services.WorkflowError, match="SIGNING_KEY_ENCRYPTION_KEY"):
        services.agency_certificate_upload(
            agency=Agency.objects.get(code="SGDDT"),
            pkcs12_data=pki.pkcs12(),
            password=P12_PASSWORD,
            seal_png=seal_png(),
            by=administrator,
        )
    assert not AgencyCertificate.objects.exists()


def test_a_new_certificate_retires_the_previous_one(body_certificate, pki, administrator):
    newer = services.agency_certificate_upload(
        agency=body_certificate.agency,
        pkcs12_data=pki.pkcs12(),
        password=P12_PASSWORD,
        seal_png=seal_png(),
        by=administrator,
    )
    body_certificate.refresh_from_db()
    assert newer.is_active and not body_certificate.is_active


def test_trust_roots_accept_ca_certificates_only_and_once(pki, db):
    services.trust_root_add(name="", certificate_data=pki.root.der)
    with pytest.raises(services.WorkflowError, match="đã có"):
        services.trust_root_add(name="lần hai", certificate_data=pki.root.pem)
    with pytest.raises(services.WorkflowError, match="CA"):
        services.trust_root_add(name="người ký", certificate_data=pki.person.pem)
    with pytest.raises(services.WorkflowError, match="PEM hoặc DER"):
        services.trust_root_add(name="rác", certificate_data=b"-----BEGIN CERTIFICATE-----\nxx\n")


def test_with_a_timestamp_authority_the_body_signature_is_pades_b_lt(
    issued, trusted, body_certificate, pki, education_reviewer, settings, monkeypatch
):
    from asn1crypto import keys as asn1_keys
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    settings.SIGNING_TSA_URL = "http://tsa.example.invalid/tsr"
    assert isinstance(signing._timestamper(), HTTPTimeStamper), "a configured URL means a timestamped signature"
    # The network TSA is stood in for by pyHanko's in-process one, with a certificate of the test PKI.
    key = pki.tsa.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    stamper = DummyTimeStamper(
        tsa_cert=pki.tsa.asn1,
        tsa_key=asn1_keys.PrivateKeyInfo.load(key),
        certs_to_embed=SimpleCertificateStore.from_certs([pki.intermediate.asn1]),
    )
    monkeypatch.setattr(signing, "_timestamper", lambda: stamper)
    signed = read(services.signed_copy_sign(report=issued, by=education_reviewer).file)
    reader = PdfFileReader(io.BytesIO(signed))
    assert "/DSS" in reader.root, "B-LT: the validation data is embedded in the document security store"
    [signature] = document_verify(content=signed).signatures
    assert signature.outcome == "valid" and signature.timestamped
