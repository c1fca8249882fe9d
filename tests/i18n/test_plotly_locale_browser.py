"""An interactive chart speaks the page's language: plotly.js's own locale for it (month
names, its few words) is shipped and selected for every language that has one, not only
Chinese. Checked in Chromium on made-up one-language sites in French and in German."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_languages import catalogue
from tiangong_site import cli
from tiangong_site.starter import init_project

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"

WORDS = {
    "fr": ("Une histoire", "Des lieux inventés.", "La rédaction", "Habitants par lieu"),
    "de": ("Eine Geschichte", "Erfundene Orte.", "Die Redaktion", "Einwohner je Ort"),
}

SITE = """\
title: "{0}"
description: "{1}"
base_url: "http://127.0.0.1/"
languages: [{lang}]
authors:
  - name: "{2}"
publisher: "{2}"
published: "2025-01-01"
timezone: UTC
output_dir: _site
"""


def one_language_site(root: Path, lang: str) -> Path:
    """The starter, made a site in `lang` only (its chart's title in that language), with a
    catalogue of interface words for it; built into root/_site."""
    init_project(root)
    words = WORDS[lang]
    (root / "content" / "site.yaml").write_text(SITE.format(*words, lang=lang), "utf-8")
    charts = root / "content" / "charts.yaml"
    text = charts.read_text("utf-8")
    charts.write_text(text.replace("Residents of each place (example figures)", words[3]), "utf-8")
    catalogue(root, lang)
    assert cli.main(["build", "--project", str(root), "-q"]) == 0
    return root / "_site"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    site = one_language_site(tmp_path / "project", request.param)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


# The chart's locale, and how plotly.js writes a date with it (Sunday 1 December 2024;
# plotly's own English would be "December · Sun").
PLOTLY_SAYS = """() => {
  const gd = document.querySelector('.chart-canvas');
  const sunday = new Date(Date.UTC(2024, 11, 1));
  return [gd._context.locale, gd._fullLayout._d3locale.timeFormat('%B · %a')(sunday)];
}"""


@pytest.mark.parametrize(
    ("served", "locale", "month"),
    [("fr", "fr", "Décembre · Dim"), ("de", "de", "Dezember · So")],
    indirect=["served"],
)
def test_an_interactive_chart_names_months_in_the_pages_language(browser, served, locale, month):
    page = browser.new_page()
    try:
        page.goto(served)
        page.click(".chart-plot")  # a reader asks for the interactive chart
        page.wait_for_function(
            "() => document.querySelector('.chart-plot').getAttribute('data-state') === 'drawn'",
            timeout=30_000,
        )
        assert page.evaluate(PLOTLY_SAYS) == [locale, month]
    finally:
        page.close()
