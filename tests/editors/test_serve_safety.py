"""The preview cannot be turned against its user: it answers only to its own address, shrugs
off malformed and idle requests without a traceback, keeps answering while it rebuilds, and
never serves a page that failed a check."""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import os
import re
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from livereload.watcher import Watcher
from tornado import ioloop

from conftest import REPO, tree_digest
from tiangong_site import server as server_module
from tiangong_site.incremental import IncrementalBuilder
from tiangong_site.server import (
    HostGuard,
    OneLineFormatter,
    Preview,
    RateLimit,
    initial_build,
    watched_folders,
)
from tiangong_site.site import Project

BROKEN_LINK = "\nSee [the missing page](no-such-page/).\n"


@pytest.mark.slow
def test_a_rerender_with_a_broken_link_writes_nothing_into_the_served_folder(project: Path):
    builder = IncrementalBuilder(Project.at(project), project / "_site")
    builder.full_build()
    before = tree_digest(project / "_site")
    page = project / "content/pages/index.md"
    good = page.read_text(encoding="utf-8")
    page.write_text(good + BROKEN_LINK, encoding="utf-8")
    update = builder.update()
    assert not update.ok and update.written == []
    assert any("broken link: no-such-page/" in p.message for p in update.problems)
    assert tree_digest(project / "_site") == before
    page.write_text(good + "\nSee [the sources](sources/), fixed.\n", encoding="utf-8")
    update = builder.update()
    assert update.ok, update.problems
    assert "the sources</a>, fixed." in (project / "_site/en/index.html").read_text(
        encoding="utf-8"
    )


# --- a preview in its own process, as an editor runs it ----------------------------------

PREFIX = "/tiangong-site/"


