"""The years table by today's units kept in the worker's memory (figures_cache.kept_here): outside a transaction,
as in production, a second reader neither counts nor folds, and a change of the successions gives new rows."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import AgencySuccession, SuccessionKind
from reports.dashboard import figures_cache
from reports.dashboard.exports import dashboard_export_render
from reports.models import DashboardExport, FiguresVersion, GeneratedReportStatus
from tests.reports.dashboard_helpers import export_text
from tests.reports.test_dashboard_lineage import (  # noqa: F401  (fixtures: the reorganised plan, the frozen day)
    csv_rows,
    figures,
    frozen_today,
    reorganised,
    years_url,
)


def _shown_units(response) -> list[str]:
    return [row.record["units"] for row in response.context["table"].page.object_list]


@pytest.mark.django_db(transaction=True)
def test_rows_by_todays_units_are_folded_once_per_version_and_again_when_a_succession_changes(
    client,
    reorganised,  # noqa: F811  (the fixture imported above)
    education_reviewer,
):
    """Outside a transaction, as in production, the folded rows are kept in the worker's memory under the figures'
    version (figures_cache.kept_here): a second reader neither counts nor folds, a reader's sorting does not
    reorder the next reader's rows, and a succession corrected in the admin (no agency, no report touched) gives a
    new version, so the next reader sees the rows folded along it."""
    client.force_login(education_reviewer)
    url = years_url(reorganised, group="today")
    in_name_order = _shown_units(client.get(url))
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert _shown_units(again) == in_name_order
    # Neither the count, nor the agencies' names of its rows, nor the successions: one query for the version.
    rebuilt = ("WITH RECURSIVE chain", '"expected_0"', 'SELECT "agencies_agency"."id" AS "pk"')
    assert [q["sql"] for q in queries if any(marker in q["sql"] for marker in rebuilt)] == []
    assert _shown_units(client.get(url + "&sort=-expected")) != in_name_order
    assert _shown_units(client.get(url)) == in_name_order

    rows = {r["Đơn vị hiện nay"]: r for r in csv_rows(client, reorganised, group="today")}
    assert rows["Sở Tài chính"]["Kế thừa báo cáo của"] == "Sở Kế hoạch và Đầu tư"
    # The merger was a transfer of functions after all: Sở KH&ĐT keeps its own reports.
    merger = AgencySuccession.objects.filter(predecessor__code="SKHDT", successor__code="STC")
    assert merger.update(kind=SuccessionKind.TRANSFERRED) == 1
    rows = {r["Đơn vị hiện nay"]: r for r in csv_rows(client, reorganised, group="today")}
    assert rows["Sở Tài chính"]["Kế thừa báo cáo của"] == ""
    # It ended with the merger: now it has no heir, its reports are its own row, with its last day.
    (planning,) = [row for name, row in rows.items() if name.startswith("Sở Kế hoạch và Đầu tư (hoạt động đến")]
    assert figures(planning) == (1, 1, 0, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_the_worker_builds_an_export_by_todays_units_from_one_version_read_once(
    client,
    reorganised,  # noqa: F811  (the fixture imported above)
    education_reviewer,
    settings,
    private_media,
):
    """The worker rebuilds the page's table as a page does: its figures all of one version, read once (the rows
    folded by today's units, the agency rows they fold and their count each asked for it before), and its file
    holds the rows the page streams."""
    client.force_login(education_reviewer)
    streamed = csv_rows(client, reorganised, group="today")
    settings.EXPORT_STREAM_MAX_ROWS = 1
    client.get(years_url(reorganised, group="today", _export="csv"))
    export = DashboardExport.objects.get()
    FiguresVersion.objects.update(token="after-the-request")  # as after a write: nothing kept or cached applies
    figures_cache._kept.clear()

    with CaptureQueriesContext(connection) as queries:
        done = dashboard_export_render(export_id=export.pk)

    assert done is not None and done.status == GeneratedReportStatus.READY
    version_table = FiguresVersion._meta.db_table
    assert len([q for q in queries if f'FROM "{version_table}"' in q["sql"]]) == 1
    body = export_text(client.get(reverse("reports:dashboard_export_download", args=[export.pk])))
    assert list(csv.DictReader(io.StringIO(body))) == streamed
