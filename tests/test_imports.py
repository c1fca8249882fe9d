"""Nothing heavy is imported before it is needed: a site without charts never loads plotly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

BUILD_AND_LIST_MODULES = """
import sys
from pathlib import Path
from tiangong_site.site import Project, build
build(Project.at(Path(sys.argv[1])), Path(sys.argv[2]))
print(" ".join(sorted(sys.modules)))
"""


def test_a_site_without_charts_is_built_without_importing_plotly(tmp_path: Path):
    records = [
        {
            "id": "north-ashford-00000",
            "name": "North Ashford",
            "tier": "city",
            "population": 1000,
            "rows": [{"year": 2015, "value": 1.5, "rank": 1}],
        }
    ]
    (tmp_path / "regions.json").write_text(json.dumps(records), encoding="utf-8")
    adapter = [
        sys.executable,
        str(REPO / "bench" / "peers_project.py"),
        str(tmp_path / "regions.json"),
        str(tmp_path / "site"),
    ]
    subprocess.run(adapter, check=True, capture_output=True, timeout=60)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            BUILD_AND_LIST_MODULES,
            str(tmp_path / "site"),
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    modules = set(done.stdout.split())
    assert "tiangong_site.charts" in modules and not {
        m for m in modules if m.split(".")[0] == "plotly"
    }
    # No chart, no plotly.js to ship: the build needs no node_modules either.
    assert not list((tmp_path / "out" / "assets").glob("plotly*.js"))


RUN_AND_LIST_MODULES = """
import sys
from tiangong_site import cli
code = cli.main(sys.argv[1:])
print(code, " ".join(sorted(sys.modules)))
"""


def modules_of(*args: str | Path) -> set[str]:
    """The modules a command of the command line imported, run in a new process."""
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_MODULES, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    code, _, modules = done.stdout.strip().rpartition("\n")[-1].partition(" ")
    assert done.returncode == 0 and code == "0", done.stderr
    return set(modules.split())


def packages(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_the_version_and_init_import_neither_the_content_model_nor_its_libraries(
    tmp_path: Path,
):
    for args in (["--version"], ["init", tmp_path / "story", "-q"]):
        modules = modules_of(*args)
        assert not packages(modules) & {"pydantic", "yaml", "jinja2", "babel", "markdown"}, args
        assert "tiangong_site.models" not in modules and "tiangong_site.scaffold" not in modules
    assert (tmp_path / "story" / "content" / "site.yaml").is_file()


@pytest.mark.slow
def test_a_build_imports_neither_new_nor_schema_nor_babel_once_its_catalogue_is_kept(
    project: Path, tmp_path: Path
):
    args = ("build", "--project", project, "--output", tmp_path / "out", "-q")
    for kept in (project / ".cache").glob("catalogue-*"):
        kept.unlink()  # (the session's build kept one)
    first = modules_of(*args)
    assert "babel" in packages(first)  # the Chinese catalogue, read and compiled
    again = modules_of(*args)
    assert "tiangong_site.site" in again
    assert not {"tiangong_site.scaffold", "tiangong_site.schema", "tiangong_site.starter"} & again
    assert "babel" not in packages(again)  # the compiled catalogue, from the build cache


PARSE_WITH_A_MEMO = """
import sys
from pathlib import Path
from tiangong_site import loader
with loader.remembered(Path(sys.argv[1])) as memo:
    loaded = loader.load_yaml_text("- id: a\\n  value: 7.0\\n", "x.yaml")
memo.save()
print(loaded.data, loaded.positions, loaded.decimals, "yaml" in sys.modules, sep="|")
"""


def test_a_file_found_in_the_memo_of_parsed_files_is_read_without_importing_yaml(
    tmp_path: Path,
):
    def run() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", PARSE_WITH_A_MEMO, str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().split("|")

    first, again = run(), run()
    assert first[-1] == "True"  # parsed: PyYAML imported
    assert again[-1] == "False"  # from the memo: PyYAML not imported
    assert again[:-1] == first[:-1]  # the same data, positions and decimal places
    assert again[0] == "[{'id': 'a', 'value': 7.0}]"


RUN_AND_LIST_ENTRY_POINT_READS = """
import importlib.metadata, sys
from tiangong_site import cli

real = importlib.metadata.entry_points

def entry_points(**selection):
    print("entry points read:", selection.get("group"))
    return real(**selection)

importlib.metadata.entry_points = entry_points  # before pydantic's plugin loader imports it
sys.argv = ["tiangong-site", *sys.argv[1:]]
cli.run()
"""


def test_the_program_reads_no_plugins_for_pydantic_unless_the_user_sets_the_variable(
    project: Path, tmp_path: Path
):
    def groups_read(**env: str) -> list[str]:
        args = ["build", "--project", str(project), "--output", str(tmp_path / "out"), "-q"]
        environ = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
        done = subprocess.run(
            [sys.executable, "-c", RUN_AND_LIST_ENTRY_POINT_READS, *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=environ | env,
        )
        assert done.returncode == 0, done.stderr
        return [line.split(": ")[1] for line in done.stdout.splitlines()]

    assert "pydantic" not in groups_read()
    assert "pydantic" in groups_read(PYDANTIC_DISABLE_PLUGINS="")  # the user's own value kept


COUNT_PASSES_WHILE_IMPORTING = """
import gc, sys
from tiangong_site import cli

passes = []

def during_imports_of_the_command() -> bool:
    try:
        frame = sys._getframe(2)
    except ValueError:  # a pass started where no Python code runs
        return False
    while frame is not None and (
        frame.f_code.co_name == "<module>" or "importlib" in frame.f_code.co_filename
    ):
        frame = frame.f_back
    return frame is not None and frame.f_code.co_name == "cmd_build"

gc.callbacks.append(
    lambda phase, info: phase == "start" and during_imports_of_the_command() and passes.append(1)
)
assert cli.main(sys.argv[1:]) == 0
print(len(passes), "tiangong_site.models" in sys.modules)
"""


def test_the_collector_makes_no_pass_while_a_build_imports_its_modules(
    project: Path, tmp_path: Path
):
    args = ["build", "--project", str(project), "--output", str(tmp_path / "out"), "-q"]
    done = subprocess.run(
        [sys.executable, "-c", COUNT_PASSES_WHILE_IMPORTING, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "True"]  # none, though the content model was imported
