"""Charts that say what they show without hovering (issue 11, review 7.1–7.2): the timeline
names every event beside its mark, readable on a phone; the who-won chart names the places
that won at each ceremony, open marks for the wins that are inferred."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import REPO
from tiangong_site.charts import build_chart, check_charts, fill_placeholders
from tiangong_site.content import Content, load_content
from tiangong_site.narrow import _columns
from tiangong_site.tables import dataset_rows

TAGS = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def real() -> Content:
    content = load_content(REPO / "content")
    assert check_charts(content) == [] and fill_placeholders(content) == []
    return content


def chart(content: Content, cid: str, lang: str):
    return build_chart(content, content.index("charts")[cid], lang)


def label_lines(figure: dict[str, Any]) -> list[list[str]]:
    """The lines of each annotation, as a reader sees them (tags taken out)."""
    return [
        [TAGS.sub("", line) for line in a["text"].split("<br>")]
        for a in figure["layout"].get("annotations", [])
    ]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_timeline_names_every_event_beside_its_mark_on_desktop_and_phone(real, lang):
    out = chart(real, "timeline", lang)
    events = dataset_rows(real, "events", lang)
    for figure in (out.figure, out.narrow):
        labels = label_lines(figure)
        assert len(labels) == len(events) == len(figure["data"][0]["y"])
        for event, lines in zip(events, labels, strict=True):
            joined = ("" if lang == "zh" else " ").join(lines[1:])
            assert event["title"] in joined or event["title"].replace(" ", "") in joined, lines
        assert not figure["layout"].get("showlegend")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_timeline_labels_fit_a_360_px_phone_and_never_overlap(real, lang):
    narrow = chart(real, "timeline", lang).narrow
    annotations = narrow["layout"]["annotations"]
    for lines in label_lines(narrow):
        widest = max(_columns(line) for line in lines)
        assert widest <= 44, f"{lines}: {widest} columns do not fit 340 px at 13 px"
    tops = [a["y"] for a in annotations]
    labels = label_lines(narrow)
    for top, lines, below in zip(tops[:-1], labels[:-1], tops[1:], strict=True):
        assert top + 17 * len(lines) <= below, f"{lines[0]} runs into the next event"
    assert narrow["layout"]["yaxis"]["range"][0] <= narrow["layout"]["height"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_who_won_chart_names_the_places_that_won_at_each_ceremony(real, lang):
    out = chart(real, "shaoxing-wins", lang)
    marks = {
        (x, y): (trace["name"], symbol)
        for trace in out.figure["data"]
        for x, y, symbol in zip(trace["x"], trace["y"], trace["marker"]["symbol"], strict=True)
    }
    zhuji = "Zhuji" if lang == "en" else "诸暨市"
    may_2024 = "May 2024" if lang == "en" else "2024年5月"
    may_2023 = "May 2023" if lang == "en" else "2023年5月"
    assert len(marks) == 9, "four places in May 2023, five in May 2024"
    assert marks[(may_2024, zhuji)][1] == "circle", "Zhuji's first win is reported: a full mark"
    inferred_2023 = [symbol for (x, _), (_, symbol) in marks.items() if x == may_2023]
    assert inferred_2023 == ["circle-open"] * 4, "the May 2023 wins are inferred: open marks"
    for trace in out.figure["data"]:  # each mark is named beside it: no legend to decode
        assert set(trace["text"]) == {trace["name"]} and trace["mode"] == "markers+text"
    assert out.figure["layout"]["showlegend"] is False
    assert [h for h, _ in out.columns][:2] != ["Count"], "the table lists the winners"
    assert any(zhuji in row for row in out.table())


def named_points(trace: dict[str, Any]) -> list[str]:
    return [t for t in trace.get("text", []) if t]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_line_series_are_named_beside_one_of_their_points_instead_of_a_legend(real, lang):
    out = chart(real, "sx-iva-growth", lang)
    for figure in (out.figure, out.narrow):
        series = [t for t in figure["data"] if t.get("name")]
        assert len(series) == 4
        for trace in series:
            assert named_points(trace) == [trace["name"]], trace["name"]
            assert "+text" in trace["mode"]
        assert figure["layout"]["showlegend"] is False


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_grouped_columns_name_each_series_over_its_bar_and_keep_only_the_hatching_key(real, lang):
    out = chart(real, "iva-growth-vs-province", lang)
    series = [t for t in out.figure["data"] if any(v is not None for v in t["y"])]
    names = [t["name"] for t in series]
    assert len(names) == 3 and all(t["showlegend"] is False for t in series)
    for figure in (out.figure, out.narrow):
        shown = [" ".join(lines) for lines in label_lines(figure)]
        for name in names:
            assert any(name in text_ or name.replace(" ", "") in text_ for text_ in shown), name
    keys = [t["name"] for t in out.figure["data"] if t.get("showlegend", True) and t["name"]]
    assert len(keys) == 1, f"only the key to the hatching stays in the legend: {keys}"


def test_on_a_phone_a_series_is_named_in_the_first_band_where_it_has_a_bar(real):
    """Wenzhou has no bar in the first half of 2023: its name belongs above its 2025 bar."""
    narrow = chart(real, "iva-growth-vs-province", "en").narrow
    annotations = narrow["layout"]["annotations"]
    wenzhou = next(a for a in annotations if a["text"] == "Wenzhou")
    band_2025 = next(a for a in annotations if a["text"].startswith("Jan"))
    assert wenzhou["y"] > band_2025["y"], "Wenzhou is named in the 2025 band, below its label"


NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_bar_label_its_hover_and_its_table_cell_give_the_same_decimals(real, lang):
    """Review 4.7: label 7.0%, hover 7%; bar 2252.3, hover and prose 2252.28."""
    for spec in real.datasets["charts"]:
        if spec.kind not in ("bar", "column", "grouped-column"):
            continue
        out = build_chart(real, spec, lang)
        column = [key for key, _ in out.columns].index(spec.y)
        cells = sorted(NUMBER.findall(row[column])[0] for row in out.table())
        labels = []
        for trace in out.figure["data"]:
            texts, hovers = trace.get("text") or [], trace.get("customdata") or []
            for label, hover in zip(texts, hovers, strict=True):
                labels.append(NUMBER.findall(label)[0])
                assert labels[-1] in hover, (spec.id, label, hover)
        assert sorted(labels) == cells, spec.id


def test_chinese_counts_carry_their_measure_word_and_series_their_chinese_names(
    built_once,
):
    import json

    site = built_once / "_site" / "zh" / "charts"
    tiers = json.loads((site / "award-tiers" / "figure.json").read_text(encoding="utf-8"))
    assert "设区市组：6座" in tiers["data"][0]["customdata"], tiers["data"][0]["customdata"]
    growth = json.loads((site / "sx-iva-growth" / "figure.json").read_text(encoding="utf-8"))
    names = {t["name"] for t in growth["data"]}
    assert "全年" in names and not any(re.search("[A-Za-z]", n) for n in names), names
    for trace in growth["data"]:
        assert all(not re.search("[A-Za-z]", t) for t in trace.get("text", [])), trace["text"]


def test_chinese_labels_start_no_line_with_closing_punctuation_and_leave_no_orphan():
    from tiangong_site.narrow import wrap

    lines = wrap(
        "绍兴出台“4151”计划，打造先进制造业强市（绍政发〔2022〕17号），目标年份为2026年", 20
    )
    assert not [line for line in lines if line[0] in "，。、；：）”"], lines
    lines = wrap("绍兴入选浙江“415X”先进制造业集群首批赛道4个核心区和1个协同区", 20)
    assert _columns(lines[-1]) > 4, f"a character alone on the last line: {lines}"
    assert "".join(lines) == "绍兴入选浙江“415X”先进制造业集群首批赛道4个核心区和1个协同区"


def test_english_with_a_chinese_name_wraps_by_its_width():
    from tiangong_site.narrow import wrap

    lines = wrap(
        "The government approves the Zhejiang Manufacturing Tiangong Award (浙江制造天工鼎)", 40
    )
    assert all(_columns(line) <= 40 for line in lines), lines
