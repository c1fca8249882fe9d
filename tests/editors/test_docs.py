"""docs/editing.md is run, not just read: every example in it works on a copy of the project.

Fenced blocks carry what the test does with them in their info string:
- ```yaml append=FILE``` / ```markdown append=FILE```: appended to FILE;
  with `expect-error`, removed again after the next command that expects a failure;
- ```yaml before=FILE``` then ```yaml after=FILE```: the text of `before` must be in FILE
  exactly, and is replaced by `after` (so a guide that drifts from the content fails);
- ```sh run``` (optionally `expect=N`): each `tiangong-site ...` line is run with this
  project's build.py and must exit with N (default 0);
- ```text``` right after a command: lines of the expected output (… matches anything).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from conftest import REPO, copy_project

GUIDE = REPO / "docs" / "editing.md"
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```\s*$", re.M | re.S)


@dataclass
class Block:
    language: str
    options: dict[str, str]
    body: str


def blocks() -> list[Block]:
    found = []
    for match in FENCE.finditer(GUIDE.read_text(encoding="utf-8")):
        words = match.group(1).split()
        language = words[0] if words else ""
        options = dict(w.split("=", 1) if "=" in w else (w, "") for w in words[1:])
        found.append(Block(language, options, match.group(2)))
    return found


def run_command(project: Path, line: str) -> subprocess.CompletedProcess[str]:
    words = shlex.split(line)
    assert words[0] == "tiangong-site", f"the guide's commands start with tiangong-site: {line}"
    command, rest = words[1], words[2:]
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), command, "--project", str(project), *rest],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_guide_has_examples_of_every_task():
    kinds = {(b.language, next(iter(b.options), "")) for b in blocks()}
    assert ("yaml", "append") in kinds and ("yaml", "before") in kinds and ("sh", "run") in kinds
    text = GUIDE.read_text(encoding="utf-8")
    for task in ("award results", "Fix a figure", "Add a source", "Add a chart", "Preview", "publish"):
        assert task.lower() in text.lower(), task


def test_every_example_in_the_guide_works_in_order(tmp_path: Path):
    project = copy_project(tmp_path / "project")
    pending_errors: list[tuple[Path, str]] = []
    before: tuple[Path, str] | None = None
    last_output = ""
    ran = 0
    for block in blocks():
        if "append" in block.options:
            path = project / block.options["append"]
            original = path.read_text(encoding="utf-8")
            path.write_text(original.rstrip("\n") + "\n\n" + block.body, encoding="utf-8")
            if "expect-error" in block.options:
                pending_errors.append((path, original))
        elif "before" in block.options:
            path = project / block.options["before"]
            assert block.body in path.read_text(encoding="utf-8"), f"the guide's 'before' example is no longer in {path.name}"
            before = (path, block.body)
        elif "after" in block.options:
            assert before is not None, "an 'after' example needs a 'before' example first"
            path, old = before
            path.write_text(path.read_text(encoding="utf-8").replace(old, block.body), encoding="utf-8")
            before = None
        elif block.language == "sh" and "run" in block.options:
            expected = int(block.options.get("expect", "0"))
            for line in filter(None, (ln.strip() for ln in block.body.splitlines())):
                result = run_command(project, line)
                last_output = result.stdout + result.stderr
                ran += 1
                assert result.returncode == expected, f"`{line}` exited {result.returncode}, the guide expects {expected}:\n{last_output}"
            if expected != 0:
                for path, original in pending_errors:
                    path.write_text(original, encoding="utf-8")
                pending_errors.clear()
        elif block.language == "text":
            for expected_line in filter(None, block.body.splitlines()):
                pattern = ".*".join(re.escape(part) for part in expected_line.split("…"))
                assert re.search(pattern, last_output), f"the guide says the output has\n  {expected_line}\nbut it was\n{last_output}"
    assert ran >= 5, "the guide's commands were not run"
    # Everything the guide added shows up in the built site.
    site = project / "_site"
    editions = [site / lang for lang in ("en", "zh") if (site / lang).is_dir()] or [site]
    for edition in editions:
        story = (edition / "index.html").read_text(encoding="utf-8")
        assert 'id="chart-example-awards-by-ceremony"' in story, edition
        assert "6.1%" in story, edition
        assert (edition / "charts" / "example-awards-by-ceremony" / "example-awards-by-ceremony.csv").read_text(encoding="utf-8-sig").count("\n") >= 3
        assert "661.5" in (edition / "data" / "figures.csv").read_text(encoding="utf-8")
