"""Charts drawn at build time: each Plotly figure to SVG (and the link-preview PNG) by Plotly's
own renderer, so what a reader sees at first paint, in print, in an embed and with JavaScript
off is the very drawing plotly.js would make.

Why kaleido: it runs plotly.js in the system Chromium (the one the tests already drive), so
the SVG is Plotly's, not an imitation. Starting Chromium costs about 3 s and each figure about
0.2 s, so every drawing a build lacks is made in ONE session, and none is started when every
drawing is cached.

Cache: `.cache/charts/` (or `$TIANGONG_CHART_CACHE`), one signed file per drawing, keyed by a
digest of the figure JSON, its size and format, the renderer (kaleido and plotly versions)
and this module's own source (so a change to the post-processing below redraws). Entries are
signed with this machine's key (signed_cache.py): the SVG is inlined into pages, so an
unsigned, planted one would be a way to put script into the site; it is ignored and redrawn.

Post-processing (deterministic, so the same figure gives the same bytes): ids are renamed in
document order under a prefix of the chart's own (Plotly's are random); theme colours become
CSS custom properties (`var(--chart-ink)`...), so one drawing follows light and dark mode and
prints light; anything that is not a drawing element (script, links, event handlers) is
dropped; Plotly's interaction-only furniture (invisible hit areas) is removed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import json
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import signed_cache
from .brand import PLAIN, Brand
from .cjk import LazyPattern
from .memo import package_version

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

CHROMIUM_ENV = "TIANGONG_CHROMIUM"
CACHE_ENV = "TIANGONG_CHART_CACHE"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (
    "install Chromium with ./scripts/install-system-deps.sh (`make site` does it), "
    f"or set {CHROMIUM_ENV} to a Chrome or Chromium binary"
)
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

FIXED_THEME = {
    "#1f1f1f": "ink",  # text
    "#e3e3e3": "grid",
    "#8a8a8a": "axis",
    "#444444": "axis",  # Plotly's default line colour (legend border, zero lines)
}


def theme_of(brand: Brand) -> tuple[tuple[str, str], ...]:
    """Colours of the house style -> the CSS custom property (`--chart-NAME`) that replaces them
    in the SVG: the brand's (static/style.css) and the fixed ones; static/charts.css gives
    each a light value (the brand's) and a dark one."""
    theme = dict(FIXED_THEME) | {brand["fg"]: "ink", brand.muted: "muted"}
    theme |= {colour: f"c{n}" for n, colour in enumerate(brand.palette, 1)}
    return tuple(sorted(theme.items()))


ELEMENTS = {
    "svg",
    "g",
    "defs",
    "clipPath",
    "pattern",
    "rect",
    "path",
    "text",
    "tspan",
    "line",
    "circle",
    "ellipse",
    "polygon",
    "polyline",
}
"""The only elements kept from Plotly's SVG. Links (`<a>`, which Plotly makes from `<a href>`
in a label) are replaced by their text; anything else is dropped with its content."""
KEPT_ATTRIBUTES = {
    "x",
    "y",
    "x1",
    "x2",
    "y1",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "d",
    "width",
    "height",
    "viewBox",
    "transform",
    "style",
    "clip-path",
    "text-anchor",
    "dy",
    "dx",
    "points",
    "patternUnits",
    "patternTransform",
    "opacity",
    "fill",
    "stroke",
    "stroke-width",
    "shape-rendering",
    "id",
}
SESSION_STATS = {"sessions": 0, "drawn": 0}
"""How many Chromium sessions this process started and figures it drew (tests and benchmarks
read it: a build whose drawings are all cached starts none)."""
DRAWN: list[str] = []
"""The name (chart/language/variant) of every drawing this process made, in order."""


@dataclass(frozen=True)
class Request:
    """One drawing: a figure at a size, as SVG (ids under `prefix`) or as PNG."""

    name: str
    figure: dict[str, Any] = field(compare=False, hash=False)
    width: int
    height: int
    format: str = "svg"
    scale: float = 1.0
    prefix: str = ""
    css_class: str = ""
    theme: tuple[tuple[str, str], ...] = ()
    """Colour -> custom property name (theme_of)."""

    @functools.cached_property
    def key(self) -> str:
        spec = {
            "figure": self.figure,
            "size": [self.width, self.height, self.scale],
            "format": self.format,
        }
        spec |= {"prefix": self.prefix, "class": self.css_class, "renderer": renderer_version()}
        spec |= {"theme": self.theme}
        data = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()


class Unavailable(Exception):
    """Drawings are missing from the cache and cannot be made here (no Chromium, or it failed)."""

    def __init__(self, missing: list[Request], message: str, hint: str = INSTALL_HINT):
        self.missing, self.message, self.hint = missing, message, hint
        super().__init__(message)


@functools.cache
def renderer_version() -> str:
    """What decides the drawing besides the figure: kaleido, plotly (which carries the plotly.js
    kaleido runs) and how this module finishes the SVG."""
    own = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    # plotly's version from its metadata: importing plotly for it cost a build a tenth of a second
    return f"kaleido {_version('kaleido')}; plotly {_version('plotly')}; drawing {own}"


def _version(package: str) -> str:
    try:
        return package_version(package)
    except metadata.PackageNotFoundError:
        return "missing"


def cache_folder(project_cache: Path) -> Path:
    return Path(os.environ.get(CACHE_ENV) or project_cache / "charts")


def find_chromium() -> str | None:
    """The browser kaleido drives: $TIANGONG_CHROMIUM, else the first Chromium or Chrome on PATH."""
    chosen = os.environ.get(CHROMIUM_ENV)
    if chosen:
        return chosen if os.path.isfile(chosen) and os.access(chosen, os.X_OK) else None
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def draw(requests: list[Request], cache: Path) -> dict[str, bytes]:
    """Every request's drawing (by key): from the cache when a signed entry is there, the rest
    drawn in one Chromium session and cached. Raises Unavailable when some cannot be drawn."""
    found: dict[str, bytes] = {}
    missing: dict[str, Request] = {}
    for request in requests:
        data = signed_cache.load(cache / f"{request.key}.{request.format}", "chart", request.key)
        if data is None:
            missing.setdefault(request.key, request)
        else:
            found[request.key] = data
    if missing:
        drawn = _draw_missing(list(missing.values()))
        for key, data in drawn.items():
            try:
                signed_cache.store(cache / f"{key}.{missing[key].format}", "chart", key, data)
            except OSError:
                pass  # a read-only project still builds; it only draws again next time
        found |= drawn
    return found


PYTHON_HINT = (
    "install the Python dependencies: `make site` (or `.venv/bin/pip install -r "
    "requirements/build-lock.txt`)"
)


def _draw_missing(requests: list[Request]) -> dict[str, bytes]:
    try:  # before looking for Chromium: without kaleido no browser can help
        importlib.import_module("kaleido")
    except ModuleNotFoundError as exc:
        message = (
            f"{len(requests)} chart drawings are not cached and the Python package that draws "
            f"them is missing ({exc})"
        )
        raise Unavailable(requests, message, PYTHON_HINT) from exc
    chromium = find_chromium()
    if chromium is None:
        where = (
            f"${CHROMIUM_ENV} ({os.environ[CHROMIUM_ENV]})"
            if os.environ.get(CHROMIUM_ENV)
            else "on PATH"
        )
        raise Unavailable(
            requests,
            f"{len(requests)} chart drawings are not cached and no Chromium was found {where} "
            "to draw them",
        )
    kept = _KEPT[-1] if _KEPT else None
    for attempt in (1, 2):  # a browser that failed to start or crashed gets one more try
        try:
            raw = kept.draw(requests, chromium) if kept else _draw_once(requests, chromium)
            break
        except Exception as exc:
            if kept is not None:
                kept.close()  # perhaps it crashed: the next drawing starts another
            if attempt == 2:
                message = (
                    f"Chromium ({chromium}) could not draw the charts: {type(exc).__name__}: {exc}"
                )
                raise Unavailable(requests, message.replace("\n", " ")[:400]) from exc
    return {r.key: finish(data, r) for r, data in zip(requests, raw, strict=False)}


def _draw_once(requests: list[Request], chromium: str) -> list[bytes]:
    """The requests drawn in a Chromium started for them and closed after."""
    import asyncio  # only when something must be drawn, as kaleido (a build with every
    import concurrent.futures  # drawing cached imports none of this)

    # In a thread of its own: the preview calls this from inside a running event loop.
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="kaleido") as pool:
        return pool.submit(asyncio.run, session(requests, chromium)).result()


