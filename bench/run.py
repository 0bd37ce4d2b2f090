"""`make bench`: run every benchmark and write its section of docs/benchmarks.md.

A benchmark is a function returning (section title, markdown lines); add yours to BENCHMARKS. A section
found in docs/benchmarks.md is replaced, the others are kept.
"""

from __future__ import annotations

import datetime
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import dashboard, pdf, workflow  # noqa: E402

BENCHMARKS: list[Callable[[], tuple[str, list[str]]]] = [dashboard.benchmark, workflow.benchmark, pdf.benchmark]
REPORT = REPO / "docs" / "benchmarks.md"


def write_section(title: str, lines: list[str]) -> None:
    REPORT.parent.mkdir(exist_ok=True)
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Benchmarks\n"
    stamp = f"_Measured {datetime.date.today():%d/%m/%Y} on {os.cpu_count()} cores._"
    section = f"## {title}\n\n{stamp}\n\n" + "\n".join(lines) + "\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = (
        pattern.sub(lambda _m: section + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    )
    REPORT.write_text(text, encoding="utf-8")


def main() -> None:
    for benchmark in BENCHMARKS:
        title, lines = benchmark()
        print(f"\n## {title}\n" + "\n".join(lines), flush=True)
        write_section(title, lines)
    print(f"\nWritten to {REPORT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
