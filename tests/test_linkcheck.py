"""The link check sees every URL a page loads: links, assets, chart data and the plotly bundle."""

from pathlib import Path

import pytest

from tiangong_site.linkcheck import check_links


def site(tmp_path: Path, body: str) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app.js").write_text("")
    (tmp_path / "charts" / "a").mkdir(parents=True)
    (tmp_path / "charts" / "a" / "figure.json").write_text("{}")
    (tmp_path / "index.html").write_text(f'<html><body id="top">\n{body}\n</body></html>')
    return tmp_path


@pytest.mark.parametrize(
    "attribute",
    ['href="/base/nope/"', 'src="/base/assets/missing.js"', 'data-figure="/base/charts/b/figure.json"', 'data-plotly="/base/assets/plotly.js"'],
)
def test_a_missing_target_in_any_loading_attribute_is_reported(tmp_path: Path, attribute: str):
    problems = check_links(site(tmp_path, f"<div {attribute}></div>"), "/base/")
    assert len(problems) == 1
    assert problems[0].path == "index.html" and problems[0].line == 2
    assert attribute.split('"')[1] in problems[0].message


def test_existing_targets_and_anchors_pass(tmp_path: Path):
    body = '<a href="/base/#top">up</a><script src="assets/app.js" data-plotly="/base/assets/app.js"></script><div data-figure="charts/a/figure.json"></div>'
    assert check_links(site(tmp_path, body), "/base/") == []


def test_a_missing_anchor_and_a_link_outside_the_base_path_are_reported(tmp_path: Path):
    problems = check_links(site(tmp_path, '<a href="#nowhere">x</a> <a href="/other/">y</a>'), "/base/")
    assert [p.message.split(":")[0] for p in problems] == ["missing anchor", "broken link"]
