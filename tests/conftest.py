"""Shared fixtures: a copy of the real project to build and break, a small made-up content
folder for unit tests, and helpers to run the command line and fingerprint a folder."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tiangong_site import cli

REPO = Path(__file__).resolve().parent.parent
"""The project folder holding content/, templates/, static/ and build.py."""

SITE_LANGUAGES: tuple[str, ...] = tuple(
    yaml.safe_load((REPO / "content" / "site.yaml").read_text(encoding="utf-8"))["languages"]
)
"""The languages this project's site is published in (content/site.yaml), not every language
the engine knows (models.LANGUAGES)."""

PROBLEM_LINE = re.compile(
    r"^(?P<path>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+) "
    r"\((?P<hint>[^()]+(?:\([^()]*\)[^()]*)*)\)$"
)
"""`path:line:col: message (hint)`, the form every content problem is printed in."""


def is_worker(config: pytest.Config) -> bool:
    """Whether this process is a pytest-xdist worker (its environment says so to child
    processes too, hence the config's word)."""
    return hasattr(config, "workerinput")


def shared_folder(request: pytest.FixtureRequest, name: str) -> Path:
    """A folder of this run that every worker sees (pytest-xdist gives each worker its own
    temporary folder, inside the run's)."""
    base = request.getfixturevalue("tmp_path_factory").getbasetemp()
    folder = (base.parent if is_worker(request.config) else base) / f"shared-{name}"
    folder.mkdir(exist_ok=True)
    return folder


@contextlib.contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    """Held by one worker at a time (the others wait): for work done once per run."""
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- chart drawings ------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def chart_drawings_cache(request: pytest.FixtureRequest) -> Path:
    """One chart-drawing cache for every build of the run (the builds run in copies of the
    project, each with its own .cache/), kept in pytest's cache folder from run to run when
    there is one: each figure is drawn by Chromium once, not once per run and per worker.
    Entries are keyed by the figure and the renderer's versions, and signed, as a project's
    own are; tests of drawing itself use a cache of their own."""
    from tiangong_site.drawing import CACHE_ENV

    kept = getattr(request.config, "cache", None)
    folder = kept.mkdir("chart-drawings") if kept else shared_folder(request, "drawings")
    previous = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = previous


# --- running the command line ----------------------------------------------------------


@dataclass
class Run:
    code: int
    out: str
    err: str

    def problems(self) -> list[re.Match[str]]:
        """Every stderr line in the `path:line:col: message (hint)` form."""
        return [m for m in map(PROBLEM_LINE.match, self.err.splitlines()) if m]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):
    """Run `tiangong-site ARGS...` in this process (fast); returns exit code, stdout, stderr."""

    def run(*args: str | Path) -> Run:
        capsys.readouterr()
        code = cli.main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def run_build_py(*args: str | Path, cwd: Path = REPO, env: dict[str, str] | None = None) -> Run:
    """Run `python build.py ARGS...` as a separate process, the way editors run it."""
    env = {k: v for k, v in os.environ.items() if k != "TIANGONG_BASE_URL"} | (env or {})
    done = subprocess.run(
        [sys.executable, str(REPO / "build.py"), *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Run(done.returncode, done.stdout, done.stderr)


# --- folders ------------------------------------------------------------------------------


def tree_digest(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under `folder` (empty when it does not exist)."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(folder: Path) -> list[str]:
    """Temporary build or swap folders left beside the output (there must be none), once the
    builds of outputs in `folder` are done: a command-line build's child process removes the
    old site after the build exits, holding the output's lock (output.py)."""
    for lock in folder.glob(".*.lock"):
        wait_for_lock(lock)
    return sorted(p.name for p in folder.iterdir() if ".build-" in p.name or ".old-" in p.name)


def wait_for_lock(lock: Path) -> None:
    """Wait until no build, nor its removal of an old site, holds this output lock."""
    fd = os.open(lock, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # released by closing
    finally:
        os.close(fd)


def copy_project(root: Path) -> Path:
    """Copy the real project's content, templates, static files and catalogues to `root`
    (node_modules linked)."""
    root.mkdir(parents=True)
    for name in ("content", "templates", "static", "locales"):
        shutil.copytree(REPO / name, root / name)
    if (REPO / "node_modules").is_dir():
        (root / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    return root


def theme_override(root: Path, name: str) -> Path:
    """The project's own `name` (`templates/story.html`, `static/charts.js`): a copy of the
    theme's file, made when the project has none, for a test to edit as an editor would."""
    from tiangong_site.render import THEME

    path = root / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(THEME / name, path)
    return path


@pytest.fixture
def cold_project(tmp_path: Path) -> Path:
    """A private copy of the real project, never built: no _site/, no .cache/ (for tests of
    what a build keeps, or of a project left untouched)."""
    return copy_project(tmp_path / "project")


@pytest.fixture
def project(cold_project: Path, built_once: Path) -> Path:
    """A private copy of the real project, not built yet (no _site/), with the build cache
    of a session build of the same content: what a build derives from unchanged inputs
    (compiled templates, extracted strings, checked pages) is not worked out again by each
    test. The cache is content-addressed and signed, so an edit is still checked afresh."""
    shutil.copytree(built_once / ".cache", cold_project / ".cache")
    return cold_project


@pytest.fixture(scope="session")
def built_once(request: pytest.FixtureRequest) -> Path:
    """A copy of the real project built successfully with the command line, into its `_site/`.

    Built once per test run, by the first worker that needs it (the others wait, then read
    the same folder): tests only read it; `built_project` hands each test its own copy.
    """
    folder = shared_folder(request, "built")
    root, done = folder / "project", folder / "built"
    with exclusive(folder / "lock"):
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)  # what a worker that failed left
            copy_project(root)
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli.main(["build", "--project", str(root)])
            assert code == 0, f"the real content does not build:\n{err.getvalue()}"
            assert out.getvalue().startswith("Built ")
            done.touch()
    return root


@pytest.fixture
def built_project(built_once: Path, tmp_path: Path) -> Path:
    """A private copy of the real project with a published `_site/` from a successful build."""
    root = tmp_path / "project"
    shutil.copytree(built_once, root, symlinks=True)
    return root


# --- a small made-up content folder ---------------------------------------------------------

MINI: dict[str, str] = {
    "site.yaml": """
        title: "Test site"
        description: "A site made up for the tests."
        base_url: "https://example.org/sub/"
        authors:
          - name: "Test desk"
        publisher: "Test publisher"
        published: "2024-01-01"
        """,
    "data/sources.yaml": """
        - id: src-a
          title: "Source A"
          publisher: "Publisher A"
          date: "2024-05-01"
          url: "https://example.org/a"
          kind: press
          language: en
        - id: src-b
          title: "Source B"
          publisher: "Publisher B"
          url: "https://example.org/b"
          kind: official
          language: zh
        """,
    "data/regions.yaml": """
        - id: prov
          name: Province
          kind: province
        - id: alpha
          name: {en: Alpha, zh: 甲}
          kind: city
          parent: prov
        - id: beta
          name: Beta
          kind: city
          parent: prov
        - id: gamma
          name: Gamma
          kind: city
          parent: prov
        """,
    "data/metrics.yaml": """
        - id: growth
          name: "Growth"
          unit: percent
        - id: output
          name: "Output"
          unit: 100m-yuan
        """,
    "data/figures.yaml": """
        - id: alpha-growth
          metric: growth
          region: alpha
          period: {kind: year, year: 2023}
          value: 10.8
          rank: 2
          source: src-a
        - metric: growth
          region: beta
          period: {kind: year, year: 2023}
          value: 7.5
          source: src-a
        - metric: growth
          region: gamma
          period: {kind: year, year: 2023}
          value: 9.25
          source: src-b
        - metric: growth
          region: gamma
          period: {kind: year, year: 2022}
          value: null
          source: src-b
        - id: alpha-output
          metric: output
          region: alpha
          period: {kind: half-year, year: 2023, part: 1}
          value: 1234
          source: src-b
        """,
    "data/award-tiers.yaml": """
        - id: city
          name: "Cities"
          winners: 6
          pool: "the cities"
          source: src-a
        - id: county
          name: "Counties"
          winners: 20
          pool: "the counties"
          source: src-a
        """,
    "data/awards.yaml": """
        - ceremony_year: 2024
          evaluation_year: 2023
          region: alpha
          tier: city
          standing: returning
          source: src-a
        - ceremony_year: 2025
          evaluation_year: 2024
          region: alpha
          tier: city
          standing: returning
          source: src-a
        - ceremony_year: 2024
          evaluation_year: 2023
          region: beta
          tier: city
          standing: first-time
          source: src-a
        """,
    "data/clusters.yaml": "[]\n",
    "data/companies.yaml": "[]\n",
    "data/events.yaml": "[]\n",
    # The real project's declarations of its datasets, and its region and cluster pages.
    "datapackage.yaml": (REPO / "content" / "datapackage.yaml").read_text(encoding="utf-8"),
    "collections.yaml": (REPO / "content" / "collections.yaml").read_text(encoding="utf-8"),
    "charts.yaml": """
        - id: growth-2023
          kind: bar
          data: figures
          where: {metric: growth, year: 2023}
          x: region_name
          y: value
          sort: value
          highlight: {region: alpha}
          highlight_label: "Alpha"
          title: "Growth in 2023"
          sources: [src-a, src-b]
          alt: "Bar chart of growth by city."
        - id: wins
          kind: column
          data: awards
          x: region_name
          y: count
          title: "Awards won"
          sources: [src-a]
          alt: "Column chart of awards by city."
        """,
    "pages/index.md": """
        ---
        title: "Test story"
        description: "The story."
        layout: story
        ---
        Alpha grew {fig:alpha-growth}.

        ::: chart growth-2023

        ::: chart wins
        """,
    "pages/data.md": """
        ---
        title: "Data"
        description: "Every dataset."
        slug: data
        layout: data
        nav_title: Data
        ---
        Download everything.
        """,
    "pages/sources.md": """
        ---
        title: "Sources"
        description: "Every source."
        slug: sources
        layout: sources
        nav_title: Sources
        ---
        How the figures were compiled.
        """,
}


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def write_content(root: Path, overrides: dict[str, str] | None = None) -> Path:
    """Write the made-up content folder under `root`/content, with some files replaced."""
    content = root / "content"
    for rel, body in (MINI | (overrides or {})).items():
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(body), encoding="utf-8")
    return content


@pytest.fixture
def mini(tmp_path: Path):
    """`mini(overrides)` -> path of a small, valid, made-up content folder (with files replaced)."""

    def make(overrides: dict[str, str] | None = None) -> Path:
        folder = tmp_path / f"mini-{len(list(tmp_path.glob('mini-*')))}"
        return write_content(folder, overrides)

    return make


# --- the browser the tests drive ------------------------------------------------------------

sys.path.insert(0, str(REPO / "scripts"))
import chromium_version  # noqa: E402  (scripts/chromium_version.py; the workflow runs it too)


@pytest.fixture(scope="session", autouse=True)
def chromium_fits_playwright(request: pytest.FixtureRequest) -> None:
    """Before the first test of a run that drives Chromium: its major must be the one the
    pinned Playwright speaks, or every browser test could fail for no fault of the site."""
    if not any(item.get_closest_marker("browser") for item in request.session.items):
        return
    problem = chromium_version.mismatch()
    if problem is None:
        return
    if os.environ.get(chromium_version.RELAX) == "warn":
        import warnings

        warnings.warn(problem, stacklevel=1)
        return
    pytest.exit(f"browser tests not run: {problem}", returncode=1)


# --- tiers: plain `pytest` runs the fast tier; `make test` (`pytest --all`) runs every test ------

FAST_TIER_MARKEXPR = "not browser and not slow"
"""The `-m` expression of a plain run: tests marked `browser` (they drive Chromium) or `slow`
(fresh clones, `make` in a copy, kill loops, previews in their own process, many builds) are
left out."""

IN_FAST_TIER = pytest.StashKey[bool]()
LEFT_OUT = pytest.StashKey[list[int]]()
"""[tests left out of the fast tier, of which browser tests], as deselection counts them."""
FAST_TIER_WORKERS = 2
"""pytest-xdist workers of a plain run: one per core of the machine the budget is for."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--all",
        action="store_true",
        dest="all_tiers",
        help="run every tier, the browser and slow tests too (what `make test` and CI run)",
    )


def plain_run(config: pytest.Config) -> bool:
    """A run that names no test, no `-m` and no `--all`: the fast tier."""
    return not (
        config.option.all_tiers
        or config.option.markexpr
        or config.args_source == pytest.Config.ArgsSource.ARGS
    )


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """A plain run shares its modules among FAST_TIER_WORKERS pytest-xdist workers, unless `-n`
    says otherwise (`-n 0`: one process) or xdist is not there (`-p no:xdist`). Runs that
    name tests or tiers stay in one process: the browser tests share one Chromium and one
    server per process."""
    wanted = (
        plain_run(config)
        and not is_worker(config)
        and config.pluginmanager.hasplugin("xdist")
        and config.option.numprocesses is None
        and not config.option.collectonly
        and not config.option.usepdb
    )
    if wanted:
        config.option.numprocesses = FAST_TIER_WORKERS
        # A module's tests go to one worker, so its module-scoped build is made once.
        config.option.dist = "loadscope"


def pytest_configure(config: pytest.Config) -> None:
    """A plain run selects the fast tier, exactly as `-m` would: the rest is reported as
    deselected, and tests/browser/conftest.py, seeing `not browser`, does not build the site
    to parametrize tests that will not run."""
    config.stash[IN_FAST_TIER] = plain_run(config)
    config.stash[LEFT_OUT] = [0, 0]
    if config.stash[IN_FAST_TIER]:
        config.option.markexpr = FAST_TIER_MARKEXPR


def pytest_deselected(items: list[pytest.Item]) -> None:
    for item in items:
        browser = item.get_closest_marker("browser") is not None
        if browser or item.get_closest_marker("slow"):
            left = item.config.stash[LEFT_OUT]
            left[0], left[1] = left[0] + 1, left[1] + browser


def pytest_sessionfinish(session: pytest.Session) -> None:
    if is_worker(
        session.config
    ):  # the workers collect and deselect; the note is printed by the run they serve
        session.config.workeroutput["left_out"] = session.config.stash[LEFT_OUT]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # pytest-xdist: a worker has finished
    left = getattr(node, "workeroutput", {}).get("left_out")
    if left:
        node.config.stash[LEFT_OUT] = left


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config):
    """After pytest's own summary, one line on what a plain run left out, so that nobody takes
    the fast tier for the whole suite."""
    result = yield
    if config.stash.get(IN_FAST_TIER, False) and not is_worker(config):
        left, browser = config.stash[LEFT_OUT]
        terminalreporter.write_line(
            f"fast tier only: {left} tests left to `make test` ({left - browser} slow, "
            f"{browser} browser before their expansion over pages); `pytest --all` runs them",
            yellow=True,
        )
    return result
