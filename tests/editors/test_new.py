"""`new` adds a record or a page with every field explained, valid as written, and never
leaves the content broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from tiangong_site.content import load_content
from tiangong_site.loader import load_yaml_file

AWARD = [
    "--ceremony-year",
    "2026",
    "--evaluation-year",
    "2025",
    "--region",
    "zhuji",
    "--tier",
    "county",
    "--standing",
    "returning",
    "--source",
    "zistic-2024",
]


def test_new_award_appends_a_commented_record_that_validates(project: Path, run_cli):
    before = len(load_content(project / "content").datasets["awards"])
    result = run_cli("new", "awards", "--project", str(project), *AWARD)
    assert result.code == 0, result.err
    text = (project / "content/data/awards.yaml").read_text(encoding="utf-8")
    added = text[text.rindex("- ceremony_year: 2026") :]
    # Every field of an award is there, given or commented out, each with an explanation.
    for field in (
        "ceremony_year",
        "evaluation_year",
        "region",
        "tier",
        "standing",
        "source",
        "ceremony_date",
        "golden",
        "note",
        "status",
        "standing_status",
        "uncertain",
    ):
        line = next(ln for ln in added.splitlines() if f"{field}:" in ln)
        assert "  # " in line and len(line.split("  # ", 1)[1]) > 5, line
    awards = load_content(project / "content").datasets["awards"]
    assert len(awards) == before + 1
    assert (awards[-1].region, awards[-1].ceremony_year, awards[-1].standing) == (
        "zhuji",
        2026,
        "returning",
    )


def test_new_award_without_facts_lists_what_to_give_and_writes_nothing(project: Path, run_cli):
    path = project / "content/data/awards.yaml"
    before = path.read_bytes()
    result = run_cli("new", "awards", "--project", str(project), "--region", "zhuji")
    assert result.code == 2
    for flag in ("--ceremony-year", "--evaluation-year", "--tier", "--standing", "--source"):
        assert flag in result.err
    assert "--region " not in result.err.split("give these fields:")[1]
    assert path.read_bytes() == before


def test_new_award_without_facts_lists_its_optional_flags_too(project: Path, run_cli):
    """Review 6.3: the optional flags (a ceremony date, a note and its Chinese) are named too."""
    result = run_cli("new", "awards", "--project", str(project), "--region", "zhuji")
    assert result.code == 2
    required, optional = result.err.split("give these fields:")[1].split("if you need them:")
    assert "--ceremony-year" in required and "--ceremony-date" not in required
    for flag in ("--ceremony-date", "--golden", "--note", "--note-zh", "--status", "--uncertain"):
        assert f"  {flag} " in optional, flag
    assert "--region" not in optional and "--source" not in optional


def test_new_record_that_would_break_the_content_is_not_kept(project: Path, run_cli):
    path = project / "content/data/awards.yaml"
    before = path.read_bytes()
    args = [a if a != "zhuji" else "zhuji-city" for a in AWARD]
    result = run_cli("new", "awards", "--project", str(project), *args)
    assert result.code == 1
    assert "content/data/awards.yaml:" in result.err and "did you mean 'zhuji'?" in result.err
    assert path.read_bytes() == before


def test_new_page_creates_a_page_that_builds(project: Path, run_cli):
    args = ["--title", "How we did it", "--description", "Our method."]
    assert (
        run_cli("new", "page", "how-we-did-it", "--project", str(project), *args).code == 2
    )  # the Chinese edition is missing
    result = run_cli(
        "new",
        "page",
        "how-we-did-it",
        "--project",
        str(project),
        *args,
        "--title-zh",
        "我们的做法",
        "--description-zh",
        "方法。",
    )
    assert result.code == 0, result.err
    for name in ("how-we-did-it.md", "how-we-did-it.zh.md"):
        assert "# Front matter" in (project / "content/pages" / name).read_text(encoding="utf-8")
    assert run_cli("build", "--project", str(project), "-q").code == 0
    assert "<h1>How we did it</h1>" in (project / "_site/en/how-we-did-it/index.html").read_text(
        encoding="utf-8"
    )
    assert "<h1>我们的做法</h1>" in (project / "_site/zh/how-we-did-it/index.html").read_text(
        encoding="utf-8"
    )


def test_new_page_refuses_an_existing_slug_and_a_bad_one(project: Path, run_cli):
    assert (
        run_cli(
            "new",
            "page",
            "sources",
            "--project",
            str(project),
            "--title",
            "x",
            "--description",
            "y",
        ).code
        == 2
    )
    assert (
        run_cli(
            "new",
            "page",
            "Bad Slug",
            "--project",
            str(project),
            "--title",
            "x",
            "--description",
            "y",
        ).code
        == 2
    )


@pytest.mark.slow
def test_new_chart_is_valid_as_written(project: Path, run_cli):
    result = run_cli(
        "new",
        "chart",
        "--project",
        str(project),
        "--id",
        "tiers-again",
        "--kind",
        "column",
        "--data",
        "award-tiers",
        "--x",
        "name",
        "--y",
        "winners",
        "--title",
        "Tiers",
        "--title-zh",
        "组别",
        "--sources",
        "[zistic-2024]",
        "--alt",
        "Columns of winners per tier.",
        "--alt-zh",
        "各组别获奖数的柱状图。",
    )
    assert result.code == 0, result.err
    chart = load_yaml_file(project / "content/charts.yaml", "charts.yaml").data[-1]
    assert chart["id"] == "tiers-again" and chart["sources"] == ["zistic-2024"]
    assert run_cli("build", "--project", str(project), "-q").code == 0
    assert (project / "_site/en/charts/tiers-again/tiers-again.csv").is_file()
    assert chart["title"] == {"en": "Tiers", "zh": "组别"}


def test_text_values_are_kept_as_typed(project: Path, run_cli):
    result = run_cli(
        "new",
        "sources",
        "--project",
        str(project),
        "--id",
        "bracketed",
        "--title",
        "[A title in brackets]",
        "--title-zh",
        "［括号里的标题］",
        "--publisher",
        "Someone",
        "--publisher-zh",
        "某人",
        "--url",
        "https://example.org/a",
        "--kind",
        "press",
        "--language",
        "en",
    )
    assert result.code == 0, result.err
    sources = load_content(project / "content").index("sources")
    assert (sources["bracketed"].title.en, sources["bracketed"].title.zh) == (
        "[A title in brackets]",
        "［括号里的标题］",
    )


RIVERS = """
resources:
  - name: rivers
    path: data/rivers.yaml
    schema:
      primaryKey: id
      fields:
        - {name: id, type: string, constraints: {required: true, pattern: "^[a-z-]+$"}}
        - name: name
          type: string
          localised: true
          description: "The river's name."
          constraints: {required: true}
        - {name: length, type: number, unit: km, constraints: {minimum: 0}}
        - {name: region, type: string}
      foreignKeys:
        - {fields: region, reference: {resource: regions, fields: id}}
