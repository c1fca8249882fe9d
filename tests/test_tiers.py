"""Tests in tiers: plain `pytest` runs the fast tier and says what it left out; `--all`, `-m`
or a named path select the rest; `make test` lints, then runs every tier.

Each case collects a few files of the suite (SAMPLE, standing in for `testpaths`, so that the
child pytest sees a run that names no test) with a small plugin that writes down, for every
test, whether it was selected and which tier markers it carries. The child builds from a
project that does not exist (TIANGONG_TEST_PROJECT): a site build at collection fails at
once, and shows in the browser tests' ids instead of costing a minute."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO

RECORDER = """
    import json, os

    def _row(item, selected):
        marks = sorted({m.name for m in item.iter_markers()} & {"browser", "slow"})
        return {"id": item.nodeid, "selected": selected, "marks": marks}

    def pytest_deselected(items):
        with open(os.environ["TIERS_RECORD"], "a", encoding="utf-8") as out:
            out.writelines(json.dumps(_row(i, False)) + "\\n" for i in items)

    def pytest_collection_finish(session):
        with open(os.environ["TIERS_RECORD"], "a", encoding="utf-8") as out:
            out.writelines(json.dumps(_row(i, True)) + "\\n" for i in session.items)
    """


# Fast tests, slow ones, browser tests outside tests/browser, and per-page browser tests.
SAMPLE = ["tests/test_atomic_publish.py", "tests/test_chromium_version.py", "tests/browser"]


def collect(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[dict]]:
    """`pytest --collect-only ARGS` from the project folder, with SAMPLE as `testpaths`; its
    output and one row per test."""
    (tmp_path / "tiers_recorder.py").write_text(textwrap.dedent(RECORDER), encoding="utf-8")
    record = tmp_path / "record.jsonl"
    env = os.environ | {
        "PYTHONPATH": str(tmp_path),
        "TIERS_RECORD": str(record),
        "TIANGONG_TEST_PROJECT": str(tmp_path / "no-such-project"),
    }
    env.pop("PYTEST_ADDOPTS", None)
    options = ["-p", "tiers_recorder", "-p", "no:cacheprovider", "--collect-only", "-q"]
    options += ["-o", "testpaths=" + " ".join(SAMPLE)]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *options, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    return done, rows


def test_plain_pytest_runs_the_fast_tier_without_building_and_says_what_it_left(tmp_path: Path):
    done, rows = collect(tmp_path)
    selected = [r for r in rows if r["selected"]]
    left = [r for r in rows if not r["selected"]]
    assert selected, "the fast tier selected nothing"
    assert [r["id"] for r in selected if r["marks"]] == [], "a browser or slow test ran fast"
    assert [r["id"] for r in left if not r["marks"]] == [], "a fast test was left out"
    assert {m for r in left for m in r["marks"]} == {"browser", "slow"}
    per_page = [r["id"] for r in left if r["id"].startswith("tests/browser/") and "[" in r["id"]]
    # No site was built to expand them: no parameter names a page of it (en/..., zh/..., #chart).
    assert per_page and not [i for i in per_page if re.search(r"\[[^\]]*(en/|zh/|#)", i)], per_page
    assert any("browser-tests-deselected" in i for i in per_page), per_page
    slow = sum(1 for r in left if "browser" not in r["marks"])
    note = [ln for ln in done.stdout.splitlines() if ln.startswith("fast tier only:")]
    assert len(note) == 1, done.stdout[-2000:]
    assert f" {len(left)} tests left to `make test` ({slow} slow, " in note[0]
    assert f"/{len(rows)} tests collected ({len(left)} deselected)" in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--all"], id="--all"),
        pytest.param(SAMPLE, id="named paths", marks=pytest.mark.slow),
    ],
)
def test_all_or_named_paths_select_every_tier(tmp_path: Path, args: list[str]):
    done, rows = collect(tmp_path, *args)
    assert [r["id"] for r in rows if not r["selected"]] == []
    assert {m for r in rows for m in r["marks"]} == {"browser", "slow"}
    assert any("site-did-not-build" in r["id"] for r in rows), "the site was not built for them"
    assert "fast tier only" not in done.stdout


@pytest.mark.slow
def test_an_explicit_mark_expression_replaces_the_tiers(tmp_path: Path):
    done, rows = collect(tmp_path, "-m", "slow and not browser")
    selected = [r for r in rows if r["selected"]]
    assert selected and all(r["marks"] == ["slow"] for r in selected)
    assert all(r["marks"] != ["slow"] for r in rows if not r["selected"])
    assert "fast tier only" not in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("workers", [[], ["-n", "0"]], ids=["plain", "-n 0"])
def test_a_plain_run_shares_the_fast_tier_between_two_workers_and_notes_once(
    tmp_path: Path, workers: list[str]
):
    """Run for real (not collected only): three fast tests of a file with slow and browser
    ones, in two pytest-xdist workers unless `-n 0` keeps them in one process; either way the
    note on what was left out is printed once, with the counts the workers deselected."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "TIERS_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *workers]
        + ["-o", "testpaths=tests/test_chromium_version.py"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert ("2 workers [3 items]" in done.stdout) == (workers == []), done.stdout[-2000:]
    note = [ln for ln in done.stdout.splitlines() if ln.startswith("fast tier only:")]
    assert note == [
        "fast tier only: 3 tests left to `make test` (2 slow, 1 browser before their expansion "
        "over pages); `pytest --all` runs them"
    ], done.stdout[-2000:]
    assert re.search(r"\b3 passed\b", done.stdout), done.stdout[-2000:]


def test_make_test_lints_first_then_runs_every_tier():
    done = subprocess.run(
        ["make", "-n", "test"], cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    )
    lines = done.stdout.splitlines()
    lint = next(i for i, ln in enumerate(lines) if "-m ruff check" in ln)
    suite = [i for i, ln in enumerate(lines) if "-m pytest" in ln]
    assert len(suite) == 1 and lint < suite[0], done.stdout
    assert "--all" in lines[suite[0]].split(), lines[suite[0]]


def test_the_python_code_passes_the_linter():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"`make lint` finds:\n{done.stdout[-4000:]}{done.stderr}"
