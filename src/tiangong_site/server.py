"""`serve`: the editors' live preview.

Builds once, serves the output under the site's base path on 127.0.0.1, watches
content/, templates/ and static/, rebuilds incrementally on every save and reloads
the open browser through livereload. A bad edit never stops the server: the last
good pages stay served and an overlay lists each problem as file:line:col.

Why a subclass of livereload's Server: its stock page injection is an inline
script, which the site's Content-Security-Policy (no inline script) would block.
We inject external scripts from the same origin instead, and serve the output
ourselves so the base path and 404s behave exactly as on GitHub Pages.
"""

from __future__ import annotations

import argparse
import json
import logging
import mimetypes
import sys
import time
from pathlib import Path

from livereload import Server
from livereload.handlers import ForceReloadHandler, LiveReloadHandler, LiveReloadJSHandler
from tornado import ioloop, web

from .errors import ContentError
from .incremental import IncrementalBuilder, Update
from .site import Project

PREVIEW = Path(__file__).parent / "preview"
POLL_MS = 50
"""How often the watcher looks for saved files. livereload's default (800 ms) alone would
eat most of the one-second budget from save to browser."""


class _State:
    """What the HTTP handlers need to know about the preview."""

    def __init__(self, builder: IncrementalBuilder, base_path: str, port: int):
        self.builder, self.base_path, self.port = builder, base_path, port

    @property
    def output(self) -> Path:
        assert self.builder.output is not None
        return self.builder.output


class SiteHandler(web.RequestHandler):
    """Serves the output folder under the base path, like GitHub Pages does; 404 elsewhere."""

    state: _State

    def initialize(self, state: _State) -> None:
        self.state = state

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")

    def _inject(self, html: bytes) -> bytes:
        scripts = (
            f'<script src="/livereload.js?port={self.state.port}" defer></script>'
            '<script src="/__tiangong__/overlay.js" defer></script>'
        ).encode()
        return html.replace(b"</head>", scripts + b"</head>", 1) if b"</head>" in html else scripts + html

    def _send(self, path: Path, status: int = 200) -> None:
        self.set_status(status)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/json", "application/javascript", "image/svg+xml"):
            kind += "; charset=utf-8"
        self.set_header("Content-Type", kind)
        data = path.read_bytes()
        if path.suffix == ".html":
            data = self._inject(data)
        self.finish(data)

    def _not_found(self) -> None:
        page = self.state.output / "404.html"
        if page.is_file():
            self._send(page, 404)
        else:
            self.set_status(404)
            self.finish(self._inject((PREVIEW / "waiting.html").read_bytes()))

    def get(self, path: str) -> None:
        url_path = "/" + path
        base = self.state.base_path
        if url_path == base.rstrip("/") and base != "/":
            self.redirect(base)
            return
        if url_path == "/" and base != "/":
            self.redirect(base)
            return
        if not url_path.startswith(base):
            self._not_found()
            return
        output = self.state.output.resolve()
        if not output.is_dir():
            self.set_status(503)
            self.finish(self._inject((PREVIEW / "waiting.html").read_bytes()))
            return
        target = (output / url_path[len(base):]).resolve()
        if not target.is_relative_to(output):
            self._not_found()
            return
        if target.is_dir():
            if not url_path.endswith("/"):
                self.redirect(url_path + "/")
                return
            target = target / "index.html"
        if not target.is_file():
            self._not_found()
            return
        self._send(target)

    def head(self, path: str) -> None:
        self.get(path)


class StatusHandler(web.RequestHandler):
    def initialize(self, state: _State) -> None:
        self.state = state

    def get(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        problems = [p.as_dict() for p in self.state.builder.last_problems]
        self.finish(json.dumps({"ok": not problems, "problems": problems}))


class OverlayHandler(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "application/javascript; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish((PREVIEW / "overlay.js").read_bytes())


class PreviewServer(Server):
    """livereload's watcher and reload protocol, with our own HTTP handlers."""

    def __init__(self, state: _State):
        super().__init__()
        self.state = state

    def _setup_logging(self) -> None:
        """Keep livereload's own log at the level `serve` chose (stock: INFO, every request)."""

    def application(self, port, host, liveport=None, debug=None, live_css=True):  # type: ignore[no-untyped-def]
        LiveReloadHandler.watcher = self.watcher
        LiveReloadHandler.live_css = False  # hashed asset names change: always reload the page
        LiveReloadHandler.DEFAULT_RELOAD_TIME = 0  # every save reloads, however close together
        handlers = [
            (r"/livereload", LiveReloadHandler),
            (r"/forcereload", ForceReloadHandler),
            (r"/livereload.js", LiveReloadJSHandler),
            (r"/__tiangong__/status.json", StatusHandler, {"state": self.state}),
            (r"/__tiangong__/overlay.js", OverlayHandler),
            (r"/(.*)", SiteHandler, {"state": self.state}),
        ]
        web.Application(handlers=handlers, debug=False).listen(port, address=host)
        # Start polling now, faster than livereload's default; start_tasks() then does nothing.
        LiveReloadHandler._last_reload_time = time.time()
        ioloop.PeriodicCallback(LiveReloadHandler.poll_tasks, POLL_MS).start()


def _report(update: Update, quiet: bool) -> None:
    if update.problems and not update.ok:
        for problem in update.problems:
            print(problem, file=sys.stderr)
        print(f"{len(update.problems)} problem(s); still serving the last good build.", file=sys.stderr)
    elif not quiet and update.changed:
        what = "full rebuild" if update.full else f"re-rendered {len(update.rendered)} page(s)"
        print(f"{', '.join(update.changed)} changed: {what}, wrote {len(update.written)} file(s) in {update.seconds * 1000:.0f} ms")


def serve(args: argparse.Namespace) -> int:
    project = Project.at(args.project, args.content)
    builder = IncrementalBuilder(project, args.output, force=args.force)
    try:
        report = builder.full_build()
        if not args.quiet:
            print(report.summary())
        base_url = builder.urls.base_url
    except ContentError as exc:
        # Start anyway: the overlay shows the problems until they are fixed.
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        builder.last_problems = exc.problems
        builder.inputs = {}
        from .content import load_site

        site, _ = load_site(project.content, [])
        base_url = site.base_url if site else "http://localhost/"
        builder.output = args.output.resolve() if args.output else (project.root / (site.output_dir if site else "_site")).resolve()
    from .render import base_path_of

    state = _State(builder, base_path_of(base_url), args.port)
    server = PreviewServer(state)

    def rebuild() -> None:
        _report(builder.update(), args.quiet)

    for folder in (project.content, project.templates, project.static, project.root / "locales"):
        if folder.is_dir():
            server.watch(str(folder), rebuild)
    level = logging.INFO if args.debug else logging.WARNING
    logging.getLogger("livereload").setLevel(level)
    logging.getLogger("tornado.access").setLevel(level)
    if not args.quiet:
        print(f"Serving http://{args.host}:{args.port}{state.base_path} (Ctrl+C to stop)", flush=True)
    try:
        server.serve(port=args.port, host=args.host, restart_delay=0)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror} (pick another with --port)", file=sys.stderr)
        return 2
    return 0
