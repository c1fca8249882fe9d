"""`check` is the build without writing: whatever the build refuses, check refuses with the
same lines; `--strict` also flags placeholder text, pages nothing links to and sources
nothing cites."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import leftovers, tree_digest
from tiangong_site.scaffold import placeholder_lines

PAGES = Path("content/pages")


def edit(project: Path, relpath: str, old: str, new: str, count: int = 1) -> int:
    """Replace `old` (which must be there) in a project file; returns the line it was on."""
    path = project / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {relpath}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return text.count("\n", 0, text.index(old)) + 1


def in_both(project: Path, old: str, new: str) -> int:
    """The same edit in the English and the Chinese story; returns its line in the English one."""
    edit(project, "content/pages/index.zh.md", old, new)
    return edit(project, "content/pages/index.md", old, new)


def break_fig(project: Path) -> tuple[str, int]:
    return "content/pages/index.md", edit(
        project, "content/pages/index.md", "{src:ezhejiang-2025-05-30}", "{fig:sx-gdp-2042}"
    )


def break_src(project: Path) -> tuple[str, int]:
    return "content/pages/index.md", edit(
        project, "content/pages/index.md", "{src:ezhejiang-2025-05-30}", "{src:ezhejiang-2052}"
    )


def break_chart(project: Path) -> tuple[str, int]:
    return "content/pages/index.md", in_both(
        project, "::: chart award-tiers", "::: chart award-teirs"
    )


def break_callout(project: Path) -> tuple[str, int]:
    return "content/pages/index.md", in_both(
        project, "::: callout dyeing-concentration", "::: callout dyeing-concentraton"
    )


def chart_only_in_english(project: Path) -> tuple[str, int]:
    edit(project, "content/pages/index.zh.md", "::: chart award-tiers\n", "")
    text = (project / "content/pages/index.md").read_text(encoding="utf-8")
    return "content/pages/index.md", text.count("\n", 0, text.index("::: chart award-tiers")) + 1


def break_link(project: Path) -> tuple[str, int]:
    edit(
        project,
        "content/pages/index.md",
        "{src:ezhejiang-2025-05-30}",
        "{src:ezhejiang-2025-05-30} [see](../no-such-page/)",
    )
    return "en/index.html", 0  # a link is reported in the page the build writes


def break_template(project: Path) -> tuple[str, int]:
    return "templates/region.html", edit(
        project, "templates/region.html", "{{ region.name }}", "{{ region.nmae.upper() }}"
    )


BREAKAGES = [
    break_fig,
    break_src,
    break_chart,
    break_callout,
    chart_only_in_english,
    break_link,
    break_template,
]


@pytest.mark.slow
@pytest.mark.parametrize("breakage", BREAKAGES, ids=[b.__name__ for b in BREAKAGES])
def test_check_refuses_what_the_build_refuses_with_the_same_lines(
    run_cli, cold_project: Path, breakage
):
    project = cold_project
    path, line = breakage(project)
    before = tree_digest(project)
    checked = run_cli("check", "--project", project)
    assert checked.code == 1, checked.err
    assert tree_digest(project) == before and not (project / ".cache").exists()
    built = run_cli("build", "--project", project, "-q")
    assert built.code == 1
    problems = sorted(m.group(0) for m in checked.problems())
    assert problems == sorted(m.group(0) for m in built.problems())
    assert any(
        m["path"] == path and (not line or int(m["line"]) == line) for m in checked.problems()
    ), checked.err
    assert not (project / "_site").exists() and leftovers(project) == []


def test_a_chart_in_one_edition_only_is_reported_at_its_line_naming_both_files(
    run_cli, project: Path
):
    path, line = chart_only_in_english(project)
    (problem,) = run_cli("check", "--project", project).problems()
    assert (problem["path"], int(problem["line"])) == (path, line)
    assert (
        "::: chart award-tiers" in problem["message"]
        and "content/pages/index.zh.md" in problem["message"]
    )


def test_a_callout_in_the_chinese_edition_only_is_reported_in_the_chinese_file(
    run_cli, project: Path
):
    line = (
        edit(
            project,
            "content/pages/index.zh.md",
            "::: chart award-tiers",
            "::: chart award-tiers\n\n::: callout sx-iva-growth-2016",
        )
        + 2
    )
    (problem,) = run_cli("check", "--project", project).problems()
    assert (problem["path"], int(problem["line"])) == ("content/pages/index.zh.md", line)
    assert (
        "::: callout sx-iva-growth-2016" in problem["message"]
        and "content/pages/index.md" in problem["message"]
    )


def test_the_real_content_passes_strict_check(run_cli, project: Path):
    run = run_cli("check", "--project", project, "--strict")
    assert run.code == 0, run.err
    assert run.out.startswith("Content is valid (0 warnings)")


def new_page(run_cli, project: Path, *extra: str) -> None:
    args = [
        "--title",
        "Methods",
        "--description",
        "How.",
        "--title-zh",
        "方法",
        "--description-zh",
        "做法。",
    ]
    assert run_cli("new", "page", "test-methods", "--project", project, *args, *extra).code == 0


@pytest.mark.slow
def test_strict_check_flags_each_placeholder_line_of_a_new_page(run_cli, project: Path):
    new_page(run_cli, project)
    lenient = run_cli("check", "--project", project)
    assert lenient.code == 0
    strict = run_cli("check", "--project", project, "--strict")
    assert strict.code == 1
    for name, lang in (("test-methods.md", "en"), ("test-methods.zh.md", "zh")):
        lines = (project / PAGES / name).read_text(encoding="utf-8").splitlines()
        for placeholder in placeholder_lines(lang):
            line = next(i for i, text in enumerate(lines, 1) if placeholder in text)
            found = [
                m
                for m in strict.problems()
                if m["path"] == f"content/pages/{name}" and int(m["line"]) == line
            ]
            assert found and placeholder in found[0]["message"], (name, placeholder, strict.err)
    assert "warning: placeholder text" in lenient.err


@pytest.mark.slow
def test_strict_check_flags_a_page_no_other_page_links_to(run_cli, project: Path):
    new_page(run_cli, project)
    for name in ("test-methods.md", "test-methods.zh.md"):
        path = project / PAGES / name
        text = path.read_text(encoding="utf-8")
        body = text.split("\n---\n", 1)[0] + "\n---\nOur method, in full.\n"
        path.write_text(body, encoding="utf-8")
    orphans = run_cli("check", "--project", project, "--strict")
    assert orphans.code == 1
    flagged = sorted((m["path"], m["line"]) for m in orphans.problems())
    assert flagged == [
        ("content/pages/test-methods.md", "1"),
        ("content/pages/test-methods.zh.md", "1"),
    ]
    assert all("no other page links to this page" in m["message"] for m in orphans.problems())
    edit(
        project, "content/pages/index.md", "{src:ezhejiang-2025-05-30}", "[Methods](test-methods/)"
    )
    edit(
        project, "content/pages/index.zh.md", "{src:ezhejiang-2025-05-30}", "[方法](test-methods/)"
    )
    linked = run_cli("check", "--project", project, "--strict")
    assert linked.code == 0, linked.err


@pytest.mark.slow
def test_a_source_cited_only_in_a_page_is_not_reported_as_uncited(run_cli, project: Path):
    path = project / "content/data/sources.yaml"
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    line = text.count("\n") + 1
    record = "- id: test-prose-only\n  title: {en: T, zh: 标题}\n  publisher: {en: P, zh: 出版者}\n"
    path.write_text(
        text + record + "  url: https://example.org/\n  kind: press\n  language: en\n",
        encoding="utf-8",
    )
    uncited = run_cli("check", "--project", project, "--strict")
    assert [(m["path"], int(m["line"])) for m in uncited.problems()] == [
        ("content/data/sources.yaml", line)
    ]
    assert "not cited by any record or page" in uncited.problems()[0]["message"]
    in_both(
        project, "{src:ezhejiang-2025-05-30}", "{src:ezhejiang-2025-05-30}{src:test-prose-only}"
    )
    cited = run_cli("check", "--project", project, "--strict")
    assert cited.code == 0, cited.err


@pytest.mark.slow
def test_strict_check_flags_a_chart_that_shows_raw_ids(run_cli, project: Path):
    """Review 2.4: `series: region` puts 'shaoxing', 'zhejiang' in the legend of both editions;
    `region_name` holds the names in each language."""
    line = edit(project, "content/charts.yaml", "  series: region_name\n", "  series: region\n")
    lenient = run_cli("check", "--project", project)
    assert lenient.code == 0 and "warning: series 'region' shows readers its raw ids" in lenient.err
    strict = run_cli("check", "--project", project, "--strict")
    assert strict.code == 1
    (found,) = strict.problems()
    assert (found["path"], int(found["line"])) == ("content/charts.yaml", line)
    assert "'shaoxing'" in found["message"] and "series: region_name" in found["hint"]
