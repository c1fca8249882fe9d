#!/usr/bin/env python3
"""How the live preview answers under load: during full rebuilds, and past 1,000 idle sockets.

Starts `serve --port 0` on a copy of the project (loopback only), then
1. fetches a page every 20 ms while three saves of content/site.yaml each force a full
   rebuild, and reports the request latencies (a server that rebuilt on its request thread
   stalled for the whole rebuild);
2. opens 1,000 idle sockets, times one page request, closes them, and counts the lines the
   server printed meanwhile.

Usage: python bench/serve_load_bench.py
"""

from __future__ import annotations

import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import copy_project  # noqa: E402
from editors.test_serve_safety import PREFIX, Served, raise_own_file_limit  # noqa: E402


def during_rebuilds(server: Served, site_yaml: Path, rounds: int = 3) -> list[float]:
    times = []
    for i in range(rounds):
        with site_yaml.open("a", encoding="utf-8") as f:
            f.write(f"\n# bench save {i}\n")  # site.yaml: always a full rebuild
        end = time.perf_counter() + 2.5
        while time.perf_counter() < end:
            start = time.perf_counter()
            assert server.get(PREFIX + "en/sources/")[0] == 200
            times.append(time.perf_counter() - start)
            time.sleep(0.02)
    return times


def past_idle_sockets(server: Served, count: int = 1000) -> tuple[float, int]:
    raise_own_file_limit(count + 200)
    before = len(server.console().splitlines())
    sockets = [
        socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(count)
    ]
    try:
        start = time.perf_counter()
        assert server.get(PREFIX + "en/")[0] == 200
        seconds = time.perf_counter() - start
    finally:
        for s in sockets:
            s.close()
    time.sleep(0.5)
    return seconds, len(server.console().splitlines()) - before


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project")
        server = Served(project)
        try:
            ms = sorted(t * 1000 for t in during_rebuilds(server, project / "content/site.yaml"))
            seconds, lines = past_idle_sockets(server)
        finally:
            server.stop()
    p95 = ms[int(len(ms) * 0.95)]
    print(
        f"page during full rebuilds   median {statistics.median(ms):4.0f} ms  "
        f"p95 {p95:.0f} ms  max {ms[-1]:.0f} ms  ({len(ms)} requests)"
    )
    print(
        f"page past 1,000 idle sockets  {seconds * 1000:4.0f} ms; {lines} console line(s) meanwhile"
    )


if __name__ == "__main__":
    main()
