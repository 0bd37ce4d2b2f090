"""Exports of the dashboard's lists as files, in constant memory whatever the number of rows.

A list of up to `settings.EXPORT_STREAM_MAX_ROWS` rows is answered from the request: CSV streamed row by row
(`StreamingHttpResponse`), XLSX (up to `settings.EXPORT_XLSX_STREAM_MAX_ROWS`) written by openpyxl's write-only
workbook into a temporary file. A longer list
becomes a DashboardExport record that a Celery task renders (`dashboard_export_render`), like the consolidated
PDF: the request returns at once with the progress page, the file expires after `settings.EXPORT_KEEP_DAYS`.

Rows are read with `QuerySet.iterator(chunk_size=…)` (a server-side cursor on PostgreSQL) and their cells are
the table's export values (`value_<column>`): words as the page shows them, never markup. This module never
imports views or tasks: the request hands it the page's table; the worker finds the page's view class through
the URL resolver (`export_table`), so both build exactly the rows the page lists.
"""

from __future__ import annotations

import csv
import datetime
import logging
import os
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, QueryDict, StreamingHttpResponse
from django.urls import resolve, reverse
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django_tables2 import Table
from django_tables2 import utils as dt2_utils
from django_tables2.rows import BoundRow
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from reports.models import DashboardExport, ExportFormat, GeneratedReportStatus
from reports.outbox.recovery import remove_stale_temp_files, render_claim, render_fail, requeue_or_fail

logger = logging.getLogger(__name__)

CHUNK_ROWS = 2000
MAX_ATTEMPTS = 3
EXPORT_DIR = "exports"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES: dict[str, str] = {ExportFormat.CSV: "text/csv; charset=utf-8", ExportFormat.XLSX: XLSX_CONTENT_TYPE}
# Excel opens a UTF-8 CSV as UTF-8 only when it starts with a byte-order mark; without it Vietnamese is garbled.
BOM = "\ufeff"
TRIGGER = "_export"

TableBuilder = Callable[[DashboardExport], Table]


def _install_signature_cache() -> None:
    """django-tables2 asks inspect.signature of every value/render method for every cell (half the time of a
    150,000-row export). A function's signature never changes: remember it per function (bound or not)."""
    original = dt2_utils.signature
    if getattr(original, "cached", False):
        return
    cache: dict[tuple[Any, bool], tuple] = {}

    def signature(fn):
        try:
            key = (getattr(fn, "__func__", fn), hasattr(fn, "__self__"))
            found = cache.get(key)
        except TypeError:  # an unhashable callable
            return original(fn)
        if found is None:
            found = cache[key] = original(fn)
        return found

    signature.cached = True  # type: ignore[attr-defined]
    dt2_utils.signature = signature


_install_signature_cache()


def stream_max_rows(export_format: str = ExportFormat.CSV) -> int:
    """The longest list answered from the request in this format: XLSX, written whole before it is sent, has
    the lower cap (settings.EXPORT_XLSX_STREAM_MAX_ROWS) and never a higher one than CSV."""
    if export_format == ExportFormat.XLSX:
        return min(settings.EXPORT_XLSX_STREAM_MAX_ROWS, settings.EXPORT_STREAM_MAX_ROWS)
    return settings.EXPORT_STREAM_MAX_ROWS


def _export_columns(table: Table) -> list:
    return [c for c in table.columns.iterall() if not c.column.exclude_from_export]


def _records(table: Table) -> Iterator[Any]:
    """The table's rows in its order (sort included), one chunk at a time for a queryset."""
    data = table.data.data
    if isinstance(data, QuerySet):
        yield from data.iterator(chunk_size=CHUNK_ROWS)
    else:
        yield from data


def table_rows(table: Table) -> Iterator[list]:
    """The header, then one list of export values per row (`as_values` without holding the rows in memory)."""
    columns = _export_columns(table)
    yield [force_str(c.header, strings_only=True) for c in columns]
    for record in _records(table):
        row = BoundRow(record, table=table)
        yield [force_str(row.get_cell_value(c.name), strings_only=True) for c in columns]


def table_row_count(table: Table) -> int:
    """One COUNT query for a queryset (the rows themselves are never fetched here)."""
    data = table.data.data
    return data.count() if isinstance(data, QuerySet) else len(data)


class _Echo:
    """csv.writer writes into this and gets the line back, so each row is yielded and forgotten."""

    def write(self, value: str) -> str:
        return value


