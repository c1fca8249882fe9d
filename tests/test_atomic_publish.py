"""Publishing in one atomic step: a build killed at any instant leaves the previous site whole;
builds of one output take turns; the next build cleans up after a killed one."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, leftovers, tree_digest
from tiangong_site import output as output_rules
from tiangong_site import site
from tiangong_site.errors import ContentError, Problem

KILLS = 20


def build_command(project: Path) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), "build", "--project", str(project), "-q"]


def clean_env() -> dict[str, str]:
    """The environment `built_once` was built in (no base URL override)."""
    return {k: v for k, v in os.environ.items() if k != "TIANGONG_BASE_URL"}


def timed_build(project: Path) -> float:
    started = time.monotonic()
    subprocess.run(
        build_command(project), env=clean_env(), check=True, timeout=120, capture_output=True
    )
    return time.monotonic() - started


@pytest.mark.slow
def test_a_build_killed_at_any_instant_leaves_the_previous_site_whole(built_project: Path):
    out = built_project / "_site"
    good = tree_digest(out)
    duration = min(
        timed_build(built_project) for _ in range(2)
    )  # the quicker: most kills land mid-build
    interrupted, debris_seen = 0, 0
    for i in range(KILLS):
        delay = duration * (i + 0.5) / KILLS  # spread over the whole run, start to swap
        process = subprocess.Popen(
            build_command(built_project),
            env=clean_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        interrupted += process.wait(timeout=60) == -signal.SIGKILL
        assert tree_digest(out) == good, (
            f"the site changed after a kill {delay:.2f} s into the build"
        )
        debris_seen += bool(leftovers(built_project))
    assert interrupted >= KILLS // 2, "most kills must land before the build ends"
    assert debris_seen, "some kill must land while the new site is being written"
    timed_build(built_project)
    assert leftovers(built_project) == []
    assert tree_digest(out) == good


KILL_AT = """
import os, shutil, signal, sys
from tiangong_site import cli, output

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

def after(function):
    def run(*args, **kwargs):
        function(*args, **kwargs)
        die()
    return run

point, project = sys.argv[1:]
if point == "before-the-swap":
    output.swap_in = die
elif point == "right-after-the-exchange":
    output.exchange = after(output.exchange)
elif point == "midway-through-removing-the-old-site":
    shutil.rmtree = after(shutil.rmtree)  # once its first folder is gone
