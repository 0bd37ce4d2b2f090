"""Verifying signed PDFs against a throwaway PKI: each outcome the portal reports, from "Hợp lệ" to a byte altered
after signing, and the inputs it refuses (not a PDF, encrypted, too big, broken)."""

from __future__ import annotations

import io
import re

import pytest
from pyhanko.pdf_utils.generic import NameObject, NumberObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader, PdfWriter

from reports.models import SignedCopy
from reports.signatures import fields, services, verification
from reports.signatures.verification import SignatureInputError, document_verify

from . import pdf_fixtures, signature_fixtures
from .signature_fixtures import issued_bytes
from .signature_pki import external_sign, seal_png

accepted, cycle, profile = pdf_fixtures.accepted, pdf_fixtures.cycle, pdf_fixtures.profile  # shared fixtures
pki, signing_settings, trusted, body_certificate = (
    signature_fixtures.pki,
    signature_fixtures.signing_settings,
    signature_fixtures.trusted,
    signature_fixtures.body_certificate,
)
submission, submission_head, agency_issued = (
    signature_fixtures.submission,
    signature_fixtures.submission_head,
    signature_fixtures.agency_issued,
)


def signed_by(content: bytes, pki, leaf=None, chain=None, **kwargs) -> bytes:
    return external_sign(content, leaf or pki.person, chain if chain is not None else [pki.intermediate], **kwargs)


def test_an_issued_agency_report_carries_the_two_empty_fields_and_its_stored_hash(agency_issued):
    content = issued_bytes(agency_issued)
    reader = PdfFileReader(io.BytesIO(content))
    assert fields.existing_signature_fields(reader) == {fields.SIGNER_FIELD: False, fields.SEAL_FIELD: False}
    result = document_verify(content=content)
    assert result.report == agency_issued and result.is_issued_file
    assert result.outcome == "unsigned" and result.message == "Tài liệu chưa được ký số"


def test_a_copy_signed_with_a_trusted_token_is_valid_and_names_its_document(agency_issued, trusted, pki):
    result = document_verify(content=signed_by(issued_bytes(agency_issued), pki))
    assert result.report == agency_issued and not result.is_issued_file and not result.modified_after_issue
    assert result.outcome == "valid" and result.message == "Hợp lệ"
    [signature] = result.signatures
    assert signature.field == fields.SIGNER_FIELD and "Nguyễn Văn An" in signature.signer
    assert "CA trung gian" in signature.issuer


def test_a_signer_under_a_root_nobody_trusts_is_intact_but_untrusted(agency_issued, trusted, pki):
    result = document_verify(content=signed_by(issued_bytes(agency_issued), pki, pki.stranger, [pki.stranger_root]))
    assert result.outcome == "untrusted"
    assert result.message == "Chữ ký hợp lệ nhưng chứng thư không thuộc danh sách tin cậy"


def test_without_any_trust_root_configured_nothing_is_trusted(agency_issued, pki):
    assert document_verify(content=signed_by(issued_bytes(agency_issued), pki)).outcome == "untrusted"


def test_a_certificate_expired_before_the_document_existed_is_refused(agency_issued, trusted, pki):
    result = document_verify(content=signed_by(issued_bytes(agency_issued), pki, pki.expired))
    assert result.outcome == "expired"
    assert result.message == "Chứng thư số đã hết hạn hoặc chưa có hiệu lực tại thời điểm ký"


def test_one_byte_altered_inside_the_signed_range_breaks_the_signature(agency_issued, trusted, pki):
    signed = signed_by(issued_bytes(agency_issued), pki)
    position = signed.index(b"WeasyPrint")  # the producer string of the issued revision, covered by the signature
    altered = signed[:position] + b"X" + signed[position + 1 :]
    result = document_verify(content=altered)
    assert result.outcome == "modified" and result.message == "Tài liệu đã bị sửa sau khi ký"
    assert result.report is None  # its first revision is no longer the issued file either


def test_content_appended_after_signing_is_reported_as_modified(agency_issued, trusted, pki):
    signed = signed_by(issued_bytes(agency_issued), pki)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page[NameObject("/Rotate")] = NumberObject(90)  # any change to a page is more than signing
    writer.update_container(page)
    output = io.BytesIO()
    writer.write(output)
    result = document_verify(content=output.getvalue())
    assert result.report == agency_issued
    assert result.outcome == "modified"


def test_a_document_changed_before_signing_is_not_the_issued_one(agency_issued, trusted, pki):
    """Someone edits the text, then signs: the signature is fine, the document is not the one issued."""
    reader = PdfReader(io.BytesIO(issued_bytes(agency_issued)))
    writer = PdfWriter(clone_from=reader)
    writer.add_metadata({"/Title": "Báo cáo đã sửa"})
    rewritten = io.BytesIO()
    writer.write(rewritten)
    prepared = fields.document_prepare_for_signing(content=rewritten.getvalue())
    result = document_verify(content=signed_by(prepared, pki))
    assert result.report is None and result.outcome == "valid"  # a valid signature on something else
    with pytest.raises(services.WorkflowError, match="không phải là văn bản này"):
        services.signed_copy_upload(report=agency_issued, content=signed_by(prepared, pki), by=None)


