#!/usr/bin/env python3
"""Save-to-browser latency of the live preview, measured in a real browser.

Starts `serve` on a copy of the project, opens a place page in Debian's Chromium, then
edits the place's name in content/data/regions.yaml several times. Each figure is the
time from the file being written to the new name being on screen (rebuild, livereload
message, page reload and render). Also times an edit of a template.

Usage: python bench/serve_bench.py [--edits 9]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import copy_project  # noqa: E402
from editors.test_serve import Preview, free_port, region_with_name, replace_line, wait_connected  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=9, help="edits of each kind (default 9)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project")
        preview = Preview(project, free_port())
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page()
                rid, name, line = region_with_name(project)
                regions = project / "content/data/regions.yaml"
                original = regions.read_text(encoding="utf-8").splitlines(keepends=True)[line]
                page.goto(preview.url(f"regions/{rid}/"))
                wait_connected(page)
                data_times = []
                for i in range(args.edits + 1):
                    marker = f"Edit{i}"
                    start = time.perf_counter()
                    replace_line(regions, line, original.replace(name, marker))
                    page.wait_for_function(f"() => document.querySelector('h1').textContent.includes('{marker}')", polling=5, timeout=10_000)
                    if i:  # the first edit warms caches
                        data_times.append(time.perf_counter() - start)
                    time.sleep(0.3)
                template = project / "templates/region.html"
                good = template.read_text(encoding="utf-8")
                template_times = []
                for i in range(args.edits + 1):
                    marker = f"Awards{i}"
                    start = time.perf_counter()
                    template.write_text(good.replace('<h2 id="awards">', f'<h2 id="awards" data-edit="{marker}">'), encoding="utf-8")
                    page.wait_for_function(f"() => document.querySelector('[data-edit=\"{marker}\"]') !== null", polling=5, timeout=10_000)
                    if i:
                        template_times.append(time.perf_counter() - start)
                    time.sleep(0.3)
                browser.close()
        finally:
            preview.stop()
    for label, times in (("data edit (regions.yaml)", data_times), ("template edit (region.html)", template_times)):
        ms = sorted(t * 1000 for t in times)
        print(f"{label:<30} median {statistics.median(ms):5.0f} ms  (min {ms[0]:.0f}, max {ms[-1]:.0f}, {len(ms)} edits)")


if __name__ == "__main__":
    main()
