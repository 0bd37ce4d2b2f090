"""Issue #5 in real headless Chromium with a real Celery worker: the education reviewer requests a draft of the
consolidated report from the browser, watches the progress page update itself (queued → rendering → ready)
while an in-process worker renders it, and downloads the PDF; then a leader downloads the latest one.

How the progress page updates itself (static/js/report_progress.js): it polls the JSON status endpoint every
2 s and rewrites the status label in place; once the status is finished it calls window.location.reload()
itself, so the page shows the download links. The <meta refresh> fallback sits inside <noscript>, which is
inert when JavaScript runs. The test proves the script is what did it: the page never leaves its address, the
status endpoint was polled, and the only navigation after landing is one reload that follows a status answer
saying "finished".

So that every state is seen for certain, the worker starts only once the page shows "queued", and it is held
(render_gate) between claiming the record and laying out the PDF until the browser has shown "rendering"."""

from __future__ import annotations

import io
import json
import re
import threading

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from hptracker.celery import app
from reports.documents import files as documents  # where the worker renders: the gate must hold there
from reports.models import GeneratedReport, GeneratedReportKind, GeneratedReportStatus
from tests.browser.helpers import sign_in
from tests.reports import pdf_fixtures
from tests.reports.pdf_data import accept_submissions

cycle, profile = pdf_fixtures.cycle, pdf_fixtures.profile  # shared fixtures

READY_TIMEOUT_MS = 60_000


@pytest.fixture(autouse=True)
def _isolated(private_media, purged_celery_queue):
    """Files in a temporary folder; no message left in the queue by another test."""


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def render_gate(monkeypatch):
    """Holds the worker between claiming the record (RENDERING, committed) and laying out the PDF until the test
    opens the gate, so that the browser is certain to see the rendering state; the render itself is the real one."""
    gate = threading.Event()
    real_render = documents.render_template_pdf

    def gated_render(*args, **kwargs):
        if not gate.wait(READY_TIMEOUT_MS / 1000):
            raise AssertionError("the test never let the render go on")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(documents, "render_template_pdf", gated_render)
    yield gate
    gate.set()


