"""Every dashboard export, CSV and XLSX, timed with its peak memory, each in its own process (ru_maxrss is a
process's peak): the request (a short list streams or is written in it; a long one returns at once with the
queued record), then, for a queued one, the worker's render (`dashboard_export_render`, the Celery task's body,
run here so that its time and memory are measured; the queueing itself is switched off in this process).
Target: memory growth ≤ 150 MB whatever the size; a long list's request returns at once (≤ 1 s).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_MB, TARGET_REQUEST_MS = 150.0, 1000.0
EXPORTS: list[tuple[str, dict]] = [
    ("dashboard_reports", {}),
    ("dashboard_missing", {}),
    ("dashboard_years", {}),
    ("dashboard_coverage", {}),
    ("dashboard_coverage_cells", {}),
    ("dashboard_coverage_cells", {"role": ""}),  # every role: the largest list of the dashboard
    ("dashboard_targets", {}),
    ("dashboard_issues", {}),
    ("dashboard_proposals", {}),
]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def measure_one(index: int, export_format: str) -> dict:
    sys.path.insert(0, str(REPO))
    from bench.dashboard import page_url, signed_in_client

    client, plan, user = signed_in_client()
    from reports.dashboard import exports, tasks
    from reports.models import DashboardExport

    tasks.render_dashboard_export.delay = lambda pk: None  # measured below, in this process
    name, params = EXPORTS[index]
    from django.urls import reverse

    # Warm the middleware, session and URL resolver with a page that reads no data (a worker draws none).
    assert client.get(reverse("reports:dashboard_exports")).status_code == 200
    before = _peak_mb()
    started = time.perf_counter()
    response = client.get(page_url(name, plan, {**params, "_export": export_format}, "1"))
    size = 0
    if response.streaming:
        for chunk in response.streaming_content:
            size += len(chunk)
    request_ms = (time.perf_counter() - started) * 1000
    result = {"request_ms": request_ms, "queued": response.status_code == 302, "bytes": size, "worker_s": None}
    if result["queued"]:
        export = DashboardExport.objects.filter(requested_by=user).latest("created_at")
        started = time.perf_counter()
        done = exports.dashboard_export_render(export_id=export.pk)
        result["worker_s"] = time.perf_counter() - started
        assert done is not None and done.status == "ready", done and done.error
        result["bytes"], result["rows"] = done.size_bytes, done.row_count
        done.file.delete(save=False)
        done.delete()
    result["peak_mb"], result["baseline_mb"] = _peak_mb(), before
    return result


def measure_all(database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url}
    found = {}
    for index, (name, params) in enumerate(EXPORTS):
        for export_format in ("csv", "xlsx"):
            done = subprocess.run(
                [sys.executable, __file__, "--one", str(index), export_format],
                cwd=REPO,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            key = f"{name} {json.dumps(params, ensure_ascii=False) if params else ''} {export_format}".strip()
            found[key] = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"    export {key}: {found[key]}", flush=True)
    return found


def _cell(r: dict) -> str:
    how = f"queued, worker {r['worker_s']:.1f} s" if r["queued"] else "in request"
    growth = r["peak_mb"] - r["baseline_mb"]
    return f"{r['request_ms']:.0f} ms, {how}, {r['bytes'] / 1e6:.1f} MB, peak {r['peak_mb']:.0f} MB (+{growth:.0f})"


def table(city: dict, national: dict) -> list[str]:
    lines = [
        "### Exports",
        "",
        "Each export in its own process; peak = the whole process's ru_maxrss (Django, every view module and task "
        "module imported: about 100 MB here, the document libraries being loaded only when a document is "
        "rendered), (+N) = its growth during the export over a process that has served one page. The target "
        "is read on the whole peak (≤ 150 MB) and on the request time. Above 5,000 rows (2,000 in XLSX) the "
        "request only queues the file, and the worker's render is timed apart.",
        "",
        "| Export | City | National | targets |",
        "|---|---|---|---|",
    ]
    for key in city:
        c, n = city[key], national[key]
        missed = [f"peak > {TARGET_MB:.0f} MB"] if n["peak_mb"] > TARGET_MB else []
        missed += [f"request > {TARGET_REQUEST_MS:.0f} ms"] if n["request_ms"] > TARGET_REQUEST_MS else []
        verdict = "not met (" + "; ".join(missed) + ")" if missed else "met"
        lines.append(f"| {key} | {_cell(c)} | {_cell(n)} | {verdict} |")
    return lines


if __name__ == "__main__" and len(sys.argv) > 3 and sys.argv[1] == "--one":
    print(json.dumps(measure_one(int(sys.argv[2]), sys.argv[3])))
