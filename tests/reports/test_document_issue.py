"""Issue 10: one number per official document (reissue, numbers released by a failed render, unique under
concurrent renders), the heartbeat of a render and the page of a stalled one, and the body's bounded synthesis."""

from __future__ import annotations

import datetime
import threading
import time
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from reports.documents import files
from reports.documents import services as documents
from reports.documents.pdf.render import render_template_pdf as real_render
from reports.documents.pdf.synthesis import text_excerpt, texts_grouped
from reports.models import Cycle, CycleStatus, DocumentNumber, GeneratedReport, GeneratedReportStatus

from . import pdf_fixtures
from .pdf_data import open_cycle
from .pdf_fixtures import pdf_text

cycle, profile = pdf_fixtures.cycle, pdf_fixtures.profile  # shared fixtures


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def lock(cycle: Cycle) -> Cycle:
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.LOCKED)
    cycle.refresh_from_db()
    return cycle


def issue(cycle, user, **kwargs) -> GeneratedReport:
    report = documents.generated_report_request(cycle=cycle, by=user, final=True, **kwargs)
    files.generated_report_render(report_id=report.pk)
    report.refresh_from_db()
    return report


# --- one number per document ----------------------------------------------------------------------------


def test_asking_again_shows_the_existing_official_report_and_takes_no_number(
    client, cycle, profile, education_reviewer
):
    lock(cycle)
    first = issue(cycle, education_reviewer)
    assert first.document_number == "01/BC-SGDĐT"
    with pytest.raises(documents.AlreadyIssued) as refused:
        documents.generated_report_request(cycle=cycle, by=education_reviewer, final=True)
    assert refused.value.report == first and "01/BC-SGDĐT" in str(refused.value)
    client.force_login(education_reviewer)
    response = client.post(reverse("reports:consolidated_report_request"), {"cycle": cycle.pk, "final": "on"})
    assert response["Location"] == reverse("reports:generated_report_detail", args=[first.pk])
    page = client.get(response["Location"]).content.decode()
    assert "đã có (01/BC-SGDĐT)" in page and "Phát hành lại" in page
    assert GeneratedReport.objects.count() == 1
    assert DocumentNumber.objects.get().last_number == 1


def test_a_reissue_takes_a_new_number_and_says_which_one_it_replaces(
    client, cycle, profile, education_reviewer, tmp_path
):
    lock(cycle)
    first = issue(cycle, education_reviewer)
    client.force_login(education_reviewer)
    response = client.post(reverse("reports:consolidated_report_reissue", args=[first.pk]))
    second = GeneratedReport.objects.exclude(pk=first.pk).get()
    assert response["Location"] == reverse("reports:generated_report_detail", args=[second.pk])
    files.generated_report_render(report_id=second.pk)
    second.refresh_from_db()
    assert second.document_number == "02/BC-SGDĐT" and second.snapshot["replaces"]["id"] == first.pk
    first_page = " ".join(pdf_text(Path(second.file.path).read_bytes(), tmp_path, first=1, last=1).split())
    assert f"Thay thế Báo cáo số 01/BC-SGDĐT ngày {timezone.localdate():%d/%m/%Y}" in first_page
    old_page = client.get(reverse("reports:generated_report_detail", args=[first.pk])).content.decode()
    assert "đã được thay thế" in old_page and "02/BC-SGDĐT" in old_page
    # The replaced one cannot be reissued again: the current one can.
    client.post(reverse("reports:consolidated_report_reissue", args=[first.pk]))
    assert GeneratedReport.objects.count() == 2


def test_a_render_that_fails_releases_its_number(cycle, profile, education_reviewer):
    lock(cycle)
    with mock.patch.object(files, "render_template_pdf", side_effect=RuntimeError("hết bộ nhớ")):
        failed = issue(cycle, education_reviewer)
    assert failed.status == GeneratedReportStatus.FAILED and failed.document_number == ""
    assert not DocumentNumber.objects.filter(last_number__gt=0).exists()
    # A failed one is no official report: asking again is allowed, and takes 01.
    assert issue(cycle, education_reviewer).document_number == "01/BC-SGDĐT"


@pytest.mark.django_db(transaction=True)
def test_numbers_stay_unique_when_two_official_reports_render_at_once(plan, profile, education_reviewer):
    cycles = [lock(open_cycle(plan, year)) for year in (2023, 2024)]
    reports = [documents.generated_report_request(cycle=c, by=education_reviewer, final=True) for c in cycles]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def render(report_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            files.generated_report_render(report_id=report_id)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=render, args=(r.pk,)) for r in reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors
    numbers = sorted(GeneratedReport.objects.values_list("document_number", flat=True))
    assert numbers == ["01/BC-SGDĐT", "02/BC-SGDĐT"]


