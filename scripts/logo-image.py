#!/usr/bin/env python3
"""Draw static/logo.png, the publisher logo of the story's JSON-LD (search engines want a
raster image of at least 112x112 px; the SVG favicon is not one), from static/favicon.svg.

Run it again when the favicon changes: `.venv/bin/python scripts/logo-image.py`.
It drives Debian's Chromium through Playwright (both are installed by `make test`).
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SIZE = 512


def main() -> int:
    svg = base64.b64encode((ROOT / "static" / "favicon.svg").read_bytes()).decode("ascii")
    page_html = (
        f'<!doctype html><style>html, body {{ margin: 0; background: transparent; }}</style>'
        f'<img src="data:image/svg+xml;base64,{svg}" width="{SIZE}" height="{SIZE}" alt="">'
    )
    out = ROOT / "static" / "logo.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": SIZE, "height": SIZE}, device_scale_factor=1)
        page.set_content(page_html)
        page.screenshot(path=str(out), omit_background=True)
        browser.close()
    print(f"wrote {out.relative_to(ROOT)} ({SIZE}x{SIZE})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
