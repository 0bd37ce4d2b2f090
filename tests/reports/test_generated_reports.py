"""Requesting, rendering, serving and expiring generated PDFs; task bodies are called directly (Celery's own
guide: eager mode is not for tests); tests/reports/test_pdf_worker.py runs a real worker."""

from __future__ import annotations

import datetime
import hashlib
import io
import os
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from agencies.models import Agency
from reports.documents import files
from reports.documents import services as documents
from reports.documents.tasks import expire_generated_reports, render_generated_report
from reports.errors import WorkflowError
from reports.models import CycleStatus, GeneratedReport, GeneratedReportStatus, OutboxMessage

from . import pdf_fixtures
from .pdf_fixtures import SIGNER, pdf_text

accepted, cycle, profile = pdf_fixtures.accepted, pdf_fixtures.cycle, pdf_fixtures.profile  # shared fixtures

NOW = datetime.datetime(2025, 1, 5, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def locked(cycle):
    """An official report is made of a locked cycle only (the other engineer's lock button sets the same)."""
    cycle.status = CycleStatus.LOCKED
    cycle.save(update_fields=["status"])
    return cycle


def request_report(cycle, user, *, final=False, capture=None) -> GeneratedReport:
    return documents.generated_report_request(cycle=cycle, by=user, final=final)


def test_a_request_is_queued_after_commit_and_rendered_into_a_ready_file(
    locked, cycle, accepted, profile, education_reviewer, django_capture_on_commit_callbacks, frozen, tmp_path
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = request_report(cycle, education_reviewer, final=True)
    assert len(callbacks) == 1 and report.status == GeneratedReportStatus.QUEUED
    assert report.document_number == "", "the number is taken by the render, only if it succeeds"
    render_generated_report(report.pk)  # the task body, as the worker would run it
    report.refresh_from_db()
    assert report.status == GeneratedReportStatus.READY and report.attempts == 1
    assert report.document_number == "01/BC-SGDĐT"
    content = Path(report.file.path).read_bytes()
    assert hashlib.sha256(content).hexdigest() == report.sha256
    assert len(PdfReader(io.BytesIO(content)).pages) == report.page_count > 5
    assert report.snapshot["signer"]["name"] == SIGNER
    first_page = pdf_text(content, tmp_path, first=1, last=1)
    assert "Số: 01/BC-SGDĐT" in first_page and "DỰ THẢO" not in first_page
    assert report.expires_at is None, "an issued document never expires"


def test_rendering_a_ready_report_again_does_nothing(cycle, accepted, profile, education_reviewer):
    report = request_report(cycle, education_reviewer)
    files.generated_report_render(report_id=report.pk)
    report.refresh_from_db()
    before = (report.file.name, report.sha256, report.finished_at, report.attempts)
    render_generated_report(report.pk)
    report.refresh_from_db()
    assert (report.file.name, report.sha256, report.finished_at, report.attempts) == before


def test_final_numbers_follow_each_other_and_restart_in_january(locked, cycle, profile, education_reviewer):
    """Numbers are taken in render order; a reissue takes the next one; a document dated in January starts at 01."""

    def issue(**kwargs) -> GeneratedReport:
        report = documents.generated_report_request(cycle=cycle, by=education_reviewer, final=True, **kwargs)
        files.generated_report_render(report_id=report.pk)
        report.refresh_from_db()
        assert report.status == GeneratedReportStatus.READY, report.error
        return report

    with time_machine.travel(datetime.datetime(2024, 12, 30, 9, tzinfo=NOW.tzinfo), tick=False):
        first = issue()
        second = issue(reissue_of=first)
        draft = request_report(cycle, education_reviewer)
    with time_machine.travel(NOW, tick=False):
        third = issue(reissue_of=second)
    assert [r.document_number for r in (first, second, third)] == ["01/BC-SGDĐT", "02/BC-SGDĐT", "01/BC-SGDĐT"]
    assert draft.document_number == "" and draft.is_draft


def test_the_snapshot_keeps_the_signer_and_names_after_the_profile_changes(
    cycle, accepted, profile, education_reviewer, tmp_path
):
    report = request_report(cycle, education_reviewer)
    profile.signer_name = "Trần Thị Mới"
    profile.save()
    Agency.objects.filter(code="SGDDT").update(name="Sở Giáo dục (tên mới)")
    files.generated_report_render(report_id=report.pk)
    report.refresh_from_db()
    text = pdf_text(Path(report.file.path).read_bytes(), tmp_path)
    assert SIGNER in text and "Trần Thị Mới" not in text
    assert "SỞ GIÁO DỤC VÀ ĐÀO TẠO" in text and "TÊN MỚI" not in text
    assert report.snapshot["signer"]["name"] == SIGNER
    assert report.snapshot["issuer"]["name"] == "Sở Giáo dục và Đào tạo"
    assert report.snapshot["agencies"], "agency names used in the document are kept too"


def test_a_final_number_needs_a_signer(locked, cycle, profile, education_reviewer):
    profile.signer_name = ""
    profile.save()
    with pytest.raises(WorkflowError, match="chưa có họ tên người ký"):
        request_report(cycle, education_reviewer, final=True)


def test_an_official_report_of_an_open_cycle_is_refused_and_takes_no_number(cycle, profile, education_reviewer):
    with pytest.raises(WorkflowError, match="Kỳ báo cáo năm 2024 chưa khóa số liệu"):
        request_report(cycle, education_reviewer, final=True)
    assert not GeneratedReport.objects.exists()
    cycle.status = CycleStatus.LOCKED
    cycle.save(update_fields=["status"])
    report = request_report(cycle, education_reviewer, final=True)
    files.generated_report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.document_number.startswith("01/"), report.error


def test_a_draft_of_an_open_cycle_is_allowed_and_says_draft_on_page_one(
    cycle, accepted, profile, education_reviewer, tmp_path
):
    report = request_report(cycle, education_reviewer)
    files.generated_report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == GeneratedReportStatus.READY, report.error
    first_page = pdf_text(Path(report.file.path).read_bytes(), tmp_path, first=1, last=1)
    assert "DỰ THẢO" in first_page and "Số: …/BC-SGDĐT" in first_page


def test_a_render_error_marks_the_record_failed_with_the_error_text(cycle, profile, education_reviewer):
    report = request_report(cycle, education_reviewer)
    with mock.patch.object(files, "render_template_pdf", side_effect=RuntimeError("hết bộ nhớ")):
        render_generated_report(report.pk)
    report.refresh_from_db()
    assert report.status == GeneratedReportStatus.FAILED and "hết bộ nhớ" in report.error
    assert not report.file.name
    assert not list(Path(default_storage.path("")).rglob("*.part-*"))


def test_a_stale_rendering_record_with_a_partial_file_is_requeued_then_failed_never_ready(
    cycle, profile, education_reviewer, django_capture_on_commit_callbacks
):
    report = request_report(cycle, education_reviewer)
    old = timezone.now() - files.stale_after() - datetime.timedelta(minutes=1)
    GeneratedReport.objects.filter(pk=report.pk).update(
        status=GeneratedReportStatus.RENDERING, started_at=old, attempts=1
    )
    partial = Path(default_storage.path(f"generated/2025/{report.pk}-consolidated-2024-abc.pdf.part-dead"))
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"%PDF-1.7 half a file")
    os.utime(partial, (old.timestamp(), old.timestamp()))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        counts = expire_generated_reports()
    report.refresh_from_db()
    assert counts["requeued"] == 1 and counts["temp_files"] == 1 and len(callbacks) == 1
    assert report.status == GeneratedReportStatus.QUEUED and not partial.exists() and not report.file.name

    GeneratedReport.objects.filter(pk=report.pk).update(
        status=GeneratedReportStatus.RENDERING, started_at=old, attempts=files.MAX_ATTEMPTS
    )
    assert expire_generated_reports()["failed"] == 1
    report.refresh_from_db()
    assert report.status == GeneratedReportStatus.FAILED and report.error and not report.file.name


def test_a_live_rendering_record_is_left_to_its_worker(cycle, profile, education_reviewer):
    report = request_report(cycle, education_reviewer)
    GeneratedReport.objects.filter(pk=report.pk).update(
        status=GeneratedReportStatus.RENDERING, started_at=timezone.now(), attempts=1
    )
    render_generated_report(report.pk)
    expire_generated_reports()
    report.refresh_from_db()
    assert report.status == GeneratedReportStatus.RENDERING and report.attempts == 1


def test_old_drafts_expire_with_their_files_but_issued_reports_stay(
    locked, cycle, accepted, profile, education_reviewer, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW - datetime.timedelta(days=8), tick=False):
        draft, final = request_report(cycle, education_reviewer), request_report(cycle, education_reviewer, final=True)
        for report in (draft, final):
            files.generated_report_render(report_id=report.pk)
    draft.refresh_from_db()
    path = Path(draft.file.path)
    assert path.exists()
    # The file goes only once the row's deletion has committed.
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        counts = files.generated_reports_sweep()[0]
    assert counts["expired"] == 1
    assert not GeneratedReport.objects.filter(pk=draft.pk).exists() and not path.exists()
    assert GeneratedReport.objects.get(pk=final.pk).status == GeneratedReportStatus.READY


# --- views -------------------------------------------------------------------------------------------------


def test_agency_staff_can_neither_request_nor_list_consolidated_reports(client, cycle, agency_staff):
    client.force_login(agency_staff)
    assert client.post(reverse("reports:consolidated_report_request"), {"cycle": cycle.pk}).status_code == 403
    assert client.get(reverse("reports:consolidated_reports")).status_code == 403
    assert not GeneratedReport.objects.exists()


def test_the_consolidator_requests_and_follows_progress(
    client, cycle, profile, education_reviewer, django_capture_on_commit_callbacks
):
    client.force_login(education_reviewer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("reports:consolidated_report_request"), {"cycle": cycle.pk})
    report = GeneratedReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:generated_report_detail", args=[report.pk]
    )
    assert len(callbacks) == 1
    page = client.get(response["Location"]).content.decode()
    # Polled by a script file (no <meta refresh>, no inline script: the CSP forbids it).
    assert "js/report_progress.js" in page and 'http-equiv="refresh"' not in page and "Đang chờ" in page
    status = client.get(reverse("reports:generated_report_status", args=[report.pk])).json()
    # The on-commit dispatch has not run: the render waits in the outbox, and the page says so.
    assert status == {
        "id": report.pk,
        "status": "queued",
        "label": "Đang chờ hệ thống xử lý",
        "waiting": True,
        "interrupted": False,
        "finished": False,
        "error": "",
        "download_url": None,
    }
    OutboxMessage.objects.update(sent_at=timezone.now())  # as the dispatcher marks it once the broker took it
    status = client.get(reverse("reports:generated_report_status", args=[report.pk])).json()
    assert status["label"] == "Đang chờ" and status["waiting"] is False
    assert client.get(reverse("reports:generated_report_download", args=[report.pk])).status_code == 404


