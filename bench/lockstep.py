"""The dashboard benchmark's measuring processes (bench/dashboard.py `--measure`), one per data set: run alone, or
the two in lock-step (`measure_together`), each line's timed runs in ROUNDS rounds, the city's and the national's
taking turns, so that both sizes of a line are measured within seconds of each other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MEASURING_SCRIPT = Path(__file__).with_name("dashboard.py")
ROUNDS = 3  # turns each scale takes at a line's timed runs (`measure_together`)
READY = "READY"  # what a measuring process in lock-step prints when it waits for its turn


def rounds(runs: int) -> list[int]:
    """`runs` split into ROUNDS turns as evenly as can be (15: 5, 5, 5)."""
    return [size for size in (runs // ROUNDS + (1 if turn < runs % ROUNDS else 0) for turn in range(ROUNDS)) if size]


def no_turns() -> None:
    """A process measuring alone never waits."""


def wait_for_turn() -> None:
    """In lock-step: tell the parent this process is ready for its next turn, and wait until it is given."""
    print(READY, flush=True)
    sys.stdin.readline()


def measure(scale: dict, runs: int, equal_rows: dict[str, int] | None = None) -> dict:
    from bench.datasets import database_url

    env = {**os.environ, "DATABASE_URL": database_url(scale["database"])}
    extra = [json.dumps(equal_rows)] if equal_rows is not None else []
    done = subprocess.run(
        [PYTHON, str(MEASURING_SCRIPT), "--measure", str(runs), *extra],
        cwd=REPO,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:  # say why: the measuring process's own traceback, not only its exit status
        raise RuntimeError(f"measuring {scale['name']} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_together(runs: int) -> dict[str, dict]:
    """Both scales' pages (`measure_here` in two processes), in lock-step: at every line, the rounds of its timed
    runs alternate between the city and the national process, one measuring while the other waits."""
    import tempfile

    from bench.datasets import database_url, scales

    processes = {}
    errors = {}
    for scale in scales():
        errors[scale["name"]] = tempfile.TemporaryFile(mode="w+")  # read only on failure: never a full pipe
        processes[scale["name"]] = subprocess.Popen(
            [PYTHON, str(MEASURING_SCRIPT), "--measure", str(runs), "--lock-step"],
            cwd=REPO,
            env={**os.environ, "DATABASE_URL": database_url(scale["database"])},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors[scale["name"]],
            text=True,
        )

    def next_message(name: str) -> str:
        line = processes[name].stdout.readline()
        if not line:
            processes[name].wait()
            errors[name].seek(0)
            raise RuntimeError(f"measuring {name} failed:\n{errors[name].read()[-4000:]}")
        return line.strip()

    last = {name: next_message(name) for name in processes}
    while any(message == READY for message in last.values()):
        for name, process in processes.items():
            if last[name] == READY:
                process.stdin.write("go\n")
                process.stdin.flush()
                last[name] = next_message(name)  # its round done: ready for the next, or its results
    for process in processes.values():
        process.wait()
    return {name: json.loads(message) for name, message in last.items()}
