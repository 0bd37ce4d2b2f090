"""Generated-file records (pretix's CachedFile pattern): the record is the job. A Celery task claims it, renders
the PDF and its Word copy into it, and publishes both; the periodic sweep expires drafts and finds records whose
worker died. This module never queues work (the tasks module and the services do), so it imports no task.

A record is READY only once its file is fully on disk under its final name and hashed; everything before
that (a render in progress, a killed worker, a partial temp file) leaves it QUEUED, RENDERING or FAILED.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
import os
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import cast

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Agency
from reports.documents.numbering import allocate_document_number, document_symbol
from reports.documents.pdf.consolidated import build_consolidated_context
from reports.documents.pdf.render import render_template_pdf
from reports.documents.pdf.submission import build_submission_context
from reports.errors import WorkflowError
from reports.models import Cycle, CycleStatus, GeneratedReport, GeneratedReportKind, GeneratedReportStatus
from reports.outbox.recovery import remove_stale_temp_files, render_claim, render_fail, requeue_or_fail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
GENERATED_DIR = "generated"


def stale_after() -> datetime.timedelta:
    """A RENDERING record older than this lost its worker: the hard time limit plus a margin."""
    return datetime.timedelta(seconds=settings.GENERATED_REPORT_STALE_SECONDS)


def heartbeat_stale_after() -> datetime.timedelta:
    """A RENDERING record whose heartbeat is older than this lost its worker (killed, out of memory, host gone)."""
    return datetime.timedelta(seconds=settings.GENERATED_REPORT_HEARTBEAT_STALE_SECONDS)


def generated_report_interrupted(*, report: GeneratedReport, now: datetime.datetime | None = None) -> bool:
    """True while a render is known to have stopped and waits for its retry: RENDERING with a silent heartbeat
    (the sweep has not run yet), or QUEUED again after an attempt (the sweep requeued it)."""
    now = now or timezone.now()
    if report.status == GeneratedReportStatus.RENDERING:
        alive = report.heartbeat_at or report.started_at
        return alive is not None and alive < now - heartbeat_stale_after()
    return report.status == GeneratedReportStatus.QUEUED and report.attempts > 0


class _Heartbeat:
    """A thread that writes `heartbeat_at` on the record every few seconds while the render runs (WeasyPrint
    holds the main thread for seconds at a time). It writes only while the record is still this run's claim,
    through its own database connection, which it closes when it stops."""

    def __init__(self, report_id: int, attempt: int) -> None:
        self.report_id, self.attempt = report_id, attempt
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{report_id}", daemon=True)

    def _run(self) -> None:
        try:
            while not self._stop.wait(settings.GENERATED_REPORT_HEARTBEAT_SECONDS):
                try:
                    GeneratedReport.objects.filter(
                        pk=self.report_id, status=GeneratedReportStatus.RENDERING, attempts=self.attempt
                    ).update(heartbeat_at=timezone.now())
                except Exception:  # a missed beat is retried at the next one; the render goes on
                    logger.exception("heartbeat of generated report %s failed", self.report_id)
        finally:
            connection.close()

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def _document_context(report: GeneratedReport) -> tuple[str, Callable[[dict], bytes], dict]:
    """(PDF template, Word builder, context) of a record: both files are made from this one context."""
    # Imported here, like the signature fields below and WeasyPrint in render_pdf: the document libraries load in
    # the worker that renders, not in every web or Celery process that imports this module.
    from reports.documents.word.builders import consolidated_docx, submission_docx

    if report.kind == GeneratedReportKind.SUBMISSION:
        assert report.submission is not None, "a submission record names its submission"
        return ("pdf/submission_report.html", submission_docx, build_submission_context(submission=report.submission))
    snapshot = report.snapshot
    issuer = snapshot["issuer"]
    number_text = report.document_number or document_symbol(
        number=None, kind=snapshot["document_kind"], issuer_symbol=issuer["symbol"]
    )
    context = build_consolidated_context(
        cycle=report.cycle,
        snapshot=snapshot,
        number_text=number_text,
        issued_on=datetime.date.fromisoformat(snapshot["issued_on"]),
        draft=report.is_draft,
    )
    return "pdf/consolidated_report.html", consolidated_docx, context


def _claim(report_id: int) -> tuple[GeneratedReport | None, int]:
    """Mark the record RENDERING for this run. Returns (None, 0) when there is nothing to do: already READY
    or FAILED, or RENDERING under another live worker (its heartbeat is recent)."""
    report = render_claim(
        model=GeneratedReport,
        pk=report_id,
        max_attempts=MAX_ATTEMPTS,
        stale_after=heartbeat_stale_after(),
        now=timezone.now(),
        alive_since=lambda record: getattr(record, "heartbeat_at", None) or record.started_at,
    )
    return (cast(GeneratedReport, report), report.attempts) if report is not None else (None, 0)


def _write_temp(name: str, content: bytes) -> Path:
    """Write next to the final name, flushed to disk: the rename that publishes it is then atomic."""
    final = Path(default_storage.path(name))
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = final.with_name(f"{final.name}.part-{uuid.uuid4().hex}")
    with open(temp, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    return temp


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked_temp(name: str, content: bytes) -> Path:
    """The temp file of `name`, verified against the bytes it was written from."""
    temp = _write_temp(name, content)
    if _sha256_of(temp) != hashlib.sha256(content).hexdigest():
        temp.unlink(missing_ok=True)
        raise OSError("the file on disk differs from the rendered bytes")
    return temp


def _official_number(report: GeneratedReport) -> str:
    """The number of a final consolidated report, taken now (inside the caller's transaction, under the issuer's
    row lock): "05/BC-SGDĐT" in the year of the document's date."""
    if report.document_number:  # numbered at request time by an earlier version: keep it
        return report.document_number
    # The figures of a numbered document cannot move: the cycle must still be locked (held so while rendering).
    cycle = Cycle.objects.select_for_update().get(pk=report.cycle_id)
    if cycle.status != CycleStatus.LOCKED:
        raise WorkflowError(_("Kỳ báo cáo đã được mở lại: không cấp số cho báo cáo chính thức."))
    snapshot = report.snapshot
    issuer = snapshot["issuer"]
    number = allocate_document_number(
        agency=Agency.objects.get(pk=issuer["agency_id"]),
        year=datetime.date.fromisoformat(snapshot["issued_on"]).year,
    )
    return document_symbol(number=number, kind=snapshot["document_kind"], issuer_symbol=issuer["symbol"])