def test_a_garbled_signature_value_is_reported_as_broken(agency_issued, trusted, pki):
    signed = signed_by(issued_bytes(agency_issued), pki)
    match = re.search(rb"/Contents <([0-9a-fA-F]+)>", signed)
    start = match.start(1)  # the CMS structure's own header: it no longer parses
    garbled = signed[:start] + b"0000000000" + signed[start + 10 :]
    result = document_verify(content=garbled)
    assert result.outcome == "broken" and result.message == "Chữ ký bị hỏng hoặc không đúng định dạng"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 not a pdf at all", "Tệp không phải là PDF."),
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer garbage", "Tệp PDF bị hỏng, không đọc được."),
        (b"", "Tệp không phải là PDF."),
    ],
)
def test_unreadable_inputs_are_refused_with_a_sentence(db, content, message):
    with pytest.raises(SignatureInputError) as caught:
        document_verify(content=content)
    assert str(caught.value) == message


def test_an_encrypted_pdf_is_refused(agency_issued):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(issued_bytes(agency_issued))))
    writer.encrypt(user_password="", owner_password="chu-so-huu", algorithm="AES-128")
    output = io.BytesIO()
    writer.write(output)
    with pytest.raises(SignatureInputError, match="mã hóa"):
        document_verify(content=output.getvalue())


def test_a_file_over_the_limit_is_refused_before_it_is_read(settings, db):
    settings.SIGNED_PDF_MAX_BYTES = 1024 * 1024
    upload = signature_fixtures.as_upload(b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1))
    with pytest.raises(SignatureInputError, match="Tệp quá lớn: tối đa 1 MB."):
        verification.read_upload(upload)


def test_an_uploaded_valid_copy_becomes_official_and_the_issued_file_stays(
    agency_issued, trusted, pki, submission_head
):
    signed = signed_by(issued_bytes(agency_issued), pki)
    copy, result = services.signed_copy_upload(report=agency_issued, content=signed, by=submission_head)
    assert result.is_valid and copy.is_official and copy.method == "upload"
    assert signature_fixtures.read(copy.file) == signed
    assert signature_fixtures.read(agency_issued.file) != signed, "the unsigned file stays as issued"
    with pytest.raises(services.WorkflowError, match="đã được lưu"):
        services.signed_copy_upload(report=agency_issued, content=signed, by=submission_head)


@pytest.mark.parametrize("make", ["untrusted", "expired", "unsigned", "modified"])
def test_nothing_is_stored_as_official_from_an_upload_that_is_not_valid(
    agency_issued, trusted, pki, submission_head, make
):
    issued = issued_bytes(agency_issued)
    content = {
        "untrusted": lambda: signed_by(issued, pki, pki.stranger, [pki.stranger_root]),
        "expired": lambda: signed_by(issued, pki, pki.expired),
        "unsigned": lambda: issued,
        "modified": lambda: (lambda s: s.replace(b"WeasyPrint", b"WeasyPrinT", 1))(signed_by(issued, pki)),
    }[make]()
    with pytest.raises(services.WorkflowError):
        services.signed_copy_upload(report=agency_issued, content=content, by=submission_head)
    assert not SignedCopy.objects.exists()


def test_a_second_signature_after_the_body_seal_keeps_both_valid(
    agency_issued, trusted, pki, submission_head, administrator
):
    """The body seals on the server, the head then signs the sealed copy with their token and uploads it."""
    services.agency_certificate_upload(
        agency=submission_head.membership.agency,
        pkcs12_data=pki.pkcs12(),
        password="mat-khau-p12",
        seal_png=seal_png(),
        by=administrator,
    )
    sealed = services.signed_copy_sign(report=agency_issued, by=submission_head)
    both = signed_by(signature_fixtures.read(sealed.file), pki)
    copy, result = services.signed_copy_upload(report=agency_issued, content=both, by=submission_head)
    assert [s.outcome for s in result.signatures] == ["valid", "valid"]
    assert {s.field for s in result.signatures} == {fields.SIGNER_FIELD, fields.SEAL_FIELD}
    sealed.refresh_from_db()
    assert copy.is_official and not sealed.is_official, "the newest valid copy is the official one"


def test_the_verifier_recognises_a_copy_signed_before_and_the_unsigned_original(
    agency_issued, trusted, pki, submission_head
):
    signed = signed_by(issued_bytes(agency_issued), pki)
    copy, _ = services.signed_copy_upload(report=agency_issued, content=signed, by=submission_head)
    again = document_verify(content=signed)
    assert again.signed_copy == copy and again.report == agency_issued
    assert document_verify(content=issued_bytes(agency_issued)).is_issued_file
