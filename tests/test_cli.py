"""The command line: help, version, exit codes, what build and check print, and schemas/ in step."""

from __future__ import annotations

import argparse
import importlib.metadata
import re
import shutil
import tomllib
from pathlib import Path

import pytest

import tiangong_site
from conftest import MINI, REPO, leftovers, run_build_py, tree_digest
from tiangong_site import cli, site
from tiangong_site.content import load_content
from tiangong_site.loader import load_yaml_file
from tiangong_site.schema import schema_texts

SUMMARY = re.compile(r"^Built (\d+) pages, (\d+) charts, (\d+) files in (\d+(?:\.\d+)?) s\b")


def commands() -> list[str]:
    parser = cli.make_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def append_bad_region(root: Path) -> int:
    """Append a region with an impossible kind; returns the line of that kind."""
    path = root / "content" / "data" / "regions.yaml"
    text = path.read_text(encoding="utf-8")
    text += "" if text.endswith("\n") else "\n"
    path.write_text(text + "- id: test-bad\n  name: Bad\n  kind: metropolis\n", encoding="utf-8")
    return text.count("\n") + 3


# --- help, version, usage errors ------------------------------------------------------------


def test_the_documented_commands_exist():
    assert {"build", "serve", "check", "schema"} <= set(commands())


@pytest.mark.parametrize("command", commands())
def test_help_of_every_command_exits_0_and_names_the_command(run_cli, command: str):
    run = run_cli(command, "--help")
    assert run.code == 0
    assert run.out.startswith(f"usage: tiangong-site {command}")
    assert "--project" in run.out


def test_top_level_help_lists_every_command_and_the_exit_codes(run_cli):
    run = run_cli("--help")
    assert run.code == 0
    for command in commands():
        assert re.search(rf"^\s+{command}\s", run.out, re.M), command
    assert "Exit codes" in run.out


def test_version_is_the_package_version(run_cli):
    run = run_cli("--version")
    assert run.code == 0
    assert run.out.strip() == f"tiangong-site {tiangong_site.__version__}"
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    assert tiangong_site.__version__ == declared == importlib.metadata.version("tiangong-site")


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["build", "--frobnicate"],
        ["check", "--no-such-flag"],
        [],
        ["serve", "--port", "not-a-number"],
        ["--no-such-flag", "build"],
    ],
    ids=[
        "unknown command",
        "unknown build flag",
        "unknown check flag",
        "no command",
        "bad port",
        "unknown global flag",
    ],
)
def test_usage_errors_exit_2_with_a_usage_line(run_cli, args: list[str]):
    run = run_cli(*args)
    assert run.code == 2
    assert "usage: tiangong-site" in run.err
    assert "Traceback" not in run.err


# --- build ----------------------------------------------------------------------------------


def test_quiet_build_prints_nothing(run_cli, project: Path):
    run = run_cli("build", "--project", project, "--quiet")
    assert run.code == 0, run.err
    assert (run.out, run.err) == ("", "")
    assert (project / "_site" / "index.html").is_file()


def test_build_prints_one_true_summary_line(run_cli, project: Path):
    run = run_cli("build", "--project", project)
    assert run.code == 0, run.err
    (line,) = run.out.splitlines()
    summary = SUMMARY.match(line)
    assert summary, line
    pages, charts, files = (int(summary.group(n)) for n in (1, 2, 3))
    out = project / "_site"
    assert pages == len(list(out.rglob("*.html")))
    assert charts == len(load_yaml_file(project / "content" / "charts.yaml", "charts.yaml").data)
    assert files == sum(1 for p in out.rglob("*") if p.is_file())


def test_build_into_another_folder_leaves_the_default_alone(run_cli, project: Path, tmp_path: Path):
    run = run_cli("build", "--project", project, "--output", tmp_path / "elsewhere", "-q")
    assert run.code == 0, run.err
    assert (tmp_path / "elsewhere" / "index.html").is_file()
    assert not (project / "_site").exists()
    assert leftovers(tmp_path) == [] and leftovers(project) == []


def test_build_with_another_content_folder(run_cli, project: Path, mini, tmp_path: Path):
    run = run_cli("build", "--project", project, "--content", mini(), "--output", tmp_path / "out")
    assert run.code == 0, run.err
    assert SUMMARY.match(run.out).group(1, 2) == (
        "11",
        "2",
    )  # the made-up content: 9 pages, 2 charts and a page of its own for each
    assert (tmp_path / "out" / "regions" / "alpha" / "index.html").is_file()


def test_debug_shows_a_traceback_for_a_content_error(run_cli, built_project: Path):
    line = append_bad_region(built_project)
    plain = run_cli("build", "--project", built_project)
    debug = run_cli("build", "--project", built_project, "--debug")
    assert plain.code == debug.code == 1
    assert "Traceback" not in plain.err
    assert "Traceback (most recent call last)" in debug.err and "ContentError" in debug.err
    for run in (plain, debug):
        assert [(m["path"], int(m["line"])) for m in run.problems()] == [
            ("content/data/regions.yaml", line)
        ]


