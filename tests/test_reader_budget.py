"""What a reader on a slow link gets: the first screen in one round trip, nothing that
blocks rendering, and plotly.js only on request."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

FIRST_ROUND_TRIP = (
    14 * 1024
)  # bytes a server can send before the first acknowledgement (10 TCP segments)


@pytest.fixture
def site(built_once: Path) -> Path:
    """The real site as published (the tests only read it)."""
    return built_once / "_site"


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def first_screen(html: str) -> str:
    """The page up to the end of the first paragraph after its headline: what a phone shows
    first."""
    h1 = html.index("<h1")
    end = html.find("</p>", html.index("</h1>", h1))
    return html[: end + 4] if end != -1 else html[: html.index("</h1>", h1) + 5]


def test_every_first_screen_fits_one_round_trip_compressed(site: Path):
    for page in pages(site):
        html = page.read_text(encoding="utf-8")
        size = len(gzip.compress(first_screen(html).encode("utf-8"), 6))
        assert size <= FIRST_ROUND_TRIP, (
            f"{page.relative_to(site)}: first screen is {size} bytes compressed"
        )


def test_nothing_blocks_the_first_render(site: Path):
    for page in pages(site):
        html = page.read_text(encoding="utf-8")
        head = html[: html.index("</head>")]
        assert 'rel="stylesheet"' not in head, (
            f"{page.relative_to(site)}: a linked stylesheet blocks rendering"
        )
        for tag in re.findall(r"<script\b[^>]*>", html):
            if "src=" in tag:
                assert " defer" in tag or " async" in tag, (
                    f"{page.relative_to(site)}: {tag} blocks parsing"
                )
        assert "<style>" in head, f"{page.relative_to(site)}: the styles travel with the page"


def test_plotly_is_never_loaded_by_the_html_itself(site: Path):
    for page in pages(site):
        for tag in re.findall(r"<script\b[^>]*>", page.read_text(encoding="utf-8")):
            src = re.search(r'src="([^"]+)"', tag)
            assert not (src and "plotly" in src.group(1)), (
                f"{page.relative_to(site)} loads plotly.js up front: {tag}"
            )


def test_the_bundle_is_the_basic_one_and_assets_are_hashed(site: Path):
    bundles = sorted(p.name for p in (site / "assets").glob("plotly*") if "-locale-" not in p.name)
    assert len(bundles) == 1 and bundles[0].startswith("plotly-basic.min."), bundles
    gz = len(gzip.compress((site / "assets" / bundles[0]).read_bytes(), 6))
    assert gz < 450_000, f"plotly bundle is {gz} bytes compressed"
    for asset in (site / "assets").iterdir():
        assert re.search(r"\.[0-9a-f]{10}\.\w+$", asset.name), asset.name