def _renderer(chromium: str) -> Any:
    """A kaleido renderer (not yet opened) driving `chromium`."""
    import logging

    import kaleido  # only when something must be drawn: importing it costs a build time

    # The browser driver logs protocol hiccups it recovers from; a build reports only failures.
    for name in ("choreographer", "kaleido", "logistro"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return kaleido.Kaleido(n=1, path=chromium, mathjax=False, timeout=60)


async def _calc(renderer: Any, requests: list[Request]) -> list[bytes]:
    drawn: list[bytes] = []
    for r in requests:
        opts = {"format": r.format, "width": r.width, "height": r.height, "scale": r.scale}
        drawn.append(await renderer.calc_fig(r.figure, opts=opts))
        SESSION_STATS["drawn"] += 1
        DRAWN.append(r.name)
    return drawn


async def session(requests: list[Request], chromium: str) -> list[bytes]:
    """Each request drawn by plotly.js in one Chromium, as kaleido returns it (not finished)."""
    SESSION_STATS["sessions"] += 1
    async with _renderer(chromium) as renderer:
        return await _calc(renderer, requests)


class Session:
    """One Chromium kept open for the drawings of many builds: the preview's. Starting
    Chromium costs seconds, drawing a figure in a started one about 0.2 s, so a chart edit
    in the preview draws in the session its first drawing started. Its event loop runs on
    a thread of its own: builds run on other threads (the preview's rebuild worker)."""

    def __init__(self) -> None:
        self.chromium: str | None = None
        self._loop: Any = None
        self._thread: threading.Thread | None = None
        self._renderer: Any = None

    @property
    def open(self) -> bool:
        return self._renderer is not None

    def draw(self, requests: list[Request], chromium: str) -> list[bytes]:
        """Like `session`, in this session's Chromium (started now if need be)."""
        import asyncio

        if not self.open or chromium != self.chromium:
            self._start(chromium)
        return asyncio.run_coroutine_threadsafe(
            _calc(self._renderer, requests), self._loop
        ).result()

    def _start(self, chromium: str) -> None:
        import asyncio

        self.close()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="kaleido-session", daemon=True
        )
        self._thread.start()
        renderer = _renderer(chromium)
        try:
            asyncio.run_coroutine_threadsafe(renderer.open(), self._loop).result()
        except BaseException:
            self.close()
            raise
        SESSION_STATS["sessions"] += 1
        self._renderer, self.chromium = renderer, chromium

    def close(self) -> None:
        """Close Chromium and stop the loop (nothing happens when none was started)."""
        import asyncio

        loop, renderer, thread = self._loop, self._renderer, self._thread
        self._loop = self._renderer = self._thread = None
        if loop is None:
            return
        for ending in (renderer.close() if renderer is not None else None, _cancel_tasks()):
            try:
                if ending is not None:
                    asyncio.run_coroutine_threadsafe(ending, loop).result(timeout=30)
            except Exception:  # a crashed browser: nothing left to close
                pass
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=30)
        loop.close()


