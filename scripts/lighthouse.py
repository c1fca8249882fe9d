#!/usr/bin/env python3
"""Lighthouse 12 scores for every page of the site (mobile preset, Lighthouse's default).

    .venv/bin/python scripts/lighthouse.py                 # build into a temp folder first
    .venv/bin/python scripts/lighthouse.py --site _site    # use an existing build
    .venv/bin/python scripts/lighthouse.py --only charts/  # pages whose path contains this
    .venv/bin/python scripts/lighthouse.py --runs 3        # each page 3 times: the median per score

Installs lighthouse@12.2.3 into .tools/lighthouse with npm when it is missing, serves the
build over HTTP under the path its sitemap names (e.g. /tiangong-site/) on 127.0.0.1, runs
Lighthouse on each page, one at a time, with Debian's Chromium (CHROME_PATH=/usr/bin/chromium,
--headless=new --no-sandbox --disable-gpu), and prints a table of the performance,
accessibility, best-practices and SEO scores per page and their medians. The JSON reports go
to a temporary folder, or to --out.

On http://127.0.0.1 some audits score lower than on the real host (e.g. SEO's is-crawlable
and canonical, best-practices' HTTPS); the scores are reported as they are.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

from browser_support import ROOT, discover_pages, require_chromium, serve_for_script  # noqa: E402

LIGHTHOUSE_VERSION = "12.2.3"
TOOLS = ROOT / ".tools" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"


def lighthouse_bin() -> Path:
    """The lighthouse CLI in .tools/lighthouse, installed with npm if missing or another version."""
    binary = TOOLS / "node_modules" / ".bin" / "lighthouse"
    package = TOOLS / "node_modules" / "lighthouse" / "package.json"
    installed = json.loads(package.read_text()).get("version") if package.is_file() else None
    if not binary.exists() or installed != LIGHTHOUSE_VERSION:
        TOOLS.mkdir(parents=True, exist_ok=True)
        cmd = [
            "npm",
            "install",
            "--prefix",
            str(TOOLS),
            f"lighthouse@{LIGHTHOUSE_VERSION}",
            "--no-audit",
            "--no-fund",
        ]
        print("Installing Lighthouse:", " ".join(cmd), file=sys.stderr)
        subprocess.run(cmd, check=True)
    return binary


def run_lighthouse(binary: Path, url: str, report: Path) -> dict[str, float | None]:
    cmd = [
        str(binary),
        url,
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]
    env = os.environ | {"CHROME_PATH": require_chromium()}
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or not report.is_file():
        raise RuntimeError(
            f"lighthouse failed on {url} (exit {result.returncode}):\n{result.stderr[-2000:]}"
        )
    data = json.loads(report.read_text(encoding="utf-8"))
    if data.get("runtimeError"):
        raise RuntimeError(
            f"lighthouse could not audit {url}: {data['runtimeError'].get('message')}"
        )
    return {
        c: (
            None
            if data["categories"][c]["score"] is None
            else round(data["categories"][c]["score"] * 100)
        )
        for c in CATEGORIES
    }


def median_of(scores: list[float | None]) -> float | None:
    known = [s for s in scores if s is not None]
    return statistics.median(known) if known else None


def fmt(score: float | None) -> str:
    return "-" if score is None else f"{score:g}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--site", type=Path, help="an existing build to serve instead of building one"
    )
    parser.add_argument(
        "--only", default="", metavar="TEXT", help="only pages whose path contains TEXT"
    )
    parser.add_argument("--out", type=Path, help="keep the JSON reports in this folder")
    parser.add_argument(
        "--page",
        action="append",
        default=[],
        metavar="PATH",
        help="only this page (its path, e.g. en/ or en/charts/land-freed/); repeatable",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="runs per page; the table shows each score's median (default 1)",
    )
    args = parser.parse_args(argv)

    require_chromium()
    binary = lighthouse_bin()
    with tempfile.TemporaryDirectory(prefix="tiangong-lighthouse-") as tmp:
        out = (args.out or Path(tmp) / "reports").resolve()
        out.mkdir(parents=True, exist_ok=True)
        server, site_dir, base = serve_for_script(args.site, Path(tmp))
        pages = [
            p
            for p in discover_pages(site_dir, base)
            if args.only in p.path and (not args.page or p.path in args.page)
        ]
        rows: list[tuple[str, dict[str, float | None]]] = []
        failures: list[str] = []
        started = time.perf_counter()
        try:
            for i, page in enumerate(pages, 1):
                url = server.url(page.path)
                name = page.test_id
                print(f"[{i}/{len(pages)}] {url}", file=sys.stderr)
                try:
                    name_stem = (
                        page.path.strip("/").replace("/", "_").replace(".html", "") or "home"
                    )
                    runs = [
                        run_lighthouse(binary, url, out / f"{name_stem}-{n}.json")
                        for n in range(1, args.runs + 1)
                    ]
                    scores = {c: median_of([r[c] for r in runs]) for c in CATEGORIES}
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    failures.append(f"{name}: {exc}")
                    print(f"  failed: {exc}", file=sys.stderr)
                    continue
                rows.append((name, scores))
        finally:
            server.stop()

    width = max([len("page")] + [len(n) for n, _ in rows])
    header = f"{'page':<{width}}  " + "  ".join(f"{c:>14}" for c in CATEGORIES)
    print(header)
    print("-" * len(header))
    for name, scores in rows:
        print(f"{name:<{width}}  " + "  ".join(f"{fmt(scores[c]):>14}" for c in CATEGORIES))
    print("-" * len(header))
    medians = {
        c: statistics.median([s[c] for _, s in rows if s[c] is not None])
        if any(s[c] is not None for _, s in rows)
        else None
        for c in CATEGORIES
    }
    print(f"{'median':<{width}}  " + "  ".join(f"{fmt(medians[c]):>14}" for c in CATEGORIES))
    print(
        f"{len(rows)} pages in {time.perf_counter() - started:.0f} s"
        + (f"; reports in {out}" if args.out else ""),
        file=sys.stderr,
    )
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
