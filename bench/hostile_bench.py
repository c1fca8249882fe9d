#!/usr/bin/env python3
"""Hostile-input benchmark: how long, and how much memory, the build takes to refuse bad input.

Each case copies the project into a temporary folder, plants one hostile file of about 1 MB
(or larger, where the point is that its size alone refuses it), and builds it in a new process
into a temporary output. Prints, per case: the exit code, median wall seconds and peak resident
memory of 3 runs, and the first line the editor sees. A run is stopped after --timeout seconds
(reported as `>N s`); a case that hits the timeout is not run again.

Usage: python bench/hostile_bench.py [--runs 3] [--timeout 60] [--only NAME,NAME] [--code DIR]
(--code: a checkout whose build.py to run, e.g. an older commit unpacked with `git archive`.)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FRONT = '---\ntitle: "Hostile"\ndescription: "A hostile page."\nslug: hostile\n---\n'
RECORD = "- id: hostile\n  name: Hostile\n  kind: city\n"


def _append(project: Path, rel: str, text: str) -> None:
    path = project / "content" / rel
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + text, encoding="utf-8")


def _page(project: Path, text: str) -> None:
    """The hostile page, and a plain Chinese edition (the site needs both)."""
    pages = project / "content" / "pages"
    (pages / "hostile.md").write_text(text, encoding="utf-8")
    (pages / "hostile.zh.md").write_text(FRONT + "正文。\n", encoding="utf-8")


def unknown_fields_one_record(p: Path) -> None:
    _append(p, "data/regions.yaml", RECORD + "".join(f"  f{i:05d}: 1\n" for i in range(60_000)))


def unknown_fields_spread(p: Path) -> None:
    extra = "".join(f"  f{j}: 1\n" for j in range(10))
    _append(
        p,
        "data/regions.yaml",
        "".join(f"- id: h{i}\n  name: H\n  kind: city\n{extra}" for i in range(6_000)),
    )


def wrong_typed_ids(p: Path) -> None:
    _append(p, "data/regions.yaml", RECORD + "  sources: [" + ",".join("1" * 10_000) + "]\n")


def page_20mb(p: Path) -> None:
    _page(p, FRONT + "A sentence of prose that goes on for a while.\n\n" * 420_000)


def front_matter_keys(count: int, flow: bool = False) -> Callable[[Path], None]:
    """Front matter of `count` keys, a line each, or all on one line (under the line limit)."""

    def plant(p: Path) -> None:
        keys = (
            "{" + ", ".join(f"k{i}: 1" for i in range(count)) + "}\n"
            if flow
            else "".join(f"k{i}: 1\n" for i in range(count))
        )
        _page(p, "---\n" + keys + "---\nBody.\n")

    return plant


def yaml_nesting(p: Path) -> None:
    _append(p, "data/regions.yaml", RECORD + "  summary: " + "[" * 900 + "]" * 900 + "\n")


def markdown_blockquotes(p: Path) -> None:
    _page(p, FRONT + "> " * 900 + "deep\n")


def markdown_lists(p: Path) -> None:
    _page(p, FRONT + "".join("\t" * i + "- item\n" for i in range(900)))


def utf16_page(p: Path) -> None:
    path = p / "content" / "pages" / "index.md"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))


def prose_page(p: Path) -> None:
    """A valid page just under the page limits: 500 KB, 2,000 lines, 48 inline marks a paragraph."""
    paragraph = (
        "Shaoxing won *five* awards, says [the report](https://example.org/), in **2024**. " * 6
        + "\n\n"
    )
    _page(p, FRONT + paragraph * (500_000 // len(paragraph)))


def unknown_figures(p: Path) -> None:
    _page(p, FRONT + ("Grew {fig:no-such-figure} a year. " * 6 + "\n") * 2_500)


CASES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "unknown-fields": ("60,000 unknown fields in one record", unknown_fields_one_record),
    "unknown-spread": ("60,000 unknown fields, 6,000 records", unknown_fields_spread),
    "wrong-ids": ("10,000 wrong-typed ids in one list", wrong_typed_ids),
    "page-20mb": ("20 MB Markdown page", page_20mb),
    "front-1m": ("1M front-matter keys (9 MB)", front_matter_keys(1_000_000)),
    "front-40k": (
        "40,000 front-matter keys (430 KB, one line)",
        front_matter_keys(40_000, flow=True),
    ),
    "yaml-900": ("900 nested [ in YAML flow", yaml_nesting),
    "md-quote-900": ("900 nested > in Markdown", markdown_blockquotes),
    "md-list-900": ("900 nested list levels in Markdown", markdown_lists),
    "utf16": ("UTF-16 page", utf16_page),
    "prose-500k": ("500 KB page of prose (valid)", prose_page),
    "unknown-figs": ("15,000 unknown {fig:} uses in a page", unknown_figures),
}


def copy_project(folder: Path) -> Path:
    for name in ("content", "templates", "static", "locales"):
        shutil.copytree(ROOT / name, folder / name)
    if (ROOT / "node_modules").exists():
        (folder / "node_modules").symlink_to(ROOT / "node_modules")
    return folder


def run_once(
    project: Path, output: Path, timeout: float, code: Path = ROOT
) -> tuple[int | None, float, float, str]:
    """Exit code (None when stopped), wall seconds, peak RSS in MB, first line of stderr."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            [
                sys.executable,
                str(code / "build.py"),
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
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        first = errors.read(400).decode("utf-8", "replace").splitlines()[:1]
    stopped = wall >= timeout and code < 0
    return (None if stopped else code), wall, usage.ru_maxrss / 1024, (first[0] if first else "")


def measure(
    name: str, label: str, plant: Callable[[Path], None], runs: int, timeout: float, code: Path
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project")
        plant(project)
        results = []
        for _ in range(runs):
            result = run_once(project, Path(tmp) / "out", timeout, code)
            results.append(result)
            if result[0] is None:
                break
    codes = {r[0] for r in results}
    if None in codes:
        timing, exit_text = f">{timeout:.0f} s".rjust(8), "killed"
    else:
        timing, exit_text = (
            f"{statistics.median(r[1] for r in results):6.2f} s",
            f"exit {results[0][0]}",
        )
    peak = max(r[2] for r in results)
    print(
        f"{name:<15} {label:<40} {exit_text:<7} {timing}  peak {peak:6.0f} MB  "
        f"| {results[0][3][:110]}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per case (default 3; the median is shown)"
    )
    parser.add_argument(
        "--timeout", type=float, default=60, help="stop a run after this many seconds (default 60)"
    )
    parser.add_argument("--only", default="", help="comma-separated case names (default: all)")
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="checkout whose build.py runs (default: this one)"
    )
    args = parser.parse_args()
    chosen = [n for n in args.only.split(",") if n] or list(CASES)
    print(
        "Hostile inputs: build of the project with one hostile file, "
        f"median of {args.runs} runs, on {os.cpu_count()} cores"
    )
    for name in chosen:
        label, plant = CASES[name]
        measure(name, label, plant, args.runs, args.timeout, args.code.resolve())


if __name__ == "__main__":
    main()
