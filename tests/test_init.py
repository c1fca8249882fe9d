"""`tiangong-site init DIR`: a starter that builds, previews and passes `check --strict` as
written, and a folder that is not empty left untouched."""

from __future__ import annotations

from conftest import tree_digest
from tiangong_site.incremental import IncrementalBuilder
from tiangong_site.site import Project


def test_the_starter_passes_check_strict_and_builds_its_pages(run_cli, tmp_path):
    story = tmp_path / "story"
    assert run_cli("init", story).code == 0
    checked = run_cli("check", "--strict", "--project", story)
    assert checked.code == 0, checked.err
    built = run_cli("build", "--project", story)
    assert built.code == 0, built.err
    site = story / "_site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'id="chart-entries-by-category"' in home  # the page places the chart
    small = (site / "categories" / "small" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Small entries</h1>" in small  # a page per record of the collection
    assert not (story / "templates").exists()  # the theme serves every page


def test_the_starter_previews_an_edit_to_its_data(run_cli, tmp_path):
    story = tmp_path / "story"
    assert run_cli("init", story).code == 0
    builder = IncrementalBuilder(Project.at(story))
    builder.full_build()
    data = story / "content" / "data" / "award-tiers.yaml"
    data.write_text(data.read_text().replace("Small entries", "Tiny entries"))
    update = builder.update()
    assert update.ok, update.problems
    assert "categories/small/index.html" in update.written
    page = story / "_site" / "categories" / "small" / "index.html"
    assert "<h1>Tiny entries</h1>" in page.read_text(encoding="utf-8")


def test_init_refuses_a_folder_that_is_not_empty_and_touches_nothing(run_cli, tmp_path):
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    before = tree_digest(folder)
    result = run_cli("init", folder)
    assert result.code == 2
    assert "is not empty" in result.err
    assert tree_digest(folder) == before


def test_init_accepts_an_empty_folder(run_cli, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    assert run_cli("init", folder).code == 0
    assert (folder / "content" / "site.yaml").is_file()
