"""A build tunes the garbage collector for itself and leaves it as it found it (the preview
runs many builds in one process)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from tiangong_site import site
from tiangong_site.errors import ContentError
from tiangong_site.site import Project, build


def test_a_build_loads_without_collecting_then_collects_less_often_and_restores(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    before = gc.get_threshold()
    seen = {}
    load, render = site.load_and_check, site.render_jobs

    def loading(*args, **kwargs):
        seen["loading"] = gc.isenabled()
        return load(*args, **kwargs)

    def rendering(*args, **kwargs):
        seen["rendering"] = gc.isenabled(), gc.get_threshold()
        return render(*args, **kwargs)

    monkeypatch.setattr(site, "load_and_check", loading)
    monkeypatch.setattr(site, "render_jobs", rendering)
    build(Project.at(project), tmp_path / "out")
    assert seen["loading"] is False
    enabled, threshold = seen["rendering"]
    assert enabled and threshold[0] >= 10 * before[0]
    assert gc.isenabled() and gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_build_failing_after_loading_restores_the_collector_too(project: Path, tmp_path: Path):
    before = gc.get_threshold()
    (project / "templates" / "404.html").write_text("{% if %}", encoding="utf-8")  # fails to render
    with pytest.raises(ContentError):
        build(Project.at(project), tmp_path / "out")
    assert gc.isenabled() and gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_build_for_a_process_that_exits_next_leaves_nothing_young_to_collect(
    project: Path, tmp_path: Path
):
    before = gc.get_threshold()
    passes = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            passes.append(info["generation"])

    try:
        build(Project.at(project), tmp_path / "out", detach_removal=True)
        gc.callbacks.append(count)
        made = [[] for _ in range(5 * before[0])]  # would start a pass at the usual threshold
        assert passes == [], "a pass over what the build made, though the process exits next"
        assert len(made) == 5 * before[0]
    finally:
        if count in gc.callbacks:
            gc.callbacks.remove(count)
        gc.unfreeze()
        gc.set_threshold(*before)
        gc.enable()
