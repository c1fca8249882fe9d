"""Numbers in a chart's title and subtitle that restate its data come from the data
(placeholders.py): filled at build time in each language's format, and a rate typed by hand
that no point of the chart has stops the build at its line (the review's "9% to 11%")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import MINI, REPO, dedent
from tiangong_site.charts import check_charts, fill_placeholders
from tiangong_site.content import load_content
from tiangong_site.errors import Problem
from tiangong_site.models import text

GROWTH_TITLE = 'title: "Growth in 2023"'


def mini_problems(mini, title: str) -> tuple[list[Problem], object]:
    charts = MINI["charts.yaml"].replace(GROWTH_TITLE, f"title: {title}")
    assert charts != MINI["charts.yaml"]
    content = load_content(mini({"charts.yaml": charts}))
    assert check_charts(content) == []
    return fill_placeholders(content), content


def growth_title(content) -> str:
    return text(content.index("charts")["growth-2023"].title, "en")


def line_of(text_: str, needle: str) -> int:
    return next(i for i, line in enumerate(dedent(text_).splitlines(), 1) if needle in line)


@pytest.fixture
def real_content(tmp_path: Path):
    """`real_content(old, new)`: the real content with one passage of charts.yaml replaced;
    returns the problems of filling the placeholders, the content and the new charts.yaml."""

    def make(old: str = "", new: str = ""):
        folder = tmp_path / "content"
        shutil.copytree(REPO / "content", folder)
        charts = (folder / "charts.yaml").read_text(encoding="utf-8")
        if old:
            assert old in charts, old
            charts = charts.replace(old, new)
        (folder / "charts.yaml").write_text(charts, encoding="utf-8")
        content = load_content(folder)
        assert check_charts(content) == []
        return fill_placeholders(content), content, charts

    return make


def test_the_reviews_nine_to_eleven_percent_title_stops_the_build_at_its_line(real_content):
    charts = (REPO / "content" / "charts.yaml").read_text(encoding="utf-8")
    start = charts.index("- id: sx-iva-growth")
    english = charts.index("    en: ", charts.index("  title:", start))
    old = charts[english : charts.index("\n", english)]
    said = "Since 2022, every period on record shows Shaoxing's industry growing by 9% to 11%"
    review = f'    en: "{said}"'
    problems, _, written = real_content(old, review)
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.path.endswith("content/charts.yaml")
    assert problem.line == written.splitlines().index(review) + 1
    assert "9%" in problem.message and "11.4%" in problem.message
    assert "placeholder" in problem.hint


def test_a_hand_typed_rate_in_the_chinese_title_is_caught_too(real_content):
    problems, _, written = real_content(
        "绍兴工业增速均在{min(value) since 2022}%—{max(value) since 2022}%之间",
        "绍兴工业增速均在9%—11%之间",
    )
    (problem,) = problems
    assert problem.line == next(
        i for i, ln in enumerate(written.splitlines(), 1) if "9%—11%之间" in ln
    )
    assert "9% and 11%" in problem.message


def test_rates_since_a_year_are_filled_from_the_points_of_that_year_on_in_each_language(
    real_content,
):
    problems, content, _ = real_content()
    assert problems == []
    spec = content.index("charts")["sx-iva-growth"]
    assert "by 9.3% to 11.4%" in text(spec.title, "en")  # Q1 2022 is 11.4%; 2010's 14.8% is out
    assert "均在9.3%—11.4%之间" in text(spec.title, "zh")
    assert "{" not in text(spec.title, "en") + text(spec.title, "zh")


def test_numbers_are_written_as_each_language_writes_them(real_content):
    problems, content, _ = real_content()
    assert problems == []
    land = content.index("charts")["land-freed"]
    assert "freed 10,202 mu" in text(land.title, "en")
    assert "腾退土地10202亩" in text(land.title, "zh")
    tiers = content.index("charts")["award-tiers"]
    assert text(tiers.title, "en") == "32 winners a year, in three tiers"
    assert text(tiers.title, "zh") == "每年32座，分三个组别"


def test_a_count_in_words_is_capitalised_on_request(mini):
    problems, content = mini_problems(mini, '"{count | Words} cities, {count} in all"')
    assert problems == []
    assert growth_title(content) == "Three cities, 3 in all"


def test_min_max_sum_and_first_last_read_the_plotted_rows(mini):
    problems, content = mini_problems(
        mini, '"{min(value)} {max(value)} {sum(value)} {first.value} {last.value}"'
    )
    assert problems == []
    # growth in 2023, sorted by value: Alpha 10.8, Gamma 9.25, Beta 7.5
    assert growth_title(content) == "7.5 10.8 27.55 10.8 7.5"


def test_a_rate_typed_by_hand_that_is_a_plotted_point_is_accepted(mini):
    problems, content = mini_problems(mini, '"Alpha grew 10.8%"')
    assert problems == []
    assert growth_title(content) == "Alpha grew 10.8%"


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ('"{median(value)}"', "is not a placeholder"),
        ('"{max(vlaue)}"', "no column 'vlaue'"),
        ('"{max(region_name)}"', "not a number"),
        ('"{max(value) since 2030}"', "no plotted row is since 2030"),
        ('"{__import__(os)}"', "is not a placeholder"),
        ('"{sum(value) | words}"', "0 to 20 only"),
    ],
)
def test_a_placeholder_that_cannot_be_filled_is_located_with_the_syntax(mini, title, said):
    problems, _ = mini_problems(mini, title)
    (problem,) = problems
    charts = MINI["charts.yaml"].replace(GROWTH_TITLE, f"title: {title}")
    assert problem.line == line_of(charts, f"title: {title}")
    assert said in problem.message
    assert "{max(COL)}" in problem.hint and "docs/editing.md" in problem.hint


def test_every_page_and_download_of_the_built_site_shows_the_filled_numbers(built_once: Path):
    site = built_once / "_site"
    story = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert "growing by 9.3% to 11.4%" in story
    listing = (site / "zh" / "data" / "index.html").read_text(encoding="utf-8")
    assert "每年32座，分三个组别" in listing
    for path in site.rglob("*"):
        if path.suffix in (".html", ".json", ".csv", ".xml"):
            written = path.read_text(encoding="utf-8")
            assert "since 2022}" not in written and "{sum(" not in written, path
