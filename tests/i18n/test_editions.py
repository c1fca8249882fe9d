"""Editions cannot drift: the English and Chinese twins of a page place the same charts,
callouts, figures and citations, or the build fails naming both files and a line in each."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bilingual_site import make_bilingual_project  # noqa: E402

EN, ZH = "content/pages/index.md", "content/pages/index.zh.md"


def _edit(project: Path, page: str, old: str, new: str) -> None:
    path = project / page
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {page}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line(project: Path, page: str, needle: str) -> int:
    lines = (project / page).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def _build(project: Path, run_cli) -> tuple[int, list[str]]:
    result = run_cli("build", "--project", str(project))
    problems = [line for line in result.err.splitlines() if re.match(r"^\S+:\d+:\d+: ", line)]
    return result.code, problems


def test_a_chart_only_in_the_english_page_fails_the_build_naming_both_files(tmp_path, run_cli):
    project = make_bilingual_project(tmp_path / "project")
    assert run_cli("build", "--project", str(project)).code == 0
    before = (project / "_site" / "en" / "index.html").read_bytes()
    _edit(project, ZH, "::: chart growth\n", "")
    code, problems = _build(project, run_cli)
    assert code == 1
    en_line = _line(project, EN, "::: chart growth")
    [problem] = problems
    assert problem.startswith(
        f"{EN}:{en_line}:1: `::: chart growth` is placed here but not in {ZH}"
    )
    # In the Chinese page it would go after its last placement, the chart before it.
    assert f"(after line {_line(project, ZH, '::: chart gdp')} there)" in problem, problem
    assert (project / "_site" / "en" / "index.html").read_bytes() == before, (
        "the last good site stays"
    )


def test_a_callout_only_in_the_chinese_page_is_reported_in_the_chinese_file(tmp_path, run_cli):
    project = make_bilingual_project(tmp_path / "project")
    _edit(project, ZH, "::: chart gdp\n", "::: callout alpha-gdp\n\n::: chart gdp\n")
    code, problems = _build(project, run_cli)
    assert code == 1
    zh_line = _line(project, ZH, "::: callout alpha-gdp")
    assert [p for p in problems if p.startswith(f"{ZH}:{zh_line}:1: `::: callout alpha-gdp`")], (
        problems
    )
    assert EN in problems[0]


def test_a_different_figure_in_one_edition_names_the_line_in_each(tmp_path, run_cli):
    project = make_bilingual_project(tmp_path / "project")
    _edit(project, ZH, "{fig:alpha-growth}", "{fig:alpha-gdp}")
    code, problems = _build(project, run_cli)
    assert code == 1
    en_line, zh_line = _line(project, EN, "{fig:alpha-growth}"), _line(project, ZH, "上半年增长")
    assert any(
        p.startswith(f"{EN}:{en_line}:1: `{{fig:alpha-growth}}`")
        and f"{ZH}:{zh_line} places `{{fig:alpha-gdp}}`" in p
        for p in problems
    ), problems


def test_a_citation_missing_from_one_edition_fails_the_build(tmp_path, run_cli):
    project = make_bilingual_project(tmp_path / "project")
    _edit(project, ZH, "。{src:src-a}", "。")
    code, problems = _build(project, run_cli)
    assert code == 1
    assert any("`{src:src-a}` is placed here but not in " + ZH in p for p in problems), problems


def test_figures_reordered_within_a_paragraph_by_the_translation_are_not_drift(tmp_path, run_cli):
    project = make_bilingual_project(tmp_path / "project")
    _edit(
        project,
        ZH,
        "甲市地区生产总值为{fig:alpha-gdp}，上半年增长{fig:alpha-growth}。",
        "甲市上半年增长{fig:alpha-growth}，地区生产总值为{fig:alpha-gdp}。",
    )
    code, problems = _build(project, run_cli)
    assert (code, problems) == (0, [])


def test_charts_in_a_different_order_are_drift(tmp_path, run_cli):
    project = make_bilingual_project(tmp_path / "project")
    _edit(project, ZH, "::: chart gdp\n\n::: chart growth\n", "::: chart growth\n\n::: chart gdp\n")
    code, problems = _build(project, run_cli)
    assert code == 1 and problems
    assert all(EN in p and ZH in p for p in problems), problems
