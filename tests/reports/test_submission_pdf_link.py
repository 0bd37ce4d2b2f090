"""An agency's own report, as a PDF, from its page."""

from __future__ import annotations

import io
import unicodedata

from django.urls import reverse
from pypdf import PdfReader

from tests.reports.submission_helpers import open_cycle, started


def test_the_report_page_links_to_its_pdf_and_the_pdf_has_the_agency_and_its_tasks(
    client, plan, agency, agency_staff, other_agency_staff
):
    submission = started(open_cycle(plan), agency, agency_staff)
    client.force_login(agency_staff)
    page = client.get(reverse("reports:submission_detail", args=[submission.pk])).content.decode()
    url = reverse("reports:submission_pdf", args=[submission.pk])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = unicodedata.normalize(
        "NFC", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    )
    assert "SỞ NỘI VỤ" in text.upper()
    first_task = (
        submission.task_reports.select_related("task__group")
        .order_by("task__group__number", "task__number")
        .first()
        .task
    )
    assert first_task.code in text
    client.force_login(other_agency_staff)
    assert client.get(url).status_code == 404  # another agency's report does not exist for them
