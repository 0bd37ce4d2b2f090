"""`make bench`: run every benchmark and write its section of docs/benchmarks.md.

A benchmark is a function returning (section title, markdown lines); add yours to BENCHMARKS. A section
found in docs/benchmarks.md is replaced, the others are kept.
"""

from __future__ import annotations

import datetime
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import dashboard, pdf, workflow  # noqa: E402

BENCHMARKS: list[Callable[[], tuple[str, list[str]]]] = [dashboard.benchmark, workflow.benchmark, pdf.benchmark]
REPORT = REPO / "docs" / "benchmarks.md"


def reference_loop() -> str:
    """The machine's speed at the time, for comparing figures across runs and machines: seven runs of the same
    pure-Python loop (10 million additions), the fastest (the processor) and the median (with whatever else
    shares it). On one machine of this kind the same loop measured 457 ms at best and 1,700 ms while busy: every
    page's milliseconds move with it, the national ÷ city ratios much less."""
    runs = []
    for _ in range(7):
        started = time.perf_counter()
        total = 0
        for number in range(10_000_000):
            total += number
        runs.append((time.perf_counter() - started) * 1000)
    return f"the reference loop of bench/run.py took {min(runs):,.0f} ms at best, {statistics.median(runs):,.0f} median"


def write_section(title: str, lines: list[str], machine: str = "") -> None:
    REPORT.parent.mkdir(exist_ok=True)
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Benchmarks\n"
    stamp = f"_Measured {datetime.date.today():%d/%m/%Y} on {os.cpu_count()} cores{'; ' + machine if machine else ''}._"
    section = f"## {title}\n\n{stamp}\n\n" + "\n".join(lines) + "\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = (
        pattern.sub(lambda _m: section + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    )
    REPORT.write_text(text, encoding="utf-8")


def main() -> None:
    for benchmark in BENCHMARKS:
        title, lines = benchmark()
        machine = reference_loop()  # after each section: the machine as it was while measuring
        print(f"\n## {title}\n" + "\n".join(lines), flush=True)
        write_section(title, lines, machine)
    print(f"\nWritten to {REPORT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