class Served:
    """`build.py serve --port 0` on a copy of the project; its console goes to a file."""

    def __init__(self, project: Path, *extra: str, max_files: int | None = None):
        self.log = project.parent / "serve.log"
        env = {k: v for k, v in os.environ.items() if k != "TIANGONG_BASE_URL"}
        command = [
            sys.executable,
            str(REPO / "build.py"),
            "serve",
            "--project",
            str(project),
            "--port",
            "0",
            *extra,
        ]
        self.process = subprocess.Popen(
            command,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=_limit_files(max_files),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited early:\n{self.console()}")
            found = re.search(r"Serving http://127\.0\.0\.1:(\d+)/", self.console())
            if found:
                self.port = int(found.group(1))
                return
            time.sleep(0.1)
        raise AssertionError(f"serve did not start within 60 s:\n{self.console()}")

    def console(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def get(
        self, raw_path: str, host: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        """GET a path exactly as written (no client-side normalisation), with a chosen Host."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest("GET", raw_path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", host or f"127.0.0.1:{self.port}")
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            conn.endheaders()
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8", errors="replace")
        finally:
            conn.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _limit_files(max_files: int | None):
    if max_files is None:
        return None

    def limit() -> None:
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max_files, hard))

    return limit


@pytest.fixture
def served(project: Path) -> Iterator[Served]:
    server = Served(project)
    yield server
    server.stop()


WEBSOCKET = {
    "Upgrade": "websocket",
    "Connection": "Upgrade",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
}


@pytest.mark.slow
def test_a_foreign_host_is_refused_on_every_route_and_local_names_are_answered(served: Served):
    port = served.port
    routes = [
        PREFIX,
        PREFIX + "en/",
        "/livereload.js?port=1",
        "/__tiangong__/status.json",
        "/__tiangong__/overlay.js",
        "/forcereload",
        "/no-such-file",
    ]
    for foreign in (
        f"evil.example:{port}",
        "evil.example",
        f"127.0.0.1.evil.example:{port}",
        f"localhost:{port + 1}",
        "localhost:x",
        "[::1",
    ):
        for route in routes:
            status, body = served.get(route, host=foreign)
            assert status == 403, (foreign, route, status)
            assert "--allow-host" in body and "<" not in body  # a short plain-text explanation
        assert served.get("/livereload", host=foreign, headers=WEBSOCKET)[0] == 403
    for local in (
        f"localhost:{port}",
        f"127.0.0.1:{port}",
        f"[::1]:{port}",
        "LOCALHOST",
        "127.0.0.1",
    ):
        assert served.get(PREFIX + "en/", host=local)[0] == 200, local
    assert served.get("/livereload", host=f"localhost:{port}", headers=WEBSOCKET)[0] == 101


@pytest.mark.slow
def test_the_live_reload_socket_refuses_pages_of_other_sites(served: Served):
    origin = {"Origin": "http://evil.example"}
    assert served.get("/livereload", headers=WEBSOCKET | origin)[0] == 403
    same = {"Origin": f"http://127.0.0.1:{served.port}"}
    assert served.get("/livereload", headers=WEBSOCKET | same)[0] == 101


@pytest.mark.slow
def test_an_allowed_host_name_is_answered(project: Path):
    server = Served(project, "--allow-host", "preview.test", "--allow-host", "other.test")
    try:
        for name in ("preview.test", "other.test"):
            assert server.get(PREFIX, host=f"{name}:{server.port}")[0] == 200
        assert server.get(PREFIX, host=f"evil.test:{server.port}")[0] == 403
    finally:
        server.stop()


MALFORMED = {
    PREFIX + "%00": 400,
    PREFIX + "en/%00/index.html": 400,
    PREFIX + "%zz": 400,
    PREFIX + "%e4%b8": 400,  # half a UTF-8 character
    PREFIX + "x" * 300 + "/": 400,
    PREFIX + "en/" + "%e5%a4%a9" * 90: 400,  # 270 bytes in 90 characters
    PREFIX + "en\\index.html": 400,
    PREFIX + "%5c..%5cpyproject.toml": 400,
    PREFIX + "../pyproject.toml": 404,
    "/../pyproject.toml": 404,
    PREFIX + "%2e%2e/content/site.yaml": 404,
}


@pytest.mark.slow
def test_malformed_paths_get_400_or_404_and_no_traceback(served: Served):
    for path, expected in MALFORMED.items():
        status, body = served.get(path)
        assert status == expected, (path, status, body[:200])
        assert "Traceback" not in body
    assert served.get(PREFIX + "en/")[0] == 200  # still serving
    console = served.console()
    assert "Traceback" not in console and "Error" not in console, console
    assert len(console.splitlines()) < 12, console  # a line per bad request at most, rate-limited


@pytest.mark.slow
def test_a_thousand_idle_connections_neither_stop_the_preview_nor_flood_the_console(project: Path):
    # 256 open files: the default on macOS, and low enough that the old server fell over.
    server = Served(project, max_files=256)
    raise_own_file_limit(1200)
    sockets: list[socket.socket] = []
    try:
        for _ in range(1000):  # loopback only, all closed below
            sockets.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
        started = time.monotonic()
        status, body = server.get(PREFIX + "en/")
        assert status == 200 and "</html>" in body
        assert time.monotonic() - started < 10  # a hang guard, not a speed budget
        assert server.process.poll() is None
        for s in sockets:
            s.close()
        assert server.get(PREFIX)[0] == 200
    finally:
        for s in sockets:
            s.close()
        server.stop()
    console = server.console()
    assert len(console.splitlines()) < 50, console[-3000:]
    assert "Traceback" not in console


def raise_own_file_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


def test_a_preview_whose_output_folder_is_refused_serves_nothing_from_it(
    project: Path, tmp_path: Path
):
    # --output at a folder no build made (a home folder, say): the build refuses it, and the
    # preview must not then hand its files to the browser as if they were the site.
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "secret.txt").write_text("not for the browser\n", encoding="utf-8")
    server = Served(project, "--output", str(foreign))
    try:
        assert "refusing to replace this folder" in server.console()
        status, body = server.get(PREFIX + "secret.txt")
        assert status != 200 and "not for the browser" not in body, (status, body[:200])
        assert server.get(PREFIX)[0] != 200
    finally:
        server.stop()
    assert [p.name for p in foreign.iterdir()] == ["secret.txt"]


def test_a_preview_never_builds_into_an_output_dir_outside_the_project(project: Path):
    site = project / "content/site.yaml"
    text = site.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^output_dir:.*$", "output_dir: ../outside", text)
    site.write_text(text, encoding="utf-8")
    builder, _ = initial_build(Project.at(project), None, quiet=True)
    page = project / "content/pages/index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA save.\n", encoding="utf-8")
    update = builder.update()  # the next save: the output_dir rule holds for it too
    assert not (project.parent / "outside").exists()
    assert not update.ok
    located = [p for p in update.problems if p.path == "content/site.yaml"]
    assert any("outside the project" in p.message for p in located), update.problems


@pytest.mark.slow
def test_a_preview_started_on_broken_content_serves_the_last_good_build(built_project: Path):
    page = built_project / "content/pages/index.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\n::: chart no-such-chart\n", encoding="utf-8")
    server = Served(built_project)
    try:
        assert "no-such-chart" in server.console()
        status, body = server.get(PREFIX + "en/")
        assert status == 200 and "</html>" in body
    finally:
        server.stop()


# --- a preview in this process, to hold a rebuild still -----------------------------------


class Live:
    """The preview on its own IOLoop thread, on a free port, with the builder at hand."""

    def __init__(self, project: Path):
        self.project = project
        found = Project.at(project)
        watcher = Watcher()
        self.builder, base_path = initial_build(found, None, quiet=True)
        self.preview = Preview(
            self.builder, base_path, watched_folders(found), port=0, quiet=True, watcher=watcher
        )
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        assert ready.wait(30), "the preview did not start"

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        self.loop = ioloop.IOLoop.current()
        self.port = self.preview.start()
        ready.set()
        self.loop.start()
        self.preview.stop()
        self.loop.close(all_fds=True)

    def get(self, path: str, timeout: float = 10) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8")
        finally:
            conn.close()

    def problems(self) -> list[dict]:
        return json.loads(self.get("/__tiangong__/status.json")[1])["problems"]

    def stop(self) -> None:
        self.loop.add_callback(self.loop.stop)
        self.thread.join(30)


@pytest.fixture
def live(project: Path) -> Iterator[Live]:
    server = Live(project)
    yield server
    server.stop()


@pytest.fixture
def live_polling(project: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    """The preview with its polling watcher only: inotify (inotify.py) would see any save."""
    monkeypatch.setattr(server_module.inotify, "watch", lambda folders: None)
    server = Live(project)
    yield server
    server.stop()


def wait_until(condition, what: str, timeout: float = 30):
    """Poll `condition` until it returns something true; fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_pages_are_served_during_a_rebuild_and_a_save_made_meanwhile_is_not_lost(
    live: Live, monkeypatch
):
    in_rebuild, release = threading.Event(), threading.Event()
    real_update, calls = live.builder.update, []

    def held_update():  # the first rebuild does its work, then holds until released
        calls.append(1)
        update = real_update()
        if len(calls) == 1:
            in_rebuild.set()
            assert release.wait(60)
        return update

    monkeypatch.setattr(live.builder, "update", held_update)
    page = live.project / "content/pages/index.md"
    good = page.read_text(encoding="utf-8")
    try:
        page.write_text(good + "\nFirst save.\n", encoding="utf-8")
        assert in_rebuild.wait(30), "the save did not start a rebuild"
        status, body = live.get(PREFIX + "en/", timeout=10)  # the rebuild is still running
        assert status == 200 and "First save." in body
        assert live.get("/__tiangong__/status.json")[0] == 200
        page.write_text(good + "\nSecond save.\n", encoding="utf-8")
        time.sleep(0.3)  # several polls of the watcher while the rebuild still holds
    finally:
        release.set()
    wait_until(
        lambda: "Second save." in live.get(PREFIX + "en/")[1], "the save made during the rebuild"
    )
    assert len(calls) >= 2


def stamp(html: str) -> int:
    """The build number the preview stamped a page with."""
    found = re.search(r'<meta name="tiangong-build" content="(\d+)">', html)
    assert found, "the page carries no build number"
    return int(found.group(1))


@pytest.mark.slow
def test_each_page_carries_the_build_it_came_from_and_the_status_tells_the_current_one(live: Live):
    status = json.loads(live.get("/__tiangong__/status.json")[1])
    assert status["busy"] is False and status["build"] >= 1
    assert stamp(live.get(PREFIX + "en/")[1]) == status["build"]
    assert stamp(live.get(PREFIX + "en/no-such-page/")[1]) == status["build"]  # the 404 page too
    page = live.project / "content/pages/index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA new sentence.\n", encoding="utf-8")
    wait_until(lambda: "A new sentence." in live.get(PREFIX + "en/")[1], "the edit to be served")
    after = json.loads(live.get("/__tiangong__/status.json")[1])
    assert after["build"] > status["build"]
    assert stamp(live.get(PREFIX + "en/")[1]) == after["build"]
    assert stamp(live.get(PREFIX + "en/sources/")[1]) == after["build"]  # unchanged pages as well


@pytest.mark.slow
def test_a_save_the_watcher_cannot_see_made_during_a_rebuild_is_built_all_the_same(
    live_polling: Live, monkeypatch
):
    """Two saves within one tick of the file system's clock share a modification time, so
    the watcher sees one change; the worker looks again after each update."""
    in_rebuild, release = threading.Event(), threading.Event()
    real_update, calls = live_polling.builder.update, []

    def held_update():
        calls.append(1)
        update = real_update()
        if len(calls) == 1:
            in_rebuild.set()
            assert release.wait(60)
        return update

    monkeypatch.setattr(live_polling.builder, "update", held_update)
    page = live_polling.project / "content/pages/index.md"
    good = page.read_text(encoding="utf-8")
    try:
        page.write_text(good + "\nFirst save.\n", encoding="utf-8")
        assert in_rebuild.wait(30), "the save did not start a rebuild"
        seen = page.stat().st_mtime_ns
        page.write_text(good + "\nSecond save.\n", encoding="utf-8")
        os.utime(page, ns=(seen, seen))  # as if in the same tick: the watcher sees nothing new
        time.sleep(0.3)  # several polls of the watcher while the rebuild still holds
    finally:
        release.set()
    wait_until(
        lambda: "Second save." in live_polling.get(PREFIX + "en/")[1], "the unseen save to be built"
    )
    assert wait_until(
        lambda: json.loads(live_polling.get("/__tiangong__/status.json")[1])["busy"] is False,
        "the preview to settle",
    )


@pytest.mark.slow
def test_a_broken_link_leaves_the_served_site_as_it_was_and_the_overlay_lists_it(live: Live):
    assert live.builder.output is not None
    before = tree_digest(live.builder.output)
    page = live.project / "content/pages/index.md"
    good = page.read_text(encoding="utf-8")
    page.write_text(good + BROKEN_LINK, encoding="utf-8")
    problems = wait_until(live.problems, "the overlay to report the broken link")
    assert any("broken link: no-such-page/" in p["message"] for p in problems), problems
    assert tree_digest(live.builder.output) == before
    assert "the missing page" not in live.get(PREFIX + "en/")[1]
    page.write_text(good + "\nSee [the sources](sources/), fixed.\n", encoding="utf-8")
    wait_until(
        lambda: "the sources</a>, fixed." in live.get(PREFIX + "en/")[1], "the fix to be served"
    )
    assert live.problems() == []


# --- the parts ---------------------------------------------------------------------------


def test_listening_on_every_interface_accepts_addresses_and_this_computers_name_only():
    guard = HostGuard("0.0.0.0", 8000, ["preview.lan"])
    for host in (
        "192.168.1.20:8000",
        "[fe80::1]:8000",
        "10.0.0.5",
        "preview.lan:8000",
        "PREVIEW.LAN",
        f"{socket.gethostname()}:8000",
        "localhost:8000",
    ):
        assert guard.allows(host), host
    for host in (
        "evil.example:8000",
        "192.168.1.20:8001",
        "preview.lan.evil.example",
        "192.168.1.20:80:80",
        "",
        "a b",
    ):
        assert not guard.allows(host), host


def test_listening_on_one_address_accepts_only_its_names():
    guard = HostGuard("127.0.0.1", 8000)
    assert guard.allows("127.0.0.1:8000") and guard.allows("[::1]") and guard.allows(None)
    assert not guard.allows("192.168.1.20:8000")  # an address, but not this one
    assert not guard.allows(f"{socket.gethostname()}:8000")
    assert HostGuard("192.168.1.20", 8000).allows("192.168.1.20:8000")


def test_repeated_log_lines_are_held_back_and_counted():
    now = [0.0]
    limit = RateLimit(burst=3, window=10.0, clock=lambda: now[0])

    def record(msg: str) -> logging.LogRecord:
        return logging.LogRecord("tornado.access", logging.WARNING, __file__, 1, msg, ("x",), None)

    passed = [limit.filter(record("%s failed")) for _ in range(10)]
    assert passed == [True] * 3 + [False] * 7
    assert limit.filter(record("another kind: %s"))  # each kind has its own allowance
    now[0] = 10.0
    later = record("%s failed")
    assert limit.filter(later) and later.held_back == 7
    assert "[7 more like this not shown]" in OneLineFormatter().format(later)


def test_an_exception_is_logged_as_one_line_without_its_traceback():
    try:
        raise OSError("Too many open files\nsecond line")
    except OSError:
        record = logging.LogRecord(
            "asyncio", logging.ERROR, __file__, 1, "Exception in callback\nmore", (), sys.exc_info()
        )
    assert (
        OneLineFormatter().format(record) == "Exception in callback (OSError: Too many open files)"
    )


def test_a_preview_on_a_port_in_use_fails_before_it_builds(run_cli, project: Path):
    """Review 1.4: a second `serve` on the first one's port must not rewrite the output the
    first one is serving, only to fail afterwards."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--project", project, "--port", str(port))
    assert result.code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.err and "--port" in result.err
    assert not (project / "_site").exists(), "it built before finding the port taken"
