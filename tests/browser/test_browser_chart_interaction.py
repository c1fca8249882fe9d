"""Charts when a reader does something: a swipe over a chart scrolls the page (drawing or
interactive chart); a tap fetches plotly.js, then, and puts the interactive chart in the same
box with a tooltip at the point tapped, in Chinese on the Chinese pages; print shows every
chart's drawing and its table, with or without JavaScript; and an embed on another site fits
its iframe to its content at any width.

Each test opens its own pages (touch, print or a host page), in the session's Chromium."""

from __future__ import annotations

import html
import re
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "has_touch": True,
    "is_mobile": True,
    "device_scale_factor": 2,
}

# The centre of the biggest filled mark (a bar, a point) of the drawing showing, in the
# viewport; of equal marks the lowest, so a point rather than its legend entry.
MARK_JS = r"""
(plot) => {
  const svg = [...plot.querySelectorAll('svg.chart-svg')]
    .find((s) => getComputedStyle(s).display !== 'none');
  let best = null;
  for (const e of svg.querySelectorAll('path, rect')) {
    if (!/fill:var\(--chart-(c\d|muted)\)/.test(e.getAttribute('style') || '')) continue;
    const r = e.getBoundingClientRect();
    const area = Math.round(r.width * r.height);
    const better = !best || area > best.area || (area === best.area && r.y > best.top);
    if (r.width > 0 && r.height > 0 && better) {
      best = {area, top: r.y, x: r.x + r.width / 2, y: r.y + r.height / 2};
    }
  }
  return best;
}
"""


def _story_pages(site) -> list:
    pages = [p for p in site.pages if p.charts and "/charts/" not in f"/{p.path}"]
    if not pages:
        pytest.fail("the build has no story page with charts", pytrace=False)
    return pages


def _plotly(url: str) -> bool:
    return "plotly" in url.rsplit("/", 1)[-1]


SETTLED_JS = r"""
async (el) => {
  const pause = () => new Promise((r) => setTimeout(r, 120));
  let last = -1;
  for (let i = 0; i < 30 && scrollY !== last; i++) {  // a fling ends
    last = scrollY;
    await pause();
  }
  el.scrollIntoView({block: 'center'});
  await pause();
}
"""


async def _center(page, plot) -> None:
    """Scroll the chart to the middle of the screen, once any scrolling in progress has ended."""
    await plot.evaluate(SETTLED_JS)


async def _tap_each_chart(browser, site, page_info) -> list[str]:
    """Tap the biggest mark of each chart in turn; returns what went wrong."""
    problems: list[str] = []
    context = await browser.browser.new_context(**PHONE)
    try:
        page = await context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        await page.goto(site.url(page_info.path), wait_until="load")
        await page.wait_for_timeout(300)
        if [u for u in requests if _plotly(u)]:
            problems.append(f"plotly fetched before any tap: {[u for u in requests if _plotly(u)]}")
        for n, plot in enumerate(await page.query_selector_all(".chart-plot")):
            await _center(page, plot)
            before = await plot.bounding_box()
            mark = await plot.evaluate(MARK_JS)
            fetched = len([u for u in requests if _plotly(u)])
            await page.touchscreen.tap(mark["x"], mark["y"])
            try:
                await page.wait_for_function(
                    "(el) => el.getAttribute('data-state') === 'drawn'", arg=plot, timeout=20_000
                )
                await page.wait_for_function(
                    "(el) => el.querySelector('.hoverlayer .hovertext')", arg=plot, timeout=5_000
                )
            except Exception as exc:
                problems.append(
                    f"chart {n}: no interactive chart with a tooltip after a tap "
                    f"({type(exc).__name__})"
                )
                continue
            after = await plot.bounding_box()
            if abs(after["height"] - before["height"]) > 1 or abs(after["y"] - before["y"]) > 1:
                problems.append(f"chart {n}: the box moved or changed size: {before} -> {after}")
            if n == 0 and not [u for u in requests if _plotly(u)][fetched:]:
                problems.append("the first tap did not fetch plotly.js")
        if page_info.path.startswith("zh/"):
            locale = await page.evaluate("document.querySelector('.chart-canvas')._context.locale")
            if locale != "zh-CN":
                problems.append(
                    f"the Chinese edition's interactive charts speak {locale}, not zh-CN"
                )
    finally:
        await context.close()
    return problems


def test_tapping_a_chart_fetches_plotly_then_and_shows_a_tooltip_in_the_same_box(browser, site):
    problems = []
    for page_info in _story_pages(site):
        problems += [
            f"{page_info.test_id}: {p}"
            for p in browser.call(_tap_each_chart(browser, site, page_info), timeout=300)
        ]
    assert problems == []


