"""What a build may replace: only a folder it made (the marker), an empty one or a new one;
`--force` for someone else's folder outside the project, never for the project itself.

Every refusal is exit code 1, one `path:line:col: message (hint)` line and the summary
line, and touches nothing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import Run, leftovers, tree_digest
from tiangong_site.output import MARKER


def listing(folder: Path) -> list[str]:
    """Every path under `folder`, files and folders, hidden ones too."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def assert_one_refusal(run: Run, path: str, words: str) -> None:
    assert run.code == 1, run.err
    assert "Traceback" not in run.err
    problems = run.problems()
    said = [line for line in run.err.splitlines() if not line.startswith("... ")]  # not progress
    assert len(problems) == 1 and len(said) == 2, run.err
    assert problems[0]["path"] == path, run.err
    assert words in problems[0]["message"], run.err


def foreign_folder(folder: Path) -> Path:
    """A folder of someone's own files, as a home folder is."""
    (folder / "notes").mkdir(parents=True)
    (folder / "thesis.txt").write_text("years of work\n", encoding="utf-8")
    (folder / "notes" / "todo.md").write_text("- back up\n", encoding="utf-8")
    return folder


def test_a_home_like_folder_holding_files_is_refused_and_its_files_survive(
    run_cli, project: Path, tmp_path: Path
):
    home = foreign_folder(tmp_path / "home")
    before, around = tree_digest(home), listing(tmp_path)
    run = run_cli("build", "--project", project, "--output", home)
    assert_one_refusal(run, str(home), "has no .tiangong-site-output file")
    assert "--force" in run.problems()[0]["hint"]
    assert tree_digest(home) == before
    assert listing(tmp_path) == around  # not even a lock file or a temporary folder


def test_force_replaces_a_foreign_folder_outside_the_project(
    run_cli, project: Path, tmp_path: Path
):
    folder = foreign_folder(tmp_path / "their-files")
    run = run_cli("build", "--project", project, "--output", folder, "--force", "-q")
    assert run.code == 0, run.err
    assert (folder / "index.html").is_file() and (folder / MARKER).is_file()
    assert not (folder / "thesis.txt").exists() and not (folder / "notes").exists()
    assert leftovers(tmp_path) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        ".",
        "..",
        ".git",
        "src",
        "docs",
        "tests",
        "locales",
        "content",
        "content/data",
        "templates",
        "static",
        "schemas",
        "scripts",
        ".venv",
    ],
)
def test_force_never_replaces_the_project_or_its_own_folders(run_cli, project: Path, name: str):
    for own in (".git", "src", "docs", "tests", "schemas", "scripts", ".venv"):
        (project / own).mkdir()
        (project / own / "keep").write_text("the project's own file\n", encoding="utf-8")
    before = tree_digest(project.parent)
    run = run_cli("build", "--project", project, "--output", project / name, "--force")
    assert run.code == 1, run.err
    assert len(run.problems()) == 1 and "refusing to build here" in run.err, run.err
    assert tree_digest(project.parent) == before


