"""Two writes a reviewer never sees but every agency waits on, timed on the benchmark data sets:

- submission save: `submission_save` of a district's draft with 32 task reports edited (server time of the
  service, in a transaction rolled back after each run so that every run saves the same draft);
- the reminder scan (`scan_reminders`) over 10,000 agencies, each with one member, on the day before their
  deadline, mail to Django's in-memory backend; queries counted, the scan's rows deleted afterwards.

Targets: save median ≤ 50 ms; scan ≤ 10 s with a constant number of queries per batch of digests
(reports.reminders.delivery.DIGESTS_PER_BATCH; compared between 1,000 and 10,000 agencies).

`python bench/workflow.py --reminders` runs only the scan part and prints its table.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parent.parent
SAVE_TASKS = 32
TARGET_SAVE_MS, TARGET_SCAN_S = 50.0, 10.0


def _django() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hptracker.settings")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()


class _Rollback(Exception):
    pass


def measure_save(runs: int) -> dict:
    """Median and p95 of saving a district's draft with 32 task reports changed (each run rolled back)."""
    _django()
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models import Count

    from agencies.models import AgencyKind, Membership, Role
    from reports.models import Submission, SubmissionStatus
    from reports.submissions.services import TaskInput, submission_save

    draft = (
        Submission.objects.filter(status=SubmissionStatus.DRAFT, agency__kind=AgencyKind.DISTRICT)
        .annotate(n=Count("task_reports"))
        .filter(n__gte=SAVE_TASKS)
        .order_by("-cycle__year", "pk")
        .first()
    )
    assert draft is not None, "no district draft with 32 task reports in this data set"
    user, _ = get_user_model().objects.get_or_create(username="bench.head")
    Membership.objects.update_or_create(user=user, defaults={"agency": draft.agency, "role": Role.HEAD})
    task_ids = list(draft.task_reports.order_by("pk").values_list("pk", flat=True)[:SAVE_TASKS])
    timings = []
    for run in range(runs + 2):
        tasks = {
            pk: TaskInput(progress="in_progress", results=f"Kết quả lần {run}, nhiệm vụ {i}.")
            for i, pk in enumerate(task_ids)
        }
        try:
            with transaction.atomic():
                version = Submission.objects.get(pk=draft.pk).version
                started = time.perf_counter()
                submission_save(
                    submission=draft, by=user, version=version, general={"assessment": "Đánh giá."}, tasks=tasks
                )
                elapsed = (time.perf_counter() - started) * 1000
                raise _Rollback
        except _Rollback:
            if run >= 2:  # two warm-up runs
                timings.append(elapsed)
    timings.sort()
    return {"median": statistics.median(timings), "p95": timings[round(0.95 * (len(timings) - 1))], "runs": runs}


def measure_scan(agencies: int) -> dict:
    """Build (once) `agencies` agencies with one member each and an open cycle, then run one scan on the working
    day before the first deadline; the scan's rows and mail are removed afterwards."""
    _django()
    from django.contrib.auth import get_user_model
    from django.core import mail
    from django.db import connection

    from agencies.models import Agency, Membership, Role
    from reports.models import CycleDeadline, ReminderDelivery
    from reports.reminders import delivery
    from reports.reminders.services import scan_reminders
    from reports.reminders.workdays import load_calendar

    users = get_user_model()
    members = set(Membership.objects.values_list("agency_id", flat=True))
    missing = [a for a in Agency.objects.filter(code__startswith="sc-").exclude(pk__in=members)]
    made = users.objects.bulk_create(
        [users(username=f"bench.{a.code}", email=f"{a.code}@example.vn") for a in missing], batch_size=2000
    )
    Membership.objects.bulk_create(
        [Membership(user=u, agency=a, role=Role.STAFF) for u, a in zip(made, missing, strict=True)], batch_size=2000
    )
    deadline = CycleDeadline.objects.filter(cycle__status="open").order_by("due_on").first()
    assert deadline is not None, "no open cycle in this data set"
    today = load_calendar().working_days_before(deadline.due_on, 1)
    ReminderDelivery.objects.all().delete()
    mail.outbox = []
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    per_batch: list[int] = []
    deliver_batch = delivery._deliver_batch

    def counted_batch(*args, **kwargs):
        before = len(queries)
        deliver_batch(*args, **kwargs)
        per_batch.append(len(queries) - before)

    started = time.perf_counter()
    with connection.execute_wrapper(count), mock.patch.object(delivery, "_deliver_batch", counted_batch):
        result = scan_reminders(today=today)
    elapsed = time.perf_counter() - started
    ReminderDelivery.objects.all().delete()
    return {
        "agencies": Agency.objects.filter(code__startswith="sc-").count(),
        "seconds": elapsed,
        "queries": len(queries),
        "planned": len(result.planned),
        "digests": result.digests,
        "batches": len(per_batch),
        "batch_size": delivery.DIGESTS_PER_BATCH,
        # Planning and claiming, once per scan; then each batch's own queries.
        "fixed_queries": len(queries) - sum(per_batch),
        "batch_queries": sorted(set(per_batch)),
        "sent": result.sent,
        "today": today.isoformat(),
    }