def test_unexpected_failure_is_one_line_without_debug_and_a_traceback_with_it(
    run_cli, project: Path, monkeypatch: pytest.MonkeyPatch
):
    def broken_build(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(site, "build", broken_build)
    run = run_cli("build", "--project", project)
    assert run.code == 1
    assert (
        run.err.strip()
        == "error: RuntimeError: disk on fire (run again with --debug for the traceback)"
    )
    with pytest.raises(RuntimeError, match="disk on fire"):
        cli.main(["build", "--project", str(project), "--debug"])


def test_base_url_from_the_environment(
    run_cli, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("TIANGONG_BASE_URL", "https://example.org/from-env/")
    assert run_cli("build", "--project", project, "--output", tmp_path / "out", "-q").code == 0
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="/from-env/' in home
    assert not re.search(r'(?:href|src)="/(?!from-env/)', home)


@pytest.mark.slow
def test_build_py_runs_the_same_command_line(project: Path, tmp_path: Path):
    run = run_build_py("build", "--project", project, "--output", tmp_path / "out")
    assert run.code == 0, run.err
    assert SUMMARY.match(run.out)
    assert (tmp_path / "out" / "index.html").is_file()


# --- check ----------------------------------------------------------------------------------


def test_check_writes_nothing(run_cli, cold_project: Path):
    project = cold_project
    before = tree_digest(project)
    run = run_cli("check", "--project", project)
    assert run.code == 0, run.err
    assert run.out.startswith("Content is valid")
    assert tree_digest(project) == before
    assert sorted(p.name for p in project.iterdir()) == [
        "content",
        "locales",
        "node_modules",
        "static",
        "templates",
    ]


def test_check_exits_1_on_bad_content_and_writes_nothing(run_cli, project: Path):
    line = append_bad_region(project)
    before = tree_digest(project)
    run = run_cli("check", "--project", project)
    assert run.code == 1
    assert [(m["path"], int(m["line"])) for m in run.problems()] == [
        ("content/data/regions.yaml", line)
    ]
    assert "Traceback" not in run.err
    assert tree_digest(project) == before


@pytest.mark.slow
def test_check_strict_turns_warnings_into_errors(run_cli, project: Path):
    path = project / "content" / "data" / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    text += "" if text.endswith("\n") else "\n"
    line = text.count("\n") + 1
    uncited = (
        "- id: test-uncited\n  title: {en: Never cited, zh: 从未引用}\n"
        "  publisher: {en: Nobody, zh: 无}\n  url: https://example.org/\n"
        "  kind: press\n  language: en\n"
    )
    path.write_text(text + uncited, encoding="utf-8")

    lenient = run_cli("check", "--project", project)
    assert lenient.code == 0
    warning = (
        f"content/data/sources.yaml:{line}:3: "
        "warning: source 'test-uncited' is not cited by any record"
    )
    assert any(ln.startswith(warning) for ln in lenient.err.splitlines()), lenient.err

    strict = run_cli("check", "--project", project, "--strict")
    assert strict.code == 1
    error = f"content/data/sources.yaml:{line}:3: source 'test-uncited' is not cited by any record"
    assert any(ln.startswith(error) for ln in strict.err.splitlines()), strict.err


# --- schemas --------------------------------------------------------------------------------


def test_committed_schemas_match_the_content_model_and_the_content():
    """Fails when the model or an id changes and `tiangong-site schema` was not run and
    committed."""
    generated = schema_texts(load_content(REPO / "content"))
    committed = {
        p.name: p.read_text(encoding="utf-8") for p in (REPO / "schemas").glob("*.schema.json")
    }
    assert sorted(committed) == sorted(generated), (
        "run `python build.py schema` and commit schemas/"
    )
    stale = [name for name in generated if committed[name] != generated[name]]
    assert stale == [], f"stale schemas (run `python build.py schema`): {stale}"


def test_schema_command_writes_the_committed_schemas(run_cli, tmp_path: Path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    run = run_cli("schema", "--project", tmp_path)
    assert run.code == 0
    written = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "schemas").glob("*.json")}
    committed = {
        p.name: p.read_text(encoding="utf-8") for p in (REPO / "schemas").glob("*.schema.json")
    }
    assert written == committed


def test_every_content_file_declares_its_schema():
    for path in [
        REPO / "content" / "site.yaml",
        REPO / "content" / "charts.yaml",
        *sorted((REPO / "content" / "data").glob("*.yaml")),
    ]:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        schema = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert schema, f"{path.name} does not start with its schema line"
        assert (path.parent / schema.group(1)).resolve() == (
            REPO / "schemas" / f"{path.stem}.schema.json"
        ).resolve()


@pytest.mark.slow
@pytest.mark.parametrize(
    "output", [".", "..", "content", "templates", "static/site", "content/data/out"]
)
def test_build_refuses_an_output_folder_that_would_replace_the_project(
    run_cli, project: Path, output: str
):
    before = tree_digest(project)
    run = run_cli("build", "--project", project, "--output", project / output)
    assert run.code == 1
    assert "refusing" in run.err and "Traceback" not in run.err
    assert tree_digest(project) == before
    assert leftovers(project) == [] and leftovers(project.parent) == []


def test_check_counts_every_form_of_chart_placement(run_cli, mini, project: Path):
    index = (
        MINI["pages/index.md"]
        .replace("::: chart wins", ":::chart wins")
        .replace("::: chart growth-2023", "::: chart   growth-2023  ")
    )
    run = run_cli(
        "check", "--project", project, "--content", mini({"pages/index.md": index}), "--strict"
    )
    assert run.code == 0, run.err


def test_check_warns_about_a_chart_no_page_places(run_cli, mini, project: Path):
    index = MINI["pages/index.md"].replace("::: chart wins", "")
    run = run_cli("check", "--project", project, "--content", mini({"pages/index.md": index}))
    assert run.code == 0
    (warning,) = [m for m in run.problems() if "warning:" in m["message"]]
    assert warning["path"] == "content/charts.yaml"
    assert "chart 'wins' is not placed on any page" in warning["message"]
