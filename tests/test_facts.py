"""Facts the fact-check corrected (issue 12), guarded against the next edit.

Each test reads the real content/ and derives what it checks from the data, so a new
figure or record that contradicts a stated claim fails here, not in a reader's hands.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from conftest import REPO
from conftest import SITE_LANGUAGES as LANGUAGES
from tiangong_site.charts import build_chart, fill_placeholders
from tiangong_site.content import Content, load_content
from tiangong_site.models import text
from tiangong_site.tables import dataset_rows

CONTENT = REPO / "content"
COUNTY_LEVEL = {"district", "county", "county-level-city"}


@pytest.fixture(scope="module")
def content() -> Content:
    loaded = load_content(CONTENT)
    assert fill_placeholders(loaded) == []  # titles as the build prints them (placeholders.py)
    return loaded


def _chart(content: Content, chart_id: str):
    return next(spec for spec in content.datasets["charts"] if spec.id == chart_id)


def _stated_range(title: str) -> tuple[int, float, float]:
    """'Since 2022, … 9.3% to 11.4%' -> (2022, 9.3, 11.4); the same for the Chinese title."""
    year = int(re.search(r"(\d{4})", title).group(1))
    percents = [float(p) for p in re.findall(r"(\d+(?:\.\d+)?)\s*%", title)]
    assert len(percents) == 2, f"expected a range of two percentages in {title!r}"
    return year, min(percents), max(percents)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_growth_chart_title_range_is_the_range_of_its_plotted_points_since_the_stated_year(
    content, lang
):
    spec = _chart(content, "sx-iva-growth")
    since, low, high = _stated_range(text(spec.title, lang))
    rows = build_chart(content, spec, lang).rows
    plotted = [row["value"] for row in rows if row["year"] >= since]
    assert plotted, f"the chart plots nothing since {since}"
    outside = [v for v in plotted if not low <= v <= high]
    assert not outside, f"title says {low}%–{high}% since {since}, but the chart plots {outside}"
    assert (min(plotted), max(plotted)) == (low, high), "the stated range should be the plotted one"


def _strings(value: Any, lang: str) -> Iterator[str]:
    """Every reader-facing string in a parsed YAML value, in `lang` (plain strings: both)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict) and set(value) <= set(LANGUAGES) and value:
        if isinstance(value.get(lang), str):
            yield value[lang]
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item, lang)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, lang)


def _sentences(text_: str) -> list[str]:
    return re.split(r"(?<=[.;。；])\s*", text_)


def _all_text(lang: str) -> Iterator[tuple[str, str]]:
    """(file, sentence) for every sentence of content/ in one language."""
    suffix = ".zh.md" if lang == "zh" else ".md"
    for path in sorted((CONTENT / "pages").glob("*.md")):
        if path.name.endswith(".zh.md") == (suffix == ".zh.md"):
            yield from ((path.name, s) for s in _sentences(path.read_text("utf-8")))
    for path in sorted(CONTENT.rglob("*.yaml")):
        for string in _strings(yaml.safe_load(path.read_text("utf-8")), lang):
            yield from ((path.name, s) for s in _sentences(string))


TIER_WORDS = {"en": ("mountainous", "tier"), "zh": ("山区", "组别")}
DOUBT_WORDS = {
    "en": ("whether", "not confirmed", "unconfirmed", "unknown", "do not say", "does not say"),
    "zh": ("是否", "未经证实", "未说明", "无从得知", "不详"),
}
XINCHANG = {"en": "Xinchang", "zh": "新昌"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_xinchangs_tier_is_nowhere_described_as_unknown(lang):
    doubtful = [
        (name, sentence)
        for name, sentence in _all_text(lang)
        if XINCHANG[lang] in sentence
        and any(word in sentence for word in TIER_WORDS[lang])
        and any(word in sentence for word in DOUBT_WORDS[lang])
    ]
    assert not doubtful, f"Xinchang's tier is a matter of record (fact-check 1.2): {doubtful}"


def test_xinchang_won_in_the_county_tier_and_is_recorded_as_not_mountainous(content):
    xinchang = content.index("regions")["xinchang"]
    assert xinchang.mountainous is False
    tiers = {award.tier for award in content.datasets["awards"] if award.region == "xinchang"}
    assert tiers == {"county"}


def test_every_county_level_region_states_mountainous_explicitly_and_tiers_agree_with_it(content):
    raw = yaml.safe_load((CONTENT / "data" / "regions.yaml").read_text("utf-8"))
    by_default = [r["id"] for r in raw if r["kind"] in COUNTY_LEVEL and "mountainous" not in r]
    assert not by_default, f"`mountainous` left to its default for {by_default}"
    regions = content.index("regions")
    for award in content.datasets["awards"]:
        mountainous = regions[award.region].mountainous
        if award.tier == "county":
            assert not mountainous, f"{award.region} is mountainous but won in the county tier"
        if award.tier == "mountainous":
            assert mountainous, f"{award.region} won in the mountainous tier but is not marked so"


def _cited(body: str) -> Counter[str]:
    """What a page cites: link targets outside the site, {src:…} and {fig:…} placeholders."""
    links = re.findall(r"\]\((https?://[^)\s]+)\)", body)
    placeholders = re.findall(r"\{(?:src|fig):[a-z0-9-]+\}", body)
    return Counter(links + placeholders)


def test_both_editions_of_every_page_cite_the_same_sources_and_figures(content):
    editions: dict[str, dict[str, str]] = {}
    for page in content.pages:
        editions.setdefault(page.key, {})[page.lang] = page.body
    assert editions, "no pages loaded"
    for key, bodies in editions.items():
        assert set(bodies) == set(LANGUAGES), f"page {key!r} lacks an edition"
        assert _cited(bodies["en"]) == _cited(bodies["zh"]), f"{key!r}: editions cite differently"


def test_a_returning_win_that_rests_on_an_uncertain_earlier_win_is_itself_uncertain(content):
    awards = content.datasets["awards"]
    for award in awards:
        # A golden award's own source states the three wins in a row; other repeats rest on
        # the earlier records.
        if award.standing != "returning" or award.golden:
            continue
        earlier = [
            a for a in awards if a.region == award.region and a.ceremony_year < award.ceremony_year
        ]
        if earlier and all(a.uncertain for a in earlier):
            where = f"{award.region} {award.ceremony_year}"
            assert award.uncertain, f"{where}: 'returning' rests on inferred wins"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_derived_figure_is_marked_uncertain_in_the_rows_the_downloads_are_made_from(
    content, lang
):
    figures = {fig.id: fig for fig in content.datasets["figures"] if fig.id}
    derived = [
        fid
        for fid, fig in figures.items()
        if any("derived" in text(v, "en").lower() for v in (fig.note, fig.uncertain) if v)
    ]
    assert "zj-iva-growth-2023h1" in derived, "the provincial H1 2023 rate is derived (9.7 - 5.0)"
    rows = {row["id"]: row for row in dataset_rows(content, "figures", lang)}
    for fid in derived:
        assert rows[fid]["status"] == "derived", (
            f"{fid} is derived but ships as {rows[fid]['status']}"
        )
        assert rows[fid]["uncertain"], f"{fid} is derived but ships without a reason"
