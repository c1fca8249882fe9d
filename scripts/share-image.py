#!/usr/bin/env python3
"""Draw static/share.png, the 1200x630 card that link previews (og:image, twitter:image and
the story's JSON-LD image) show, from the story's headline in content/.

Run it again when the headline or the brand colours (the first :root rule of
static/style.css) change: `.venv/bin/python scripts/share-image.py`. It drives Debian's Chromium through Playwright (both are installed by `make test`).
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import yaml

from tiangong_site.brand import Brand, read_brand

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1200, 630


def text(value: object) -> str:
    return str(value.get("en", next(iter(value.values())))) if isinstance(value, dict) else str(value)


def story_front_matter() -> dict:
    for page in sorted((ROOT / "content" / "pages").glob("*.md")):
        _, front, _ = page.read_text(encoding="utf-8").split("---", 2)
        meta = yaml.safe_load(front)
        if meta.get("layout") == "story":
            return meta
    raise SystemExit("no page with layout: story in content/pages/")


def card_html(site: dict, story: dict, brand: Brand) -> str:
    c = brand.__getitem__  # the card's colours are the site's
    e = lambda value: html.escape(text(value))  # noqa: E731
    dek = text(story.get("dek") or story["description"]).split(". ")[0].rstrip(".") + "."
    medals = "<i></i>" * 5  # one for each award: decoration, not data
    return f"""<!doctype html><meta charset="utf-8"><style>
  html, body {{ margin: 0; width: {WIDTH}px; height: {HEIGHT}px; overflow: hidden; }}
  body {{ box-sizing: border-box; padding: 64px 80px 56px; background: {c("bg")}; color: {c("fg")};
         font-family: "DejaVu Sans", "Liberation Sans", sans-serif; display: flex; flex-direction: column;
         border-top: 18px solid {c("accent")}; }}
  .kicker {{ font-size: 24px; font-weight: 700; letter-spacing: .08em; text-transform: uppercase; color: {c("accent")}; margin: 0 0 24px; }}
  h1 {{ font-size: 58px; line-height: 1.1; letter-spacing: -.01em; margin: 0; max-width: 1040px; }}
  .dek {{ font-family: "DejaVu Serif", serif; font-size: 26px; line-height: 1.4; color: {c("muted")}; margin: 24px 0 0; max-width: 980px;
         display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }}
  .foot {{ margin: auto 0 0; display: flex; align-items: center; gap: 18px; font-size: 24px; color: {c("muted")}; }}
  .mark {{ width: 44px; height: 44px; border-radius: 9px; background: {c("accent")}; color: #fff; font-weight: 700; font-size: 30px;
          display: grid; place-items: center; }}
  .medals {{ margin-left: auto; display: flex; gap: 14px; }}
  .medals i {{ width: 30px; height: 30px; border-radius: 50%; background: {c("accent")}; box-shadow: 0 0 0 5px {c("accent-bg")}; }}
</style>
<p class="kicker">{e(story.get("kicker") or site["title"])}</p>
<h1>{e(story["title"])}</h1>
<p class="dek">{html.escape(dek)}</p>
<p class="foot"><span class="mark">T</span>{e(site["title"])} · {e(site["publisher"])}<span class="medals" aria-hidden="true">{medals}</span></p>
"""


def main() -> int:
    site = yaml.safe_load((ROOT / "content" / "site.yaml").read_text(encoding="utf-8"))
    from playwright.sync_api import sync_playwright  # here: tests import card_html without it

    brand = read_brand(ROOT / "static" / "style.css")
    out = ROOT / "static" / "share.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1)
        page.set_content(card_html(site, story_front_matter(), brand))
        page.screenshot(path=str(out), full_page=False)
        browser.close()
    print(f"wrote {out.relative_to(ROOT)} ({WIDTH}x{HEIGHT})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
