"""Python code run in a fresh interpreter, for what the test process cannot show: settings read at start-up,
modules a new process imports, process-wide state (the garbage collector's frozen objects)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from tests.conftest import REPO


def json_from_fresh_process(code: str, *, environment: dict[str, str | None] | None = None, timeout: int = 120) -> Any:
    """Run `code` with the repository as working directory, this process's environment with `environment` over it
    (None removes a variable) and hptracker's settings unless it names others; return the JSON of the last line
    it prints."""
    merged = {"DJANGO_SETTINGS_MODULE": "hptracker.settings", **os.environ, **(environment or {})}
    env = {name: value for name, value in merged.items() if value is not None}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
