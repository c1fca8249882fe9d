"""The Chinese edition's typography: what templates, charts and downloads write follows
Chinese house style, and the build fails naming the file that breaks it.

Fixtures are the editorial review's own examples (shared/reviews/chinese-edition.md, 2 and 3).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import REPO
from tiangong_site.cjk import Allowlist, csv_findings, file_findings, findings_in, json_findings

ALLOWED = Allowlist.read(REPO / "locales" / "zh" / "allowed-latin.txt")


def kinds(text: str) -> list[str]:
    return [f.kind for f in findings_in(text, ALLOWED)]


@pytest.mark.parametrize(
    "text, kind",
    [
        ("2023年颁奖 (2022年度): 设区市, 首次获奖", "half-width"),  # review 3.2
        ("越城区集成电路: 省级集群：核心区", "half-width"),  # 3.4
        ("来源： ZISTIC (2024)[1]; 绍兴市人民政府", "space"),  # 3.5, 3.6
        ("syflcy.com （原网页的转载）。 补全了", "space"),  # 3.7
        ("发布于 2026年11月26日", "space"),  # 3.17
        ("设区市: 6", "half-width"),  # 3.8
        ("嘉兴市 Jiaxing", "latin"),  # 2.5
        ("sources: Every document a figure was read in", "latin"),  # 2.3
        ("数据集。", "none"),
    ],
)
def test_the_review_examples_are_found(text, kind):
    found = kinds(text)
    assert (kind in found) if kind != "none" else not found, found


@pytest.mark.parametrize(
    "text",
    [
        "卫蓝新能源（英文原报道拼作“Weilan”，其英文名为WeLion）",  # review 5.8, 6.15
        "英文版换算为十亿元（billion yuan）显示",
        "在赛迪顾问（CCID）先进制造业百强市榜单中",  # 5.9: 赛迪顾问 is the name
        "comparemela转引杭州网",  # a site is named by its address
    ],
)
def test_english_a_chinese_reader_need_not_see_is_not_allowed(text):
    assert "latin" in kinds(text), text


def test_names_codes_addresses_citations_and_foreign_titles_pass():
    assert not kinds("据ZISTIC报道，绍兴获鼎数居全省第2位[12]。")
    assert not kinds("见lvya.org.cn和https://tjj.sx.gov.cn/，“415X”先进制造业集群")
    assert not kinds(
        "以《The Ultimate Showdown! How Did Shaoxing Secure Five Awards? (Part 1)》为起点"
    )
    assert not kinds("获取数据：CSV · JSON")


def test_an_allowed_name_may_not_be_spaced_from_chinese():
    assert "space" in kinds("据 ZISTIC 报道")
    assert "latin" in kinds("据Zistic报道"), "the allowlist is exact, not case-folded"


def test_downloads_need_chinese_headers_and_no_bilingual_values():
    english_header = "id,region_name,value\nshaoxing,绍兴市,10.8\n"
    assert [f.found for f in csv_findings(english_header, ALLOWED) if f.kind == "latin"] == [
        "id",
        "region_name",
        "value",
    ]
    assert not csv_findings("编号,地区,数值\nshaoxing,绍兴市,10.8\n", ALLOWED), (
        "codes and numbers are not text"
    )
    blob = '编号,名称\nsx,"{""en"": ""Shaoxing"", ""zh"": ""绍兴市""}"\n'
    assert [f.kind for f in csv_findings(blob, ALLOWED)] == ["bilingual"]
    assert [
        f.kind
        for f in json_findings(json.dumps([{"name": {"en": "Shaoxing", "zh": "绍兴市"}}]), ALLOWED)
    ] == ["bilingual"]


def test_chart_json_hover_text_is_read_and_plotly_settings_are_not():
    figure = {
        "data": [
            {
                "type": "bar",
                "customdata": ["柯桥区: 2252.28亿元"],
                "hovertemplate": "%{customdata}<extra></extra>",
            }
        ],
        "layout": {"font": {"family": 'system-ui, "Segoe UI", sans-serif'}},
    }
    assert [f.kind for f in json_findings(json.dumps(figure), ALLOWED)] == ["half-width"]


def test_plotly_line_breaks_and_bold_in_chart_text_are_markup_not_latin_words():
    labels = ["<b>2022年6月（政策）</b><br>浙江省委、省政府批准设立", "<b>Policy</b><br>浙江"]
    figure = {"layout": {"annotations": [{"text": t} for t in labels]}}
    found = json_findings(json.dumps(figure), ALLOWED)
    assert [(f.kind, f.found) for f in found] == [("latin", "Policy")], found


def test_page_text_in_another_language_and_code_are_left_out():
    html = (
        '<html lang="zh-Hans"><body><p>报道 <a lang="en" href="/en/">English</a></p>'
        '<textarea>&lt;iframe title="x"&gt;</textarea><p>注：<code>build.py</code></p>'
        "</body></html>"
    )
    assert file_findings("zh/index.html", html, ALLOWED, "zh-Hans") == []
    assert [f.kind for f in file_findings("zh/x.html", "<p>注： 说明</p>", ALLOWED, "zh-Hans")] == [
        "space"
    ]


def test_chinese_text_in_english_pages_is_checked_too():
    html = (
        '<html lang="en"><body><p>The <span lang="zh-Hans">天工鼎 (金鼎)</span> award.</p>'
        "</body></html>"
    )
    assert {f.kind for f in file_findings("en/index.html", html, ALLOWED, "en")} == {"half-width"}
    assert not file_findings("en/index.html", html.replace(" (金鼎)", "（金鼎）"), ALLOWED, "en")


def test_every_chinese_file_of_the_real_site_passes(built_once: Path):
    site = built_once / "_site"
    found = {}
    for path in sorted((site / "zh").rglob("*")):
        if path.suffix in (".html", ".svg", ".csv", ".json"):
            hits = file_findings(path.name, path.read_text(encoding="utf-8"), ALLOWED, "zh-Hans")
            if hits:
                found[path.relative_to(site).as_posix()] = [f.describe() for f in hits]
    assert not found, found
    region = (site / "zh" / "regions" / "jiaxing" / "index.html").read_text(encoding="utf-8")
    assert "<strong>2023年5月颁鼎</strong>（2022年度）：设区市组，首次获鼎" in region
    assert "Jiaxing" not in region.split("<main", 1)[1], "no English name after the Chinese H1"
    headers = (site / "zh" / "data" / "figures.csv").read_text(encoding="utf-8").splitlines()[0]
    assert not re.search("[A-Za-z]", headers), headers


def _fails_naming(run_cli, project: Path, where: str, says: str) -> str:
    """Builds, expecting the one-line problem that starts with `where` and says `says`."""
    out = project / "_site"
    result = run_cli("build", "--project", str(project), "--output", str(out))
    assert result.code == 1, result.err
    lines = [line for line in result.err.splitlines() if line.startswith(where) and says in line]
    assert lines, result.err
    assert not out.exists(), "nothing is written"
    return lines[0]


@pytest.mark.slow
def test_a_half_width_mark_in_a_translation_fails_the_build_naming_the_catalogue_line(
    project: Path, run_cli
):
    po = project / "locales" / "zh" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    assert 'msgstr "%(name)s：%(value)s"' in text
    line = text[: text.index('msgstr "%(name)s：%(value)s"')].count("\n")  # the msgid's line
    po.write_text(
        text.replace('msgstr "%(name)s：%(value)s"', 'msgstr "%(name)s: %(value)s"'),
        encoding="utf-8",
    )
    message = _fails_naming(
        run_cli, project, "locales/zh/LC_MESSAGES/messages.po:", "half-width ':'"
    )
    assert message.startswith(f"locales/zh/LC_MESSAGES/messages.po:{line}:"), message
    assert "zh/charts/" in message


def test_a_half_width_mark_in_chinese_content_fails_the_build_naming_the_data_file(
    project: Path, run_cli
):
    tiers = project / "content" / "data" / "award-tiers.yaml"
    tiers.write_text(
        tiers.read_text(encoding="utf-8").replace("zh: 设区市组}", 'zh: "设区市组 (11个)"}'),
        encoding="utf-8",
    )
    message = _fails_naming(run_cli, project, "content/data/award-tiers.yaml:", "half-width '('")
    assert message.startswith("content/data/award-tiers.yaml:4:"), message


def test_punctuation_glued_by_a_template_fails_the_build_naming_the_template(
    project: Path, run_cli
):
    cluster = project / "templates" / "cluster.html"
    text = cluster.read_text(encoding="utf-8")
    glued = '{{ _(" (%(year)s)", year=cluster.year) }}'
    assert glued in text
    cluster.write_text(text.replace(glued, " ({{ cluster.year }})"), encoding="utf-8")
    message = _fails_naming(run_cli, project, "templates/cluster.html:", "half-width '('")
    assert "zh/clusters/" in message


def test_a_latin_word_in_chinese_text_fails_unless_the_allowlist_names_it(project: Path, run_cli):
    allowlist = project / "locales" / "zh" / "allowed-latin.txt"
    allowlist.write_text(
        allowlist.read_text(encoding="utf-8").replace("\nZISTIC\n", "\n"), encoding="utf-8"
    )
    _fails_naming(run_cli, project, "content/", "Latin-script word 'ZISTIC'")


def test_link_preview_text_and_alt_texts_are_read_too():
    """Review 2.10: the cluster pages' meta description had a half-width colon."""
    head = (
        '<html lang="zh-Hans"><head><meta name="description" content="越城区集成电路: 浙江省">'
        "</head></html>"
    )
    assert [f.kind for f in file_findings("zh/x.html", head, ALLOWED, "zh-Hans")] == ["half-width"]
    image = (
        '<html lang="zh-Hans"><body><div role="img" aria-label="柱状图 (亿元)"></div></body></html>'
    )
    assert [f.kind for f in file_findings("zh/x.html", image, ALLOWED, "zh-Hans")] == [
        "half-width",
        "half-width",
    ]
    assert not file_findings(
        "zh/x.html", '<meta property="og:url" content="https://x.org/a:b">', ALLOWED, "zh-Hans"
    )
