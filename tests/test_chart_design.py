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
