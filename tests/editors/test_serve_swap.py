"""The preview brings an open page up to date in place: the parts of the body that changed
are put in without loading the page again (the scroll position stays, the page's scripts
keep what they did), and a change to the page's styles or scripts loads it anew."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from editors.test_serve import WAIT_MS, Preview, browser, free_port, wait_connected  # noqa: F401

pytestmark = pytest.mark.browser

SENTENCE = "The wider economy grew too."
PLACED = "::: chart land-freed\n"
"""A chart of the story, placed in both editions."""
SET_UP = (
    "[...document.querySelectorAll('.chart-plot[data-figure]')].filter(e => e.tiangongChart).length"
)


@pytest.fixture
def served(project: Path) -> Iterator[Preview]:
    # A copy with the session build's warm cache, as test_serve.py's (no chart drawn again).
    server = Preview(project, free_port())
    yield server
    server.stop()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def open_story(served: Preview, browser):  # noqa: F811
    """The story page, scrolled down, with a mark only this document holds, and a list of
    the page loads from now on."""
    page = browser.new_page()
    page.goto(served.url())
    wait_connected(page)
    page.evaluate("() => { window.scrollTo(0, 1500); window.sameDocument = true; }")
    loads: list[str] = []
    page.on("framenavigated", lambda f: loads.append(f.url) if f is page.main_frame else None)
    return page, loads


def wait_text(page, text: str) -> None:
    page.wait_for_function(
        "t => document.body.textContent.includes(t)", arg=text, polling=20, timeout=WAIT_MS
    )


def charts_set_up(page) -> tuple[int, int, int]:
    """Charts on the page, charts charts.js set up, charts it set up more than once."""
    return tuple(
        page.evaluate(
            """() => {
          const els = [...document.querySelectorAll('.chart-plot[data-figure]')];
          const kept = (window.tiangongCharts || {charts: []}).charts;
          const set = els.filter(el => el.tiangongChart);
          const twice = els.filter(el => kept.filter(c => c.el === el).length > 1);
          return [els.length, set.length, twice.length];
        }"""
        )
    )


def test_a_prose_edit_shows_in_place_without_loading_the_page_again(
    served: Preview,
    browser,  # noqa: F811
):
    page, loads = open_story(served, browser)
    charts, _, _ = charts_set_up(page)
    assert charts > 0, "the story shows charts"
    edit(served.project / "content/pages/index.md", SENTENCE, "The wider economy grew as well.")
    wait_text(page, "The wider economy grew as well.")
    assert page.evaluate("() => window.sameDocument") is True
    assert loads == []
    assert page.evaluate("() => window.scrollY") == 1500
    assert charts_set_up(page) == (charts, charts, 0)


def test_a_chart_put_in_is_set_up_by_the_page_scripts_run_again(project: Path, browser):  # noqa: F811
    """An element put in runs the page's scripts again: charts.js sets up the new chart,
    and none of the others twice."""
    stories = [project / "content/pages/index.zh.md", project / "content/pages/index.md"]
    texts = [story.read_text(encoding="utf-8") for story in stories]
    for story in stories:
        edit(story, PLACED, "")
    served = Preview(project, free_port())
    try:
        page, loads = open_story(served, browser)
        charts, _, _ = charts_set_up(page)
        for story, text in zip(stories, texts, strict=True):
            story.write_text(text, encoding="utf-8")
        page.wait_for_function(
            f"() => document.querySelectorAll('.chart-plot[data-figure]').length > {charts}"
            f" && {SET_UP} === {charts + 1}",
            polling=20,
            timeout=WAIT_MS,
        )
        assert page.evaluate("() => window.sameDocument") is True and loads == []
        assert charts_set_up(page) == (charts + 1, charts + 1, 0)
    finally:
        served.stop()


def test_a_stylesheet_edit_loads_the_page_anew(served: Preview, browser):  # noqa: F811
    page, loads = open_story(served, browser)
    style = served.project / "static/style.css"
    style.write_text(
        style.read_text(encoding="utf-8") + "\n.edited-by-test { margin: 0; }\n", encoding="utf-8"
    )
    page.wait_for_function(
        "() => document.head.innerHTML.includes('.edited-by-test')", polling=20, timeout=WAIT_MS
    )
    assert page.evaluate("() => window.sameDocument") is None  # a new document
    assert loads, "the page was loaded anew"
