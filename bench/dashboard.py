"""The dashboard benchmark: on the city- and national-scale data sets (bench/datasets.py), time every dashboard
page, with each filter, first and last page, through Django's test Client signed in as a consolidating reviewer,
and every export (bench/exports.py: time and peak memory, each in its own process).

Each scale runs in a subprocess with its own DATABASE_URL (Django binds one database per process). The two run in
lock-step (`measure_together`): each line's timed runs in ROUNDS rounds, the city's and the national's taking
turns, so that both sizes of a line are measured within seconds of each other. Measured one scale after the other,
minutes apart, a ratio moved with whatever else the shared machine did meanwhile (the same code gave 1.75x and
2.86x on the targets page with its cache emptied). Sizes and runs
come from the environment so that a slow machine can measure a smaller "national" set honestly: BENCH_RUNS (15),
BENCH_NATIONAL_AGENCIES (3000), BENCH_NATIONAL_TASKS (50), BENCH_NATIONAL_YEARS (10).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
EARLIER_YEAR = "2023"  # a closed cycle present at both sizes (city 2021–2025, national 2016–2025)
# A name search that finds the same ten units at both sizes ("Đơn vị tổng hợp số 00010" … "00019").
NAMED = "số 0001"
LAST = "last"  # the last page the list's pager offers: page 20 (hptracker.paging.MAX_PAGES) or the list's own last page
# Page 1 with the figures cache emptied before every request, as after any write to what the figures count
# (reports.dashboard.figures_cache): the pages that count expected reports or average targets, measured both ways.
COLD = "1, cold cache"
# Page 1 after a write once the worker has recounted (reports.dashboard.warming), as a reader finds it who comes
# after the recount: the time the recount itself takes is in the section's text.
AFTER_WRITE = "1, after a write"
# (URL name, filters, pages): every page and tab, with no filter and with each filter; lists first and last page.
# The reviewer's inbox first: the page a reviewer opens on signing in (reports waiting, the oldest first).
PAGES: list[tuple[str, dict, tuple[str, ...]]] = [
    ("reviewer_inbox", {}, ("1", LAST)),
    ("reviewer_inbox", {"state": "review"}, ("1",)),
    ("reviewer_inbox", {"state": "acknowledge"}, ("1",)),
    ("reviewer_inbox", {"kind": "district"}, ("1",)),
    ("reviewer_inbox", {"year": EARLIER_YEAR}, ("1",)),
    ("dashboard", {}, ("1", COLD, AFTER_WRITE)),
    ("dashboard", {"year": EARLIER_YEAR}, ("1",)),
    ("dashboard_missing", {}, ("1", LAST)),
    ("dashboard_missing", {"kind": "district"}, ("1",)),
    ("dashboard_missing", {"state": "returned"}, ("1",)),
    ("dashboard_missing", {"agency": NAMED}, ("1",)),
    ("dashboard_missing", {"year": EARLIER_YEAR}, ("1",)),
    ("dashboard_reports", {}, ("1", LAST)),
    ("dashboard_reports", {"kind": "district"}, ("1",)),
    ("dashboard_reports", {"state": "late"}, ("1",)),
    ("dashboard_reports", {"agency": NAMED}, ("1",)),
    ("dashboard_reports", {"year": EARLIER_YEAR}, ("1",)),
    ("dashboard_years", {}, ("1", LAST, COLD, AFTER_WRITE)),
    ("dashboard_years", {"kind": "district"}, ("1", COLD)),
    ("dashboard_years", {"agency": NAMED}, ("1",)),
    ("dashboard_years", {"group": "today"}, ("1", LAST, COLD)),
    ("dashboard_coverage", {}, ("1",)),
    ("dashboard_coverage", {"group": "2"}, ("1",)),
    ("dashboard_coverage", {"status": "no_report"}, ("1",)),
    ("dashboard_coverage", {"year": EARLIER_YEAR}, ("1",)),
    ("dashboard_matrix", {}, ("1",)),
    ("dashboard_matrix", {"year": EARLIER_YEAR}, ("1",)),
    ("dashboard_coverage_cells", {}, ("1", LAST)),
    ("dashboard_coverage_cells", {"role": "co_operating"}, ("1", LAST)),
    ("dashboard_coverage_cells", {"kind": "district"}, ("1",)),
    ("dashboard_coverage_cells", {"reported": "no"}, ("1",)),
    ("dashboard_coverage_cells", {"progress": "done"}, ("1",)),
    ("dashboard_coverage_cells", {"group": "3"}, ("1",)),
    ("dashboard_coverage_cells", {"year": EARLIER_YEAR}, ("1",)),
    ("dashboard_targets", {}, ("1", COLD, AFTER_WRITE)),
    ("dashboard_targets", {"year": EARLIER_YEAR}, ("1",)),
    ("dashboard_issues", {}, ("1", LAST)),
    ("dashboard_issues", {"group": "1"}, ("1",)),
    ("dashboard_issues", {"kind": "district"}, ("1",)),
    ("dashboard_issues", {"status": "accepted"}, ("1",)),
    ("dashboard_issues", {"text": "kinh phí"}, ("1",)),
    ("dashboard_issues", {"year": EARLIER_YEAR}, ("1",)),
    ("dashboard_proposals", {}, ("1", LAST)),
    ("dashboard_proposals", {"kind": "district"}, ("1",)),
    ("dashboard_proposals", {"text": "kinh phí"}, ("1",)),
    ("dashboard_proposals", {"year": EARLIER_YEAR}, ("1",)),
    # Outside the dashboard, the pages a reviewer opens whose size grows with the data: the plan (each task's units),
    # the list a task's largest group links to, and the latest cycle's expected reports (100 a page).
    ("plans:plan_detail", {}, ("1",)),
    ("plans:task_units", {"kind": "department"}, ("1", LAST)),
    ("cycle_detail", {}, ("1", LAST)),
    # The reminder log: three reminders per expected report and year (seed_scale), 89,000 nationally.
    ("reports:reminder_log", {}, ("1", LAST)),
    ("reports:reminder_log", {"status": "failed"}, ("1",)),
    ("reports:reminder_log", {"sort": "status"}, ("1", LAST)),
    ("reports:reminder_log", {"agency": NAMED}, ("1",)),
]
TARGET_MS, TARGET_P95_MS, TARGET_RATIO, TARGET_QUERIES = 150.0, 400.0, 2.0, 12
TAKES_PER_PAGE = ("dashboard", "plans:task_units", "cycle_detail", "reports:reminder_log")


def label(name: str, params: dict, page: str) -> str:
    shown = ", ".join(f"{k}={v}" for k, v in params.items()) or "—"
    return f"{name} | {shown} | {page}"


def signed_in_client():
    """Django set up on this process's database, a Client signed in as the data set's consolidating reviewer."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hptracker.settings")
    sys.path.insert(0, str(REPO))
    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    from agencies.models import Agency, Membership, Role
    from plans.models import Plan

    setup_test_environment()
    user, _ = get_user_model().objects.get_or_create(username="bench.reviewer")
    Membership.objects.update_or_create(
        user=user, defaults={"agency": Agency.objects.get(code="sc-sgd"), "role": Role.REVIEWER}
    )
    client = Client()
    client.force_login(user)
    return client, Plan.objects.get(number="SCALE/KH"), user


