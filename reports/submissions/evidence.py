"""Evidence files (minh chứng): the type is read from the content, never trusted from the name; files are stored
under their SHA-256 in private storage."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from hptracker.formatting import format_count, format_decimal
from hptracker.text import clean_text
from reports.errors import WorkflowError
from reports.models import Evidence, Submission, SubmissionEventKind
from reports.models.submissions import evidence_path
from reports.submissions.checks import ensure_editable, record_event

# Sniffed kind → the file name endings that may carry it. A .pdf name on a PNG body, or an .exe renamed .pdf,
# matches nothing here and is refused.
ALLOWED = {
    "pdf": {"pdf"},
    "doc": {"doc"},
    "docx": {"docx"},
    "xls": {"xls"},
    "xlsx": {"xlsx"},
    "png": {"png"},
    "jpg": {"jpg", "jpeg"},
}
SNIFF_BYTES = 8192


def _size_text(size: int) -> str:
    # "20 MB", "20,5 MB": one decimal, dropped when it is zero.
    return format_decimal(size / (1024 * 1024)) + " MB"


def _bytes_text(size: int) -> str:
    return format_count(size)


def size_refusal(name: str, size: int, limit: int) -> str:
    """ "lớn hơn giới hạn 20 MB": with the exact byte counts when the rounded sizes would read the same
    ("20,0 MB, vượt giới hạn 20,0 MB" said nothing to a user one byte over)."""
    values = {"name": name, "size": _size_text(size), "max": _size_text(limit)}
    if values["size"] == values["max"]:
        return _("Tệp «%(name)s» có %(size)s byte, lớn hơn giới hạn %(max)s byte.") % {
            "name": name,
            "size": _bytes_text(size),
            "max": _bytes_text(limit),
        }
    return _("Tệp «%(name)s» nặng %(size)s, lớn hơn giới hạn %(max)s.") % values


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    mime: str


# The files this request wrote to storage, so that a rolled-back transaction does not leave bytes with no row.
_written: ContextVar[list[str] | None] = ContextVar("evidence_written", default=None)


@contextmanager
def evidence_files_guard() -> Iterator[None]:
    """Wrap the transaction that adds evidence: if it does not commit, every file it wrote (and that no row of
    another, committed evidence points to) is deleted again."""
    token = _written.set([])
    try:
        yield
    except BaseException:
        written = _written.get() or []
        used = set(Evidence.objects.filter(file__in=written).values_list("file", flat=True))
        for path in set(written) - used:
            default_storage.delete(path)
        raise
    finally:
        _written.reset(token)


def sniff(upload) -> filetype.Type | None:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return filetype.guess(head) if head else None


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def upload_name(upload) -> str:
    return clean_text(os.path.basename(upload.name or "")).replace("\x00", "")[:255] or "tep"


def evidence_check(*, upload) -> CheckedUpload:
    """Whether a file may be evidence, read from its content; a WorkflowError saying why not. Writes nothing,
    so a form can save its texts and refuse only the file."""
    name = upload_name(upload)
    if upload.size == 0:
        raise WorkflowError(_("Tệp «%(name)s» rỗng.") % {"name": name})
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise WorkflowError(size_refusal(name, upload.size, settings.EVIDENCE_MAX_BYTES))
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    kind = sniff(upload)
    if kind is None or kind.extension not in ALLOWED or extension not in ALLOWED[kind.extension]:
        raise WorkflowError(
            _(
                "Tệp «%(name)s» không được nhận: nội dung tệp phải là PDF, Word (doc, docx), Excel "
                "(xls, xlsx) hoặc ảnh (png, jpg) và khớp với đuôi tên tệp."
            )
            % {"name": name}
        )
    return CheckedUpload(name=name, mime=kind.mime)


def evidence_add(
    *, submission: Submission, by, upload, task_report_id: int | None = None, description: str = ""
) -> Evidence:
    ensure_editable(submission, by)
    checked = evidence_check(upload=upload)
    name = checked.name
    if task_report_id is not None and not submission.task_reports.filter(pk=task_report_id).exists():
        raise WorkflowError(_("Nhiệm vụ được chọn không thuộc báo cáo này."))
    digest = _sha256(upload)
    with evidence_files_guard() if _written.get() is None else nullcontext(), transaction.atomic():
        evidence = Evidence(
            submission=submission,
            task_report_id=task_report_id,
            original_name=name,
            content_type=checked.mime,
            size=upload.size,
            sha256=digest,
            description=clean_text(description)[:255],
            uploaded_by=by,
        )
        path = evidence_path(evidence, name)
        # Same content, same name: a file already stored is shared, never saved twice under a suffix.
        if default_storage.exists(path):
            evidence.file.name = path
        else:
            evidence.file.name = default_storage.save(path, upload)
            written = _written.get()
            if written is not None:
                written.append(evidence.file.name)
        evidence.save()
        record_event(
            submission=submission,
            kind=SubmissionEventKind.SAVED,
            by=by,
            message=_("Thêm minh chứng «%(name)s».") % {"name": name},
        )
    return evidence


def evidence_remove(*, submission: Submission, by, evidence_ids: list[int]) -> int:
    ensure_editable(submission, by)
    if not evidence_ids:
        return 0
    with transaction.atomic():
        items = list(Evidence.objects.filter(submission=submission, pk__in=evidence_ids))
        if len(items) != len(set(evidence_ids)):
            raise WorkflowError(_("Có minh chứng không thuộc báo cáo này; không xóa gì cả."))
        names = ", ".join(item.original_name for item in items)
        paths = {item.file.name for item in items}
        Evidence.objects.filter(pk__in=[item.pk for item in items]).delete()
        record_event(
            submission=submission,
            kind=SubmissionEventKind.SAVED,
            by=by,
            message=_("Xóa minh chứng: %(names)s.") % {"names": names},
        )

        def drop_unused_files() -> None:
            # Only after the commit, and only files no other evidence row (same content) still points to.
            used = set(Evidence.objects.filter(file__in=paths).values_list("file", flat=True))
            for path in paths - used:
                default_storage.delete(path)

        transaction.on_commit(drop_unused_files)
    return len(items)
