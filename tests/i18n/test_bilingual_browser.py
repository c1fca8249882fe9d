"""The root sends each reader to an edition in their language; the switcher works by click."""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bilingual_site import make_bilingual_project  # noqa: E402

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"


class _Prefixed(http.server.SimpleHTTPRequestHandler):
    """Serves the build under /sub/, as GitHub Pages serves a project site."""

    def translate_path(self, path: str) -> str:
        if not path.startswith("/sub/"):
            return "/nonexistent"
        return super().translate_path(path[len("/sub") :])

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tiangong_site import cli

    project = make_bilingual_project(tmp_path_factory.mktemp("bi") / "project")
    assert (
        cli.main(["build", "--project", str(project), "-q", "--base-url", "http://127.0.0.1/sub/"])
        == 0
    )
    handler = functools.partial(_Prefixed, directory=str(project / "_site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


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
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.mark.parametrize(
    ("locale", "edition"), [("zh-CN", "/sub/zh/"), ("en-US", "/sub/en/"), ("fr-FR", "/sub/en/")]
)
def test_the_root_sends_each_reader_to_their_language(
    browser, origin: str, locale: str, edition: str
):
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.goto(origin + "/sub/")
    page.wait_for_url(origin + edition)
    context.close()


def test_without_javascript_the_root_is_a_choice(browser, origin: str):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(origin + "/sub/")
    page.wait_for_timeout(300)
    assert page.url == origin + "/sub/"
    assert (
        page.get_by_role("link", name="中文").count() == 1
        and page.get_by_role("link", name="English").count() == 1
    )
    context.close()


def test_the_switcher_round_trips_and_a_chosen_edition_is_remembered(browser, origin: str):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(origin + "/sub/en/regions/alpha/")
    page.get_by_role("link", name="中文").click()
    page.wait_for_url(origin + "/sub/zh/regions/alpha/")
    assert page.locator("h1").inner_text().startswith("甲市")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(origin + "/sub/en/regions/alpha/")
    # Picking an edition on the root page wins over the browser's language next time.
    context.clear_cookies()
    page.goto(origin + "/sub/zh/")
    page.evaluate("localStorage.setItem('tiangong-language', 'zh')")
    page.goto(origin + "/sub/")
    page.wait_for_url(origin + "/sub/zh/")
    context.close()
