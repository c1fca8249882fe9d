#!/usr/bin/env python3
"""Write static/favicon.svg in the brand's accent colour (the first :root rule of
static/style.css), then draw it as static/logo.png, the publisher logo of the story's JSON-LD
(search engines want a raster image of at least 112x112 px; the SVG favicon is not one).

Run it again when the brand colours change: `.venv/bin/python scripts/logo-image.py`.
It drives Debian's Chromium through Playwright (both are installed by `make test`).
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

from tiangong_site.brand import read_brand

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SIZE = 512


def favicon_svg(accent: str) -> str:
    """A white T on a rounded square of the accent colour."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
        f'<rect width="32" height="32" rx="6" fill="{accent}"/>'
        '<path d="M8 9h16v3H17.5v13h-3V12H8z" fill="#fff"/></svg>\n'
    )


def main() -> int:
    from playwright.sync_api import sync_playwright  # here: tests import favicon_svg without it

    favicon = ROOT / "static" / "favicon.svg"
    favicon.write_text(
        favicon_svg(read_brand(ROOT / "static" / "style.css").accent), encoding="utf-8"
    )
    svg = base64.b64encode(favicon.read_bytes()).decode("ascii")
    page_html = (
        f"<!doctype html><style>html, body {{ margin: 0; background: transparent; }}</style>"
        f'<img src="data:image/svg+xml;base64,{svg}" width="{SIZE}" height="{SIZE}" alt="">'
    )
    out = ROOT / "static" / "logo.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": SIZE, "height": SIZE}, device_scale_factor=1)
        page.set_content(page_html)
        page.screenshot(path=str(out), omit_background=True)
        browser.close()
    print(f"wrote {favicon.relative_to(ROOT)} and {out.relative_to(ROOT)} ({SIZE}x{SIZE})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
