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


# --- the column a row's year is read from, on a made-up project (ferry routes) ---------------

FERRIES = REPO / "tests" / "projects" / "ferries" / "content"
FERRY_TITLE = 'title: "Sailings a day on each route (illustrative)"'
"""Routes opened in 1998, 2004, 2011, 2016 and 2020 (`since`, the dataset's only year field),
with 64, 12, 40, 6 and 18 sailings a day; no route's name holds a year."""


def ferry_problems(tmp_path: Path, title: str, more: str = "") -> tuple[list[Problem], object]:
    """The ferries' chart titled `title`, with `more` (lines of YAML) added to it: the problems
    of checking the chart and of filling its placeholders, and the content."""
    folder = tmp_path / "content"
    shutil.copytree(FERRIES, folder)
    charts = (folder / "charts.yaml").read_text(encoding="utf-8")
    assert FERRY_TITLE in charts
    (folder / "charts.yaml").write_text(
        charts.replace(FERRY_TITLE, f"title: {title}\n{more}".rstrip()), encoding="utf-8"
    )
    content = load_content(folder)
    problems = check_charts(content)
    return problems or fill_placeholders(content), content


def ferry_title(content) -> str:
    return text(content.index("charts")["sailings-by-route"].title, "en")


def test_a_year_filter_reads_the_datasets_only_year_field_when_the_chart_names_none(tmp_path):
    problems, content = ferry_problems(
        tmp_path, '"{count since 2011} routes since 2011, {sum(sailings) until 2004} before"'
    )
    assert problems == []
    assert ferry_title(content) == "3 routes since 2011, 76 before"


def test_a_charts_year_column_says_which_column_gives_a_rows_year(tmp_path):
    # `code` holds no year: naming it leaves no row in 2011, so the declaration is what counts
    problems, _ = ferry_problems(tmp_path, '"{count in 2011}"', "  year: code")
    (problem,) = problems
    assert "no plotted row is in 2011" in problem.message
    problems, content = ferry_problems(tmp_path / "b", '"{max(sailings) in 2011}"', "  year: since")
    assert problems == []
    assert ferry_title(content) == "40"


def test_a_year_column_the_data_lacks_is_an_error_at_its_line(tmp_path):
    problems, _ = ferry_problems(tmp_path, '"Routes"', "  year: opened")
    (problem,) = problems
    assert problem.path.endswith("content/charts.yaml")
    written = (tmp_path / "content" / "charts.yaml").read_text(encoding="utf-8")
    assert problem.line == line_of(written, "year: opened")
    assert "column 'opened' is not in the routes data" in problem.message
    assert "since" in problem.hint


def test_a_chart_that_counts_rows_takes_its_year_from_x_or_series_only(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(FERRIES, folder)
    charts = (folder / "charts.yaml").read_text(encoding="utf-8")
    counted = charts.replace("y: sailings", "y: count\n  year: since")
    assert counted != charts
    (folder / "charts.yaml").write_text(counted, encoding="utf-8")
    (problem,) = check_charts(load_content(folder))
    assert problem.line == line_of(counted, "year: since")
    assert "counts rows" in problem.message and "x (route)" in problem.hint
