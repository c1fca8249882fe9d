"""`serve` driven as an editor uses it: a real server process, a real Chromium, real edits.

The browser is never told to reload: each assertion waits for livereload to bring the
change (or the error overlay) to the open page by itself.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, theme_override

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
PREFIX = "/tiangong-site/"
WAIT_MS = 20_000  # generous: a loaded CI machine is slow; speed is measured in bench/serve_bench.py


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Preview:
    def __init__(self, project: Path, port: int):
        self.project, self.port = project, port
        self.log = project.parent / "serve.log"
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(REPO / "build.py"),
                "serve",
                "--project",
                str(project),
                "--port",
                str(port),
            ],
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if k != "TIANGONG_BASE_URL"},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited early:\n{self.log.read_text()}")
            try:
                if self.status(PREFIX) == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"serve did not answer within 60 s:\n{self.log.read_text()}")

    def url(self, path: str = "") -> str:
        """A page of the first edition (English on a site of two languages)."""
        return f"http://127.0.0.1:{self.port}{PREFIX}{self.edition}{path}"

    @property
    def edition(self) -> str:
        site = self.project / "_site"
        folders = (
            sorted(p.name for p in site.iterdir() if p.is_dir() and len(p.name) == 2)
            if site.is_dir()
            else []
        )
        return f"{folders[0]}/" if folders else ""

    def status(self, raw_path: str) -> int:
        """GET a path exactly as written (no client-side normalisation of `..`)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", raw_path)
            return conn.getresponse().status
        finally:
            conn.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def preview(project: Path) -> Iterator[Preview]:
    # A copy with the session build's warm cache: its first build draws no chart again, so a
    # loaded machine does not spend the server's start-up time in Chromium.
    # A template of the project's own (a copy of the theme's), for a test to break.
    theme_override(project, "templates/sources.html")
    server = Preview(project, free_port())
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (scripts/install-system-deps.sh)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


def wait_connected(page) -> None:
    """Wait until livereload.js has finished its handshake, so no reload message is missed."""
    page.wait_for_function(
        "() => window.LiveReload && window.LiveReload.connector"
        " && window.LiveReload.connector.protocol > 0",
        timeout=WAIT_MS,
    )
    page.wait_for_timeout(200)  # the server registers the page on the message after the handshake


def region_with_name(project: Path) -> tuple[str, str, int]:
    """The first county-level region: its id, its English name and the line its name is on."""
    lines = (project / "content/data/regions.yaml").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("- id: ") and any(
            k in "\n".join(lines[i : i + 6]) for k in ("kind: district", "kind: county")
        ):
            rid = line.split(":", 1)[1].strip()
            for j in range(i + 1, i + 8):
                if lines[j].strip().startswith("name:"):
                    value = lines[j].split("name:", 1)[1].strip()
                    name = (
                        value.split("en:", 1)[1].split(",")[0].strip(' }"')
                        if value.startswith("{")
                        else value.strip('"')
                    )
                    return rid, name, j
    raise AssertionError("no county-level region in regions.yaml")


def replace_line(path: Path, index: int, new: str) -> str:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    old = lines[index]
    lines[index] = new
    path.write_text("".join(lines), encoding="utf-8")
    return old


def test_an_edit_reaches_the_open_page_then_a_bad_edit_shows_the_overlay_and_a_fix_clears_it(
    preview: Preview, browser
):
    rid, name, line = region_with_name(preview.project)
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(preview.url(f"regions/{rid}/"))
    assert name in page.locator("h1").inner_text()
    wait_connected(page)

    regions = preview.project / "content/data/regions.yaml"
    good = regions.read_text(encoding="utf-8")
    name_line = good.splitlines(keepends=True)[line]
    replace_line(regions, line, name_line.replace(name, "Renamed Place"))
    page.wait_for_function(
        "() => document.querySelector('h1').textContent.includes('Renamed Place')", timeout=WAIT_MS
    )

    # A bad edit: the page keeps the last good content and the overlay names file and line.
    replace_line(regions, line + 1, "  kind: [broken\n")
    overlay = page.locator("#tiangong-error-overlay")
    overlay.wait_for(timeout=WAIT_MS)
    assert "content/data/regions.yaml:" in overlay.inner_text()
    assert "Renamed Place" in page.locator("h1").inner_text()
    assert overlay.get_attribute("role") == "alert"

    # The fix removes the overlay; the edited content is there.
    regions.write_text(good, encoding="utf-8")
    replace_line(regions, line, name_line.replace(name, "Fixed Place"))
    page.wait_for_function(
        "() => !document.getElementById('tiangong-error-overlay')"
        " && document.querySelector('h1').textContent.includes('Fixed Place')",
        timeout=WAIT_MS,
    )
    assert errors == [], errors  # livereload and the overlay load under the site's CSP
    assert preview.process.poll() is None, "the server must survive a bad edit"


def test_a_broken_template_gets_the_overlay_too(preview: Preview, browser):
    page = browser.new_page()
    page.goto(preview.url("sources/"))
    wait_connected(page)
    template = preview.project / "templates/sources.html"
    good = template.read_text(encoding="utf-8")
    template.write_text(
        good.replace("{% block listing %}", "{% block listing %}{% for %}", 1), encoding="utf-8"
    )
    overlay = page.locator("#tiangong-error-overlay")
    overlay.wait_for(timeout=WAIT_MS)
    assert "templates/sources.html:" in overlay.inner_text()
    assert page.locator("h1").count() == 1  # the last good page is still there
    template.write_text(good, encoding="utf-8")
    page.wait_for_function(
        "() => !document.getElementById('tiangong-error-overlay')", timeout=WAIT_MS
    )


def test_the_preview_serves_under_the_base_path_and_nothing_outside_the_output(preview: Preview):
    assert preview.status(PREFIX) == 200
    assert preview.status("/") in (301, 302)  # sent to the base path, as on GitHub Pages
    assert preview.status(PREFIX + "no-such-page/") == 404
    for outside in (
        "/pyproject.toml",
        PREFIX + "../pyproject.toml",
        PREFIX + "%2e%2e/content/site.yaml",
        PREFIX + "..%2fcontent%2fsite.yaml",
        "/content/site.yaml",
    ):
        assert preview.status(outside) == 404, outside


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on `port`, read from the kernel's tables."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                if len(address) == 8:
                    found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
                else:
                    raw = b"".join(bytes.fromhex(address[i : i + 8])[::-1] for i in range(0, 32, 8))
                    found.add(socket.inet_ntop(socket.AF_INET6, raw))
    return found


def test_the_preview_listens_on_localhost_only_by_default(preview: Preview):
    assert f"http://127.0.0.1:{preview.port}{PREFIX}" in preview.log.read_text(encoding="utf-8")
    assert listening_addresses(preview.port) == {"127.0.0.1"}
