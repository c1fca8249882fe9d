"""Pages from data: content/collections.yaml gives one page per record (or group) per
language, with an optional listing page, checked at file:line:col."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import MINI, REPO, dedent

REGIONS = """
- name: places
  dataset: regions
  url: "/places/{id}/"
  template: place.html
  title: "{name}"
  where: {kind: [city, district, county, county-level-city]}
  sort: id
  index: {url: "/places/", title: {en: "All places", zh: 所有地方}}
- name: levels
  dataset: clusters
  url: "/levels/{level}/"
  template: place.html
  title: {en: "Clusters: {level_name}", zh: "集群：{level_name}"}
  group_by: level
"""

PLACE = """{% extends "theme/record.html" %}
{% block record %}<p class="summary">{{ page.record.get("summary", "") }}</p>
{% for row in page.rows %}<p class="member">{{ row.name }}</p>{% endfor %}{% endblock %}
"""


def _html(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def test_a_collection_over_the_real_regions_and_clusters_builds_pages_in_each_language(
    run_cli, project: Path
):
    declared = project / "content" / "collections.yaml"  # the project's own, and these
    declared.write_text(declared.read_text(encoding="utf-8") + REGIONS, encoding="utf-8")
    (project / "templates" / "place.html").write_text(PLACE, encoding="utf-8")
    result = run_cli("build", "--project", project)
    assert result.code == 0, result.err
    site = project / "_site"
    zhuji = _html(site, "en/places/zhuji/index.html")
    assert "<h1>Zhuji</h1>" in zhuji
    assert "A county-level city, Shaoxing&#39;s second-largest" in zhuji  # in English
    assert "<h1>诸暨市</h1>" in _html(site, "zh/places/zhuji/index.html")
    assert (
        'hreflang="zh-Hans" href="https://tiangong-site.github.io/tiangong-site/zh/places/zhuji/"'
        in zhuji
    )
    assert not (site / "en/places/zhejiang").exists()  # the province is not a kind kept
    # Sorted by id: yuecheng comes before zhuji, the last, which has no next page.
    assert 'href="/tiangong-site/en/places/yuecheng/" rel="prev"' in zhuji
    assert 'rel="next"' not in zhuji
    listing = _html(site, "en/places/index.html")
    assert '<a href="/tiangong-site/en/places/zhuji/">Zhuji</a>' in listing
    assert "places/zhuji/" in _html(site, "sitemap.xml")
    core = _html(site, "en/levels/provincial-core/index.html")
    assert "<h1>Clusters: Provincial cluster: core area</h1>" in core
    members = re.findall(r'<p class="member">([^<]*)</p>', core)
    assert len(members) > 1 and "Keqiao modern textiles and apparel" in members


def _check(run_cli, mini, collections: str, templates: dict[str, str] | None = None):
    content = mini({"collections.yaml": collections})
    return run_cli("check", "--project", REPO, "--content", content)


def _line(text: str, needle: str, n: int = 1) -> int:
    hits = [i for i, line in enumerate(dedent(text).splitlines(), 1) if needle in line]
    return hits[n - 1]


def test_two_records_at_one_address_are_reported_at_both_records(run_cli, mini):
    result = _check(
        run_cli, mini, '- {name: kinds, dataset: regions, url: "/kinds/{kind}/", title: "{name}"}'
    )
    assert result.code == 1
    found = {(m["path"], int(m["line"])) for m in result.problems()}
    regions = MINI["data/regions.yaml"]
    beta, gamma = _line(regions, "kind: city", 2), _line(regions, "kind: city", 3)
    alpha = _line(regions, "kind: city", 1)
    assert found == {("content/data/regions.yaml", line) for line in (alpha, beta, gamma)}
    assert "has the address /kinds/city/, as regions record 'alpha'" in result.err


def test_a_column_the_rows_lack_is_reported_where_collections_yaml_names_it(run_cli, mini):
    collections = """
        - name: places
          dataset: regions
          url: "/places/{slug}/"
          title: "{name}"
        """
    result = _check(run_cli, mini, collections)
    assert result.code == 1
    (problem,) = result.problems()
    assert (problem["path"], problem["line"], problem["col"]) == (
        "content/collections.yaml",
        "3",
        "3",
    )
    assert problem["message"] == "'slug' is not a column of regions"


def test_an_unknown_dataset_is_reported_with_the_closest_name(run_cli, mini):
    result = _check(run_cli, mini, '- {name: p, dataset: region, url: "/p/{id}/", title: x}')
    (problem,) = result.problems()
    assert problem["message"] == "dataset 'region' does not exist"
    assert problem["hint"] == "did you mean 'regions'?"


def test_a_url_that_is_no_address_pattern_is_reported(run_cli, mini):
    result = _check(run_cli, mini, '- {name: p, dataset: regions, url: "places/{id}", title: x}')
    (problem,) = result.problems()
    assert problem["path"] == "content/collections.yaml"
    assert "URL 'places/{id}' is not an address pattern" in problem["message"]


def test_a_value_that_is_no_safe_address_is_reported_at_its_record(run_cli, mini):
    result = _check(run_cli, mini, '- {name: p, dataset: regions, url: "/p/{name}/", title: x}')
    problems = result.problems()
    assert result.code == 1 and problems
    first = problems[0]
    assert first["path"] == "content/data/regions.yaml"
    assert "with name 'Province', which is not a safe address" in first["message"]
    assert "write name as 'province'" in first["hint"]


def test_a_missing_template_is_reported_where_collections_yaml_names_it(run_cli, mini):
    collections = """
        - name: places
          dataset: regions
          url: "/places/{id}/"
          title: "{name}"
          template: place.html
        """
    result = _check(run_cli, mini, collections)
    (problem,) = result.problems()
    assert (problem["path"], problem["line"]) == ("content/collections.yaml", "5")
    assert problem["message"] == "template 'place.html' is neither in templates/ nor in the theme"


# --- collections over a declared dataset ------------------------------------------------------

WELLS_PACKAGE = """
resources:
  - name: wells
    path: data/wells.csv
    schema:
      primaryKey: code
      fields:
        - {name: code, type: string, constraints: {required: true}}
        - {name: label, type: string, constraints: {required: true}}
        - name: aquifer
          type: string
          constraints: {enum: [deep, shallow]}
          labels: {deep: "Deep aquifer", shallow: "Shallow aquifer"}
        - {name: depth, type: number, unit: m}
        - {name: source, type: string}
      foreignKeys:
        - {fields: source, reference: {resource: sources, fields: id}}
  - name: sources
    path: data/sources.yaml
    schema:
      primaryKey: id
      fields:
        - {name: id, constraints: {required: true}}
        - {name: title, localised: true, constraints: {required: true}}
        - {name: publisher, localised: true}
        - {name: date, type: date, partial: true}
        - {name: url, format: uri, constraints: {required: true}}
        - {name: kind}
        - {name: language}
        - {name: note, localised: true}
