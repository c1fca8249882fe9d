#!/usr/bin/env python3
"""Ours against Hugo and Eleventy on the peers workload, at a modest size (for `make bench`).

Runs the shared peers harness (../shared/bench/peers/, see bench/README.md) on this checkout:
N records to N pages, cold builds, the tools' rounds interleaved so that the machine's load
hits them alike, and prints its table of medians and the per-round ratios ours/Hugo and
ours/Eleventy. Projects and outputs go to a scratch folder of its own (on /dev/shm when
there is one), removed at the end. The harness installs Hugo and Eleventy under
~/.cache/tiangong-peers/ on first use.

usage: python bench/peers_bench.py [--sizes 1000] [--runs 3] [--tools ours,hugo,eleventy]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARNESS_ENV = "PEERS_HARNESS"


def harness() -> Path | None:
    """The shared harness: $PEERS_HARNESS, else shared/bench/peers beside the checkout or
    beside the folder holding it (a worktree)."""
    given = os.environ.get(HARNESS_ENV)
    candidates = [Path(given)] if given else []
    candidates += [up / "shared" / "bench" / "peers" for up in ROOT.parents[:2]]
    return next((c for c in candidates if (c / "bench.py").is_file()), None)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000", help="record counts, e.g. 1000,10000")
    parser.add_argument("--runs", type=int, default=3, help="counted rounds (default 3)")
    parser.add_argument("--tools", default="ours,hugo,eleventy", help="tools, ours first")
    args = parser.parse_args()
    found = harness()
    if found is None:
        print(f"peers benchmark skipped: no shared harness (set {HARNESS_ENV})", file=sys.stderr)
        return 0
    shm = Path("/dev/shm")
    work = Path(tempfile.mkdtemp(prefix="peers-", dir=shm if shm.is_dir() else None))
    env = dict(os.environ, PEERS_WORK=str(work), OURS=str(ROOT))
    command = [sys.executable, str(found / "bench.py"), "-n", str(args.runs), "--interleave"]
    command += ["--ratios", "ours", args.tools, args.sizes]
    print(f"Peers workload ({found}): {args.tools} at N = {args.sizes}, {args.runs} rounds")
    try:
        done = subprocess.run(command, env=env, cwd=ROOT)  # its progress on stderr
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
