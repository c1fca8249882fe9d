"""Messages an editor can act on, for each weak case of the editors' review (5.1-5.7, 6.1,
6.2): the line to fix, in plain words, with the fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO
from tiangong_site.content import load_content
from tiangong_site.errors import ContentError, Problem
from tiangong_site.loader import load_yaml_file
from tiangong_site.site import Project, load_and_check

RAW_LIBYAML = (
    "while parsing",
    "while scanning",
    "mapping values are not allowed",
    "did not find expected",
)


def broken(tmp_path: Path, relpath: str, old: str, new: str) -> tuple[list[Problem], str]:
    """The problems of a copy of the real content with one edit; and the edited text."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    path = content / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {relpath}"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(content)
    return caught.value.problems, text


def line_of(text: str, needle: str) -> int:
    return text.count("\n", 0, text.index(needle)) + 1


# --- 5.1 a `where:` that matches no row -------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "named", "suggested"),
    [
        (
            "    metric: gdp\n    year: 2024",
            "    metric: gpd\n    year: 2024",
            "metric 'gpd'",
            "did you mean 'gdp'?",
        ),
        (
            "    metric: gdp\n    year: 2024",
            "    metric: gdp\n    year: 2042",
            "year 2042",
            "year is one of: ",
        ),
    ],
    ids=["metric typo", "year with no rows"],
)
def test_a_where_that_matches_nothing_names_the_key_and_value_at_its_line(
    tmp_path: Path, old, new, named, suggested
):
    copy = tmp_path / "project"
    shutil.copytree(REPO / "content", copy / "content")
    for folder in ("templates", "locales"):
        shutil.copytree(REPO / folder, copy / folder)
    path = copy / "content/charts.yaml"
    text = path.read_text(encoding="utf-8").replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_and_check(Project.at(copy), write_cache=False)
    (problem,) = caught.value.problems
    key = named.split()[0]
    assert problem.line == line_of(text, new) + (1 if key == "year" else 0)
    assert f"no figures row has {named}" in problem.message
    assert problem.hint.startswith(suggested)
    if key == "year":
        assert "2023, 2024" in problem.hint


# --- 5.2 an unclosed quote --------------------------------------------------------------------


def test_an_unclosed_quote_is_reported_where_it_opened(tmp_path: Path):
    (problem,), text = broken(
        tmp_path, "data/awards.yaml", 'ceremony_date: "2025-05-23"', 'ceremony_date: "2025-05-23'
    )
    line = line_of(text, 'ceremony_date: "2025-05-23\n')
    assert (problem.line, problem.column) == (line, len('  ceremony_date: "'))
    assert "quote" in problem.message and "not closed" in problem.message
    assert not any(raw in problem.message for raw in RAW_LIBYAML)


# --- 5.3 and 5.8 the parser's wording ---------------------------------------------------------

LAST_AWARD = "  tier: city\n  standing: returning\n  golden: true\n"
PARK = "zh: ［海峡两岸（绍兴）数字产业园区］}"


@pytest.mark.parametrize(
    ("relpath", "old", "new", "fix"),
    [
        (
            "data/awards.yaml",
            LAST_AWARD,
            LAST_AWARD.replace("  standing", "    standing"),
            "indent the line",
        ),
        (
            "data/awards.yaml",
            LAST_AWARD,
            LAST_AWARD.replace("  standing", "\tstanding"),
            "replace the tab with spaces",
        ),
        ("data/sources.yaml", PARK, "zh: 海峡两岸: 绍兴}", "double quotes"),
        (
            "data/awards.yaml",
            LAST_AWARD,
            LAST_AWARD.replace("  standing: returning", " - standing: returning"),
            "line up",
        ),
    ],
    ids=["four-space indent", "a tab", "unquoted colon in {…}", "a misaligned dash"],
)
def test_yaml_mistakes_are_told_in_plain_words_with_the_fix(tmp_path: Path, relpath, old, new, fix):
    (problem,), text = broken(tmp_path, relpath, old, new)
    assert problem.message.startswith("malformed YAML: ")
    assert not any(raw in problem.message for raw in RAW_LIBYAML), problem.message
    assert fix in problem.hint
    start = line_of(text, new)
    assert start <= problem.line <= start + new.count("\n"), (problem, start)


# --- 5.4 a duplicated id ----------------------------------------------------------------------


def test_a_duplicated_id_names_the_line_of_its_first_use(tmp_path: Path):
    problems, text = broken(
        tmp_path, "data/sources.yaml", "- id: zkxxing-cross-strait", "- id: zistic-2024"
    )
    (problem,) = [p for p in problems if "used twice" in p.message]
    first = line_of(text, "- id: zistic-2024")
    assert f"first on line {first}" in problem.message
    assert problem.line > first


# --- 5.5 numbers written as a reader would read them ------------------------------------------

FIGURE = "  period: {kind: year, year: 2010}\n  value: 14.8\n"


