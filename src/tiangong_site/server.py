"""`serve`: the editors' live preview.

Builds once, serves the output under the site's base path on 127.0.0.1, watches
content/, templates/ and static/, rebuilds incrementally on every save and reloads
the open browser through livereload. A bad edit never stops the server: the last
good pages stay served and an overlay lists each problem as file:line:col.

The preview holds drafts, so it must not be turned against its user (issue 9):
- it answers only to the names of the address it listens on (a DNS-rebinding page
  under a name of its own is refused), on every route including livereload's;
- malformed paths get a short 400 or 404, never a traceback;
- connections are bounded (idle timeouts, a cap, rate-limited one-line logs);
- rebuilds run on a worker thread, so pages are served while one runs, and saves
  made meanwhile are coalesced into one more rebuild, never lost.

We use livereload's watcher and reload protocol but our own HTTP handlers: its stock
page injection is an inline script, which the site's Content-Security-Policy (no
inline script) would block, so we inject external scripts from the same origin and
serve the output ourselves, so the base path and 404s behave as on GitHub Pages.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import mimetypes
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

from livereload.handlers import ForceReloadHandler, LiveReloadHandler, LiveReloadJSHandler
from livereload.watcher import Watcher
from tornado import httpserver, httputil, ioloop, iostream, netutil, web, websocket

from . import drawing, inotify
from . import output as output_rules
from .errors import ContentError
from .incremental import IncrementalBuilder, Update
from .site import Project

PREVIEW = Path(__file__).parent / "preview"
POLL_MS = 25
"""How often the watcher looks for saved files (a walk of the source folders, about a
millisecond). livereload's default (800 ms) alone would be more than twice the 300 ms
budget from save to browser."""
SAFETY_POLL_MS = 250
"""How often it looks where inotify wakes the preview at each save (inotify.py): only for
what inotify cannot see."""

RELOAD_PREFIX = "tiangong-build:"
"""What the reload message's path starts with: the number of the build served (overlay.js)."""

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARDS = frozenset({"0.0.0.0", "::", ""})
MAX_SEGMENT_BYTES = 255
"""The longest file name most file systems allow; a longer path segment names nothing."""
MAX_CONNECTIONS = 128
"""Open HTTP connections kept at once; a browser needs about six. Past this the oldest is
closed, so a flood of idle sockets cannot starve the editor's own browser."""
LIMITS: dict[str, Any] = {
    "idle_connection_timeout": 30.0,  # a connection that sends no request is closed
    "body_timeout": 10.0,
    "max_header_size": 16 * 1024,
    "max_body_size": 64 * 1024,  # the preview takes no uploads
    "max_buffer_size": 1024 * 1024,
}
BACKLOG = 1024
LOG_BURST, LOG_WINDOW = 3, 10.0
"""At most LOG_BURST console lines of one kind per LOG_WINDOW seconds."""
MAX_LOG_LINE = 200
LOGGERS = ("tornado", "asyncio", "livereload", "tiangong_site.serve")

log = logging.getLogger("tiangong_site.serve")


# -- who may ask -------------------------------------------------------------------------


