"""Charts: the figure, the table and the downloads show the same rows, and chart mistakes are
located."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import plotly.io
import pytest

from conftest import MINI, REPO, dedent
from tiangong_site.brand import NEEDED, Brand
from tiangong_site.charts import build_chart, check_charts
from tiangong_site.content import Content, load_content
from tiangong_site.declared import chart_model, load_package
from tiangong_site.models import Chart

CHART = chart_model(load_package(REPO / "content", ["en", "zh"], []))
"""The chart model of a project that declares the story's datasets (figures among them)."""


@pytest.fixture
def content(mini) -> Content:
    return load_content(mini())


CHART = chart_model(load_package(REPO / "content", ["en"], []))
"""The chart model whose `data` may name the datasets the project declares (awards …)."""


def chart(**spec: Any) -> Chart:
    base = {
        "id": "test-chart",
        "title": "A chart",
        "sources": ["src-a"],
        "alt": "A chart for a test.",
    }
    return CHART.model_validate(base | spec)


def plotted(figure: dict[str, Any], horizontal: bool = False) -> list[tuple[Any, Any]]:
    """(category, value) of every point drawn, trace by trace, skipping legend-only entries."""
    points = []
    for trace in figure["data"]:
        xs, ys = list(trace.get("x", [])), list(trace.get("y", []))
        cats, values = (ys, xs) if horizontal else (xs, ys)
        points += [(c, v) for c, v in zip(cats, values, strict=True) if c is not None]
    return points


def csv_rows(output) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output.csv().removeprefix("\ufeff"))))


GROWTH_2023 = {"Alpha": 10.8, "Beta": 7.5, "Gamma": 9.25}
"""Growth in 2023 by city, as written in the made-up figures.yaml."""


# --- the figure, the table and the downloads agree ---------------------------------------------


def test_table_rows_are_the_plotted_points(content: Content):
    out = build_chart(
        content,
        chart(
            kind="column",
            data="figures",
            where={"metric": "growth", "year": 2023},
            x="region_name",
            y="value",
        ),
    )
    points = plotted(out.figure)
    assert sorted(points) == sorted(GROWTH_2023.items())
    assert [(row[0], row[1]) for row in out.table()] == [
        (name, f"{value:.2f}")
        for name, value in points  # one precision: 9.25 has two places
    ]


def test_csv_and_json_downloads_hold_exactly_the_plotted_rows(content: Content):
    out = build_chart(
        content,
        chart(
            kind="bar",
            data="figures",
            where={"metric": "growth", "year": 2023},
            x="region_name",
            y="value",
            sort="value",
        ),
    )
    points = plotted(out.figure, horizontal=True)
    downloaded_csv = [(row["Region"], float(row["Value"])) for row in csv_rows(out)]
    payload = json.loads(out.json())
    downloaded_json = [(row["region_name"], row["value"]) for row in payload["rows"]]
    assert downloaded_csv == downloaded_json == points
    assert sorted(points) == sorted(GROWTH_2023.items())
    assert [c["key"] for c in payload["columns"]] == [key for key, _ in out.downloads]
    assert next(csv.reader(io.StringIO(out.csv().removeprefix("\ufeff")))) == [
        c["header"] for c in payload["columns"]
    ]
    assert payload["chart"] == "test-chart" and payload["sources"] == ["src-a"]


def test_json_download_gives_each_row_a_line_of_its_own(content: Content):
    out = build_chart(
        content,
        chart(
            kind="column",
            data="figures",
            where={"metric": "growth", "year": 2023},
            x="region_name",
            y="value",
        ),
    )
    text = out.json()
    lines = text.splitlines()
    start = lines.index('"rows": [')
    row_lines = lines[start + 1 : start + 1 + len(GROWTH_2023)]
    assert [json.loads(line.rstrip(",")) for line in row_lines] == json.loads(text)["rows"]
    assert sorted(json.loads(line.rstrip(","))["region_name"] for line in row_lines) == sorted(
        GROWTH_2023
    )
    assert lines[start + 1 + len(GROWTH_2023) :] == ["]", "}"]


def test_figures_with_no_value_are_neither_plotted_nor_tabled(content: Content):
    # Gamma's 2022 growth is null ("not known" in the source).
    out = build_chart(
        content,
        chart(
            kind="line",
            data="figures",
            where={"metric": "growth", "region": "gamma"},
            x="period",
            y="value",
        ),
    )
    assert [row["Value"] for row in csv_rows(out)] == ["9.25"]
    assert len(out.table()) == 1
    assert sum(len(trace["y"]) for trace in out.figure["data"]) == 1


