from __future__ import annotations

from reports.signatures import fields, services, verification

from . import pdf_fixtures, signature_fixtures
from .signature_fixtures import issued_bytes
from .signature_pki import external_sign

accepted, cycle, profile = pdf_fixtures.accepted, pdf_fixtures.cycle, pdf_fixtures.profile
pki, signing_settings, trusted, body_certificate, issued = (
    signature_fixtures.pki, signature_fixtures.signing_settings, signature_fixtures.trusted,
    signature_fixtures.body_certificate, signature_fixtures.issued)


def test_smoke(issued, trusted, body_certificate, pki, education_reviewer, tmp_path):
    content = issued_bytes(issued)
    prepared = fields.document_prepare_for_signing(content=content)
    print(fields.signature_places(content=content))
    signed = external_sign(prepared, pki.person, [pki.intermediate])
    (tmp_path / "x.pdf").write_bytes(signed)
    result = verification.document_verify(content=signed)
    print(result.report, result.outcome, result.signatures, result.modified_after_issue)
    copy = services.signed_copy_sign(report=issued, by=education_reviewer)
    print(copy, copy.signatures)
    import shutil; shutil.copy(copy.file.path, "/tmp/h15_signed.pdf")
    assert 0