async def _hover_intent(browser, site, page_info) -> list[str]:
    """A desktop visit: a mouse left still while the page scrolls a chart under it fetches
    nothing; a mouse moved onto a chart and resting there draws the interactive chart."""
    problems: list[str] = []
    context = await browser.browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = await context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        await page.goto(site.url(page_info.path), wait_until="load")
        plot = (await page.query_selector_all(".chart-plot"))[0]
        box = await plot.bounding_box()
        await page.mouse.move(640, 400)  # the pointer rests mid-screen, then the page scrolls
        for _ in range(int(box["y"] // 200) + 4):
            await page.mouse.wheel(0, 200)
            await page.wait_for_timeout(120)
        await plot.evaluate("(el) => el.scrollIntoView({block: 'center'})")  # under the pointer
        await page.wait_for_timeout(800)
        if [u for u in requests if _plotly(u)]:
            problems.append("a chart scrolled under a still pointer fetched plotly.js")
        await _center(page, plot)
        mark = await plot.evaluate(MARK_JS)
        await page.mouse.move(mark["x"] - 8, mark["y"] - 8)
        await page.mouse.move(mark["x"], mark["y"], steps=4)
        try:
            await page.wait_for_function(
                "(el) => el.getAttribute('data-state') === 'drawn'", arg=plot, timeout=20_000
            )
        except Exception as exc:
            problems.append(f"a pointer resting on the chart drew nothing ({type(exc).__name__})")
    finally:
        await context.close()
    return problems


def test_a_resting_pointer_loads_plotly_but_a_chart_scrolled_under_it_does_not(browser, site):
    page_info = _story_pages(site)[0]
    assert browser.call(_hover_intent(browser, site, page_info), timeout=120) == []


async def _swipe(page, cdp, x: float, y: float, distance: float = 220) -> float:
    """A finger drag upwards from (x, y); returns how far the page scrolled."""
    before = await page.evaluate("scrollY")
    await cdp.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]}
    )
    steps = 8
    for i in range(1, steps + 1):
        await cdp.send(
            "Input.dispatchTouchEvent",
            {"type": "touchMove", "touchPoints": [{"x": x, "y": y - distance * i / steps}]},
        )
    await cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    await page.wait_for_timeout(250)
    return await page.evaluate("scrollY") - before


async def _swipe_each_chart(browser, site, page_info) -> list[str]:
    problems: list[str] = []
    context = await browser.browser.new_context(**PHONE)
    try:
        page = await context.new_page()
        cdp = await context.new_cdp_session(page)
        await page.goto(site.url(page_info.path), wait_until="load")
        for n, plot in enumerate(await page.query_selector_all(".chart-plot")):
            for stage in ("drawing", "interactive chart"):
                await _center(page, plot)
                box = await plot.bounding_box()
                x, y = box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 300)
                moved = await _swipe(page, cdp, x, y)
                if moved <= 0:
                    problems.append(
                        f"chart {n} ({stage}): a swipe over it scrolled the page {moved} px"
                    )
                if stage == "drawing":
                    await _center(page, plot)
                    mark = await plot.evaluate(MARK_JS)
                    await page.touchscreen.tap(mark["x"], mark["y"])
                    await page.wait_for_function(
                        "(el) => el.getAttribute('data-state') === 'drawn'",
                        arg=plot,
                        timeout=20_000,
                    )
    finally:
        await context.close()
    return problems


def test_a_swipe_over_each_chart_scrolls_the_page(browser, site):
    page_info = _story_pages(site)[0]
    assert browser.call(_swipe_each_chart(browser, site, page_info), timeout=300) == []


PRINTED_JS = r"""
() => [...document.querySelectorAll('.chart-plot')].map((plot) => {
  const figure = plot.closest('figure');
  const wide = plot.querySelector('svg.chart-svg-wide');
  const table = figure.querySelector('table');
  const box = (e) => {
    const r = e ? e.getBoundingClientRect() : {width: 0, height: 0};
    return [Math.round(r.width), Math.round(r.height)];
  };
  return {wide: box(wide), wideShown: !!wide && getComputedStyle(wide).display !== 'none',
          table: box(table),
          canvasShown: [...plot.querySelectorAll('.chart-canvas')]
            .some((c) => getComputedStyle(c).display !== 'none')};
})
"""


