"""A figure the source does not date never shows the year it is filed under, and a figure
keeps the decimals its source prints (Chinese-edition review 1.9 and 4.15: "腾退土地，越城区，
2025年" for an undated total; the brief's "全省为7%" where the source prints 7.0).

The fixtures are the reviews' own examples, in the real content."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from conftest import REPO
from conftest import SITE_LANGUAGES as LANGUAGES
from tiangong_site.declared import load_package
from tiangong_site.declared.measures import Period, measure_text, period_label
from tiangong_site.i18n import activate
from tiangong_site.loader import load_yaml_text


def _page(built: Path, lang: str, *parts: str) -> str:
    return (built / "_site" / lang / Path(*parts) / "index.html").read_text(encoding="utf-8")


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def _callout_labels(html: str) -> list[str]:
    return [_text(m) for m in re.findall(r'<p class="callout-label">(.*?)</p>', html, re.S)]


# --- undated figures --------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "words"), [("en", "date not given"), ("zh", "时间不详")])
def test_an_undated_period_reads_date_not_given_never_its_filing_year(lang, words):
    activate(REPO, list(LANGUAGES))
    assert period_label(Period(kind="year", year=2025, undated=True), lang) == words
    assert period_label(Period(kind="year", year=2025), lang) in ("2025", "2025年")


def test_only_a_whole_year_can_be_undated():
    with pytest.raises(ValidationError, match="undated"):
        Period(kind="half-year", year=2024, part=1, undated=True)


@pytest.mark.parametrize(
    ("lang", "label", "undated"),
    [("zh", "腾退土地", "时间不详"), ("en", "Land vacated", "date not given")],
)
def test_the_land_callout_says_its_date_is_not_given_not_2025(
    built_once: Path, lang, label, undated
):
    [land] = [t for t in _callout_labels(_page(built_once, lang)) if label in t]
    assert undated in land and "2025" not in land, land


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_region_table_shows_no_made_up_year_for_undated_totals(built_once: Path, lang):
    html = _page(built_once, lang, "regions", "yuecheng")
    rows = [_text(r) for r in re.findall(r"<tr>(.*?)</tr>", html, re.S)]
    land = [r for r in rows if ("腾退土地" if lang == "zh" else "Land vacated") in r]
    assert land and all("2025" not in r for r in land), land


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_figures_download_leaves_an_undated_figure_without_year_or_midpoint(
    built_once: Path, lang
):
    text = (built_once / "_site" / lang / "data" / "figures.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    key, year = ("id", "year") if lang == "en" else ("编号", "年份")
    [row] = [r for r in body if r[header.index(key)] == "yuecheng-land-vacated"]
    assert row[header.index(year)] == "", row
    assert ("时间不详" if lang == "zh" else "date not given") in row
    assert not any(cell.startswith("2025") for cell in row), row


# --- decimals as printed ----------------------------------------------------------------------


def test_the_loader_remembers_the_decimals_a_number_is_written_with():
    loaded = load_yaml_text("- value: 7.0\n- value: 7\n- value: 10.30\n- value: 1.5e3\n", "f.yaml")
    assert loaded.decimals == {(0, "value"): 1, (2, "value"): 2}


@pytest.mark.parametrize(
    ("value", "unit", "lang", "decimals", "shown"),
    [
        (7.0, "percent", "zh", 1, "7.0%"),
        (7.0, "percent", "en", 1, "7.0%"),
        (7.0, "percent", "zh", None, "7%"),
        (9.7, "percent", "zh", 1, "9.7%"),
        (8368.6, "100m-yuan", "en", 1, "836.86 bn yuan"),
        (100.0, "100m-yuan", "zh", 1, "100.0亿元"),
        (30.0, "percent", "zh", 1, "30.0%"),
    ],
)
def test_a_value_is_shown_with_the_decimals_its_source_prints(value, unit, lang, decimals, shown):
    problems: list = []
    package = load_package(REPO / "content", list(LANGUAGES), problems)
    assert package is not None and not problems
    assert measure_text(value, package.units[unit], None, lang, decimals) == shown


@pytest.mark.parametrize(("lang", "phrase"), [("zh", "全省为7.0%"), ("en", "compared with 7.0%")])
def test_the_provincial_rate_of_2025_reads_7_0_as_printed(built_once: Path, lang, phrase):
    assert phrase in _text(_page(built_once, lang))