@pytest.mark.browser
@pytest.mark.celery_integration
@pytest.mark.django_db(transaction=True)
def test_reviewer_requests_a_draft_watches_it_render_and_a_leader_downloads_it(
    page, new_context, live_server, cycle, profile, education_reviewer, leader, render_gate
):
    accept_submissions(cycle, limit=3)

    # 1. The reviewer signs in, opens "Báo cáo tổng hợp" from the menu and asks for a draft of the cycle.
    sign_in(page, live_server, education_reviewer.username)
    page.click('nav.mainnav >> text="Báo cáo tổng hợp"')
    expect(page.locator("h1")).to_have_text("Báo cáo tổng hợp")
    request_form = page.locator(f"form[action='{reverse('reports:consolidated_report_request')}']")
    request_form.locator("select[name=cycle]").select_option(str(cycle.pk))
    expect(request_form.locator("input[name=final]")).not_to_be_checked()
    request_form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/tep/\d+/$"))

    report = GeneratedReport.objects.get(kind=GeneratedReportKind.CONSOLIDATED)
    assert report.is_draft and report.requested_by == education_reviewer
    progress_url = page.url
    assert progress_url == live_server.url + reverse("reports:generated_report_detail", args=[report.pk])
    # No worker runs yet: the task waits in Redis, so the page is certainly showing work in progress.
    status_label = page.locator("#report-status")
    expect(status_label).to_have_text("Đang chờ")
    expect(page.locator("#report-progress")).to_have_attribute("data-finished", "0")
    assert page.locator("#report-progress a", has_text="Tải PDF").count() == 0
    # With JavaScript on, the <noscript> refresh is never parsed into an element: only the script can act.
    assert page.locator("meta[http-equiv=refresh]").count() == 0

    # From here on, record what the page does by itself: status polls and navigations of the page, in order.
    status_path = reverse("reports:generated_report_status", args=[report.pk])
    events: list[tuple[str, object]] = []

    def pass_status_through(route):
        # Passed through unchanged; read here, since the reload that follows the last answer discards its body.
        response = route.fetch()
        events.append(("status", json.loads(response.body())))
        route.fulfill(response=response)

    def on_navigation(frame):
        if frame == page.main_frame:
            events.append(("navigation", frame.url))

    page.route(f"**{status_path}", pass_status_through)
    page.on("framenavigated", on_navigation)

    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            try:
                # The worker claims the record; the script rewrites the label in place, with no navigation at all.
                expect(status_label).to_have_text("Đang tạo", timeout=READY_TIMEOUT_MS)
                assert page.url == progress_url
                assert [kind for kind, _ in events if kind == "navigation"] == []
                assert page.locator("#report-progress a", has_text="Tải PDF").count() == 0
            finally:
                render_gate.set()  # never leave the worker waiting: its shutdown would wait for it
            ready = page.locator("#report-progress")
            expect(ready.locator("a", has_text="Tải PDF")).to_be_visible(timeout=READY_TIMEOUT_MS)
            expect(ready.locator("a", has_text="Tải bản Word (sửa được)")).to_be_visible()
            expect(status_label).to_have_text("Đã xong")
    finally:
        page.unroute_all(behavior="ignoreErrors")
        page.remove_listener("framenavigated", on_navigation)

    report.refresh_from_db()
    assert report.status == GeneratedReportStatus.READY, report.error
    # The page updated itself: it never left its address, it polled the status endpoint, and its one navigation
    # is the script's reload, right after a status answer that said the file was ready.
    assert page.url == progress_url
    navigations = [i for i, (kind, _) in enumerate(events) if kind == "navigation"]
    assert [events[i][1] for i in navigations] == [progress_url], events
    polls = [payload for kind, payload in events[: navigations[0]] if kind == "status"]
    assert polls, "the progress page never asked the status endpoint"
    assert polls[-1]["finished"] and polls[-1]["status"] == "ready", polls
    assert all(not p["finished"] for p in polls[:-1])
    seen = [p["status"] for p in polls]
    assert [s for i, s in enumerate(seen) if i == 0 or s != seen[i - 1]] in (
        ["queued", "rendering", "ready"],
        ["rendering", "ready"],
    ), seen
    # The reloaded page is the finished one: it polls no more.
    expect(page.locator("#report-progress")).to_have_attribute("data-finished", "1")
    assert page.locator("script[src*='report_progress.js']").count() == 0

    with page.expect_download() as info:
        ready.locator("a", has_text="Tải PDF").click()
    download = info.value
    assert download.suggested_filename == f"bao-cao-tong-hop-{cycle.year}-du-thao.pdf"
    content = open(download.path(), "rb").read()
    assert content[:5] == b"%PDF-"
    text = pdf_text(content)
    assert "BÁO CÁO" in text and "Kính gửi" in text

    # 2. A leader, in a browser of their own, downloads the latest report and may not request one.
    leader_page = new_context().new_page()
    sign_in(leader_page, live_server, leader.username)
    leader_page.click('nav.mainnav >> text="Báo cáo tổng hợp"')
    expect(leader_page.locator("h1")).to_have_text("Báo cáo tổng hợp")
    assert leader_page.locator(f"form[action='{reverse('reports:consolidated_report_request')}']").count() == 0
    assert leader_page.locator("select[name=cycle]").count() == 0
    assert leader_page.get_by_role("button", name="Tạo báo cáo").count() == 0
    latest = leader_page.locator(".card", has_text="Bản mới nhất")
    expect(latest).to_contain_text("Bản dự thảo")
    with leader_page.expect_download() as info:
        latest.locator("a", has_text="Tải PDF").click()
    leader_content = open(info.value.path(), "rb").read()
    assert leader_content == content
