#!/usr/bin/env python3
"""Processor time of a cold build before its first page: the imports `build` makes and
`load_and_check` of the default site, each in a new process, as the command runs them (the
collector off, the memos of .cache/ read, nothing written).

Times are the main thread's processor time (time.thread_time), not wall time: they move
less with the machine's load. With --vs OTHER_CHECKOUT (a worktree of another commit, its
.venv made and its .cache/ warmed by one build), the two run in turn and the difference
is taken pair by pair, so that the load hits both alike.

Usage: python bench/load_bench.py [--runs 21] [--vs ../main-worktree]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("imports", "load_and_check")
PROBE = """
import gc, sys, time
gc.disable()
sys.path.insert(0, "src")
started = time.thread_time()
from tiangong_site.site import Project, load_and_check
from tiangong_site import loader
imported = time.thread_time()
gc.freeze()
project = Project.at(__import__("pathlib").Path("."))
with loader.remembered(project.cache):
    load_and_check(project, write_cache=False, fonts_early=True)
print(imported - started, time.thread_time() - imported)
"""


def probe(checkout: Path) -> tuple[float, ...]:
    """One new process in `checkout`: the processor seconds of each phase."""
    python = checkout / ".venv" / "bin" / "python"
    done = subprocess.run(
        [str(python), "-c", PROBE], cwd=checkout, capture_output=True, text=True, check=True
    )
    return tuple(float(x) for x in done.stdout.split())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="processes per checkout")
    parser.add_argument("--vs", type=Path, help="another checkout, run in turn with this one")
    args = parser.parse_args()
    checkouts = [ROOT] + ([args.vs.resolve()] if args.vs else [])
    times: dict[Path, list[tuple[float, ...]]] = {c: [] for c in checkouts}
    for _ in range(args.runs):
        for checkout in checkouts:
            times[checkout].append(probe(checkout))
    for checkout, runs in times.items():
        medians = [statistics.median(run[i] for run in runs) * 1000 for i in range(2)]
        total = statistics.median(sum(run) for run in runs) * 1000
        shown = ", ".join(f"{name} {ms:.1f}" for name, ms in zip(PHASES, medians, strict=True))
        print(f"{checkout}: {shown}, both {total:.1f} ms (medians of {args.runs})")
    if args.vs:
        pairs = list(zip(times[ROOT], times[checkouts[1]], strict=True))
        for i, name in enumerate(PHASES):
            diff = statistics.median((a[i] - b[i]) * 1000 for a, b in pairs)
            print(f"{name}: {diff:+.1f} ms against --vs (median of the pairs' differences)")
        diff = statistics.median((sum(a) - sum(b)) * 1000 for a, b in pairs)
        print(f"both: {diff:+.1f} ms against --vs (median of the pairs' differences)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
