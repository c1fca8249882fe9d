"""Pages rendered in worker processes are the pages a single process renders, problems and
all; small sites are not split up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, tree_digest
from tiangong_site import site, workers
from tiangong_site.errors import ContentError
from tiangong_site.site import Project, build


def peers_project(folder: Path, count: int) -> Path:
    """The peers benchmark's project (bench/peers_project.py) of `count` records."""
    records = [
        {
            "id": f"place-{i:03d}",
            "name": f"Place {i} & Co" if i % 7 == 0 else f"Place {i}",
            "tier": ("city", "county", "mountain")[i % 3],
            "population": 1000 + i,
            "rows": [{"year": 2015 + y, "value": i + y / 2, "rank": y + 1} for y in range(3)],
        }
        for i in range(count)
    ]
    (folder / "regions.json").write_text(json.dumps(records), encoding="utf-8")
    adapter = [sys.executable, str(REPO / "bench" / "peers_project.py")]
    subprocess.run(
        [*adapter, str(folder / "regions.json"), str(folder / "site")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return folder / "site"


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The process counts the build asked workers.mapped for."""
    asked: list[int] = []
    mapped = workers.mapped

    def spy(work, items, processes, done=None, weights=None, kept=None):
        asked.append(processes)
        return mapped(work, items, processes, done, weights, kept)

    monkeypatch.setattr(workers, "mapped", spy)
    return asked


def test_pages_rendered_in_two_workers_are_the_bytes_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spied: list[int]
):
    project = Project.at(peers_project(tmp_path, 150))
    monkeypatch.setenv(workers.WORKERS_ENV, "1")
    alone = build(project, tmp_path / "alone")
    monkeypatch.setenv(workers.WORKERS_ENV, "2")
    shared = build(project, tmp_path / "shared")
    assert spied == [1, 2]
    assert tree_digest(tmp_path / "shared") == tree_digest(tmp_path / "alone")
    assert alone.pages == shared.pages == 152
    # The preview re-renders a page when what it read changed: the keys come back from workers.
    keys = [job.depends for job in shared.prepared.plan.jobs]
    assert all(keys)
    assert keys == [job.depends for job in alone.prepared.plan.jobs]


def test_a_template_error_in_a_worker_is_reported_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    folder = peers_project(tmp_path, 40)
    template = folder / "templates" / "region.html"
    lines = template.read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("<h1>"))
    lines[at] = "<h1>{{ page.record[page.record.name] }}</h1>"  # a message of its own per page
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv(workers.WORKERS_ENV, "2")
    with pytest.raises(ContentError) as caught:
        build(Project.at(folder), tmp_path / "out")
    places = {(p.path, p.line) for p in caught.value.problems}
    assert places == {("templates/region.html", at + 1)}
    named = {p.message.rsplit("attribute ", 1)[-1] for p in caught.value.problems}
    assert len(named) == 40  # every page's problem, from both workers
    assert "'Place 0 & Co'" in named and "'Place 39'" in named
    assert not (tmp_path / "out").exists()


def test_a_site_under_the_threshold_renders_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spied: list[int]
):
    monkeypatch.delenv(workers.WORKERS_ENV, raising=False)
    project = Project.at(peers_project(tmp_path, 20))
    report = build(project, tmp_path / "out")
    assert report.pages < workers.MIN_ITEMS
    assert spied == [1]
    # check and the preview call render_jobs without a process count: they stay serial.
    site.render_jobs(project, report.prepared, report.prepared.plan.jobs[:3])
    assert spied == [1, 1]


def test_a_large_site_uses_every_core_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(workers.WORKERS_ENV, raising=False)
    assert workers.planned(workers.MIN_ITEMS - 1) == 1
    assert workers.planned(workers.MIN_ITEMS) == workers.cores()
    monkeypatch.setenv(workers.WORKERS_ENV, "1")
    assert workers.planned(10 * workers.MIN_ITEMS) == 1
    monkeypatch.setenv(workers.WORKERS_ENV, "3")
    assert workers.planned(2) == 2  # never more processes than items
    monkeypatch.setenv(workers.WORKERS_ENV, "many")
    assert workers.planned(workers.MIN_ITEMS) == workers.cores()


def test_a_few_heavy_items_are_enough_for_every_core_and_light_ones_are_not(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.delenv(workers.WORKERS_ENV, raising=False)
    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setattr(workers, "busy_cores", lambda: 1.5)
    assert workers.planned(100, heavy=workers.MIN_HEAVY) == 2
    assert workers.planned(100, heavy=workers.MIN_HEAVY / 2) == 1
    assert workers.planned(1, heavy=10 * workers.MIN_HEAVY) == 1  # one item: nothing to share
    # every core busy: a worker would gain nothing for a few pages, though it would for many
    monkeypatch.setattr(workers, "busy_cores", lambda: 2.5)
    assert workers.planned(100, heavy=workers.MIN_HEAVY) == 1
    assert workers.planned(workers.MIN_ITEMS) == 2


def test_weighted_chunks_give_the_heaviest_items_first_each_alone():
    weights = [1.0] * 30 + [14.0, 12.0] + [1.0] * 10
    chunks = workers._chunks(len(weights), 2, weights)
    assert [list(c) for c in chunks[:2]] == [[30], [31]]  # one for each process
    assert sorted(i for c in chunks for i in c) == list(range(len(weights)))
    assert all(len(c) > 1 for c in chunks[2:-1])  # light ones grouped, not one a message
    # equal weights (the peers workload of 10,000 pages): the chunks of the unweighted order
    even = workers._chunks(10_000, 2, [1.0] * 10_000)
    assert [list(c) for c in even] == [list(c) for c in workers._chunks(10_000, 2, None)]


def wait_for_both(met: Path) -> None:
    """Note this process in `met`, then wait until two processes have: neither process can
    take all the items, however fast it is."""
    with open(met, "a", encoding="utf-8") as file:
        file.write(f"{os.getpid()}\n")
    deadline = time.monotonic() + 30  # a hang guard, not a speed budget
    while len(set(met.read_text(encoding="utf-8").split())) < 2:
        assert time.monotonic() < deadline, "the other process never took an item"
        time.sleep(0.005)


def test_two_heavy_items_go_to_two_processes_and_results_come_in_order(tmp_path: Path):
    weights = [1.0] * 20 + [14.0] + [1.0] * 20 + [12.0]

    def work(i: int) -> tuple[int, int]:
        if weights[i] > 1:
            wait_for_both(tmp_path / "pids")
        return i * i, os.getpid()

    items = list(range(len(weights)))
    results = list(workers.mapped(work, items, 2, weights=weights))
    assert [square for square, _ in results] == [i * i for i in items]
    assert results[20][1] != results[41][1]
    assert os.getpid() in {results[20][1], results[41][1]}


def test_what_a_worker_adds_to_kept_state_is_merged_into_the_parent(tmp_path: Path):
    seen: dict[int, int] = {}
    kept = workers.Kept(lambda: dict(seen), seen.update)

    def work(i: int) -> int:
        wait_for_both(tmp_path / "pids")
        seen[i] = os.getpid()
        return i

    items = list(range(3 * workers.CHUNK))
    assert list(workers.mapped(work, items, 2, kept=kept)) == items
    assert sorted(seen) == items  # the worker's items too
    assert len(set(seen.values())) == 2


def test_the_default_site_renders_in_two_processes_the_bytes_of_one_and_keeps_its_memo(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spied: list[int],
):
    """The default site's few heavy story pages are shared out between two processes; the
    Markdown converted in the worker is saved in the memo, so the next build converts none."""
    from tiangong_site import markdown

    for memo in (project / ".cache").glob("markdown-*.json"):
        memo.unlink()  # every page converted afresh, in whichever process renders it
    converted: list[int] = []
    convert = markdown._convert
    met = tmp_path / "pids"

    def counted(text: str, allow_html: bool):
        wait_for_both(met)  # the worker converts some pages, not the parent all of them
        with open(tmp_path / "converted", "a", encoding="utf-8") as file:
            file.write(f"{os.getpid()}\n")
        converted.append(os.getpid())
        return convert(text, allow_html)

    monkeypatch.setattr(markdown, "_convert", counted)
    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setattr(workers, "idle_core", lambda: True)
    monkeypatch.delenv(workers.WORKERS_ENV, raising=False)
    shared = build(Project.at(project), tmp_path / "shared")
    assert spied == [2]
    by = (tmp_path / "converted").read_text(encoding="utf-8").split()
    assert len(set(by)) == 2 and str(os.getpid()) in by
    converted.clear()
    monkeypatch.setenv(workers.WORKERS_ENV, "1")
    alone = build(Project.at(project), tmp_path / "alone")
    assert spied == [2, 1]
    assert converted == []  # the memo kept what both processes converted
    assert tree_digest(tmp_path / "shared") == tree_digest(tmp_path / "alone")
    assert alone.pages == shared.pages > 100


def test_the_parent_and_a_worker_share_the_items_and_results_come_in_order(tmp_path: Path):
    items = list(range(3 * workers.CHUNK + 5))
    told: list[int] = []
    met = tmp_path / "pids"
    parent = os.getpid()

    def work(i: int) -> tuple[int, int]:
        """Each process's first item waits until both processes have started one: neither
        can take all the items, whichever is faster."""
        wait_for_both(met)
        return i * i, os.getpid()

    results = list(workers.mapped(work, items, 2, told.append))
    assert [square for square, _ in results] == [i * i for i in items]
    pids = {pid for _, pid in results}
    assert len(pids) == 2 and parent in pids
    assert told[-1] == len(items) and told == sorted(told)


def test_an_exception_in_a_worker_is_raised_in_the_parent():
    def work(i: int) -> int:
        if i == 70:
            raise ValueError("item seventy is bad")
        return i

    with pytest.raises(RuntimeError, match="ValueError: item seventy is bad"):
        list(workers.mapped(work, list(range(100)), 2))


def test_a_worker_that_dies_mid_chunk_is_an_error_not_missing_results(tmp_path: Path):
    met = tmp_path / "pids"
    parent = os.getpid()

    def work(i: int) -> int:
        with open(met, "a", encoding="utf-8") as file:
            file.write(f"{os.getpid()}\n")
        deadline = time.monotonic() + 30  # a hang guard: both processes take an item
        while len(set(met.read_text(encoding="utf-8").split())) < 2:
            assert time.monotonic() < deadline, "the other process never took an item"
            time.sleep(0.005)
        if os.getpid() != parent:
            os._exit(3)  # killed, as by the kernel's out-of-memory killer: no word sent
        return i

    with pytest.raises(RuntimeError, match="a worker process failed"):
        list(workers.mapped(work, list(range(4 * workers.CHUNK)), 2))


def test_a_page_is_written_into_its_folder_made_as_needed_and_never_over_a_file(tmp_path: Path):
    folders: set[str] = set()
    site._write(str(tmp_path / "a" / "b" / "index.html"), "<p>é</p>", folders)  # parents too
    site._write(str(tmp_path / "a" / "c" / "index.html"), b"x", folders)  # beside it
    site._write(str(tmp_path / "a" / "c" / "more.html"), "y")  # the folder exists already
    assert (tmp_path / "a" / "b" / "index.html").read_bytes() == "<p>é</p>".encode()
    assert (tmp_path / "a" / "c" / "index.html").read_bytes() == b"x"
    assert (tmp_path / "a" / "c" / "more.html").read_bytes() == b"y"
    (tmp_path / "file").write_bytes(b"kept")
    with pytest.raises(FileExistsError):
        site._write(str(tmp_path / "file" / "index.html"), "z")
    assert (tmp_path / "file").read_bytes() == b"kept"