def test_yuan_figures_are_shown_in_billions_everywhere(content: Content):
    # 1234 (100 million yuan) is 123.4 billion yuan.
    out = build_chart(
        content,
        chart(
            kind="column", data="figures", where={"metric": "output"}, x="region_name", y="value"
        ),
    )
    assert plotted(out.figure) == [("Alpha", 123.4)]
    assert out.table()[0][1] == "123.4"
    assert csv_rows(out)[0]["Value"] == "123.4"
    # The label at the bar's end is the number alone (the unit is in the axis title, so it
    # stays legible on a phone); the hover text gives the unit.
    assert out.figure["data"][0]["text"] == ["123.4"]
    assert "123.4 bn yuan" in out.figure["data"][0]["customdata"][0]


def test_figure_json_is_valid_plotly(content: Content):
    out = build_chart(
        content,
        chart(
            kind="grouped-column", data="awards", x="region_name", y="count", series="ceremony_year"
        ),
    )
    figure = plotly.io.from_json(out.figure_json())
    assert len(figure.data) == 2
    assert json.loads(out.figure_json())["layout"]["barmode"] == "group"


# --- counting -----------------------------------------------------------------------------------


def test_y_count_counts_the_rows_for_each_category(content: Content):
    # Alpha won in 2024 and 2025, Beta in 2024.
    out = build_chart(content, chart(kind="column", data="awards", x="region_name", y="count"))
    assert sorted(plotted(out.figure)) == [("Alpha", 2), ("Beta", 1)]
    assert sorted((row["Region"], row["Count"]) for row in csv_rows(out)) == [
        ("Alpha", "2"),
        ("Beta", "1"),
    ]


def test_rows_without_an_x_value_are_left_off_the_axis_not_a_crash(mini):
    """Only Beta's award gives its ceremony's date: the others have no place on the axis."""
    dated = MINI["data/awards.yaml"].replace(
        "region: beta", 'region: beta\n          ceremony_date: "2024-05-24"'
    )
    content = load_content(mini({"data/awards.yaml": dated}))
    spec = chart(kind="bar", data="awards", x="ceremony_date_name", y="count")
    out = build_chart(content, spec)
    assert plotted(out.figure, horizontal=True) == [("May 2024", 1)]
    assert out.narrow["data"], "the phone layout is drawn too"


def test_y_count_counts_after_where(content: Content):
    out = build_chart(
        content,
        chart(
            kind="column", data="awards", where={"ceremony_year": 2025}, x="region_name", y="count"
        ),
    )
    assert plotted(out.figure) == [("Alpha", 1)]


def test_y_count_with_series_counts_each_series_apart(content: Content):
    out = build_chart(
        content,
        chart(
            kind="stacked-column", data="awards", x="region_name", y="count", series="ceremony_year"
        ),
    )
    by_series = {
        trace["name"]: dict(zip(trace["x"], trace["y"], strict=True))
        for trace in out.figure["data"]
    }
    assert by_series == {"2024": {"Alpha": 1, "Beta": 1}, "2025": {"Alpha": 1}}
    assert len(out.rows) == 3


# --- sorting and colours --------------------------------------------------------------------------


def test_sort_by_value_puts_the_largest_column_first(content: Content):
    out = build_chart(
        content,
        chart(
            kind="column",
            data="figures",
            where={"metric": "growth", "year": 2023},
            x="region_name",
            y="value",
            sort="value",
        ),
    )
    assert [value for _, value in plotted(out.figure)] == sorted(GROWTH_2023.values(), reverse=True)


def test_sort_by_x_orders_categories(content: Content):
    out = build_chart(
        content,
        chart(
            kind="column",
            data="figures",
            where={"metric": "growth", "year": 2023},
            x="region_name",
            y="value",
            sort="x",
        ),
    )
    assert [name for name, _ in plotted(out.figure)] == ["Alpha", "Beta", "Gamma"]


ACCENT, MUTED = "#123456", "#abcdef"
BRAND = Brand(
    tuple((name, {"accent": ACCENT, "chart-muted": MUTED}.get(name, "#777777")) for name in NEEDED)
)
"""Made-up brand colours, as static/style.css would give them."""


def test_highlighted_rows_get_the_accent_colour_and_the_rest_grey(content: Content):
    out = build_chart(
        content,
        chart(
            kind="bar",
            data="figures",
            where={"metric": "growth", "year": 2023},
            x="region_name",
            y="value",
            highlight={"region": ["alpha", "gamma"]},
            highlight_label="Winners",
        ),
        brand=BRAND,
    )
    bars = out.figure["data"][0]
    colours = dict(zip(bars["y"], bars["marker"]["color"], strict=True))
    assert colours == {"Alpha": ACCENT, "Beta": MUTED, "Gamma": ACCENT}
    legend = [t for t in out.figure["data"] if t.get("showlegend") is not False]
    assert [(t["name"], t["marker"]["color"]) for t in legend] == [("Winners", ACCENT)]
    marked = {row["Region"]: row["Marked"] for row in csv_rows(out)}
    assert marked == {"Alpha": "Winners", "Beta": "", "Gamma": "Winners"}


