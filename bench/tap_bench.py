#!/usr/bin/env python3
"""Tap to interactive chart: how long a reader on a slow phone waits between tapping a chart
and its interactive version (plotly.js fetched, run, drawn), in Chromium with 4x CPU
throttling at 360x740, the HTTP cache off. Target: median at most 1.5 s.

    .venv/bin/python bench/tap_bench.py                 # build into a temp folder first
    .venv/bin/python bench/tap_bench.py --site _site    # an existing build
    .venv/bin/python bench/tap_bench.py --runs 5 --page zh/ --throttle 4
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

from browser_support import launch_chromium, serve_for_script  # noqa: E402

TAP_JS = """
async (plot) => {
  plot.scrollIntoView({block: 'center'});
  await new Promise((r) => setTimeout(r, 300));
  const box = plot.getBoundingClientRect();
  return {x: box.x + box.width / 2, y: box.y + box.height / 2};
}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--site", type=Path, help="an existing build to serve instead of building one"
    )
    parser.add_argument(
        "--page", default="en/", help="the page whose first chart is tapped (default en/)"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--throttle", type=float, default=4.0, help="CPU slowdown (default 4)")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="tiangong-tap-") as tmp:
        server, _, _ = serve_for_script(args.site, Path(tmp))
        try:
            with sync_playwright() as p:
                browser = launch_chromium(p)
                for _ in range(args.runs):
                    context = browser.new_context(
                        viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True
                    )
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                    page.goto(server.url(args.page), wait_until="load")
                    plot = page.query_selector(".chart-plot")
                    point = plot.evaluate(TAP_JS)
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.throttle})
                    start = page.evaluate("performance.now()")
                    page.touchscreen.tap(point["x"], point["y"])
                    page.wait_for_function(
                        "(el) => el.getAttribute('data-state') === 'drawn'",
                        arg=plot,
                        timeout=60_000,
                    )
                    times.append((page.evaluate("performance.now()") - start) / 1000)
                    context.close()
                browser.close()
        finally:
            server.stop()
    each = ", ".join(f"{t:.2f}" for t in times)
    print(
        f"tap -> interactive chart on {args.page} at {args.throttle:g}x CPU: "
        f"median {statistics.median(times):.2f} s of {len(times)} ({each})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