def page_url(name: str, plan, params: dict, page: str) -> str:
    """A dashboard page by its name in `reports`, another page by its full name (with its namespace)."""
    from django.urls import reverse

    route = name if ":" in name else f"reports:{name}"
    return f"{reverse(route, args=page_args(name, plan))}?{urlencode({'plan': plan.pk, **params, 'page': page})}"


def page_args(name: str, plan) -> list[int]:
    """The path of the pages that are not the dashboard's: the plan, its first task, its latest cycle."""
    from plans.models import Task
    from reports.models import Cycle

    if name == "plans:plan_detail":
        return [plan.pk]
    if name == "plans:task_units":
        return [plan.pk, Task.objects.filter(group__plan=plan).order_by("group__number", "number").first().pk]
    if name == "cycle_detail":
        return [Cycle.objects.filter(plan=plan).order_by("-year").first().pk]
    return []


def last_page(client, name: str, plan, params: dict) -> str:
    """The number of the last page the pager links to: page 20 at most (beyond, the list says to filter or
    export), the list's own last page when it is shorter. Asked for once, as a reader would find it."""
    response = client.get(page_url(name, plan, params, "999"))
    assert response.status_code == 200, name
    return str(shown_page(response).number)


def shown_page(response):
    """The page of rows a list drew: its table's (the dashboard), or the view's Page (the inbox); None elsewhere."""
    from django.core.paginator import Page

    table = response.context["table"] if "table" in response.context else None
    if table is not None:
        return getattr(table, "page", None)
    page = response.context["page"] if "page" in response.context else None
    return page if isinstance(page, Page) else None