sys.exit(cli.main(["build", "--project", project, "-q"]))
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "point", ["before-the-swap", "right-after-the-exchange", "midway-through-removing-the-old-site"]
)
def test_a_kill_at_each_step_of_the_swap_leaves_a_whole_site_and_the_next_build_cleans_up(
    built_project: Path, point: str
):
    out = built_project / "_site"
    good = tree_digest(out)
    (out / "stale.html").write_text("from before\n", encoding="utf-8")
    before = tree_digest(out)
    killed = subprocess.run(
        [sys.executable, "-c", KILL_AT, point, str(built_project)],
        env=clean_env(),
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert tree_digest(out) == (before if point == "before-the-swap" else good)  # old or new, whole
    assert leftovers(built_project), "the killed build left its temporary folder"
    timed_build(built_project)
    assert leftovers(built_project) == []
    assert tree_digest(out) == good


@pytest.mark.slow
def test_two_builds_at_once_both_succeed_one_after_the_other(built_project: Path):
    out = built_project / "_site"
    good = tree_digest(out)
    (out / "stale.html").write_text("from before\n", encoding="utf-8")
    runs = [
        subprocess.Popen(
            build_command(built_project),
            env=clean_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [(process.wait(timeout=120), process.stderr.read()) for process in runs]
    for process in runs:
        process.stdout.close()
        process.stderr.close()
    for code, err in results:
        assert code == 0, err
        assert "Error" not in err and "Traceback" not in err, err
    assert tree_digest(out) == good
    assert leftovers(built_project) == []


@pytest.mark.slow
def test_a_build_waits_for_the_lock_saying_so_and_goes_on_when_it_is_free(built_project: Path):
    out = built_project / "_site"
    good = tree_digest(out)
    (out / "stale.html").write_text("from before\n", encoding="utf-8")
    log = built_project.parent / "build.log"
    with (built_project / "._site.lock").open("w") as lock, log.open("w") as stderr:
        fcntl.flock(lock, fcntl.LOCK_EX)
        process = subprocess.Popen(
            build_command(built_project), env=clean_env(), stdout=subprocess.DEVNULL, stderr=stderr
        )
        deadline = time.monotonic() + 60
        while "waiting" not in log.read_text(encoding="utf-8") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert log.read_text(encoding="utf-8").startswith("another build is writing _site; waiting")
        time.sleep(0.5)
        assert (
            process.poll() is None and (out / "stale.html").is_file()
        )  # it waits, touching nothing
        fcntl.flock(lock, fcntl.LOCK_UN)
        assert process.wait(timeout=120) == 0, log.read_text(encoding="utf-8")
    assert tree_digest(out) == good


def test_waiting_for_the_lock_gives_up_after_its_timeout_with_a_located_problem(tmp_path: Path):
    out = tmp_path / "_site"

    def where(message: str, hint: str) -> Problem:
        return Problem("_site", 1, 1, message, hint)

    with (tmp_path / "._site.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(ContentError) as refused:
            with output_rules.locked(out, where, timeout=0.3):
                pytest.fail("the lock was taken twice")
    (problem,) = refused.value.problems
    assert "gave up waiting" in problem.message and problem.hint


def test_exchange_swaps_two_folders_in_one_step(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        folder.mkdir()
        (folder / "name").write_text(folder.name, encoding="utf-8")
    assert output_rules.exchange(a, b) is True  # Linux with glibc 2.28+, as the tests run on
    assert (a / "name").read_text(encoding="utf-8") == "b"
    assert (b / "name").read_text(encoding="utf-8") == "a"


def test_without_renameat2_a_build_still_replaces_the_site_and_leaves_nothing(
    run_cli, built_project: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(output_rules, "exchange", lambda a, b: False)
    out = built_project / "_site"
    good = tree_digest(out)
    (out / "stale.html").write_text("from before\n", encoding="utf-8")
    run = run_cli("build", "--project", built_project, "-q")
    assert run.code == 0, run.err
    assert tree_digest(out) == good
    assert leftovers(built_project) == []


def test_without_renameat2_a_kill_between_the_renames_is_undone_by_the_next_build(
    run_cli, built_project: Path, monkeypatch: pytest.MonkeyPatch
):
    out = built_project / "_site"
    good = tree_digest(out)
    out.rename(built_project / "._site.old-killed")  # the first rename happened, not the second

    def fails(*args, **kwargs):
        raise ContentError([Problem("templates/base.html", 1, 1, "template error: boom", "fix it")])

    monkeypatch.setattr(site, "write_site", fails)
    run = run_cli("build", "--project", built_project)
    assert run.code == 1
    assert tree_digest(out) == good  # the old site is back, although this build failed
    assert leftovers(built_project) == []


DETACHED_REMOVAL = """
import os, shutil, signal, sys, time
from pathlib import Path
from tiangong_site import cli

how, flag, project = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
real = shutil.rmtree

def when_told(*args, **kwargs):
    deadline = time.monotonic() + 90  # a removal done by the build itself hangs it this long
    while not flag.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    if how == "killed":
        os.kill(os.getpid(), signal.SIGKILL)
    real(*args, **kwargs)

shutil.rmtree = when_told
sys.argv = ["tiangong-site", "build", "--project", project, "-q"]
cli.run()
"""


def run_with_removal(how: str, flag: Path, project: Path) -> None:
    """A command-line build (cli.run) whose removal of the old site waits for `flag`."""
    done = subprocess.run(
        [sys.executable, "-c", DETACHED_REMOVAL, how, str(flag), str(project)],
        env=clean_env(),
        timeout=60,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def pending_removals(project: Path) -> list[str]:
    return [p.name for p in project.iterdir() if ".build-" in p.name]


def lock_is_held(lock: Path) -> bool:
    fd = os.open(lock, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@pytest.mark.slow
def test_a_command_line_build_exits_before_the_old_site_is_removed_and_the_lock_waits_for_it(
    built_project: Path, tmp_path: Path
):
    out = built_project / "_site"
    good = tree_digest(out)
    (out / "stale.html").write_text("from before\n", encoding="utf-8")
    flag = tmp_path / "remove-now"
    run_with_removal("waits", flag, built_project)  # returned, its output pipes closed
    assert tree_digest(out) == good  # the new site is published, whole
    (pending,) = pending_removals(built_project)
    assert (built_project / pending / "stale.html").is_file()  # the old one, not yet removed
    assert lock_is_held(built_project / "._site.lock")  # by the child removing it
    flag.touch()
    assert leftovers(built_project) == []  # waits for the lock: the child has removed it
    assert tree_digest(out) == good


@pytest.mark.slow
def test_a_kill_of_the_old_sites_removal_leaves_the_new_site_and_the_next_build_cleans_up(
    built_project: Path, tmp_path: Path
):
    out = built_project / "_site"
    good = tree_digest(out)
    flag = tmp_path / "remove-now"
    flag.touch()
    run_with_removal("killed", flag, built_project)
    assert leftovers(built_project), "the killed removal left the old site, marked"
    assert tree_digest(out) == good
    timed_build(built_project)
    assert leftovers(built_project) == []
    assert tree_digest(out) == good
