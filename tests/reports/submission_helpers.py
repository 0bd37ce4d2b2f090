"""Building blocks for the submission tests: the 2026 cycle, reports in each state, real file bodies, and the
POST an edit page sends."""

from __future__ import annotations

import datetime
import io
import zipfile
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from plans.models import Plan
from reports.cycles.services import cycle_open
from reports.models import Cycle, Progress, Submission
from reports.submissions.reviews import review_accept
from reports.submissions.services import submission_start, submission_submit

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = 2026


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=HANOI)


def open_cycle(plan: Plan, year: int = YEAR) -> Cycle:
    return cycle_open(plan=plan, year=year)


def fill_progress(submission: Submission, progress: str = Progress.IN_PROGRESS) -> None:
    submission.task_reports.update(progress=progress)


def started(cycle: Cycle, agency, by) -> Submission:
    return submission_start(cycle=cycle, agency=agency, by=by)


def sent(cycle: Cycle, agency, staff, head) -> Submission:
    submission = started(cycle, agency, staff)
    fill_progress(submission)
    return submission_submit(submission=submission, by=head)


def accepted(cycle: Cycle, agency, staff, head, reviewer) -> Submission:
    return review_accept(submission=sent(cycle, agency, staff, head), reviewer=reviewer)


def edit_post(submission: Submission, **overrides) -> dict:
    """What the browser posts from the edit page, built from the stored report, with `overrides` applied."""
    submission.refresh_from_db()
    data = {"version": str(submission.version), "action": "save"}
    for name in ("assessment", "shortcomings", "directions", "proposals"):
        data[name] = getattr(submission, name)
    for report in submission.task_reports.prefetch_related("documents"):
        data[f"t{report.pk}-progress"] = report.progress
        for name in ("results", "difficulties", "proposals"):
            data[f"t{report.pk}-{name}"] = getattr(report, name)
        documents = list(report.documents.all())
        data[f"d{report.pk}-TOTAL_FORMS"] = str(len(documents) + 1)
        data[f"d{report.pk}-INITIAL_FORMS"] = str(len(documents))
        data[f"d{report.pk}-MIN_NUM_FORMS"] = "0"
        data[f"d{report.pk}-MAX_NUM_FORMS"] = "50"
        for i, doc in enumerate(documents):
            data[f"d{report.pk}-{i}-number"] = doc.number
            data[f"d{report.pk}-{i}-issued_on"] = doc.issued_on.isoformat()
            data[f"d{report.pk}-{i}-title"] = doc.title
    data.update(overrides)
    return data


# --- real file bodies: the type check reads content, so tests send real formats ------------------------------

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "Tỷ lệ"
    book.save(buffer)
    return buffer.getvalue()


def upload(name: str, body: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    # The browser's claimed content type is deliberately generic: the server must not trust it.
    return SimpleUploadedFile(name, body, content_type=content_type)