def measure_here(runs: int, equal_rows: dict[str, int] | None = None, turn: Callable[[], None] | None = None) -> dict:
    """Runs inside the scale's subprocess. For each page: median, p95, queries, and the slowest query's SQL with
    its parameters (for EXPLAIN of the slowest pages). With `equal_rows` ({line: rows}), only those lines, each
    with ?per_page= set to that number of rows: the page doing the city page's amount of drawing."""
    from bench.lockstep import no_turns, rounds

    turn = turn or no_turns
    from django.db import connection

    from hptracker.serving import settle_loaded_application

    client, plan, _user = signed_in_client()
    settle_loaded_application()  # as each gunicorn worker does before its first request
    from reports.cycles import ledger

    # The ledger of expected reports as the worker leaves it after a bulk load (every workflow step keeps it so),
    # vacuumed and analysed as the data set is once built (autovacuum's work, which is off on some machines).
    ledger.rebuild()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_storedexpectedreport")
    results: dict = {}
    for name, params, pages in PAGES:
        for page_label in pages:
            line = label(name, params, page_label)
            if equal_rows is not None and line not in equal_rows:
                continue
            asked = params if equal_rows is None else {**params, "per_page": equal_rows[line]}
            page = last_page(client, name, plan, asked) if page_label == LAST else page_label.split(",")[0]
            url = page_url(name, plan, asked, page)
            forget = {COLD: forget_figures, AFTER_WRITE: write_and_recount}.get(page_label, lambda: None)
            for _ in range(2):  # warm: connection, templates, PostgreSQL's caches
                forget()
                assert client.get(url).status_code == 200, url
            queries: list[tuple[float, str, object]] = []

            def timed(execute, sql, parameters, many, context, queries=queries):
                started = time.perf_counter()
                try:
                    return execute(sql, parameters, many, context)
                finally:
                    queries.append((time.perf_counter() - started, sql, parameters))

            # execute_wrapper, not CaptureQueriesContext: request_started resets the debug query log.
            forget()
            with connection.execute_wrapper(timed):
                client.get(url)
            timings = []
            for size in rounds(runs):
                turn()  # in lock-step, the other scale measures the same line in between
                for _ in range(size):
                    forget()
                    started = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
            timings.sort()
            slowest = max(queries, key=lambda q: q[0])
            shown = shown_page(response)  # a paginated list's page; None for the other pages
            results[line] = {
                "page": page,
                # Rows the page drew: a city list shorter than a page draws fewer rows than the national one.
                "rows": len(shown.object_list) if shown is not None else None,
                "median": statistics.median(timings),
                "p95": timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))],
                "queries": len(queries),
                "plan": explain(slowest[1], slowest[2]) if equal_rows is None else "",
            }
    results["_size"] = plan.introduction
    results["_recount"] = recount_time(runs)
    return results


