"""hptracker.templatetags.portal_tables writes the rows of every table in Python: the same <tbody> as
django-tables2's own template (django_tables2/table.html), row attributes, cell attributes, escaping, localized
numbers and the empty text included, for every table the portal draws."""

from __future__ import annotations

import itertools
import re

import pytest
from django.template.loader import get_template
from django.urls import reverse

from reports.dashboard.columns import answer_lead
from reports.dashboard.tables import NOTHING_LISTED
from reports.models import Submission, TaskReport
from tests.reports import dashboard_helpers
from tests.reports.test_reminder_views import log_rows  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]
frozen_today = dashboard_helpers.frozen_today
made = dashboard_helpers.made
url = dashboard_helpers.dashboard_url

AWKWARD = "Kinh phí <script>alert(1)</script> & \"dấu\" 'ngoặc' 1.234,5"
# Every page with a table (and the tables it draws), with filters, and whether the hand-made cycle gives it rows
# (it has no target values; no difficulty says "không có ở đâu cả").
PAGES = [
    ("dashboard", {}, ("completeness_table",), True),
    ("dashboard_reports", {}, ("table",), True),
    ("dashboard_reports", {"state": "late"}, ("table",), True),
    ("dashboard_missing", {}, ("table",), True),
    ("dashboard_years", {}, ("years_table", "table"), True),
    ("dashboard_years", {"group": "today"}, ("years_table", "table"), True),
    ("dashboard_coverage", {}, ("table",), True),
    ("dashboard_coverage_cells", {"role": ""}, ("table",), True),
    ("dashboard_targets", {}, ("table",), False),
    ("dashboard_issues", {}, ("table",), True),
    ("dashboard_issues", {"text": "không có ở đâu cả"}, ("table",), False),
    ("dashboard_proposals", {}, ("table",), True),
]


def tbody(html: str) -> str:
    """The <tbody> of a rendered table, whitespace between tags and runs of spaces made equal (the template
    indents, the tag does not; a browser reads both the same)."""
    found = re.search(r"<tbody.*?</tbody>", html, re.S)
    assert found, html[:500]
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", found.group(0)))


def stock_and_portal(table, request) -> tuple[str, str]:
    # Rows take their odd/even class from a counter on the table that runs on across renders: each render
    # starts it again, as a page's only render does.
    table._counter = itertools.count()
    stock = get_template("django_tables2/table.html").render({"table": table}, request)
    table._counter = itertools.count()
    portal = table.as_html(request)  # DJANGO_TABLES2_TEMPLATE: django_tables2/hptracker.html
    return tbody(stock), tbody(portal)


@pytest.mark.parametrize(("name", "params", "tables", "has_rows"), PAGES)
def test_every_dashboard_table_writes_the_rows_django_tables2_would(
    client, plan, made, education_reviewer, name, params, tables, has_rows
):
    # Text a reader typed, with markup and quotes, in the columns that show it.
    Submission.objects.filter(pk=made["SNV"].pk).update(proposals=AWKWARD)
    # A long answer too: its beginning and the whole text behind the toggle (columns.AnswerColumn), escaped.
    TaskReport.objects.filter(submission=made["SNV"], difficulties__gt="").update(difficulties=AWKWARD * 30)
    client.force_login(education_reviewer)
    response = client.get(url(name, plan, year=2024, **params))
    assert response.status_code == 200
    for table_name in tables:
        table = response.context[table_name]
        stock, portal = stock_and_portal(table, response.wsgi_request)
        assert portal == stock, table_name
        assert "<script>" not in portal
        if has_rows:
            assert "<td" in portal and str(NOTHING_LISTED) not in portal
        else:
            assert str(NOTHING_LISTED) in portal  # the list says it matched nothing
    if name == "dashboard_issues" and has_rows:
        shown = 30 + answer_lead(AWKWARD * 30).count("<script>")  # the whole text, and its beginning
        assert "<details>" in portal and portal.count("&lt;script&gt;") == shown
    if name == "dashboard_proposals":
        assert "&lt;script&gt;" in portal and "&amp; &quot;dấu&quot;" in portal


def test_the_reminder_log_writes_the_rows_django_tables2_would(client, education_reviewer, log_rows):  # noqa: F811
    client.force_login(education_reviewer)
    response = client.get(reverse("reports:reminder_log"))
    stock, portal = stock_and_portal(response.context["table"], response.wsgi_request)
    assert portal == stock and portal.count("<tr") >= 2


def test_a_localized_column_is_written_as_the_template_writes_it(rf):
    import django_tables2 as tables

    class Figures(tables.Table):
        plain = tables.Column()
        localized = tables.Column(localize=True)
        unlocalized = tables.Column(localize=False)

    table = Figures([{"plain": 1234.5, "localized": 1234.5, "unlocalized": 1234.5}], attrs={"tbody": {"id": "b"}})
    stock, portal = stock_and_portal(table, rf.get("/"))
    assert portal == stock and 'id="b"' in portal


def test_an_empty_table_writes_its_empty_text_across_the_columns(rf):
    import django_tables2 as tables

    class Nothing(tables.Table):
        name = tables.Column()
        count = tables.Column()

    table = Nothing([], empty_text="Không có <dòng> nào")
    stock, portal = stock_and_portal(table, rf.get("/"))
    assert portal == stock and '<td colspan="2">Không có &lt;dòng&gt; nào</td>' in portal
