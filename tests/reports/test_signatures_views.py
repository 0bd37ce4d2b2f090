"""The signing pages as people use them: the reviewer seals the consolidated report on the server, an agency head
issues their report, signs it with their own token and uploads it, a leader downloads the official copy, anyone
signed in checks a PDF, the administrator configures certificates. Bad input: a sentence, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import AgencyCertificate, GeneratedReport, SignedCopy, TrustRoot

from . import pdf_fixtures, signature_fixtures
from .signature_fixtures import as_upload, issued_bytes, read
from .signature_pki import P12_PASSWORD, external_sign, seal_png

accepted, cycle, profile = pdf_fixtures.accepted, pdf_fixtures.cycle, pdf_fixtures.profile  # shared fixtures
pki, signing_settings, trusted, body_certificate, issued = (
    signature_fixtures.pki,
    signature_fixtures.signing_settings,
    signature_fixtures.trusted,
    signature_fixtures.body_certificate,
    signature_fixtures.issued,
)
submission, submission_head, agency_issued = (
    signature_fixtures.submission,
    signature_fixtures.submission_head,
    signature_fixtures.agency_issued,
)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def download(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_the_reviewer_seals_the_consolidated_report_and_a_leader_downloads_the_signed_copy(
    client, issued, trusted, body_certificate, education_reviewer, leader
):
    client.force_login(education_reviewer)
    page = client.get(reverse("reports:signature_document", args=[issued.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Hai cách ký số" in body and "Ký số bằng chứng thư của cơ quan" in body and "Tải bản để ký" in body
    response = client.post(reverse("reports:signature_sign", args=[issued.pk]), follow=True)
    assert "bản đã ký là bản chính thức" in " ".join(messages_of(response))
    copy = SignedCopy.objects.get(report=issued, is_official=True)
    client.force_login(leader)
    official = download(client.get(reverse("reports:generated_report_download", args=[issued.pk])))
    assert official == read(copy.file) != issued_bytes(issued)
    assert download(client.get(reverse("reports:signature_official_download", args=[issued.pk]))) == official
    assert download(client.get(reverse("reports:signature_issued_download", args=[issued.pk]))) == issued_bytes(
        issued
    ), "the unsigned file stays in the history"
    leader_page = client.get(reverse("reports:signature_document", args=[issued.pk])).content.decode()
    assert "Bản chính thức: bản đã ký số" in leader_page and "Hai cách ký số" not in leader_page
    assert client.post(reverse("reports:signature_sign", args=[issued.pk])).status_code == 403


def test_an_agency_head_issues_signs_with_a_token_and_uploads(client, submission, submission_head, trusted, pki):
    client.force_login(submission_head)
    detail = client.get(reverse("reports:submission_detail", args=[submission.pk])).content.decode()
    assert "Phát hành bản để ký số" in detail
    response = client.post(reverse("reports:submission_issue_for_signing", args=[submission.pk]))
    report = GeneratedReport.objects.get(submission=submission, kind="submission")
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:signature_document", args=[report.pk]
    )
    to_sign = download(client.get(reverse("reports:signature_issued_download", args=[report.pk])))
    signed = external_sign(to_sign, pki.person, [pki.intermediate])
    response = client.post(
        reverse("reports:signature_upload", args=[report.pk]), {"file": as_upload(signed)}, follow=True
    )
    assert messages_of(response) == ["Chữ ký hợp lệ: bản đã ký là bản chính thức."]
    assert download(client.get(reverse("reports:signature_official_download", args=[report.pk]))) == signed
    assert (
        "Bản để ký số phát hành"
        in client.get(reverse("reports:submission_detail", args=[submission.pk])).content.decode()
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"GIF89a not a pdf", "Tệp không phải là PDF."),
        ("unsigned", "Tệp tải lên chưa có chữ ký số."),
        ("untrusted", "Chữ ký hợp lệ nhưng chứng thư không thuộc danh sách tin cậy"),
        ("altered", "Tài liệu đã bị sửa sau khi ký"),
        ("other", "không phải là văn bản này"),
    ],
)
def test_a_bad_upload_says_why_and_stores_nothing(
    client, agency_issued, submission_head, trusted, pki, issued, content, expected
):
    original = issued_bytes(agency_issued)
    content = {
        "unsigned": lambda: original,
        "untrusted": lambda: external_sign(original, pki.stranger, [pki.stranger_root]),
        "altered": lambda: external_sign(original, pki.person, [pki.intermediate]).replace(
            b"WeasyPrint", b"WeasyPrinT", 1
        ),
        "other": lambda: external_sign(issued_bytes(issued), pki.person, [pki.intermediate]),
    }.get(content, lambda: content)()
    client.force_login(submission_head)
    response = client.post(
        reverse("reports:signature_upload", args=[agency_issued.pk]), {"file": as_upload(content)}, follow=True
    )
    assert response.status_code == 200
    [message] = messages_of(response)
    assert message.startswith("Không nhận bản ký:") and expected in message
    assert not SignedCopy.objects.exists()


def test_a_file_over_the_limit_is_refused(client, agency_issued, submission_head, settings):
    settings.SIGNED_PDF_MAX_BYTES = 1024
    client.force_login(submission_head)
    response = client.post(
        reverse("reports:signature_upload", args=[agency_issued.pk]),
        {"file": as_upload(b"%PDF-1.7\n" + b"0" * 2048)},
        follow=True,
    )
    assert "Tệp quá lớn" in messages_of(response)[0] and not SignedCopy.objects.exists()


def test_who_may_sign_and_upload(
    client, issued, agency_issued, agency_head, other_agency_staff, leader, education_reviewer, submission_head
):
    upload, sign = "reports:signature_upload", "reports:signature_sign"
    client.force_login(agency_head)  # the head of another agency
    assert client.get(reverse("reports:signature_document", args=[agency_issued.pk])).status_code == 404
    assert client.post(reverse(sign, args=[agency_issued.pk])).status_code == 404
    # Another agency's report does not exist for them (404); a reviewer who reads it may not issue it (403).
    issue = reverse("reports:submission_issue_for_signing", args=[agency_issued.submission_id])
    assert client.post(issue).status_code == 404
    client.force_login(education_reviewer)
    assert client.post(issue).status_code == 403
    client.force_login(education_reviewer)  # reads the agency's report, does not sign it
    assert client.get(reverse("reports:signature_document", args=[agency_issued.pk])).status_code == 200
    assert client.post(reverse(upload, args=[agency_issued.pk])).status_code == 403
    client.force_login(submission_head)  # signs its own report, not the consolidated one
    assert client.post(reverse(sign, args=[issued.pk])).status_code == 404
    client.force_login(leader)
    assert client.post(reverse(upload, args=[issued.pk])).status_code == 403


def test_anyone_signed_in_checks_a_pdf_on_the_verification_page(client, issued, trusted, pki, outsider):
    assert client.get(reverse("reports:signature_verify")).status_code == 302  # sign in first
    client.force_login(outsider)
    assert client.get(reverse("reports:signature_verify")).status_code == 200
    signed = external_sign(issued_bytes(issued), pki.person, [pki.intermediate])
    page = client.post(reverse("reports:signature_verify"), {"file": as_upload(signed)}).content.decode()
    assert 'data-outcome="valid"' in page and "Hợp lệ" in page
    assert issued.document_number in page and "chỉ được thêm chữ ký số" in page and "Nguyễn Văn An" in page
    stranger = client.post(reverse("reports:signature_verify"), {"file": as_upload(b"%PDF-1.4\n%%EOF\n")})
    assert stranger.status_code == 400 and "Tệp PDF bị hỏng" in stranger.content.decode()
    not_ours = external_sign(pdf_fixtures_blank(), pki.person, [pki.intermediate], field="Sig1")
    page = client.post(reverse("reports:signature_verify"), {"file": as_upload(not_ours)}).content.decode()
    assert 'id="not-issued"' in page and "Hợp lệ" in page
    assert client.post(reverse("reports:signature_verify"), {}).status_code == 400
    assert not SignedCopy.objects.exists(), "verifying stores nothing"


def pdf_fixtures_blank() -> bytes:
    """A PDF the portal never issued, with a signature field of its own."""
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field
    from weasyprint import HTML

    writer = IncrementalPdfFileWriter(io.BytesIO(HTML(string="<p>Văn bản khác</p>").write_pdf()))
    append_signature_field(writer, SigFieldSpec("Sig1", box=(100, 100, 250, 160)))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_the_administrator_uploads_a_body_certificate_and_a_trust_root(
    client, administrator, education_reviewer, pki, plan
):
    from agencies.models import Agency

    url = reverse("reports:signing_settings")
    client.force_login(education_reviewer)
    assert client.get(url).status_code == 403
    client.force_login(administrator)
    assert client.get(url).status_code == 200
    agency = Agency.objects.get(code="SGDDT")
    response = client.post(
        url,
        {
            "action": "certificate",
            "agency": agency.pk,
            "password": P12_PASSWORD,
            "pkcs12": as_upload(pki.pkcs12(), "co-quan.p12"),
            "seal_image": as_upload(seal_png(), "dau.png"),
        },
        follow=True,
    )
    assert messages_of(response) == ["Đã lưu chứng thư số của cơ quan."]
    assert P12_PASSWORD not in response.content.decode()
    assert AgencyCertificate.objects.get(agency=agency, is_active=True).subject.startswith("CN=Sở Giáo dục")
    response = client.post(
        url,
        {
            "action": "certificate",
            "agency": agency.pk,
            "password": "sai",
            "pkcs12": as_upload(pki.pkcs12(), "co-quan.p12"),
            "seal_image": as_upload(seal_png(), "dau.png"),
        },
        follow=True,
    )
    assert "sai mật khẩu" in messages_of(response)[0] and AgencyCertificate.objects.count() == 1
    response = client.post(
        url,
        {"action": "root", "name": "Root CA Chính phủ (thử)", "certificate": as_upload(pki.root.pem, "root.pem")},
        follow=True,
    )
    assert messages_of(response) == ["Đã thêm chứng thư gốc tin cậy."]
    assert TrustRoot.objects.get().name == "Root CA Chính phủ (thử)"