async def _cancel_tasks() -> None:
    """Cancel what the browser driver left running (its watchdog of a crashed browser)."""
    import asyncio

    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


_KEPT: list[Session] = []
"""The session drawings are made in while `kept_session` lasts; none outside."""


@contextlib.contextmanager
def kept_session() -> Iterator[Session]:
    """Draw in one Chromium kept open until the block ends (started at the first drawing
    that is not cached, closed at the end)."""
    kept = Session()
    _KEPT.append(kept)
    try:
        yield kept
    finally:
        _KEPT.remove(kept)
        kept.close()


def finish(data: bytes, request: Request) -> bytes:
    """The drawing as it is cached and shipped: PNGs as drawn; SVGs cleaned, with stable ids
    and theme colours as CSS custom properties."""
    if request.format != "svg":
        return data
    import xml.etree.ElementTree as ET  # here: a build whose drawings are all cached needs none

    root = ET.fromstring(data)
    _prune(root)
    _rename_ids(root, request.prefix)
    _drop_unused(root)
    theme = dict(request.theme)
    for element in root.iter():
        _theme(element, theme)
    for name in ("style", "class"):
        root.attrib.pop(name, None)
    root.set("class", request.css_class)
    root.set("aria-hidden", "true")
    root.set("focusable", "false")
    # Plain names and an xmlns attribute rather than ElementTree's namespace registry, which
    # is shared with feeds.py; in HTML the parser puts <svg> in the SVG namespace anyway.
    for element in root.iter():
        element.tag = _tag(element)
    root.set("xmlns", SVG_NS)
    return ET.tostring(root, encoding="unicode").encode("utf-8")