# --- a stalled render is visible -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_render_writes_its_heartbeat_while_it_runs(plan, profile, education_reviewer, settings):
    settings.GENERATED_REPORT_HEARTBEAT_SECONDS = 0.2
    report = documents.generated_report_request(cycle=open_cycle(plan, 2024), by=education_reviewer)
    beats: list[datetime.datetime | None] = []

    def slow_render(*args, **kwargs):
        started = GeneratedReport.objects.get(pk=report.pk).started_at
        time.sleep(1.2)
        beats.append(started)
        beats.append(GeneratedReport.objects.get(pk=report.pk).heartbeat_at)
        return real_render(*args, **kwargs)

    with mock.patch.object(files, "render_template_pdf", side_effect=slow_render):
        files.generated_report_render(report_id=report.pk)
    started, beat = beats
    assert started and beat and beat - started >= datetime.timedelta(seconds=0.8)
    assert GeneratedReport.objects.get(pk=report.pk).status == GeneratedReportStatus.READY


def test_a_silent_render_says_interrupted_is_requeued_and_after_three_failures_offers_a_retry(
    client, cycle, profile, education_reviewer, leader
):
    report = documents.generated_report_request(cycle=cycle, by=education_reviewer)
    silent = timezone.now() - datetime.timedelta(seconds=90)
    GeneratedReport.objects.filter(pk=report.pk).update(
        status=GeneratedReportStatus.RENDERING, started_at=silent, heartbeat_at=silent, attempts=1
    )
    client.force_login(education_reviewer)
    status_url = reverse("reports:generated_report_status", args=[report.pk])
    status = client.get(status_url).json()
    assert status["interrupted"] and status["label"].startswith("Bị gián đoạn, đang thử lại")
    page = client.get(reverse("reports:generated_report_detail", args=[report.pk])).content.decode()
    assert 'id="report-interrupted"' in page and 'id="report-interrupted" hidden' not in page

    counts, requeue = files.generated_reports_sweep()
    assert counts["requeued"] == 1 and requeue == [report.pk]
    report.refresh_from_db()
    assert report.status == GeneratedReportStatus.QUEUED and client.get(status_url).json()["interrupted"]

    GeneratedReport.objects.filter(pk=report.pk).update(
        status=GeneratedReportStatus.RENDERING, heartbeat_at=silent, attempts=files.MAX_ATTEMPTS
    )
    assert files.generated_reports_sweep()[0]["failed"] == 1
    page = client.get(reverse("reports:generated_report_detail", args=[report.pk])).content.decode()
    assert "dừng giữa chừng 3 lần" in page and reverse("reports:generated_report_retry", args=[report.pk]) in page
    client.force_login(leader)  # not the requester's role: no retry button
    page = client.get(reverse("reports:generated_report_detail", args=[report.pk]))
    assert page.status_code == 404 or reverse("reports:generated_report_retry", args=[report.pk]) not in (
        page.content.decode()
    )


def test_a_render_with_a_fresh_heartbeat_is_left_alone(cycle, profile, education_reviewer):
    report = documents.generated_report_request(cycle=cycle, by=education_reviewer)
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    GeneratedReport.objects.filter(pk=report.pk).update(
        status=GeneratedReportStatus.RENDERING, started_at=long_ago, heartbeat_at=timezone.now(), attempts=1
    )
    assert files.generated_reports_sweep()[0]["requeued"] == 0
    assert files.generated_report_render(report_id=report.pk) is None  # another worker's live claim


# --- the body's synthesis --------------------------------------------------------------------------------


def test_an_excerpt_is_bounded_and_cut_after_a_sentence():
    sentence = "Đã tổ chức 12 lớp bồi dưỡng cho 1.450 lượt giáo viên theo Kế hoạch 193/KH-UBND. "
    text = sentence * 20
    excerpt, cut = text_excerpt(text=text, limit=600)
    assert cut and len(excerpt) <= 600 and excerpt.endswith("193/KH-UBND.")
    assert text_excerpt(text="Ngắn gọn.", limit=600) == ("Ngắn gọn.", False)
    words, cut = text_excerpt(text="a" * 20 + " " + "b" * 700, limit=600)
    assert cut and words.endswith("…") and len(words) <= 601


def test_texts_are_grouped_by_text_and_deduplicated_by_agency():
    grouped = texts_grouped(
        items=[
            ("Sở A", "Thiếu kinh phí.", "1.1"),
            ("Sở A", "thiếu  kinh phí", "2.3"),  # the same text for another task: one entry, both tasks
            ("Sở B", "Thiếu kinh phí.", "1.1"),
            ("Sở C", "Thiếu giáo viên.", ""),
        ],
        limit=1,
    )
    (first,) = grouped.items
    assert first.agencies == ["Sở A", "Sở B"] and first.tasks == ["1.1", "2.3"] and grouped.more == 1
    assert first.line == "Thiếu kinh phí. (nhiệm vụ 1.1, 2.3)" and "Còn 1 ý kiến khác" in grouped.more_line
