#!/usr/bin/env python3
"""What the Chinese edition's guards cost on the real site: the typography check of every
page, chart file and download, and the lang="zh-Hans" marking of English pages, against a
whole build and against rendering the pages; and drawing a share image, fresh and cached.

Budget: the check and the marking together under 30% of a whole build (the check reads
every page, chart file and download once), a cached share image under 50 ms (a fresh one is
drawn once per headline).

Usage: python bench/zh_typography_bench.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tiangong_site import share_image
from tiangong_site.brand import read_brand
from tiangong_site.cjk import mark_chinese_runs
from tiangong_site.render import Urls
from tiangong_site.site import (
    Project,
    build,
    copy_assets,
    load_and_check,
    prepare,
    render_jobs,
    typography_problems,
)

ROOT = Path(__file__).resolve().parent.parent


def median(runs: int, step) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    project = Project.at(ROOT)
    content = load_and_check(project, write_cache=False)
    with tempfile.TemporaryDirectory() as folder:
        urls = Urls(content.site.base_url)
        prepared = prepare(
            project, content, urls, copy_assets(project, content, Path(folder), urls)
        )
        jobs = prepared.plan.jobs
        pages = render_jobs(project, prepared, jobs)
        render = median(runs, lambda: render_jobs(project, prepared, jobs))
        check = median(
            runs, lambda: typography_problems(project, prepared, pages, prepared.plan.files)
        )
        english = [html for path, html in pages.items() if not path.startswith("zh/")]
        mark = median(runs, lambda: [mark_chinese_runs(html) for html in english])
        card = share_image.card_for(content, "zh", read_brand(project.static / "style.css"))
        fresh = median(
            max(1, runs // 2), lambda: share_image.draw(card, share_image.find_faces("zh"))
        )
        share_image.share_png(card, Path(folder) / "cache")
        cached = median(runs, lambda: share_image.share_png(card, Path(folder) / "cache"))
        whole = median(runs, lambda: build(project, Path(folder) / "site"))
    print(f"{len(pages)} pages, {len(prepared.plan.files)} files; medians of {runs} runs")
    print(f"whole build            {whole * 1000:8.1f} ms")
    print(f"render all pages       {render * 1000:8.1f} ms")
    print(
        f"typography check       {check * 1000:8.1f} ms  "
        f"({check / whole:.0%} of the build, {check / render:.0%} of rendering)"
    )
    print(
        f"mark Chinese runs (en) {mark * 1000:8.1f} ms  "
        f"({mark / whole:.0%} of the build, {mark / render:.0%} of rendering)"
    )
    print(f"both                   {(check + mark) / whole:8.0%}     of the build (budget 30%)")
    print(f"share image, drawn     {fresh * 1000:8.1f} ms")
    print(f"share image, cached    {cached * 1000:8.1f} ms  (budget 50 ms)")
    ok = check + mark <= 0.3 * whole and cached <= 0.05
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