DAY_FORMAT, XLSX_DAY_FORMAT = "%d/%m/%Y", "dd/mm/yyyy"  # as the pages write a day: 30/11/2025


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if type(value) is datetime.date:  # a day, not a moment (datetime is a date too)
        return value.strftime(DAY_FORMAT)
    return value


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM
    for row in rows:
        yield writer.writerow([_csv_value(v) for v in row])


def _xlsx_value(sheet, value: Any) -> Any:
    """A cell of openpyxl's write-only sheet: numbers, dates and text as they are, lazy strings made plain. A
    Decimal (a rate, a mean: rounded half up by its column) is a number Excel can sum and chart, shown with its
    decimals ("80.0"); written as text it could be neither."""
    if isinstance(value, Decimal):
        places = max(0, -int(value.as_tuple().exponent)) if value.is_finite() else 0
        cell = WriteOnlyCell(sheet, value=float(value))
        cell.number_format = "0." + "0" * places if places else "0"
        return cell
    if type(value) is datetime.date:  # a date Excel sorts and computes with, shown as the pages show it
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DAY_FORMAT
        return cell
    if value is None or isinstance(value, (int, float, datetime.date, str)):
        return value
    return str(value)


# Excel refuses these in a sheet's name, and more than 31 characters.
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def sheet_name(title: str) -> str:
    """The list's name as its sheet's (Excel's tab read "Sheet")."""
    return " ".join(str(title).translate(SHEET_NAME_FORBIDDEN).split())[:31].strip() or "Sheet"


def write_xlsx(rows: Iterable[list], handle, title: str = "") -> int:
    """Write rows into `handle` (a binary file) with openpyxl's write-only workbook: rows go to a temporary
    file as they come, so memory stays flat whatever the number of rows; the sheet is named after `title`.
    Returns the number of data rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_name(title))
    count = -1
    for row in rows:
        sheet.append([_xlsx_value(sheet, v) for v in row])
        count += 1
    workbook.save(handle)
    return max(count, 0)


def write_csv(rows: Iterable[list], handle, title: str = "") -> int:
    """`title` is for the writers' common signature: a CSV file has no name inside it."""
    count = -1
    for line in csv_lines(rows):
        handle.write(line.encode("utf-8"))
        if line != BOM:
            count += 1
    return max(count, 0)


WRITERS = {ExportFormat.CSV: write_csv, ExportFormat.XLSX: write_xlsx}


def export_query(request: HttpRequest) -> str:
    """The page's query string without the export trigger: what the worker needs to build the same rows."""
    query = request.GET.copy()
    query.pop(TRIGGER, None)
    return query.urlencode()


def export_respond(*, request: HttpRequest, table: Table, export_format: str, filename: str, title: str):
    """The answer to an export click: the file itself for a short list, else a queued DashboardExport and a
    redirect to its progress page (the caller gets either a response or the record)."""
    rows = table_row_count(table)
    if rows > stream_max_rows(export_format):
        return export_queue(
            user=request.user,
            page=(request.resolver_match.url_name or "") if request.resolver_match else "",
            title=title,
            query=export_query(request),
            export_format=export_format,
            filename=filename,
            row_count=rows,
        )
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if export_format == ExportFormat.CSV:
        return StreamingHttpResponse(
            csv_lines(table_rows(table)), content_type=CONTENT_TYPES[ExportFormat.CSV], headers=disposition
        )
    handle = tempfile.TemporaryFile()  # closed by FileResponse once sent
    write_xlsx(table_rows(table), handle, title)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def export_queue(
    *, user, page: str, title: str, query: str, export_format: str, filename: str, row_count: int | None
) -> DashboardExport:
    """Create the record; the caller queues the render on commit (this module imports no task)."""
    return DashboardExport.objects.create(
        requested_by=user,
        page=page,
        title=title[:200],
        query=query,
        format=export_format,
        filename=filename,
        row_count=row_count,
    )


def _claim(export_id: int) -> DashboardExport | None:
    claimed = render_claim(  # the model's own record, typed as the union of render records
        model=DashboardExport,
        pk=export_id,
        max_attempts=MAX_ATTEMPTS,
        stale_after=datetime.timedelta(seconds=settings.EXPORT_STALE_SECONDS),
        now=timezone.now(),
    )
    return cast("DashboardExport | None", claimed)