def generated_report_render(*, report_id: int) -> GeneratedReport | None:
    """Render one record; idempotent (a READY record is left alone, a stale RENDERING one is re-rendered).
    1. claim the record (RENDERING, attempts + 1); a thread writes its heartbeat until the render ends;
    2. build the context once, then the PDF and the Word copy from it (seconds), in Vietnamese whatever language
       the worker or the requester runs in;
    3. write both to temp files and check what is on disk;
    4. in one transaction, check the claim still holds, rename both into place, flip to READY. A record is
       never READY with one file only: a failure before the flip publishes neither (or removes what it moved).
    A final consolidated report takes its number in a transaction around steps 2–4: the number is kept only if
    the document is published, and a render that fails gives it back. Final renders of one issuer therefore
    run one after the other (the number row stays locked for the seconds of a render), which keeps numbers
    unique and without gaps."""
    report, attempt = _claim(report_id)
    if report is None:
        return None
    temps: dict[str, Path] = {}
    published: list[str] = []
    try:
        with _Heartbeat(report.pk, attempt):
            if report.kind == GeneratedReportKind.CONSOLIDATED and not report.is_draft:
                with transaction.atomic():
                    report.document_number = _official_number(report)
                    return _render_and_publish(report, attempt, temps, published)
            return _render_and_publish(report, attempt, temps, published)
    except Exception as exc:  # a render error is shown to the user on the progress page
        logger.exception("rendering generated report %s failed", report_id)
        for name in published:  # moved into place, but the record never pointed at them
            default_storage.delete(name)
        failed = render_fail(
            model=GeneratedReport, pk=report.pk, attempt=attempt, reason=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return cast(GeneratedReport, failed)
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)