# --- located mistakes -----------------------------------------------------------------------------


def charts_problems(mini, charts_yaml: str):
    content = load_content(mini({"charts.yaml": charts_yaml}))
    return check_charts(content)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(dedent(text).splitlines(), 1) if needle in line)


def test_unknown_column_in_a_chart_is_located_with_the_columns_to_choose_from(mini):
    charts_yaml = MINI["charts.yaml"].replace("x: region_name", "x: regoin_name", 1)
    (problem,) = charts_problems(mini, charts_yaml)
    assert (problem.path, problem.line, problem.column) == (
        "content/charts.yaml",
        line_of(charts_yaml, "x: regoin_name"),
        3,
    )
    assert problem.message == "column 'regoin_name' is not in the figures data"
    assert "region_name" in problem.hint and "_sort" not in problem.hint


def test_unknown_column_in_where_is_located_at_that_key(mini):
    charts_yaml = MINI["charts.yaml"].replace(
        "where: {metric: growth, year: 2023}",
        "where:\n            metric: growth\n            yaer: 2023",
    )
    (problem,) = charts_problems(mini, charts_yaml)
    assert problem.line == line_of(charts_yaml, "yaer: 2023")
    assert "'yaer'" in problem.message


def test_unknown_column_in_highlight_is_located(mini):
    charts_yaml = MINI["charts.yaml"].replace(
        "highlight: {region: alpha}", "highlight: {regoin: alpha}"
    )
    (problem,) = charts_problems(mini, charts_yaml)
    assert problem.line == line_of(charts_yaml, "highlight:")
    assert "'regoin'" in problem.message


def test_where_that_matches_nothing_is_reported(mini):
    charts_yaml = MINI["charts.yaml"].replace("year: 2023}", "year: 1999}")
    (problem,) = charts_problems(mini, charts_yaml)
    assert problem.line == line_of(charts_yaml, "where:")
    assert "no rows match" in problem.message


def test_grouped_chart_without_series_is_reported(mini):
    charts_yaml = MINI["charts.yaml"].replace("kind: column", "kind: grouped-column")
    (problem,) = charts_problems(mini, charts_yaml)
    assert problem.line == line_of(charts_yaml, "kind: grouped-column")
    assert "series" in problem.message


def test_mistakes_in_several_charts_are_all_reported(mini):
    charts_yaml = MINI["charts.yaml"].replace("x: region_name", "x: nope")
    problems = charts_problems(mini, charts_yaml)
    assert len(problems) == 2


def test_a_chart_that_matches_nothing_is_reported_even_after_another_charts_mistake(mini):
    charts_yaml = (
        MINI["charts.yaml"]
        .replace("x: region_name", "x: nope", 1)
        .replace("y: count", "y: count\n          where: {ceremony_year: 1999}")
    )
    problems = charts_problems(mini, charts_yaml)
    assert [(p.line, "nope" in p.message or "no rows match" in p.message) for p in problems] == [
        (line_of(charts_yaml, "x: nope"), True),
        (line_of(charts_yaml, "where: {ceremony_year: 1999}"), True),
    ]


def test_a_chart_may_name_its_table_and_download_headers(content: Content):
    spec = chart(
        kind="column",
        data="figures",
        where={"metric": "growth", "year": 2023},
        x="region_name",
        y="value",
        headers={"region_name": {"en": "City", "zh": "城市"}},
    )
    english, chinese = build_chart(content, spec), build_chart(content, spec, "zh")
    assert english.columns[0][1] == "City" and chinese.columns[0][1] == "城市"
    assert next(csv.reader(io.StringIO(chinese.csv().removeprefix("\ufeff"))))[0] == "城市"


def test_a_header_for_a_column_the_data_lacks_is_located(mini):
    charts_yaml = MINI["charts.yaml"].replace(
        "x: region_name", "x: region_name\n          headers: {regoin: Place}", 1
    )
    (problem,) = charts_problems(mini, charts_yaml)
    assert problem.line == line_of(charts_yaml, "headers: {regoin: Place}")
    assert problem.message == "column 'regoin' is not in the figures data"


def test_a_header_without_its_chinese_text_is_located(project):
    from tiangong_site.errors import ContentError

    path = project / "content" / "charts.yaml"
    text = path.read_text(encoding="utf-8")
    old = '  headers: {name: {en: "Tier", zh: 组别}}'
    assert old in text
    path.write_text(text.replace(old, "  headers: {name: Tier}"), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(project / "content")
    (problem,) = [p for p in caught.value.problems if "headers" in p.message]
    assert problem.line == text.splitlines().index(old) + 1
    assert "'headers[name]' has no Chinese text" in problem.message
