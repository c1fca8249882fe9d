#!/usr/bin/env python3
"""Build benchmarks: cold builds (a new process each run), median wall time and peak memory.

1. The default site (content/ of this project).
2. Generated sites of N regions with ten award records each and one page per region,
   at 250, 500 and 1,000 regions, to show how time grows with size.

Usage: python bench/build_bench.py [--runs 5] [--sizes 250,500,1000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generate(folder: Path, regions: int, awards_per_region: int = 10) -> Path:
    """A synthetic project: the real templates and static files, generated content."""
    for name in ("templates", "static"):
        shutil.copytree(ROOT / name, folder / name)
    if (ROOT / "node_modules").exists():
        (folder / "node_modules").symlink_to(ROOT / "node_modules")
    content = folder / "content"
    (content / "data").mkdir(parents=True)
    (content / "pages").mkdir()
    (content / "site.yaml").write_text(
        'title: "Benchmark"\ndescription: "A generated site."\nbase_url: "https://example.org/bench/"\n'
        'authors: [{name: "Bench"}]\npublisher: "Bench"\npublished: "2024-05-24"\n',
        encoding="utf-8",
    )
    (content / "data/sources.yaml").write_text(
        '- id: gen\n  title: "Generated"\n  publisher: "Bench"\n  url: "https://example.org/"\n'
        "  kind: official\n  language: en\n",
        encoding="utf-8",
    )
    lines = ["- id: province\n  name: Province\n  kind: province\n"]
    lines += [
        f"- id: r{i}\n  name: Region {i}\n  kind: county\n  parent: province\n"
        for i in range(regions)
    ]
    (content / "data/regions.yaml").write_text("".join(lines), encoding="utf-8")
    (content / "data/award-tiers.yaml").write_text(
        '- id: county\n  name: Counties\n  winners: 20\n  pool: "counties"\n  source: gen\n',
        encoding="utf-8",
    )
    awards = [
        f"- ceremony_year: {2023 + year}\n  evaluation_year: {2022 + year}\n"
        f"  region: r{i}\n  tier: county\n"
        f"  standing: {'first-time' if year == 0 else 'returning'}\n  source: gen\n"
        for i in range(regions)
        for year in range(awards_per_region)
    ]
    (content / "data/awards.yaml").write_text("".join(awards), encoding="utf-8")
    (content / "data/metrics.yaml").write_text(
        '- id: growth\n  name: "Growth"\n  unit: percent\n', encoding="utf-8"
    )
    figures = [
        f"- metric: growth\n  region: r{i}\n  period: {{kind: year, year: 2023}}\n"
        f"  value: {i % 17 + 0.5}\n  source: gen\n"
        for i in range(regions)
    ]
    (content / "data/figures.yaml").write_text("".join(figures), encoding="utf-8")
    for name in ("clusters", "companies", "events"):
        (content / f"data/{name}.yaml").write_text("[]\n", encoding="utf-8")
    # award-tiers, clusters, companies and events are declared datasets, as in the project
    shutil.copy(ROOT / "content/datapackage.yaml", content / "datapackage.yaml")
    (content / "charts.yaml").write_text(
        "- id: wins\n  kind: column\n  data: awards\n  x: ceremony_year\n  y: count\n"
        '  title: "Awards by ceremony"\n  sources: [gen]\n'
        '  alt: "Column chart of awards by ceremony year."\n',
        encoding="utf-8",
    )
    (content / "pages/index.md").write_text(
        '---\ntitle: "Benchmark"\ndescription: "Generated."\nlayout: story\n---\n'
        "A generated story.\n\n::: chart wins\n",
        encoding="utf-8",
    )
    (content / "pages/sources.md").write_text(
        '---\ntitle: "Sources"\ndescription: "Sources."\nslug: sources\nlayout: sources\n---\n'
        "Sources.\n",
        encoding="utf-8",
    )
    (content / "pages/data.md").write_text(
        '---\ntitle: "Data"\ndescription: "Data."\nslug: data\nlayout: data\n---\nData.\n',
        encoding="utf-8",
    )
    return folder


def run_once(project: Path, output: Path) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one cold build in a new process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "build.py"),
                "build",
                "--quiet",
                "--project",
                str(project),
                "--output",
                str(output),
            ],
            stdout=subprocess.DEVNULL,
            stderr=errors,  # a file, not a pipe: a long error list cannot block the build
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"build failed:\n{errors.read().decode()[-3000:]}")
    return wall, usage.ru_maxrss / 1024


def measure(label: str, project: Path, runs: int, pages: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run_once(project, Path(tmp) / "out")  # warm-up: file cache, byte-compiled modules
        results = [run_once(project, Path(tmp) / "out") for _ in range(runs)]
    walls = [w for w, _ in results]
    peak = max(m for _, m in results)
    print(
        f"{label:<34} {pages:>6} pages  median {statistics.median(walls):6.2f} s  "
        f"(min {min(walls):.2f}, max {max(walls):.2f})  peak {peak:5.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="counted runs per site (default 5)")
    parser.add_argument(
        "--sizes", default="250,500,1000", help="region counts of the generated sites"
    )
    parser.add_argument("--no-default", action="store_true", help="skip the default site")
    args = parser.parse_args()
    print(f"Cold builds, {args.runs} runs each after one warm-up, on {os.cpu_count()} cores")
    out = Path(tempfile.mkdtemp())
    try:
        if not args.no_default:
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "build.py"),
                    "build",
                    "-q",
                    "--output",
                    str(out / "default"),
                ],
                check=True,
                cwd=ROOT,
            )
            default_pages = sum(1 for _ in (out / "default").rglob("*.html"))
            measure("default site (content/)", ROOT, args.runs, str(default_pages))
        for size in (int(s) for s in args.sizes.split(",")):
            with tempfile.TemporaryDirectory() as tmp:
                project = generate(Path(tmp), size)
                measure(
                    f"{size * 10:,} awards, {size:,} regions", project, args.runs, str(size + 5)
                )
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
