#!/usr/bin/env python3
"""What the collision checks cost: the address pass over the plan and the id scan of every
rendered page, against planning and rendering themselves, on generated sites of N regions
(one region page and one Markdown page each, so twice N addresses to check).

Budget: each check takes under 5% of the step it belongs to (planning, rendering).

Usage: python bench/collisions_bench.py [--sizes 250,1000,4000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_bench import generate  # noqa: E402

from tiangong_site.collisions import address_problems, element_id_problems  # noqa: E402
from tiangong_site.render import Urls  # noqa: E402
from tiangong_site.site import Project, copy_assets, load_and_check, prepare, render_jobs  # noqa: E402

BUDGET = 0.05


def best(runs: int, step) -> float:  # type: ignore[no-untyped-def]
    """Median seconds of `runs` calls of step()."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(size: int, runs: int) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        project_dir = generate(Path(tmp) / "project", size, awards_per_region=1)
        pages = project_dir / "content" / "pages"
        for i in range(size):
            (pages / f"p{i}.md").write_text(
                f'---\ntitle: "P{i}"\ndescription: "D"\nslug: p{i}\n---\n## Part {i}\n\nText.\n',
                encoding="utf-8",
            )
        project = Project.at(project_dir)
        content = load_and_check(project, write_cache=False)
        urls = Urls(content.site.base_url)
        plotly_name = copy_assets(project, content, Path(tmp) / "out", urls)
        prepared = prepare(project, content, urls, plotly_name)
        plan = prepared.plan
        roots = {""}
        plan_s = best(
            runs,
            lambda: prepare(project, content, urls, plotly_name, prepared.envs, prepared.charts),
        )
        address_s = best(runs, lambda: address_problems(plan, roots, content.root.parent))
        render_s = best(1, lambda: render_jobs(project, prepared, plan.jobs))
        rendered = render_jobs(project, prepared, plan.jobs)
        jobs = {job.path: job for job in plan.jobs}
        templates = project.templates
        scan_s = best(
            runs,
            lambda: [
                element_id_problems(html, jobs[path], {}, plan, templates)
                for path, html in rendered.items()
            ],
        )
    outputs = len(plan.jobs) + len(plan.files)
    ok = address_s < BUDGET * plan_s and scan_s < BUDGET * render_s
    print(
        f"{size:>5} regions, {outputs:>6} outputs: address pass {address_s * 1000:6.1f} ms "
        f"({address_s / plan_s:5.1%} of planning {plan_s * 1000:.0f} ms); "
        f"id scan {scan_s * 1000:6.1f} ms "
        f"({scan_s / render_s:5.1%} of rendering {render_s * 1000:.0f} ms)  "
        f"{'ok' if ok else 'OVER BUDGET'}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="250,1000,4000", help="region counts of the generated sites"
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    args = parser.parse_args()
    results = [measure(int(size), args.runs) for size in args.sizes.split(",")]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
