"""The test suite refuses to drive a Chromium whose major is not the one the pinned Playwright
was built for (scripts/chromium_version.py, checked by tests/conftest.py before the first test)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import chromium_version

REPO = Path(__file__).resolve().parent.parent


def fake_chromium(folder: Path, version: str) -> str:
    """An executable that answers `--version` as Debian's chromium does."""
    path = folder / "chromium"
    path.write_text(
        f"#!/bin/sh\necho 'Chromium {version} built on Debian GNU/Linux 12 (bookworm)'\n"
    )
    path.chmod(0o755)
    return str(path)


def test_another_major_is_a_mismatch_naming_both_versions(tmp_path: Path) -> None:
    pw_version, wanted = chromium_version.playwright_chromium()
    other = f"{int(wanted.split('.')[0]) + 1}.0.1234.5"
    problem = chromium_version.mismatch(fake_chromium(tmp_path, other))
    assert problem is not None
    assert other in problem and f"Playwright {pw_version}" in problem and wanted in problem
    assert "make lock" in problem and chromium_version.RELAX in problem


def test_same_major_other_build_fits(tmp_path: Path) -> None:
    major = chromium_version.playwright_chromium()[1].split(".")[0]
    assert chromium_version.mismatch(fake_chromium(tmp_path, f"{major}.0.9999.99")) is None


def test_missing_browser_is_a_mismatch(tmp_path: Path) -> None:
    problem = chromium_version.mismatch(str(tmp_path / "no-chromium"))
    assert problem is not None and "no Chromium at" in problem


PLUGIN = """
import chromium_version
chromium_version.CHROMIUM = {fake!r}
"""


def _run_pytest_with_chromium(
    tmp_path: Path, version: str, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run one cheap browser-marked test in a child pytest whose Chromium is a fake."""
    plugin = tmp_path / "fake_chromium_plugin.py"
    plugin.write_text(textwrap.dedent(PLUGIN.format(fake=fake_chromium(tmp_path, version))))
    child_env = {k: v for k, v in os.environ.items() if k != chromium_version.RELAX} | env
    child_env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(REPO / "scripts")])
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "fake_chromium_plugin",
            *args,
        ],
        cwd=REPO,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


# The cheapest test that carries the browser marker: selected alone, it makes the run one
# that drives Chromium, so the check applies; with the check passing it is what runs.
TARGET = "tests/test_chromium_version.py::test_marked_browser_runs_only_with_a_fitting_chromium"


@pytest.mark.slow
def test_a_run_with_browser_tests_stops_before_its_first_test_on_a_mismatch(tmp_path: Path) -> None:
    done = _run_pytest_with_chromium(tmp_path, "1.0.0.0", TARGET)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "browser tests not run: Chromium 1.0.0.0" in done.stdout + done.stderr
    assert "passed" not in done.stdout


@pytest.mark.slow
def test_the_mismatch_can_be_relaxed_to_a_warning(tmp_path: Path) -> None:
    done = _run_pytest_with_chromium(
        tmp_path, "1.0.0.0", TARGET, **{chromium_version.RELAX: "warn"}
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout and "Chromium 1.0.0.0" in done.stdout


@pytest.mark.browser
def test_marked_browser_runs_only_with_a_fitting_chromium() -> None:
    """Run by the two tests above in a child pytest (and, cheaply, by any full run): the
    browser it would drive answers `--version`."""
    assert chromium_version.installed_version(chromium_version.CHROMIUM)
