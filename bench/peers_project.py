#!/usr/bin/env python3
"""Write a tiangong-site project for the peers benchmark's records (../shared/bench/peers/).

usage: python bench/peers_project.py RECORDS_JSON SITE_DIR

The peers benchmark builds one page per record with every tool. This adapter writes what a
newsroom would write, and no Python: the records file as it comes (a declared dataset's JSON
data file), its declaration (content/datapackage.yaml), a collection that gives one page per
record and the listing of them all (content/collections.yaml), and the templates.

- `templates/region.html` renders `/regions/<id>/` as the workload asks: `<h1>` name, tier
  and population, a table of the ten rows, and the rows as a JSON data block;
- `templates/index.html` is the collection's listing at `/`, linking every record.

What the engine does beyond the peers: it validates every record against the declaration
(types, required fields, unique ids), writes CSV and JSON downloads of the dataset, a
sitemap and robots.txt, a share image, hashed assets, and checks every link and anchor.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

SITE_YAML = """\
title: "Regions"
description: "Benchmark site, one page per record."
base_url: "https://example.org/"
languages: [en]
authors: [{name: "Peers benchmark"}]
publisher: "Peers benchmark"
published: "2024-06-01"
"""

DATAPACKAGE_YAML = """\
resources:
  - name: places
    path: data/regions.json
    schema:
      primaryKey: id
      fields:
        - {name: id, type: string}
        - {name: name, type: string}
        - {name: tier, type: string, constraints: {enum: [city, county, mountain]}}
        - {name: population, type: integer}
        - name: rows
          type: array
          items:
            fields:
              - {name: year, type: integer}
              - {name: value, type: number}
              - {name: rank, type: integer}
"""

COLLECTIONS_YAML = """\
- name: regions
  dataset: places
  url: "/regions/{id}/"
  template: region.html
  title: "{name}"
  index: {url: "/", title: "All regions", template: index.html}
"""

BASE_HTML = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{% block title %}{% endblock %} | Regions</title></head>
<body>
<header><a href="{{ url() }}">Regions</a></header>
<main>
{% block main %}{% endblock %}
</main>
<footer>Benchmark site, one page per record.</footer>
</body>
</html>
"""

REGION_HTML = """\
{% extends "base.html" %}
{% set r = page.record %}
{% block title %}{{ r.name }}{% endblock %}
{% block main %}
<h1>{{ r.name }}</h1>
<p>Tier: {{ r.tier }} &middot; Population: {{ r.population }}</p>
<table>
<thead><tr><th>Year</th><th>Value</th><th>Rank</th></tr></thead>
<tbody>
{% for row in r.rows %}<tr><td>{{ row.year }}</td><td>{{ row.value }}</td>{#
#}<td>{{ row.rank }}</td></tr>
{% endfor %}</tbody>
</table>
<script type="application/json" id="chart-data">{{ r.rows | tojson }}</script>
{% endblock %}
"""

INDEX_HTML = """\
{% extends "base.html" %}
{% block title %}{{ page.title }}{% endblock %}
{% block main %}
<h1>{{ page.title }}</h1>
<ul>
{% for item in page.items %}<li><a href="{{ item.url }}">{{ item.title }}</a></li>
{% endfor %}</ul>
{% endblock %}
"""

NOT_FOUND_HTML = """\
{% extends "base.html" %}
{% block title %}Not found{% endblock %}
{% block main %}
<h1>Not found</h1>
<p><a href="{{ url() }}">All regions</a></p>
{% endblock %}
"""


def write_project(records_json: Path, site: Path) -> None:
    files = {
        "content/site.yaml": SITE_YAML,
        "content/datapackage.yaml": DATAPACKAGE_YAML,
        "content/collections.yaml": COLLECTIONS_YAML,
        "templates/base.html": BASE_HTML,
        "templates/region.html": REGION_HTML,
        "templates/index.html": INDEX_HTML,
        "templates/404.html": NOT_FOUND_HTML,
        "static/style.css": "body { font-family: sans-serif; }\n",
    }
    for relpath, text in files.items():
        path = site / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (site / "content" / "data").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(records_json, site / "content" / "data" / "regions.json")  # as it comes


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: peers_project.py RECORDS_JSON SITE_DIR", file=sys.stderr)
        return 2
    write_project(Path(argv[1]), Path(argv[2]))
    print(f"wrote a project for the records of {argv[1]} to {argv[2]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