def test_a_leader_downloads_the_latest_ready_report(client, cycle, accepted, profile, education_reviewer, leader):
    report = request_report(cycle, education_reviewer)
    files.generated_report_render(report_id=report.pk)
    report.refresh_from_db()
    client.force_login(leader)
    page = client.get(reverse("reports:consolidated_reports")).content.decode()
    download = reverse("reports:generated_report_download", args=[report.pk])
    assert report.status == "ready", report.error
    assert download in page, page[page.find("<main") :]
    assert "Báo cáo tổng hợp" in page
    assert "Tạo báo cáo tổng hợp" not in page
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == report.sha256
    assert client.get(reverse("reports:generated_report_status", args=[report.pk])).json()["finished"]
    assert client.post(reverse("reports:consolidated_report_request"), {"cycle": cycle.pk}).status_code == 403


def test_a_leader_with_nothing_to_download_yet_is_told_when_the_report_is_due(client, cycle, leader):
    from reports.models import CycleDeadline

    due = CycleDeadline.objects.get(cycle=cycle, rule__consolidates=True).due_on
    client.force_login(leader)
    page = client.get(reverse("reports:consolidated_reports")).content.decode()
    assert "Chưa có báo cáo tổng hợp nào." in page
    assert f"Báo cáo tổng hợp năm {cycle.year} có hạn gửi ngày {due:%d/%m/%Y}" in page


def test_the_nav_links_to_consolidated_reports_only_for_those_who_may_read_them(client, leader, agency_staff):
    link = reverse("reports:consolidated_reports")
    client.force_login(leader)
    assert link in client.get(reverse("plans:plan_list")).content.decode()
    client.force_login(agency_staff)
    assert link not in client.get(reverse("plans:plan_list")).content.decode()


def test_asking_for_an_official_report_of_an_open_cycle_says_why_and_creates_nothing(
    client, cycle, profile, education_reviewer
):
    client.force_login(education_reviewer)
    response = client.post(
        reverse("reports:consolidated_report_request"), {"cycle": cycle.pk, "final": "on"}, follow=True
    )
    assert "chưa khóa số liệu" in response.content.decode()
    assert not GeneratedReport.objects.exists()