def test_force_never_replaces_the_home_folder_holding_the_project(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from conftest import copy_project

    home = foreign_folder(tmp_path / "home")
    project = copy_project(home / "work" / "project")
    monkeypatch.setenv("HOME", str(home))
    before = tree_digest(home)
    for target in (home, home / "work"):
        run = run_cli("build", "--project", project, "--output", target, "--force")
        assert_one_refusal(run, str(target), "it is the project folder or holds it")
    assert tree_digest(home) == before


def test_force_never_replaces_the_home_folder_even_when_the_project_is_elsewhere(
    run_cli, cold_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    project = cold_project  # no cache to read, whose key would be made in the home folder
    home = foreign_folder(tmp_path / "home")
    monkeypatch.setenv("HOME", str(home))
    before = tree_digest(home)
    run = run_cli("build", "--project", project, "--output", home, "--force")
    assert_one_refusal(run, str(home), "it is the home folder or holds it")
    assert tree_digest(home) == before


def test_force_never_replaces_a_folder_git_tracks(run_cli, project: Path):
    """A folder not in the list of the project's own folders, but committed to it."""
    (project / "notes").mkdir()
    (project / "notes" / "plan.md").write_text("the plan\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    subprocess.run(["git", "-C", str(project), "add", "notes"], check=True)
    run = run_cli("build", "--project", project, "--output", project / "notes", "--force")
    assert_one_refusal(run, "notes", "'notes' is part of the project")
    assert (project / "notes" / "plan.md").read_text(encoding="utf-8") == "the plan\n"


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_an_output_that_is_a_file_is_refused(
    run_cli, project: Path, tmp_path: Path, force: list[str]
):
    inside, outside = project / "README.md", tmp_path / "site.txt"
    for path in (inside, outside):
        path.write_text("words\n", encoding="utf-8")
    for path, shown in ((inside, "README.md"), (outside, str(outside))):
        run = run_cli("build", "--project", project, "--output", path, *force)
        assert_one_refusal(run, shown, "it is a file, not a folder")
        assert path.read_text(encoding="utf-8") == "words\n"


def test_an_output_that_cannot_be_written_is_a_located_refusal(
    run_cli, project: Path, tmp_path: Path
):
    # A careless path: a folder under a file, or beside a lock name taken by a folder.
    (tmp_path / "notes.txt").write_text("words\n", encoding="utf-8")
    (tmp_path / ".busy.lock").mkdir()
    for output in (tmp_path / "notes.txt" / "site", tmp_path / "busy"):
        before = listing(tmp_path)
        run = run_cli("build", "--project", project, "--output", output)
        assert_one_refusal(run, str(output), "cannot write")
        assert listing(tmp_path) == before
        assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "words\n"


@pytest.mark.parametrize("output_dir", ["../x", "..", "_site/../../x"])
def test_output_dir_outside_the_project_is_refused_at_its_line_in_site_yaml(
    run_cli, project: Path, output_dir: str
):
    site_yaml = project / "content" / "site.yaml"
    lines = site_yaml.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("output_dir:"))
    lines[at] = f"output_dir: {output_dir}"
    site_yaml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = listing(project.parent)
    run = run_cli("build", "--project", project)
    assert_one_refusal(run, "content/site.yaml", "it is outside the project")
    assert int(run.problems()[0]["line"]) == at + 1
    assert listing(project.parent) == before


def test_output_dir_naming_a_project_folder_is_refused_at_its_line_even_with_force(
    run_cli, project: Path
):
    site_yaml = project / "content" / "site.yaml"
    text = site_yaml.read_text(encoding="utf-8")
    site_yaml.write_text(text.replace("output_dir: _site", "output_dir: locales"), encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith("output_dir:"))
    before = tree_digest(project / "locales")
    run = run_cli("build", "--project", project, "--force")
    assert_one_refusal(run, "content/site.yaml", "'locales' is part of the project")
    assert int(run.problems()[0]["line"]) == line
    assert tree_digest(project / "locales") == before


def test_an_empty_folder_is_replaced(run_cli, project: Path, tmp_path: Path):
    (tmp_path / "empty").mkdir()
    run = run_cli("build", "--project", project, "--output", tmp_path / "empty", "-q")
    assert run.code == 0, run.err
    assert (tmp_path / "empty" / "index.html").is_file()


def test_a_folder_with_the_marker_is_replaced_whole(run_cli, built_project: Path):
    site = built_project / "_site"
    published = tree_digest(site)
    (site / "stale-page.html").write_text("from an older build\n", encoding="utf-8")
    run = run_cli("build", "--project", built_project, "-q")
    assert run.code == 0, run.err
    assert tree_digest(site) == published  # the stale file went with the old folder
    assert leftovers(built_project) == []


@pytest.mark.slow
def test_a_folder_once_built_elsewhere_is_rebuilt_without_force(
    run_cli, project: Path, tmp_path: Path
):
    out = tmp_path / "preview"
    assert run_cli("build", "--project", project, "--output", out, "-q").code == 0
    assert (out / MARKER).is_file()
    run = run_cli("build", "--project", project, "--output", out, "-q")
    assert run.code == 0, run.err


def test_the_marker_is_removed_with_the_folder_it_marks_only(run_cli, built_project: Path):
    """A folder without the marker left beside the output (named like a build's) stays."""
    site = built_project / "_site"
    stranger = built_project / "._site.build-mine"
    stranger.mkdir()
    (stranger / "draft.txt").write_text("mine\n", encoding="utf-8")
    killed = built_project / "._site.build-killed"
    (killed / "en").mkdir(parents=True)
    (killed / MARKER).write_text("made by a build\n", encoding="utf-8")
    (killed / "en" / "index.html").write_text("<p>half</p>\n", encoding="utf-8")
    (built_project / "._site.old-empty").mkdir()
    run = run_cli("build", "--project", built_project, "-q")
    assert run.code == 0, run.err
    assert not killed.exists() and not (built_project / "._site.old-empty").exists()
    assert (stranger / "draft.txt").read_text(encoding="utf-8") == "mine\n"
    assert (site / "index.html").is_file()
