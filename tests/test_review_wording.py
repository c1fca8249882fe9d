"""Pages do not contradict themselves or mislabel what they show (Chinese-edition review
6.25 and 6.34, and the Ningbo page, whose "no record" line denied its own summary).

The fixtures are the reviews' own examples, in the real site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


def _page(built: Path, lang: str, *parts: str) -> str:
    return (built / "_site" / lang / Path(*parts) / "index.html").read_text(encoding="utf-8")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _section(html: str, heading_id: str) -> str:
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    assert match, heading_id
    return _text(match.group(1))


@pytest.mark.parametrize(
    ("lang", "summary", "denial"),
    [
        ("zh", "宁波获鼎数多于绍兴", "没有宁波市获鼎的记录"),
        ("en", "won more Tiangong awards than Shaoxing", "No award for Ningbo is recorded"),
    ],
)
def test_a_place_without_award_records_does_not_deny_what_its_summary_reports(
    built_once: Path, lang, summary, denial
):
    html = _page(built_once, lang, "regions", "ningbo")
    dek = _text(re.search(r'<p class="dek">(.*?)</p>', html, re.S).group(1))
    assert summary in dek, "the summary reports Ningbo's 2024 awards, after the starting article"
    awards = _section(html, "awards")
    assert denial not in awards, awards
    assert ("按批次和组别" if lang == "zh" else "by ceremony and tier") in awards, awards


@pytest.mark.parametrize(("lang", "place"), [("zh", "绍芯谷"), ("en", "Shaoxin Valley")])
def test_the_planned_investment_callout_names_shaoxin_valley_not_only_the_city(
    built_once: Path, lang, place
):
    labels = [
        _text(m)
        for m in re.findall(r'<p class="callout-label">(.*?)</p>', _page(built_once, lang), re.S)
    ]
    [investment] = [
        t for t in labels if ("计划投资" if lang == "zh" else "Planned investment") in t
    ]
    assert place in investment, investment


@pytest.mark.parametrize(
    ("lang", "heading"), [("zh", "关于数据的说明"), ("en", "A note on the figures")]
)
def test_the_note_on_the_figures_does_not_repeat_its_heading(built_once: Path, lang, heading):
    text = _text(_page(built_once, lang))
    assert text.count(heading) == 1, f"{heading!r} printed {text.count(heading)} times"


# --- citation marks (Chinese-edition review 3.11) ----------------------------------------------

from tiangong_site.pages import tidy_citations  # noqa: E402


def _cite(n: int, source: str = "hwygbl") -> str:
    return f'<sup class="cite"><a href="#cite-{source}" aria-label="来源{n}">[{n}]</a></sup>'


def _fig(value: str) -> str:
    return f'<span class="fig">{value}</span>'


def test_a_chinese_citation_mark_follows_the_measure_word_not_the_number():
    html = f"<p>共涉及{_fig('47')}{_cite(23, 'daily')}家印染企业。</p>"
    assert (
        tidy_citations(html, "zh") == f"<p>共涉及{_fig('47')}家{_cite(23, 'daily')}印染企业。</p>"
    )


def test_one_mark_per_source_in_a_sentence_the_last():
    sentence = "".join(
        f"从{_fig(a)}{_cite(18)}家增至{_fig(b)}{_cite(18)}家，"
        for a, b in (("294", "418"), ("465亿元", "806亿元"))
    )
    html = f"<p>{sentence}均为现价{_cite(5, 'other')}。下一句{_fig('1')}{_cite(18)}个。</p>"
    out = tidy_citations(html, "zh")
    first, second = out.split("。")[:2]
    assert first.count("[18]") == 1, first
    assert first.index("[18]") > first.index("806亿元"), "the mark kept is the last"
    assert "[5]" in first and second.count("[18]") == 1, (
        "other sources and other sentences keep theirs"
    )


def test_english_keeps_one_mark_per_source_in_a_sentence_and_numbers_where_they_are():
    html = (
        f"<p>It grew {_fig('10.8%')}{_cite(6)}, to {_fig('215.5 bn yuan')}{_cite(6)}. "
        f"Then {_fig('9%')}{_cite(6)}.</p>"
    )
    assert tidy_citations(html, "en") == (
        f"<p>It grew {_fig('10.8%')}, to {_fig('215.5 bn yuan')}{_cite(6)}. "
        f"Then {_fig('9%')}{_cite(6)}.</p>"
    )


def test_the_real_story_has_no_mark_between_a_number_and_its_measure_word(built_once: Path):
    html = _page(built_once, "zh")
    assert not re.search(
        r'</span>(?:<sup class="status-mark">.*?</sup>)?<sup class="cite">.*?</sup>[家个座项位名]',
        html,
    )