def _tag(element: ET.Element) -> str:
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def _invisible(element: ET.Element) -> bool:
    """Plotly's transparent hit areas and backgrounds: there to catch the mouse, never seen."""
    style = element.get("style", "")
    hidden = "fill-opacity: 0" in style and ("stroke" not in style or "stroke-width: 0" in style)
    return _tag(element) == "rect" and (hidden or element.get("width") == "0")


def _prune(parent: ET.Element, in_defs: bool = False) -> bool:
    """Keep drawing elements and attributes only; returns whether `parent` is now empty."""
    for child in list(parent):
        name = _tag(child)
        if name == "a":  # a link in a label: keep its text, never its address
            _unwrap(parent, child, keep_text=True)
            continue
        if name not in ELEMENTS or (not in_defs and _invisible(child)):
            parent.remove(child)
            continue
        child.attrib = {k: v for k, v in child.attrib.items() if k in KEPT_ATTRIBUTES}
        empty = _prune(child, in_defs or name in ("defs", "clipPath", "pattern"))
        if name == "g" and empty:
            parent.remove(child)
        elif name == "g" and not child.attrib:
            _unwrap(parent, child)
    return len(parent) == 0 and not (parent.text or "").strip()


def _unwrap(parent: ET.Element, child: ET.Element, keep_text: bool = False) -> None:
    """Replace `child` by its children (and, for a link, its text) in place."""
    index = list(parent).index(child)
    parent.remove(child)
    if keep_text and child.text:
        previous = parent[index - 1] if index else None
        if previous is None:
            parent.text = (parent.text or "") + child.text
        else:
            previous.tail = (previous.tail or "") + child.text
    for offset, grandchild in enumerate(list(child)):
        parent.insert(index + offset, grandchild)
    if child.tail:
        last = (
            parent[index + len(child) - 1] if len(child) else (parent[index - 1] if index else None)
        )
        if last is None:
            parent.text = (parent.text or "") + child.tail
        else:
            last.tail = (last.tail or "") + child.tail


REFERENCE = LazyPattern(r"#([A-Za-z0-9_-]+)")


def _rename_ids(root: ET.Element, prefix: str) -> None:
    """Plotly's ids carry a random part: ids that something refers to are renumbered in
    document order under `prefix`, the rest dropped, and every reference follows."""
    elements = list(root.iter())
    xlink = f"{{{XLINK_NS}}}href"
    referenced: list[str] = []
    for element in elements:
        for name, value in element.attrib.items():
            if name != "id":
                referenced += REFERENCE.findall(value)
    new: dict[str, str] = {}
    for element in elements:
        old = element.attrib.pop("id", None)
        if old is not None and old in referenced:
            new[old] = f"{prefix}{len(new)}"
            element.set("id", new[old])
    for element in elements:
        for name, value in list(element.attrib.items()):
            if name in ("id", xlink) or "#" not in value:
                continue
            element.set(name, REFERENCE.sub(lambda m: "#" + new.get(m.group(1), m.group(1)), value))


def _drop_unused(parent: ET.Element) -> None:
    """Definitions nothing refers to (they lost their id above) and paths with no shape."""
    for child in list(parent):
        name = _tag(child)
        unused = name in ("clipPath", "pattern") and "id" not in child.attrib
        if unused or (name == "path" and not child.get("d")):
            parent.remove(child)
            continue
        _drop_unused(child)
        if name == "defs" and not len(child):
            parent.remove(child)


RGB = LazyPattern(r"rgb\((\d+), ?(\d+), ?(\d+)\)")
DEFAULTS = {"fill-opacity: 1", "stroke-opacity: 1", "opacity: 1", "fill-opacity: 1.0"}


def _variable(colour: str, theme: dict[str, str]) -> str:
    """'rgb(180, 67, 42)' -> 'var(--chart-c1)' for a house colour; anything else unchanged."""
    match = RGB.fullmatch(colour.strip())
    if not match:
        return colour
    hexa = "#{:02x}{:02x}{:02x}".format(*(int(g) for g in match.groups()))
    return f"var(--chart-{theme[hexa]})" if hexa in theme else colour


