"""Language markup both ways: Chinese in English pages is marked lang="zh-Hans" by the build,
and English text never gets a CJK font (issue 12, point 4; review 7.5)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from conftest import REPO
from tiangong_site.cjk import HAN, mark_chinese_runs


def test_a_chinese_run_in_english_text_is_wrapped():
    html = (
        '<html lang="en"><body><p>The awards (浙江制造天工鼎) began in 2023年5月.</p></body></html>'
    )
    marked = mark_chinese_runs(html)
    assert '(<span lang="zh-Hans">浙江制造天工鼎</span>)' in marked
    assert '<span lang="zh-Hans">2023年5月</span>.' in marked, (
        "digits belong to the run; the English full stop does not"
    )


def test_a_chinese_run_in_a_charts_svg_is_a_tspan_so_the_drawing_stays_whole():
    """An HTML <span> inside inline SVG ends the SVG in the HTML parser: the English timeline
    spilled its labels out of the drawing after "Tiangong Award (浙江制造天工鼎"."""
    html = (
        '<html lang="en"><body><svg class="chart-svg"><text><tspan>Award (浙江制造天工鼎)</tspan>'
        "</text></svg><p>天工</p></body></html>"
    )
    marked = mark_chinese_runs(html)
    assert 'Award (<tspan lang="zh-Hans">浙江制造天工鼎</tspan>)' in marked
    assert "<span" not in marked.split("</svg>")[0]
    assert '<p><span lang="zh-Hans">天工</span></p>' in marked, "HTML after the SVG: a span"


def test_attributes_titles_scripts_and_marked_elements_are_left_alone():
    html = (
        '<html lang="en"><head><title>Five awards · 五座天工鼎</title></head><body>'
        '<img alt="天工鼎"><a href="/zh/" lang="zh-Hans">中文</a> '
        '<span lang="zh-Hans">新昌县<b>县</b></span>'
        '<script>var s = "天工";</script><textarea>天工</textarea>'
        "<p>“Once again”, the province’s—</p></body></html>"
    )
    assert mark_chinese_runs(html) == html


def _unmarked_chinese(html: str) -> list[str]:
    """Chinese text in `html` that is not inside an element marked as Chinese."""

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.stack: list[str | None] = []
            self.found: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag, attrs):
            if tag in ("script", "style", "title", "textarea"):
                self.skip += 1
            if tag not in ("meta", "link", "img", "br", "input"):
                self.stack.append(dict(attrs).get("lang") if tag != "html" else None)

        def handle_endtag(self, tag):
            if tag in ("script", "style", "title", "textarea"):
                self.skip -= 1
            if self.stack:
                self.stack.pop()

        def handle_data(self, data):
            marked = any(lang and lang.startswith("zh") for lang in self.stack)
            if not self.skip and not marked and re.search(f"[{HAN}]", data):
                self.found.append(data.strip()[:40])

    reader = Reader()
    reader.feed(html)
    return reader.found


def test_every_chinese_run_in_the_english_edition_is_marked(built_once: Path):
    site = built_once / "_site"
    pages = sorted((site / "en").rglob("*.html"))
    unmarked = {
        p.relative_to(site).as_posix(): _unmarked_chinese(p.read_text(encoding="utf-8"))
        for p in pages
    }
    assert not {k: v for k, v in unmarked.items() if v}
    story = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert '<span lang="zh-Hans">浙江制造天工鼎</span>' in story


def test_english_pages_use_no_cjk_font_and_chinese_runs_do():
    css = (REPO / "static" / "style.css").read_text(encoding="utf-8")
    cjk_faces = ("CJK", "PingFang", "Hiragino", "YaHei", "Source Han", "WenQuanYi", "Songti")
    for line in re.sub(r"/\*.*?\*/", "", css, flags=re.S).splitlines():
        if any(face in line for face in cjk_faces):
            assert line.strip().startswith("--zh:"), (
                f"a CJK face outside the Chinese stack: {line.strip()}"
            )
    assert re.search(r'\[lang="zh-Hans"\]\s*\{\s*font-family:\s*var\(--zh\)', css)
    assert re.search(
        r":root:lang\(zh-Hans\)\s*\{\s*--serif:\s*var\(--zh\);\s*--sans:\s*var\(--zh\)", css
    )
