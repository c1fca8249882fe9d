"""Fixtures for the browser tests.

The site is built once per session into a temporary folder, with the base URL
http://127.0.0.1:PORT/tiangong-site/, and served by a real HTTP server on that port. Pages
and charts are discovered from the build, so tests are parametrized over whatever the
content currently holds.

Loading a page is the slow part, so each page is visited a few times only (light and dark
at 360x740 with JavaScript, and once without JavaScript if it has charts); a visit records
everything the tests assert on (console errors, requests, chart states, layout, focus, axe
results) and is shared by the tests through a session-scoped cache. One Chromium serves the
whole session, driven from a background thread; visits run a few at a time
(TIANGONG_BROWSER_JOBS, default CPU count + 1, at most 4), each in a tab of its colour
scheme that is reused from page to page with the HTTP cache off (every request is still
seen, and V8 compiles axe-core once per tab instead of once per page).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import os
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # whatever pytest's import mode

from browser_support import (  # noqa: E402
    AXE_JS,
    DRAW_ALL_CHARTS_JS,
    Chart,
    Page,
    SiteServer,
    build_site,
    discover_pages,
    launch_chromium,
)

MOBILE = {"width": 360, "height": 740}
SCHEMES = ("light", "dark")
CHART_TIMEOUT_MS = 20_000
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
VISIT_TIMEOUT_S = 90
# Pages visited at once: Chromium renders them in parallel while Python waits.
JOBS = int(os.environ.get("TIANGONG_BROWSER_JOBS") or min(4, (os.cpu_count() or 2) + 1))


@dataclass
class Site:
    dir: Path
    server: SiteServer
    pages: list[Page]

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def url(self, path: str) -> str:
        return self.server.url(path)

    @property
    def charts(self) -> list[Chart]:
        return [c for p in self.pages for c in p.charts]

    @property
    def plotly_prefix(self) -> str:
        return self.url("assets/plotly")


_site: Site | None = None
_site_error: str | None = None


def _get_site() -> Site | None:
    """Build and serve the site once; at collection time, so tests can be parametrized over
    its pages. A failed build is reported by every test instead of breaking collection."""
    global _site, _site_error
    if _site is None and _site_error is None:
        tmp = Path(tempfile.mkdtemp(prefix="tiangong-browser-"))
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
        server = SiteServer()
        try:
            build_site(tmp / "site", server.base_url)
            pages = discover_pages(tmp / "site", server.base_url)
        except Exception as exc:  # reported by the `site` fixture
            server.httpd.server_close()
            _site_error = str(exc)
            return None
        server.start(tmp / "site")
        atexit.register(server.stop)
        _site = Site(tmp / "site", server, pages)
    return _site


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    names = metafunc.fixturenames
    if not {"page_info", "chart_info", "chart_page", "scheme"} & set(names):
        return
    if "not browser" in (metafunc.config.getoption("markexpr", "") or ""):
        site = None  # deselected anyway: do not build the site for nothing
        _ids = ["browser-tests-deselected"]
    else:
        site = _get_site()
        _ids = ["site-did-not-build"]
    if "scheme" in names:
        metafunc.parametrize("scheme", SCHEMES)
    if site is None:
        for name in ("page_info", "chart_info", "chart_page"):
            if name in names:
                metafunc.parametrize(name, [None], ids=_ids)
        return
    if "page_info" in names:
        metafunc.parametrize("page_info", site.pages, ids=[p.test_id for p in site.pages])
    if "chart_page" in names:
        chart_pages = [p for p in site.pages if p.charts]
        metafunc.parametrize(
            "chart_page",
            chart_pages or [None],
            ids=[p.test_id for p in chart_pages] or ["no-page-has-a-chart"],
        )
    if "chart_info" in names:
        charts = site.charts
        metafunc.parametrize(
            "chart_info",
            charts or [None],
            ids=[c.test_id for c in charts] or ["no-chart-in-the-build"],
        )


@pytest.fixture(scope="session")
def site() -> Site:
    s = _get_site()
    if s is None:
        pytest.fail(
            f"The site did not build, so no browser test can run:\n{_site_error}", pytrace=False
        )
    return s


class BrowserThread:
    """One Chromium for the session, driven by Playwright's async API on an event loop in a
    background thread, so several pages can be visited at once while tests run."""

    def __init__(self) -> None:
        from playwright.async_api import async_playwright

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="playwright", daemon=True)
        self.thread.start()

        async def start():
            self.playwright = await async_playwright().start()
            try:
                self.browser = await launch_chromium(self.playwright)
            except BaseException:
                await self.playwright.stop()
                raise

        try:
            self.call(start())
        except BaseException:
            self.loop.call_soon_threadsafe(self.loop.stop)
            raise

    def submit(self, coro) -> concurrent.futures.Future:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def call(self, coro, timeout: float | None = 120):
        return self.submit(coro).result(timeout)

    def close(self) -> None:
        async def stop():
            await self.browser.close()
            await self.playwright.stop()

        try:
            self.call(stop(), timeout=30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)


@pytest.fixture(scope="session")
def browser():
    try:
        import playwright.async_api  # noqa: F401
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        pytest.fail(
            f"Playwright for Python is not installed ({exc}); run `make deps`.", pytrace=False
        )
    try:
        bt = BrowserThread()
    except Exception as exc:
        pytest.fail(f"Could not start Chromium: {exc}", pytrace=False)
    yield bt
    bt.close()


# ---------------------------------------------------------------------------------------
# Visits


@dataclass
class Visit:
    url: str
    scheme: str
    status: int | None = None
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    # before any scrolling, once the page has loaded and settled
    viewport_height: int = 0
    chart_tops: list[float] = field(default_factory=list)
    requests_at_load: list[str] = field(default_factory=list)
    requests_after_scroll: list[str] = field(default_factory=list)
    # after every chart was scrolled into view
    charts: list[dict[str, Any]] = field(default_factory=list)
    overflow: dict[str, Any] = field(default_factory=dict)
    overflow_at_load: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    focus: dict[str, Any] = field(default_factory=dict)
    axe: list[dict[str, Any]] | None = None
    axe_error: str | None = None

    def errors(self) -> list[str]:
        return (
            [f"console error: {e}" for e in self.console_errors]
            + [f"page error: {e}" for e in self.page_errors]
            + [f"request failed: {e}" for e in self.failed_requests]
            + [f"HTTP error: {e}" for e in self.bad_responses]
        )


OVERFLOW_JS = r"""
() => {
  const doc = document.documentElement;
  const cw = doc.clientWidth;
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.classList.length) s += "." + [...el.classList].join(".");
    return s;
  };
  const path = (el) => {
    const parts = [];
    for (let e = el; e && e !== doc; e = e.parentElement) parts.unshift(describe(e));
    return parts.join(" > ");
  };
  const clipped = (el) => {
    for (let e = el.parentElement; e && e !== doc && e !== document.body; e = e.parentElement) {
      const o = getComputedStyle(e).overflowX;
      if (o !== "visible") return true;
    }
    return false;
  };
  const offenders = [];
  if (doc.scrollWidth > cw) {
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= cw + 0.5 || clipped(el)) continue;
      const parent = el.parentElement.getBoundingClientRect();
      if (el.parentElement === document.body || parent.right <= cw + 0.5) {
        offenders.push(`${path(el)} (right edge at ${Math.round(r.right)}px)`);
      }
      if (offenders.length >= 8) break;
    }
  }
  return {scrollWidth: doc.scrollWidth, clientWidth: cw, offenders};
}
"""

FACTS_JS = r"""
() => {
  // classic scripts and modules; data blocks such as application/ld+json never run
  const executable = /^(|module|(text|application)\/(x-)?(java|ecma)script)$/i;
  const csp = [...document.querySelectorAll('meta[http-equiv]')]
    .filter((m) => m.httpEquiv.toLowerCase() === "content-security-policy").map((m) => m.content);
  const externals = [...document.querySelectorAll("a[href]")]
    .filter((a) => /^https?:$/.test(a.protocol) && a.origin !== location.origin)
    .map((a) => ({
      href: a.getAttribute("href"),
      rel: (a.getAttribute("rel") || "").split(/\s+/).filter(Boolean),
      text: a.textContent.trim().slice(0, 80),
    }));
  return {
    lang: document.documentElement.getAttribute("lang"),
    h1: [...document.querySelectorAll("h1")].map((h) => h.textContent.trim().slice(0, 80)),
    csp,
    inline_scripts: [...document.scripts]
      .filter((s) => !s.src && executable.test((s.type || "").trim())).length,
    plotly: [...document.querySelectorAll("script[data-plotly]")]
      .map((s) => new URL(s.getAttribute("data-plotly"), location.href).href),
    externals,
  };
}
"""

FOCUS_INFO_JS = r"""
() => {
  const el = document.activeElement;
  const main = document.querySelector("main");
  if (!el || el === document.body || el === document.documentElement) {
    return {none: true, main: !!main};
  }
  const r = el.getBoundingClientRect();
  const follows = main
    ? !!(main.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) || main.contains(el)
    : false;
  return {
    none: false,
    tag: el.tagName.toLowerCase(),
    html: el.outerHTML.slice(0, 120),
    href: el.getAttribute("href"),
    is_main: el === main,
    in_main: !!main && main.contains(el),
    at_or_after_main: el === main || follows,
    main_id: main ? main.id : null,
    visible: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0
      && r.left < innerWidth && r.top < innerHeight,
  };
}
"""


# Charts are drawn at build time, so nothing needs waiting for but a couple of frames (and
# anything charts.js might wrongly start at load gets time to be requested).
SETTLE_JS = r"""
async () => {
  const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  await frames();
  await new Promise((r) => setTimeout(r, 200));
}
"""

# Each chart's drawing as the reader sees it: the build-time SVG showing (one of the wide and
# phone drawings), its box, and its marks (shapes in a series colour).
VISIBLE_DRAWING_JS = r"""
(plot) => {
  const shown = [...plot.querySelectorAll('svg.chart-svg')]
    .filter((s) => getComputedStyle(s).display !== 'none');
  const svg = shown[0];
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const marks = svg
    ? [...svg.querySelectorAll('path, rect, circle')]
      .filter((e) => /--chart-(c\d|muted)/.test(e.getAttribute('style') || ''))
    : [];
  return {shown: shown.length,
          variant: svg ? (svg.classList.contains('chart-svg-narrow') ? 'narrow' : 'wide') : null,
          width: box.width, height: box.height, marks: marks.length};
}
"""

CHARTS_JS = (
    r"""