"""
WELLS = """code,label,aquifer,depth,source
w-north,North well,deep,120,src-a
w-east,East well,shallow,14.5,src-b
w-south,South well,deep,95,src-a
"""
WELL_PAGES = """
- name: wells
  dataset: wells
  url: "/wells/{code}/"
  title: "{label}"
  sort: -depth
  index: {url: "/wells/", title: "All wells"}
- name: aquifers
  dataset: wells
  url: "/aquifers/{aquifer}/"
  title: "Wells of the {aquifer_name}"
  group_by: aquifer
"""


WELLS_HOME = """
---
title: "Wells"
description: "The wells."
---
Every well.
"""


def _wells(tmp_path: Path, data: str = WELLS, pages: str = WELL_PAGES) -> Path:
    """A project of the theme alone whose only dataset besides the sources is declared."""
    root = tmp_path / "wells"
    files = {
        "site.yaml": MINI["site.yaml"],
        "data/sources.yaml": MINI["data/sources.yaml"],
        "pages/index.md": WELLS_HOME,
        "datapackage.yaml": WELLS_PACKAGE,
        "data/wells.csv": data,
        "collections.yaml": pages,
    }
    for rel, body in files.items():
        (root / "content" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "content" / rel).write_text(dedent(body), encoding="utf-8")
    return root


def test_a_collection_over_a_declared_dataset_makes_a_page_per_record_and_per_group(
    run_cli, tmp_path
):
    root = _wells(tmp_path)
    result = run_cli("build", "--project", root)
    assert result.code == 0, result.err
    site = root / "_site"
    east = _html(site, "wells/w-east/index.html")
    assert "<h1>East well</h1>" in east
    assert "<dd>14.5</dd>" in east and "<dd>Shallow aquifer</dd>" in east  # value and label
    assert "<dd>Publisher B</dd>" in east  # the column the foreign key to sources adds
    # Sorted by depth, deepest first: north (120), south (95), east (14.5).
    assert 'href="/sub/wells/w-south/" rel="prev"' in east and 'rel="next"' not in east
    deep = _html(site, "aquifers/deep/index.html")
    assert "<h1>Wells of the Deep aquifer</h1>" in deep
    assert "North well" in deep and "South well" in deep and "East well" not in deep
    assert "East well" in _html(site, "aquifers/shallow/index.html")
    assert '<a href="/sub/wells/w-north/">North well</a>' in _html(site, "wells/index.html")


def test_two_declared_records_at_one_address_are_reported_at_both_by_their_primary_key(
    run_cli, tmp_path
):
    pages = '- {name: w, dataset: wells, url: "/w/{aquifer}/", title: "{label}"}'
    root = _wells(tmp_path, pages=pages)
    result = run_cli("check", "--project", root)
    assert result.code == 1
    found = {(m["path"], int(m["line"])) for m in result.problems()}
    assert found == {("content/data/wells.csv", 2), ("content/data/wells.csv", 4)}
    assert "wells record 'w-south' has the address /w/deep/, as wells record 'w-north'" in (
        result.err
    )


# --- related rows, {not: …}, and what a template may call -------------------------------------


def test_related_rows_are_the_rows_naming_the_record_sorted_and_recorded_by_group(mini):
    from tiangong_site.collections import related_rows
    from tiangong_site.content import load_content
    from tiangong_site.deps import recording

    content = load_content(mini())
    with recording() as keys:
        rows = related_rows(content, "awards", "region", "alpha", ["-ceremony_year"], "en")
    assert [(r["region"], r["ceremony_year"]) for r in rows] == [("alpha", 2025), ("alpha", 2024)]
    assert rows[0]["region_name"] == "Alpha" and rows[0]["tier_name"] == "Cities"
    # the group read, and the datasets its rows name; not every award
    assert "data:awards.region=alpha" in keys and "data:awards" not in keys
    assert "data:regions" in keys
    assert related_rows(content, "awards", "region", "gamma", [], "en") == ()


def test_the_real_region_pages_show_their_related_rows_and_leave_the_province_out(
    built_once: Path,
):
    site = built_once / "_site"
    assert not (site / "en/regions/zhejiang").exists()  # where: {kind: {not: province}}
    shaoxing = _html(site, "en/regions/shaoxing/index.html")
    awards = re.findall(r"<strong>(\w+ \d{4}) ceremony</strong>", shaoxing)
    assert awards == ["May 2023", "May 2024"]  # sorted by ceremony_year
    divisions = shaoxing.split('id="divisions"')[1]
    assert '<a href="/tiangong-site/en/regions/zhuji/">Zhuji</a>' in divisions
    # the province has no page: its name, unlinked, in the kicker
    assert '<p class="kicker">City of Zhejiang</p>' in shaoxing
    notes = re.findall(r'<li id="status-note-(\d+)" value="\d+"><strong>([^<]*)</strong>', shaoxing)
    assert notes[0] == ("1", "Shaoxing, 2023 ceremony")
    cited = re.findall(r'<li id="cite-([\w-]+)" value="(\d+)">', shaoxing)
    assert [n for _, n in cited] == [str(i) for i in range(1, len(cited) + 1)]


RELATED_MISTAKES = """
- name: places
  dataset: regions
  url: "/places/{id}/"
  title: "{name}"
  related:
    wins: {dataset: award, field: region}
    figures: {dataset: figures, field: regoin, sort: [metric, perod]}
