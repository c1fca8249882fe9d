"""Bad input, end to end: one test per kind of mistake an editor can make.

Each test takes a copy of the real project built once successfully (so there is a published
`_site/`), breaks one file at a line it knows, builds again with the command line, and checks
what the editor sees and what readers keep: exit code 1, a `path:line:col: message (hint)` line
naming that file and line, no traceback, the previous `_site/` byte for byte, and no temporary
folder left beside it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import Run, dedent, leftovers, run_build_py, tree_digest
from tiangong_site.loader import MAX_FILE_BYTES, load_yaml_file


class Published:
    """A copy of the project with a successful build in `_site/`."""

    def __init__(self, root: Path, run_cli):
        self.root = root
        self.run_cli = run_cli
        self.site = tree_digest(root / "_site")
        assert "index.html" in self.site and leftovers(root) == []

    def build(self) -> Run:
        return self.run_cli("build", "--project", self.root)

    def ids(self, dataset_file: str) -> list[str]:
        data = load_yaml_file(self.root / "content" / dataset_file, dataset_file).data or []
        return [r["id"] for r in data if isinstance(r, dict) and "id" in r]

    def append(self, rel: str, records: str) -> dict[str, int]:
        """Append YAML records to content/REL; returns {marker: line} for each line holding
        `# <-marker`."""
        path = self.root / "content" / rel
        text = path.read_text(encoding="utf-8")
        if not load_yaml_file(path, rel).data:  # `[]` or nothing yet: the records replace it
            text = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
        if text and not text.endswith("\n"):
            text += "\n"
        first = text.count("\n") + 1
        block = dedent(records)
        marks: dict[str, int] = {}
        lines = []
        for i, line in enumerate(block.splitlines()):
            found = re.search(r"\s*# <-(\S+)$", line)
            if found:
                marks[found.group(1)] = first + i
                line = line[: found.start()]
            lines.append(line)
        path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
        return marks

    def assert_refused(self, run: Run, path: str, line: int, message: str = "") -> re.Match[str]:
        """The build failed, said where and why, and left the published site exactly as it was."""
        assert run.code == 1, run.err
        located = [p for p in run.problems() if p["path"] == path and int(p["line"]) == line]
        assert located, f"no problem at {path}:{line} in:\n{run.err}"
        problem = located[0]
        assert problem["hint"].strip()
        assert message in problem["message"], problem.group(0)
        assert "Traceback" not in run.err
        assert tree_digest(self.root / "_site") == self.site
        assert leftovers(self.root) == []
        return problem


@pytest.fixture
def published(built_project: Path, run_cli) -> Published:
    return Published(built_project, run_cli)


def test_malformed_yaml(published: Published):
    at = published.append(
        "data/regions.yaml",
        """
        - id: test-broken
          name: Broken: colon   # <-bad
          kind: city
        """,
    )
    run = published.build()
    problem = published.assert_refused(
        run, "content/data/regions.yaml", at["bad"], "malformed YAML"
    )
    assert int(problem["col"]) == len("  name: Broken:")


def test_duplicate_key(published: Published):
    at = published.append(
        "data/regions.yaml",
        """
        - id: test-twice
          name: First       # <-first
          kind: city
          name: Second      # <-second
        """,
    )
    problem = published.assert_refused(
        published.build(), "content/data/regions.yaml", at["second"], "duplicate key 'name'"
    )
    assert f"line {at['first']}" in problem["message"]


def test_wrong_type(published: Published):
    at = published.append(
        "data/regions.yaml",
        """
        - id: test-type
          name: Typed
          kind: city
          mountainous: maybe   # <-bad
        """,
    )
    published.assert_refused(
        published.build(),
        "content/data/regions.yaml",
        at["bad"],
        "'mountainous' must be true or false",
    )


def test_missing_field(published: Published):
    at = published.append(
        "data/regions.yaml",
        """
        - id: test-missing   # <-record
          name: Kindless
        """,
    )
    published.assert_refused(
        published.build(), "content/data/regions.yaml", at["record"], "missing field 'kind'"
    )


def test_unknown_field_typo(published: Published):
    parent = published.ids("data/regions.yaml")[0]
    at = published.append(
        "data/regions.yaml",
        f"""
        - id: test-typo
          name: Typo
          kind: city
          parnet: {parent}   # <-typo
        """,
    )
    problem = published.assert_refused(
        published.build(), "content/data/regions.yaml", at["typo"], "unknown field 'parnet'"
    )
    assert problem["hint"] == "did you mean 'parent'?"


def test_unresolved_reference(published: Published):
    regions = published.ids("data/regions.yaml")
    target = max(regions, key=len)
    at = published.append(
        "data/regions.yaml",
        f"""
        - id: test-orphan
          name: Orphan
          kind: city
          parent: {target}x   # <-ref
        """,
    )
    problem = published.assert_refused(
        published.build(),
        "content/data/regions.yaml",
        at["ref"],
        f"parent '{target}x' is not an id",
    )
    assert problem["hint"] == f"did you mean '{target}'?"


def test_impossible_date(published: Published):
    at = published.append(
        "data/sources.yaml",
        """
        - id: test-leap
          title: "A source dated on a day that never was"
          publisher: Nobody
          date: "2023-02-29"   # <-date
          url: https://example.org/leap
          kind: press
          language: en
        """,
    )
    published.assert_refused(
        published.build(), "content/data/sources.yaml", at["date"], "impossible date 2023-02-29"
    )


def test_negative_count(published: Published):
    source = published.ids("data/sources.yaml")[0]
    at = published.append(
        "data/award-tiers.yaml",
        f"""
        - id: test-negative
          name: Negative tier
          winners: -3   # <-count
          pool: nobody
          source: {source}
        """,
    )
    published.assert_refused(
        published.build(), "content/data/award-tiers.yaml", at["count"], "'winners' is -3"
    )


def test_yaml_that_constructs_objects(published: Published, tmp_path: Path):
    marker = tmp_path / "code-ran"
    at = published.append(
        "data/regions.yaml",
        f"""
        - id: test-object
          name: !!python/object/apply:os.system ["touch {marker}"]   # <-tag
          kind: city
        """,
    )
    published.assert_refused(published.build(), "content/data/regions.yaml", at["tag"], "tags")
    assert not marker.exists()


def test_alias_bomb(published: Published):
    record = (
        '- id: test-bomb\n  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'
        "   # <-anchor\n"
    )
    record += "".join(f"  l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 9))
    at = published.append("data/regions.yaml", record)
    run = published.build()
    problem = next(p for p in run.problems() if p["path"] == "content/data/regions.yaml")
    assert int(problem["line"]) in (
        at["anchor"],
        at["anchor"] + 1,
    )  # the anchor, or its first alias
    published.assert_refused(run, "content/data/regions.yaml", int(problem["line"]), "alias")


def test_oversized_file(published: Published):
    path = published.root / "content" / "data" / "sources.yaml"
    with path.open("a", encoding="utf-8") as f:
        f.write("# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    published.assert_refused(published.build(), "content/data/sources.yaml", 1, "over the")


def test_unknown_chart_in_a_page(published: Published):
    page = published.root / "content" / "pages" / "index.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    lines.append("")
    lines.append("::: chart no-such-chart")
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    twin = page.with_name("index.zh.md")  # placed in both editions, or they differ
    twin.write_text(
        twin.read_text(encoding="utf-8") + "\n::: chart no-such-chart\n", encoding="utf-8"
    )
    published.assert_refused(
        published.build(),
        "content/pages/index.md",
        len(lines),
        "chart 'no-such-chart' is not defined",
    )


def test_broken_template_syntax(published: Published):
    template = published.root / "templates" / "base.html"
    lines = template.read_text(encoding="utf-8").splitlines()
    lines.insert(1, "{% endfor %}")  # line 2
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = published.build()
    published.assert_refused(run, "templates/base.html", 2, "template error")
    assert len([p for p in run.problems() if p["path"] == "templates/base.html"]) == 1, (
        "one mistake, one line"
    )


def test_template_using_an_undefined_name(published: Published):
    template = published.root / "templates" / "base.html"
    lines = template.read_text(encoding="utf-8").splitlines()
    main = next(i for i, line in enumerate(lines) if "<main" in line)
    lines.insert(main + 1, "{{ no_such_name }}")
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    published.assert_refused(
        published.build(), "templates/base.html", main + 2, "'no_such_name' is undefined"
    )


def test_several_mistakes_in_several_files_are_all_reported(published: Published):
    regions = published.append(
        "data/regions.yaml",
        """
        - id: test-one
          name: One
          kind: metropolis   # <-kind
        """,
    )
    sources = published.append(
        "data/sources.yaml",
        """
        - id: test-two
          title: Two
          publisher: Nobody
          date: "2023-13"   # <-date
          url: ftp://example.org/   # <-url
          kind: press
          language: en
        """,
    )
    run = published.build()
    published.assert_refused(run, "content/data/regions.yaml", regions["kind"])
    published.assert_refused(run, "content/data/sources.yaml", sources["date"])
    published.assert_refused(run, "content/data/sources.yaml", sources["url"])
    assert len(run.problems()) == 3
    assert run.err.splitlines()[-1].startswith("3 problems found")


def test_build_py_reports_bad_input_without_a_traceback(published: Published):
    at = published.append(
        "data/regions.yaml",
        """
        - id: test-subprocess
          name: Sub
          kind: city
          kind: town   # <-dup
        """,
    )
    run = run_build_py("build", "--project", published.root)
    published.assert_refused(run, "content/data/regions.yaml", at["dup"], "duplicate key 'kind'")
    assert run.out == ""


def test_a_fixed_mistake_builds_again(published: Published):
    path = published.root / "content" / "data" / "regions.yaml"
    good = path.read_text(encoding="utf-8")
    published.append("data/regions.yaml", "- id: test-fix\n  name: Fix\n  kind: nowhere\n")
    assert published.build().code == 1
    path.write_text(good, encoding="utf-8")
    assert published.build().code == 0
    assert leftovers(published.root) == []