def write_and_recount() -> None:
    """A write to what the figures count, then the recount the worker runs after it."""
    from reports.dashboard.warming import dashboard_figures_warm

    forget_figures()
    assert dashboard_figures_warm()


def recount_time(runs: int) -> dict:
    """Median and slowest time (ms) of the worker's recount after a write: how long a reader who comes right
    after a write still counts live."""
    timings = []
    for _ in range(max(3, runs // 3)):
        started = time.perf_counter()
        write_and_recount()
        timings.append((time.perf_counter() - started) * 1000)
    return {"median": statistics.median(timings), "max": max(timings)}


def forget_figures() -> None:
    """A new figures version, as the triggers set after a write: every cached count is stale."""
    from reports.models import FiguresVersion

    FiguresVersion.objects.update(token=f"bench-{time.perf_counter_ns()}")


def explain(sql: str, parameters) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of a query on Django's own connection: the session settings the page ran with
    (no JIT, its work_mem), not a bare connection's."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, parameters)
        return "\n".join(row[0] for row in cursor.fetchall())


def verdict(city: dict, national: dict, equal: dict | None = None) -> str:
    """Met or not, and why. `equal`: the national page drawing the city page's number of rows, when the city
    list is shorter than the national one; the ratio is read on it (the same work at both sizes), the time,
    p95 and query targets on the national page as it is."""
    missed = []
    if national["median"] > TARGET_MS:
        missed.append(f"median > {TARGET_MS:.0f} ms")
    if (equal or national)["median"] > TARGET_RATIO * city["median"]:
        missed.append(f"> {TARGET_RATIO:g}× city" + (" on equal rows" if equal else ""))
    if national["p95"] > TARGET_P95_MS:
        missed.append(f"p95 > {TARGET_P95_MS:.0f} ms")
    if national["queries"] > TARGET_QUERIES or national["queries"] != city["queries"]:
        missed.append("queries")
    return "met" if not missed else "not met (" + "; ".join(missed) + ")"


def benchmark() -> tuple[str, list[str]]:
    """The "Dashboard" section of docs/benchmarks.md: pages, then exports, both scales side by side."""
    from bench import exports
    from bench.datasets import database_url, prepare, scales
    from bench.lockstep import ROUNDS, measure, measure_together

    runs = int(os.environ.get("BENCH_RUNS", "15"))
    exported = {}
    for scale in scales():
        prepare(scale)
    print("Dashboard, both scales in lock-step:", flush=True)
    found = measure_together(runs)
    for scale in scales():
        found[scale["name"]]["_load"] = os.getloadavg()[0]  # other work on the machine inflates every figure
        print(f"Dashboard exports, {scale['name']}:", flush=True)
        exported[scale["name"]] = exports.measure_all(database_url(scale["database"]))
    city, national = found["city"], found["national"]
    # Lines where the city list is shorter than the national page: measured again nationally drawing as many rows.
    equal_rows = {
        key: city[key]["rows"]
        for key in city
        # The lists that take ?per_page= (the inbox does not).
        if key.startswith(TAKES_PER_PAGE) and city[key]["rows"] and city[key]["rows"] < (national[key]["rows"] or 0)
    }
    print(f"Dashboard, national, on the city's rows ({len(equal_rows)} lines):", flush=True)
    equal = measure(scales()[1], runs, equal_rows) if equal_rows else {}
    lines = [
        f"City: `{city['_size']}`; national: `{national['_size']}`. {runs} timed runs per page after 2 warm-up "
        "requests, Django test Client in-process, signed in as the consolidating reviewer; the two sizes in "
        f"lock-step, each line's runs in {ROUNDS} turns the city and the national process take one after the "
        'other (a ratio of two times measured minutes apart moved with the shared machine). "last" is the last '
        "page the pager links to: page 20 at most (50 rows a page; beyond it the list says to filter or export), "
        "or the list's own last page when it is shorter (page numbers city / national in brackets); each data set "
        "is VACUUM ANALYZEd after it is built. The pages that count expected reports or average the targets read "
        "their figures from the figures cache once a first request has computed them "
        "(reports.dashboard.figures_cache); the lines "
        f'"{COLD}" empty it before every request, as after any write to what the figures count; the lines '
        f'"{AFTER_WRITE}" make such a write and run the recount the worker runs after it '
        "(reports.dashboard.warming) before every request. The recount takes "
        f"{city['_recount']['median']:.0f} ms in the city (slowest {city['_recount']['max']:.0f}) and "
        f"{national['_recount']['median']:.0f} ms nationally (slowest {national['_recount']['max']:.0f}): "
        "only a reader who comes within that time of a write counts live, at the cold-cache line's cost. "
        "One-minute load average after the "
        f"pages: city {city['_load']:.1f}, national {national['_load']:.1f} (2 cores shared with other work).",
        "",
        "| Page | Filter | Page no. | City median (ms) | City p95 | National median (ms) | National p95 "
        "| National ÷ city | Queries (city / national) | Rows drawn (city / national) "
        "| National on the city's rows (ms) | ÷ city on equal rows | targets |",
        "|---|---|---|---:|---:|---:|---:|---:|---|---|---:|---:|---|",
    ]
    keys = [k for k in city if not k.startswith("_")]
    for key in keys:
        c, n, e = city[key], national[key], equal.get(key)
        shown = key if c["page"] == n["page"] == "1" else f"{key} ({c['page']} / {n['page']})"
        on_equal = f"{e['median']:.1f} | {e['median'] / c['median']:.2f}×" if e else "— | —"
        lines.append(
            f"| {shown} | {c['median']:.1f} | {c['p95']:.1f} | {n['median']:.1f} | {n['p95']:.1f} "
            f"| {n['median'] / c['median']:.2f}× | {c['queries']} / {n['queries']} "
            f"| {c.get('rows') or '—'} / {n.get('rows') or '—'} | {on_equal} | {verdict(c, n, e)} |"
        )
    met = sum(1 for k in keys if verdict(city[k], national[k], equal.get(k)) == "met")
    lines += [
        "",
        f"Targets (national median ≤ {TARGET_MS:.0f} ms and ≤ {TARGET_RATIO:g}× city, p95 ≤ {TARGET_P95_MS:.0f} ms, "
        f"≤ {TARGET_QUERIES} queries and the same number at both sizes): met on {met} of {len(keys)} lines. Where "
        "the city list is shorter than the national page (9 general proposals a year in the city against 250), "
        "the national page draws up to 5 times the rows, and the cost of drawing them is not the cost of the "
        "data's size: the same national page is measured again with ?per_page= set to the city's number of rows, "
        "and the ratio is read on it (its two columns); the time, p95 and query targets stay on the full page. "
        "The matrix shows a notice at both sizes (more than 80 agencies: the long form instead of a grid nobody "
        "could read); plan 193's own grid has 66 columns.",
        "",
        *exports.table(exported["city"], exported["national"]),
        "",
        "### Plans of the three slowest pages (national, EXPLAIN (ANALYZE, BUFFERS) of each page's slowest query)",
    ]
    slowest = sorted(keys, key=lambda k: national[k]["median"], reverse=True)[:3]
    for key in slowest:
        lines += ["", f"`{key}` ({national[key]['median']:.1f} ms):", "", "```", national[key]["plan"], "```"]
    return "Dashboard", lines


if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "--measure":
    sys.path.insert(0, str(REPO))  # run as a script: the package bench is not on the path
    if sys.argv[3:] == ["--lock-step"]:
        from bench.lockstep import wait_for_turn

        print(json.dumps(measure_here(int(sys.argv[2]), turn=wait_for_turn)))
    else:
        print(json.dumps(measure_here(int(sys.argv[2]), json.loads(sys.argv[3]) if len(sys.argv) > 3 else None)))
