"""The PostgreSQL session the portal opens: the planner settings its dashboard queries were measured with."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_connection_runs_without_jit_and_sorts_in_memory():
    # With JIT on, PostgreSQL compiled the coverage list's query for 500 ms before running it for 25 ms
    # (docs/benchmarks.md); with 4 MB of work_mem the years page sorted its 30,000 expected reports on disk.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SELECT current_setting('work_mem')")
        assert cursor.fetchone()[0] == "16MB"