def request_for(export: DashboardExport) -> HttpRequest:
    """A GET request of the requester on the page, as it was asked for: the view builds the same rows from it."""
    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(export.query)
    request.user = export.requested_by
    request.META["SERVER_NAME"] = "export"
    return request


def export_table(export: DashboardExport) -> Table:
    """The table the page `export.page` shows for the requester and the stored query (its classmethod
    `table_for_export` builds it as the page does: scope, access, filters and sort)."""
    view_class = resolve(reverse(f"reports:{export.page}")).func.view_class  # type: ignore[attr-defined]
    return view_class.table_for_export(request_for(export))


def dashboard_export_render(*, export_id: int, build_table: TableBuilder = export_table) -> DashboardExport | None:
    """Render one record into a temp file next to its final name, then publish it by an atomic rename in the
    transaction that flips it to READY; a failure leaves FAILED with the reason and no file."""
    export = _claim(export_id)
    if export is None:
        return None
    attempt = export.attempts
    name = f"{EXPORT_DIR}/{export.created_at:%Y}/{export.pk}-{uuid.uuid4().hex[:8]}-{export.filename}"
    final = Path(default_storage.path(name))
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = final.with_name(f"{final.name}.part-{uuid.uuid4().hex}")
    try:
        with translation.override("vi"):
            table = build_table(export)
            with open(temp, "wb") as handle:
                count = WRITERS[ExportFormat(export.format)](table_rows(table), handle, export.title)
                handle.flush()
                os.fsync(handle.fileno())
        with transaction.atomic():
            current = DashboardExport.objects.select_for_update().get(pk=export.pk)
            if current.status != GeneratedReportStatus.RENDERING or current.attempts != attempt:
                return current
            os.replace(temp, final)
            current.file.name, current.size_bytes, current.row_count = name, final.stat().st_size, count
            current.status, current.finished_at, current.error = GeneratedReportStatus.READY, timezone.now(), ""
            current.expires_at = current.finished_at + datetime.timedelta(days=settings.EXPORT_KEEP_DAYS)
            current.save()
        return current
    except Exception as exc:  # shown to the requester on the progress page
        logger.exception("dashboard export %s failed", export_id)
        if isinstance(exc, PermissionDenied):
            reason = _("Người yêu cầu không còn quyền xem trang tổng hợp.")
        else:
            reason = f"{type(exc).__name__}: {exc}"[:2000]
        return cast(DashboardExport, render_fail(model=DashboardExport, pk=export.pk, attempt=attempt, reason=reason))
    finally:
        temp.unlink(missing_ok=True)


def dashboard_exports_sweep(*, now: datetime.datetime | None = None) -> tuple[dict[str, int], list[int]]:
    """Delete expired exports with their files; requeue (or fail) records whose worker died. Returns the counts
    and the ids to queue again."""
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.EXPORT_STALE_SECONDS)
    counts = {"expired": 0, "requeued": 0, "failed": 0}
    expired = DashboardExport.objects.filter(expires_at__lt=now)
    failed_long_ago = DashboardExport.objects.filter(
        status=GeneratedReportStatus.FAILED, created_at__lt=now - datetime.timedelta(days=settings.EXPORT_KEEP_DAYS)
    )
    for export in list(expired) + list(failed_long_ago):
        with transaction.atomic():
            locked = DashboardExport.objects.select_for_update(skip_locked=True).filter(pk=export.pk).first()
            if locked is None:
                continue
            name = locked.file.name
            if name:
                transaction.on_commit(partial(default_storage.delete, name))
            locked.delete()
            counts["expired"] += 1
    lost = DashboardExport.objects.filter(
        status__in=[GeneratedReportStatus.RENDERING, GeneratedReportStatus.QUEUED], created_at__lt=stale_before
    )
    counts["failed"], requeue = requeue_or_fail(
        model=DashboardExport,
        stuck=lost,
        max_attempts=MAX_ATTEMPTS,
        now=now,
        # An old record may have been claimed again lately: a render started since `stale_before` is alive.
        still_running=lambda export: bool(
            export.status == GeneratedReportStatus.RENDERING and export.started_at and export.started_at >= stale_before
        ),
        explain_requeue=False,
    )
    counts["requeued"] = len(requeue)
    remove_stale_temp_files(directory=Path(default_storage.path(EXPORT_DIR)), before=stale_before)
    return counts, requeue
