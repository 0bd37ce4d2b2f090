"""Fixtures of the signature tests: the test PKI (built once per session), trust roots, a key-encryption key, an
issued consolidated report and an agency's report issued for signing."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from agencies.models import Agency
from reports.documents import services as documents
from reports.documents.tasks import render_generated_report
from reports.models import CycleStatus, GeneratedReport
from reports.signatures import services

from .signature_pki import P12_PASSWORD, build_pki, seal_png


@pytest.fixture(scope="session")
def pki():
    return build_pki()


@pytest.fixture(autouse=True)
def signing_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SIGNING_KEY_ENCRYPTION_KEY = Fernet.generate_key().decode()
    settings.SIGNING_TSA_URL = ""


@pytest.fixture
def trusted(pki, db):
    """The administrator trusts the test root (not the stranger's)."""
    return services.trust_root_add(name="Root CA thử nghiệm", certificate_data=pki.root.pem)


@pytest.fixture
def body_certificate(pki, plan, administrator):
    return services.agency_certificate_upload(
        agency=Agency.objects.get(code="SGDDT"),
        pkcs12_data=pki.pkcs12(),
        password=P12_PASSWORD,
        seal_png=seal_png(),
        by=administrator,
    )


@pytest.fixture
def issued(cycle, accepted, profile, education_reviewer) -> GeneratedReport:
    """A numbered consolidated report, rendered as the worker renders it."""
    cycle.status = CycleStatus.LOCKED
    cycle.save(update_fields=["status"])
    report = documents.generated_report_request(cycle=cycle, by=education_reviewer, final=True)
    render_generated_report(report.pk)
    report.refresh_from_db()
    assert report.status == "ready", report.error
    return report


def read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def issued_bytes(report: GeneratedReport) -> bytes:
    return read(report.file)


def as_upload(content: bytes, name: str = "da-ky.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def submission(accepted):
    """One accepted agency report (the first of the accepted ones)."""
    return accepted[0]


@pytest.fixture
def submission_head(submission):
    from agencies.models import Role
    from tests.conftest import make_person

    head = make_person("donvi.lanhdao", Role.HEAD, submission.agency)
    submission.submitted_by = head
    submission.save(update_fields=["submitted_by"])
    return head


@pytest.fixture
def agency_issued(submission, submission_head) -> GeneratedReport:
    """The agency's report issued for signing by its head."""
    return documents.submission_document_issue(submission=submission, by=submission_head)
