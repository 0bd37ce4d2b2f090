"""`make run` serves the portal from SQLite: the same set-up commands, then every dashboard page and export.

The dashboard's SQL had PostgreSQL-only parts (AT TIME ZONE, date - date) and answered HTTP 500 to every reviewer
of `make run` while the PostgreSQL suite stayed green. This runs the Makefile's own commands on a fresh SQLite file,
then tests/sqlite_portal_check.py against it, each in its own process (Django binds one database per process).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import REPO


def _make_run_commands() -> list[list[str]]:
    """The manage.py commands of the Makefile's `run` target, before the server starts."""
    recipe = (REPO / "Makefile").read_text(encoding="utf-8").split("\nrun:", 1)[1].split("\n\n", 1)[0]
    files = dict(re.findall(r"^(PLAN_FILE|REORGANISATION_FILE) := (\S+)", (REPO / "Makefile").read_text(), re.M))
    commands = []
    for line in recipe.splitlines():
        match = re.search(r"\$\(PY\) manage\.py (migrate|load_plan|load_reorganisation|seed_demo)(.*)$", line)
        if match:
            arguments = match.group(2).replace("$(PLAN_FILE)", files["PLAN_FILE"])
            arguments = arguments.replace("$(REORGANISATION_FILE)", files["REORGANISATION_FILE"])
            commands.append(["manage.py", match.group(1), *arguments.split()])
    return commands


@pytest.mark.slow
def test_make_run_on_sqlite_serves_every_dashboard_page_with_the_same_states(tmp_path):
    commands = _make_run_commands()
    assert [c[1] for c in commands] == ["migrate", "load_plan", "load_reorganisation", "seed_demo"]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        DJANGO_DEBUG="true",
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONPATH=str(REPO),
    )
    for command in commands:
        done = subprocess.run([sys.executable, *command], cwd=REPO, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{command}: {done.stderr[-2000:]}"
    check = subprocess.run(
        [sys.executable, "tests/sqlite_portal_check.py"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    assert re.search(r"checked [1-9]\d* expected reports", check.stdout)
