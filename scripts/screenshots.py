#!/usr/bin/env python3
"""Full-page screenshots of every page, at 360x740 and 1440x900, in light and dark mode.

    .venv/bin/python scripts/screenshots.py                # build into a temp folder first
    .venv/bin/python scripts/screenshots.py --site _site   # use an existing build
    .venv/bin/python scripts/screenshots.py --charts       # each chart alone, not whole pages

The build is served over HTTP under the path its sitemap names (e.g. /tiangong-site/), each
page is scrolled through until its charts are drawn, and the PNGs go to screenshots/
(gitignored) as PAGE--WIDTHxHEIGHT--SCHEME.png. Uses Debian's Chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

from browser_support import (  # noqa: E402
    DRAW_ALL_CHARTS_JS,
    ROOT,
    discover_pages,
    launch_chromium,
    serve_for_script,
)

VIEWPORTS = [(360, 740), (1440, 900)]
SCHEMES = ["light", "dark"]


def slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", path.strip("/")).strip("-") or "home"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--site", type=Path, help="an existing build to serve instead of building one"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "screenshots",
        help="where to write the PNGs (default: screenshots/)",
    )
    parser.add_argument(
        "--only", default="", metavar="TEXT", help="only pages whose path contains TEXT"
    )
    parser.add_argument(
        "--charts",
        action="store_true",
        help="one PNG per chart (its <figure>) instead of per page: PAGE--CHART--WIDTH--SCHEME.png",
    )
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="tiangong-shots-") as tmp:
        if args.site and not (args.site / "index.html").is_file():
            parser.error(f"{args.site} holds no built site (no index.html)")
        server, site_dir, base = serve_for_script(args.site, Path(tmp))
        pages = [p for p in discover_pages(site_dir, base) if args.only in p.path]
        args.out.mkdir(parents=True, exist_ok=True)
        if not args.only:  # a full run replaces the previous set (pages may have gone)
            for old in args.out.glob("*--*--*--*.png" if args.charts else "*--*x*--*.png"):
                old.unlink()
        written: list[Path] = []
        started = time.perf_counter()
        try:
            with sync_playwright() as p:
                browser = launch_chromium(p)
                for width, height in VIEWPORTS:
                    for scheme in SCHEMES:
                        context = browser.new_context(
                            viewport={"width": width, "height": height},
                            color_scheme=scheme,
                            reduced_motion="reduce",
                        )
                        for page_info in (p for p in pages if p.charts or not args.charts):
                            page = context.new_page()
                            page.goto(server.url(page_info.path), wait_until="load")
                            states = page.evaluate(
                                DRAW_ALL_CHARTS_JS, {"timeoutMs": 20_000, "scrollThrough": True}
                            )
                            not_drawn = [s for s in states if s not in ("drawn", "static")]
                            if not_drawn:
                                print(
                                    f"warning: {page_info.test_id}: "
                                    f"{len(not_drawn)} chart(s) not drawn ({not_drawn})",
                                    file=sys.stderr,
                                )
                            page.wait_for_timeout(150)
                            if args.charts:
                                for figure in page.query_selector_all("figure.chart"):
                                    name = (figure.get_attribute("id") or "chart").removeprefix(
                                        "chart-"
                                    )
                                    target = (
                                        args.out
                                        / f"{slug(page_info.path)}--{name}--{width}--{scheme}.png"
                                    )
                                    figure.screenshot(path=str(target))
                                    written.append(target)
                            else:
                                target = (
                                    args.out
                                    / f"{slug(page_info.path)}--{width}x{height}--{scheme}.png"
                                )
                                page.screenshot(path=str(target), full_page=True)
                                written.append(target)
                            page.close()
                        context.close()
                browser.close()
        finally:
            server.stop()
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    print(
        f"{len(written)} screenshots of {len(pages)} pages "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
