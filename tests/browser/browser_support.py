"""Shared by the browser tests and scripts/{screenshots,lighthouse}.py: build the site into a
folder, serve it over real HTTP under the /tiangong-site/ prefix (as GitHub Pages would),
discover its pages and charts, and launch Debian's Chromium.

Nothing here knows what the content says: pages come from the build's sitemap.xml and the
HTML files it wrote, charts from the `.chart-plot` elements in those files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
# The project to build: this checkout, or another copy of it (e.g. a clean export while the
# working tree is mid-edit) named by TIANGONG_TEST_PROJECT.
PROJECT = Path(os.environ.get("TIANGONG_TEST_PROJECT") or ROOT).resolve()
PREFIX = "/tiangong-site/"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


class _Handler(SimpleHTTPRequestHandler):
    """Serves the build under PREFIX; 404 everywhere else. A missing file under the prefix
    gets the site's own 404.html with status 404, like GitHub Pages."""

    prefix = PREFIX

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def _site_path(self) -> str | None:
        path = unquote(urlsplit(self.path).path)
        if path == self.prefix.rstrip("/"):
            return "/"
        if not path.startswith(self.prefix):
            return None
        return path[len(self.prefix) - 1 :]

    def translate_path(self, path: str) -> str:
        rest = self._site_path()
        return super().translate_path(rest if rest is not None else "/\0")

    def send_head(self):  # type: ignore[override]
        rest = self._site_path()
        if rest is None:
            self.send_error(404, "Not under " + self.prefix)
            return None
        if urlsplit(self.path).path == self.prefix.rstrip("/"):
            self.send_response(301)
            self.send_header("Location", self.prefix)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if not os.path.exists(self.translate_path(self.path)):
            page = Path(self.directory) / "404.html"
            body = page.read_bytes() if page.is_file() else b"Not found"
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return None
        return super().send_head()


class SiteServer:
    """A ThreadingHTTPServer on 127.0.0.1 and a free port. Bind first (so the build can use
    the port in its base URL), then point it at the built folder and start it."""

    def __init__(self, prefix: str = PREFIX, port: int = 0) -> None:
        self.root: Path | None = None
        self.prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        self.handler = type("Handler", (_Handler,), {"prefix": self.prefix})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._make_handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}{self.prefix}"
        self._thread: threading.Thread | None = None

    def _make_handler(self, *args, **kwargs):
        assert self.root is not None, "SiteServer.start(root) was not called"
        return partial(self.handler, directory=str(self.root))(*args, **kwargs)

    def start(self, root: Path) -> SiteServer:
        self.root = Path(root)
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="site-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str = "") -> str:
        return self.base_url + path


def build_site(output: Path, base_url: str) -> None:
    """`build.py build --output OUTPUT --base-url BASE_URL`; raises with the build's own
    messages when it fails."""
    cmd = [
        sys.executable,
        str(PROJECT / "build.py"),
        "build",
        "--output",
        str(output),
        "--base-url",
        base_url,
        "--quiet",
    ]
    result = subprocess.run(cmd, cwd=PROJECT, capture_output=True, text=True)
    if result.returncode != 0 or not (output / "index.html").is_file():
        raise RuntimeError(
            f"the site did not build (exit {result.returncode}): {' '.join(cmd)}\n"
            f"{result.stdout}{result.stderr}"
        )


@dataclass
class Chart:
    page: str  # page path relative to the base URL, e.g. "" or "data/"
    figure: str  # the data-figure URL, unique per chart on a page
    dom_id: str  # id of the enclosing figure, if any
    index: int  # position among the page's .chart-plot elements

    @property
    def name(self) -> str:
        parts = [p for p in urlsplit(self.figure).path.split("/") if p]
        return parts[-2] if len(parts) >= 2 else self.figure

    @property
    def test_id(self) -> str:
        return f"{self.page or '/'}#{self.name}"


@dataclass
class Page:
    path: str  # relative to the base URL: "", "data/", "404.html"
    file: Path
    charts: list[Chart] = field(default_factory=list)

    @property
    def test_id(self) -> str:
        return self.path or "/"


class _ChartFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.figures: list[tuple[str, str]] = []
        self._figure_ids: list[str] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "figure":
            self._figure_ids.append(a.get("id") or "")
        classes = (a.get("class") or "").split()
        if "chart-plot" in classes and a.get("data-figure"):
            self.figures.append(
                (a["data-figure"] or "", self._figure_ids[-1] if self._figure_ids else "")
            )

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure" and self._figure_ids:
            self._figure_ids.pop()