@pytest.mark.parametrize(
    ("written", "fix"),
    [
        ("8,368.6", "write 8368.6, without thousands separators"),
        ('"9.8%"', "write 9.8: 'value' takes the number alone; its unit (%) is declared"),
        ('"1,400 km"', "write 1400: 'value' takes the number alone; its unit (km) is declared"),
    ],
    ids=["thousands separator", "percent sign", "any unit"],
)
def test_a_number_written_with_a_separator_or_a_unit_gets_the_plain_number(
    tmp_path: Path, written, fix
):
    (problem,), text = broken(
        tmp_path, "data/figures.yaml", FIGURE, FIGURE.replace("14.8", written)
    )
    assert problem.line == line_of(text, f"value: {written}")
    assert fix in problem.hint


# --- 5.6 a Chinese line that lost its indentation ---------------------------------------------


def test_a_zh_moved_out_of_its_text_is_told_to_indent_it(tmp_path: Path):
    (problem,), text = broken(
        tmp_path, "data/figures.yaml", '\n    zh: "人民日报一篇', '\n  zh: "人民日报一篇'
    )
    assert problem.line == line_of(text, '\n  zh: "人民日报一篇') + 1
    assert "unknown field 'zh'" in problem.message
    assert "indent it under that field" in problem.hint


# --- 5.7 a mistyped id in a page ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "told"),
    [
        ("::: chart award-tiers", "::: chart award-teirs", "did you mean 'award-tiers'?"),
        (
            "::: callout sx-iva-growth-2023",
            "::: callout sx-iva-growth-2032",
            "did you mean 'sx-iva-growth-2023'?",
        ),
        (
            "{fig:sx-iva-growth-2023}",
            "{fig:sx-iva-growth-2032}",
            "did you mean 'sx-iva-growth-2023'?",
        ),
        (
            "{fig:sx-iva-growth-2023}",
            "{fig:sx-iva-growth-2023}{src:zistic-2042}",
            "did you mean 'zistic-2024'?",
        ),
        (
            "{fig:sx-iva-growth-2023}",
            "{fig:nothing-like-it}",
            "add a record with id 'nothing-like-it'",
        ),
    ],
    ids=["chart", "callout", "fig", "src", "no id near"],
)
def test_a_mistyped_id_in_a_page_gets_the_nearest_id(run_cli, project: Path, old, new, told):
    root = project
    for name in ("index.md", "index.zh.md"):  # the same typo in both editions, so they agree
        path = root / "content" / "pages" / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    checked = run_cli("check", "--project", root)
    assert checked.code == 1
    problems = checked.problems()
    assert [m["path"] for m in problems] == [
        "content/pages/index.md",
        "content/pages/index.zh.md",
    ], checked.err
    for problem, name in zip(problems, ("index.md", "index.zh.md"), strict=True):
        text = (root / "content" / "pages" / name).read_text(encoding="utf-8")
        assert int(problem["line"]) == line_of(text, new)
        assert told in problem["hint"], problem.group(0)


# --- 6.1 and 6.2 `new` --------------------------------------------------------------------------

FIGURE_FLAGS = [
    "--metric",
    "iva-growth",
    "--region",
    "shaoxing",
    "--value",
    "5.5",
    "--source",
    "zistic-2024",
]


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2025", {"kind": "year", "year": 2025}),
        ("2025H1", {"kind": "half-year", "year": 2025, "part": 1}),
        ("2025Q3", {"kind": "quarter", "year": 2025, "part": 3}),
        ("2025-01..11", {"kind": "year-to-date", "year": 2025, "through_month": 11}),
    ],
)
def test_new_figure_takes_a_plain_period(run_cli, project: Path, period, expected):
    run = run_cli("new", "figures", "--project", project, *FIGURE_FLAGS, "--period", period)
    assert run.code == 0, run.err
    records = load_yaml_file(project / "content/data/figures.yaml", "figures.yaml").data
    assert records[-1]["period"] == expected


def test_new_figure_explains_a_period_it_cannot_read_and_writes_nothing(run_cli, tmp_path: Path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    before = (tmp_path / "content/data/figures.yaml").read_bytes()
    run = run_cli("new", "figures", "--project", tmp_path, *FIGURE_FLAGS, "--period", "2025H3")
    assert run.code == 2
    assert "--period '2025H3'" in run.err and "2025H1 (a half-year)" in run.err
    assert "pydantic" not in run.err and "dictionary" not in run.err
    missing = run_cli("new", "figures", "--project", tmp_path, *FIGURE_FLAGS)
    assert missing.code == 2
    assert "--period" in missing.err and "2025Q3 (a quarter)" in missing.err
    assert (tmp_path / "content/data/figures.yaml").read_bytes() == before


def test_new_source_without_its_chinese_names_the_missing_flags(run_cli, tmp_path: Path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    before = (tmp_path / "content/data/sources.yaml").read_bytes()
    args = [
        "--id",
        "test-new",
        "--title",
        "T",
        "--publisher",
        "P",
        "--url",
        "https://example.org/",
        "--kind",
        "press",
        "--language",
        "en",
    ]
    run = run_cli("new", "sources", "--project", tmp_path, *args)
    assert run.code == 2
    assert "--title-zh" in run.err and "--publisher-zh" in run.err and "in Chinese" in run.err
    assert "sources.yaml:" not in run.err  # no line of a file that was never written
    assert (tmp_path / "content/data/sources.yaml").read_bytes() == before