() => [...document.querySelectorAll('.chart-plot')].map((el) => Object.assign({
  figure: el.getAttribute('data-figure'),
  state: el.getAttribute('data-state'),
}, ("""
    + VISIBLE_DRAWING_JS.strip()
    + r""")(el)))
"""
)

AT_LOAD_JS = f"""
() => ({{
  vh: innerHeight,
  tops: [...document.querySelectorAll('.chart-plot')]
    .map((e) => e.getBoundingClientRect().top + scrollY),
  overflow: ({OVERFLOW_JS.strip()})(),
}})
"""

AFTER_DRAW_JS = f"""
() => ({{charts: ({CHARTS_JS.strip()})(), overflow: ({OVERFLOW_JS.strip()})()}})
"""

AXE_RUN_JS = r"""
async (tags) => {
  const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
  const r = await axe.run(document, options);
  return r.violations.map((x) => ({id: x.id, impact: x.impact, help: x.help, helpUrl: x.helpUrl,
    nodes: x.nodes.map((n) => ({target: n.target.map(String).join(' '), summary: n.failureSummary,
                                html: n.html.slice(0, 160)}))}));
}
"""

# With JavaScript off (page.evaluate still works: it is not the page's own script).
NOJS_CHARTS_JS = (
    r"""
() => [...document.querySelectorAll('.chart-plot')].map((plot) => {
  const figure = plot.closest('figure') || plot.parentElement;
  const text = (e) => e.textContent.replace(/\s+/g, ' ').trim();
  const link = (label) => {
    const a = [...figure.querySelectorAll('a[href]')].find((a) => text(a) === label);
    return a ? a.href : null;
  };
  const table = figure.querySelector('table');
  return {
    figure: plot.getAttribute('data-figure'),
    state: plot.getAttribute('data-state'),
    drawing: ("""
    + VISIBLE_DRAWING_JS.strip()
    + r""")(plot),
    tables: figure.querySelectorAll('table').length,
    headers: table ? [...table.querySelectorAll('thead th')].map(text) : [],
    rows: table ? table.querySelectorAll('tbody tr').length : 0,
    csv: link('CSV'),
    json: link('JSON'),
  };
})
"""
)


@dataclass
class Tab:
    context: Any
    page: Any
    cdp: Any
    visit: Visit | None = None


class Visitor:
    """Visits pages and remembers what it saw, so each page is loaded only a few times.

    On first use it schedules every visit the tests will read (each page light and dark,
    and each page with charts without JavaScript), JOBS at a time, in a fresh browser
    context each; tests then wait for the visit they need."""

    def __init__(self, bt: BrowserThread, site: Site, jobs: int = JOBS):
        self.bt, self.site = bt, site
        self.jobs = jobs
        self._futures: dict[tuple[str, str], concurrent.futures.Future] = {}
        self._axe_source: str | None = None
        self._semaphore: asyncio.Semaphore | None = None
        self._tabs: dict[str, list[Tab]] = {}
        self._all_tabs: list[Tab] = []

    @property
    def axe_source(self) -> str:
        if self._axe_source is None:
            if not AXE_JS.is_file():
                raise RuntimeError(f"axe-core is missing: {AXE_JS} not found (run `npm ci`).")
            self._axe_source = AXE_JS.read_text(encoding="utf-8")
        return self._axe_source

    def _schedule(self, page_path: str, kind: str) -> concurrent.futures.Future:
        key = (page_path, kind)
        if key not in self._futures:
            make = self._visit_without_js if kind == "nojs" else self._visit

            async def limited():
                if self._semaphore is None:
                    self._semaphore = asyncio.Semaphore(self.jobs)
                async with self._semaphore:
                    return await asyncio.wait_for(
                        make(page_path) if kind == "nojs" else make(page_path, kind),
                        VISIT_TIMEOUT_S,
                    )

            self._futures[key] = self.bt.submit(limited())
        return self._futures[key]

    def prefetch(self, needed: list[tuple[str, str]] | None = None) -> None:
        """Schedule the visits the selected tests will read, in the order they read them
        (by default: every page light and dark, and each page with charts without JS)."""
        if needed is None:
            needed = [(p.path, s) for p in self.site.pages for s in SCHEMES]
            needed += [(p.path, "nojs") for p in self.site.pages if p.charts]
        for page_path, kind in needed:
            self._schedule(page_path, kind)

    def _result(self, page_path: str, kind: str, what: str):
        future = self._schedule(page_path, kind)
        try:
            return future.result(VISIT_TIMEOUT_S * (1 + len(self._futures) / self.jobs))
        except Exception as exc:
            pytest.fail(
                f"visiting {self.site.url(page_path)} {what} failed: {type(exc).__name__}: {exc}",
                pytrace=False,
            )

    def visit(self, page_path: str, scheme: str = "light") -> Visit:
        """The page's visit, made once; a visit that broke fails every test that reads it."""
        return self._result(page_path, scheme, f"({scheme})")

    def visit_without_js(self, page_path: str) -> dict[str, Any]:
        return self._result(page_path, "nojs", "without JavaScript")

    async def _tab(self, scheme: str) -> Tab:
        """A browser tab for this colour scheme: reused from visit to visit (a new document
        each time, with the HTTP cache off, so every request is seen), which lets V8 reuse
        its compiled axe-core instead of compiling 600 kB again for every page."""
        pool = self._tabs.setdefault(scheme, [])
        if pool:
            return pool.pop()
        context = await self.bt.browser.new_context(
            viewport=MOBILE, color_scheme=scheme, reduced_motion="reduce"
        )
        page = await context.new_page()
        cdp = await context.new_cdp_session(page)
        await cdp.send("Network.enable")
        await cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        tab = Tab(context, page, cdp)
        page.on(
            "console",
            lambda m: (
                tab.visit
                and m.type == "error"
                and tab.visit.console_errors.append(
                    f"{m.text} ({m.location.get('url')}:{m.location.get('lineNumber')})"
                )
            ),
        )
        page.on("pageerror", lambda e: tab.visit and tab.visit.page_errors.append(str(e)))
        page.on("request", lambda r: tab.visit and tab.visit.requests.append(r.url))
        page.on(
            "requestfailed",
            lambda r: (
                tab.visit and tab.visit.failed_requests.append(f"{r.method} {r.url}: {r.failure}")
            ),
        )
        page.on(
            "response",
            lambda r: (
                tab.visit
                and r.status >= 400
                and tab.visit.bad_responses.append(f"{r.status} {r.request.method} {r.url}")
            ),
        )
        self._all_tabs.append(tab)
        return tab

    async def close(self) -> None:
        for tab in self._all_tabs:
            await tab.context.close()
        self._all_tabs.clear()
        self._tabs.clear()

    async def _visit(self, page_path: str, scheme: str) -> Visit:
        url = self.site.url(page_path)
        v = Visit(url, scheme)
        tab = await self._tab(scheme)
        healthy = False
        try:
            page = tab.page
            # The tab is reused: end the last page first, so nothing it still had in flight
            # (plotly.js asked for by a focused chart, then its locale) counts as this visit's.
            tab.visit = None
            await page.goto("about:blank")
            tab.visit = v
            response = await page.goto(url, wait_until="load")
            v.status = response.status if response else None
            if scheme == "light":
                # Give anything charts.js might start at load time to be requested; then note
                # what was requested before any scrolling.
                await page.evaluate(SETTLE_JS)
                v.requests_at_load = list(v.requests)
            at_load = await page.evaluate(AT_LOAD_JS)
            v.viewport_height, v.chart_tops, v.overflow_at_load = (
                at_load["vh"],
                at_load["tops"],
                at_load["overflow"],
            )
            states = await page.evaluate(
                DRAW_ALL_CHARTS_JS, {"timeoutMs": CHART_TIMEOUT_MS, "scrollThrough": False}
            )
            after = await page.evaluate(AFTER_DRAW_JS)
            v.charts, v.overflow = after["charts"], after["overflow"]
            assert [c["state"] or "static" for c in v.charts] == states
            # Load and scrolling only, so far; tabbing may focus a chart's "Explore the data",
            # which asks for the interactive chart.
            v.requests_after_scroll = list(v.requests)
            if scheme == "light":  # the same markup in dark: read it once
                v.facts = await page.evaluate(FACTS_JS)
                v.focus = await self._keyboard(page)
            try:
                await page.evaluate(self.axe_source)  # evaluate is not subject to the page's CSP
                v.axe = await page.evaluate(AXE_RUN_JS, AXE_TAGS)
            except Exception as exc:
                v.axe_error = f"{type(exc).__name__}: {exc}"
            healthy = True
        finally:
            tab.visit = None
            if healthy:
                self._tabs[scheme].append(tab)
            else:
                self._all_tabs.remove(tab)
                await tab.context.close()
        return v

    @staticmethod
    async def _keyboard(page) -> dict[str, Any]:
        """Tab from the top of the page; if the first stop is before main, activate it and
        see where focus (or the next Tab) lands."""
        await page.evaluate(
            "() => { if (document.activeElement) document.activeElement.blur();"
            " window.scrollTo(0, 0); }"
        )
        await page.keyboard.press("Tab")
        first = await page.evaluate(FOCUS_INFO_JS)
        result: dict[str, Any] = {"first": first, "tries": 1}
        if first.get("none"):
            # Rarely, on a busy machine, the first key press reaches a page that does not have
            # focus yet; a person would simply press Tab again.
            await page.bring_to_front()
            await page.keyboard.press("Tab")
            result["first"] = first = await page.evaluate(FOCUS_INFO_JS)
            result["tries"] = 2
        if not first.get("none") and not first.get("in_main"):
            await page.keyboard.press("Enter")
            result["after_enter"] = await page.evaluate(FOCUS_INFO_JS)
            result["hash"] = await page.evaluate("location.hash")
            await page.keyboard.press("Tab")
            result["next_tab"] = await page.evaluate(FOCUS_INFO_JS)
        await page.evaluate(
            "() => { if (document.activeElement) document.activeElement.blur();"
            " window.scrollTo(0, 0); }"
        )
        return result

    async def _visit_without_js(self, page_path: str) -> dict[str, Any]:
        url = self.site.url(page_path)
        context = await self.bt.browser.new_context(viewport=MOBILE, java_script_enabled=False)
        try:
            page = await context.new_page()
            response = await page.goto(url, wait_until="load")
            charts = await page.evaluate(NOJS_CHARTS_JS)
            downloads = {}
            for c in charts:
                for kind in ("csv", "json"):
                    if c[kind] and c[kind] not in downloads:
                        r = await context.request.get(c[kind])
                        downloads[c[kind]] = {
                            "status": r.status,
                            "type": r.headers.get("content-type", ""),
                            "body": await r.text() if r.ok else "",
                        }
            return {
                "status": response.status if response else None,
                "charts": charts,
                "downloads": downloads,
            }
        finally:
            await context.close()


def _visits_needed(items: list[pytest.Item]) -> list[tuple[str, str]]:
    """(page path, "light" | "dark" | "nojs") for each selected test that reads a visit."""
    needed: list[tuple[str, str]] = []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        target = params.get("page_info") or params.get("chart_page") or params.get("chart_info")
        if target is None or "visitor" not in getattr(item, "fixturenames", ()):
            continue
        path = target.page if isinstance(target, Chart) else target.path
        kind = "nojs" if item.get_closest_marker("nojs") else params.get("scheme", "light")
        if (path, kind) not in needed:
            needed.append((path, kind))
    return needed


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "nojs: the test reads the page as visited with JavaScript off"
    )


@pytest.fixture(scope="session")
def visitor(browser, site, request):
    v = Visitor(browser, site)
    v.prefetch(_visits_needed(request.session.items))
    yield v
    browser.call(v.close())