def sitemap_base(site: Path) -> str | None:
    """The base URL a build was made for, read from its sitemap (the shortest URL in it,
    i.e. the home page), e.g. for an existing _site/ built with site.yaml's base_url."""
    sitemap = site / "sitemap.xml"
    if sitemap.is_file():
        ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        locs = [
            (loc.text or "").strip()
            for loc in ET.parse(sitemap).getroot().iterfind("s:url/s:loc", ns)
        ]
        if locs:
            return min(locs, key=len)
    return None


def discover_pages(site: Path, base_url: str) -> list[Page]:
    """Every page of the build: the sitemap's URLs plus every HTML file written (so 404.html
    and any page left out of the sitemap are tested too). Raises if the sitemap lists a URL
    the build did not write."""
    paths: set[str] = set()
    for html in site.rglob("*.html"):
        rel = html.relative_to(site).as_posix()
        paths.add(
            rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel
        )
    sitemap = site / "sitemap.xml"
    if sitemap.is_file():
        ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        for loc in ET.parse(sitemap).getroot().iterfind("s:url/s:loc", ns):
            url = (loc.text or "").strip()
            if not url.startswith(base_url):
                raise RuntimeError(
                    f"sitemap.xml lists {url}, which is not under the base URL {base_url}"
                )
            rel = url[len(base_url) :]
            if rel not in paths:
                raise RuntimeError(f"sitemap.xml lists {url}, but the build wrote no page for it")
    pages = []
    for rel in sorted(paths, key=lambda p: (p != "", p.count("/"), p)):
        file = site / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)
        finder = _ChartFinder()
        finder.feed(file.read_text(encoding="utf-8"))
        page = Page(rel, file)
        page.charts = [Chart(rel, fig, dom_id, i) for i, (fig, dom_id) in enumerate(finder.figures)]
        pages.append(page)
    return pages


def require_chromium() -> str:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        raise RuntimeError(
            f"Chromium is missing: {CHROMIUM} not found. Install Debian's chromium "
            "(./scripts/install-system-deps.sh); the browser tests never download a browser."
        )
    return CHROMIUM


def require_java() -> str:
    java = shutil.which("java")
    if not java:
        raise RuntimeError(
            "Java is missing: no `java` on PATH, needed for the Nu HTML Checker "
            "(./scripts/install-system-deps.sh)."
        )
    if not VNU_JAR.is_file():
        raise RuntimeError(f"The Nu HTML Checker is missing: {VNU_JAR} not found (run `npm ci`).")
    return java


def launch_chromium(playwright):
    require_chromium()
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# Scroll every chart into view in turn and wait until each is drawn: its build-time SVG is
# there from the start, so only a chart whose interactive version is loading is waited for;
# with scrollThrough, then scroll down the whole page (for screenshots); end at the top.
# Returns the charts' final data-state values ("static" for a chart shown as its SVG).
DRAW_ALL_CHARTS_JS = """
async ({timeoutMs, scrollThrough}) => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const state = (el) =>
    el.getAttribute("data-state") || (el.querySelector("svg.chart-svg") ? "static" : null);
  const done = (el) => ["drawn", "failed", "static"].includes(state(el));
  const plots = [...document.querySelectorAll(".chart-plot")];
  for (const el of plots) {
    el.scrollIntoView({block: "center"});
    const start = performance.now();
    while (!done(el) && performance.now() - start < timeoutMs) await sleep(20);
  }
  if (scrollThrough) {
    const step = Math.max(200, innerHeight / 2);
    for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
      scrollTo(0, y);
      await sleep(10);
    }
  }
  scrollTo(0, document.documentElement.scrollHeight);
  await frames();
  scrollTo(0, 0);
  await frames();
  return plots.map(state);
}
"""


def serve_for_script(site: Path | None, tmp: Path) -> tuple[SiteServer, Path, str]:
    """For the scripts: serve an existing build (under the base path its sitemap names), or
    build the site into `tmp` for a fresh server. Returns the server, the site folder and its
    base URL."""
    if site is not None:
        site_dir = site.resolve()
        base = sitemap_base(site_dir) or PREFIX
        server = SiteServer(urlsplit(base).path or "/")
    else:
        server = SiteServer()
        site_dir = tmp / "site"
        print(f"Building the site for {server.base_url} ...", file=sys.stderr)
        build_site(site_dir, server.base_url)
        base = server.base_url
    server.start(site_dir)
    return server, site_dir, base
