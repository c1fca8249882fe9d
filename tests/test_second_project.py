"""A second project, on another subject (ferry routes of a made-up harbour), in English only,
with CSV data, a grouped collection, one chart, one Markdown page and its own template
override, builds from its files alone: no Python. Read as a reader sees it, in Chromium."""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO
from tiangong_site import cli

sys.path.insert(0, str(REPO / "tests" / "browser"))  # whatever pytest's import mode
from browser_support import (  # noqa: E402
    AXE_JS,
    CHROMIUM_ARGS,
    SiteServer,
    discover_pages,
    require_chromium,
)

FERRIES = REPO / "tests" / "projects" / "ferries"
CODES = ["f1", "f2", "f3", "f4", "f5"]
"""The routes of content/data/routes.csv."""
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE_RUN_JS = """
async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                     resultTypes: ['violations']});
  return r.violations.map((x) => `${x.id}: ${x.help} (${x.nodes.length} nodes)`);
}
"""


def _copy(root: Path) -> Path:
    """The project, copied: a build writes its drawing cache beside the content."""
    shutil.copytree(FERRIES, root)
    return root


def test_the_second_project_is_made_of_declarations_and_templates_only():
    files = [p.relative_to(FERRIES).as_posix() for p in FERRIES.rglob("*") if p.is_file()]
    assert not [f for f in files if f.endswith(".py")]
    assert "content/datapackage.yaml" in files and "content/data/routes.csv" in files
    base = (FERRIES / "templates" / "base.html").read_text(encoding="utf-8")
    assert base.startswith('{% extends "theme/base.html" %}')


@pytest.mark.slow
def test_the_second_project_passes_check_strict_and_builds_its_pages(run_cli, tmp_path):
    project = _copy(tmp_path / "ferries")
    checked = run_cli("check", "--strict", "--project", project)
    assert checked.code == 0, checked.err
    built = run_cli("build", "--project", project)
    assert built.code == 0, built.err
    site = project / "_site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in home and 'id="chart-sailings-by-route"' in home
    assert "Illustrative sample: made-up routes and figures." in home  # the base override
    for code in CODES:
        assert (site / "routes" / code / "index.html").is_file()
    river = (site / "waters" / "river" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Routes: River</h1>" in river
    assert re.findall(r'href="/ferries/routes/(\w+)/"', river) == ["f5"]
    assert not (site / "en").exists()  # one language: no language folders


# --- as a reader sees it ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteServer, Path]]:
    """The project built for, and served by, a local server on a free port."""
    project = _copy(tmp_path_factory.mktemp("second") / "ferries")
    server = SiteServer(prefix="/ferries/")
    output = project.parent / "out"
    args = ["build", "--project", str(project), "--output", str(output), "-q"]
    assert cli.main([*args, "--base-url", server.base_url]) == 0
    server.start(output)
    yield server, output
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.mark.browser
def test_the_home_page_shows_the_charts_drawing(served, page):
    server, _ = served
    assert page.goto(server.url()).status == 200
    drawing = page.locator("#chart-sailings-by-route svg.chart-svg:visible")
    assert drawing.count() == 1
    box = drawing.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 150
    assert drawing.locator("text", has_text="Quay Street to North Pier").count() == 1


@pytest.mark.browser
def test_a_route_page_shows_its_records_values(served, page):
    server, _ = served
    assert page.goto(server.url("routes/f2/")).status == 200
    assert page.locator("h1").inner_text() == "Quay Street to Gull Island"
    assert page.locator("dd.crossing").inner_text() == "35 minutes"
    assert page.locator("dd.sailings").inner_text() == "12"
    assert page.locator("dd.since").inner_text() == "2004"
    assert page.locator("dd.step-free").inner_text() == "yes"
    page.locator(".kicker a").click()  # the route's body of water, by its label
    assert page.locator("h1").inner_text() == "Routes: Outer bay"


@pytest.mark.browser
def test_the_group_pages_link_every_record_once(served, page):
    server, _ = served
    linked: list[str] = []
    for water in ("inner-harbour", "outer-bay", "river"):
        assert page.goto(server.url(f"waters/{water}/")).status == 200
        links = page.locator("ul.routes a")
        targets = [
            (links.nth(i).inner_text(), links.nth(i).get_attribute("href"))
            for i in range(links.count())
        ]
        for name, href in targets:
            assert page.goto(f"http://127.0.0.1:{server.port}{href}").status == 200
            assert page.locator("h1").inner_text() == name
            linked.append(href.rstrip("/").rsplit("/", 1)[-1])
    assert sorted(linked) == CODES


@pytest.mark.browser
def test_every_page_is_in_english_and_axe_finds_no_violations(served, page):
    server, output = served
    pages = discover_pages(output, server.base_url)
    assert len(pages) >= 10
    axe = AXE_JS.read_text(encoding="utf-8")
    for found in pages:
        response = page.goto(server.url(found.path))
        assert response is not None and response.status == 200, found.path
        assert page.evaluate("document.documentElement.lang") == "en", found.path
        page.evaluate(axe)  # evaluate is not subject to the page's CSP
        violations = page.evaluate(AXE_RUN_JS, AXE_TAGS)
        assert violations == [], f"{found.path}: {violations}"
