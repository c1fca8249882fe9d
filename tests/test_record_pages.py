"""The theme's record.html and records.html show a declared dataset as a reader reads it: each
column under its declared title (or a readable form of its name), an enum's label rather than
its code, the unit beside the title, numbers with the page language's marks."""

from __future__ import annotations

import re
from pathlib import Path

from test_languages import catalogue
from tiangong_site.starter import init_project

SITE = """\
title: {en: "Lighthouses", fr: "Phares"}
description: {en: "Made-up lighthouses.", fr: "Des phares inventés."}
base_url: "https://example.org/"
languages: [en, fr]
authors:
  - name: {en: "The desk", fr: "La rédaction"}
publisher: {en: "The desk", fr: "La rédaction"}
published: "2025-01-01"
timezone: UTC
output_dir: _site
"""

PACKAGE = """\
resources:
  - name: lighthouses
    path: data/lighthouses.csv
    title: {en: "Lighthouses", fr: "Phares"}
    schema:
      primaryKey: id
      fields:
        - {name: id, type: string, constraints: {required: true, unique: true}}
        - {name: name, type: string, localised: true, constraints: {required: true}}
        - name: coast
          type: string
          title: {en: "Coast", fr: "Côte"}
          constraints: {enum: [north, west]}
          labels:
            north: {en: "North Sea", fr: "Mer du Nord"}
            west: {en: "Atlantic", fr: "Atlantique"}
        - {name: height, type: number, unit: m, title: {en: "Height", fr: "Hauteur"}}
        - {name: keepers, type: integer}
        - {name: first_lit, type: year}
"""

DATA = """\
id,name.en,name.fr,coast,height,keepers,first_lit
cap-a,Cape A,Cap A,west,31.5,1200,1881
cap-b,Cape B,Cap B,west,12,3,1902
"""

COLLECTIONS = """\
- name: lighthouses
  dataset: lighthouses
  url: "/lighthouses/{id}/"
  title: "{name}"
- name: coasts
  dataset: lighthouses
  url: "/coasts/{coast}/"
  title: "{coast_name}"
  group_by: coast
"""

SOURCES = """\
- id: example-source
  title: {en: "A made-up survey", fr: "Une enquête inventée"}
  publisher: {en: "The desk", fr: "La rédaction"}
  date: "2025-01-01"
  url: "https://example.org/survey"
  kind: official
  language: en
"""

PAGE = {
    "en": '---\ntitle: "Lighthouses"\ndescription: "Made-up lighthouses."\n---\nTwo of them.\n',
    "fr": '---\ntitle: "Phares"\ndescription: "Des phares inventés."\n---\nDeux phares.\n',
}


def lighthouses(root: Path) -> Path:
    """A made-up two-language project (English, French) on the starter, whose collections
    use the theme's record.html."""
    init_project(root)
    content = root / "content"
    for name, body in {
        "site.yaml": SITE,
        "data/sources.yaml": SOURCES,
        "datapackage.yaml": PACKAGE,
        "data/lighthouses.csv": DATA,
        "collections.yaml": COLLECTIONS,
        "charts.yaml": "[]\n",
        "pages/index.md": PAGE["en"],
        "pages/index.fr.md": PAGE["fr"],
    }.items():
        (content / name).write_text(body, encoding="utf-8")
    (content / "data" / "places.csv").unlink()
    catalogue(root, "fr")
    return root


def facts(html: str) -> list[tuple[str, str]]:
    """The (title, value) pairs of a record page's list of facts, as a reader reads them."""
    dl = html.split('<dl class="facts">', 1)[1].split("</dl>", 1)[0]
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", dl, re.S)
    return [(dt.strip(), dd.strip()) for dt, dd in pairs]


def test_a_record_page_shows_titles_labels_units_and_local_numbers(run_cli, tmp_path):
    root = lighthouses(tmp_path / "project")
    result = run_cli("build", "--project", root)
    assert result.code == 0, result.err
    fr = (root / "_site" / "fr" / "lighthouses" / "cap-a" / "index.html").read_text("utf-8")
    assert facts(fr) == [
        ("Id", "cap-a"),
        ("Name", "Cap A"),
        ("Côte", "Atlantique"),
        ("Hauteur (m)", "31,5"),
        ("Keepers", "1\u202f200"),
        ("First lit", "1881"),
    ]
    en = (root / "_site" / "en" / "lighthouses" / "cap-a" / "index.html").read_text("utf-8")
    assert ("Coast", "Atlantic") in facts(en) and ("Height (m)", "31.5") in facts(en)
    assert ("Keepers", "1,200") in facts(en)


def test_a_group_page_heads_its_table_with_titles_and_shows_each_row_as_read(run_cli, tmp_path):
    root = lighthouses(tmp_path / "project")
    assert run_cli("build", "--project", root).code == 0
    html = (root / "_site" / "fr" / "coasts" / "west" / "index.html").read_text("utf-8")
    table = html.split("<table>", 1)[1].split("</table>", 1)[0]
    heads = re.findall(r'<th scope="col">(.*?)</th>', table)
    assert heads == ["Id", "Name", "Côte", "Hauteur (m)", "Keepers", "First lit"]
    rows = [re.findall(r"<td>(.*?)</td>", tr) for tr in re.findall(r"<tr>(.*?)</tr>", table)]
    assert ["cap-b", "Cap B", "Atlantique", "12", "3", "1902"] in rows
    assert ["cap-a", "Cap A", "Atlantique", "31,5", "1\u202f200", "1881"] in rows
