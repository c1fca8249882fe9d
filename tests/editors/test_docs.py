"""README.md and docs/editing.md work as typed: every command block in them is run, as written,
in a fresh copy of the project, after `make site` (the first command both give).

Fenced blocks say in their info string what the test does with them:
- ```sh``` (or bash, shell, console): each line is a command, run with bash from the project
  folder, with nothing activated and no `tiangong-site` on PATH; it must exit 0, or N with
  `expect=N`. Lines in NOT_RUN are not run, for the reason given there.
- ```sh server```: the last line starts a server. It is started on a free port (every mention
  of the port its comment's address gives is replaced; `make serve` gets `PORT=`, `serve`
  `--port`), and must answer at that address, and serve an asset the page links to, within a
  bounded time; then it is stopped.
- ```yaml append=FILE``` (any language): appended to FILE; with `expect-error`, FILE is restored
  after the next command that is expected to fail.
- ```yaml before=FILE``` then ```yaml after=FILE```: `before` must be in FILE exactly and is
  replaced by `after` (so a guide that drifts from the content fails); `expect-error` as above.
- ```text output```: lines of the output of the command before (… matches anything).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO

GUIDE = REPO / "docs" / "editing.md"
README = REPO / "README.md"
DOCS = [README, *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```\s*$", re.M | re.S)
SHELLS = {"sh", "bash", "shell", "console"}

NOT_RUN = {
    "make test": "it runs the whole test suite, this test included, so it would never end; "
    ".ci/run and the workflow run it on a fresh clone",
    "make deps": "it installs the test tools (Playwright, vnu-jar: about 200 MB); "
    "tests/test_publish.py runs it in a fresh clone",
    ".venv/bin/python scripts/logo-image.py": "it drives Chromium through Playwright, which only "
    "`make deps` installs; tests/editors/test_brand.py checks the favicon and logo it drew",
}
"""Commands of the docs the test does not run, each with the reason."""


@dataclass
class Block:
    language: str
    options: dict[str, str]
    body: str
    line: int


def blocks(doc: Path) -> list[Block]:
    text = doc.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        words = match.group(1).split()
        options = dict(w.split("=", 1) if "=" in w else (w, "") for w in words[1:])
        found.append(
            Block(
                words[0] if words else "",
                options,
                match.group(2),
                text.count("\n", 0, match.start()) + 1,
            )
        )
    return found


def commands(block: Block) -> list[str]:
    return [
        ln.strip()
        for ln in block.body.splitlines()
        if ln.strip() and not ln.strip().startswith("#")
    ]


def without_comment(line: str) -> str:
    return re.sub(r"\s+#\s.*$", "", line).strip()


# --- a fresh copy of the project, set up as the README says ---------------------------------


def shell_env() -> dict[str, str]:
    """This environment, minus anything a fresh terminal would not have: no virtualenv
    activated, no `tiangong-site` on PATH, no make or base-URL settings leaking in."""
    drop = {"VIRTUAL_ENV", "PYTHONPATH", "TIANGONG_BASE_URL", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PATH"] = os.pathsep.join(
        p for p in env["PATH"].split(os.pathsep) if p and not (Path(p) / "tiangong-site").exists()
    )
    return env


def copy_tracked(dest: Path) -> Path:
    """The files of the project as a clone has them (tracked, or new and not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "-co", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        if (REPO / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dest / name)
    return dest


def run_line(line: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", line],
        cwd=cwd,
        env=shell_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the project after the README's first command, `make site`."""
    root = copy_tracked(tmp_path_factory.mktemp("fresh") / "project")
    done = run_line("make site", root, timeout=1200)
    assert done.returncode == 0, (
        f"`make site` failed in a fresh copy:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    (root.parent / "make-site.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    return root


def workspace(installed: Path, dest: Path) -> Path:
    """Another fresh copy, sharing the installed .venv and node_modules (which hold absolute
    paths and cannot be copied)."""
    copy_tracked(dest)
    for name in (".venv", "node_modules"):
        (dest / name).symlink_to(installed / name, target_is_directory=True)
    return dest


# --- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def on_port(line: str, port: int) -> tuple[str, str]:
    """The command and the address it documents, moved to `port`."""
    address = re.search(r"http://127\.0\.0\.1:(\d+)(/\S*)", line)
    assert address, f"a server command says where to open it, in a comment: {line}"
    documented = address.group(1)
    command = without_comment(line).replace(documented, str(port))
    if str(port) not in command:  # the command's own default port
        if command.startswith("make serve"):
            command += f" PORT={port}"
        else:
            assert " serve" in command, f"cannot move this server to a free port: {line}"
            command += f" --port {port}"
    return command, f"http://127.0.0.1:{port}{address.group(2)}"


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


@contextlib.contextmanager
def serving(line: str, cwd: Path) -> Iterator[str]:
    """Start the server of `line` on a free port; yields the documented address once it
    answers (a hang guard of 120 s); stops the server and everything it started."""
    command, url = on_port(line, free_port())
    log = cwd / ".server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["bash", "--noprofile", "--norc", "-c", command],
            cwd=cwd,
            env=shell_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, (
                f"`{command}` exited {proc.returncode}:\n{log.read_text()[-3000:]}"
            )
            with contextlib.suppress(OSError):
                if fetch(url)[0] == 200:
                    yield url
                    return
            time.sleep(0.3)
        raise AssertionError(
            f"`{command}` did not answer at {url} within 120 s:\n{log.read_text()[-3000:]}"
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # the group this test started, by its id
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)


def check_served(url: str) -> None:
    """The page answers, and so does the first same-site file it links to (right base path)."""
    status, html = fetch(url)
    assert status == 200, url
    linked = re.search(r'(?:href|src)="(/[^/"][^"]*)"', html)
    assert linked, f"{url} links to nothing on the site"
    origin = re.match(r"http://[^/]+", url).group(0)
    assert fetch(origin + linked.group(1))[0] == 200, (
        f"{url} links to {linked.group(1)}, which is not served"
    )


# --- running a document -----------------------------------------------------------------------


@dataclass
class Ran:
    commands: list[str]
    servers: list[str]
    last_output: str = ""


def run_doc(
    doc: Path, project: Path, before_command: Callable[[str], None] = lambda line: None
) -> Ran:
    """Do what every block of `doc` says, in order, in `project`; see the module's docstring."""
    ran = Ran([], [])
    pending: list[tuple[Path, str]] = []  # files to restore after the next expected failure
    before: tuple[Path, str] | None = None
    for block in blocks(doc):
        where = f"{doc.name}:{block.line}"
        if "append" in block.options:
            path = project / block.options["append"]
            original = path.read_text(encoding="utf-8")
            path.write_text(original.rstrip("\n") + "\n\n" + block.body, encoding="utf-8")
            pending += [(path, original)] if "expect-error" in block.options else []
        elif "before" in block.options:
            path = project / block.options["before"]
            assert block.body in path.read_text(encoding="utf-8"), (
                f"{where}: this 'before' example is no longer in {path.name}"
            )
            before = (path, block.body)
        elif "after" in block.options:
            assert before is not None, f"{where}: an 'after' example needs a 'before' example first"
            path, old = before
            original = path.read_text(encoding="utf-8")
            path.write_text(original.replace(old, block.body), encoding="utf-8")
            pending += [(path, original)] if "expect-error" in block.options else []
            before = None
        elif block.language in SHELLS:
            lines = commands(block)
            server = lines.pop() if "server" in block.options else None
            expected = int(block.options.get("expect", "0"))
            for line in lines:
                if without_comment(line) in NOT_RUN:
                    continue
                before_command(line)
                result = run_line(line, project)
                ran.last_output = result.stdout + result.stderr
                ran.commands.append(line)
                assert result.returncode == expected, (
                    f"{where}: `{line}` exited {result.returncode}, the doc expects {expected}:\n"
                    f"{ran.last_output[-4000:]}"
                )
            if server:
                with serving(server, project) as url:
                    check_served(url)
                ran.servers.append(server)
            if expected != 0:
                for path, original in reversed(pending):
                    path.write_text(original, encoding="utf-8")
                pending.clear()
        elif block.language == "text" and "output" in block.options:
            for expected_line in filter(None, block.body.splitlines()):
                pattern = ".*".join(re.escape(part) for part in expected_line.split("…"))
                assert re.search(pattern, ran.last_output), (
                    f"{where}: the doc says the output has\n  {expected_line}\n"
                    f"but it was\n{ran.last_output}"
                )
    assert not pending, (
        f"{doc.name}: an expect-error example was never followed by a failing command"
    )
    return ran


# --- the tests ------------------------------------------------------------------------------------


def test_the_guide_has_examples_of_every_task():
    kinds = {(b.language, next(iter(b.options), "")) for b in blocks(GUIDE)}
    assert {
        ("yaml", "append"),
        ("yaml", "before"),
        ("sh", ""),
        ("sh", "server"),
        ("text", "output"),
    } <= kinds
    headings = {
        h.lower() for h in re.findall(r"^##+ (.+)$", GUIDE.read_text(encoding="utf-8"), re.M)
    }
    for task in (
        "before you start",
        "set up vs code",
        "preview while you edit",
        "add a source",
        "add next year's award results",
        "fix a figure",
        "add a chart",
        "read an error",
        "rename or delete an id",
        "write in both languages",
        "write a page: the markdown you can use",
        "add a page to the navigation",
        "correct a published story",
        "change the brand colours",
        "add a language",
        "start a new story",
        "check and publish",
    ):
        assert task in headings, task


def test_every_command_not_run_is_still_in_the_docs():
    typed = {
        without_comment(line)
        for doc in DOCS
        for b in blocks(doc)
        if b.language in SHELLS
        for line in commands(b)
    }
    assert set(NOT_RUN) <= typed, (
        f"NOT_RUN lists commands no doc gives any more: {sorted(set(NOT_RUN) - typed)}"
    )


def test_commands_are_typed_as_they_run_in_a_fresh_terminal():
    """`tiangong-site` alone is not on PATH in a fresh clone: the docs type
    .venv/bin/tiangong-site."""
    for doc in DOCS:
        for block in (b for b in blocks(doc) if b.language in SHELLS):
            for line in commands(block):
                assert not re.match(r"(python3? )?tiangong-site\b", line), (
                    f"{doc.name}:{block.line}: `{line}`"
                )


@pytest.mark.slow
def test_make_site_installs_only_what_building_needs(installed: Path):
    python = installed / ".venv" / "bin" / "python"
    assert (installed / "_site" / "index.html").is_file(), "`make site` built the site"
    assert (
        run_line(f"{python} -c 'import jinja2, plotly, pydantic, livereload'", installed).returncode
        == 0
    )
    for module in ("playwright", "pytest", "jsonschema"):
        assert run_line(f"{python} -c 'import {module}'", installed).returncode != 0, (
            f"`make site` installed {module}"
        )
    packages = {p.name for p in (installed / "node_modules").iterdir()}
    assert "plotly.js-basic-dist-min" in packages
    assert not packages & {"axe-core", "vnu-jar"}, (
        "`make site` installed the test tools of package.json"
    )
    log = (installed.parent / "make-site.log").read_text(encoding="utf-8")
    assert "is deprecated" not in log, (
        f"`make site` prints a deprecation an editor cannot act on:\n{log[-3000:]}"
    )


@pytest.mark.slow
def test_every_command_in_the_readme_runs_as_typed(installed: Path, tmp_path: Path):
    project = workspace(installed, tmp_path / "project")

    def artifact(line: str) -> None:
        if (
            "site-preview.zip" in line
        ):  # downloaded from GitHub in real life: made as the workflow makes it
            shutil.make_archive(str(project / "site-preview"), "zip", project / "_site")

    ran = run_doc(README, project, artifact)
    assert "make site" in map(without_comment, ran.commands) and len(ran.commands) >= 5, (
        ran.commands
    )
    assert len(ran.servers) == 3, ran.servers


@pytest.mark.slow
def test_every_example_in_the_guide_works_in_order(installed: Path, tmp_path: Path):
    project = workspace(installed, tmp_path / "project")
    ran = run_doc(GUIDE, project)
    assert len(ran.commands) >= 8 and ran.servers == [
        next(c for b in blocks(GUIDE) if "server" in b.options for c in commands(b))
    ]
    # Everything the guide added shows up in the built site.
    site = project / "_site"
    for lang in ("en", "zh"):
        edition = site / lang
        story = (edition / "index.html").read_text(encoding="utf-8")
        assert 'id="chart-example-awards-by-ceremony"' in story, edition
        assert "6.1%" in story, edition
        assert 'href="regions/zhuji/"' in story or "/regions/zhuji/" in story, (
            "the reference's link to a place"
        )
        assert "2026-12-01" in story, "the correction's updated date"
        assert (
            edition / "charts" / "example-awards-by-ceremony" / "example-awards-by-ceremony.csv"
        ).read_text(encoding="utf-8-sig").count("\n") >= 3
        assert "661.5" in (edition / "data" / "figures.csv").read_text(encoding="utf-8")
        menu = re.search(r"<nav.*?</nav>", story, re.S).group(0)
        assert "how-we-did-it/" in menu and (">Method<" in menu or ">方法<" in menu), (
            "the new page is in the menu"
        )
        figure = (edition / "charts" / "shaoxing-wins" / "figure.json").read_text(encoding="utf-8")
        assert "#1f6e8c" in figure and "#b4432a" not in figure, "charts follow the new brand accent"
    assert 'id="an-example-section"' in (site / "en" / "index.html").read_text(encoding="utf-8")


# --- links ----------------------------------------------------------------------------------------

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
CODE_PATH = re.compile(
    r"`([\w.-]+(?:/[\w.-]+)+\.(?:md|ya?ml|py|json|txt|css|js|svg|png|po|sh|html))`"
)


def prose(doc: Path) -> str:
    """The doc without its fenced blocks (examples, not links)."""
    return FENCE.sub("", doc.read_text(encoding="utf-8"))


def anchors(doc: Path) -> set[str]:
    """GitHub's anchors for the headings of `doc`: lower case, punctuation dropped, spaces to -."""
    headings = re.findall(r"^#{1,6} (.+?)\s*$", prose(doc), re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_relative_link_resolves_inside_the_repository(doc: Path):
    text = re.sub(r"`[^`\n]*`", "", prose(doc))  # links inside code are examples of page syntax
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (doc.parent / path).resolve() if path else doc
        assert resolved.is_relative_to(REPO), (
            f"{doc.name}: ({target}) points outside the repository"
        )
        assert resolved.exists(), f"{doc.name}: ({target}) does not exist"
        if anchor:
            assert resolved.suffix == ".md" and anchor in anchors(resolved), (
                f"{doc.name}: ({target}) has no such heading"
            )


PLACEHOLDERS = {"NAME", "LANG", "ID", "DIR", "FILE", "SLUG", "KIND"}
"""Words that stand for a name in a path, e.g. content/pages/NAME.md."""


def created(doc: Path) -> set[str]:
    """Files the doc's own examples create: the pages of `new page SLUG`, and the files a
    ```LANG file=PATH``` block shows whole (tests/test_declared.py writes and loads them)."""
    slugs = {
        m
        for b in blocks(doc)
        if b.language in SHELLS
        for m in re.findall(r"\bnew page ([a-z0-9-]+)", b.body)
    }
    pages = {f"content/pages/{slug}{suffix}" for slug in slugs for suffix in (".md", ".zh.md")}
    return pages | {b.options["file"] for b in blocks(doc) if b.options.get("file")}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_file_the_docs_name_exists(doc: Path):
    tops = {p.name for p in REPO.iterdir()} | {".."}
    for name in set(CODE_PATH.findall(prose(doc))) - created(doc):
        if name.split("/")[0] not in tops:  # a path elsewhere, e.g. inside an installed package
            continue
        if set(re.findall(r"[A-Z]+", name)) & PLACEHOLDERS:
            continue
        found = [
            p
            for p in (REPO / name, doc.parent / name)
            if p.exists() and p.resolve().is_relative_to(REPO)
        ]
        assert found, f"{doc.name} names `{name}`, which is not in the repository"


# --- what the guide covers, kept in step with the code ----------------------------------------


def section(title: str) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def test_the_markdown_reference_covers_every_form_the_engine_knows():
    from tiangong_site.markdown import BLOCK, INLINE

    reference = section("Write a page: the Markdown you can use")
    blocks_ = re.search(r"\(((?:\w+\|)*\w+)\)", BLOCK.pattern).group(1).split("|")
    inline = re.search(r"\(((?:\w+\|)*\w+)\)", INLINE.pattern).group(1).split("|")
    assert blocks_ and inline
    for kind in blocks_:
        assert f"`::: {kind} " in reference, f"the reference does not show ::: {kind}"
    for kind in inline:
        assert f"`{{{kind}:" in reference, f"the reference does not show {{{kind}:ID}}"


def test_the_guide_explains_every_field_of_page_front_matter():
    from tiangong_site.models import PageMeta

    text = GUIDE.read_text(encoding="utf-8")
    missing = [name for name in PageMeta.model_fields if f"`{name}`" not in text]
    assert missing == [], f"docs/editing.md does not explain these front-matter fields: {missing}"


def test_adding_a_chart_explains_every_field_of_a_chart():
    from tiangong_site.models import Chart

    steps = section("Add a chart")
    missing = [name for name in Chart.model_fields if f"`{name}`" not in steps]
    assert missing == [], f"docs/editing.md, 'Add a chart', does not explain: {missing}"


def test_adding_a_language_names_every_module_that_lists_the_languages():
    import ast

    steps = section("Add a language")
    for module in sorted((REPO / "src" / "tiangong_site").glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.Constant) and node.value == "zh" for node in ast.walk(tree)):
            assert f"src/tiangong_site/{module.name}" in steps, (
                f"{module.name} handles 'zh' by name; the guide's steps skip it"
            )


def test_vs_code_recommends_the_extension_the_guide_names():
    import json

    recommended = json.loads((REPO / ".vscode" / "extensions.json").read_text(encoding="utf-8"))[
        "recommendations"
    ]
    setup = section("Before you start")
    assert recommended and all(f"`{ext}`" in setup for ext in recommended), recommended