async def _printed(browser, site, path: str, javascript: bool) -> list[dict]:
    context = await browser.browser.new_context(
        viewport={"width": 800, "height": 1100}, java_script_enabled=javascript, color_scheme="dark"
    )
    try:
        page = await context.new_page()
        await page.goto(site.url(path), wait_until="load")
        if javascript:  # one chart made interactive first: print still shows its drawing
            plot = await page.query_selector(".chart-plot")
            await plot.scroll_into_view_if_needed()
            await plot.click()
            await page.wait_for_function(
                "(el) => el.getAttribute('data-state') === 'drawn'", arg=plot, timeout=20_000
            )
        await page.emulate_media(media="print")
        charts = await page.evaluate(PRINTED_JS)
        ink = await page.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--chart-ink').trim()"
        )
        return [c | {"ink": ink} for c in charts]
    finally:
        await context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_print_shows_every_charts_light_drawing_and_its_table(browser, site, javascript):
    for page_info in _story_pages(site):
        charts = browser.call(_printed(browser, site, page_info.path, javascript), timeout=120)
        assert charts, page_info.test_id
        for n, c in enumerate(charts):
            where = (
                f"{page_info.test_id} chart {n} in print "
                f"({'with' if javascript else 'without'} JavaScript)"
            )
            assert c["wideShown"] and min(c["wide"]) > 0, (
                f"{where}: the drawing does not print: {c}"
            )
            assert not c["canvasShown"], (
                f"{where}: the interactive chart prints instead of the drawing"
            )
            assert min(c["table"]) > 0, f"{where}: the data table does not print: {c}"
            assert c["ink"] in ("#000", "#000000"), (
                f"{where}: printed in dark colours (ink {c['ink']})"
            )


class _Host(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _embed_codes(site, page_info) -> list[str]:
    text = page_info.file.read_text(encoding="utf-8")
    return [
        html.unescape(c)
        for c in re.findall(r'<textarea id="embed-[^"]+"[^>]*>(.*?)</textarea>', text, re.S)
    ]


FRAMES_JS = r"""
() => [...document.querySelectorAll('iframe')]
  .map((f) => ({height: f.getBoundingClientRect().height, src: f.src}))
"""


async def _embedded(browser, host_url: str, width: int) -> list[dict]:
    context = await browser.browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme="dark"
    )
    try:
        page = await context.new_page()
        await page.goto(host_url, wait_until="load")
        for _ in range(3):  # the iframes load lazily: scroll past each, then let them post heights
            await page.evaluate(
                "async () => { for (let y = 0; y < document.documentElement.scrollHeight; y += 300)"
                " { scrollTo(0, y); await new Promise((r) => setTimeout(r, 60)); } }"
            )
            await page.wait_for_timeout(500)
        frames = await page.evaluate(FRAMES_JS)
        result = []
        for handle, info in zip(await page.query_selector_all("iframe"), frames, strict=False):
            frame = await handle.content_frame()
            inner = await frame.evaluate(
                "() => ({scroll: document.documentElement.scrollHeight,"
                " client: document.documentElement.clientHeight,"
                " wide: document.documentElement.scrollWidth"
                " > document.documentElement.clientWidth,"
                " bg: getComputedStyle(document.body).backgroundColor,"
                " base: (document.querySelector('base') || {}).target,"
                " origin: location.origin})"
            )
            result.append(info | inner)
        return result
    finally:
        await context.close()


@pytest.mark.parametrize("width", [360, 1440])
def test_an_embed_on_another_site_shows_all_its_content_without_scrollbars(
    browser, site, tmp_path: Path, width: int
):
    page_info = _story_pages(site)[0]
    codes = _embed_codes(site, page_info)[:3]
    assert codes, f"{page_info.test_id} offers no embed code"
    (tmp_path / "host.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width'>"
        "<title>A host page</title></head><body style='margin:0 8px'>"
        + "<p>Text of the host.</p>".join(codes)
        + "</body></html>",
        encoding="utf-8",
    )
    host = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Host, directory=str(tmp_path)))
    thread = threading.Thread(target=host.serve_forever, daemon=True)
    thread.start()
    try:
        frames = browser.call(
            _embedded(browser, f"http://127.0.0.1:{host.server_address[1]}/host.html", width),
            timeout=120,
        )
    finally:
        host.shutdown()
        host.server_close()
    assert len(frames) == len(codes)
    for f in frames:
        assert f["origin"] != f"http://127.0.0.1:{host.server_address[1]}", (
            "the embed must come from another origin"
        )
        assert f["scroll"] <= f["client"] + 1, (
            f"{f['src']} at {width}px: {f['scroll']}px of content in a {f['client']}px frame"
        )
        assert abs(f["height"] - f["scroll"]) <= 2, (
            f"{f['src']} at {width}px: the iframe ({f['height']}px) "
            f"does not fit its content ({f['scroll']}px)"
        )
        assert not f["wide"], f"{f['src']} at {width}px scrolls sideways"
        assert f["base"] == "_blank", f"{f['src']}: links do not open in a new tab"
        assert f["bg"] == "rgb(253, 252, 250)", (
            f"{f['src']}: not light in a dark-mode host ({f['bg']})"
        )
