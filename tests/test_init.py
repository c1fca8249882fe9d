"""`tiangong-site init DIR`: a starter that builds, previews and passes `check --strict` as
written, and a folder that is not empty left untouched."""

from __future__ import annotations

import re
import shlex

import pytest

from conftest import REPO, tree_digest
from tiangong_site.content import load_content
from tiangong_site.incremental import IncrementalBuilder
from tiangong_site.site import Project
from tiangong_site.starter import STARTER


@pytest.mark.slow
def test_the_starter_passes_check_strict_and_builds_its_pages(run_cli, tmp_path):
    story = tmp_path / "story"
    assert run_cli("init", story).code == 0
    checked = run_cli("check", "--strict", "--project", story)
    assert checked.code == 0, checked.err
    built = run_cli("build", "--project", story)
    assert built.code == 0, built.err
    site = story / "_site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'id="chart-residents-by-place"' in home  # the page places the chart
    assert "Example figures: replace them." in home  # a reader sees it is no real data
    village = (site / "places" / "example-village-c" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Example village C (made up)</h1>" in village  # a page per record
    assert "<dd>Village</dd>" in village  # the enum's label
    assert "<dd>Example source: replace it" in village  # the source's title, by its key
    assert not (story / "templates").exists()  # the theme serves every page


def test_the_starters_data_is_a_declared_csv_dataset(run_cli, tmp_path):
    story = tmp_path / "story"
    assert run_cli("init", story).code == 0
    content = load_content(story / "content")
    places = content.package.resources["places"]
    assert places.path == "data/places.csv" and places.primary_key == "id"
    kind = places.field("kind")
    assert kind.constraints.enum == ["town", "village"] and kind.labels is not None
    assert places.field("residents").type == "integer" and places.field("residents").unit
    assert places.foreign_keys == {"source": ("sources", "id")}
    assert len(content.datasets["places"]) == 3
    csv_text = (story / "content" / "data" / "places.csv").read_text(encoding="utf-8")
    assert all("(made up)" in line for line in csv_text.splitlines()[1:])


def test_a_bad_value_in_the_starters_csv_is_located_and_the_last_good_site_kept(run_cli, tmp_path):
    story = tmp_path / "story"
    assert run_cli("init", story).code == 0
    assert run_cli("build", "--project", story).code == 0
    before = tree_digest(story / "_site")
    data = story / "content" / "data" / "places.csv"
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace(",8500,", ",lots,")
    data.write_text("".join(lines), encoding="utf-8")
    result = run_cli("build", "--project", story)
    assert result.code == 1
    (problem,) = result.problems()
    column = lines[2].index("lots") + 1
    assert (problem["path"], problem["line"], problem["col"]) == (
        "content/data/places.csv",
        "3",
        str(column),
    )
    assert "'residents' must be a whole number, not 'lots'" in problem["message"]
    assert run_cli("check", "--strict", "--project", story).code == 1
    assert tree_digest(story / "_site") == before


@pytest.mark.slow
def test_the_starter_previews_an_edit_to_its_data(run_cli, tmp_path):
    story = tmp_path / "story"
    assert run_cli("init", story).code == 0
    builder = IncrementalBuilder(Project.at(story))
    builder.full_build()
    data = story / "content" / "data" / "places.csv"
    data.write_text(data.read_text().replace("Example village C", "Example hamlet C"))
    update = builder.update()
    assert update.ok, update.problems
    assert "places/example-village-c/index.html" in update.written
    page = story / "_site" / "places" / "example-village-c" / "index.html"
    assert "<h1>Example hamlet C (made up)</h1>" in page.read_text(encoding="utf-8")


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


# --- docs/first-story.md ------------------------------------------------------------------------

GUIDE = REPO / "docs" / "first-story.md"
SHOWN = re.compile(r"^```\w+ file=(\S+)\n(.*?)^```", re.S | re.M)
PRINTED = re.compile(r"<!-- the build prints -->\n```text\n(.*?)\n```", re.S)
COMMANDS = re.compile(r"```sh\n(.*?)```", re.S)


def test_the_first_story_guide_shows_every_file_init_writes_as_it_writes_it():
    shown = dict(SHOWN.findall(GUIDE.read_text(encoding="utf-8")))
    assert list(shown) == list(STARTER)
    for path, body in STARTER.items():
        assert shown[path] == body, f"docs/first-story.md shows {path} otherwise than init"


def test_the_first_story_guides_commands_and_error_are_what_the_engine_does(run_cli, tmp_path):
    guide = GUIDE.read_text(encoding="utf-8")
    lines = [ln for block in COMMANDS.findall(guide) for ln in block.splitlines() if ln.strip()]
    assert [ln.split()[1] for ln in lines] == ["init", "check", "build"]
    story = tmp_path / "my-story"
    for line in lines:
        args = [str(story) if a == "my-story" else a for a in shlex.split(line)[1:]]
        result = run_cli(*args)
        assert result.code == 0, f"`{line}`: {result.err}"
    assert (story / "_site" / "places" / "index.html").is_file()
    data = story / "content" / "data" / "places.csv"
    data.write_text(data.read_text(encoding="utf-8").replace(",8500,", ",lots,"), "utf-8")
    result = run_cli("build", "--project", story)
    assert result.code == 1
    (printed,) = PRINTED.findall(guide)
    assert result.err.splitlines()[0] == printed