"""


def _declare_rivers(project: Path, path: str = "data/rivers.yaml") -> Path:
    package = project / "content/datapackage.yaml"
    declared = package.read_text(encoding="utf-8")  # the project's own, then rivers
    rivers = RIVERS.replace("data/rivers.yaml", path).split("resources:\n", 1)[1]
    package.write_text(declared.rstrip("\n") + "\n" + rivers, encoding="utf-8")
    data = project / "content" / path
    data.write_text("[]\n" if path.endswith(".yaml") else "id,name.en,name.zh\n", "utf-8")
    return data


def test_new_adds_a_record_to_a_declared_dataset_as_its_declaration_says(project, run_cli):
    data = _declare_rivers(project)
    args = ("new", "rivers", "--project", str(project), "--id", "big", "--region", "zhuji")
    result = run_cli(*args, "--name", "Big river")
    assert result.code == 2 and "--name-zh" in result.err, "the site is in two languages"
    missing = run_cli("new", "rivers", "--project", str(project))
    assert missing.code == 2 and "--id " in missing.err and "--name " in missing.err
    assert "--length" in missing.err.split("if you need them:")[1]
    assert data.read_text(encoding="utf-8") == "[]\n", "nothing is written on a usage error"
    result = run_cli(*args, "--name", "Big river", "--name-zh", "大河", "--length", "12.5")
    assert result.code == 0, result.err
    text = data.read_text(encoding="utf-8")
    assert (
        "# The river's name; required" in text
        and "id of a record in content/data/regions.yaml" in text
    )
    assert "  # length:" not in text and "length: 12.5" in text
    river = load_content(project / "content").datasets["rivers"][-1]
    assert (river.id, river.name.zh, river.length, river.region) == ("big", "大河", 12.5, "zhuji")


def test_new_refuses_a_declared_dataset_in_csv_and_an_unknown_kind(project, run_cli):
    data = _declare_rivers(project, "data/rivers.csv")
    before = data.read_bytes()
    result = run_cli("new", "rivers", "--project", str(project), "--id", "big")
    assert result.code == 2 and "content/data/rivers.csv" in result.err
    assert data.read_bytes() == before
    result = run_cli("new", "river", "--project", str(project))
    assert result.code == 2 and "rivers" in result.err and "page" in result.err