def run(database_url: str, *args: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, __file__, *args], cwd=REPO, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "--save":
    print(json.dumps(measure_save(int(sys.argv[2]))))
if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "--scan":
    print(json.dumps(measure_scan(int(sys.argv[2]))))


def scan_database(agencies: int) -> str:
    """A database of `agencies` agencies (seed_scale, two tasks, one year), made once and reused."""
    from bench.datasets import database_url, ensure_database

    name = f"{os.environ.get('BENCH_DATABASE_PREFIX', 'hptracker_bench')}_reminders_{agencies}"
    ensure_database(name)
    env = {**os.environ, "DATABASE_URL": database_url(name)}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, env=env, check=True)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "seed_scale",
            "--reuse",
            "--agencies",
            str(agencies),
            "--tasks",
            "2",
            "--years",
            "1",
        ],
        cwd=REPO,
        env=env,
        check=True,
    )
    return database_url(name)


def scan_lines(scans: list[dict]) -> list[str]:
    lines = [
        "Reminder scan (`scan_reminders` on the working day before the deadline; one member per agency; mail to the "
        "in-memory backend; the queries of planning and claiming, once per scan, then those of each batch):",
        "",
        "| agencies | reminders planned | digests sent | batches | seconds | queries | once per scan "
        "| per batch | targets |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for found in scans:
        low, high = min(found["batch_queries"], default=0), max(found["batch_queries"], default=0)
        per = str(low) if low == high else f"{low}–{high}"
        verdict = "met" if found["seconds"] <= TARGET_SCAN_S else f"not met (≤ {TARGET_SCAN_S:.0f} s)"
        lines.append(
            f"| {found['agencies']} | {found['planned']} | {found['sent']} | {found['batches']} "
            f"(of {found['batch_size']}) | {found['seconds']:.1f} | {found['queries']} | {found['fixed_queries']} "
            f"| {per} | {verdict} |"
        )
    return lines


def benchmark() -> tuple[str, list[str]]:
    """The "Writes" section of docs/benchmarks.md: submission save at both sizes, the scan at 1,000 and 10,000."""
    from bench.datasets import database_url, scales

    runs = int(os.environ.get("BENCH_RUNS", "15"))
    saves = {s["name"]: run(database_url(s["database"]), "--save", str(runs)) for s in scales()}
    scans = [run(scan_database(agencies), "--scan", str(agencies)) for agencies in (1000, 10000)]
    city, national = saves["city"], saves["national"]
    ok = national["median"] <= TARGET_SAVE_MS
    lines = [
        f"Submission save (`submission_save`, a district's draft, {SAVE_TASKS} task reports changed, server time of "
        f"the service, {runs} runs each rolled back):",
        "",
        "| | City median (ms) | City p95 | National median (ms) | National p95 | targets |",
        "|---|---:|---:|---:|---:|---|",
        f"| save of {SAVE_TASKS} tasks | {city['median']:.1f} | {city['p95']:.1f} | {national['median']:.1f} "
        f"| {national['p95']:.1f} | {'met' if ok else f'not met (median ≤ {TARGET_SAVE_MS:.0f} ms)'} |",
        "",
        *scan_lines(scans),
    ]
    return "Writes", lines


if __name__ == "__main__" and sys.argv[1:] == ["--reminders"]:
    sys.path.insert(0, str(REPO))
    print("\n".join(scan_lines([run(scan_database(agencies), "--scan", str(agencies)) for agencies in (1000, 10000)])))
