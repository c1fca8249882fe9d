"""The preview is never stale: whatever the timing of the saves, the open page ends up
showing the last one, with no reload by hand.

Saves come in pairs, the second one soon after the first, often while the page is still
reloading for the first (the case that used to leave the old page on screen, issue 13). As on
a loaded machine, livereload's script reaches the page late, so a reload message sent
while a page loads finds no socket to go to: the page must notice that it is behind.
"""

from __future__ import annotations

import random
import re
import threading
import time
from pathlib import Path

import pytest

from editors.test_serve import WAIT_MS, Preview, browser, preview, wait_connected  # noqa: F401

pytestmark = pytest.mark.browser

TRIALS = 50
GAPS = (0.0, 0.05, 0.2, 0.35, 0.5, 0.7, 0.9)
"""Seconds between the two saves of a pair: at once, during the rebuild of the first, and
while the page reloads for it."""
SCRIPT_DELAY = 0.4
"""Seconds livereload.js is held back on each page load (the window a reload can be missed in)."""
SENTENCE = "The wider economy grew too."
GROWTH = re.compile(r"(- id: sx-gdp-growth-2024h1\n(?:  .*\n)*?  value: )([0-9.]+)")
"""Shaoxing's GDP growth in H1 2024, which the story quotes as a percentage."""


def save_sentence(story: Path, good: str, marker: str) -> None:
    story.write_text(good.replace(SENTENCE, f"{SENTENCE[:-1]} ({marker}).", 1), encoding="utf-8")


def save_growth(figures: Path, good: str, value: str) -> None:
    assert GROWTH.search(good), "the story's growth figure is not in figures.yaml"
    figures.write_text(GROWTH.sub(lambda m: m.group(1) + value, good, count=1), encoding="utf-8")


def shows(page, texts: list[str], timeout: int = WAIT_MS) -> bool:
    """Whether the open page comes to contain every one of `texts` within `timeout` ms."""
    try:
        page.wait_for_function(
            "texts => document.body && texts.every(t => document.body.textContent.includes(t))",
            arg=texts,
            polling=20,
            timeout=timeout,
        )
        return True
    except Exception:  # a timeout: the page stayed stale
        return False


def test_fifty_rapid_double_saves_leave_no_page_stale(preview: Preview, browser):  # noqa: F811
    story = preview.project / "content/pages/index.md"
    figures = preview.project / "content/data/figures.yaml"
    story_text, figures_text = (
        story.read_text(encoding="utf-8"),
        figures.read_text(encoding="utf-8"),
    )
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.route("**/livereload.js*", lambda route: (time.sleep(SCRIPT_DELAY), route.continue_()))
    page.goto(preview.url())
    wait_connected(page)
    rng, stale = random.Random(13), []
    for i in range(TRIALS):
        first = f"draft {i} a"
        if i % 2:  # a number in the data after a sentence in the page: both must show
            growth = f"{40 + i}.37"
            second = threading.Timer(rng.choice(GAPS), save_growth, (figures, figures_text, growth))
            expected = [f"({first}).", f"{growth}%"]
        else:  # the same sentence saved twice: the second must win
            second = threading.Timer(
                rng.choice(GAPS), save_sentence, (story, story_text, f"draft {i} b")
            )
            expected = [f"(draft {i} b)."]
        save_sentence(story, story_text, first)
        second.start()  # on its own clock, whatever the browser is doing
        second.join()
        if not shows(page, expected):
            stale.append((i, expected))
    assert stale == [], f"{len(stale)} of {TRIALS} double saves left the page stale: {stale}"
    assert errors == [], errors


def test_renaming_a_menu_entry_shows_on_the_other_pages(preview: Preview, browser):  # noqa: F811
    page = browser.new_page()
    page.goto(preview.url("data/"))
    wait_connected(page)
    menu = page.locator("header.masthead nav")
    assert "Sources" in menu.inner_text()
    sources = preview.project / "content/pages/sources.md"
    text = sources.read_text(encoding="utf-8")
    assert "nav_title: Sources\n" in text
    sources.write_text(
        text.replace("nav_title: Sources\n", "nav_title: Methods\n", 1), encoding="utf-8"
    )
    page.wait_for_function(
        "() => document.querySelector('header.masthead nav').textContent.includes('Methods')",
        polling=20,
        timeout=WAIT_MS,
    )
    assert "Sources" not in menu.inner_text()
