#!/usr/bin/env python3
"""How long plain `pytest` (the fast tier) takes: wall time, and the processor time it used
(its own and its child processes'), with the load average before and after, since on a
shared machine the wall time says as much about the other processes as about the tests.

Plain `pytest` shares the tier between two pytest-xdist workers (tests/conftest.py), so each
process also reports its own processor time: the busiest worker's, plus the main process's,
is about the wall time the run takes with a free core per worker, whatever the load.

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
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 60.0
TOTALS = re.compile(r"^(\d+) passed.* in [\d.]+s", re.M)
REPORT_ENV = "TIERS_BENCH_REPORT"


def processor_time(with_children: bool) -> float:
    """This process's processor time, and that of the children it waited for if asked."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + with_children * (children.ru_utime + children.ru_stime)


def pytest_unconfigure(config) -> None:  # a pytest hook: the measured run loads this file
    """In each process of the measured run: write down its name and processor time."""
    report = os.environ.get(REPORT_ENV)
    if report:
        # A worker counts the builds it ran as processes; the main process's children are
        # the workers, counted apart.
        name = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(report, "a", encoding="utf-8") as out:
            out.write(f"{name} {processor_time(with_children=name != 'main'):.2f}\n")


def run_once() -> tuple[float, float, dict[str, float], str]:
    """(wall s, processor s, processor s per process, pytest's totals line) of one plain
    `pytest` in the project."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "processes.txt"
        env = os.environ | {
            REPORT_ENV: str(report),
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(ROOT / "bench"), os.environ.get("PYTHONPATH")])
            ),
        }
        cpu, start = children_cpu(), time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "tiers_bench"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
        rows = report.read_text(encoding="utf-8").split() if report.exists() else []
    if done.returncode != 0:
        sys.exit(f"the fast tier failed (exit {done.returncode}):\n{done.stdout[-3000:]}")
    totals = TOTALS.search(done.stdout)
    per_process = dict(zip(rows[::2], map(float, rows[1::2]), strict=True))
    return wall, children_cpu() - cpu, per_process, totals.group(0) if totals else "?"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs to take the median of")
    runs = parser.parse_args().runs
    walls, cpus, free = [], [], []
    for _ in range(runs):
        before = os.getloadavg()[0]
        wall, cpu, per_process, totals = run_once()
        workers = {k: v for k, v in per_process.items() if k != "main"}
        busiest = max(workers.values(), default=0.0) + per_process.get("main", 0.0)
        walls.append(wall)
        cpus.append(cpu)
        free.append(busiest)
        shares = ", ".join(f"{k} {v:.0f} s" for k, v in sorted(per_process.items()))
        print(
            f"{totals}: {wall:.0f} s wall, {cpu:.0f} s processor ({shares}; "
            f"load average {before:.1f} before, {os.getloadavg()[0]:.1f} after)"
        )
    wall = statistics.median(walls)
    verdict = "within" if wall <= BUDGET_S else "over"
    print(
        f"median {wall:.0f} s wall, {statistics.median(cpus):.0f} s processor: "
        f"{verdict} the {BUDGET_S:.0f} s budget on {os.cpu_count()} cores; with a free core "
        f"per worker about {statistics.median(free):.0f} s (busiest worker + main process)"
    )
    return 0 if wall <= BUDGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
