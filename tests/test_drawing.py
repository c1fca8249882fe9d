"""Charts drawn at build time (drawing.py): SVG from Plotly's own renderer, byte-stable,
cached and signed, drawn in one Chromium session only when something is missing, and a
build that cannot draw stops saying how to install Chromium."""

from __future__ import annotations

import asyncio
import gzip
import re
import struct
import sys
from pathlib import Path

import pytest

from conftest import MINI, PROBLEM_LINE, REPO, dedent, tree_digest
from tiangong_site import drawing
from tiangong_site.brand import read_brand
from tiangong_site.charts import build_chart
from tiangong_site.content import load_content
from tiangong_site.narrow import narrow_figure
from tiangong_site.render import THEME

SVG = re.compile(r'<svg [^>]*class="chart-svg[^"]*"[^>]*>.*?</svg>', re.S)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty drawing cache of this test's own."""
    folder = tmp_path / "drawings"
    monkeypatch.setenv(drawing.CACHE_ENV, str(folder))
    return folder


def build(run_cli, project: Path, content: Path, out: Path):
    return run_cli("build", "--project", project, "--content", content, "--output", out, "--quiet")


def counts() -> tuple[int, int]:
    return drawing.SESSION_STATS["sessions"], drawing.SESSION_STATS["drawn"]


@pytest.mark.slow
def test_a_second_build_takes_every_drawing_from_the_cache_and_starts_no_browser(
    run_cli, project, mini, cache, tmp_path
):
    content = mini()
    assert build(run_cli, project, content, tmp_path / "a").code == 0
    sessions, drawn = counts()
    assert build(run_cli, project, content, tmp_path / "b").code == 0
    assert counts() == (sessions, drawn), "the second build drew again"
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    home = (tmp_path / "b" / "index.html").read_text(encoding="utf-8")
    assert len(SVG.findall(home)) == 4, (
        "two charts, each drawn wide and narrow, inline in the story"
    )


@pytest.mark.slow
def test_a_changed_chart_is_the_only_one_drawn_again(run_cli, project, mini, cache, tmp_path):
    assert build(run_cli, project, mini(), tmp_path / "a").code == 0
    sessions, before = counts()[0], len(drawing.DRAWN)
    charts = dedent(MINI["charts.yaml"]).replace(
        'title: "Awards won"', 'title: "Awards won"\n  height: 300'
    )
    assert charts != dedent(MINI["charts.yaml"])
    assert build(run_cli, project, mini({"charts.yaml": charts}), tmp_path / "b").code == 0
    assert counts()[0] == sessions + 1
    redrawn = drawing.DRAWN[before:]
    assert redrawn and all(name.startswith("wins/") for name in redrawn), redrawn


