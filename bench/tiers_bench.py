#!/usr/bin/env python3
"""How long plain `pytest` (the fast tier) takes: wall time, and the processor time it used
(its own and its child processes'), with the load average before and after, since on a
shared machine the wall time says as much about the other processes as about the tests.

Budget: the fast tier runs in at most 60 s of wall time.

Usage: python bench/tiers_bench.py [--runs 1]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 60.0
TOTALS = re.compile(r"^(\d+) passed.*?(?:(\d+) deselected)?.* in [\d.]+s", re.M)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once() -> tuple[float, float, str]:
    """(wall s, processor s, pytest's totals line) of one plain `pytest` in the project."""
    cpu, start = children_cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"the fast tier failed (exit {done.returncode}):\n{done.stdout[-3000:]}")
    totals = TOTALS.search(done.stdout)
    return wall, children_cpu() - cpu, totals.group(0) if totals else "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs to take the median of")
    runs = parser.parse_args().runs
    walls, cpus = [], []
    for _ in range(runs):
        before = os.getloadavg()[0]
        wall, cpu, totals = run_once()
        walls.append(wall)
        cpus.append(cpu)
        print(
            f"{totals}: {wall:.0f} s wall, {cpu:.0f} s processor "
            f"(load average {before:.1f} before, {os.getloadavg()[0]:.1f} after)"
        )
    wall = statistics.median(walls)
    verdict = "within" if wall <= BUDGET_S else "over"
    print(
        f"median {wall:.0f} s wall, {statistics.median(cpus):.0f} s processor: "
        f"{verdict} the {BUDGET_S:.0f} s budget on {os.cpu_count()} cores"
    )
    return 0 if wall <= BUDGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
