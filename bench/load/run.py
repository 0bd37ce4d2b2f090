"""`make load`: 50 agency people saving and sending drafts and 5 reviewers reading the dashboard, for 60 s, against
a real gunicorn (hptracker/gunicorn.conf.py) on PostgreSQL, everything on this machine's loopback address.

1. a fresh database `<name of DATABASE_URL>_load` on the same PostgreSQL server (which must be on 127.0.0.1):
   migrate, plan 193, seed_demo's sample reports, then the load accounts (bench/load/setup_users.py);
2. gunicorn on 127.0.0.1 and a free port; wait for /healthz;
3. locust, headless, for LOAD_SECONDS (60) with the scenario of bench/load/locustfile.py;
4. print requests/s and p50/p95/p99 per endpoint, errors and conflicts, and write the "Load" section of
   docs/benchmarks.md; stop gunicorn and drop the database whatever happened.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import psutil
import psycopg2
from psycopg2 import sql

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.run import write_section  # noqa: E402

PYTHON = sys.executable
WORK = REPO / "var" / "load"
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
AGENCY_USERS = int(os.environ.get("LOAD_AGENCY_USERS", "50"))
REVIEWERS = int(os.environ.get("LOAD_REVIEWERS", "5"))
WORKERS = os.environ.get("LOAD_GUNICORN_WORKERS", "3")
# Everyone signs in while the users are started (PBKDF2 costs about half a second of CPU per sign-in here, on
# purpose), at this many users a second; the locustfile resets the statistics once the last one is signed in, so
# the SECONDS measured are the steady work of saving, sending and reading, not 55 sign-ins at once.
SPAWN_RATE = float(os.environ.get("LOAD_SPAWN_RATE", "2"))
# A person's pause between two actions (bench/load/locustfile.py); 1 and 3 make it a saturation test.
WAIT_MIN, WAIT_MAX = os.environ.get("LOAD_WAIT_MIN", "5"), os.environ.get("LOAD_WAIT_MAX", "15")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
P95_TARGET_MS = 1000


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_settings() -> tuple[dict, str]:
    parsed = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hptracker"))
    host = parsed.hostname or "127.0.0.1"
    if host not in LOOPBACK:
        sys.exit(f"make load: PostgreSQL must be on this machine (127.0.0.1), not {host}.")
    name = f"{parsed.path.lstrip('/') or 'hptracker'}_load"
    connect = {
        "user": parsed.username or "postgres",
        "password": parsed.password or None,
        "host": host,
        "port": parsed.port or 5432,
    }
    credentials = parsed.username or "postgres"
    if parsed.password:
        credentials += f":{parsed.password}"
    return connect, f"postgres://{credentials}@{host}:{connect['port']}/{name}"


def recreate_database(connect: dict, name: str, *, drop_only: bool = False) -> None:
    maintenance = psycopg2.connect(dbname="postgres", **connect)
    maintenance.autocommit = True
    with maintenance.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not drop_only:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    maintenance.close()


def django_environment(database_url: str) -> dict[str, str]:
    environment = {
        name: value for name, value in os.environ.items() if name not in {"REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_MEDIA_ROOT": str(WORK / "media"),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "GUNICORN_ACCESSLOG": "",
            "LOAD_AGENCY_USERS": str(AGENCY_USERS),
            "LOAD_REVIEWERS": str(REVIEWERS),
            "LOAD_WAIT_MIN": WAIT_MIN,
            "LOAD_WAIT_MAX": WAIT_MAX,
        }
    )
    return environment


def step(title: str, command: list[str], environment: dict[str, str]) -> str:
    print(f"make load: {title}", flush=True)
    result = subprocess.run(command, cwd=REPO, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{title} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def wait_for_health(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/healthz", timeout=5).status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer /healthz within a minute")


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        return list(csv.DictReader(stats))


def cpu_of(process: subprocess.Popen) -> tuple[float, float]:
    """(CPU seconds of gunicorn's master and workers, wall clock)."""
    parent = psutil.Process(process.pid)
    total = 0.0
    for member in [parent, *parent.children(recursive=True)]:
        try:
            times = member.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total, time.monotonic()


def report_lines(
    rows: list[dict], conflicts: dict, failures: list[dict], cpu: float, cpu_marks: list[tuple[float, float]]
) -> list[str]:
    total = next(row for row in rows if row["Name"] == "Aggregated")
    requests, errors = int(total["Request Count"]), int(total["Failure Count"])
    rows = [row for row in rows if int(row["Request Count"]) > 0]
    worst_p95 = max(int(float(row["95%"])) for row in rows if row["Name"] != "Aggregated")
    lines = [
        f"`make load`: {AGENCY_USERS} agency heads (signing in, then saving drafts of this year's report of their "
        f"agency, 8 saves to 1 send to 2 reads, "
        f"{WAIT_MIN}–{WAIT_MAX} s between actions; some agencies have two people, whose saves "
        f"conflict) and {REVIEWERS} reviewers reading the dashboard pages and the inbox, for {SECONDS} s, against "
        f"gunicorn (`hptracker/gunicorn.conf.py`, {WORKERS} sync workers) on PostgreSQL, with locust on the same "
        f"2 cores, all on 127.0.0.1. Data: plan 193 with `seed_demo`'s sample reports. Users start at "
        f"{SPAWN_RATE:g}/s and sign in through the login form; the figures below are counted from the moment the "
        f"last one is signed in, for {SECONDS} s.",
        "",
        "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        label = "**all**" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        lines.append(
            f"| {label} | {row['Request Count']} | {float(row['Requests/s']):.1f} | {row['50%']} | "
            f"{row['95%']} | {row['99%']} | {float(row['Max Response Time']):.0f} | {row['Failure Count']} |"
        )
    met = errors == 0 and worst_p95 <= P95_TARGET_MS
    lines += [
        "",
        f"Requests: {requests}, {float(total['Requests/s']):.1f}/s; errors: {errors}; conflicts (counted as answers, "
        f"not errors): {conflicts.get('stale_version', 0)} saves refused because a colleague saved the same report "
        f"first, {conflicts.get('already_sent', 0)} attempts on a report a colleague had already sent. One-minute "
        f"load average at the end: {cpu:.2f}. Targets: 0 errors and p95 ≤ {P95_TARGET_MS} ms on every endpoint: "
        f"{'met' if met else 'NOT met'} (worst p95 {worst_p95} ms).",
    ]
    if len(cpu_marks) == 2:
        used, wall = cpu_marks[1][0] - cpu_marks[0][0], cpu_marks[1][1] - cpu_marks[0][1]
        per_request = 1000 * used / max(requests, 1)
        lines.append(
            f"gunicorn's CPU time over the measured window: {used:.1f} s in {wall:.0f} s "
            f"({100 * used / wall / (os.cpu_count() or 1):.0f} % of the machine), {per_request:.0f} ms per request: "
            f"on two free cores the server alone would serve about {2000 / max(per_request, 1):.0f} requests/s."
        )
    cores = os.cpu_count() or 1
    if cpu > cores:
        lines.append(
            f"The machine was busy with other work during this run (load average {cpu:.1f} on {cores} cores): the "
            f"latencies above are mostly waiting for a CPU, not the portal's own time; the CPU time per request is "
            f"the figure that does not depend on it. Judge the p95 target on a run with nothing else going on."
        )
    for failure in failures:
        lines.append(f"- error: {failure['Method']} {failure['Name']}: {failure['Error']} ×{failure['Occurrences']}")
    return lines


def main() -> int:
    connect, database_url = database_settings()
    name = urlparse(database_url).path.lstrip("/")
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "media").mkdir(parents=True)
    environment = django_environment(database_url)
    gunicorn = None
    try:
        recreate_database(connect, name)
        step("migrate", [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], environment)
        step("plan 193", [PYTHON, "manage.py", "load_plan", "plans/data/ke-hoach-193-KH-UBND-2021.json"], environment)
        step("sample reports", [PYTHON, "manage.py", "seed_demo", "--force"], environment)
        accounts = WORK / "accounts.json"
        accounts.write_text(
            step("load accounts", [PYTHON, "bench/load/setup_users.py"], environment).strip().splitlines()[-1],
            encoding="utf-8",
        )
        port = free_loopback_port()
        url = f"http://127.0.0.1:{port}"
        print(f"make load: gunicorn on {url}", flush=True)
        gunicorn = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "hptracker.wsgi:application",
                "-c",
                "hptracker/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                WORKERS,
            ],
            cwd=REPO,
            env=environment,
            stdout=open(WORK / "gunicorn.log", "w"),
            stderr=subprocess.STDOUT,
        )
        wait_for_health(url)
        print(f"make load: locust, {AGENCY_USERS + REVIEWERS} users for {SECONDS} s", flush=True)
        spawn_seconds = int((AGENCY_USERS + REVIEWERS) / SPAWN_RATE) + 5
        # The server's CPU time over the measured window (from the moment the last user signed in, when the
        # locustfile resets the statistics and leaves a mark, to the end): per request, it says what the portal
        # costs whatever else the machine was doing meanwhile.
        cpu_marks: list[tuple[float, float]] = []
        measure_mark = WORK / "measuring"
        finished = threading.Event()

        def watch_for_the_mark() -> None:
            while not finished.is_set():
                if measure_mark.exists():
                    cpu_marks.append(cpu_of(gunicorn))
                    return
                time.sleep(0.1)

        watcher = threading.Thread(target=watch_for_the_mark, daemon=True)
        watcher.start()
        locust = subprocess.run(
            [
                PYTHON,
                "-m",
                "locust",
                "-f",
                "bench/load/locustfile.py",
                "--headless",
                "--only-summary",
                "-u",
                str(AGENCY_USERS + REVIEWERS),
                "-r",
                str(SPAWN_RATE),
                # A bound only: the locustfile ends the run LOAD_SECONDS after the last sign-in.
                "-t",
                f"{spawn_seconds + 240 + SECONDS}s",
                "--stop-timeout",
                "10",
                "--host",
                url,
                "--csv",
                str(WORK / "stats"),
                "--loglevel",
                "WARNING",
            ],
            cwd=REPO,
            env={
                **environment,
                "LOAD_ACCOUNTS": str(accounts),
                "LOAD_CONFLICTS": str(WORK / "conflicts.json"),
                "LOAD_MEASURE_MARK": str(measure_mark),
                "LOAD_SECONDS": str(SECONDS),
            },
            capture_output=True,
            text=True,
            timeout=spawn_seconds + 240 + SECONDS + 120,
        )
        finished.set()
        watcher.join()
        if cpu_marks:
            cpu_marks.append(cpu_of(gunicorn))
        load = os.getloadavg()[0]
        if not (WORK / "stats_stats.csv").exists():
            raise RuntimeError(f"locust wrote no statistics:\n{locust.stderr[-3000:]}")
        conflicts = json.loads((WORK / "conflicts.json").read_text()) if (WORK / "conflicts.json").exists() else {}
        with open(WORK / "stats_failures.csv", encoding="utf-8") as failures_file:
            failures = list(csv.DictReader(failures_file))
        lines = report_lines(read_stats(WORK / "stats"), conflicts, failures, load, cpu_marks)
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        if not os.environ.get("LOAD_KEEP_DATABASE"):
            recreate_database(connect, name, drop_only=True)
    print("\n## Load\n" + "\n".join(lines), flush=True)
    write_section("Load", lines)
    print("\nWritten to docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