def split_host(header: str) -> tuple[str, int | None] | None:
    """'Example.org:8000' -> ('example.org', 8000); '[::1]' -> ('::1', None); None if malformed."""
    header = header.strip().lower()
    if header.startswith("["):
        name, bracket, rest = header[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port = rest[1:]
    else:
        name, _, port = header.partition(":")
        if ":" in port:
            return None
    if not name or not re.fullmatch(r"[a-z0-9._:-]+", name) or (port and not port.isdigit()):
        return None
    return name, int(port) if port else None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class HostGuard:
    """Which `Host` headers the preview answers to.

    A DNS-rebinding page reaches 127.0.0.1 under a name its author controls; the browser
    then sends that name as `Host`. So only names that mean this computer are accepted:
    localhost, 127.0.0.1, [::1] and the address listened on. Listening on every interface
    (0.0.0.0 or ::) also accepts any IP address and this computer's host name (rebinding
    needs a domain name, never an address); `--allow-host` adds names for LAN previews.
    """

    def __init__(self, bound: str, port: int, extra: Iterable[str] = ()):
        self.bound, self.port = bound, port
        wildcard = bound.strip("[]") in WILDCARDS
        names = set(LOOPBACK_NAMES) | {n.strip("[]").lower() for n in [bound, *extra]}
        if wildcard:  # this computer's name, and its name on the local network (mDNS)
            short = socket.gethostname().lower()
            names |= {short, f"{short.split('.')[0]}.local"}
        self.names, self.any_ip = frozenset(names), wildcard

    def allows(self, header: str | None) -> bool:
        if header is None:  # HTTP/1.0 without Host: not a browser, so not a rebinding page
            return True
        parsed = split_host(header)
        if parsed is None:
            return False
        name, port = parsed
        if port is not None and port != self.port:
            return False
        return name in self.names or (self.any_ip and _is_ip(name))

    def refusal(self, header: str) -> str:
        shown = header if len(header) <= 80 else header[:80] + "..."
        return (
            f"Refused: this preview answers only to http://{_url_host(self.bound)}:{self.port}/ "
            f"(or localhost), not to the host name {shown!r}. To preview under another name on "
            "your network, start it with --host 0.0.0.0 --allow-host NAME.\n"
        )


BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def path_problem(raw: str) -> tuple[int, str] | None:
    """(status, reason) when a request path is malformed or climbs out of the site; else None.

    Checked before routing, so no handler ever sees such a path (and no file system call
    fails on a NUL byte or an over-long name)."""
    if not raw.startswith("/"):
        return 400, "the path must start with /"
    if BAD_PERCENT.search(raw):
        return 400, "invalid percent-encoding in the path"
    try:
        decoded = unquote_to_bytes(raw.encode("latin-1")).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return 400, "the path is not valid UTF-8"
    if CONTROL.search(decoded) or "\\" in decoded:
        return 400, "control characters and backslashes are not allowed in a path"
    segments = decoded.split("/")
    if any(len(s.encode("utf-8")) > MAX_SEGMENT_BYTES for s in segments):
        return 400, f"a path segment is longer than {MAX_SEGMENT_BYTES} bytes"
    if any(s in (".", "..") for s in segments):
        return 404, "not found"
    return None


class PlainTextHandler(web.RequestHandler):
    """Answers any method with a status and a short plain-text explanation."""

    def initialize(self, status: int, text: str) -> None:
        self.status, self.text = status, text

    def prepare(self) -> None:
        self.set_status(self.status)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(self.text if self.text.endswith("\n") else self.text + "\n")


class GuardedApplication(web.Application):
    """Checks the Host header and the path of every request before any handler runs."""

    def __init__(self, handlers: list, guard: HostGuard):
        super().__init__(handlers=handlers, debug=False)
        self.guard = guard

    def find_handler(self, request: httputil.HTTPServerRequest, **kwargs: Any) -> Any:
        host = request.headers.get("Host")
        if not self.guard.allows(host):
            return self._answer(request, 403, self.guard.refusal(host or ""))
        problem = path_problem(request.path)
        if problem is not None:
            return self._answer(request, *problem)
        return super().find_handler(request, **kwargs)

    def _answer(self, request: httputil.HTTPServerRequest, status: int, text: str) -> Any:
        return self.get_handler_delegate(
            request, PlainTextHandler, {"status": status, "text": text}
        )


class SameOriginLiveReload(LiveReloadHandler):
    """livereload's socket, but only for pages of this preview (livereload accepts any origin)."""

    def check_origin(self, origin: str) -> bool:
        return websocket.WebSocketHandler.check_origin(self, origin)


# -- bounded connections ----------------------------------------------------------------


def connection_cap() -> int:
    """MAX_CONNECTIONS, or half the open files this process may have if that is fewer
    (macOS allows 256 by default): accepting past that limit fails in a tight loop."""
    try:
        import resource
    except ImportError:  # Windows
        return MAX_CONNECTIONS
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(8, min(MAX_CONNECTIONS, soft // 2))


class BoundedHTTPServer(httpserver.HTTPServer):
    """An HTTPServer that keeps at most `max_connections` open, closing the oldest first."""

    def initialize(self, *args: Any, max_connections: int = MAX_CONNECTIONS, **kwargs: Any) -> None:
        super().initialize(*args, **kwargs)
        self.max_connections = max_connections
        self._streams: dict[iostream.IOStream, None] = {}  # in the order accepted

    def handle_stream(self, stream: iostream.IOStream, address: tuple) -> None:
        for old in [s for s in self._streams if s.closed()]:
            del self._streams[old]
        if len(self._streams) >= self.max_connections:
            oldest = next(iter(self._streams))
            del self._streams[oldest]
            oldest.close()
            log.warning("more than %d open connections: closing the oldest", self.max_connections)
        self._streams[stream] = None
        super().handle_stream(stream, address)


# -- console ----------------------------------------------------------------------------


class OneLineFormatter(logging.Formatter):
    """A log record as one line: the message and, for an exception, its type and text."""

    def format(self, record: logging.LogRecord) -> str:
        lines = record.getMessage().strip().splitlines() or [""]
        text = lines[0] if len(lines[0]) <= MAX_LOG_LINE else lines[0][:MAX_LOG_LINE] + "..."
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            text += f" ({type(exc).__name__}: {(str(exc).splitlines() or [''])[0]})"
        held = getattr(record, "held_back", 0)
        return text + (f" [{held} more like this not shown]" if held else "")


class RateLimit(logging.Filter):
    """Lets through at most `burst` records of one kind per `window` seconds."""

    def __init__(
        self,
        burst: int = LOG_BURST,
        window: float = LOG_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ):
        super().__init__()
        self.burst, self.window, self.clock = burst, window, clock
        self.kinds: dict[tuple[str, int, str], list[float]] = {}  # kind -> [since, shown, held]
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        kind, now = (record.name, record.levelno, str(record.msg)), self.clock()
        with self.lock:
            if len(self.kinds) > 1000:  # messages formatted before logging make new kinds
                self.kinds.clear()
            since, shown, held = self.kinds.get(kind, [now, 0, 0])
            if now - since >= self.window:
                since, shown, record.held_back, held = now, 0, int(held), 0
            passes = shown < self.burst
            self.kinds[kind] = [since, shown + passes, held + (not passes)]
        return passes


def _console_handler(debug: bool) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    if debug:
        handler.setFormatter(logging.Formatter("%(levelname)s:%(name)s: %(message)s"))
    else:
        handler.setFormatter(OneLineFormatter())
        handler.addFilter(RateLimit())
    return handler


# -- rebuilds ---------------------------------------------------------------------------


class Rebuilder:
    """Runs `builder.update()` on a worker thread, one at a time.

    Saves while an update runs set a flag that the worker takes up as soon as it is done,
    so any number of them costs one more update, and none is lost: each update compares
    every source with the last good build, not with the save that woke it.

    An update that found changes is followed by one more look at the sources: the watcher
    sees modification times, which the file system keeps to a few milliseconds, so a second
    save within that tick of one the update had already read would otherwise go unseen. The
    look costs a scan of the sources (a few ms) when nothing else was saved, and is made
    before the browsers are told: a page that then asks whether a build is under way hears
    no, and reloads at once rather than asking again."""

    def __init__(self, builder: IncrementalBuilder, done: Callable[[Update], None]):
        self.builder, self.done = builder, done
        self._wanted, self._stopping, self._running = threading.Event(), False, False
        self._thread = threading.Thread(target=self._run, name="tiangong-rebuild", daemon=True)

    @property
    def busy(self) -> bool:
        """An update is running or wanted: pages served now may be behind the sources."""
        return self._running or self._wanted.is_set()

    def start(self) -> None:
        self._thread.start()

    def request(self) -> None:
        self._wanted.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping = True
        self._wanted.set()
        self._thread.join(timeout)  # let a rebuild finish rather than leave a half-swapped site

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            if self._stopping:
                return
            self._running = True
            self._wanted.clear()
            try:
                update = self.builder.update()
                while not update.repeated:  # look once more (see the class's docstring)
                    again = self.builder.update()
                    self.done(update)
                    update = again
                self.done(update)
            except Exception as exc:  # a file vanished mid-scan, say: keep the preview alive
                log.error("rebuild failed: %s: %s (save again to retry)", type(exc).__name__, exc)
            finally:
                self._running = False


# -- HTTP handlers ----------------------------------------------------------------------


class _State:
    """What the HTTP handlers need to know about the preview."""

    def __init__(
        self, builder: IncrementalBuilder, base_path: str, port: int, before: Path | None = None
    ):
        self.builder, self.base_path, self.port = builder, base_path, port
        self.busy: Callable[[], bool] = lambda: False
        self.before = before  # served until this preview's first good build (see last_good_output)

    @property
    def output(self) -> Path | None:
        """The folder served: the last good build, or None when there is none to serve."""
        return self.builder.output if self.builder.outputs else self.before


class SiteHandler(web.RequestHandler):
    """Serves the output folder under the base path, like GitHub Pages does; 404 elsewhere."""

    state: _State

    def initialize(self, state: _State) -> None:
        self.state = state

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")

    def prepare(self) -> None:
        # Read before any file: a page written by a later build than this number says is
        # reloaded once more for nothing, never shown as current when it is not.
        self.generation = self.state.builder.generation

    def _inject(self, html: bytes) -> bytes:
        """The build this page came from, and the preview's scripts. overlay.js comes first:
        it registers a livereload plugin, which livereload.js picks up when it runs."""
        head = (
            f'<meta name="tiangong-build" content="{self.generation}">'
            '<script src="/__tiangong__/overlay.js" defer></script>'
            f'<script src="/livereload.js?port={self.state.port}" defer></script>'
        ).encode()
        return html.replace(b"</head>", head + b"</head>", 1) if b"</head>" in html else head + html

    def _send(self, path: Path, status: int = 200) -> None:
        data = path.read_bytes()
        self.set_status(status)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in (
            "application/json",
            "application/javascript",
            "image/svg+xml",
        ):
            kind += "; charset=utf-8"
        self.set_header("Content-Type", kind)
        if path.suffix == ".html":
            data = self._inject(data)
        self.finish(data)

    def _not_found(self) -> None:
        page = self.state.output / "404.html" if self.state.output is not None else None
        if page is not None and page.is_file():
            self._send(page, 404)
        else:
            self.set_status(404)
            self.finish(self._inject((PREVIEW / "waiting.html").read_bytes()))

    def get(self, path: str) -> None:
        try:
            self._get(path)
        except OSError:  # the file went away during a rebuild, or its name is too long
            self.clear()  # every file is read before anything is sent: nothing went out yet
            self.set_status(404)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("not found\n")

    def _get(self, path: str) -> None:
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
        output = self.state.output.resolve() if self.state.output is not None else None
        if output is None or not output.is_dir():
            self.set_status(503)
            self.finish(self._inject((PREVIEW / "waiting.html").read_bytes()))
            return
        target = (output / url_path[len(base) :]).resolve()
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
        busy = self.state.busy()  # before the number: a build ending in between shows as done
        builder = self.state.builder
        problems = [p.as_dict() for p in builder.last_problems]
        build = builder.generation
        self.finish(
            json.dumps({"ok": not problems, "problems": problems, "build": build, "busy": busy})
        )


class OverlayHandler(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "application/javascript; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish((PREVIEW / "overlay.js").read_bytes())


# -- the preview ------------------------------------------------------------------------


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class Preview:
    """The running preview on the current IOLoop: HTTP server, watcher and rebuild worker."""

    def __init__(
        self,
        builder: IncrementalBuilder,
        base_path: str,
        folders: Iterable[Path],
        host: str = "127.0.0.1",
        port: int = 8000,
        allow_hosts: Iterable[str] = (),
        quiet: bool = False,
        debug: bool = False,
        watcher: Watcher | None = None,
    ):
        self.builder, self.host, self.port = builder, host, port
        self.allow_hosts, self.quiet, self.debug = list(allow_hosts), quiet, debug
        before = None if builder.outputs else last_good_output(builder.project, builder.output)
        self.state = _State(builder, base_path, port, before)
        # Made before the first build, a watcher sees a save made during that build.
        self.watcher = watcher or Watcher()
        self.folders = list(folders)
        self._inotify: inotify.Inotify | None = None
        for folder in self.folders:
            if folder.is_dir():
                self.watcher.watch(str(folder), self.request_rebuild)
        self.rebuilds = Rebuilder(builder, self._rebuilt)
        self.state.busy = lambda: self.rebuilds.busy
        self._handler = _console_handler(debug)
        self._loggers: dict[str, tuple[bool, int]] = {}  # name -> (propagate, level) before
        self._loop: ioloop.IOLoop | None = None

    @property
    def url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.port}{self.state.base_path}"

    def request_rebuild(self) -> None:
        self.rebuilds.request()

    def _rebuilt(self, update: Update) -> None:
        """On the worker thread: tell the console, then have the loop tell the browsers the
        number of the build now served (livereload's `path`), so that a page behind it
        reloads at once; one that is not asks the status, for the problems to show."""
        if update.repeated:
            return
        _report(update, self.quiet)
        assert self._loop is not None
        served = f"{RELOAD_PREFIX}{self.builder.generation}"
        self._loop.add_callback(LiveReloadHandler.reload_waiters, served)

    def _handlers(self) -> list:
        LiveReloadHandler.watcher = self.watcher
        LiveReloadHandler.live_css = False  # hashed asset names change: always reload the page
        return [
            (r"/livereload", SameOriginLiveReload),
            (r"/forcereload", ForceReloadHandler),
            (r"/livereload.js", LiveReloadJSHandler),
            (r"/__tiangong__/status.json", StatusHandler, {"state": self.state}),
            (r"/__tiangong__/overlay.js", OverlayHandler),
            (r"/(.*)", SiteHandler, {"state": self.state}),
        ]

    def start(self, sockets: list[socket.socket] | None = None) -> int:
        """Listen (port 0: any free port) on `sockets` (by default bound now), start watching
        and rebuilding; returns the port."""
        self._quiet_logs()
        sockets = sockets or listen(self.host, self.port)
        self.port = self.state.port = sockets[0].getsockname()[1]
        app = GuardedApplication(
            self._handlers(), HostGuard(self.host, self.port, self.allow_hosts)
        )
        self.http = BoundedHTTPServer(app, max_connections=connection_cap(), **LIMITS)
        self.http.add_sockets(sockets)
        self._loop = ioloop.IOLoop.current()
        self.rebuilds.start()
        self._inotify = inotify.watch(self.folders)
        if self._inotify is not None:
            self._loop.add_handler(self._inotify.fd, self._woken, ioloop.IOLoop.READ)
        poll = POLL_MS if self._inotify is None else SAFETY_POLL_MS
        self._poller = ioloop.PeriodicCallback(self.watcher.examine, poll)
        self._poller.start()
        return self.port

    def _woken(self, fd: int, events: int) -> None:
        if self._inotify is not None and self._inotify.read():
            self.request_rebuild()

    def stop(self) -> None:
        """Stop listening and watching; wait for a rebuild under way. Call on the loop's thread."""
        self._poller.stop()
        if self._inotify is not None and self._loop is not None:
            self._loop.remove_handler(self._inotify.fd)
            self._inotify.close()
            self._inotify = None
        self.http.stop()
        self.rebuilds.stop()
        for name, (propagate, level) in self._loggers.items():
            logger = logging.getLogger(name)
            logger.removeHandler(self._handler)
            logger.propagate, logger.level = propagate, level

    def _quiet_logs(self) -> None:
        """One line per problem, and few of them: a flood of bad requests must not flood the
        console, nor bury the content problems the editor is looking for."""
        for name in LOGGERS:
            logger = logging.getLogger(name)
            self._loggers.setdefault(name, (logger.propagate, logger.level))
            logger.addHandler(self._handler)
            logger.propagate = False
            logger.setLevel(logging.INFO if self.debug else logging.WARNING)
        if not self.debug:  # every request at INFO is noise; 4xx and 5xx still show, rate-limited
            logging.getLogger("livereload").setLevel(logging.ERROR)


def _report(update: Update, quiet: bool) -> None:
    if update.problems and not update.ok:
        for problem in update.problems:
            print(problem, file=sys.stderr)
        print(
            f"{len(update.problems)} problem(s); still serving the last good build.",
            file=sys.stderr,
        )
    elif not quiet and update.changed:
        what = "full rebuild" if update.full else f"re-rendered {len(update.rendered)} page(s)"
        print(
            f"{', '.join(update.changed)} changed: {what}, "
            f"wrote {len(update.written)} file(s) in {update.seconds * 1000:.0f} ms"
        )


def initial_build(
    project: Project, output: Path | None, quiet: bool, force: bool = False
) -> tuple[IncrementalBuilder, str]:
    """Build once; on content errors, start anyway (the overlay shows the problems until
    they are fixed). Returns the builder and the site's base path."""
    from .render import base_path_of

    builder = IncrementalBuilder(project, output, force=force)
    try:
        report = builder.full_build()
        if not quiet:
            print(report.summary())
        return builder, base_path_of(builder.urls.base_url)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        builder.last_problems = exc.problems
        builder.inputs = {}
        # builder.output stays as given (None: output_dir), so the next build checks it as
        # this one did; what is served meanwhile is decided by last_good_output.
        from .content import load_site

        site, _ = load_site(project.content, [])
        return builder, base_path_of(site.base_url if site else "http://localhost/")


def last_good_output(project: Project, output: Path | None) -> Path | None:
    """What to serve until the preview's first good build: the folder an earlier build made
    (it holds the build's marker), if a build may replace it. Never a folder the build
    refused (a home folder, `.git`, one outside the project): its files are not the site,
    and the preview must not hand them to a browser."""
    from .content import load_site

    if output is None:
        site, _ = load_site(project.content, [])
        if site is None:
            return None
        folder = (project.root / site.output_dir).resolve()
        if folder == project.root or not folder.is_relative_to(project.root):
            return None
    else:
        folder = output.resolve()
    sources = [project.content, project.templates, project.static]
    if output_rules.protected(project.root, sources, folder):
        return None
    return folder if (folder / output_rules.MARKER).is_file() else None


def watched_folders(project: Project) -> list[Path]:
    return [project.content, project.templates, project.static, project.root / "locales"]


def listen(host: str, port: int) -> list[socket.socket]:
    return netutil.bind_sockets(port, host, backlog=BACKLOG)


def serve(args: argparse.Namespace) -> int:
    project = Project.at(args.project, args.content)
    # The port first: a second preview on a port in use must fail before it builds, not
    # after rewriting the output folder the first one is serving.
    try:
        sockets = listen(args.host, args.port)
    except OSError as exc:
        where = f"{args.host}:{args.port}"
        hint = "check --host, or pick another --port"
        print(f"error: cannot listen on {where}: {exc.strerror} ({hint})", file=sys.stderr)
        return 2
    # One Chromium for every chart drawing while the preview runs (started at the first one
    # not cached): a chart edit then costs its drawing, not a browser's start as well.
    with drawing.kept_session():
        return _serve(args, project, sockets)


def _serve(args: argparse.Namespace, project: Project, sockets: list[socket.socket]) -> int:
    watcher = Watcher()
    builder, base_path = initial_build(project, args.output, args.quiet, args.force)
    folders = watched_folders(project)
    port = sockets[0].getsockname()[1]
    preview = Preview(
        builder,
        base_path,
        folders,
        args.host,
        port,
        args.allow_host,
        args.quiet,
        args.debug,
        watcher,
    )
    preview.start(sockets)
    if not args.quiet:
        print(f"Serving {preview.url} (Ctrl+C to stop)", flush=True)
    try:
        ioloop.IOLoop.current().start()
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
    return 0
