"""Loading the whole content folder: cross-references, unique ids, and every problem at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import MINI, dedent
from tiangong_site.content import load_content
from tiangong_site.errors import ContentError, Problem


def problems_of(content_dir: Path) -> list[Problem]:
    with pytest.raises(ContentError) as caught:
        load_content(content_dir)
    return caught.value.problems


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line of (dedented) `text` containing `needle`."""
    hits = [i for i, line in enumerate(dedent(text).splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def test_the_made_up_content_is_valid(mini):
    content = load_content(mini())
    assert [r.id for r in content.datasets["regions"]] == ["prov", "alpha", "beta", "gamma"]
    assert content.site.base_url == "https://example.org/sub/"
    assert {p.meta.slug for p in content.pages} == {"", "data", "sources"}


def test_unresolved_reference_is_located_with_a_did_you_mean_hint(mini):
    figures = MINI["data/figures.yaml"].replace("region: beta", "region: btea")
    (problem,) = problems_of(mini({"data/figures.yaml": figures}))
    assert (problem.path, problem.line, problem.column) == (
        "content/data/figures.yaml",
        line_of(figures, "region: btea"),
        3,
    )
    assert problem.message.startswith("region 'btea' is not an id in ")
    assert problem.message.endswith("data/regions.yaml")
    assert problem.hint == "did you mean 'beta'?"


def test_unresolved_reference_with_nothing_close_says_where_to_add_it(mini):
    figures = MINI["data/figures.yaml"].replace("metric: output", "metric: zzzzzz")
    (problem,) = problems_of(mini({"data/figures.yaml": figures}))
    assert problem.line == line_of(figures, "metric: zzzzzz")
    assert problem.hint.startswith("add a record with id 'zzzzzz' to ")
    assert problem.hint.endswith("data/metrics.yaml")


def test_unresolved_reference_in_a_list_is_located_at_the_item(mini):
    charts = MINI["charts.yaml"].replace(
        "sources: [src-a, src-b]", "sources:\n            - src-a\n            - src-bb"
    )
    (problem,) = problems_of(mini({"charts.yaml": charts}))
    assert (problem.path, problem.line, problem.column) == (
        "content/charts.yaml",
        line_of(charts, "- src-bb"),
        7,
    )
    assert problem.hint == "did you mean 'src-b'?"


def test_reference_to_a_record_of_another_kind_is_unresolved(mini):
    # 'alpha' is a region, not a source.
    figures = MINI["data/figures.yaml"].replace("source: src-b", "source: alpha", 1)
    (problem,) = problems_of(mini({"data/figures.yaml": figures}))
    assert problem.message.startswith("source 'alpha' is not an id in ")
    assert problem.message.endswith("data/sources.yaml")


def test_duplicate_id_is_reported_at_the_second_record(mini):
    regions = dedent(MINI["data/regions.yaml"]) + "- id: beta\n  name: Beta again\n  kind: city\n"
    (problem,) = problems_of(mini({"data/regions.yaml": regions}))
    assert (problem.path, problem.line) == (
        "content/data/regions.yaml",
        line_of(regions, "id: beta", 2),
    )
    assert "id 'beta' is used twice" in problem.message
    assert (
        f"first on line {line_of(regions, 'id: beta')}" in problem.message
    )  # a line, not "record 3"
    assert problem.hint


def test_every_problem_is_listed_not_only_the_first(mini):
    figures = (
        MINI["data/figures.yaml"]
        .replace("value: 7.5", "value: seven")
        .replace("region: gamma", "region: gamam", 1)
    )
    tiers = MINI["data/award-tiers.yaml"].replace("winners: 20", "winners: -20")
    problems = problems_of(mini({"data/figures.yaml": figures, "data/award-tiers.yaml": tiers}))
    located = [(p.path, p.line) for p in problems]
    assert located == [
        ("content/data/award-tiers.yaml", line_of(tiers, "winners: -20")),
        ("content/data/figures.yaml", line_of(figures, "value: seven")),
        ("content/data/figures.yaml", line_of(figures, "region: gamam")),
    ]
    printed = str(ContentError(problems)).splitlines()
    assert len(printed) == 3
    assert all(line.startswith("content/data/") and line.endswith(")") for line in printed)


def test_problems_in_data_and_pages_are_collected_together(mini):
    regions = MINI["data/regions.yaml"].replace("kind: province", "kind: country", 1)
    page = "---\ntitle: About\ndescription: D\nslug: about\nnav_ordr: 4\n---\nText.\n"
    problems = problems_of(mini({"data/regions.yaml": regions, "pages/about.md": page}))
    assert [(p.path, p.line) for p in problems] == [
        ("content/data/regions.yaml", line_of(regions, "kind: country")),
        ("content/pages/about.md", 5),
    ]
    assert problems[1].hint == "did you mean 'nav_order'?"


def test_an_invalid_record_is_still_a_valid_reference_target(mini):
    # Alpha's kind is wrong; the records that name alpha are not wrong too.
    regions = MINI["data/regions.yaml"].replace("kind: city", "kind: town", 1)
    (problem,) = problems_of(mini({"data/regions.yaml": regions}))
    assert (problem.path, problem.line) == (
        "content/data/regions.yaml",
        line_of(regions, "kind: town"),
    )


def test_an_unreadable_file_does_not_make_every_reference_to_it_unresolved(mini):
    regions = MINI["data/regions.yaml"].replace("name: Beta", "name: Beta: broken")
    (problem,) = problems_of(mini({"data/regions.yaml": regions}))
    assert (problem.path, problem.line) == (
        "content/data/regions.yaml",
        line_of(regions, "Beta: broken"),
    )
    assert problem.message.startswith("malformed YAML")


def test_references_into_an_empty_file_are_unresolved(mini):
    figures = MINI["data/figures.yaml"].replace(
        "metric: output", "metric: output\n          cluster: textiles"
    )
    (problem,) = problems_of(
        mini({"data/figures.yaml": figures, "data/clusters.yaml": "# none yet\n"})
    )
    assert problem.line == line_of(figures, "cluster: textiles")
    assert problem.message.startswith("cluster 'textiles' is not an id in ")


def test_a_missing_built_in_data_file_is_an_empty_dataset(mini):
    content_dir = mini()
    (content_dir / "charts.yaml").unlink()
    for page in (content_dir / "pages").glob("*.md"):  # a page placing a chart needs it
        body = page.read_text(encoding="utf-8")
        page.write_text(re.sub(r"(?m)^::: chart .*$", "", body), encoding="utf-8")
    content = load_content(content_dir)
    assert content.datasets["charts"] == []
    assert "charts" not in content.files


def test_a_missing_declared_data_file_is_reported_at_its_declaration_not_at_each_reference(
    mini,
):
    content_dir = mini()
    (content_dir / "data" / "metrics.yaml").unlink()
    (problem,) = problems_of(content_dir)
    assert problem.path == "content/datapackage.yaml"
    assert problem.message == "data file content/data/metrics.yaml is missing"


def test_data_file_that_is_not_a_list_is_reported(mini):
    (problem,) = problems_of(
        mini({"data/metrics.yaml": "id: growth\nname: Growth\nunit: percent\n"})
    )
    assert problem.path == "content/data/metrics.yaml"
    assert "list" in problem.message


def test_two_pages_with_one_slug_are_reported(mini):
    page = "---\ntitle: Also data\ndescription: D\nslug: data\n---\nText.\n"
    (problem,) = problems_of(mini({"pages/zz-other.md": page}))
    assert (problem.path, problem.line) == ("content/pages/zz-other.md", 4)
    assert "slug 'data'" in problem.message


def test_missing_content_folder_is_reported(tmp_path: Path):
    (problem,) = problems_of(tmp_path / "nowhere")
    assert "content folder not found" in problem.message
