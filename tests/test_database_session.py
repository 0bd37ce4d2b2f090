"""The PostgreSQL session the portal opens, and the statistics its planner reads: the settings and estimates its
dashboard queries were measured with (docs/benchmarks.md)."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from hptracker.search import contains_any_spelling
from plans.models import Task
from reports.dashboard.progress import cycle_leads
from reports.models import TaskReport
from tests.reports.submission_helpers import YEAR, open_cycle


@pytest.mark.django_db
def test_connection_runs_without_jit_sorts_in_memory_and_prices_pages_as_in_memory():
    # With JIT on, PostgreSQL compiled the coverage list's query for 500 ms before running it for 25 ms
    # (docs/benchmarks.md); with 4 MB of work_mem the years page sorted its 30,000 expected reports on disk; at
    # random_page_cost 4 the difficulties page read a ten-year index whole instead of probing one year of it.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SELECT current_setting('work_mem')")
        assert cursor.fetchone()[0] == "16MB"
        cursor.execute("SELECT current_setting('random_page_cost')::float")
        assert cursor.fetchone()[0] == pytest.approx(1.1)


@pytest.mark.django_db
def test_planner_estimates_a_text_search_of_difficulties_from_the_texts():
    """Without statistics on UPPER() of the texts, PostgreSQL assumed a "contains" search keeps 0.5 % of rows:
    2 rows where 6,153 matched nationally, and a plan of nested loops three times slower. (Measured on the city
    set: 1,243 estimated for 1,181 found with them, 5 without; 2,420 since the search tries the exact spelling
    first, its alternatives counted apart.)"""
    call_command("seed_scale", city=True, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_taskreport")
    searched = TaskReport.objects.filter(contains_any_spelling("kinh phí", "difficulties", "proposals"))
    found = searched.count()
    sql, params = searched.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    estimated = plan[0]["Plan"]["Plan Rows"]
    assert found > 100
    assert found / 3 <= estimated <= found * 3, (estimated, found)


def _index_names(node: dict) -> set[str]:
    """The indexes an EXPLAIN (FORMAT JSON) plan node and its children read."""
    found = {node["Index Name"]} if "Index Name" in node else set()
    for child in node.get("Plans", []):
        found |= _index_names(child)
    return found


@pytest.mark.django_db
def test_a_tasks_leads_in_a_cycle_are_read_through_their_own_index(plan):
    """The coverage page's lead names: a handful of lead rows among 150,000 co-operating ones nationally, where
    PostgreSQL scanned every assignment (10 ms of a 30 ms page). The seed's tables are small enough for any scan
    to be cheap, so sequential scans are priced out: what is left is the index that can serve the query."""
    task_ids = list(Task.objects.filter(group__plan=plan).values_list("pk", flat=True))
    leads = cycle_leads(cycle=open_cycle(plan), today=datetime.date(YEAR, 12, 1), task_ids=task_ids)
    assert leads.exists()
    sql, params = leads.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan_json = cursor.fetchone()[0]
    explained = plan_json if isinstance(plan_json, list) else json.loads(plan_json)
    assert "assignment_by_role" in _index_names(explained[0]["Plan"]), explained
