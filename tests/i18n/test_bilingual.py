"""English and Chinese, side by side: editions, switcher, hreflang, locale formats, and a
build that refuses to ship a page, a field or an interface string in one language only."""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bilingual_site import make_bilingual_project  # noqa: E402
from conftest import REPO  # noqa: E402
from tiangong_site.i18n import missing_translations  # noqa: E402

THEME = "src/tiangong_site/theme/templates"
"""How messages name the theme's templates."""
BASE = "/sub/"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.html_lang = ""
        self.switch: list[str] = []
        self.alternates: dict[str, str] = {}
        self.anchors: list[dict[str, str]] = []
        self._in_switch = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.html_lang = a.get("lang", "")
        if tag == "link" and a.get("rel") == "alternate":
            self.alternates[a["hreflang"]] = a["href"]
        if tag == "li" and "switch" in a.get("class", ""):
            self._in_switch = True
        if tag == "a":
            self.anchors.append(a)
            if self._in_switch:
                self.switch.append(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self._in_switch = False


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiangong_site import cli

    project = make_bilingual_project(tmp_path_factory.mktemp("bilingual") / "project")
    assert cli.main(["build", "--project", str(project), "-q"]) == 0
    return project / "_site"


def edition_pages(site: Path, lang: str) -> dict[str, Path]:
    return {p.relative_to(site / lang).as_posix(): p for p in (site / lang).rglob("*.html")}


def test_every_page_exists_in_both_languages(built: Path):
    english, chinese = edition_pages(built, "en"), edition_pages(built, "zh")
    assert english and set(english) == set(chinese)
    assert {
        "index.html",
        "sources/index.html",
        "data/index.html",
        "regions/alpha/index.html",
        "charts/gdp/index.html",
    } <= set(english)


def test_the_switcher_leads_to_the_same_page_and_back(built: Path):
    for rel, page in edition_pages(built, "en").items():
        if rel.startswith("charts/") and "/embed/" in rel:
            continue  # chart embeds carry hreflang links but no site navigation
        there = parse(page).switch
        assert there == [BASE + "zh/" + rel.removesuffix("index.html")], rel
        back = parse(built / "zh" / rel).switch
        assert back == [BASE + "en/" + rel.removesuffix("index.html")], rel


def test_each_page_declares_its_language_and_its_alternates(built: Path):
    for lang, html_lang in (("en", "en"), ("zh", "zh-Hans")):
        for rel, page in edition_pages(built, lang).items():
            links = parse(page)
            assert links.html_lang == html_lang, rel
            path = rel.removesuffix("index.html")
            assert links.alternates.get("en") == f"https://example.org{BASE}en/{path}", rel
            assert links.alternates.get("zh-Hans") == f"https://example.org{BASE}zh/{path}", rel


def test_the_root_offers_both_editions_without_javascript(built: Path):
    root = parse(built / "index.html")
    hrefs = {a["href"]: a.get("hreflang") for a in root.anchors}
    assert hrefs == {BASE + "en/": "en", BASE + "zh/": "zh-Hans"}
    assert root.alternates["x-default"] == f"https://example.org{BASE}"
    html = (built / "index.html").read_text(encoding="utf-8")
    assert (
        'http-equiv="refresh"' not in html
    )  # crawlers and readers without JavaScript stay and choose
    assert "测试网站" in html and "Test site" in html


def test_numbers_units_and_dates_follow_each_language(built: Path):
    zh = (built / "zh" / "index.html").read_text(encoding="utf-8")
    en = (built / "en" / "index.html").read_text(encoding="utf-8")
    assert "2252.28亿元" in zh and "2024年5月24日" in zh
    assert "225.23 bn yuan" in en and "24 May 2024" in en
    assert "亿元" not in re.sub(r"<[^>]+>", "", en.split("<main", 1)[1]).replace("（亿元）", "")
    region_zh = (built / "zh" / "regions" / "alpha" / "index.html").read_text(encoding="utf-8")
    assert "2023年上半年" in region_zh and "<td>第2位</td>" in region_zh
    region_en = (built / "en" / "regions" / "alpha" / "index.html").read_text(encoding="utf-8")
    assert "H1 2023" in region_en and "<td>2nd</td>" in region_en
    story_zh = (built / "zh" / "index.html").read_text(encoding="utf-8")
    assert '上半年增长<span class="fig">9.7%</span>' in story_zh


def test_charts_tables_and_downloads_are_translated(built: Path):
    zh_fig = json.loads(
        (built / "zh" / "charts" / "gdp" / "figure.json").read_text(encoding="utf-8")
    )
    en_fig = json.loads(
        (built / "en" / "charts" / "gdp" / "figure.json").read_text(encoding="utf-8")
    )
    assert zh_fig["data"][0]["y"] == [2252.28] and en_fig["data"][0]["y"] == [225.228]
    assert zh_fig["data"][0]["x"] == ["甲市"]  # the axis has no title: the unit is in the subtitle
    assert "2252.28亿元" in zh_fig["data"][0]["customdata"][0]
    assert (built / "zh" / "charts" / "gdp" / "gdp.csv").read_text(
        encoding="utf-8-sig"
    ).splitlines() == [
        "地区,地区生产总值（亿元）,限定词,依据,依据说明",
        "甲市,2252.28,exact,reported,",
    ]
    zh_page = (built / "zh" / "index.html").read_text(encoding="utf-8")
    assert (
        "以表格查看数据" in zh_page and "获取数据：" in zh_page and "Show the data" not in zh_page
    )
    gdp = re.search(r'<figure class="chart" id="chart-gdp".*?</figure>', zh_page, re.S)[0]
    drawings = re.findall(r'<svg [^>]*class="chart-svg.*?</svg>', gdp, re.S)
    assert drawings and all(">甲市<" in d for d in drawings), (
        "the drawings are not the Chinese figure"
    )


def test_the_catalogue_translates_every_interface_string():
    assert missing_translations(REPO, REPO / "templates", ["en", "zh"]) == []


def problems_of(project: Path, run_cli) -> list[re.Match[str]]:
    result = run_cli("build", "--project", str(project))
    assert result.code == 1, result.err
    return result.problems()


def test_a_text_without_chinese_fails_the_build_naming_file_and_line(tmp_path: Path, run_cli):
    project = make_bilingual_project(tmp_path / "p")
    charts = project / "content" / "charts.yaml"
    text = charts.read_text(encoding="utf-8")
    charts.write_text(
        text.replace(
            'title: {en: "Alpha\'s economy", zh: "甲市经济"}', 'title: "Alpha\'s economy"'
        ),
        encoding="utf-8",
    )
    line = next(
        i
        for i, ln in enumerate(charts.read_text(encoding="utf-8").splitlines(), 1)
        if ln.strip().startswith("title:")
    )
    found = [(m["path"], int(m["line"]), m["message"]) for m in problems_of(project, run_cli)]
    assert ("content/charts.yaml", line, "'title' has no Chinese text") in found


def test_a_page_without_its_chinese_edition_fails_the_build(tmp_path: Path, run_cli):
    project = make_bilingual_project(tmp_path / "p")
    (project / "content" / "pages" / "data.zh.md").unlink()
    found = [(m["path"], m["message"], m["hint"]) for m in problems_of(project, run_cli)]
    assert (
        "content/pages/data.md",
        "no Chinese edition of this page",
        "create content/pages/data.zh.md",
    ) in found


def test_an_untranslated_interface_string_fails_the_build_naming_it(tmp_path: Path, run_cli):
    project = make_bilingual_project(tmp_path / "p")
    po = project / "locales" / "zh" / "LC_MESSAGES" / "messages.po"
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "以表格查看数据"', 'msgstr ""'),
        encoding="utf-8",
    )
    messages = [m["message"] for m in problems_of(project, run_cli)]
    assert any(
        "'Show the data as a table'" in msg and f"{THEME}/partials/chart.html" in msg
        for msg in messages
    ), messages


def test_a_line_joins_whole_years_in_every_language(built: Path):
    for lang, whole_year in (("en", "Whole year"), ("zh", "全年")):
        figure = json.loads(
            (built / lang / "charts" / "growth" / "figure.json").read_text(encoding="utf-8")
        )
        # "+text": each series is named beside one of its points (a direct label)
        modes = {trace["name"]: trace["mode"].removesuffix("+text") for trace in figure["data"]}
        assert modes[whole_year] == "lines+markers", (lang, modes)
        assert [mode for name, mode in modes.items() if name != whole_year] == ["markers"], (
            lang,
            modes,
        )
