#!/usr/bin/env python3
"""What drawing the charts at build time costs: default-site builds (a new process each run,
median wall time) with every chart drawing cached, and cold builds with an empty drawing
cache (one Chromium session draws every chart).

    .venv/bin/python bench/drawing_bench.py                # this checkout
    .venv/bin/python bench/drawing_bench.py --project DIR  # another copy, e.g. for a before/after
    .venv/bin/python bench/drawing_bench.py --runs 5 --cold 1

The builds write into a temporary folder; the cached runs share one drawing cache (filled by
a first, unmeasured build), the cold runs each get an empty one. A project without drawing.py
(an older copy) simply ignores the cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(project: Path, out: Path, cache: Path) -> float:
    env = os.environ | {"TIANGONG_CHART_CACHE": str(cache)}
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            str(project / "build.py"),
            "build",
            "--project",
            str(project),
            "--output",
            str(out),
            "--quiet",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"build failed:\n{done.stderr}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--project", type=Path, default=ROOT, help="project to build (default: this checkout)"
    )
    parser.add_argument("--runs", type=int, default=5, help="cached builds to time (default 5)")
    parser.add_argument("--cold", type=int, default=1, help="cold builds to time (default 1)")
    args = parser.parse_args(argv)
    project = args.project.resolve()
    with tempfile.TemporaryDirectory(prefix="tiangong-drawing-bench-") as tmp:
        folder = Path(tmp)
        warm = folder / "cache"
        build(project, folder / "first", warm)  # fills the drawing cache; not timed
        cached = [build(project, folder / f"cached-{i}", warm) for i in range(args.runs)]
        cold = [
            build(project, folder / f"cold-{i}", folder / f"empty-{i}") for i in range(args.cold)
        ]
    print(f"project: {project}")
    each = ", ".join(f"{s:.2f}" for s in cached)
    print(
        f"default site, every drawing cached: median {statistics.median(cached):.2f} s "
        f"of {len(cached)} ({each})"
    )
    if cold:
        each = ", ".join(f"{s:.2f}" for s in cold)
        print(
            f"default site, no drawing cached:    median {statistics.median(cold):.2f} s "
            f"of {len(cold)} ({each})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