"""


def test_a_related_dataset_or_column_that_does_not_exist_is_reported_at_its_line(run_cli, mini):
    result = _check(run_cli, mini, RELATED_MISTAKES)
    found = [(p["line"], p["message"], p["hint"]) for p in result.problems()]
    assert found == [
        (
            str(_line(RELATED_MISTAKES, "wins:")),
            "dataset 'award' does not exist",
            "did you mean 'awards'?",
        ),
        (
            str(_line(RELATED_MISTAKES, "regoin")),
            "'regoin' is not a column of figures",
            "did you mean 'region'?",
        ),
        (
            str(_line(RELATED_MISTAKES, "perod")),
            "'perod' is not a column of figures",
            "did you mean 'period'?",
        ),
    ]


def test_a_pages_columns_are_worked_out_when_a_template_first_reads_them(monkeypatch):
    import tiangong_site.collections as collections

    written: list[object] = []
    real = collections.shown
    monkeypatch.setattr(collections, "shown", lambda *a: written.append(a[0]) or real(*a))
    heads = {
        "kind": collections.Heading("Kind", "", "string", False),  # kind_name says it
        "population": collections.Heading("Population", "people", "integer", True),
    }
    rows = ({"kind": "c", "population": 1200}, {"kind": "t", "population": 30})
    page = collections.CollectionPage(
        collections.Collection("towns", "towns", None), "/towns/a/", "A", rows[0], rows,
        None, None, None, {}, _heads=heads, _lang="en",
    )  # fmt: skip
    assert written == []  # a template that shows no column costs nothing
    assert [(c.name, c.title, c.unit, c.text) for c in page.columns] == [
        ("kind", "Kind", "", "c"),
        ("population", "Population", "people", "1,200"),
    ]
    assert [c.name for c in page.facts] == ["population"]
    assert [[c.text for c in row] for row in page.table] == [["1,200"], ["30"]]
    assert page.columns is page.columns  # worked out once