@pytest.mark.slow
def test_with_every_drawing_cached_the_build_needs_no_chromium(
    run_cli, project, mini, cache, tmp_path, monkeypatch
):
    content = mini()
    assert build(run_cli, project, content, tmp_path / "a").code == 0
    monkeypatch.setenv(drawing.CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    assert build(run_cli, project, content, tmp_path / "b").code == 0


@pytest.mark.slow
def test_without_chromium_a_build_stops_saying_how_to_install_it_and_keeps_the_last_site(
    run_cli, project, mini, cache, tmp_path, monkeypatch
):
    content = mini()
    out = tmp_path / "out"
    assert build(run_cli, project, content, out).code == 0
    before = tree_digest(out)
    monkeypatch.setenv(drawing.CACHE_ENV, str(tmp_path / "empty-cache"))
    monkeypatch.setenv(drawing.CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    run = build(run_cli, project, content, out)
    assert run.code == 1
    (line,) = run.err.strip().splitlines()[:1]
    match = PROBLEM_LINE.match(line)
    assert match, line
    assert match["path"].endswith("charts.yaml")
    assert "no Chromium" in match["message"] and "install-system-deps.sh" in match["hint"]
    assert tree_digest(out) == before


def test_without_kaleido_a_build_says_to_install_the_python_dependencies_not_chromium(
    run_cli, project, mini, cache, tmp_path, monkeypatch
):
    monkeypatch.setitem(sys.modules, "kaleido", None)  # `import kaleido` raises ModuleNotFound
    run = build(run_cli, project, mini(), tmp_path / "out")
    assert run.code == 1
    match = PROBLEM_LINE.match(run.err.strip().splitlines()[0])
    assert match, run.err
    assert "kaleido" in match["message"] and "make site" in match["hint"]
    assert "Chromium" not in match["message"] + match["hint"]


@pytest.mark.slow
def test_a_planted_drawing_in_the_cache_is_ignored(run_cli, project, mini, cache, tmp_path):
    content = mini()
    assert build(run_cli, project, content, tmp_path / "a").code == 0
    planted = (
        '<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    for entry in cache.glob("*.svg"):
        entry.write_bytes(b"\0" * 32 + planted.encode())  # a tag that does not verify
    _, drawn = counts()
    assert build(run_cli, project, content, tmp_path / "b").code == 0
    assert counts()[1] > drawn, "the planted drawings were not redrawn"
    assert "alert(1)" not in (tmp_path / "b" / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_same_figure_drawn_twice_gives_the_same_bytes(mini):
    """Plotly puts random ids in its SVG; the finished drawing has none."""
    content = load_content(mini())
    chart = build_chart(content, content.datasets["charts"][0])
    request = drawing.Request(
        "x/en/wide", chart.figure, 600, 300, prefix="svg-x-w", css_class="chart-svg"
    )
    first, second = asyncio.run(drawing.session([request, request], drawing.find_chromium()))
    assert first != second, "kaleido's output is expected to differ (random ids)"
    assert drawing.finish(first, request) == drawing.finish(second, request)
    ids = re.findall(rb'id="([^"]+)"', drawing.finish(first, request))
    assert ids and all(i.startswith(b"svg-x-w") for i in ids)


@pytest.mark.slow  # starts Chromium of its own
def test_a_kept_session_draws_two_builds_in_one_chromium_and_closes_it_at_the_end(
    mini, cache: Path
):
    content = load_content(mini())
    chart = build_chart(content, content.datasets["charts"][0])

    def request(height: int) -> drawing.Request:
        return drawing.Request(f"x/en/{height}", chart.figure, 600, height, prefix="svg-x")

    sessions = counts()[0]
    with drawing.kept_session() as kept:
        assert not kept.open, "no browser before a drawing is needed"
        first = drawing.draw([request(300)], cache)  # as one rebuild of the preview
        process = kept._renderer.subprocess
        second = drawing.draw([request(320)], cache)  # and the next one
        assert kept.open and kept._renderer.subprocess is process
    assert counts()[0] == sessions + 1, "one Chromium for both"
    assert b'height="300"' in next(iter(first.values()))
    assert b'height="320"' in next(iter(second.values()))
    assert not kept.open
    assert process.wait(timeout=30) is not None, "Chromium still runs after the session ended"


@pytest.mark.slow  # starts Chromium of its own
def test_a_kept_session_whose_chromium_died_starts_another_for_the_next_drawing(mini, cache: Path):
    content = load_content(mini())
    chart = build_chart(content, content.datasets["charts"][0])
    sessions = counts()[0]
    with drawing.kept_session() as kept:
        drawing.draw([drawing.Request("x/en/a", chart.figure, 600, 300)], cache)
        kept._renderer.subprocess.kill()
        kept._renderer.subprocess.wait(timeout=30)
        drawn = drawing.draw([drawing.Request("x/en/b", chart.figure, 600, 310)], cache)
        assert b'height="310"' in next(iter(drawn.values()))
    assert counts()[0] == sessions + 2


def test_theme_colours_become_css_custom_properties_and_nothing_but_drawing_is_kept():
    raw = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        b' width="10" height="10">'
        b'<defs><clipPath id="clip9f3xy"><rect width="5" height="5"/></clipPath></defs>'
        b'<g class="trace"><path d="M0,0H5" clip-path="url(#clip9f3xy)"'
        b' style="fill: rgb(180, 67, 42); fill-opacity: 1;" onclick="x()"/>'
        b'<text style="font-family: serif; fill: rgb(31, 31, 31);">a</text>'
        b'<a xlink:href="javascript:alert(1)"><text>link text</text></a>'
        b"<script>alert(2)</script><foreignObject><div>html</div></foreignObject></g></svg>"
    )
    theme = drawing.theme_of(
        read_brand(REPO / "static" / "style.css")
    )  # the accent is rgb(180, 67, 42)
    out = drawing.finish(
        raw, drawing.Request("x", {}, 10, 10, prefix="p", css_class="chart-svg", theme=theme)
    ).decode()
    assert "fill:var(--chart-c1)" in out and "fill:var(--chart-ink)" in out
    assert "rgb(" not in out and "font-family" not in out
    assert 'id="p0"' in out and "url(#p0)" in out
    for gone in ("<script", "alert", "onclick", "javascript:", "<a ", "foreignObject", "html"):
        assert gone not in out, gone
    assert "link text" in out, "a link's text stays, without the link"


def test_a_column_chart_on_a_phone_is_horizontal_bars_with_labels_above_them(mini):
    content = load_content(mini())
    wins = next(c for c in content.datasets["charts"] if c.kind == "column")
    chart = build_chart(content, wins)
    narrow = narrow_figure(chart.figure, "column")
    bars = [t for t in narrow["data"] if any(v is not None for v in t["x"])]
    assert bars and all(t["orientation"] == "h" for t in bars)
    categories = [c for t in chart.figure["data"] for c in t["x"] if c is not None]
    labels = [a for a in narrow["layout"]["annotations"] if a["text"] in categories]
    assert sorted(a["text"] for a in labels) == sorted(categories)
    assert narrow["layout"]["yaxis"]["showticklabels"] is False, (
        "the labels are above the bars, not beside them"
    )
    assert narrow["layout"]["yaxis"]["range"] == [1, 0], "y runs downwards"
    label_top = {a["text"]: a["y"] for a in labels}
    wide = chart.figure["data"][0]
    for category, bar_middle in zip(wide["x"], bars[0]["y"], strict=False):
        assert label_top[category] < bar_middle, f"{category}: its label is not above its bar"


def test_the_phone_layout_leaves_the_desktop_figure_as_it_was():
    import copy
    import json

    figure = {
        "data": [{"type": "bar", "name": "A", "x": ["May 2023", "May 2024"], "y": [1, 2.5]}],
        "layout": {"barmode": "stack", "height": 300, "width": 760, "margin": {"l": 40}},
    }
    figure["data"][0]["customdata"] = (("a", 1), ("b", None))  # not a list: copied too
    before = copy.deepcopy(figure)
    narrow = narrow_figure(figure, "stacked-column")
    assert figure == before and json.dumps(figure) == json.dumps(before)
    assert narrow["layout"] is not figure["layout"] and "width" not in narrow["layout"]
    assert narrow["data"][0]["customdata"] == figure["data"][0]["customdata"]


@pytest.fixture
def real_site(built_once: Path) -> Path:
    return built_once / "_site"


def test_a_stacked_column_on_a_phone_labels_each_category_once_with_no_empty_row():
    """One series may hold a category twice (its reported and its inferred part): the phone
    drawing showed "May 2023" a second time over an empty row."""
    figure = {
        "data": [
            {"type": "bar", "name": "First", "x": ["May 2023", "May 2023", "May 2024"]},
            {"type": "bar", "name": "Again", "x": ["May 2024", "May 2024"]},
        ],
        "layout": {"barmode": "stack", "height": 300},
    }
    figure["data"][0]["y"], figure["data"][1]["y"] = [1, 3, 1], [1, 3]
    narrow = narrow_figure(figure, "stacked-column")
    labels = [a["text"] for a in narrow["layout"]["annotations"] if "May" in a["text"]]
    assert labels == ["May 2023", "May 2024"]
    first, again = narrow["data"]
    assert first["y"][0] == first["y"][1], "both parts of May 2023 sit on one bar"
    assert first["y"][2] == again["y"][0] == again["y"][1], "May 2024 is the second bar"


def test_every_chart_is_inline_svg_of_at_most_15_kb_gzipped(real_site: Path):
    charts = len(
        re.findall(r"^- id:", (real_site.parent / "content" / "charts.yaml").read_text(), re.M)
    )
    for story in (real_site / "en" / "index.html", real_site / "zh" / "index.html"):
        drawings = SVG.findall(story.read_text(encoding="utf-8"))
        assert len(drawings) == 2 * charts, f"{story}: {len(drawings)} drawings for {charts} charts"
        sizes = [len(gzip.compress(d.encode(), 9)) for d in drawings]
        assert max(sizes) <= 15 * 1024, sizes


def test_the_chart_loader_is_at_most_5_kb_gzipped():
    loader = THEME / "static" / "charts.js"  # the project has no copy of its own
    assert len(gzip.compress(loader.read_bytes(), 9)) <= 5 * 1024


def test_a_chart_page_previews_as_its_own_chart_and_links_back_to_its_story(real_site: Path):
    folder = real_site / "en" / "charts" / "land-freed"
    for page in (folder / "index.html", folder / "embed" / "index.html"):
        html = page.read_text(encoding="utf-8")
        image = re.search(r'<meta property="og:image" content="([^"]+)"', html)[1]
        assert image.endswith("/en/charts/land-freed/preview.png"), page
        permalink = re.search(r'<a href="([^"]+)"[^>]*>Permalink</a>', html)[1]
        assert permalink.endswith("/en/#chart-land-freed"), page
    png = (folder / "preview.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1200, 630)
    embed = (folder / "embed" / "index.html").read_text(encoding="utf-8")
    assert '<base target="_blank">' in embed and 'data-theme="light"' in embed


def test_a_chart_page_is_an_indexable_page_of_the_site_and_its_embed_is_not(real_site: Path):
    """Lighthouse scored the chart pages' SEO 63 for noindex: the chart's own page is now a
    page of the site (navigation, language switch, canonical, in the sitemap, a link to its
    story); the iframe's copy at charts/ID/embed/ stays out of search."""
    folder = real_site / "zh" / "charts" / "land-freed"
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert 'name="robots"' not in page
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', page)[1]
    assert canonical.endswith("/zh/charts/land-freed/")
    assert canonical in (real_site / "sitemap.xml").read_text(encoding="utf-8")
    assert 'class="masthead"' in page and 'hreflang="en"' in page
    assert re.search(r'<a href="[^"]*/zh/#chart-land-freed">', page), "no link to its story"
    assert '<base target="_blank">' not in page
    embed = (folder / "embed" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex">' in embed
    assert "/zh/charts/land-freed/embed/" not in (real_site / "sitemap.xml").read_text()


def test_the_embed_code_sizes_the_iframe_from_the_chart_pages_messages(real_site: Path):
    page = (real_site / "en" / "index.html").read_text(encoding="utf-8")
    code = re.search(r'<textarea id="embed-land-freed"[^>]*>(.*?)</textarea>', page, re.S)[1]
    import html

    code = html.unescape(code)
    assert re.search(
        r'<iframe src="https://[^"]+/en/charts/land-freed/embed/"[^>]* height="\d+"', code
    )
    listener = re.search(r"<script>(.*)</script>", code, re.S)[1]
    assert 'e.origin!=="https://' in listener and "tiangong-site:height" in listener
    embed_js = next((real_site / "assets").glob("embed.*.js")).read_text(encoding="utf-8")
    assert "tiangong-site:height" in embed_js and "postMessage" in embed_js


def test_print_shows_the_table_because_it_is_outside_the_closed_details(real_site: Path):
    page = (real_site / "en" / "index.html").read_text(encoding="utf-8")
    for details in re.findall(r'<details class="chart-data">(.*?)</details>', page, re.S):
        assert "<table" not in details
    assert len(re.findall(r'</details>\s*<div class="table-scroll chart-table"', page)) >= 1
