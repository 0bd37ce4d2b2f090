"""The two data sets every benchmark measures on (the city's 120 units, the national 3,000), each in a database of
its own: created, migrated, seeded by `seed_scale` and vacuumed once, reused afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def scales() -> list[dict]:
    env = os.environ
    prefix = env.get("BENCH_DATABASE_PREFIX", "hptracker_bench")
    return [
        {"name": "city", "database": f"{prefix}_city", "args": ["--city"]},
        {
            "name": "national",
            "database": f"{prefix}_national",
            "args": [
                "--agencies",
                env.get("BENCH_NATIONAL_AGENCIES", "3000"),
                "--tasks",
                env.get("BENCH_NATIONAL_TASKS", "50"),
                "--years",
                env.get("BENCH_NATIONAL_YEARS", "10"),
            ],
        },
    ]


def database_url(name: str) -> str:
    base = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hptracker"))
    return urlunparse(base._replace(path=f"/{name}"))


def ensure_database(name: str) -> None:
    import psycopg2

    connection = psycopg2.connect(database_url("postgres"))
    connection.autocommit = True  # CREATE DATABASE refuses to run in a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


def prepare(scale: dict) -> None:
    """Create the database, migrate it and (re)build the data set unless it is already there."""
    ensure_database(scale["database"])
    env = {**os.environ, "DATABASE_URL": database_url(scale["database"])}
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, env=env, check=True)
    started = time.monotonic()
    subprocess.run([PYTHON, "manage.py", "seed_scale", "--reuse", *scale["args"]], cwd=REPO, env=env, check=True)
    vacuum(scale["database"])
    print(f"  {scale['name']}: data set ready in {time.monotonic() - started:.0f} s", flush=True)


def vacuum(name: str) -> None:
    """VACUUM ANALYZE after the bulk load: without it every index scan visits the heap (no visibility map yet) and
    the same page measured 240 ms instead of 130 ms until autovacuum happened to pass."""
    import psycopg2

    connection = psycopg2.connect(database_url(name))
    connection.autocommit = True  # VACUUM refuses to run in a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        connection.close()
