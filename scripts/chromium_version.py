"""Is the Chromium the tests drive the one the pinned Playwright was built for?

Each Playwright release speaks the DevTools protocol of one Chromium major (named in its
browsers.json); the tests drive /usr/bin/chromium (Debian's package here; on GitHub's runner,
whatever the workflow puts there). A different major mostly works, until a release changes
the protocol and every browser test breaks with no change in the repository. So the test
suite checks the two agree before its first test (tests/conftest.py), and so does CI.

    python scripts/chromium_version.py            # report; exit 1 on a mismatch
    python scripts/chromium_version.py --install  # on a mismatch, install Playwright's own
                                                  # Chromium and link it at /usr/bin/chromium (CI)

TIANGONG_CHROMIUM_MISMATCH=warn turns the test suite's failure into a warning (a machine
whose distribution ships another Chromium); the results then prove less.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
RELAX = "TIANGONG_CHROMIUM_MISMATCH"
VERSION = re.compile(r"\b(\d+)\.\d+\.\d+\.\d+\b")


def playwright_chromium() -> tuple[str, str]:
    """(Playwright's version, the Chromium version it was built for)."""
    import playwright

    browsers = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    entries = json.loads(browsers.read_text(encoding="utf-8"))["browsers"]
    chromium = next(b for b in entries if b["name"] == "chromium")
    return importlib.metadata.version("playwright"), chromium["browserVersion"]


def installed_version(path: str) -> str | None:
    """The version `path --version` prints, or None when there is no such browser."""
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = VERSION.search(done.stdout)
    return match.group(0) if match else None


def mismatch(path: str | None = None) -> str | None:
    """Why the browser at `path` (default CHROMIUM) does not fit Playwright, or None if it does."""
    path = path or CHROMIUM
    pw_version, wanted = playwright_chromium()
    found = installed_version(path)
    fix = (
        f"install Chromium {_major(wanted)} there, or pin the Playwright release built for the "
        f"browser you have in pyproject.toml and run `make lock`; {RELAX}=warn runs anyway"
    )
    if found is None:
        return f"no Chromium at {path} (Playwright {pw_version} wants Chromium {wanted}): {fix}"
    if _major(found) != _major(wanted):
        return (
            f"Chromium {found} at {path}, but Playwright {pw_version} is built for Chromium "
            f"{_major(wanted)} ({wanted}): {fix}"
        )
    return None


def _major(version: str) -> int:
    return int(version.split(".", 1)[0])


def install_playwright_chromium(path: str) -> None:
    """Download Playwright's Chromium (and its system libraries) and link it at `path`."""
    python = sys.executable
    subprocess.run(
        [python, "-m", "playwright", "install", "--with-deps", "--no-shell", "chromium"], check=True
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        executable = p.chromium.executable_path
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "ln", "-sf", executable, path], check=True)


def main(argv: list[str]) -> int:
    problem = mismatch()
    if problem and "--install" in argv:
        print(f"{problem}\nInstalling Playwright's Chromium at {CHROMIUM}", flush=True)
        install_playwright_chromium(CHROMIUM)
        problem = mismatch()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    print(
        f"Chromium {installed_version(CHROMIUM)} at {CHROMIUM} "
        f"fits Playwright {playwright_chromium()[0]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
