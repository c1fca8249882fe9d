"""inotify wakes the preview at a save, without waiting for the polling watcher."""

from __future__ import annotations

from pathlib import Path

import pytest
from livereload.watcher import Watcher

from editors import test_serve_safety
from editors.test_serve_safety import PREFIX, Live, wait_until
from tiangong_site import inotify


def test_a_save_in_a_watched_folder_or_one_made_later_is_seen_and_seen_once(tmp_path: Path):
    (tmp_path / "pages").mkdir()
    watch = inotify.watch([tmp_path])
    assert watch is not None
    try:
        assert not watch.read(), "nothing saved yet"
        (tmp_path / "pages/index.md").write_text("saved", encoding="utf-8")
        assert watch.read() and not watch.read()
        (tmp_path / "new").mkdir()
        assert watch.read()
        (tmp_path / "new/page.md").write_text("saved", encoding="utf-8")
        assert watch.read(), "a folder made after the start is watched too"
    finally:
        watch.close()


class Blind(Watcher):
    """A polling watcher that never sees anything."""

    def examine(self) -> tuple[None, None]:
        return None, None


def test_a_preview_whose_polling_sees_nothing_is_woken_by_the_save(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(test_serve_safety, "Watcher", Blind)  # the watcher Live gives
    live = Live(project)
    try:
        assert live.preview._inotify is not None
        page = project / "content/pages/index.md"
        page.write_text(page.read_text(encoding="utf-8") + "\nWoken.\n", encoding="utf-8")
        wait_until(lambda: "Woken." in live.get(PREFIX + "en/")[1], "the save to be built")
    finally:
        live.stop()


def test_a_file_being_written_wakes_nothing_until_it_is_closed(tmp_path: Path):
    watch = inotify.watch([tmp_path])
    assert watch is not None
    try:
        with (tmp_path / "figures.yaml").open("w", encoding="utf-8") as handle:
            handle.write("- id: half")
            handle.flush()
            assert not watch.read(), "woken by a file not yet written"
            handle.write("-written\n")
        assert watch.read(), "not woken when it was closed"
    finally:
        watch.close()
