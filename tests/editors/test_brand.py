"""Brand colours live in one place, the first :root rule of static/style.css: the page's CSS,
the charts, the link-preview cards, the favicon and the logo all take them from there."""

from __future__ import annotations

import importlib.util
import json
import re
import struct
import zlib
from pathlib import Path
from types import ModuleType

import pytest

from conftest import REPO, run_build_py, tree_digest
from tiangong_site import share_image
from tiangong_site.brand import NEEDED, Brand, read_brand
from tiangong_site.share_image import Card

STYLE = REPO / "static" / "style.css"
MADE_UP = "#1f6e8c"
"""An accent colour no file of the project uses."""


def script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        name.replace("-", "_"), REPO / "scripts" / f"{name}.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def png_pixel(path: Path, x: int, y: int) -> str:
    """The `#rrggbb` colour of one pixel of an 8-bit, non-interlaced RGB or RGBA PNG."""
    data, pos, idat, header = path.read_bytes(), 8, b"", ()
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data[pos + 8 : pos + 8 + size])
        elif kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + size]
        pos += 12 + size
    width, _, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and not interlace, (
        f"{path.name}: an unexpected PNG format"
    )
    bpp = 3 if colour_type == 2 else 4
    raw, stride, line = zlib.decompress(idat), width * bpp, bytearray(width * bpp)
    for row in range(y + 1):  # undo each row's filter (PNG spec, section 9) down to row y
        start = row * (stride + 1)
        kind, previous, line = raw[start], line, bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a, b = line[i - bpp] if i >= bpp else 0, previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            p = a + b - c
            paeth = (
                a
                if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c)
                else b
                if abs(p - b) <= abs(p - c)
                else c
            )
            line[i] = (line[i] + [0, a, b, (a + b) // 2, paeth][kind]) & 0xFF
    return "#" + line[x * bpp : x * bpp + 3].hex()


def with_accent(project: Path, colour: str) -> None:
    style = project / "static" / "style.css"
    text, count = re.subn(
        r"--accent:\s*#[0-9a-fA-F]{6}",
        f"--accent: {colour}",
        style.read_text(encoding="utf-8"),
        count=1,
    )
    assert count == 1, "static/style.css declares no --accent"
    style.write_text(text, encoding="utf-8")


@pytest.mark.slow
def test_charts_are_drawn_in_the_accent_of_the_stylesheet(project: Path):
    with_accent(project, MADE_UP)
    assert run_build_py("build", "--quiet", "--project", project).code == 0
    figures = sorted((project / "_site").glob("*/charts/*/figure.json"))
    assert figures, "no chart was built"
    for path in figures:
        figure = json.loads(path.read_text(encoding="utf-8"))
        assert figure["layout"]["template"]["layout"]["colorway"][0] == MADE_UP, path
    old = read_brand(STYLE).accent
    assert not [p for p in figures if old in p.read_text(encoding="utf-8")], (
        "a chart kept the old accent"
    )
    story = (project / "_site" / "en" / "index.html").read_text(encoding="utf-8")
    assert f"--accent: {MADE_UP}" in story, "the page's inlined CSS has the new accent"


def test_the_share_image_of_each_edition_is_drawn_in_the_accent_of_the_stylesheet(project: Path):
    """The build draws a card per language (share_image.py): it follows the stylesheet too."""
    from tiangong_site.site import Project, load_and_check, share_images

    with_accent(project, MADE_UP)
    site = Project.at(project)
    images = share_images(site, load_and_check(site, write_cache=False), None)
    assert sorted(images) == ["share-en.png", "share-zh.png"]
    for name, data in images.items():
        (project / name).write_bytes(data)
        assert png_pixel(project / name, 600, 8) == MADE_UP, f"{name}: the rule along the top"


@pytest.mark.slow
def test_a_brand_colour_that_is_not_a_colour_is_reported_at_its_line(project: Path):
    assert run_build_py("build", "--quiet", "--project", project).code == 0
    before = tree_digest(project / "_site")
    with_accent(project, "brick")
    style = project / "static" / "style.css"
    line = next(
        n
        for n, text in enumerate(style.read_text(encoding="utf-8").splitlines(), 1)
        if "--accent: brick" in text
    )
    run = run_build_py("build", "--project", project)
    assert run.code == 1
    assert [(p["path"], int(p["line"])) for p in run.problems()] == [("static/style.css", line)]
    assert "--accent" in run.err and "#rrggbb" in run.err
    assert tree_digest(project / "_site") == before, "a failed build changed the last good site"


def test_no_other_file_hard_codes_the_accent():
    accent = read_brand(STYLE).accent
    allowed = {
        "static/style.css",
        "static/favicon.svg",
    }  # the one place, and the favicon its script writes
    found = [
        path.relative_to(REPO).as_posix()
        for folder in ("src", "static", "templates", "scripts", "content")
        for path in (REPO / folder).rglob("*")
        if path.is_file()
        and path.suffix in {".py", ".css", ".js", ".svg", ".html", ".yaml", ".md"}
        and accent in path.read_text(encoding="utf-8", errors="replace").lower()
    ]
    assert sorted(set(found) - allowed) == [], f"{accent} is hard-coded outside static/style.css"


def test_favicon_and_logo_are_in_the_current_accent():
    """They are images: scripts/logo-image.py redraws them."""
    accent = read_brand(STYLE).accent
    favicon = (REPO / "static" / "favicon.svg").read_text(encoding="utf-8")
    assert favicon == script("logo-image").favicon_svg(accent), "run scripts/logo-image.py"
    assert png_pixel(REPO / "static" / "logo.png", 60, 256) == accent, "run scripts/logo-image.py"


def test_the_share_card_takes_every_colour_from_the_brand(tmp_path: Path):
    colours = {name: f"#{n:02x}{n:02x}{n:02x}" for n, name in enumerate(NEEDED, start=16)}
    card = Card("en", "Kicker", "A story", "A site · A publisher", Brand(tuple(colours.items())))
    image = tmp_path / "card.png"
    image.write_bytes(share_image.draw(card, share_image.find_faces("en")))
    assert png_pixel(image, 600, 8) == colours["accent"], "the rule across the top"
    assert png_pixel(image, 600, 300) == colours["bg"], "the background"
    assert png_pixel(image, 1105, 561) == colours["accent"], "the last award's disc"