def _theme(element: ET.Element, theme: dict[str, str]) -> None:
    """Theme colours to custom properties, in `style` (presentation attributes cannot take
    var()); the font family is set once, by CSS, instead of on every text."""
    declarations = []
    for part in element.get("style", "").split(";"):
        prop, _, value = (s.strip() for s in part.partition(":"))
        if not prop or prop == "font-family" or f"{prop}: {value}" in DEFAULTS:
            continue
        if prop in ("fill", "stroke", "color", "stop-color"):
            value = _variable(value, theme)
        declarations.append(f"{prop}:{value}")
    for prop in ("fill", "stroke"):
        value = element.attrib.get(prop)
        if value is not None and _variable(value, theme) != value:
            del element.attrib[prop]
            declarations.append(f"{prop}:{_variable(value, theme)}")
    if declarations:
        element.set("style", ";".join(declarations))
    else:
        element.attrib.pop("style", None)


WIDE_WIDTH = 760
"""The width desktop drawings are made at: the chart column (52rem) is 832 px at most; the
drawing scales with the column down to 481 px, below which the phone drawing takes over."""
PREVIEW_SIZE, PREVIEW_SCALE = (600, 315), 2
"""Link-preview images: 1200x630 px, drawn at half size and doubled, so text reads on a card."""
VARIANTS = ("wide", "narrow")


def requests_for(chart: Any, lang: str, brand: Brand = PLAIN) -> dict[str, Request]:
    """The drawings one chart needs in one language: wide and narrow SVG, and the preview PNG."""
    from .narrow import WIDTH as NARROW_WIDTH

    cid = chart.spec.id
    narrow = chart.narrow
    theme = theme_of(brand)
    return {
        "wide": Request(
            f"{cid}/{lang}/wide",
            chart.figure,
            WIDE_WIDTH,
            chart.figure["layout"]["height"],
            prefix=f"svg-{cid}-w",
            css_class="chart-svg chart-svg-wide",
            theme=theme,
        ),
        "narrow": Request(
            f"{cid}/{lang}/narrow",
            narrow,
            NARROW_WIDTH,
            narrow["layout"]["height"],
            prefix=f"svg-{cid}-n",
            css_class="chart-svg chart-svg-narrow",
            theme=theme,
        ),
        "preview": Request(
            f"{cid}/{lang}/preview",
            preview_figure(chart, lang),
            *PREVIEW_SIZE,
            format="png",
            scale=PREVIEW_SCALE,
        ),
    }


def attach(editions: dict[str, dict[str, Any]], cache: Path, brand: Brand = PLAIN) -> None:
    """Draw (or take from the cache) every chart of every edition, in one session at most,
    and give each ChartOutput its drawings: `drawings["wide"|"narrow"]` (SVG text) and
    `drawings["preview"]` (PNG bytes)."""
    wanted = {
        (lang, cid): requests_for(chart, lang, brand)
        for lang, charts in editions.items()
        for cid, chart in charts.items()
    }
    drawn = draw([r for requests in wanted.values() for r in requests.values()], cache)
    for (lang, cid), requests in wanted.items():
        editions[lang][cid].drawings = {
            name: drawn[r.key].decode("utf-8") if r.format == "svg" else drawn[r.key]
            for name, r in requests.items()
        }


def preview_figure(chart: Any, lang: str) -> dict[str, Any]:
    """The figure as a link-preview card: the chart's own title above it, on the light page
    colour."""
    from .models import text
    from .narrow import wrap

    figure = json.loads(json.dumps(chart.figure))  # a deep copy
    title = "<br>".join(wrap(text(chart.spec.title, lang), 58 if lang != "zh" else 30)[:3])
    layout = figure["layout"]
    layout.update(height=PREVIEW_SIZE[1], paper_bgcolor="#fdfcfa", plot_bgcolor="#fdfcfa")
    layout["title"] = {
        "text": f"<b>{title}</b>",
        "x": 0,
        "xref": "paper",
        "xanchor": "left",
        "y": 1,
        "yref": "paper",
        "yanchor": "bottom",
        "pad": {"b": 22},
        "font": {"size": 16},
    }
    layout["legend"] = dict(layout.get("legend", {}), y=-0.1, yanchor="top")  # under the plot
    layout["margin"] = {"l": 12, "r": 16, "t": 52 + 20 * title.count("<br>"), "b": 10}
    layout["font"] = {"size": 11}
    return figure
