"""Loading a declared dataset of 10,000 peers-like records from JSON: time and peak memory.

Each record is {id, name, tier, population, rows: 10 x {year, value, rank}}, declared with
an array field, as the peers benchmark (../shared/bench/peers/) writes its data. Each run is
a fresh process (imports included, as a build pays them), so peak memory is the process's.

    .venv/bin/python bench/declared_bench.py [RECORDS] [RUNS]
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

PACKAGE = """
resources:
  - name: peers
    path: data/peers.json
    schema:
      primaryKey: id
      fields:
        - {name: id, type: string}
        - {name: name, type: string}
        - {name: tier, type: integer}
        - {name: population, type: integer}
        - name: rows
          type: array
          items:
            fields:
              - {name: year, type: year}
              - {name: value, type: number}
              - {name: rank, type: integer}
"""

ONE_RUN = """
import resource, sys, time
started = time.perf_counter()
from tiangong_site.content import load_content
from tiangong_site.tables import dataset_rows
content = load_content(__import__("pathlib").Path(sys.argv[1]))
loaded = time.perf_counter()
rows = dataset_rows(content, "peers", "en")
done = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(loaded - started, done - loaded, peak, len(rows))
"""


def records(n: int) -> list[dict]:
    return [
        {
            "id": f"p{i}",
            "name": f"Peer {i}" + (" & co" if i % 7 == 0 else ""),
            "tier": i % 3,
            "population": 10_000 + i * 37,
            "rows": [
                {"year": 2015 + y, "value": round(i * 0.37 + y * 1.1, 2), "rank": y + 1}
                for y in range(10)
            ],
        }
        for i in range(n)
    ]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    from conftest import write_content

    folder = Path(tempfile.mkdtemp(prefix="declared-bench-"))
    try:
        content = write_content(folder, {})
        # The made-up project declares datasets of its own: add the peers beside them.
        package = content / "datapackage.yaml"
        ours = PACKAGE.split("resources:\n", 1)[1]
        package.write_text(package.read_text(encoding="utf-8") + ours, encoding="utf-8")
        data = json.dumps(records(n))
        (content / "data" / "peers.json").write_text(data, encoding="utf-8")
        results = []
        for _ in range(runs):
            done = subprocess.run(
                [sys.executable, "-c", textwrap.dedent(ONE_RUN), str(content)],
                capture_output=True,
                text=True,
            )
            if done.returncode:
                sys.exit(f"declared bench: a run failed:\n{done.stderr}")
            out = done.stdout.split()
            results.append([float(v) for v in out[:3]])
        load, rows, peak = (statistics.median(col) for col in zip(*results, strict=True))
        print(
            f"declared JSON, {n:,} records ({len(data) / 2**20:.1f} MiB): load_content "
            f"{load:.2f} s (imports and the small built-in content included), rows "
            f"{rows:.2f} s, peak {peak:.0f} MiB (median of {runs} processes)"
        )
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