def _render_and_publish(
    report: GeneratedReport, attempt: int, temps: dict[str, Path], published: list[str]
) -> GeneratedReport:
    """Steps 2–4 of generated_report_render; `temps` and `published` are the caller's, for its cleanup."""
    from reports.signatures.fields import document_prepare_for_signing  # pyHanko: see _document_context

    with translation.override("vi"):
        template, build_docx, context = _document_context(report)
        rendered = render_template_pdf(template, context)
        docx_content = build_docx(context)
    # Empty signature fields at the decree's places: the stored hash is that of the file as issued, with them.
    pdf_content = document_prepare_for_signing(content=rendered.content)
    expected_sha = hashlib.sha256(pdf_content).hexdigest()
    # The Word copy shares the PDF's name but for its extension: the pair is recognisable on disk.
    base = f"{GENERATED_DIR}/{report.created_at:%Y}/{report.pk}-{report.kind}-{report.cycle.year}-{expected_sha[:12]}"
    names = {"pdf": f"{base}.pdf", "docx": f"{base}.docx"}
    temps["pdf"] = _checked_temp(names["pdf"], pdf_content)
    temps["docx"] = _checked_temp(names["docx"], docx_content)
    with transaction.atomic():
        current = GeneratedReport.objects.select_for_update().get(pk=report.pk)
        if current.status != GeneratedReportStatus.RENDERING or current.attempts != attempt:
            return current  # another run took over; its files, not ours, will be published
        for kind in ("docx", "pdf"):
            os.replace(temps[kind], default_storage.path(names[kind]))
            del temps[kind]  # only once moved: a failed move leaves the temp to the cleanup below
            published.append(names[kind])
        current.file.name, current.word_file.name = names["pdf"], names["docx"]
        current.sha256, current.page_count = expected_sha, rendered.page_count
        current.document_number = report.document_number
        if "snapshot" in context:
            current.snapshot = context["snapshot"]
        current.status, current.finished_at, current.error = GeneratedReportStatus.READY, timezone.now(), ""
        if current.is_draft:
            current.expires_at = current.finished_at + datetime.timedelta(days=settings.GENERATED_REPORT_DRAFT_DAYS)
        current.save()
    published.clear()  # committed (or, for a numbered one, committed with the caller's transaction)
    return current


def _delete_file(report: GeneratedReport) -> None:
    for field in (report.file, report.word_file):
        if field.name:
            field.storage.delete(field.name)


def generated_reports_sweep(*, now: datetime.datetime | None = None) -> tuple[dict[str, int], list[int]]:
    """The periodic sweep: expire old drafts with their files, mark for requeueing or fail records whose worker
    died, and remove temp files a killed worker left behind. Issued (numbered) documents are never deleted.
    Returns the counts and the ids to queue again (the task queues them: this module never imports tasks)."""
    now = now or timezone.now()
    stale_before = now - stale_after()
    counts = {"expired": 0, "requeued": 0, "failed": 0, "temp_files": 0}
    draft_before = now - datetime.timedelta(days=settings.GENERATED_REPORT_DRAFT_DAYS)
    for report in GeneratedReport.objects.filter(is_draft=True, created_at__lt=draft_before):
        with transaction.atomic():
            locked = GeneratedReport.objects.select_for_update(skip_locked=True).filter(pk=report.pk).first()
            if locked is None:
                continue
            transaction.on_commit(functools.partial(_delete_file, locked))
            locked.delete()
            counts["expired"] += 1
    # A render is stale when its heartbeat stopped (a minute), not after the task's hard time limit.
    stale = GeneratedReport.objects.annotate(alive=Coalesce("heartbeat_at", "started_at")).filter(
        status=GeneratedReportStatus.RENDERING, alive__lt=now - heartbeat_stale_after()
    )
    lost = GeneratedReport.objects.filter(status=GeneratedReportStatus.QUEUED, created_at__lt=stale_before)
    counts["failed"], requeue = requeue_or_fail(
        model=GeneratedReport, stuck=[*stale, *lost], max_attempts=MAX_ATTEMPTS, now=now
    )
    counts["requeued"] = len(requeue)
    counts["temp_files"] = remove_stale_temp_files(
        directory=Path(default_storage.path(GENERATED_DIR)), before=stale_before
    )
    return counts, requeue
