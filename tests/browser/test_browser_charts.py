"""Charts: drawn at build time, so each is there at first paint as its SVG (the phone drawing
at 360 px), and plotly.js is never fetched while a page loads or scrolls; without JavaScript,
each chart's drawing, its table and its CSV and JSON downloads."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.browser


def _require(target, what: str):
    if target is None:
        pytest.fail(
            f"the build has no {what}, so the chart tests have nothing to check", pytrace=False
        )
    return target


def test_chart_is_drawn_at_first_paint(visitor, chart_info, scheme):
    _require(chart_info, "chart")
    v = visitor.visit(chart_info.page, scheme)
    assert len(v.charts) > chart_info.index, (
        f"{v.url}: chart {chart_info.figure} not found on the page"
    )
    c = v.charts[chart_info.index]
    assert c["figure"] == chart_info.figure
    context = f"{v.url} ({scheme}), chart {chart_info.name}"
    assert c["state"] is None, (
        f"{context}: charts.js started an interactive chart nobody asked for ({c['state']})"
    )
    assert c["shown"] == 1, f"{context}: {c['shown']} drawings showing, not exactly one"
    assert c["variant"] == "narrow", (
        f"{context}: at 360 px the phone drawing should show, not the {c['variant']} one"
    )
    assert c["width"] > 0 and c["height"] > 0, (
        f"{context}: the drawing has no box ({c['width']}x{c['height']})"
    )
    assert c["marks"] > 0, f"{context}: the drawing has no bars, points or lines in a series colour"


BASIS_HEADERS = {"Basis", "依据", "Note on the basis", "依据说明"}
"""Table headers of the basis (status) columns, which the downloads write as a code instead."""


def test_plotly_is_never_fetched_while_the_page_loads_or_scrolls(visitor, chart_page):
    """The visit loads the page and scrolls every chart into view: plotly.js and the figures
    are fetched only when a reader asks (a tap, a resting pointer, or focus on a chart's
    "Explore the data": see test_browser_chart_interaction.py)."""
    _require(chart_page, "page with a chart")
    v = visitor.visit(chart_page.path, "light")
    bundles = v.facts["plotly"]
    assert len(bundles) == 1, (
        f"{v.url}: expected one chart script naming the plotly.js bundle (data-plotly), "
        f"found {bundles}"
    )
    fetched = [
        u
        for u in v.requests_after_scroll
        if u == bundles[0] or u.endswith("/figure.json") or "plotly" in u.rsplit("/", 1)[-1]
    ]
    assert fetched == [], f"{v.url}: fetched during load and scrolling: {fetched}"


class _Loads(HTMLParser):
    """What an HTML file loads by itself: script src, link href, and data-plotly values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.loads: list[str] = []
        self.bundles: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.loads.append(a["src"])
        if tag == "link" and a.get("href"):
            self.loads.append(a["href"])
        if a.get("data-plotly"):
            self.bundles.append(a["data-plotly"])


def test_plotly_is_not_in_the_initial_html(site, chart_page):
    """The bundle is named only in charts.js's data-plotly, never loaded by a <script src>
    or preloaded by a <link>."""
    _require(chart_page, "page with a chart")
    parser = _Loads()
    parser.feed(chart_page.file.read_text(encoding="utf-8"))
    assert parser.bundles, (
        f"{chart_page.test_id} has charts but no script names the plotly.js bundle (data-plotly)"
    )
    eager = [u for u in parser.loads if u in parser.bundles or "plotly" in u.lower()]
    assert not eager, f"{chart_page.test_id} loads plotly.js up front: {eager}"


def _rows(payload):
    if isinstance(payload, dict):
        for key in ("rows", "data", "records"):
            if isinstance(payload.get(key), list):
                return payload[key]
    if isinstance(payload, list):
        return payload
    keys = list(payload) if isinstance(payload, dict) else type(payload)
    raise AssertionError(f"the JSON download holds no list of rows: keys {keys}")


@pytest.mark.nojs
def test_chart_table_and_downloads_without_javascript(visitor, chart_info):
    _require(chart_info, "chart")
    nojs = visitor.visit_without_js(chart_info.page)
    assert nojs["status"] == 200
    assert len(nojs["charts"]) > chart_info.index, (
        f"{chart_info.test_id}: chart not found with JavaScript off"
    )
    c = nojs["charts"][chart_info.index]
    where = f"{chart_info.test_id} (JavaScript off)"
    assert c["state"] is None, f"{where}: charts.js ran (data-state={c['state']!r})"
    drawing = c["drawing"]
    assert drawing["shown"] == 1 and drawing["width"] > 0 and drawing["height"] > 0, (
        f"{where}: the chart's drawing is not visible: {drawing}"
    )
    assert drawing["marks"] > 0, f"{where}: the drawing has no marks"
    assert c["tables"] >= 1, f"{where}: the chart has no data table"
    assert c["headers"], f"{where}: the table has no header row"
    assert c["rows"] > 0, f"{where}: the table has no rows"

    assert c["csv"], f"{where}: no CSV download link"
    d = nojs["downloads"][c["csv"]]
    assert d["status"] == 200, f"{where}: {c['csv']} answered HTTP {d['status']}"
    assert d["body"].startswith("\ufeff"), f"{where}: {c['csv']} lacks the UTF-8 byte order mark"
    table = list(csv.reader(io.StringIO(d["body"].removeprefix("\ufeff"))))
    assert table, f"{where}: {c['csv']} is empty"
    # The download has the table's columns, the basis and its note as codes and text of their
    # own (never the table's words for them), and the qualifier.
    shown = [h for h in c["headers"] if h not in BASIS_HEADERS]
    assert table[0][: len(shown)] == shown, (
        f"{where}: CSV header {table[0]} differs from the table header {c['headers']}"
    )
    body = [r for r in table[1:] if r]
    assert len(body) == c["rows"], f"{where}: CSV has {len(body)} rows, the table {c['rows']}"

    assert c["json"], f"{where}: no JSON download link"
    d = nojs["downloads"][c["json"]]
    assert d["status"] == 200, f"{where}: {c['json']} answered HTTP {d['status']}"
    payload = json.loads(d["body"])
    rows = _rows(payload)
    assert len(rows) == c["rows"], f"{where}: JSON has {len(rows)} rows, the table {c['rows']}"
    if isinstance(payload, dict) and isinstance(payload.get("columns"), list):
        headers = [col.get("header") for col in payload["columns"] if isinstance(col, dict)]
        assert headers == table[0], (
            f"{where}: JSON column headers {headers} differ from the CSV's {table[0]}"
        )
