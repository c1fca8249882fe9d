#!/usr/bin/env python3
"""Save-to-browser latency of the live preview, measured in a real browser.

Starts `serve` on a copy of the project and opens the story page (en/) in Debian's
Chromium, then times three kinds of edit, as an editor makes them:

- number edit: the value of a figure the story quotes (content/data/figures.yaml);
- prose edit: a sentence of the story (content/pages/index.md);
- template edit: the story's template (templates/story.html, the project's own copy of the
  theme's, made before the preview starts).

Each time runs from the file being written to the change being on screen: the watcher's
wake-up, the rebuild, the page brought up to date (its body swapped in place, or the page
loaded anew) and the browser's next frame drawn. The first edit of each kind warms caches
and is not counted. Also reported, from the server's console: its own time per rebuild
and how many pages each rebuild rendered.

Usage: python bench/serve_bench.py [--edits 9] [--gap 0.5]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import copy_project, theme_override  # noqa: E402
from editors.test_serve import Preview, free_port, wait_connected  # noqa: E402

SENTENCE = "The wider economy grew too."
GROWTH = re.compile(r"(- id: sx-gdp-growth-2024h1\n(?:  .*\n)*?  value: )([0-9.]+)")
"""Shaoxing's GDP growth in H1 2024, quoted in the story as a percentage."""
KICKER = '<p class="kicker">'
REBUILT = re.compile(
    r"changed: (?:re-rendered (\d+) page\(s\)|full rebuild), wrote \d+ file\(s\) in (\d+) ms"
)

PAINTED = "() => new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)))"
"""Resolves once the browser has drawn the frame after the change: on screen, not only in
the document."""

Edit = Callable[[int], str]
"""Makes edit number i; returns a JavaScript condition that holds once it is on screen."""


def edits(project: Path) -> dict[str, Edit]:
    figures = project / "content/data/figures.yaml"
    story = project / "content/pages/index.md"
    template = project / "templates/story.html"
    figures_text, story_text = (
        figures.read_text(encoding="utf-8"),
        story.read_text(encoding="utf-8"),
    )
    template_text = template.read_text(encoding="utf-8")
    assert GROWTH.search(figures_text) and SENTENCE in story_text and KICKER in template_text

    def number(i: int) -> str:
        value = f"{40 + i}.37"
        figures.write_text(
            GROWTH.sub(lambda m: m.group(1) + value, figures_text, count=1), encoding="utf-8"
        )
        return f"document.body.textContent.includes('{value}%')"

    def prose(i: int) -> str:
        story.write_text(
            story_text.replace(SENTENCE, f"The wider economy grew too (edit {i}).", 1),
            encoding="utf-8",
        )
        return f"document.body.textContent.includes('(edit {i}).')"

    def template_edit(i: int) -> str:
        template.write_text(
            template_text.replace(KICKER, f'<p class="kicker" data-edit="{i}">', 1),
            encoding="utf-8",
        )
        return f"document.querySelector('[data-edit=\"{i}\"]') !== null"

    return {
        "number edit (figures.yaml)": number,
        "prose edit (index.md)": prose,
        "template edit (story.html)": template_edit,
    }


def measure(page, edit: Edit, count: int, gap: float) -> tuple[list[float], int]:
    """Milliseconds from save to screen for `count` edits, after one warm-up edit, and how
    many of the counted edits loaded the page anew (the others were swapped in place)."""
    times, loads = [], []

    def navigated(frame) -> None:
        if frame is page.main_frame:
            loads.append(frame.url)

    page.on("framenavigated", navigated)
    for i in range(count + 1):
        if i == 1:
            loads.clear()  # the warm-up's
        start = time.perf_counter()
        condition = edit(i)
        page.wait_for_function(f"() => document.body && {condition}", polling=5, timeout=30_000)
        page.evaluate(PAINTED)
        if i:
            times.append((time.perf_counter() - start) * 1000)
        time.sleep(gap)  # let the page finish loading, as between an editor's saves
    page.remove_listener("framenavigated", navigated)
    return times, len(loads)


def server_lines(log: Path, seen: int) -> tuple[list[tuple[int | None, int]], int]:
    """(pages rendered or None for a full rebuild, ms) of each rebuild logged since line `seen`."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    found = [
        (int(m.group(1)) if m.group(1) else None, int(m.group(2)))
        for m in map(REBUILT.search, lines[seen:])
        if m
    ]
    return found, len(lines)


def report(
    label: str, times: list[float], loads: int, rebuilds: list[tuple[int | None, int]]
) -> None:
    ms = sorted(times)
    pages = sorted({"full" if n is None else n for n, _ in rebuilds}, key=str)
    server = statistics.median(t for _, t in rebuilds) if rebuilds else float("nan")
    print(
        f"{label:<28} median {statistics.median(ms):5.0f} ms  (min {ms[0]:.0f}, max {ms[-1]:.0f}, "
        f"{len(ms)} edits, {loads} loaded the page anew); server rebuild median {server:.0f} ms, "
        f"pages rendered {pages}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--edits", type=int, default=9, help="counted edits of each kind (default 9, at least 7)"
    )
    parser.add_argument(
        "--gap", type=float, default=0.5, help="seconds between edits (default 0.5)"
    )
    args = parser.parse_args()
    if args.edits < 7:
        parser.error("--edits must be at least 7, for a median worth reading")
    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project")
        theme_override(project, "templates/story.html")  # the template the edits change
        preview = Preview(project, free_port())
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_page()
                page.goto(preview.url())
                wait_connected(page)
                seen = server_lines(preview.log, 0)[1]
                for label, edit in edits(project).items():
                    times, loads = measure(page, edit, args.edits, args.gap)
                    rebuilds, seen = server_lines(preview.log, seen)
                    # the warm-up's rebuild is not counted
                    results.append((label, times, loads, rebuilds[1:]))
                browser.close()
        finally:
            preview.stop()
    print("Save to browser, story page (en/), Chromium:")
    for label, times, loads, rebuilds in results:
        report(label, times, loads, rebuilds)


if __name__ == "__main__":
    main()
